"""Scale-out: run the flows' verify batches on a Dask cluster (prefect-dask), local or remote.

`python -m flows.cluster examples/articles --workers 2` starts a local Dask cluster of 2 worker
processes (one thread each; each process loads the models once) for one check_articles run;
`--address tcp://scheduler:8786` uses a running cluster instead. Deployments (flows.serve, or a
Prefect worker) use Dask when FACTCHECK_DASK_ADDRESS or FACTCHECK_DASK_WORKERS is set.
Needs the `cluster` extra: prefect-dask (with dask and distributed).
"""
from __future__ import annotations

import argparse
import json
import os


def dask_task_runner(workers: int = 2, address: str | None = None, **cluster_kwargs):
    """A DaskTaskRunner: on an existing cluster at `address`, or on a new local one of `workers` processes."""
    try:
        from prefect_dask import DaskTaskRunner
    except ImportError:
        raise RuntimeError("the Dask task runner needs prefect-dask: pip install 'factcheck-news[cluster]'") from None
    if address:
        return DaskTaskRunner(address=address)
    if workers < 1:
        raise ValueError(f"workers must be at least 1, got {workers!r}")
    return DaskTaskRunner(cluster_kwargs={"n_workers": workers, "threads_per_worker": 1, "processes": True,
                                          **cluster_kwargs})


def task_runner_from_env():
    """Dask when FACTCHECK_DASK_ADDRESS or FACTCHECK_DASK_WORKERS is set, else Prefect's thread pool."""
    address = os.environ.get("FACTCHECK_DASK_ADDRESS") or None
    workers = os.environ.get("FACTCHECK_DASK_WORKERS") or None
    if address or workers:
        try:
            count = int(workers or 2)
        except ValueError:
            raise ValueError(f"FACTCHECK_DASK_WORKERS must be a whole number, got {workers!r}") from None
        return dask_task_runner(count, address)
    from prefect.task_runners import ThreadPoolTaskRunner

    return ThreadPoolTaskRunner()


def check_articles_on_cluster(inputs: list[str], workers: int = 2, address: str | None = None,
                              cluster_kwargs: dict | None = None, **params) -> dict:
    """Run the check_articles flow with its verify batches on Dask."""
    from flows.check_articles import check_articles

    runner = dask_task_runner(workers, address, **(cluster_kwargs or {}))
    return check_articles.with_options(task_runner=runner)(inputs, **params)


def recheck_on_cluster(workers: int = 2, address: str | None = None, cluster_kwargs: dict | None = None,
                       **params) -> dict:
    """Run the recheck flow with its verify batches on Dask."""
    from flows.recheck import recheck

    runner = dask_task_runner(workers, address, **(cluster_kwargs or {}))
    return recheck.with_options(task_runner=runner)(**params)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Run check_articles (or recheck) on a Dask cluster.")
    parser.add_argument("inputs", nargs="*", help="Article inputs (files, folders, JSONL, URLs, feed:URL).")
    parser.add_argument("--recheck", action="store_true", help="Run the recheck flow instead of check_articles.")
    parser.add_argument("--workers", type=int, default=2, help="Local cluster size (worker processes).")
    parser.add_argument("--address", help="Scheduler address of a running Dask cluster, e.g. tcp://host:8786.")
    parser.add_argument("--batch-size", type=int, default=64, help="Claims per verify task.")
    parser.add_argument("--only-new", action="store_true", help="Only items new or changed since the last run.")
    parser.add_argument("--home", help="FACTCHECK_HOME (shared index location).")
    parser.add_argument("--database-url", help="FACTCHECK_DATABASE_URL (PostgreSQL for many machines).")
    args = parser.parse_args(argv)
    common = {"home": args.home, "database_url": args.database_url, "batch_size": args.batch_size}
    if args.recheck:
        result = recheck_on_cluster(args.workers, args.address, **common)
    else:
        if not args.inputs:
            parser.error("give article inputs, or --recheck")
        result = check_articles_on_cluster(args.inputs, args.workers, args.address, only_new=args.only_new, **common)
    print(json.dumps(result, default=str))


if __name__ == "__main__":
    main()
