"""The fine-tuned dense embedder against the packaged all-MiniLM-L6-v2, on SciFact document retrieval.

    factcheck train-embedder --data ../shared/data --out /tmp/emb --work /tmp/fc-scifact/home
    python bench/embedder.py --work /tmp/fc-scifact --model /tmp/emb [--baseline] [--dev]

`--work` is the folder `bench/scifact.py` indexed the SciFact corpus into (its `home/`, built with the
packaged all-MiniLM-L6-v2). Every stored passage is embedded again with `--model` (any embedder setting:
a folder from `factcheck train-embedder`, a sentence-transformers folder or hub name;
the vectors are cached in `--cache`), so the lexical list, the product's fusion (RRF 1:1, k=60) and the
shipped reranker (depth 30, weight 1) stay as they are and only the dense list changes. Reported: recall@1,
@3, @10 of gold documents and nDCG@10 for dense only, lexical only, hybrid, and hybrid + reranker.

The calibration share of SciFact train (115 claims with evidence, which no training run sees) is where
models are compared; `--dev` also reports SciFact dev (188 claims), for the record, never to choose.
`--baseline` also evaluates the workspace's own index (the packaged embedder).
"""
from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
DEPTH = 100          # dense and lexical candidates per claim before fusion
RERANK = 30          # the shipped reranker's depth


def passage_vectors(ws, model: str, cache: Path) -> tuple[np.ndarray, np.ndarray]:
    """(passage ids, unit vectors) of every stored passage under the tuned model."""
    if cache.is_file():
        data = np.load(cache)
        return data["ids"], data["vectors"]
    from factcheck.embed import SentenceTransformerEmbedder

    ids = np.array(sorted(ws.store.passage_ids()), dtype=np.int64)
    embedder = SentenceTransformerEmbedder(model, batch_size=64)
    started, chunks = time.time(), []
    for first in range(0, len(ids), 2048):
        rows = ws.store.passages_for_embedding(ids[first:first + 2048].tolist())
        chunks.append(embedder.embed([text for _, text in rows]))
        print(f"embedded {first + len(rows)}/{len(ids)} {time.time() - started:.0f}s", flush=True)
    vectors = np.concatenate(chunks)
    np.savez(cache, ids=ids, vectors=vectors)
    return ids, vectors


def rankings(ws, claims: list[dict], dense_fn) -> dict[str, list[list[int]]]:
    """Passage rankings per claim: dense only, lexical only, hybrid (the product's RRF 1:1, k=60)."""
    from factcheck.retrieve import RRF_K

    dense = dense_fn([c["claim"] for c in claims])
    lexical = ws.lexical.search([c["claim"] for c in claims], DEPTH)
    out = {"dense": dense, "lexical": [[pid for pid, _ in row] for row in lexical], "hybrid": []}
    for d, lex in zip(dense, out["lexical"]):
        fused: dict[int, float] = {}
        for ranked in (d, lex):
            for rank, pid in enumerate(ranked):
                fused[pid] = fused.get(pid, 0.0) + 1 / (RRF_K + rank + 1)
        out["hybrid"].append([pid for pid, _ in sorted(fused.items(), key=lambda item: -item[1])])
    return out


def evaluate(ws, claims: list[dict], dense_fn, scorer, passages: dict) -> dict:
    from factcheck.relevance import RRF_OFFSET
    from factcheck.reranker_training import _documents, document_metrics

    lists = rankings(ws, claims, dense_fn)
    result = {name: document_metrics(claims, [_documents(r, passages) for r in ranked]) for name, ranked in lists.items()}
    pairs = [(c["claim"], f"{passages[pid][1]}. {passages[pid][4]}" if passages[pid][1] else passages[pid][4])
             for c, ranked in zip(claims, lists["hybrid"]) for pid in ranked[:RERANK]]
    logits, at, reranked = scorer.score(pairs).tolist(), 0, []
    for ranked in lists["hybrid"]:
        top = ranked[:RERANK]
        rel = logits[at:at + len(top)]
        at += len(top)
        second = {n: r for r, n in enumerate(sorted(range(len(top)), key=lambda n: -rel[n]))}
        order = sorted(range(len(top)), key=lambda n: -(1 / (RRF_OFFSET + n) + 1 / (RRF_OFFSET + second[n])))
        reranked.append(_documents([top[n] for n in order] + ranked[RERANK:], passages))
    result["hybrid + reranker"] = document_metrics(claims, reranked)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--work", type=Path, required=True)
    parser.add_argument("--model", required=True, help="the embedder to compare (any embedding_model setting)")
    parser.add_argument("--cache", type=Path, help="passage vectors of --model (default: WORK/embedder-<name>.npz)")
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--out", type=Path, help="write the metrics here as JSON")
    parser.add_argument("--dev", action="store_true", help="also report SciFact dev (for the record, never to choose)")
    parser.add_argument("--baseline", action="store_true", help="also evaluate the workspace's own index")
    args = parser.parse_args()

    import faiss

    from factcheck.embed import SentenceTransformerEmbedder
    from factcheck.pipeline import Workspace
    from factcheck.relevance import RelevanceScorer
    from factcheck.reranker_training import _gold_claims, _passages, scifact_dir
    from factcheck.settings import Settings
    from factcheck.training import SCIFACT_CALIBRATION_SHARE, scifact_calibration_ids

    scifact = scifact_dir(args.data)
    from factcheck.index import VectorIndex

    home = args.work / "home"
    built_with = (VectorIndex.read_meta(Settings(home=home).index_dir) or {}).get("model")
    ws = Workspace(Settings(home=home, reranker=None, **({"embedding_model": built_with} if built_with else {})))
    held = scifact_calibration_ids(scifact, SCIFACT_CALIBRATION_SHARE)
    splits = {"train-share": [c for c in _gold_claims(scifact, "train") if int(c["id"]) in held]}
    if args.dev:
        splits["dev"] = _gold_claims(scifact, "dev")
    cache = args.cache or args.work / ("embedder-" + "".join(ch if ch.isalnum() else "_" for ch in args.model) + ".npz")
    ids, vectors = passage_vectors(ws, args.model, cache)
    index = faiss.IndexIDMap2(faiss.IndexFlatIP(vectors.shape[1]))
    index.add_with_ids(vectors, ids)
    tuned = SentenceTransformerEmbedder(args.model)

    def tuned_dense(claims):
        return [[int(p) for p in row if p >= 0] for row in index.search(tuned.embed(claims), DEPTH)[1]]

    def base_dense(claims):
        return [[int(p) for p in row if p >= 0] for row in ws.vectors.search(ws.embedder.embed(claims), DEPTH)[1]]

    scorer = RelevanceScorer("packaged:factcheck-reranker")
    passages = _passages(ws)
    record = {"model": args.model, "workspace_embedder": ws.embedder.name}
    for split, claims in splits.items():
        variants = ([(f"workspace ({ws.embedder.name})", base_dense)] if args.baseline else []) + [(args.model, tuned_dense)]
        for name, fn in variants:
            result = evaluate(ws, claims, fn, scorer, passages)
            record[f"{split}: {name}"] = result
            for kind, m in result.items():
                print(f"{split:11s} {name[-28:]:28s} {kind:18s} R@1 {m['recall@1']:.3f} R@3 {m['recall@3']:.3f} "
                      f"R@10 {m['recall@10']:.3f} nDCG@10 {m['ndcg@10']:.3f}", flush=True)
    if args.out:
        args.out.write_text(json.dumps(record, indent=1))


if __name__ == "__main__":
    main()
