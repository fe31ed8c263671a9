"""Flow: extract claims from articles, retrieve evidence, decide and store verdicts."""
from __future__ import annotations

import sys
from collections import Counter

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NONE
from prefect.runtime import flow_run

from factcheck.pipeline import store_articles, verify_stored_claims, workspace
from factcheck.records import Document
from flows.cluster import task_runner_from_env
from flows.common import read_watched_inputs, release_inputs, settings_from


@task(cache_policy=NONE)
def start_run(inputs: list[str], home: str | None, database_url: str | None) -> int:
    """Record the run in SQL, linked to the Prefect flow run."""
    ws = workspace(settings_from(home, database_url))
    return ws.start_run("check_articles", {"inputs": inputs}, flow_run_id=str(flow_run.id or ""))


@task(cache_policy=NONE)
def extract_claims(documents: list[Document], home: str | None, database_url: str | None
                   ) -> tuple[dict[str, list[int]], list[str]]:
    """Store articles and their claims; returns claim ids per article and failed articles."""
    ws = workspace(settings_from(home, database_url))
    by_article, problems = store_articles(ws, documents)
    return by_article, [str(p) for p in problems]


@task(cache_policy=NONE)
def verify_batch(claim_ids: list[int], run_id: int, home: str | None, database_url: str | None,
                 as_of_published: bool = False) -> dict[str, int]:
    """Retrieve evidence and decide verdicts for one batch of claims; returns label counts."""
    ws = workspace(settings_from(home, database_url))
    items = verify_stored_claims(ws, claim_ids, run_id, as_of_published)
    return dict(Counter(verdict.label.value for _, verdict in items))


@task(cache_policy=NONE)
def finish_run(run_id: int, status: str, summary: dict, claim_ids: list[int], home: str | None,
               database_url: str | None) -> list[dict]:
    """Close the run in SQL and return the latest verdicts of the claims it checked, for the artifact."""
    ws = workspace(settings_from(home, database_url))
    ws.store.finish_run(run_id, status, summary)
    return ws.store.latest_verdicts(claim_ids)


@flow(name="check_articles", task_runner=task_runner_from_env())
def check_articles(inputs: list[str], home: str | None = None, database_url: str | None = None,
                   as_of_published: bool = False, batch_size: int = 64, only_new: bool = False) -> dict:
    """Check articles from files, folders, JSONL files, URLs or RSS/Atom feeds; verdicts go to SQL and an artifact.

    `only_new` (used by the scheduled deployment) checks only items new or changed since the last run.
    Verify batches are submitted together, so a parallel task runner (Dask) runs them in parallel.
    """
    logger = get_run_logger()
    run_id = start_run(inputs, home, database_url)
    documents, problems, taken = read_watched_inputs(inputs, "check_articles", only_new, home, database_url)
    try:
        by_article, failed = extract_claims(documents, home, database_url)
        problems += failed
        for problem in problems:
            logger.warning("skipped %s", problem)
        claim_ids = [cid for ids in by_article.values() for cid in ids]
        labels: Counter = Counter()
        futures = [verify_batch.submit(claim_ids[first:first + batch_size], run_id, home, database_url,
                                       as_of_published) for first in range(0, len(claim_ids), batch_size)]
        for future in futures:
            labels.update(future.result())
    except BaseException:
        release_inputs(taken, "check_articles", home, database_url)
        finish_run(run_id, "failed", {"problems": problems}, [], home, database_url)
        raise
    summary = {"articles": len(by_article), "claims": len(claim_ids), "labels": dict(labels), "problems": problems}
    rows = finish_run(run_id, "completed", summary, claim_ids, home, database_url)
    publish_artifacts(run_id, summary, rows)
    logger.info("checked %d articles, %d claims: %s", len(by_article), len(claim_ids), dict(labels))
    return {"run_id": run_id, **summary}


def publish_artifacts(run_id: int, summary: dict, rows: list[dict]) -> None:
    """A table of the run's verdicts and a Markdown summary, visible in the Prefect UI."""
    table = [{"article": r["article_id"] or "", "claim": r["claim"], "label": r["label"],
              "confidence": r["confidence"], "evidence": r["evidence"][0]["source_id"] if r["evidence"] else ""}
             for r in sorted(rows, key=lambda r: r["claim_id"])]
    create_table_artifact(table, key="check-articles-verdicts", description=f"Verdicts of factcheck run {run_id}")
    refuted = [r for r in rows if r["label"] == "REFUTED"]
    lines = [f"# factcheck run {run_id}", "", f"{summary['articles']} articles, {summary['claims']} claims.", "",
             "| label | claims |", "|---|---|"]
    lines += [f"| {label} | {count} |" for label, count in sorted(summary["labels"].items())]
    lines += ["", "## Refuted claims", ""]
    for r in refuted:
        evidence = r["evidence"][0] if r["evidence"] else None
        article = f"[{r['article_id']}]({r['article_url']})" if r.get("article_url") else f"`{r['article_id']}`"
        lines.append(f"- **{r['claim']}** ({article})" +
                     (f"\n  - refuted by `{evidence['source_id']}`: {evidence['text'][:300]}" if evidence else ""))
    if summary["problems"]:
        lines += ["", "## Skipped", ""] + [f"- {p}" for p in summary["problems"]]
    create_markdown_artifact("\n".join(lines), key="check-articles-summary")


if __name__ == "__main__":
    check_articles(sys.argv[1:] or ["examples/articles"])
