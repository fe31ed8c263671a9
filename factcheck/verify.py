"""Verifiers: from a claim and its retrieved passages to a verdict.

A `Verifier` takes claims in batches with their hits. Model-based verifiers score each
(claim, passage) pair with a `StanceScorer` (probabilities of entailment, neutral and
contradiction) and turn the passage stances into one verdict with `aggregate`.
"""
from __future__ import annotations

import dataclasses
import hashlib
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable, Protocol, Sequence

import numpy as np

from factcheck.cues import (best_clause, derived_agree, direction, figure_elsewhere, figures_agree, figures_missing,
                            mismatches, moved_place, name_variants, names, names_none, other_measure, post_changed,
                            post_holder_swap, sibling_detail, swapped_names, swapped_place, undisclosed,
                            undisclosed_removed)
from factcheck.lexical import STOPWORDS, tokenize
from factcheck.records import Evidence, Hit, Label, Stance, Verdict
from factcheck.text import split_sentences


class Verifier(Protocol):
    """Decides a verdict for each claim from its retrieved passages."""

    name: str
    version: str

    def verify(self, claims: Sequence[str], hits: Sequence[Sequence[Hit]]) -> list[Verdict]:
        """One verdict per claim; `hits[i]` are the passages retrieved for `claims[i]`, best first."""
        ...


class StanceScorer(Protocol):
    """Scores (claim, passage) pairs: rows of probabilities [entailment, neutral, contradiction]."""

    name: str
    version: str

    def score(self, pairs: Sequence[tuple[str, str]]) -> np.ndarray:
        """An array of shape (len(pairs), 3) whose rows sum to 1; pairs are (claim, passage)."""
        ...


@dataclass(frozen=True)
class PassageStance:
    """How strongly one retrieved passage supports or refutes the claim (probabilities)."""

    hit: Hit
    support: float
    refute: float
    support_relevance: float = 1.0   # how closely the supporting sentence restates the claim
    refute_relevance: float = 1.0    # the same for the refuting sentence

    @property
    def stance(self) -> Stance:
        if self.support >= self.refute and self.support >= 0.5:
            return Stance.SUPPORTS
        if self.refute > self.support and self.refute >= 0.5:
            return Stance.REFUTES
        return Stance.NEUTRAL


def aggregate(stances: Sequence[PassageStance], threshold: float = 0.5, max_evidence: int = 3,
              refute_threshold: float | None = None) -> Verdict:
    """Turn passage stances into a verdict.

    Strong support from one passage is enough; conflicting strong evidence keeps the passages
    of both sides and lowers the confidence; weak or off-topic evidence gives NOT_ENOUGH_INFO.
    `threshold` makes support strong; `refute_threshold` (default the same) makes refutation
    strong: NLI models call many same-topic, different-fact sentences contradictions, so
    refutation may need more.
    """
    refute_threshold = threshold if refute_threshold is None else refute_threshold
    if not stances:
        return Verdict(Label.NOT_ENOUGH_INFO, 1.0, ())
    best_support = max(stances, key=lambda s: s.support)
    best_refute = max(stances, key=lambda s: s.refute)
    strong_support = best_support.support >= threshold
    strong_refute = best_refute.refute >= refute_threshold
    # Conflicting strong evidence: the side whose sentence restates more of the claim wins
    # (the sentence about this very fact), then the stronger probability.
    support_side = (best_support.support_relevance, best_support.support)
    refute_side = (best_refute.refute_relevance, best_refute.refute)
    if strong_support and (not strong_refute or support_side >= refute_side):
        label, lead, confidence = Label.SUPPORTED, best_support, best_support.support
        if strong_refute:
            confidence *= 1.0 - best_refute.refute / 2
    elif strong_refute:
        label, lead, confidence = Label.REFUTED, best_refute, best_refute.refute
        if strong_support:
            confidence *= 1.0 - best_support.support / 2
    else:
        label, lead = Label.NOT_ENOUGH_INFO, None
        confidence = 1.0 - max(best_support.support, best_refute.refute)
    cited = _cite(stances, lead, max_evidence, label)
    return Verdict(label, float(min(max(confidence, 0.0), 1.0)), cited)


def _cite(stances: Sequence[PassageStance], lead: PassageStance | None, max_evidence: int,
          label: Label = Label.NOT_ENOUGH_INFO) -> tuple[Evidence, ...]:
    """The lead passage (the one that decided the verdict) first, then the other decisive passages
    (supporting or refuting), then the neutral ones, each group by the strength of its stance.
    The lead is cited for the verdict's side, also where it refutes more strongly than it supports (a
    sentence that restates more of the claim decided for support in the same passage)."""
    def strength(s: PassageStance) -> float:
        return max(s.support, s.refute)

    def side(s: PassageStance) -> tuple[float, Stance]:
        if s is lead and label is Label.SUPPORTED:
            return s.support, Stance.SUPPORTS
        if s is lead and label is Label.REFUTED:
            return s.refute, Stance.REFUTES
        return strength(s), s.stance

    ordered = sorted(stances, key=lambda s: (s is not lead, s.stance is Stance.NEUTRAL, -strength(s)))
    return tuple(
        Evidence(s.hit.passage_id, s.hit.source_id, s.hit.text, round(side(s)[0], 4), side(s)[1])
        for s in ordered[:max_evidence]
    )


