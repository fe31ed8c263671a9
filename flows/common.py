"""Shared pieces of the flows: settings from flow parameters, and the input-reading task."""
from __future__ import annotations

from prefect import task
from prefect.cache_policies import NONE

from factcheck.ingest import load_documents
from factcheck.records import Document
from factcheck.settings import Settings


def settings_from(home: str | None, database_url: str | None, **overrides) -> Settings:
    """Settings from the environment, overridden by the flow's parameters that are set."""
    values = {"home": home, "database_url": database_url, **overrides}
    return Settings(**{k: v for k, v in values.items() if v is not None})


@task(retries=2, retry_delay_seconds=[2, 10], cache_policy=NONE)
def read_inputs(inputs: list[str]) -> tuple[list[Document], list[str]]:
    """Read files, folders, JSONL and URLs; unreadable items come back as messages."""
    loaded = load_documents(inputs)
    return loaded.documents, [str(problem) for problem in loaded.problems]
