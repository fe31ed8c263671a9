"""Flow: re-verify the claims whose verdict could change after sources were added, changed or removed."""
from __future__ import annotations

from collections import Counter

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NONE
from prefect.runtime import flow_run

from factcheck.pipeline import workspace
from factcheck.recheck import find_affected, latest_verdicts
from flows.check_articles import verify_batch
from flows.cluster import task_runner_from_env
from flows.common import settings_from


@task(cache_policy=NONE)
def start_recheck(as_of_published: bool, home: str | None, database_url: str | None) -> int:
    """Record the run in SQL, linked to the Prefect flow run."""
    ws = workspace(settings_from(home, database_url))
    return ws.start_run("recheck", {"as_of_published": as_of_published}, flow_run_id=str(flow_run.id or ""))


@task(cache_policy=NONE)
def affected_claims(as_of_published: bool, home: str | None, database_url: str | None
                    ) -> tuple[int, dict[int, str], dict[int, int]]:
    """(claims considered, {claim id: reason}, {claim id: latest verdict id}) for the claims to re-verify."""
    ws = workspace(settings_from(home, database_url))
    considered, affected = find_affected(ws, None, as_of_published)
    before = {row.claim_id: row.verdict_id for row in latest_verdicts(ws, sorted(affected))} if affected else {}
    return considered, affected, before


@task(cache_policy=NONE)
def finish_recheck(run_id: int, before: dict[int, int], summary: dict, home: str | None,
                   database_url: str | None) -> list[int]:
    """Close the run in SQL; returns the claims whose verdict changed."""
    ws = workspace(settings_from(home, database_url))
    after = latest_verdicts(ws, sorted(before)) if before else []
    changed = [row.claim_id for row in after if before.get(row.claim_id) != row.verdict_id]
    ws.store.finish_run(run_id, "completed", {**summary, "changed": len(changed)})
    return changed


@flow(name="recheck", task_runner=task_runner_from_env())
def recheck(home: str | None = None, database_url: str | None = None, as_of_published: bool = False,
            batch_size: int = 64) -> dict:
    """Re-verify NOT_ENOUGH_INFO claims and claims whose top-k passages changed; history is kept."""
    logger = get_run_logger()
    run_id = start_recheck(as_of_published, home, database_url)
    considered, affected, before = affected_claims(as_of_published, home, database_url)
    ids = sorted(affected)
    futures = [verify_batch.submit(ids[first:first + batch_size], run_id, home, database_url, as_of_published)
               for first in range(0, len(ids), batch_size)]
    labels: Counter = Counter()
    for future in futures:
        labels.update(future.result())
    summary = {"considered": considered, "affected": len(ids), "reasons": dict(Counter(affected.values())),
               "labels": dict(labels)}
    changed = finish_recheck(run_id, before, summary, home, database_url)
    lines = [f"# factcheck recheck {run_id}", "", f"{considered} claims with verdicts, {len(ids)} re-verified, "
             f"{len(changed)} changed.", "", "| reason | claims |", "|---|---|"]
    lines += [f"| {reason} | {count} |" for reason, count in sorted(summary["reasons"].items())]
    create_markdown_artifact("\n".join(lines), key="recheck-summary")
    logger.info("recheck: %d considered, %d re-verified, %d changed", considered, len(ids), len(changed))
    return {"run_id": run_id, **summary, "changed": len(changed), "changed_claims": changed}


if __name__ == "__main__":
    recheck()