def _quote(evidence: Evidence, sides: tuple[tuple[float, str], tuple[float, str]] | None) -> str:
    """The sentence a cited passage quotes: that of its cited side, of the stronger one where it is neutral.
    sides: ((support, its sentence), (refutation, its sentence)) of the passage."""
    if sides is None:
        return ""
    (support, for_text), (refute, against_text) = sides
    if evidence.stance is Stance.NEUTRAL:
        return for_text if support >= refute else against_text
    return for_text if evidence.stance is Stance.SUPPORTS else against_text


def distinct_quotes(evidence: Iterable[Evidence], limit: int) -> tuple[Evidence, ...]:
    """The first `limit` pieces of evidence, each quoting something the earlier ones do not.

    Passage windows overlap (`passage_stride` < `passage_sentences`), so one sentence of a source
    can be the quote of two retrieved passages; it is cited once, from the passage ranked first.
    """
    seen: set[tuple[str, str]] = set()
    kept = []
    for e in evidence:
        key = (e.source_id, " ".join(e.quote.split()) or str(e.passage_id))
        if key not in seen:
            seen.add(key)
            kept.append(e)
    return tuple(kept[:limit])


@dataclass(frozen=True)
class VerdictCalibration:
    """Maps a verdict's raw confidence to the probability that the verdict is right.

    One logistic map per kind of verdict (decided: SUPPORTED / REFUTED; NOT_ENOUGH_INFO), on the
    logit of the raw confidence: p = sigmoid(a * logit(raw) + b). Fitted on held-out claims by
    `factcheck.training.fit_verdict_calibration`; stored as the "verdict" entry of a model folder's
    calibration.json, with the decision threshold fitted alongside.
    """

    threshold: float
    decided: tuple[float, float] = (1.0, 0.0)
    nei: tuple[float, float] = (1.0, 0.0)
    refute_threshold: float | None = None

    def apply(self, label: Label, raw: float) -> float:
        a, b = self.nei if label is Label.NOT_ENOUGH_INFO else self.decided
        x = float(np.clip(raw, 1e-4, 1 - 1e-4))
        z = a * np.log(x / (1 - x)) + b
        return float(1.0 / (1.0 + np.exp(-z)))

    @classmethod
    def from_record(cls, record: dict) -> "VerdictCalibration":
        refute = record.get("refute_threshold")
        return cls(float(record["threshold"]), tuple(record["decided"]), tuple(record["nei"]),
                   None if refute is None else float(refute))

    def to_record(self) -> dict:
        record = {"threshold": round(self.threshold, 4), "decided": [round(v, 5) for v in self.decided],
                  "nei": [round(v, 5) for v in self.nei]}
        if self.refute_threshold is not None:
            record["refute_threshold"] = round(self.refute_threshold, 4)
        return record


