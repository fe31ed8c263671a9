"""Verifiers: from a claim and its retrieved passages to a verdict.

A `Verifier` takes claims in batches with their hits. Model-based verifiers score each
(claim, passage) pair with a `StanceScorer` (probabilities of entailment, neutral and
contradiction) and turn the passage stances into one verdict with `aggregate`.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Protocol, Sequence

import numpy as np

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

    @property
    def stance(self) -> Stance:
        if self.support >= self.refute and self.support >= 0.5:
            return Stance.SUPPORTS
        if self.refute > self.support and self.refute >= 0.5:
            return Stance.REFUTES
        return Stance.NEUTRAL


def aggregate(stances: Sequence[PassageStance], threshold: float = 0.5, max_evidence: int = 3) -> Verdict:
    """Turn passage stances into a verdict.

    Strong support from one passage is enough; conflicting strong evidence keeps the passages
    of both sides and lowers the confidence; weak or off-topic evidence gives NOT_ENOUGH_INFO.
    """
    if not stances:
        return Verdict(Label.NOT_ENOUGH_INFO, 1.0, ())
    best_support = max(stances, key=lambda s: s.support)
    best_refute = max(stances, key=lambda s: s.refute)
    strong_support = best_support.support >= threshold
    strong_refute = best_refute.refute >= threshold
    if strong_support and (not strong_refute or best_support.support >= best_refute.refute):
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
    cited = _cite(stances, lead, max_evidence)
    return Verdict(label, float(min(max(confidence, 0.0), 1.0)), cited)


def _cite(stances: Sequence[PassageStance], lead: PassageStance | None, max_evidence: int) -> tuple[Evidence, ...]:
    """The lead passage first, then the other decisive passages, then the rest by retrieval order."""
    def strength(s: PassageStance) -> float:
        return max(s.support, s.refute)

    ordered = sorted(stances, key=lambda s: (s is not lead, s.stance is Stance.NEUTRAL, -strength(s)))
    return tuple(
        Evidence(s.hit.passage_id, s.hit.source_id, s.hit.text, round(strength(s), 4), s.stance)
        for s in ordered[:max_evidence]
    )


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

    def apply(self, label: Label, raw: float) -> float:
        a, b = self.nei if label is Label.NOT_ENOUGH_INFO else self.decided
        x = float(np.clip(raw, 1e-4, 1 - 1e-4))
        z = a * np.log(x / (1 - x)) + b
        return float(1.0 / (1.0 + np.exp(-z)))

    @classmethod
    def from_record(cls, record: dict) -> "VerdictCalibration":
        return cls(float(record["threshold"]), tuple(record["decided"]), tuple(record["nei"]))

    def to_record(self) -> dict:
        return {"threshold": round(self.threshold, 4), "decided": [round(v, 5) for v in self.decided],
                "nei": [round(v, 5) for v in self.nei]}


def cue_adjusted(claim: str, evidence: str, support: float, refute: float, weight: float = 0.8) -> tuple[float, float]:
    """Move most of the support to refutation when the evidence gives another year or figure.

    Small NLI models read "invested $50 billion" as support for "invested $13 billion"; an
    on-topic sentence (one the model finds supporting) whose years or quantities all differ
    from the claim's is evidence against it. Negation is left to the model (too noisy as a cue).
    """
    from factcheck.cues import mismatches

    if support < 0.2:
        return support, refute
    reasons = [r for r in mismatches(claim, evidence) if r != "negation"]
    if not reasons:
        return support, refute
    moved = support * weight
    return support - moved, refute + moved


class NLIVerifier:
    """A verifier built from a pair scorer (e.g. a trained cross-encoder) and `aggregate`.

    With `sentence_level` (the default) each sentence of a retrieved passage is scored against
    the claim and the passage takes the stance of its most decisive sentence, which becomes the
    cited quote: pair scorers are trained on sentence-sized evidence.
    cues: apply `cue_adjusted` (year and number mismatches) to every pair.
    calibration: a fitted `VerdictCalibration` (decision threshold and confidence maps); by
        default the scorer's own (`scorer.verdict_calibration`, read from the model folder),
        else the raw threshold and confidences.
    """

    def __init__(self, scorer: StanceScorer, threshold: float | None = None, max_evidence: int = 3,
                 sentence_level: bool = True, cues: bool = True,
                 calibration: VerdictCalibration | None = None):
        self.scorer = scorer
        self.calibration = calibration if calibration is not None else getattr(scorer, "verdict_calibration", None)
        if threshold is None:
            threshold = self.calibration.threshold if self.calibration is not None else 0.5
        self.threshold = threshold
        self.max_evidence = max_evidence
        self.sentence_level = sentence_level
        self.cues = cues
        self.name = scorer.name
        self.version = scorer.version + ("" if cues else "-nocues")

    def verify(self, claims: Sequence[str], hits: Sequence[Sequence[Hit]]) -> list[Verdict]:
        units = []  # (claim index, hit index, evidence text)
        for c, claim_hits in enumerate(hits):
            for h, hit in enumerate(claim_hits):
                pieces = [hit.text[a:b] for a, b in split_sentences(hit.text)] if self.sentence_level else []
                units.extend((c, h, piece) for piece in (pieces or [hit.text]))
        probs = self.scorer.score([(claims[c], text) for c, _, text in units]) if units else np.zeros((0, 3))
        best: dict[tuple[int, int], tuple[float, float, str]] = {}
        for (c, h, text), p in zip(units, probs):
            support, refute = float(p[0]), float(p[2])
            if self.cues:
                support, refute = cue_adjusted(claims[c], text, support, refute)
            if (c, h) not in best or max(support, refute) > max(best[c, h][:2]):
                best[c, h] = (support, refute, text)
        verdicts = []
        for c, claim_hits in enumerate(hits):
            stances = [PassageStance(hit, *best[c, h][:2]) for h, hit in enumerate(claim_hits)]
            verdict = aggregate(stances, self.threshold, self.max_evidence)
            quotes = {hit.passage_id: best[c, h][2] for h, hit in enumerate(claim_hits)}
            evidence = tuple(dataclasses.replace(e, quote=quotes.get(e.passage_id, "")) for e in verdict.evidence)
            confidence = verdict.confidence
            if self.calibration is not None and claim_hits:
                confidence = self.calibration.apply(verdict.label, confidence)
            verdicts.append(dataclasses.replace(verdict, evidence=evidence, confidence=confidence))
        return verdicts
