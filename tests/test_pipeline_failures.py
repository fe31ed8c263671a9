"""A verifier that fails on one claim: the batch goes on, the claim is skipped and reported."""
import json

from click.testing import CliRunner

from factcheck.cli import cli
from factcheck.llm import CannedTransport, ChatClient
from factcheck.llm_verify import LLMVerifier
from factcheck.pipeline import Workspace, index_sources, verify_claim_texts


def test_one_bad_llm_answer_skips_only_that_claim(settings_factory, tmp_path):
    settings = settings_factory(embedding_model="hash:64")
    source = tmp_path / "s.jsonl"
    source.write_text(json.dumps({"id": "wire", "title": "W", "text": "Microsoft will host Grok 3 in Azure."}) + "\n")
    good = {"label": "SUPPORTED", "confidence": 0.9, "cited": [1]}
    bad = "this is not JSON"
    client = ChatClient("http://llm.invalid/v1", "test-model", transport=CannedTransport(good, bad, good, bad),
                        max_retries=0)
    ws = Workspace(settings, verifier=LLMVerifier(client))
    index_sources(settings, [str(source)], ws=ws)
    verdicts = verify_claim_texts(ws, [("c1", "Microsoft will host Grok 3."), ("c2", "Azure hosts Grok 3.")])
    assert verdicts[0].label.value == "SUPPORTED" and verdicts[0].evidence[0].source_id == "wire"
    assert verdicts[1] is None
    assert ws.store.counts()["verdicts"] == 1 and ws.store.counts()["claims"] == 2


def test_cli_reports_a_claim_the_verifier_failed_on(settings_factory, tmp_path, monkeypatch):
    home = tmp_path / "home"
    source = tmp_path / "s.jsonl"
    source.write_text(json.dumps({"id": "wire", "title": "W", "text": "Microsoft will host Grok 3 in Azure."}) + "\n")
    claims = tmp_path / "c.jsonl"
    claims.write_text(json.dumps({"id": "c1", "claim": "Microsoft will host Grok 3."}) + "\n")
    args = ["--home", str(home), "--embedding-model", "hash:64"]
    assert CliRunner().invoke(cli, args + ["sources", "add", str(source)]).exit_code == 0
    monkeypatch.setattr("factcheck.pipeline.make_verifier", lambda settings: LLMVerifier(
        ChatClient("http://llm.invalid/v1", "m", transport=CannedTransport("nope", "nope"), max_retries=0)))
    out = tmp_path / "v.jsonl"
    result = CliRunner().invoke(cli, args + ["verify-claims", str(claims), "--out", str(out)])
    assert result.exit_code == 1 and "skipped claim c1: the verifier failed on it" in result.output
    assert out.read_text() == ""