def cue_adjusted(claim: str, evidence: str, support: float, refute: float, weight: float = 0.8,
                 min_overlap: float = 0.5, agree_overlap: float | None = None,
                 cosine: float | None = None, paraphrase: float | None = None,
                 restate: float | None = None, torn: float | None = None) -> tuple[float, float]:
    """Move most of the support to refutation when the evidence gives another year or figure.

    Small NLI models read "invested $50 billion" as support for "invested $13 billion"; a
    sentence that restates the claim (at least `min_overlap` of its content words, and one the
    model finds supporting) but whose years or quantities all differ from the claim's is
    evidence against it. Negation is left to the model (too noisy as a cue).
    The converse too, where the model reads a contradiction in a sentence that restates the claim:
    with `agree_overlap`, a sentence that restates at least that share of the claim and gives every
    one of its figures (`cues.figures_agree`; the model misreads sentences that state several facts:
    "On MMLU, Lumen-2 236B scores 84.1 and Lumen-2 8B scores 68.3" against "Lumen-2 8B scores 68.3
    on MMLU"), and with `paraphrase`, a sentence whose embedding `cosine` to the claim reaches it and
    that differs from it in no figure, name, negation or direction of change (`cues.mismatches`:
    "Tessellate shares fell 4 percent in after-hours trading following the results" against
    "Tessellate shares fell 4 percent after hours after the results"), move most of that refutation
    to support. So does, with `agree_overlap`, a sentence that restates DERIVED_OVERLAP of the claim and gives its figures
    once one is worked out from two of the sentence's (`cues.derived_agree`: "raised his price target on Corvessa to 48
    euros from 39 euros" for "raised his price target on Corvessa by 9 euros"; small models cannot subtract), and
    where the model reads such a sentence as neither, most of its neutral share moves to support (session 28).
    With `restate`, a sentence the model reads as neither (support and refutation both
    under 0.5) that restates at least `min_overlap` of the claim's words, with an embedding `cosine` of
    at least `restate` and no mismatch, gets most of its neutral share as support ("Northvale will
    include satellite texting at no extra cost on plans priced above C$55 a month" for "Northvale
    customers on plans costing more than C$55 a month get satellite texting at no additional charge").

    Four checks come before those, in this order. (1) A sentence that says the detail was not given
    ("Murmur has not said how much it expects to save annually", `cues.undisclosed`) leaves a claim that gives it
    unsettled: its contradiction counts at most UNDISCLOSED_REFUTE (the model reads "expects to save about $250
    million a year" against it as a contradiction). So does a sentence that gives the claim's own figures for a
    sibling variant or place, naming neither the claim's ("In Tanzania, median latency is 38 milliseconds" for "...
    latency in Kenya is 38 milliseconds", `cues.sibling_detail`): its support and contradiction count at most
    SIBLING_CAP.
    (2) A sentence that gives the post the claim names to another person ("Kestrel chief executive Evelyn Tsai-Morrow"
    against "Kenji Morimoto is the chief executive of Kestrel Semiconductor", `cues.post_holder_swap`), or another post
    to the claim's person ("Chief financial officer Kenji Morimoto said", `cues.post_changed`), is evidence against it,
    whatever the model reads: most of its support and neutral share moves to refutation.
    (3) A sentence the model reads as neither that restates the claim (three quarters of its own words, of three or
    more) with another person, place or firm in place of one the claim names (`cues.swapped_names`) is evidence
    against it: "Bellhaven Regional Medical Center in Ohio diverted ambulances ... for about 36 hours" against
    "... in Indiana diverted ambulances for about 36 hours"; most of its neutral share and support moves to refutation.
    Where the name left out is a place the claim puts something in (`cues.swapped_place`: "will be in Ottawa" against
    "a manufacturing and testing facility in Waterloo, Ontario"), also when the model reads support: it weighs the
    restated words and passes over the place. The same where a sentence that restates half of the claim's own words
    puts the thing the claim places in another place (`cues.moved_place`: "is building its first wafer fabrication
    plant in Chandler, Arizona" against "... plant in Austin, Texas", where the sentence has the company
    "headquartered in Austin").
    (4) With `torn`, a sentence the model reads as both support and contradiction (each at least `torn`) that uses at
    least `min_overlap` of the claim's own words (`own_share`: not its names or figures) and differs from it in no
    figure, date, name, negation or direction, gets most of that refutation as support: the model is torn on a
    sentence that states the claim's fact, and the cues find nothing changed ("Employees in the United States who
    lose their jobs will receive 16 weeks of base pay plus two additional weeks for each year of service": 0.48 /
    0.47 for "... who are laid off will get 16 weeks of base pay plus two extra weeks for every year of service").
    Session 30 (cues 19): after (1), a sentence whose figures measure another thing than the claim's refutes at most
    MEASURE_CAP (`cues.other_measure`: "raised 1.2 billion kroner" against "valued the company at 5 billion kroner");
    before (4), a sentence that withholds what the claim says was withheld supports it (`withheld_alike`); and the
    agreement cue also takes a sentence that gives every figure of the claim in AGREE_OWN of its own words
    (`agrees_in_own_words`). Session 31 (cues 20): with (2), a sentence that pairs figures with things and gives the
    claim's figure for another one and another figure for the claim's ("4,700 mAh in the Pyxara 4 and 5,300 mAh in the
    Pro" against "The Pyxara 4 has a 5,300 mAh battery", `cues.figure_elsewhere`) is evidence against it.
    """
    if refute > UNDISCLOSED_REFUTE and undisclosed(evidence) and not undisclosed(claim):
        return support, UNDISCLOSED_REFUTE
    if SIBLING_CAP is not None and max(support, refute) > SIBLING_CAP and sibling_detail(claim, evidence):
        return min(support, SIBLING_CAP), min(refute, SIBLING_CAP)
    if MEASURE_CAP is not None and refute > MEASURE_CAP and other_measure(claim, evidence):
        refute = MEASURE_CAP
    if post_holder_swap(claim, evidence) or post_changed(claim, evidence) or figure_elsewhere(claim, evidence):
        moved = support * weight
        return support - moved, refute + moved + (1.0 - support - refute) * weight
    if ((len(own_words(claim)) >= SWAP_WORDS and own_share(claim, evidence) >= SWAP_SHARE
            and ((support < 0.5 and refute < 0.5 and swapped_names(claim, evidence)) or swapped_place(claim, evidence)))
            or (own_share(claim, evidence) >= MOVED_SHARE and moved_place(claim, evidence))):
        moved = support * weight
        return support - moved, refute + moved + (1.0 - support - refute) * weight
    if support < 0.5 and withheld_alike(claim, evidence):
        return support + (1.0 - support - refute) * weight + refute * weight, refute * (1.0 - weight)
    if (torn is not None and support >= torn and refute >= torn and own_share(claim, evidence) >= min_overlap
            and not mismatches(claim, evidence, bounds=False)):
        moved = refute * weight
        return support + moved, refute - moved
    shared = overlap(claim, evidence)
    if refute >= 0.2 and refute > support and (
            (agree_overlap is not None and shared >= agree_overlap and figures_agree(claim, evidence))
            or (agree_overlap is not None and AGREE_OWN is not None and agrees_in_own_words(claim, evidence))
            or (agree_overlap is not None and works_out(claim, evidence))
            or (paraphrase is not None and cosine is not None and cosine >= paraphrase
                and not mismatches(claim, evidence, bounds=False))):
        moved = refute * weight
        return support + moved, refute - moved
    if (restate is not None and cosine is not None and cosine >= restate and support < 0.5 and refute < 0.5
            and shared >= min_overlap and not mismatches(claim, evidence, bounds=False)):
        return support + (1.0 - support - refute) * weight, refute
    if agree_overlap is not None and support < 0.5 and refute < 0.5 and works_out(claim, evidence):
        return support + (1.0 - support - refute) * weight, refute      # read as neither: it cannot subtract
    if support < 0.2 or shared < min_overlap:
        return support, refute
    reasons = [r for r in mismatches(claim, evidence) if r != "negation"]
    if not reasons:
        return support, refute
    moved = support * weight
    return support - moved, refute + moved


