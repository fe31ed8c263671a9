"""Scale-out: concurrent check runs on PostgreSQL, and check_articles on a real local Dask cluster."""
from __future__ import annotations

import json
import threading

import pytest
from sqlalchemy import func, select

from factcheck.embed import HashEmbedder
from factcheck.ingest import load_documents
from factcheck.passages import split_passages
from factcheck.pipeline import Workspace, check_articles, index_sources
from factcheck.records import Claim, Document
from factcheck.schema import Article, ClaimRow, Source, VerdictRow
from factcheck.store import Store

from conftest import EXAMPLES


def articles_jsonl(path, copies: int) -> str:
    """The example articles, each repeated under `copies` different ids, as one JSONL file."""
    docs = load_documents([str(EXAMPLES / "articles")]).documents
    with open(path, "w") as out:
        for n in range(copies):
            for doc in docs:
                out.write(json.dumps({"id": f"{doc.id.rsplit('/', 1)[-1]}#{n}", "title": doc.title,
                                      "text": doc.text}) + "\n")
    return str(path)


def run_together(*jobs):
    """Run callables in threads released at the same moment; returns results, re-raising any error."""
    barrier = threading.Barrier(len(jobs))
    results, errors = [None] * len(jobs), []

    def work(n):
        barrier.wait()
        try:
            results[n] = jobs[n]()
        except BaseException as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(len(jobs))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]
    return results


def no_duplicates(store: Store) -> dict[str, int]:
    with store.session() as s:
        per_claim = s.execute(select(VerdictRow.claim_id, func.count()).group_by(VerdictRow.claim_id)).all()
        return {"articles": s.scalar(select(func.count()).select_from(Article)),
                "claims": s.scalar(select(func.count()).select_from(ClaimRow)),
                "claims_with_verdicts": len(per_claim), "max_verdicts_per_claim": max((n for _, n in per_claim), default=0)}


@pytest.mark.postgres
def test_concurrent_upserts_of_the_same_rows_never_raise(pg_url):
    stores = [Store(pg_url) for _ in range(4)]
    for round_ in range(5):
        doc = Document(f"a{round_}", "T", f"Alpha shipped {round_} chips. Beta raised $4{round_} million.")
        src = Document(f"s{round_}", "S", f"Gamma hired {round_} people. Delta sold {round_} units. More text.")
        claims = [Claim(f"Alpha shipped {round_} chips.", 0, 20, doc.id), Claim("Beta raised money.", 21, 40, doc.id)]

        def job(store):
            return lambda: (store.upsert_article(doc)[0],
                            tuple(store.upsert_claims(store.upsert_article(doc)[0], claims, "sentences")),
                            store.upsert_source(src, split_passages(src, 2, 1)).status)

        results = run_together(*(job(store) for store in stores))
        assert len({r[0] for r in results}) == 1 and len({r[1] for r in results}) == 1
        assert sorted(r[2] for r in results) == ["added"] + ["unchanged"] * (len(stores) - 1)
    with stores[0].session() as s:
        assert s.scalar(select(func.count()).select_from(Article)) == 5
        assert s.scalar(select(func.count()).select_from(ClaimRow)) == 10
        assert s.scalar(select(func.count()).select_from(Source)) == 5
    for store in stores:
        store.close()


@pytest.fixture
def indexed_pg(pg_url, settings_factory):
    # 48 articles checked twice over: the model-free verifier keeps this a test of the runs' storage
    # (the trained verifier runs concurrently in the test with the real model below).
    settings = settings_factory(database_url=pg_url, verifier="baseline")
    embedder = HashEmbedder()
    index_sources(settings, [str(EXAMPLES / "sources")], ws=Workspace(settings, embedder=embedder))
    return settings, embedder


@pytest.mark.postgres
def test_two_concurrent_check_runs_store_every_article_and_verdict_once(indexed_pg, tmp_path):
    settings, embedder = indexed_pg
    inputs = [articles_jsonl(tmp_path / "articles.jsonl", copies=6)]
    workspaces = [Workspace(settings, embedder=embedder) for _ in range(2)]
    reports = run_together(*(lambda ws=ws: check_articles(settings, inputs, ws=ws) for ws in workspaces))
    assert [len(r.articles) for r in reports] == [24, 24] and all(r.problems == [] for r in reports)
    claims = sum(map(len, reports[0].articles.values()))
    counts = no_duplicates(workspaces[0].store)
    assert counts == {"articles": 24, "claims": claims, "claims_with_verdicts": claims, "max_verdicts_per_claim": 1}
    assert reports[0].articles == reports[1].articles  # both runs see the same claim rows

    # With only_new, the two runs split new articles between them: each is checked by exactly one run.
    more = [articles_jsonl(tmp_path / "more.jsonl", copies=12)]  # 24 known + 24 new articles
    split = run_together(*(lambda ws=ws: check_articles(settings, more, ws=ws, only_new=True) for ws in workspaces))
    first, second = (set(r.articles) for r in split)
    assert not first & second and len(first | second) == 24
    counts = no_duplicates(workspaces[0].store)
    assert counts["articles"] == 48 and counts["max_verdicts_per_claim"] == 1
    assert counts["claims_with_verdicts"] == counts["claims"]


