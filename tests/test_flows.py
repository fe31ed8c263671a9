"""The Prefect flows against a real temporary Prefect server, with the real model, on SQLite and PostgreSQL."""
import json

import pytest
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey
from prefect.client.schemas.sorting import ArtifactSort
from prefect.testing.utilities import prefect_test_harness
from sqlalchemy import create_engine, text

from conftest import EXAMPLES

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def prefect_server():
    with prefect_test_harness(server_startup_timeout=120):
        yield


def test_index_and_check_flows_store_rows_and_publish_artifacts(prefect_server, tmp_path, db_url):
    from flows.check_articles import check_articles
    from flows.index_sources import index_sources

    home = str(tmp_path / "home")
    indexed = index_sources([str(EXAMPLES / "sources")], home=home, database_url=db_url, batch_size=16)
    assert indexed["added"] == 12 and indexed["embedded"] == indexed["passages"] > 12  # in parallel batches of 16

    result = check_articles([str(EXAMPLES / "articles"), str(tmp_path / "missing.md")], home=home,
                            database_url=db_url, batch_size=16)
    assert result["articles"] == 4 and result["claims"] > 20
    assert sum(result["labels"].values()) == result["claims"]
    assert result["problems"] == [f"{tmp_path / 'missing.md'}: no such file or directory"]

    engine = create_engine(db_url.replace("postgresql://", "postgresql+psycopg://"))
    with engine.connect() as connection:
        claims = connection.execute(text("select count(*) from claims")).scalar()
        verdicts = connection.execute(text("select count(*) from verdicts where run_id = :r"), {"r": result["run_id"]}).scalar()
        run = connection.execute(text("select status, flow_run_id from runs where id = :r"), {"r": result["run_id"]}).one()
        evidence = connection.execute(text("select count(*) from evidence")).scalar()
    engine.dispose()
    assert claims == result["claims"] == verdicts and evidence >= verdicts
    assert run.status == "completed" and len(run.flow_run_id) == 36

    # A re-run of the same input adds no verdict rows, and its artifact still lists every claim's verdict.
    again = check_articles([str(EXAMPLES / "articles")], home=home, database_url=db_url, batch_size=16)
    assert again["claims"] == result["claims"]
    with get_client(sync_client=True) as client:
        artifacts = client.read_artifacts(artifact_filter=ArtifactFilter(
            key=ArtifactFilterKey(any_=["check-articles-verdicts", "check-articles-summary"])),
            sort=ArtifactSort.CREATED_DESC)
    latest = {}
    for artifact in artifacts:
        latest.setdefault(artifact.key, artifact)
    assert latest["check-articles-verdicts"].type == "table"
    table = latest["check-articles-verdicts"].data
    rows = json.loads(table) if isinstance(table, str) else table
    assert len(rows) == result["claims"] and {"article", "claim", "label", "confidence", "evidence"} <= set(rows[0])
    assert "Refuted claims" in latest["check-articles-summary"].data

    # factcheck's own log lines reach the Prefect UI, next to Prefect's.
    from prefect.client.schemas.filters import LogFilter, LogFilterFlowRunId
    from prefect.client.schemas.sorting import FlowRunSort

    import time

    found, deadline = False, time.monotonic() + 30  # logs reach the server in batches, every few seconds
    while not found and time.monotonic() < deadline:
        time.sleep(1)
        with get_client(sync_client=True) as client:
            run = client.read_flow_runs(limit=1, sort=FlowRunSort.START_TIME_DESC)[0]
            logs = client.read_logs(log_filter=LogFilter(flow_run_id=LogFilterFlowRunId(any_=[run.id])))
        found = any(log.name == "factcheck" and "claims with crossencoder:packaged:factcheck-verifier" in log.message for log in logs)
    assert found, "factcheck's log lines did not reach the Prefect server"


def test_serve_builds_deployments_with_cron_schedules():
    from flows.serve import deployments

    index, check = deployments(["src"], ["art"], "0 6 * * *", "30 6 * * 1-5")
    assert index.name == check.name == "scheduled"
    assert index.parameters == {"inputs": ["src"]} and check.parameters == {"inputs": ["art"]}
    assert index.schedules[0].schedule.cron == "0 6 * * *"
    assert check.schedules[0].schedule.cron == "30 6 * * 1-5"


def test_deployments_register_their_schedules_on_a_real_server(prefect_server):
    from flows.serve import deployments

    for deployment in deployments(["src"], ["art"], "0 6 * * *", "30 6 * * 1-5", "45 6 * * *", only_new=True):
        deployment.apply()
    with get_client(sync_client=True) as client:
        registered = {name: client.read_deployment_by_name(f"{name}/scheduled")
                      for name in ("index_sources", "check_articles", "recheck")}
    crons = {name: [s.schedule.cron for s in d.schedules] for name, d in registered.items()}
    assert crons == {"index_sources": ["0 6 * * *"], "check_articles": ["30 6 * * 1-5"], "recheck": ["45 6 * * *"]}
    assert registered["check_articles"].parameters == {"inputs": ["art"], "only_new": True}
    assert all(s.active for d in registered.values() for s in d.schedules)