_WORD = re.compile(r"[a-z0-9][a-z0-9.,'-]*[a-z0-9]|[a-z0-9]")
_STOP = STOPWORDS  # the lexical index's list: one notion of a function word


def content_words(text: str) -> set[str]:
    """Lower-cased words without stopwords, numbers kept as written ('1,900', '3.5')."""
    return {w.rstrip(".,") for w in _WORD.findall(text.lower()) if w not in _STOP}


def overlap(claim: str, evidence: str) -> float:
    """Share of the claim's content words that the evidence also uses."""
    words = content_words(claim)
    return len(words & content_words(evidence)) / len(words) if words else 0.0


def refutation_gate(claim: str, evidence: str, low: float = 0.25, high: float = 0.5) -> float:
    """How far a contradiction from this evidence counts, in [0, 1], by how much of the claim it restates.

    NLI models trained on SNLI / FEVER call a same-topic sentence about another fact a
    contradiction ("xAI released Grok 3 in February" vs "Grok 3 comes in two sizes"). A real
    refutation restates most of the claim and changes a detail; below `low` word overlap the
    contradiction is ignored, above `high` it counts fully, linear in between.
    """
    share = overlap(claim, evidence)
    return float(min(1.0, max(0.0, (share - low) / (high - low)))) if high > low else float(share >= low)


MOVED_SHARE = 0.5                  # a place moved needs half of the claim's own words restated
UNDISCLOSED_REFUTE = 0.2          # what a sentence saying the detail was not given may refute, at most
SIBLING_CAP = 0.2                 # what a sentence giving the claim's figures for a sibling may support or refute
MEASURE_CAP = 0.2                 # what a sentence whose figures measure another thing may refute (`other_measure`)
UNNAMED_CAP = 0.2                 # what a passage naming none of the claim's names may support or refute (`cues.names_none`)
SWAP_WORDS, SWAP_SHARE = 3, 0.75   # a name swap needs a claim that says this much besides its names, restated
_FIGURE_WORDS = frozenset("thousand million billion trillion percent per cent".split())   # parts of a figure


@lru_cache(maxsize=4096)
def coverage(claim: str, evidence: str) -> float:
    """The share of the claim's stemmed tokens (`lexical.tokenize`) that the evidence uses."""
    wanted = _stems(claim)
    return len(wanted & _stems(evidence)) / max(len(wanted), 1)


def relatedness(claim: str, evidence: str, dense: float | None) -> float:
    """The baseline verifier's closeness of a sentence to the claim: the mean of the passage's retrieval cosine
    (`Hit.dense`) and the sentence's `coverage` of the claim (the coverage alone where there is no cosine)."""
    shared = coverage(claim, evidence)
    return 0.5 * (dense if dense is not None else shared) + 0.5 * shared


RELATED_WEIGHT = 0.8   # the share of a neutral reading that `related_restatement` moves to support


def related_restatement(claim: str, evidence: str, dense: float | None, at: float) -> bool:
    """Whether the sentence states the claim by the baseline verifier's reading: its `relatedness` reaches `at`
    and it differs from the claim in no figure, date, name, negation or direction of change (`cues.mismatches`).
    The model reads many such sentences as neutral: quotes ("'This was not a cyberattack,' chief executive Cathal
    Brennock told reporters" for "Cathal Brennock ... said the system failure was not caused by a cyberattack") and
    restatements in other words ("the largest order in Kestrava's history" for "the largest order Kestrava Cells has
    ever received")."""
    return relatedness(claim, evidence, dense) >= at and not mismatches(claim, evidence)


def own_words(claim: str) -> frozenset[str]:
    """The claim's stemmed content words other than its names and figures: what it says of the things it names
    ("Korsvik Telecom's credit facility is worth 1 billion kroner": credit, facility, worth, kroner)."""
    named = set(tokenize(" ".join(w for name in names(claim) for w in name))) | _FIGURE_WORDS
    return frozenset(t for t in tokenize(claim) if t not in named and len(t) > 1 and not any(ch.isdigit() for ch in t))


