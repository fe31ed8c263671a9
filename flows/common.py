"""Shared pieces of the flows: settings from flow parameters, and the input-reading task."""
from __future__ import annotations

from prefect import task
from prefect.cache_policies import NONE

from factcheck.records import Document
from factcheck.settings import Settings


def settings_from(home: str | None, database_url: str | None, **overrides) -> Settings:
    """Settings from the environment, overridden by the flow's parameters that are set."""
    values = {"home": home, "database_url": database_url, **overrides}
    return Settings(**{k: v for k, v in values.items() if v is not None})


@task(retries=2, retry_delay_seconds=[2, 10], cache_policy=NONE)
def read_watched_inputs(inputs: list[str], consumer: str, only_new: bool, home: str | None,
                        database_url: str | None) -> tuple[list[Document], list[str], list[str]]:
    """Read inputs, feeds included, recording them in `watched_items`; with only_new, only new or changed items.

    Returns documents, problems, and the keys newly taken (release them if the run fails).
    """
    from factcheck.pipeline import workspace
    from factcheck.watch import read_inputs as read_watched

    loaded, taken = read_watched(inputs, workspace(settings_from(home, database_url)).store, consumer, only_new)
    return loaded.documents, [str(problem) for problem in loaded.problems], taken


@task(cache_policy=NONE)
def release_inputs(keys: list[str], consumer: str, home: str | None, database_url: str | None) -> None:
    """Forget items taken by a failed run, so the next run takes them again."""
    from factcheck.pipeline import workspace
    from factcheck.watch import WatchState

    if keys:
        WatchState(workspace(settings_from(home, database_url)).store, consumer).release(keys)
