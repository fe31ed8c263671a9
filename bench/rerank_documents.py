"""How the reranked passages become a document ranking: the shipped rule (a document at its best
fused passage) against document-level aggregations, chosen on the SciFact train calibration share
(the claims the reranker did not train on) and reported on SciFact dev.

    python bench/rerank_documents.py --work /tmp/fc-scifact [--cache /tmp/fc-scifact/rerank_docs.pkl]

`--work` is the folder `bench/scifact.py` indexed the corpus into (its `home/`). The first stage
(hybrid, no reranker) and the shipped reranker's logits over the first 50 passages of each claim are
cached, so further variants cost seconds.
"""
from __future__ import annotations

import argparse
import json
import math
import pickle
from collections import defaultdict
from pathlib import Path

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
DEPTH = 50


def candidates(work: Path, data: Path, cache: Path) -> dict:
    if cache.is_file():
        return pickle.loads(cache.read_bytes())
    from factcheck.pipeline import Workspace
    from factcheck.relevance import RelevanceScorer, passage_input
    from factcheck.reranker_training import _gold_claims, scifact_dir
    from factcheck.retrieve import HybridRetriever
    from factcheck.settings import Settings
    from factcheck.training import SCIFACT_CALIBRATION_SHARE, scifact_calibration_ids

    scifact = scifact_dir(data)
    held = scifact_calibration_ids(scifact, SCIFACT_CALIBRATION_SHARE)
    splits = {"train-share": [c for c in _gold_claims(scifact, "train") if int(c["id"]) in held],
              "dev": _gold_claims(scifact, "dev")}
    ws = Workspace(Settings(home=work / "home", reranker=None))
    first = HybridRetriever(ws.store, ws.embedder, ws.vectors, ws.lexical, 1.0, 1.0, candidates=100)
    scorer = RelevanceScorer("packaged:factcheck-reranker")
    out = {}
    for split, claims in splits.items():
        hits = first.retrieve([c["claim"] for c in claims], DEPTH)
        logits = scorer.score([(c["claim"], passage_input(h)) for c, hs in zip(claims, hits) for h in hs]).tolist()
        rows, at = [], 0
        for c, hs in zip(claims, hits):
            rows.append({"gold": list(c["gold_docs"]), "docs": [h.source_id for h in hs],
                         "relevance": logits[at:at + len(hs)]})
            at += len(hs)
        out[split] = rows
    cache.write_bytes(pickle.dumps(out))
    return out


def metrics(rows: list[dict], rankings: list[list[str]]) -> dict:
    from factcheck.reranker_training import document_metrics

    return document_metrics([{"gold_docs": r["gold"]} for r in rows], rankings)


def rank_documents(row: dict, depth: int, weight: float, rule: str, lam: float) -> list[str]:
    """Fused passage scores (the product's RRF of first-stage and relevance rank over `depth`), then
    documents by `rule`: max (shipped), sum2 (best + lam * second best), docrrf (RRF of the
    documents' first-stage and relevance ranks, each at its best passage), softmax (first stage
    rank fused with a log-sum-exp of the document's relevance logits, temperature lam)."""
    from factcheck.relevance import RRF_OFFSET

    docs, rel = row["docs"][:depth], row["relevance"][:depth]
    by_rel = sorted(range(len(docs)), key=lambda n: -rel[n])
    second = {n: r for r, n in enumerate(by_rel)}
    fused = [1 / (RRF_OFFSET + n) + weight / (RRF_OFFSET + second[n]) for n in range(len(docs))]
    per_doc: dict[str, list[int]] = defaultdict(list)
    for n, d in enumerate(docs):
        per_doc[d].append(n)
    if rule in ("max", "sum2"):
        def score(d):
            f = sorted((fused[n] for n in per_doc[d]), reverse=True)
            return f[0] + (lam * f[1] if rule == "sum2" and len(f) > 1 else 0.0)
    else:
        first_rank = {d: r for r, d in enumerate(sorted(per_doc, key=lambda d: min(per_doc[d])))}
        if rule == "docrrf":
            doc_rel = {d: max(rel[n] for n in per_doc[d]) for d in per_doc}
        else:
            doc_rel = {d: lam * math.log(sum(math.exp(rel[n] / lam) for n in per_doc[d])) for d in per_doc}
        rel_rank = {d: r for r, d in enumerate(sorted(per_doc, key=lambda d: -doc_rel[d]))}

        def score(d):
            return 1 / (RRF_OFFSET + first_rank[d]) + weight / (RRF_OFFSET + rel_rank[d])
    ranked = sorted(per_doc, key=lambda d: -score(d))
    return ranked + [d for d in dict.fromkeys(row["docs"][depth:]) if d not in per_doc]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--work", type=Path, required=True)
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--cache", type=Path)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    data = candidates(args.work, args.data, args.cache or args.work / "rerank_docs.pkl")
    grid = [("max", 0.0)] + [("sum2", lam) for lam in (0.1, 0.25, 0.5, 1.0)] + [("docrrf", 0.0)] + \
           [("softmax", lam) for lam in (0.5, 1.0, 2.0)]
    table = []
    for depth in (30, 50):
        for weight in (1.0, 2.0):
            for rule, lam in grid:
                row = {"depth": depth, "weight": weight, "rule": rule, "lambda": lam}
                for split, rows in data.items():
                    row[split] = metrics(rows, [rank_documents(r, depth, weight, rule, lam) for r in rows])
                table.append(row)
    best = max(table, key=lambda r: (r["train-share"]["recall@3"], r["train-share"]["ndcg@10"], -r["depth"]))
    for r in table:
        mark = " <- chosen on the train share" if r is best else ""
        shipped = " (shipped)" if (r["depth"], r["weight"], r["rule"]) == (30, 1.0, "max") else ""
        print(f"depth {r['depth']} w {r['weight']} {r['rule']:8s} {r['lambda']:<5} "
              f"train-share {r['train-share']}  dev {r['dev']}{shipped}{mark}")
    if args.out:
        args.out.write_text(json.dumps({"table": table, "chosen": best}, indent=1))


if __name__ == "__main__":
    main()