def words_gate(claim: str, evidence: str, low: float, high: float) -> float:
    """How far a contradiction from this evidence counts, in [0, 1], by the share of the claim's own words
    (`own_words`) it uses: 0 at or below `low`, 1 from `high`, linear between; 1 for a claim of names and
    figures alone.

    A refutation restates the claim's fact with one detail changed, so it uses the claim's words. A sentence
    about another fact of the same company shares the names and little else, yet the pair scorer calls it a
    contradiction ("Korsvik Telecom paid 2.7 billion Danish kroner for the largest block of spectrum" against
    "Korsvik Telecom's credit facility for its spectrum payment is worth 1 billion Danish kroner"). Unlike
    `refutation_gate`, names do not count: tech-news sentences share them whatever fact they state."""
    return float(ramp_of(np.float64(own_share(claim, evidence)), low, high))


def own_share(claim: str, evidence: str) -> float:
    """The share of the claim's own words (`own_words`) that the evidence uses; 1 for a claim of names and figures
    alone."""
    words = own_words(claim)
    return len(words & _stems(evidence)) / len(words) if words else 1.0


@lru_cache(maxsize=8192)
def _stems(text: str) -> frozenset[str]:
    """The text's stemmed tokens: a sentence is read by the words gate and by two cues, once."""
    return frozenset(tokenize(text))


GATE_FROM = 0.1   # contradiction probabilities below this are left ungated (too weak to decide a verdict)


def cosines(embedder, pairs: Sequence[tuple[str, str]]) -> np.ndarray:
    """Per pair of texts: the cosine of their embeddings (each distinct text embedded once)."""
    texts = list(dict.fromkeys(t for pair in pairs for t in pair))
    vectors = np.asarray(embedder.embed(texts), dtype=np.float32)
    vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
    at = {t: i for i, t in enumerate(texts)}
    return np.array([float(vectors[at[a]] @ vectors[at[b]]) for a, b in pairs])


def similarity_ramp(embedder, pairs: Sequence[tuple[str, str]], low: float, high: float) -> np.ndarray:
    """Per (claim, sentence) pair: 0 below cosine `low` of their embeddings, 1 above `high`, linear between."""
    return ramp_of(cosines(embedder, pairs), low, high)


def ramp_of(values: np.ndarray, low: float, high: float) -> np.ndarray:
    """0 below `low`, 1 above `high`, linear between (a step at `low` when high <= low)."""
    if high <= low:
        return (values >= low).astype(float)
    return np.clip((values - low) / (high - low), 0.0, 1.0)


VERSION_CHARS = 300   # the length of verdicts.verifier_version (100 before migration 0004)


def bounded_version(version: str, limit: int = VERSION_CHARS) -> str:
    """A verifier version that fits the verdicts table: a longer one keeps its start and ends in a hash of the
    whole, so it still tells verifiers apart (a hub model's 40-character commit hash with the default options
    came to more than 100 characters, which PostgreSQL refused)."""
    if len(version) <= limit:
        return version
    return version[:limit - 13] + "~" + hashlib.sha1(version.encode()).hexdigest()[:12]


DERIVED_OVERLAP = 0.3  # the share of the claim's words a sentence that gives a worked-out figure must use (session 27; 0.5 before)


AGREE_OWN = 0.4   # the share of the claim's own words a sentence that gives all its figures must use (session 30)


def agrees_in_own_words(claim: str, evidence: str) -> bool:
    """Whether the evidence gives every figure of the claim (`cues.figures_agree`) and uses AGREE_OWN of the claim's
    own words (`own_share`), where the clause that gives the figures turns no direction of the claim's and neither it
    nor the sentence names another variant of the claim's names: "The average parcel weighed 780 grams" for "The
    average parcel carried in Aerquill's Melbourne and Brisbane drone trial weighed 0.78 kilograms", which shares three
    of the claim's eleven words (under the agreement cue's overlap) but most of what it says besides its names."""
    if own_share(claim, evidence) < AGREE_OWN or not figures_agree(claim, evidence):
        return False
    clause = best_clause(claim, evidence, figures=True)
    return (direction(claim) * direction(clause) >= 0 and not name_variants(claim, evidence)
            and not name_variants(claim, clause))


WITHHELD_SHARE = 0.5   # the share of what a claim says was withheld that a sentence withholding it must restate


def withheld_alike(claim: str, evidence: str) -> bool:
    """Whether claim and evidence both say a detail was not given (`cues.undisclosed`) and the evidence restates
    WITHHELD_SHARE of the claim's own words besides those (`own_share`), in no other figure, name or direction: "He
    declined to say how much revenue the company expected to give up as a result of the cuts" for "Skerrowlink's chief
    executive would not say how much revenue the company expects to forgo because of its price cuts". The model reads
    one refusal as neutral to another in other words."""
    if not (undisclosed(claim) and undisclosed(evidence)):
        return False
    said, given = undisclosed_removed(claim), undisclosed_removed(evidence)
    return (len(own_words(said)) >= 2 and own_share(said, given) >= WITHHELD_SHARE
            and not mismatches(said, given, bounds=False))


