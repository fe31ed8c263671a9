"""The command line, in-process with click's CliRunner, against real SQLite and the real model."""
import json

import click
import pytest
from click.testing import CliRunner

from factcheck.cli import cli
from factcheck.ingest import load_documents

from conftest import EXAMPLES


def run(home, *args, db_url=None):
    prefix = ["--home", str(home)] + (["--database-url", db_url] if db_url else [])
    return CliRunner().invoke(cli, prefix + list(args), catch_exceptions=False)


def test_every_command_has_help():
    def walk(command, path):
        assert command.help, f"{' '.join(path)} has no help text"
        for name, sub in getattr(command, "commands", {}).items():
            walk(sub, path + [name])

    walk(cli, ["factcheck"])


def test_db_upgrade_and_current(tmp_path):
    from factcheck.db import head_revision

    head = head_revision()
    result = run(tmp_path, "db", "upgrade")
    assert result.exit_code == 0 and f"database at revision {head}" in result.output
    assert run(tmp_path, "db", "current").output.startswith(f"{head} (head {head})")


def test_claims_prints_spans_and_json_without_storing(tmp_path, monkeypatch):
    article = EXAMPLES / "articles" / "grok-azure-foundry.md"
    [doc] = load_documents([str(article)]).documents  # spans index into the stored article text
    body = doc.text
    result = run(tmp_path, "claims", "--json", str(article))  # the default, atomic extractor
    assert result.exit_code == 0
    atomic = [json.loads(line) for line in result.output.splitlines()]
    assert atomic and all(0 <= r["start"] < r["end"] <= len(body) for r in atomic)
    claims = {r["claim"] for r in atomic}
    assert {"Microsoft will host xAI's Grok 3.", "Satya Nadella is the chief executive of Microsoft."} <= claims
    monkeypatch.setenv("FACTCHECK_CLAIM_EXTRACTOR", "sentences")
    result = run(tmp_path, "claims", "--json", str(article))
    assert result.exit_code == 0
    rows = [json.loads(line) for line in result.output.splitlines()]
    assert rows and {"article_id", "claim", "start", "end"} <= set(rows[0])
    assert all(r["article_id"] == str(article) for r in rows)
    assert all(body[r["start"]:r["end"]] == r["claim"] for r in rows)
    assert not (tmp_path / "factcheck.db").exists()
    plain = run(tmp_path, "claims", str(article))
    assert plain.exit_code == 0 and f"[{rows[0]['start']}:{rows[0]['end']}] {rows[0]['claim']}" in plain.output


def test_bad_inputs_give_one_line_errors_and_the_rest_is_processed(tmp_path):
    missing = run(tmp_path, "claims", str(tmp_path / "nope.md"))
    assert missing.exit_code == 1 and f"skipped {tmp_path / 'nope.md'}: no such file or directory" in missing.output
    (tmp_path / "empty.md").write_text("")
    (tmp_path / "junk.md").write_bytes(b"\x00\xff\x00binary")
    jsonl = tmp_path / "a.jsonl"
    jsonl.write_text('{"id": "x", "title": "X", "text": "Nvidia shipped 3 million GPUs in 2024."}\n{broken\n')
    result = run(tmp_path, "claims", "--json", str(tmp_path))
    assert result.exit_code == 1
    assert f"skipped {jsonl}:2: invalid JSON" in result.output
    assert f"skipped {tmp_path / 'empty.md'}: empty file" in result.output
    assert f"skipped {tmp_path / 'junk.md'}: binary data, not a text file" in result.output
    assert '"article_id": "x"' in result.output


