"""Flow: read trusted sources, store their passages, and bring the indexes up to date."""
from __future__ import annotations

import sys

import numpy as np
from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NONE

from factcheck.pipeline import index_stamp, store_sources, sync_index, workspace
from factcheck.records import Document
from flows.cluster import task_runner_from_env
from flows.common import read_watched_inputs, release_inputs, settings_from


@task(cache_policy=NONE)
def store_source_documents(documents: list[Document], home: str | None, database_url: str | None) -> dict[str, int]:
    """Store sources and passages in SQL; returns counts per outcome."""
    ws = workspace(settings_from(home, database_url))
    counts: dict[str, int] = {}
    for change in store_sources(ws, documents):
        counts[change.status] = counts.get(change.status, 0) + 1
    return counts


@task(cache_policy=NONE)
def pending_passages(home: str | None, database_url: str | None) -> list[int]:
    """Ids of stored passages that the vector index does not hold yet."""
    ws = workspace(settings_from(home, database_url))
    return sorted(ws.store.passage_ids() - set(ws.vectors.ids().tolist()))


@task(cache_policy=NONE)
def embed_passages(passage_ids: list[int], home: str | None, database_url: str | None) -> tuple[list[int], np.ndarray]:
    """Embed one batch of passages (runs in parallel, on Dask workers when configured)."""
    ws = workspace(settings_from(home, database_url))
    rows = ws.store.passages_for_embedding(passage_ids)
    return [pid for pid, _ in rows], ws.embedder.embed([text for _, text in rows])


@task(cache_policy=NONE)
def add_vectors(ids: list[int], vectors: np.ndarray, home: str | None, database_url: str | None) -> int:
    """Add one embedded batch to the index and save it: the flow's process is the index's only writer."""
    ws = workspace(settings_from(home, database_url))
    ws.vectors.add(np.asarray(ids, dtype=np.int64), vectors)
    ws.vectors.save()
    ws._loaded_stamp = index_stamp(ws.settings.index_dir)  # our own save: nothing to reload
    return len(ids)


@task(cache_policy=NONE)
def update_indexes(home: str | None, database_url: str | None) -> tuple[int, int, int]:
    """Embed passages missing from the vector index, drop stale ones, refresh BM25."""
    ws = workspace(settings_from(home, database_url))
    embedded, removed = sync_index(ws)
    return embedded, removed, len(ws.vectors)


@flow(name="index_sources", task_runner=task_runner_from_env())
def index_sources(inputs: list[str], home: str | None = None, database_url: str | None = None,
                  only_new: bool = False, batch_size: int = 1024) -> dict:
    """Index sources from files, folders, JSONL files, URLs or RSS/Atom feeds (`only_new`: new or changed items).

    Passages are embedded in parallel batches (Dask workers when FACTCHECK_DASK_* is set); this
    flow's process alone writes the index.
    """
    logger = get_run_logger()
    documents, problems, taken = read_watched_inputs(inputs, "index_sources", only_new, home, database_url)
    for problem in problems:
        logger.warning("skipped %s", problem)
    try:
        counts = store_source_documents(documents, home, database_url)
        pending = pending_passages(home, database_url)
        futures = [embed_passages.submit(pending[first:first + batch_size], home, database_url)
                   for first in range(0, len(pending), batch_size)]
        embedded = sum(add_vectors(*future.result(), home, database_url) for future in futures)
        more, removed, total = update_indexes(home, database_url)  # stale vectors, BM25, IVF switch
        embedded += more
    except BaseException:
        release_inputs(taken, "index_sources", home, database_url)
        raise
    summary = {**counts, "skipped": len(problems), "embedded": embedded, "removed": removed, "passages": total}
    lines = [f"| {k} | {v} |" for k, v in summary.items()]
    problem_lines = [f"- {p}" for p in problems] or ["none"]
    create_markdown_artifact("# Sources indexed\n\n| | count |\n|---|---|\n" + "\n".join(lines)
                             + "\n\n## Skipped inputs\n" + "\n".join(problem_lines), key="index-sources-summary")
    logger.info("indexed sources: %s", summary)
    return summary


if __name__ == "__main__":
    index_sources(sys.argv[1:] or ["examples/sources"])
