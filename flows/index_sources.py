"""Flow: read trusted sources, store their passages, and bring the indexes up to date."""
from __future__ import annotations

import sys

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NONE

from factcheck.pipeline import store_sources, sync_index, workspace
from factcheck.records import Document
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
def update_indexes(home: str | None, database_url: str | None) -> tuple[int, int, int]:
    """Embed passages missing from the vector index, drop stale ones, refresh BM25."""
    ws = workspace(settings_from(home, database_url))
    embedded, removed = sync_index(ws)
    return embedded, removed, len(ws.vectors)


@flow(name="index_sources")
def index_sources(inputs: list[str], home: str | None = None, database_url: str | None = None,
                  only_new: bool = False) -> dict:
    """Index sources from files, folders, JSONL files, URLs or RSS/Atom feeds (`only_new`: new or changed items)."""
    logger = get_run_logger()
    documents, problems, taken = read_watched_inputs(inputs, "index_sources", only_new, home, database_url)
    for problem in problems:
        logger.warning("skipped %s", problem)
    try:
        counts = store_source_documents(documents, home, database_url)
        embedded, removed, total = update_indexes(home, database_url)
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
