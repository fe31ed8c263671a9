"""Articles per minute of the check_articles flow on a local Dask cluster of 1, 2, .. workers.

    python bench/scaleout.py --workers 1 2 --copies 25 --out bench/results/scaleout.txt

The example articles are repeated under new ids (a JSONL file in a temporary folder); the example
sources are indexed once with the real model. For each cluster size a fresh LocalCluster (one thread
per worker process) first checks a small warm-up file, so every worker has loaded its models, then
the timed run checks the same number of new articles. Extraction runs in the flow's process,
the verify batches (embed claims, FAISS + BM25, verifier, SQL) on the workers.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def write_articles(path: Path, prefix: str, copies: int) -> int:
    from factcheck.ingest import load_documents

    docs = load_documents([str(ROOT / "examples" / "articles")]).documents
    with path.open("w") as out:
        for n in range(copies):
            for doc in docs:
                out.write(json.dumps({"id": f"{prefix}{n}-{Path(doc.id).name}", "title": doc.title,
                                      "text": doc.text}) + "\n")
    return copies * len(docs)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--copies", type=int, default=25, help="Copies of the 4 example articles per timed run.")
    parser.add_argument("--batch-size", type=int, default=16, help="Claims per verify task.")
    parser.add_argument("--database-url", help="Default: SQLite in the temporary folder.")
    parser.add_argument("--out", type=Path, help="Append the results here.")
    args = parser.parse_args(argv)

    from distributed import LocalCluster
    from prefect.testing.utilities import prefect_test_harness

    from factcheck.pipeline import index_sources
    from factcheck.settings import Settings
    from flows.cluster import check_articles_on_cluster

    tmp = Path(tempfile.mkdtemp(prefix="factcheck-scaleout-"))
    home, db_url = str(tmp / "home"), args.database_url or f"sqlite:///{tmp / 'factcheck.db'}"
    index_sources(Settings(home=home, database_url=db_url), [str(ROOT / "examples" / "sources")])
    lines = []
    harness = prefect_test_harness(server_startup_timeout=120)  # one Prefect server for all runs
    harness.__enter__()
    for workers in args.workers:
        warm, timed = tmp / f"warm-{workers}.jsonl", tmp / f"timed-{workers}.jsonl"
        write_articles(warm, f"warm{workers}-", 1)
        count = write_articles(timed, f"w{workers}-", args.copies)
        with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
            params = {"address": cluster.scheduler_address, "home": home, "database_url": db_url,
                      "batch_size": args.batch_size}
            check_articles_on_cluster([str(warm)], **params)
            start = time.perf_counter()
            result = check_articles_on_cluster([str(timed)], **params)
            seconds = time.perf_counter() - start
        line = (f"workers={workers}  articles={count}  claims={result['claims']}  seconds={seconds:.1f}  "
                f"articles/min={60 * count / seconds:.0f}  claims/min={60 * result['claims'] / seconds:.0f}")
        print(line, flush=True)
        lines.append(line)
    harness.__exit__(None, None, None)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        header = [f"# {time.strftime('%Y-%m-%d %H:%M')}  python bench/scaleout.py {' '.join(argv or sys.argv[1:])}",
                  f"# {platform.platform()}, {os.cpu_count()} CPUs, database {db_url.split(':', 1)[0]}, "
                  f"embedder {Settings().embedding_model}, verifier {Settings().verifier}"]
        with args.out.open("a") as out:
            out.write("\n".join(header + lines) + "\n\n")


if __name__ == "__main__":
    main()
