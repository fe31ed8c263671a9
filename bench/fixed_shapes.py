"""Fixed batch shapes under bf16: what they cost in speed and what they buy in repeatability.

Under bf16 autocast the CPU kernels round differently for different tensor shapes, so a pair's
logits depend on the pairs scored with it (the batch's row count and padded width). `pair_logits`
fixes both under bf16 (`fixed_shapes`): `batch_size` rows, width = the pair's own length rounded
up to `SHAPE_STEP` tokens. This script scores SciFact dev oracle pairs with the shipped verifier
and passages with the shipped reranker, both ways, and prints

- repeatability: the same pairs scored all together, in random subsets and one by one: the
  largest logit change, the share of pairs whose logits changed, and label (argmax) flips;
- speed: verifier pairs/s at batch 32 on all pairs in one call (the median of `--repeats`);
  reranker pairs/s for `--claims` claims x `--depth` passages, one call per claim (before) or
  one call for all claims (`RelevanceReranker.rerank_many`, what retrieval does now).

    HF_HUB_OFFLINE=1 .venv/bin/python bench/fixed_shapes.py --data ../shared/data \
        --out bench/results/fixed_shapes.json
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from factcheck.crossencoder import CrossEncoderScorer, native_bf16, pair_logits  # noqa: E402
from factcheck.training import _resolve_data_dir, scifact_pairs  # noqa: E402


def repeatability(model, tokenizer, pairs, fixed: bool, subsets: int, singles: int, seed: int) -> dict:
    """How far logits move when the same pairs are scored in other company."""
    together = pair_logits(model, tokenizer, pairs, 32, 256, True, fixed)
    rng = np.random.default_rng(seed)
    moved, changed, flips, scored = 0.0, 0, 0, 0
    runs = [rng.choice(len(pairs), size=int(rng.integers(1, 200)), replace=False) for _ in range(subsets)]
    runs += [np.array([n]) for n in rng.choice(len(pairs), size=singles, replace=False)]
    for rows in runs:
        again = pair_logits(model, tokenizer, [pairs[n] for n in rows], 32, 256, True, fixed)
        delta = np.abs(again - together[rows]).max(axis=1)
        moved = max(moved, float(delta.max()))
        changed += int((delta > 0).sum())
        flips += int((again.argmax(1) != together[rows].argmax(1)).sum())
        scored += len(rows)
    return {"pairs_rescored": scored, "max_logit_change": round(moved, 5),
            "share_changed": round(changed / scored, 4), "label_flips": flips}


def pairs_per_second(run, n: int, repeats: int) -> float:
    run()   # warm-up
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        run()
        times.append(time.perf_counter() - t0)
    return round(n / statistics.median(times), 1)


def reranker_pairs(scifact_dir: Path, claims: int, depth: int, seed: int) -> list[list[tuple[str, str]]]:
    """`claims` dev claims, each with `depth` passages (title + first three sentences of an abstract:
    the cited ones first, then random others), as the reranker reads them."""
    corpus = [json.loads(line) for line in (scifact_dir / "corpus.jsonl").open()]
    by_id = {doc["doc_id"]: doc for doc in corpus}
    rows = [json.loads(line) for line in (scifact_dir / "claims_dev.jsonl").open()][:claims]
    rng = np.random.default_rng(seed)
    out = []
    for row in rows:
        docs = [by_id[int(d)] for d in row.get("cited_doc_ids", []) if int(d) in by_id][:depth]
        docs += [corpus[n] for n in rng.choice(len(corpus), size=depth - len(docs), replace=False)]
        out.append([(row["claim"], f"{d['title']}. {' '.join(d['abstract'][:3])}") for d in docs])
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", default=str(ROOT.parent / "shared" / "data"))
    ap.add_argument("--pairs", type=int, default=1024, help="SciFact dev oracle pairs for the verifier")
    ap.add_argument("--claims", type=int, default=64, help="claims for the reranker timing")
    ap.add_argument("--depth", type=int, default=30, help="passages per claim for the reranker timing")
    ap.add_argument("--subsets", type=int, default=20)
    ap.add_argument("--singles", type=int, default=100)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", type=Path)
    args = ap.parse_args(argv)

    import torch

    from factcheck.relevance import RelevanceReranker, RelevanceScorer, relevance_logits

    _, scifact_dir = _resolve_data_dir(args.data)
    sci = scifact_pairs(scifact_dir, "claims_dev.jsonl")
    pairs = [(p.hypothesis, p.premise) for p in sci[:args.pairs]]
    scorer = CrossEncoderScorer("packaged:factcheck-verifier", threads=args.threads, precision="bf16")
    torch.set_num_threads(args.threads)
    result = {"native_bf16": native_bf16(), "threads": args.threads, "verifier_pairs": len(pairs)}
    for fixed in (False, True):
        key = "fixed" if fixed else "free"
        result[f"verifier_{key}"] = {
            **repeatability(scorer.model, scorer.tokenizer, pairs, fixed, args.subsets, args.singles, args.seed),
            "pairs_per_s": pairs_per_second(lambda: pair_logits(scorer.model, scorer.tokenizer, pairs, 32, 256,
                                                                True, fixed), len(pairs), args.repeats)}
        print(key, result[f"verifier_{key}"], flush=True)

    relevance = RelevanceScorer("packaged:factcheck-reranker", threads=args.threads, precision="bf16")
    per_claim = reranker_pairs(scifact_dir, args.claims, args.depth, args.seed)
    n = sum(len(p) for p in per_claim)

    def one_call_per_claim(fixed: bool):
        return lambda: [relevance_logits(relevance.model, relevance.tokenizer, p, 32, 256, True) if fixed else
                        pair_logits(relevance.model, relevance.tokenizer, p, 32, 256, True, False)[:, 0]
                        for p in per_claim]

    flat = [pair for p in per_claim for pair in p]
    result["reranker"] = {
        "claims": len(per_claim), "depth": args.depth,
        "per_claim_free_pairs_per_s": pairs_per_second(one_call_per_claim(False), n, args.repeats),
        "per_claim_fixed_pairs_per_s": pairs_per_second(one_call_per_claim(True), n, args.repeats),
        "one_call_fixed_pairs_per_s": pairs_per_second(
            lambda: relevance_logits(relevance.model, relevance.tokenizer, flat, 32, 256, True), n, args.repeats)}
    print("reranker", result["reranker"], flush=True)
    # rerank_many gives what per-claim reranking gives
    from factcheck.records import Hit
    hits = [[Hit(i, f"s{i}", text, 1.0 / (i + 1)) for i, (_, text) in enumerate(p)] for p in per_claim]
    reranker = RelevanceReranker(relevance, depth=args.depth)
    claims = [p[0][0] for p in per_claim]
    same = reranker.rerank_many(claims, hits) == [reranker.rerank(c, h) for c, h in zip(claims, hits)]
    result["reranker"]["rerank_many_equals_per_claim"] = same
    print("rerank_many == rerank per claim:", same)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(result, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
