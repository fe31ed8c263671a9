"""Index lifecycle, consistency, resume, model refusal, --as-of and lexical matching."""
import json
import os
import signal
import subprocess
import sys
import time

import pytest
from click.testing import CliRunner

from factcheck.cli import cli
from factcheck.errors import IndexMismatchError
from factcheck.index import VectorIndex
from factcheck.pipeline import Workspace, index_sources, sync_index, verify_claim_texts


def write_jsonl(path, records):
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return str(path)


def consistent(ws):
    ids = ws.vectors.ids().tolist()
    return len(ids) == len(set(ids)) and set(ids) == ws.store.passage_ids()


def test_add_update_delete_keep_index_and_database_consistent(settings_factory, db_url, tmp_path):
    settings = settings_factory(database_url=db_url, embedding_model="hash:64", passage_sentences=1, passage_stride=1)
    ws = Workspace(settings)
    docs = [{"id": "a", "title": "A", "text": "Grok 3 runs on Azure. It is hosted by Microsoft."},
            {"id": "b", "title": "B", "text": "Nvidia sold chips. Revenue grew fast."}]
    index_sources(settings, [write_jsonl(tmp_path / "v1.jsonl", docs)], ws=ws)
    assert consistent(ws) and len(ws.vectors) == 4
    before = ws.store.passage_ids()

    docs[0]["text"] = "Grok 3 mini runs on Azure. It is cheaper. It launched in May."
    report = index_sources(settings, [write_jsonl(tmp_path / "v2.jsonl", docs)], ws=ws)
    assert report.counts()["updated"] == 1 and report.counts()["unchanged"] == 1
    assert report.removed == 2 and report.embedded == 3 and consistent(ws) and len(ws.vectors) == 5
    [hit] = ws.retriever.retrieve(["Grok 3 mini cheaper"], 1)[0][:1]
    assert hit.source_id == "a" and hit.passage_id not in before

    ws.store.delete_source("b")
    embedded, removed = sync_index(ws)
    assert (embedded, removed) == (0, 2) and consistent(ws) and len(ws.vectors) == 3
    reopened = VectorIndex(settings.index_dir, "hash:64", 64)
    assert sorted(reopened.ids().tolist()) == sorted(ws.store.passage_ids())


def test_mismatch_between_index_and_database_is_reported_with_the_repair(settings_factory, tmp_path):
    settings = settings_factory(embedding_model="hash:64")
    ws = Workspace(settings)
    index_sources(settings, [write_jsonl(tmp_path / "s.jsonl", [{"id": "a", "title": "A", "text": "One. Two."}])], ws=ws)
    ws.vectors.remove(list(ws.store.passage_ids())[:1])
    ws.vectors.save()
    with pytest.raises(IndexMismatchError, match="run 'factcheck index sync'"):
        Workspace(settings).retriever
    status = CliRunner().invoke(cli, ["--home", str(settings.home), "--embedding-model", "hash:64", "index", "status"])
    assert status.exit_code == 1 and "MISMATCH: 1 passages not indexed" in status.output
    repaired = CliRunner().invoke(cli, ["--home", str(settings.home), "--embedding-model", "hash:64", "index", "sync"])
    assert repaired.exit_code == 0 and repaired.output.startswith("1 embedded, 0 removed")
    assert Workspace(settings).retriever is not None


def test_refuses_to_mix_models_with_a_clear_message(tmp_path):
    home = str(tmp_path / "home")
    source = write_jsonl(tmp_path / "s.jsonl", [{"id": "a", "title": "A", "text": "One fact here."}])
    assert CliRunner().invoke(cli, ["--home", home, "--embedding-model", "hash:64", "sources", "add", source]).exit_code == 0
    claims = write_jsonl(tmp_path / "c.jsonl", [{"id": 1, "claim": "One fact here."}])
    other = CliRunner().invoke(cli, ["--home", home, "--embedding-model", "hash:32", "verify-claims", claims])
    assert other.exit_code == 1
    assert "IndexMismatchError: index at" in other.output and "built with model 'hash:64' (dim 64)" in other.output


