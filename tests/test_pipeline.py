"""The pipeline end to end with the real packaged model on the bundled sample."""
import re
import shutil

import pytest

from factcheck.ingest import load_documents
from factcheck.pipeline import Workspace, check_articles, index_sources, sync_index, verify_claim_texts
from factcheck.records import Label, Stance

from conftest import EXAMPLES

pytestmark = pytest.mark.slow
GROK = EXAMPLES / "articles" / "grok-azure-foundry.md"


@pytest.fixture
def indexed(settings_factory, db_url, real_embedder):
    settings = settings_factory(database_url=db_url)
    ws = Workspace(settings, embedder=real_embedder)
    report = index_sources(settings, [str(EXAMPLES / "sources")], ws=ws)
    assert report.problems == [] and report.counts()["added"] == 12
    return settings, ws, report


def test_sources_are_indexed_once(indexed):
    settings, ws, report = indexed
    assert report.embedded == report.total_passages == len(ws.store.passage_ids()) > 12
    again = index_sources(settings, [str(EXAMPLES / "sources")], ws=ws)
    assert again.counts()["unchanged"] == 12 and again.embedded == 0 and again.total_passages == report.total_passages


def test_check_article_stores_claims_verdicts_and_evidence(indexed):
    settings, ws, _ = indexed
    report = check_articles(settings, [str(GROK)], ws=ws)
    counts = ws.store.counts()
    claims = sum(map(len, report.articles.values()))
    assert report.problems == [] and counts["articles"] == 1 and counts["claims"] == claims > 5
    assert counts["verdicts"] == claims and sum(report.labels.values()) == claims
    rows = ws.store.recent_verdicts(100)
    headline = next(r for r in rows if r["claim"].startswith("Microsoft will host xAI's Grok 3"))
    assert headline["label"] == "SUPPORTED" and headline["evidence"][0]["source_id"].endswith("wire-2025-05-19-azure-grok")
    [article] = load_documents([str(GROK)]).documents
    for row in rows:  # atomic claims are rewritten; their spans point at the words they came from
        assert row["verifier"] == "crossencoder:packaged:factcheck-verifier" and 0 <= row["start"] < row["end"] <= len(article.text)
        words = set(re.findall(r"[a-z]{4,}", article.text[row["start"]:row["end"]].lower()))
        assert not words or words & set(re.findall(r"[a-z]{4,}", row["claim"].lower()))
    # Re-running the same input updates rather than duplicates.
    check_articles(settings, [str(GROK)], ws=ws)
    assert ws.store.counts()["claims"] == claims and ws.store.counts()["verdicts"] == claims
    # The run records the settings that shaped its evidence and verdicts.
    from sqlalchemy import select

    from factcheck.schema import Run
    with ws.store.session() as s:
        params = s.scalars(select(Run.params).where(Run.id == report.run_id)).one()
    assert params["settings"]["verifier"] == "packaged:factcheck-verifier" and params["settings"]["reranker"] == settings.reranker
    assert params["settings"]["top_k"] == settings.top_k and params["inputs"] == [str(GROK)]


def test_verify_claim_texts_cites_the_deciding_passage_first(indexed):
    _, ws, _ = indexed
    [verdict] = verify_claim_texts(ws, [("c1", "The Azure AI Foundry catalog holds more than 1,900 models.")])
    assert verdict.label is Label.SUPPORTED
    lead, *rest = verdict.evidence
    assert lead.stance is Stance.SUPPORTS and "1,900" in lead.text and "1,900" in (lead.quote or lead.text)
    # Then the other decisive passages, then neutral ones, each group strongest first.
    groups = [e.stance is Stance.NEUTRAL for e in rest]
    assert groups == sorted(groups)
    for neutral in (False, True):
        scores = [e.score for e in rest if (e.stance is Stance.NEUTRAL) is neutral]
        assert scores == sorted(scores, reverse=True)
    quoted = [(e.source_id, e.quote) for e in verdict.evidence if e.quote]
    assert len(quoted) == len(set(quoted))   # overlapping windows do not cite one sentence twice


def test_index_resumes_from_the_database_after_loss(indexed):
    settings, ws, report = indexed
    shutil.rmtree(settings.index_dir)
    fresh = Workspace(settings, embedder=ws.embedder)
    embedded, removed = sync_index(fresh)
    assert embedded == report.total_passages and removed == 0


def test_claim_workers_start_only_for_batches_that_repay_them(monkeypatch):
    from factcheck import pipeline

    monkeypatch.setattr(pipeline.os, "cpu_count", lambda: 2)
    assert pipeline.claim_processes(0, 4) == 1       # the sample run: no worker processes
    assert pipeline.claim_processes(0, 500) == 2     # one per core
    monkeypatch.setattr(pipeline.os, "cpu_count", lambda: 64)
    assert pipeline.claim_processes(0, 500) == 4     # at most 4
    assert pipeline.claim_processes(3, 5) == 3       # an explicit setting wins
    assert pipeline.claim_processes(1, 5000) == 1
