"""Index scale benchmark: build throughput on real text, and search at 100k / 1M passages.

1. Real text: embeds N SciFact passages with the packaged model twice in the same run: raw
   `model.encode` and factcheck's indexing path (`sync_index`: read passages from SQL, embed in
   batches, add to FAISS, save). Reports passages/s for both, their ratio, and peak RSS.
2. Synthetic: vectors with the structure of real embeddings (real MiniLM passage embeddings as
   centres, each synthetic vector a noisy copy, normalised), at 100k and 1M. For the flat index
   and for IVF-SQ8 (what factcheck switches to past `ann_threshold`): p50/p99 latency of one
   query at a time on one thread, recall@10 against exact search, index memory, build time.

    python bench/scale.py --data ../shared/data/scifact --passages 20000 --sizes 100000 1000000
"""
from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def scifact_passages(data: Path, limit: int) -> list[dict]:
    docs = []
    for line in (data / "corpus.jsonl").read_text().splitlines():
        doc = json.loads(line)
        docs.append({"id": str(doc["doc_id"]), "title": doc["title"], "text": " ".join(doc["abstract"])})
    return docs


def real_text(data: Path, limit: int, work: Path) -> dict:
    from factcheck.pipeline import Workspace, store_sources, sync_index
    from factcheck.records import Document
    from factcheck.settings import Settings

    settings = Settings(home=work / "home", ann_threshold=0)
    ws = Workspace(settings)
    docs = [Document(d["id"], d["title"], d["text"]) for d in scifact_passages(data, limit)]
    stored = 0
    for first in range(0, len(docs), 500):
        store_sources(ws, docs[first:first + 500])
        stored = len(ws.store.passage_ids())
        if stored >= limit:
            break
    texts = [t for _, t in ws.store.passages_for_embedding(sorted(ws.store.passage_ids()))]
    ws.embedder.embed(texts[:64])  # warm up
    start = time.perf_counter()
    ws.embedder._model.encode(texts, batch_size=settings.embedding_batch_size, normalize_embeddings=True)
    raw = len(texts) / (time.perf_counter() - start)
    start = time.perf_counter()
    embedded, _ = sync_index(ws)
    pipeline = embedded / (time.perf_counter() - start)
    return {"passages": len(texts), "raw_encode_per_s": round(raw, 1), "index_build_per_s": round(pipeline, 1),
            "ratio": round(pipeline / raw, 3), "peak_rss_mb": round(peak_rss_mb())}


def synthetic(centres: np.ndarray, n: int, noise: float, rng) -> np.ndarray:
    picks = rng.integers(0, len(centres), size=n)
    out = np.empty((n, centres.shape[1]), dtype=np.float32)
    for first in range(0, n, 100_000):
        block = centres[picks[first:first + 100_000]]
        block = block + rng.normal(scale=noise, size=block.shape).astype(np.float32)
        out[first:first + 100_000] = block / np.linalg.norm(block, axis=1, keepdims=True)
    return out


def search_bench(index, queries: np.ndarray, truth: np.ndarray, k: int = 10) -> dict:
    latencies = []
    found = 0
    for q, t in zip(queries, truth):
        start = time.perf_counter()
        _, ids = index.search(q[None, :], k)
        latencies.append(time.perf_counter() - start)
        found += len(set(ids[0].tolist()) & set(t.tolist()))
    lat = np.array(latencies) * 1000
    return {"p50_ms": round(float(np.percentile(lat, 50)), 3), "p99_ms": round(float(np.percentile(lat, 99)), 3),
            "recall@10": round(found / (k * len(queries)), 4)}


def scale(centres: np.ndarray, n: int, queries: int, noise: float, seed: int) -> dict:
    import faiss

    from factcheck.index import VectorIndex

    rng = np.random.default_rng(seed)
    vectors = synthetic(centres, n, noise, rng)
    query_vectors = synthetic(centres, queries, noise, rng)
    ids = np.arange(1, n + 1, dtype=np.int64)
    faiss.omp_set_num_threads(2)
    exact = faiss.IndexFlatIP(vectors.shape[1])
    exact.add(vectors)
    _, truth = exact.search(query_vectors, 10)
    truth = truth + 1
    del exact
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        index = VectorIndex(Path(tmp), "synthetic", vectors.shape[1])
        start = time.perf_counter()
        index.add(ids, vectors)
        build = time.perf_counter() - start
        index.save()
        faiss.omp_set_num_threads(1)
        results["flat"] = {**search_bench(index, query_vectors, truth), "build_s": round(build, 1),
                           "index_mb": round(index.size_on_disk() / 2**20, 1)}
        faiss.omp_set_num_threads(2)
        start = time.perf_counter()
        index.to_ivf()
        build = time.perf_counter() - start
        index.save()
        del vectors
        faiss.omp_set_num_threads(1)
        results["ivf-sq8"] = {**search_bench(index, query_vectors, truth), "build_s": round(build, 1),
                              "index_mb": round(index.size_on_disk() / 2**20, 1), **index.meta["params"]}
        for nprobe in (16, 64):
            index._ivf().nprobe = nprobe
            results[f"ivf-sq8 nprobe={nprobe}"] = search_bench(index, query_vectors, truth)
    results["peak_rss_mb"] = round(peak_rss_mb())
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=Path(__file__).resolve().parents[2] / "shared/data/scifact")
    parser.add_argument("--passages", type=int, default=20000)
    parser.add_argument("--sizes", type=int, nargs="*", default=[100_000, 1_000_000])
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--noise", type=float, default=0.04, help="Std of the noise added to each centre.")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--skip-real", action="store_true")
    args = parser.parse_args()
    report = {}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        if not args.skip_real:
            report["real_text"] = real_text(args.data, args.passages, work)
            print(json.dumps(report, indent=2), flush=True)
        from factcheck.index import VectorIndex

        home = work / "home" / "index"
        if (home / "vectors.faiss").exists():
            meta = VectorIndex.read_meta(home)
            centres_index = VectorIndex(home, meta["model"], meta["dim"])
            centres = centres_index._index.index.reconstruct_n(0, len(centres_index))
        else:
            from factcheck.embed import SentenceTransformerEmbedder

            docs = scifact_passages(args.data, 5000)
            centres = SentenceTransformerEmbedder().embed([d["title"] + ". " + d["text"] for d in docs])
    for n in args.sizes:
        report[f"synthetic_{n}"] = scale(centres, n, args.queries, args.noise, args.seed)
        print(json.dumps(report, indent=2), flush=True)


if __name__ == "__main__":
    sys.exit(main())
