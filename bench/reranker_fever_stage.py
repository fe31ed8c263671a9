"""Pilot: a FEVER relevance stage between the verifier and the SciFact reranker training.

    python bench/reranker_fever_stage.py --data ../shared/data --out /tmp/verifier-fever-rel --claims 3000
    factcheck train-reranker --data ../shared/data --out /tmp/rr-fever --work /tmp/fc-scifact/home \
        --init /tmp/verifier-fever-rel
    python bench/reranker_ensemble.py --work /tmp/fc-scifact --model packaged:factcheck-reranker --model /tmp/rr-fever

The shipped reranker starts from the verifier's encoder (NLI-trained), and a start from the plain
all-MiniLM-L6-v2 ranks far worse (session 17), so what the encoder learnt on pairs before SciFact
matters. This stage teaches relevance on FEVER claims: each claim's evidence (supporting or refuting)
is a positive, and the FEVER evidence texts of *other* claims that BM25 ranks highest for it are hard
negatives (same entity, other fact). The encoder is then written as a verifier-shaped folder (3-label
head, untrained) that `factcheck train-reranker --init` starts from; its head is replaced there.
FEVER's pairs are in `nli/fever/train.jsonl` (premise = evidence, hypothesis = claim).
"""
from __future__ import annotations

import argparse
import json
import random
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--claims", type=int, default=3000)
    parser.add_argument("--negatives", type=int, default=3)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--lr", type=float, default=3e-5)
    args = parser.parse_args()

    from sentence_transformers import CrossEncoder

    from factcheck.lexical import _import_bm25s
    from factcheck.reranker_training import fit_relevance
    from factcheck.training import _base_model_path

    started = time.time()
    rng = random.Random(args.seed)
    evidence: dict[str, set[str]] = {}
    for line in open(args.data / "nli" / "fever" / "train.jsonl"):
        row = json.loads(line)
        evidence.setdefault(row["hypothesis"], set()).add(row["premise"])
    pool = sorted({p for ps in evidence.values() for p in ps})
    claims = sorted(evidence)
    rng.shuffle(claims)
    claims = claims[:args.claims]
    bm25s = _import_bm25s()
    bm25 = bm25s.BM25()
    bm25.index(bm25s.tokenize(pool, stopwords="en", show_progress=False), show_progress=False)
    found, _ = bm25.retrieve(bm25s.tokenize(claims, stopwords="en", show_progress=False), k=20, show_progress=False)
    pairs, labels = [], []
    for claim, row in zip(claims, found):
        own = evidence[claim]
        pairs.append((claim, rng.choice(sorted(own))))
        labels.append(1.0)
        for n in [int(i) for i in row if pool[int(i)] not in own][:args.negatives]:
            pairs.append((claim, pool[n]))
            labels.append(0.0)
    print(f"{len(claims)} claims, {len(pairs)} pairs ({int(sum(labels))} positives), pool {len(pool)}", flush=True)

    model, _tokenizer, losses, _seconds = fit_relevance(pairs, labels, "packaged:factcheck-verifier", args.seed, 1,
                                                        args.lr, 16, 256, rng, True, "fever relevance")
    out = CrossEncoder(_base_model_path(), num_labels=3, device="cpu", local_files_only=True)
    out.model.load_state_dict({k: w for k, w in model.state_dict().items() if not k.startswith("classifier")},
                              strict=False)
    out.model.config.id2label = {0: "contradiction", 1: "entailment", 2: "neutral"}
    out.model.config.label2id = {v: k for k, v in out.model.config.id2label.items()}
    out.save(str(args.out))
    print(f"loss first/last 50: {sum(losses[:50]) / 50:.3f} / {sum(losses[-50:]) / 50:.3f}; "
          f"{len(losses)} steps, {time.time() - started:.0f} s; written to {args.out}", flush=True)


if __name__ == "__main__":
    main()