def works_out(claim: str, evidence: str) -> bool:
    """Whether the evidence restates DERIVED_OVERLAP of the claim and gives its figures once one is worked out from two
    of its own (`cues.derived_agree`)."""
    return overlap(claim, evidence) >= DERIVED_OVERLAP and derived_agree(claim, evidence)


WINDOW_GAIN = 0.2  # a strict window supports only where it uses this much more of the claim's words than either sentence


class NLIVerifier:
    """A verifier built from a pair scorer (e.g. a trained cross-encoder) and `aggregate`.

    With `sentence_level` (the default) each sentence of a retrieved passage is scored against
    the claim and the passage takes the stance of its most decisive sentence, which becomes the
    cited quote: pair scorers are trained on sentence-sized evidence.
    cues: apply `cue_adjusted` (figure, year, name and direction mismatches; agreeing figures and
        paraphrases) to every pair, let no passage without the claim's figures support it
        (`cues.figures_missing`), and let a passage that names none of the claim's names (its document's
        title included) support or refute it at most UNNAMED_CAP (`cues.names_none`).
    calibration: a fitted `VerdictCalibration` (decision threshold and confidence maps); by
        default the scorer's own (`scorer.verdict_calibration`, read from the model folder),
        else the raw threshold and confidences.
    similarity, similarity_gate: a sentence embedder (`factcheck.embed.Embedder`) and (low, high):
        a contradiction counts only as far as the sentence is about the claim, by the cosine of
        their embeddings (`similarity_ramp`): NLI models call sentences on other facts of the same
        story contradictions ("Revenue from PC chips fell 6 percent" against "the power deal runs
        for 20 years"), which a real refutation, restating the claim with a detail changed, is not.
    relevance_gate: (low, high) logits of the relevance reranker (`Hit.relevance`): a passage counts,
        for and against, only as far as the reranker finds it about the claim (0 below `low`, in full
        above `high`, linear between); passages the reranker did not score count in full. A pair
        scorer finds support for a claim in a passage on its topic that states another finding (on
        SciFact, the leading passage of NOT_ENOUGH_INFO claims called decided has a median relevance
        logit of -1.6, that of SUPPORTED claims 3.8). Not a sentence or derived window that works out the
        claim's figure (`cues.derived_agree`, cues 18): the reranker cannot subtract either.
    relevance_sides: what the relevance gate weighs: "support" (only support: refutations from
        passages the reranker ranks low are left to the similarity gate) or "both".
    paraphrase: a cosine (of the `similarity` embeddings): a sentence this close to the claim that
        differs from it in no figure, name, negation or direction of change restates it, so a
        contradiction the model reads there counts as support (`cue_adjusted`).
    restate: a cosine: such a sentence that also uses at least half of the claim's words counts as
        support where the model reads it as neutral (`cue_adjusted`).
    torn: a probability: a sentence the model reads as both support and contradiction (each at least this), that
        uses half of the claim's own words with no mismatch, counts as support (`cue_adjusted`).
    related: a relatedness (`relatedness`: the mean of the passage's retrieval cosine and the share of the claim's
        stemmed words the sentence uses, the baseline verifier's measure): a sentence this related to the claim
        with no mismatch counts as support where the model reads it as neutral (`related_restatement`).
    words: (low, high) shares of the claim's own words (not its names or figures, `own_words`): a contradiction
        counts only as far as the sentence uses them (`words_gate`), since sentences about other facts of the
        same company share its names and little else.
    windows: with sentence_level, also score each two consecutive sentences of a passage as one piece of
        evidence, for a claim that needs both ("The project was first budgeted at $850 million. It is now
        expected to cost $1.1 billion." for "The project's cost has risen by $250 million"): "support" lets
        such a window only support the claim (its contradiction counts 0), "strict" too but only as far as the
        model itself reads support in it (the cues may lower it, not raise it), not where one of its two
        sentences refutes the claim, and only where the two together use at least WINDOW_GAIN more of the
        claim's words than either alone (each gives a part of the claim: a quote and the sentence that names its
        speaker); "both" lets it count either way.
        A window cited as the quote is the exact text of the two sentences.
    """

    def __init__(self, scorer: StanceScorer, threshold: float | None = None, max_evidence: int = 3,
                 sentence_level: bool = True, cues: bool = True,
                 calibration: VerdictCalibration | None = None, refute_threshold: float | None = None,
                 gate: tuple[float, float] | None = None, relevance: bool = True,
                 similarity=None, similarity_gate: tuple[float, float] | None = None,
                 agree_overlap: float | None = None, relevance_gate: tuple[float, float] | None = None,
                 relevance_sides: str = "both", paraphrase: float | None = None, restate: float | None = None,
                 words: tuple[float, float] | None = None, torn: float | None = None,
                 related: float | None = None, windows: str | None = None):
        if relevance_sides not in ("support", "both"):
            raise ValueError(f"relevance_sides must be 'support' or 'both', got {relevance_sides!r}")
        if windows not in (None, "support", "strict", "both", "derived"):
            raise ValueError(f"windows must be None, 'support', 'strict', 'both' or 'derived', got {windows!r}")
        self.windows = windows if sentence_level else None
        self.scorer = scorer
        self.relevance_sides = relevance_sides
        self.relevance_gate = relevance_gate
        self.agree_overlap = agree_overlap
        self.gate = gate
        self.words = words
        self.torn = torn if cues and torn else None
        self.related = related if cues and related else None
        self.similarity = similarity if similarity_gate is not None or paraphrase or restate else None
        self.similarity_gate = similarity_gate if similarity is not None else None
        self.paraphrase = paraphrase if similarity is not None and cues and paraphrase else None
        self.restate = restate if similarity is not None and cues and restate else None
        self.relevance = relevance
        self.calibration = calibration if calibration is not None else getattr(scorer, "verdict_calibration", None)
        if threshold is None:
            threshold = self.calibration.threshold if self.calibration is not None else 0.5
        if refute_threshold is None and self.calibration is not None:
            refute_threshold = self.calibration.refute_threshold
        self.threshold = threshold
        self.refute_threshold = refute_threshold
        self.max_evidence = max_evidence
        self.sentence_level = sentence_level
        self.cues = cues
        self.name = scorer.name
        from factcheck.cues import CUES_VERSION

        self.version = scorer.version + (f"-cues{CUES_VERSION}" if cues else "-nocues")
        if self.similarity_gate is not None:
            self.version += "-simgate{:g}-{:g}".format(*self.similarity_gate)
        if self.cues and self.agree_overlap is not None:
            self.version += f"-agree{self.agree_overlap:g}"
        if self.paraphrase is not None:
            self.version += f"-para{self.paraphrase:g}"
        if self.restate is not None:
            self.version += f"-rest{self.restate:g}"
        if self.words is not None:
            self.version += "-words{:g}-{:g}".format(*self.words)
        if self.torn is not None:
            self.version += f"-torn{self.torn:g}"
        if self.related is not None:
            self.version += f"-rel{self.related:g}"
        if self.windows is not None:
            self.version += "-win2" + {"support": "s", "strict": "t", "both": "b", "derived": "d"}[self.windows]
        if self.relevance_gate is not None:
            kind = "relgate" if self.relevance_sides == "both" else "relsup"
            self.version += f"-{kind}" + "{:g}-{:g}".format(*self.relevance_gate)
        self.version = bounded_version(self.version)

    def _derives(self, claim: str, text: str, first: tuple[int, int], second: tuple[int, int]) -> bool:
        """Whether two consecutive sentences together, and neither alone, give the claim's figure worked out from
        one figure of each (`cues.derived_agree`), restating DERIVED_OVERLAP of the claim."""
        if not self.cues:
            return False
        window = text[first[0]:second[1]]
        return (works_out(claim, window)
                and not any(derived_agree(claim, text[a:b]) for a, b in (first, second)))

    def verify(self, claims: Sequence[str], hits: Sequence[Sequence[Hit]]) -> list[Verdict]:
        units = []  # (claim index, hit index, evidence text)
        windowed: dict[int, tuple[int, int]] = {}  # a two-sentence window's index in units -> its sentences'
        for c, claim_hits in enumerate(hits):
            for h, hit in enumerate(claim_hits):
                spans = split_sentences(hit.text) if self.sentence_level else []
                first = len(units)
                units.extend((c, h, hit.text[a:b]) for a, b in spans or [(0, len(hit.text))])
                if self.windows is not None:
                    for k, ((a, _), (_, b)) in enumerate(zip(spans, spans[1:])):
                        if self.windows == "derived" and not self._derives(claims[c], hit.text, spans[k],
                                                                           spans[k + 1]):
                            continue
                        windowed[len(units)] = (first + k, first + k + 1)
                        units.append((c, h, hit.text[a:b]))
        # Passage windows overlap, so a sentence comes twice: each distinct pair is scored once. That saves
        # the work and gives both copies the same numbers, so which passage cites it is decided by rank,
        # not by the batch noise of two scorings (a recheck would store a "changed" verdict for that).
        pairs = [(claims[c], text) for c, _, text in units]
        distinct = list(dict.fromkeys(pairs))
        where = {pair: n for n, pair in enumerate(distinct)}
        index = np.array([where[pair] for pair in pairs], dtype=int)
        scored = np.asarray(self.scorer.score(distinct)) if distinct else np.zeros((0, 3))
        probs = scored[index]
        cosine = np.full(len(distinct), np.nan)
        if self.similarity is not None and distinct:
            # Embedding every sentence costs about as much as scoring it: only contradictions worth a look,
            # and with `restate` the sentences that use half of the claim's words.
            gated = [n for n in range(len(distinct)) if scored[n][2] >= GATE_FROM
                     or (self.restate is not None and overlap(*distinct[n]) >= 0.5)]
            if gated:
                cosine[gated] = cosines(self.similarity, [distinct[n] for n in gated])
        ramp = np.ones(len(distinct))
        if self.similarity_gate is not None:
            looked = ~np.isnan(cosine)
            ramp[looked] = ramp_of(cosine[looked], *self.similarity_gate)
        ramp, cosine = ramp[index], cosine[index]
        # A passage without the claim's figures does not state its fact: read once per passage, not per sentence.
        lacking = {(c, h): figures_missing(claims[c], hit.text) for c, claim_hits in enumerate(hits)
                   for h, hit in enumerate(claim_hits)} if self.cues else {}
        # Nor does a passage that names none of the claim's names (its document's title included): it is about others.
        unnamed = {(c, h): names_none(claims[c], f"{hit.title or ''}\n{hit.text}") for c, claim_hits in enumerate(hits)
                   for h, hit in enumerate(claim_hits)} if self.cues and UNNAMED_CAP is not None else {}
        # Per passage: its most supporting and its most refuting sentence.
        best_s: dict[tuple[int, int], tuple[float, str]] = {}
        best_r: dict[tuple[int, int], tuple[float, str]] = {}
        adjusted = []
        for n, ((c, h, text), p, r, cos) in enumerate(zip(units, probs, ramp, cosine)):
            support, refute = float(p[0]), float(p[2]) * float(r)
            if self.gate is not None:
                refute *= refutation_gate(claims[c], text, *self.gate)
            if self.words is not None and refute > 0:
                refute *= words_gate(claims[c], text, *self.words)
            if self.cues:
                support, refute = cue_adjusted(claims[c], text, support, refute, agree_overlap=self.agree_overlap,
                                               cosine=None if np.isnan(cos) else float(cos), paraphrase=self.paraphrase,
                                               restate=self.restate, torn=self.torn)
                if lacking[c, h] and not (support >= 0.5 and derived_agree(claims[c], text)):
                    support = 0.0     # (a figure the claim works out from two of the sentence's is not missing)
                elif self.related is not None and support < 0.5 and refute < 0.5 and related_restatement(
                        claims[c], text, hits[c][h].dense, self.related) and not (
                        SIBLING_CAP is not None and sibling_detail(claims[c], text)):
                    # (a sibling's sentence, capped by `cue_adjusted`, stays capped: it reads as related but says
                    # nothing of the claim's own thing)
                    support += (1.0 - support - refute) * RELATED_WEIGHT
                if unnamed.get((c, h)):
                    support, refute = min(support, UNNAMED_CAP), min(refute, UNNAMED_CAP)
            adjusted.append((support, refute))
        for n, (c, h, text) in enumerate(units):
            support, refute = adjusted[n]
            if n in windowed and self.windows != "both":
                refute = 0.0     # ("derived": the cues' own reading stands, the worked-out figure among them)
                if self.windows == "strict":
                    # Only the model's own reading of the two sentences together: the cues read one sentence's
                    # words of change or figures as the other's, so they may lower it, not raise it; and a window
                    # one of whose sentences refutes the claim supports nothing.
                    support = min(support, float(probs[n][0]))
                    if max(adjusted[i][1] for i in windowed[n]) >= 0.5 or (
                            round(overlap(claims[c], text) - max(overlap(claims[c], units[i][2])
                                                                 for i in windowed[n]), 6) < WINDOW_GAIN):
                        support = 0.0
            relevance = hits[c][h].relevance
            # (not a sentence or derived window that works out the claim's figure: the reranker, like the verifier,
            # cannot subtract, and reads such a passage as off the claim)
            if self.relevance_gate is not None and relevance is not None and not (
                    self.cues and works_out(claims[c], text)):
                weight = float(ramp_of(np.float64(relevance), *self.relevance_gate))
                support, refute = support * weight, refute * (weight if self.relevance_sides == "both" else 1.0)
            if (c, h) not in best_s or support > best_s[c, h][0]:
                best_s[c, h] = (support, text)
            if (c, h) not in best_r or refute > best_r[c, h][0]:
                best_r[c, h] = (refute, text)
        verdicts = []
        for c, claim_hits in enumerate(hits):
            stances = [PassageStance(hit, best_s[c, h][0], best_r[c, h][0],
                                     round(overlap(claims[c], best_s[c, h][1]), 1) if self.relevance else 1.0,
                                     round(overlap(claims[c], best_r[c, h][1]), 1) if self.relevance else 1.0)
                       for h, hit in enumerate(claim_hits)]
            verdict = aggregate(stances, self.threshold, len(stances), self.refute_threshold)
            sides = {hit.passage_id: (best_s[c, h], best_r[c, h]) for h, hit in enumerate(claim_hits)}
            evidence = distinct_quotes((dataclasses.replace(e, quote=_quote(e, sides.get(e.passage_id)))
                                        for e in verdict.evidence), self.max_evidence)
            confidence = verdict.confidence
            if self.calibration is not None and claim_hits:
                confidence = self.calibration.apply(verdict.label, confidence)
            verdicts.append(dataclasses.replace(verdict, evidence=evidence, confidence=confidence))
        return verdicts