def test_as_of_only_uses_sources_published_by_then(settings_factory, tmp_path):
    settings = settings_factory(embedding_model="hash:64")
    ws = Workspace(settings)
    index_sources(settings, [write_jsonl(tmp_path / "s.jsonl", [
        {"id": "old", "title": "Old", "text": "Microsoft will host Grok 3 in Azure.", "published": "2025-05-01"},
        {"id": "new", "title": "New", "text": "Microsoft will host Grok 3 in Azure AI Foundry.", "published": "2025-06-01"},
        {"id": "undated", "title": "U", "text": "Microsoft will host Grok 3 in Azure AI Foundry today."}])], ws=ws)
    claim = [("c", "Microsoft will host Grok 3 in Azure AI Foundry.")]
    from datetime import date

    everything = {e.source_id for e in verify_claim_texts(ws, claim)[0].evidence}
    assert everything == {"old", "new", "undated"}
    for cutoff, allowed in [(date(2025, 5, 15), {"old"}), (date(2025, 4, 1), set())]:
        hits = ws.retriever.retrieve([claim[0][1]], 5, [cutoff])[0]
        assert {h.source_id for h in hits} == allowed


@pytest.mark.slow
def test_lexical_matching_finds_exact_names_and_numbers_dense_misses(settings_factory, tmp_path, real_embedder):
    settings = settings_factory()
    ws = Workspace(settings, embedder=real_embedder)
    texts = {"mini": "xAI priced Grok 3 mini at 30 cents per million input tokens.",
             "full": "xAI priced Grok 3 at 3 dollars per million input tokens.",
             "other": "Anthropic priced Claude at 3 dollars per million input tokens.",
             "gemini": "Google priced Gemini Flash at 10 cents per million input tokens."}
    index_sources(settings, [write_jsonl(tmp_path / "s.jsonl", [{"id": k, "title": "", "text": v}
                                                                 for k, v in texts.items()])], ws=ws)
    query = "What does Grok 3 mini cost: 30 cents per million tokens?"
    from factcheck.retrieve import HybridRetriever

    lexical = HybridRetriever(ws.store, ws.embedder, ws.vectors, ws.lexical, 0.0, 1.0).retrieve([query], 4)[0]
    hybrid = ws.retriever.retrieve([query], 4)[0]
    assert lexical[0].source_id == "mini" and hybrid[0].source_id == "mini"
    assert lexical[0].lexical > 1.5 * max(h.lexical or 0 for h in lexical[1:])


@pytest.mark.slow
def test_interrupted_indexing_resumes_without_loss_or_duplicates(tmp_path):
    home = tmp_path / "home"
    records = [{"id": f"doc-{i}", "title": f"Report {i}",
                "text": " ".join(f"Company {i} shipped {i * 7 + j} servers to region {j} in quarter {j % 4 + 1}."
                                 for j in range(12))} for i in range(200)]
    source = write_jsonl(tmp_path / "big.jsonl", records)
    env = {**os.environ, "FACTCHECK_HOME": str(home), "FACTCHECK_INDEX_BATCH_SIZE": "64",
           "FACTCHECK_INDEX_SAVE_SECONDS": "0", "HF_HUB_OFFLINE": "1"}
    process = subprocess.Popen([sys.executable, "-m", "factcheck", "sources", "add", source], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    meta = home / "index" / "meta.json"
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and process.poll() is None:
        if meta.exists() and json.loads(meta.read_text()).get("count", 0) > 0:
            process.send_signal(signal.SIGKILL)
            break
        time.sleep(0.02)
    process.wait()
    assert process.returncode == -signal.SIGKILL, "indexing finished before it could be interrupted"
    saved = json.loads(meta.read_text())["count"]

    result = subprocess.run([sys.executable, "-m", "factcheck", "index", "sync"], env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-2000:]
    embedded = int(result.stdout.split()[0])
    status = subprocess.run([sys.executable, "-m", "factcheck", "index", "status"], env=env, capture_output=True, text=True)
    assert status.returncode == 0 and "consistent: yes" in status.stdout
    total = int(status.stdout.split("passages in database:")[1].split()[0])
    assert 0 < saved < total and embedded == total - saved