@pytest.mark.slow
def test_sources_add_check_verify_claims_and_verdicts(tmp_path, db_url):
    added = run(tmp_path, "sources", "add", str(EXAMPLES / "sources"), db_url=db_url)
    assert added.exit_code == 0 and added.output.startswith("12 added")
    again = run(tmp_path, "sources", "add", str(EXAMPLES / "sources"), db_url=db_url)
    assert "0 added, 0 updated, 12 unchanged" in again.output

    checked = run(tmp_path, "check", str(EXAMPLES / "articles" / "grok-azure-foundry.md"), db_url=db_url)
    assert checked.exit_code == 0 and checked.output.startswith("LABEL") and "SUPPORTED" in checked.output

    claims = tmp_path / "claims.jsonl"
    claims.write_text("\n".join([
        json.dumps({"id": "c1", "claim": "Azure AI Foundry's catalog holds more than 1,900 models."}),
        "not json",
        json.dumps({"id": 2, "claim": "The Lumen-2 flagship has 236 billion parameters."}),
        json.dumps({"id": "c3"}),
    ]))
    out = tmp_path / "verdicts.jsonl"
    result = run(tmp_path, "verify-claims", str(claims), "--out", str(out), db_url=db_url)
    assert result.exit_code == 1
    assert f"skipped {claims}:2: invalid JSON" in result.output and f"skipped {claims}:4:" in result.output
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["id"] for r in rows] == ["c1", 2]
    for row in rows:
        assert set(row) == {"id", "claim", "label", "confidence", "evidence"}
        assert row["label"] in {"SUPPORTED", "REFUTED", "NOT_ENOUGH_INFO"} and 0 <= row["confidence"] <= 1
        for evidence in row["evidence"]:
            assert {"source_id", "passage_id", "text", "score", "stance"} <= set(evidence)
            assert evidence["quote"] and evidence["quote"] in evidence["text"]
    # Led by the sentence that states the figure (the Build keynote's "now lists more than 1,900 models").
    assert rows[0]["label"] == "SUPPORTED" and "1,900 models" in rows[0]["evidence"][0]["quote"]
    assert "lumen-2-" in rows[1]["evidence"][0]["source_id"]

    table = run(tmp_path, "verdicts", "--limit", "5", db_url=db_url)
    assert table.exit_code == 0 and table.output.startswith("LABEL")
    as_json = [json.loads(line) for line in run(tmp_path, "verdicts", "--json", db_url=db_url).output.splitlines()]
    assert {r["claim"] for r in as_json} >= {r["claim"] for r in rows}

    status = run(tmp_path, "index", "status", db_url=db_url)
    assert status.exit_code == 0 and "consistent: yes" in status.output


def test_verify_claims_rejects_a_missing_or_empty_file(tmp_path):
    result = CliRunner().invoke(cli, ["--home", str(tmp_path), "verify-claims", str(tmp_path / "none.jsonl")])
    assert result.exit_code == 1 and f"InputError: {tmp_path / 'none.jsonl'}: no such file" in result.output
    (tmp_path / "empty.jsonl").write_text("\n")
    result = CliRunner().invoke(cli, ["--home", str(tmp_path), "verify-claims", str(tmp_path / "empty.jsonl")])
    assert result.exit_code == 1 and "no claims in file" in result.output


def test_bad_model_path_is_a_clear_error(tmp_path):
    result = CliRunner().invoke(cli, ["--home", str(tmp_path), "--embedding-model", str(tmp_path / "no-model"),
                                      "sources", "add", str(EXAMPLES / "sources" / "wire.jsonl")])
    assert result.exit_code == 1
    assert f"ConfigError: model path does not exist: {tmp_path / 'no-model'}" in result.output


def test_python_dash_m_factcheck_works():
    import subprocess
    import sys

    result = subprocess.run([sys.executable, "-m", "factcheck", "--help"], capture_output=True, text=True)
    assert result.returncode == 0 and "verify-claims" in result.stdout


def test_factcheck_never_imports_prefect():
    import subprocess
    import sys

    code = ("import importlib, pkgutil, sys, factcheck\n"
            "for m in pkgutil.walk_packages(factcheck.__path__, 'factcheck.'):\n"
            "    importlib.import_module(m.name)\n"
            "assert 'prefect' not in sys.modules, 'prefect imported'\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-2000:]


def test_public_api_is_complete_and_sorted():
    import factcheck

    assert factcheck.__all__ == sorted(factcheck.__all__)
    for name in factcheck.__all__:
        assert hasattr(factcheck, name)


def test_a_bad_setting_names_the_variable_and_what_is_wrong(tmp_path, monkeypatch):
    monkeypatch.setenv("FACTCHECK_VERIFIER_GATE", "0.6,0.2")
    result = run(tmp_path, "verdicts")
    assert result.exit_code == 1 and "invalid setting FACTCHECK_VERIFIER_GATE" in result.output
    assert "low <= high" in result.output and len(result.output.strip().splitlines()) == 1
