"""Two (or more) relevance rerankers together against each alone, on SciFact document retrieval.

    factcheck train-reranker --data ../shared/data --out /tmp/rr-new --work /tmp/fc-scifact/home --seed 13
    python bench/reranker_ensemble.py --work /tmp/fc-scifact --model packaged:factcheck-reranker \
        --model /tmp/rr-new [--dev] [--out bench/results/reranker_ensemble.json]

`--work` is the folder `bench/scifact.py` indexed the SciFact corpus into. Every claim's first-stage
candidates (the product's hybrid retrieval, 30 deep, as `factcheck train-reranker` scores them) are
scored by each `--model` (logits cached in WORK/rerank-<model>-<split>.npy), then ranked by reciprocal-rank
fusion of the first-stage rank and each reranker's rank (`1/(61 + n) + sum_m w/(61 + rank_m)`),
or of the first-stage rank and the rank by the mean of the models' z-scored logits. Reported: recall@1,
@3, @10 of gold documents and nDCG@10 at each depth and weight.

Settings are chosen on the calibration share of SciFact train (115 claims with evidence, which no
training run sees), by nDCG@10 as `train-reranker` chooses; `--dev` also reports SciFact dev
(188 claims) for the settings chosen there, for the record, never to choose.
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
CANDIDATES = 30
DEPTHS = (10, 20, 30)
WEIGHTS = (0.5, 1.0, 2.0)


def logits(model: str, pairs: list[tuple[str, str]], cache: Path) -> np.ndarray:
    if cache.is_file():
        return np.load(cache)
    from factcheck.relevance import RelevanceScorer

    scores = RelevanceScorer(model).score(pairs)
    np.save(cache, scores)
    return scores


def fused_rankings(candidates, per_model, depth: int, weight: float, how: str) -> list[list[int]]:
    """Passage rankings: the first `depth` candidates reordered, the rest after them."""
    from factcheck.relevance import RRF_OFFSET

    out = []
    for c, cand in enumerate(candidates):
        top = list(range(min(depth, len(cand))))
        scores = [np.asarray(m[c][:len(top)]) for m in per_model]
        if how == "mean z":
            scores = [sum((s - s.mean()) / (s.std() + 1e-6) for s in scores)]
        fused = {n: 1 / (RRF_OFFSET + n) for n in top}
        for s in scores:
            for rank, n in enumerate(sorted(top, key=lambda n: -s[n])):
                fused[n] += weight / (RRF_OFFSET + rank)
        order = sorted(top, key=lambda n: -fused[n])
        out.append([cand[n] for n in order] + list(cand[len(top):]))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--work", type=Path, required=True)
    parser.add_argument("--model", action="append", required=True, help="a reranker (repeat: two or more)")
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--dev", action="store_true", help="also report SciFact dev (for the record, never to choose)")
    parser.add_argument("--out", type=Path, help="write the metrics here as JSON")
    parser.add_argument("--candidates", type=int, default=CANDIDATES, help="first-stage passages per claim scored")
    parser.add_argument("--depths", default=",".join(map(str, DEPTHS)), help="rerank depths to try, comma-separated")
    args = parser.parse_args()
    depths = [int(d) for d in args.depths.split(",")]
    if args.candidates < max(depths):
        parser.error(f"--candidates {args.candidates} is less than the deepest --depths {max(depths)}")

    from factcheck.pipeline import Workspace
    from factcheck.reranker_training import _documents, _gold_claims, _passages, document_metrics, passage_text, scifact_dir
    from factcheck.settings import Settings
    from factcheck.training import SCIFACT_CALIBRATION_SHARE, scifact_calibration_ids

    scifact = scifact_dir(args.data)
    ws = Workspace(Settings(home=args.work / "home", reranker=None))
    passages = _passages(ws)
    held = scifact_calibration_ids(scifact, SCIFACT_CALIBRATION_SHARE)
    splits = {"train-share": [c for c in _gold_claims(scifact, "train") if int(c["id"]) in held]}
    if args.dev:
        splits["dev"] = _gold_claims(scifact, "dev")
    record: dict = {"models": args.model}
    for split, claims in splits.items():
        candidates = [[h.passage_id for h in hits]
                      for hits in ws.retriever.retrieve([c["claim"] for c in claims], args.candidates)]
        pairs = [(c["claim"], passage_text(passages[pid])) for c, cand in zip(claims, candidates) for pid in cand]
        per_model = []
        for model in args.model:
            name = "".join(ch if ch.isalnum() else "_" for ch in model)
            deep = "" if args.candidates == CANDIDATES else f"-c{args.candidates}"
            flat, at, rows = logits(model, pairs, args.work / f"rerank-{name}-{split}{deep}.npy"), 0, []
            for cand in candidates:
                rows.append(flat[at:at + len(cand)])
                at += len(cand)
            per_model.append(rows)
        table = [{"setting": "first stage", **document_metrics(claims, [_documents(c, passages) for c in candidates])}]
        variants = [(f"{m} alone", [per_model[i]], "ranks") for i, m in enumerate(args.model)]
        variants += [("all: each rank", per_model, "ranks"), ("all: mean z-scored logit", per_model, "mean z")]
        for name, models, how in variants:
            rows = []
            for depth in depths:
                for weight in WEIGHTS:
                    ranked = fused_rankings(candidates, models, depth, weight, how)
                    rows.append({"setting": name, "depth": depth, "weight": weight,
                                 **document_metrics(claims, [_documents(r, passages) for r in ranked])})
            table += rows
        record[split] = table
    choose = record["train-share"]
    best = {}
    for row in choose[1:]:
        if row["setting"] not in best or row["ndcg@10"] > best[row["setting"]]["ndcg@10"]:
            best[row["setting"]] = row
    record["chosen on the train share"] = {name: {"depth": r["depth"], "weight": r["weight"]} for name, r in best.items()}
    for split in splits:
        print(f"== {split}")
        first = record[split][0]
        print(f"{'first stage':60s} R@1 {first['recall@1']:.3f} R@3 {first['recall@3']:.3f} "
              f"R@10 {first['recall@10']:.3f} nDCG@10 {first['ndcg@10']:.4f}")
        for name, pick in best.items():
            m = next(r for r in record[split][1:] if r["setting"] == name and r["depth"] == pick["depth"]
                     and r["weight"] == pick["weight"])
            print(f"{name[-42:]:42s} d{m['depth']:2d} w{m['weight']:.1f}{'':9s} R@1 {m['recall@1']:.3f} "
                  f"R@3 {m['recall@3']:.3f} R@10 {m['recall@10']:.3f} nDCG@10 {m['ndcg@10']:.4f}")
    if args.out:
        args.out.write_text(json.dumps(record, indent=1))


if __name__ == "__main__":
    main()