@pytest.mark.slow
@pytest.mark.postgres
def test_two_concurrent_check_runs_with_the_real_model(pg_url, settings_factory, real_embedder, tmp_path):
    settings = settings_factory(database_url=pg_url)
    index_sources(settings, [str(EXAMPLES / "sources")], ws=Workspace(settings, embedder=real_embedder))
    inputs = [articles_jsonl(tmp_path / "articles.jsonl", copies=2)]
    workspaces = [Workspace(settings, embedder=real_embedder) for _ in range(2)]
    reports = run_together(*(lambda ws=ws: check_articles(settings, inputs, ws=ws) for ws in workspaces))
    claims = sum(map(len, reports[0].articles.values()))
    assert no_duplicates(workspaces[0].store) == {"articles": 8, "claims": claims, "claims_with_verdicts": claims,
                                                  "max_verdicts_per_claim": 1}


def test_a_long_lived_workspace_reloads_the_index_another_process_saved(settings_factory, tmp_path):
    settings = settings_factory(embedding_model="hash:64")
    worker = Workspace(settings, embedder=HashEmbedder(name="hash:64"))
    indexer = Workspace(settings, embedder=HashEmbedder(name="hash:64"))
    index_sources(settings, [str(EXAMPLES / "sources")], ws=indexer)
    claim = "Quokka Systems shipped 7,777 orbital routers in March."
    assert "7,777" not in worker.retriever.retrieve([claim], 1)[0][0].text
    assert not worker.refresh_indexes()  # nothing saved since it loaded
    note = tmp_path / "quokka.md"
    note.write_text(f"# Quokka\n\n{claim}\n")
    index_sources(settings, [str(note)], ws=indexer)
    assert not indexer.refresh_indexes()  # its own save
    assert worker.refresh_indexes()
    assert "7,777" in worker.retriever.retrieve([claim], 1)[0][0].text


def test_serve_adds_recheck_and_only_new_to_scheduled_deployments():
    from flows.serve import deployments

    index, check, recheck = deployments(["src"], ["feed:http://x/rss"], "0 * * * *", "15 * * * *", "30 * * * *",
                                        only_new=True)
    assert index.parameters == {"inputs": ["src"], "only_new": True}
    assert check.parameters == {"inputs": ["feed:http://x/rss"], "only_new": True}
    assert recheck.name == "scheduled" and recheck.schedules[0].schedule.cron == "30 * * * *"


def test_task_runner_from_env(monkeypatch):
    from prefect.task_runners import ThreadPoolTaskRunner

    from flows.cluster import task_runner_from_env

    monkeypatch.delenv("FACTCHECK_DASK_ADDRESS", raising=False)
    monkeypatch.delenv("FACTCHECK_DASK_WORKERS", raising=False)
    assert isinstance(task_runner_from_env(), ThreadPoolTaskRunner)
    monkeypatch.setenv("FACTCHECK_DASK_WORKERS", "two")
    with pytest.raises(ValueError, match="'two'"):
        task_runner_from_env()
    monkeypatch.setenv("FACTCHECK_DASK_WORKERS", "3")
    runner = task_runner_from_env()
    assert type(runner).__name__ == "DaskTaskRunner" and runner.cluster_kwargs["n_workers"] == 3


# -- a real local Dask cluster ----------------------------------------------------------------------
@pytest.fixture(scope="module")
def prefect_server():
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


@pytest.mark.slow
def test_check_articles_on_a_local_dask_cluster_of_two_workers(prefect_server, tmp_path, monkeypatch):
    from distributed import Client, LocalCluster

    from flows.cluster import check_articles_on_cluster
    from flows.index_sources import index_sources as index_flow
    from flows.recheck import recheck

    monkeypatch.setenv("FACTCHECK_EMBEDDING_MODEL", "hash:64")  # workers inherit it: fast, same as here
    # The verifier runs at its default precision: bf16 on a CPU with native bf16 (AMX), where logits would depend
    # on the batch a pair lands in were the batch shapes not fixed, and the recheck would flip claims near a threshold.
    home, db_url = str(tmp_path / "home"), f"sqlite:///{tmp_path / 'factcheck.db'}"
    inputs = [articles_jsonl(tmp_path / "articles.jsonl", copies=3)]
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
            Client(cluster) as client:
        from flows.cluster import dask_task_runner

        # Source passages are embedded in parallel batches on the workers; the flow alone writes the index.
        indexed = index_flow.with_options(task_runner=dask_task_runner(address=cluster.scheduler_address))(
            [str(EXAMPLES / "sources")], home=home, database_url=db_url, batch_size=8)
        assert indexed["added"] == 12 and indexed["embedded"] == indexed["passages"] > 16
        result = check_articles_on_cluster(inputs, address=cluster.scheduler_address, home=home,
                                           database_url=db_url, batch_size=8)
        assert result["articles"] == 12 and sum(result["labels"].values()) == result["claims"] > 96
        # Both worker processes ran verify batches, each with one workspace (models loaded once per process).
        loaded = client.run(lambda: len(__import__("factcheck.pipeline", fromlist=["x"])._WORKSPACES))
        assert sorted(loaded.values()) == [1, 1]
        # recheck on the same cluster: nothing changed, so only NOT_ENOUGH_INFO claims are re-verified.
        again = recheck.with_options(task_runner=__import__("flows.cluster", fromlist=["x"]).dask_task_runner(
            address=cluster.scheduler_address))(home=home, database_url=db_url, batch_size=8)
    assert again["considered"] == result["claims"] and again["changed"] == 0
    assert again["affected"] == result["labels"].get("NOT_ENOUGH_INFO", 0)
    store = Store(db_url)
    assert no_duplicates(store)["max_verdicts_per_claim"] == 1
    store.close()
