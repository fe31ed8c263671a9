"""SQL views, read-only `factcheck sql`, exports (JSONL, CSV, ClaimReview), schema docs and the HTML report."""
import csv
import io
import json
import re
import shutil
import subprocess
from datetime import date, datetime

import pytest
from click.testing import CliRunner
from sqlalchemy import inspect, select

from factcheck import db
from factcheck.cli import cli
from factcheck.errors import InputError
from factcheck.export import RATINGS, load_verdicts, render
from factcheck.records import Claim, Document, Evidence, Label, Passage, Stance, Verdict
from factcheck.report import build_report
from factcheck.schema import VerdictRow
from factcheck.schemadoc import render_schema_markdown
from factcheck.sqlquery import format_result, run_query
from factcheck.store import Store

from conftest import ROOT

VIEWS = {"latest_verdicts", "refuted_by_outlet_week", "changed_verdicts", "verdict_evidence"}
TEXT_A = 'Lumen 2 has 70 billion parameters. It ships under <Apache 2.0> & "MIT". Meridian bought 3 GW.'
SOURCE = "Lumen 2 has 40 billion parameters and ships under Apache 2.0. Meridian signed for 3 GW of power."
SPLIT = SOURCE.index("Meridian")


def _span(body: str, sentence: str) -> Claim:
    start = body.index(sentence)
    return Claim(sentence, start, start + len(sentence))


def populate(url: str) -> dict:
    """Two runs over three articles and a claims-file claim; claim 'params' changes from SUPPORTED to REFUTED."""
    store = Store(url)
    try:
        store.upsert_source(Document("src-1", "Lumen 2 card", SOURCE, "https://lumen.example/card"),
                            [Passage("src-1", 0, 0, SPLIT - 1, SOURCE[:SPLIT - 1]),
                             Passage("src-1", 1, SPLIT, len(SOURCE), SOURCE[SPLIT:])])
        p1, p2 = sorted(store.passage_ids())
        refute = Evidence(p1, "src-1", SOURCE[:SPLIT - 1], 0.91, Stance.REFUTES)
        support = Evidence(p2, "src-1", SOURCE[SPLIT:], 0.88, Stance.SUPPORTS)
        a1, _ = store.upsert_article(Document("a1", "Lumen <2> launch", TEXT_A,
                                              "https://www.Example.com:8443/news/lumen?ref=rss", date(2021, 1, 1)))
        params, licence, power = (_span(TEXT_A, s) for s in ("Lumen 2 has 70 billion parameters.",
                                                             'It ships under <Apache 2.0> & "MIT".',
                                                             "Meridian bought 3 GW."))
        c1 = store.upsert_claims(a1, [params, licence, power], "sentences")
        a2, _ = store.upsert_article(Document("a2", "Local note", "Ohio paused 2 datacenters.", None, None))
        c2 = store.upsert_claims(a2, [Claim("Ohio paused 2 datacenters.", 0, 26)], "sentences")
        a3, _ = store.upsert_article(Document("a3", "Chips", "Chip curbs start in March.", "http://news.example.org/x",
                                              date(2026, 3, 2)))
        c3 = store.upsert_claims(a3, [Claim("Chip curbs start in March.", 0, 26)], "sentences")
        cf = store.upsert_claims(None, [Claim("GPUs got cheaper.", 0, 17)], "claims-file", ["q-1"])

        run1 = store.start_run("check_articles", {"inputs": ["a"]})
        store.save_verdicts(run1, [(c1[0], Verdict(Label.SUPPORTED, 0.6, (support,))),
                                   (c1[1], Verdict(Label.NOT_ENOUGH_INFO, 0.3)),
                                   (c1[2], Verdict(Label.SUPPORTED, 0.8, (support, refute))),
                                   (c2[0], Verdict(Label.REFUTED, 0.7, (refute,))),
                                   (c3[0], Verdict(Label.REFUTED, 0.75, (refute,))),
                                   (cf[0], Verdict(Label.NOT_ENOUGH_INFO, 0.2))], "baseline", "1", "emb")
        store.finish_run(run1, "completed", {})
        run2 = store.start_run("check_articles", {"inputs": ["a1"]})
        store.save_verdicts(run2, [(c1[0], Verdict(Label.REFUTED, 0.9, (refute, support))),
                                   (c1[1], Verdict(Label.NOT_ENOUGH_INFO, 0.3))], "baseline", "1", "emb")
        store.finish_run(run2, "completed", {})
        with store.session() as s:
            c2_day = s.scalar(select(VerdictRow.created_at).where(VerdictRow.claim_id == c2[0])).date()
        return {"run1": run1, "run2": run2, "params": c1[0], "licence": c1[1], "power": c1[2], "local": c2[0],
                "chips": c3[0], "file": cf[0], "c2_week": _iso_week(c2_day), "passages": (p1, p2)}
    finally:
        store.close()


def _iso_week(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def _rows(url: str, sql: str) -> list[dict]:
    result = run_query(url, sql)
    return [dict(zip(result.columns, row)) for row in result.rows]


def run_cli(tmp_path, url, *args):
    return CliRunner().invoke(cli, ["--home", str(tmp_path / "home"), "--database-url", url, *args],
                              catch_exceptions=False)


# -- views ------------------------------------------------------------------------------------
def test_views_on_both_databases(db_url):
    ids = populate(db_url)
    latest = {r["claim_id"]: r for r in _rows(db_url, "SELECT * FROM latest_verdicts")}
    assert set(latest) == {ids[k] for k in ("params", "licence", "power", "local", "chips", "file")}
    params = latest[ids["params"]]
    assert params["label"] == "REFUTED" and params["confidence"] == pytest.approx(0.9)
    assert params["article_external_id"] == "a1" and params["article_title"] == "Lumen <2> launch"
    assert str(params["article_published"]) == "2021-01-01" and params["verifier"] == "baseline"
    assert TEXT_A[params["start_char"]:params["end_char"]] == params["claim_text"]
    assert latest[ids["file"]]["article_external_id"] is None and latest[ids["file"]]["claim_external_id"] == "q-1"

    weekly = {(r["outlet"], r["week"]): r["refuted_claims"] for r in _rows(db_url, "SELECT * FROM refuted_by_outlet_week")}
    assert weekly == {("www.example.com", "2020-W53"): 1, ("local", ids["c2_week"]): 1, ("news.example.org", "2026-W10"): 1}

    [changed] = _rows(db_url, "SELECT * FROM changed_verdicts")
    assert changed["claim_id"] == ids["params"] and changed["verdict_count"] == 2
    assert (changed["previous_label"], changed["current_label"]) == ("SUPPORTED", "REFUTED")
    assert changed["changed_at"] >= changed["previous_at"]

    evidence = _rows(db_url, "SELECT * FROM verdict_evidence WHERE claim_id = %d ORDER BY verdict_id, rank" % ids["params"])
    assert [(e["label"], e["rank"], e["stance"], e["is_latest"]) for e in evidence] == [
        ("SUPPORTED", 0, "supports", 0), ("REFUTED", 0, "refutes", 1), ("REFUTED", 1, "supports", 1)]
    assert evidence[1]["source_external_id"] == "src-1" and evidence[1]["passage_text"] == SOURCE[:SPLIT - 1]
    assert evidence[1]["score"] == pytest.approx(0.91) and evidence[1]["passage_id"] == ids["passages"][0]


URLS = {  # url -> outlet, the same on both databases
    "HTTPS://Sub.Example.COM/a": "sub.example.com", "https://h1.example?x=1": "h1.example",
    "https://h2.example#top": "h2.example", "example.net/no-scheme": "example.net",
    "http://h3.example:8080": "h3.example", "": "local", "file:///tmp/a.md": "local",
}
DAYS = [date(2020, 12, 28), date(2021, 1, 3), date(2021, 1, 4), date(2024, 12, 30), date(2025, 12, 28),
        date(2026, 1, 1), date(2026, 12, 31), date(2027, 1, 1), date(2015, 12, 31), date(2016, 1, 3)]


def test_outlet_host_and_iso_week_match_python(db_url):
    cases = [(url, date(2026, 6, 1)) for url in URLS] + [(None, day) for day in DAYS]
    store = Store(db_url)
    try:
        items = []
        for n, (url, day) in enumerate(cases):
            body = f"Claim number {n}."
            article, _ = store.upsert_article(Document(f"x{n}", f"T{n}", body, url, day))
            [claim] = store.upsert_claims(article, [Claim(body, 0, len(body))], "sentences")
            items.append((claim, Verdict(Label.REFUTED, 0.5)))
        store.save_verdicts(None, items, "baseline", "1", "emb")
    finally:
        store.close()
    expected: dict[tuple[str, str], int] = {}
    for url, day in cases:
        key = (URLS[url] if url is not None else "local", _iso_week(day))
        expected[key] = expected.get(key, 0) + 1
    got = {(r["outlet"], r["week"]): r["refuted_claims"] for r in _rows(db_url, "SELECT * FROM refuted_by_outlet_week")}
    assert got == expected


def test_downgrade_drops_the_views_and_upgrade_restores_them(db_url):
    engine = db.make_engine(db_url)
    try:
        db.upgrade(engine)
        assert VIEWS <= set(inspect(engine).get_view_names())
        db.downgrade(engine, "0001")
        assert not VIEWS & set(inspect(engine).get_view_names())
        assert "verdicts" in inspect(engine).get_table_names()
        db.upgrade(engine)
        assert VIEWS <= set(inspect(engine).get_view_names())
    finally:
        engine.dispose()


# -- factcheck sql ----------------------------------------------------------------------------
WRITES = ["INSERT INTO runs (kind, status, started_at, params, summary) VALUES ('x', 'y', '2026-01-01', '{}', '{}')",
          "UPDATE claims SET text = 'tampered'", "DELETE FROM verdicts", "DROP TABLE evidence",
          "DROP VIEW latest_verdicts", "CREATE TABLE scratch (x integer)"]


@pytest.mark.parametrize("statement", WRITES, ids=lambda s: s.split()[0] + "_" + s.split()[1])
def test_sql_connection_refuses_writes(db_url, statement):
    populate(db_url)
    with pytest.raises(InputError, match=r"^refused, the connection is read-only: ['\"].+['\"] \(.+\)$"):
        run_query(db_url, statement)
    counts = _rows(db_url, "SELECT (SELECT count(*) FROM verdicts) AS verdicts, (SELECT count(*) FROM runs) AS runs, "
                           "(SELECT count(*) FROM claims WHERE text = 'tampered') AS tampered, "
                           "(SELECT count(*) FROM evidence) AS evidence, (SELECT count(*) FROM latest_verdicts) AS latest")
    assert counts == [{"verdicts": 7, "runs": 2, "tampered": 0, "evidence": 7, "latest": 6}]


def test_sql_cannot_switch_read_only_off_with_a_second_statement(db_url):
    populate(db_url)
    escape = ("COMMIT; SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE; DELETE FROM verdicts"
              if db_url.startswith("postgresql") else "PRAGMA query_only=OFF; DELETE FROM verdicts")
    with pytest.raises(InputError):
        run_query(db_url, escape)
    assert _rows(db_url, "SELECT count(*) AS n FROM verdicts") == [{"n": 7}]


def test_sql_cli_formats_and_one_line_error(tmp_path, db_url):
    populate(db_url)
    query = "SELECT claim_id, label FROM latest_verdicts WHERE label = 'REFUTED' ORDER BY claim_id"
    table = run_cli(tmp_path, db_url, "sql", query)
    assert table.exit_code == 0, table.output
    lines = table.output.splitlines()
    assert lines[0].split() == ["claim_id", "label"] and lines[-1] == "(3 rows)" and "REFUTED" in lines[2]
    as_csv = list(csv.DictReader(io.StringIO(run_cli(tmp_path, db_url, "sql", query, "--format", "csv").output)))
    assert [r["label"] for r in as_csv] == ["REFUTED"] * 3
    as_json = json.loads(run_cli(tmp_path, db_url, "sql", query, "--format", "json").output)
    assert [r["label"] for r in as_json] == ["REFUTED"] * 3 and all(isinstance(r["claim_id"], int) for r in as_json)
    refused = run_cli(tmp_path, db_url, "sql", "DELETE FROM verdicts")
    assert refused.exit_code == 1
    assert refused.output.startswith("Error: InputError: refused, the connection is read-only: 'DELETE FROM verdicts'")
    assert len(refused.output.strip().splitlines()) == 1
    bad = run_cli(tmp_path, db_url, "sql", "SELEKT 1")
    assert bad.exit_code == 1 and "InputError: query failed: 'SELEKT 1'" in bad.output


def test_format_result_table_handles_nulls_and_long_text():
    from factcheck.sqlquery import QueryResult

    out = format_result(QueryResult(("a", "b"), [(None, "x" * 100), (1, "two\nlines")]), "table")
    lines = out.splitlines()
    assert lines[-1] == "(2 rows)" and lines[2].endswith("…") and "two lines" in lines[3]


# -- exports ----------------------------------------------------------------------------------
def test_export_jsonl_and_csv_with_filters(tmp_path, db_url):
    ids = populate(db_url)
    store = Store(db_url)
    try:
        with store.session() as s:
            everything = load_verdicts(s)
            refuted = load_verdicts(s, label="refuted")
            run1 = load_verdicts(s, run_id=ids["run1"])
            run2 = load_verdicts(s, run_id=ids["run2"])
            with pytest.raises(InputError, match="unknown label 'maybe'"):
                load_verdicts(s, label="maybe")
            with pytest.raises(InputError, match="no run with id 99"):
                load_verdicts(s, run_id=99)
    finally:
        store.close()
    assert len(everything) == 6 and {v.label for v in refuted} == {"REFUTED"} and len(refuted) == 3
    assert {v.claim_id: v.label for v in run2} == {ids["params"]: "REFUTED", ids["licence"]: "NOT_ENOUGH_INFO"}
    assert {v.claim_id: v.label for v in run1}[ids["params"]] == "SUPPORTED"  # the verdict that run reached
    assert len(run1) == 6

    lines = [json.loads(line) for line in render(everything, "jsonl").splitlines()]
    first = next(r for r in lines if r["claim_id"] == ids["params"])
    assert first["label"] == "REFUTED" and first["article_id"] == "a1" and first["article_published"] == "2021-01-01"
    assert [e["stance"] for e in first["evidence"]] == ["refutes", "supports"]
    assert datetime.fromisoformat(first["created_at"]).tzinfo is not None
    rows = list(csv.DictReader(io.StringIO(render(everything, "csv"))))
    assert len(rows) == 6 and rows[0]["claim"] and {r["label"] for r in rows} == {label.value for label in Label}
    assert next(r for r in rows if r["claim_id"] == str(ids["params"]))["top_stance"] == "refutes"

    out = tmp_path / "refuted.csv"
    result = run_cli(tmp_path, db_url, "export", "--format", "csv", "--label", "REFUTED", "--out", str(out))
    assert result.exit_code == 0 and result.output.strip() == f"3 verdicts -> {out}"
    assert len(list(csv.DictReader(out.open()))) == 3
    bad = run_cli(tmp_path, db_url, "export", "--format", "jsonl", "--run", "42")
    assert bad.exit_code == 1 and "InputError: no run with id 42" in bad.output


ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def test_export_claimreview_shape(tmp_path):
    url = f"sqlite:///{tmp_path / 'f.db'}"
    ids = populate(url)
    result = run_cli(tmp_path, url, "export", "--format", "claimreview", "--author", "Tech Desk")
    assert result.exit_code == 0
    reviews = json.loads(result.output)
    assert isinstance(reviews, list) and len(reviews) == 6
    for review in reviews:
        assert review["@context"] == "https://schema.org" and review["@type"] == "ClaimReview"
        assert isinstance(review["claimReviewed"], str) and review["claimReviewed"]
        assert ISO_DATE.match(review["datePublished"]) and date.fromisoformat(review["datePublished"])
        assert review["author"] == {"@type": "Organization", "name": "Tech Desk"}
        rating = review["reviewRating"]
        assert rating["@type"] == "Rating" and rating["alternateName"] in {"True", "False", "Unverified"}
        assert all(isinstance(rating[k], int) for k in ("ratingValue", "bestRating", "worstRating"))
        assert rating["worstRating"] <= rating["ratingValue"] <= rating["bestRating"]
        assert review["itemReviewed"]["@type"] == "Claim"
        assert re.match(r"^(https?://\S+#claim-\d+|urn:factcheck:claim:\d+)$", review["url"])
    by_claim = {r["claimReviewed"]: r for r in reviews}
    params = by_claim["Lumen 2 has 70 billion parameters."]
    assert params["reviewRating"]["alternateName"] == "False" and params["reviewRating"]["ratingValue"] == RATINGS["REFUTED"][0]
    assert params["url"] == f"https://www.Example.com:8443/news/lumen?ref=rss#claim-{ids['params']}"
    appearance = params["itemReviewed"]["appearance"]
    assert appearance == {"@type": "CreativeWork", "headline": "Lumen <2> launch",
                          "url": "https://www.Example.com:8443/news/lumen?ref=rss", "datePublished": "2021-01-01"}
    assert "appearance" not in by_claim["GPUs got cheaper."]["itemReviewed"]
    assert by_claim["GPUs got cheaper."]["url"] == f"urn:factcheck:claim:{ids['file']}"
    assert by_claim["Meridian bought 3 GW."]["reviewRating"]["alternateName"] == "True"
    based = json.loads(run_cli(tmp_path, url, "export", "--format", "claimreview", "--base-url",
                               "https://checks.example/r.html").output)
    assert all(r["url"].startswith("https://checks.example/r.html#claim-") for r in based)


# -- schema docs ------------------------------------------------------------------------------
def test_committed_schema_doc_is_current():
    committed = (ROOT / "docs" / "schema.md").read_text(encoding="utf-8")
    assert committed == render_schema_markdown(), "docs/schema.md is stale: run 'factcheck schema-doc --out docs/schema.md'"


def test_schema_doc_lists_columns_keys_and_views(tmp_path):
    out = tmp_path / "schema.md"
    result = CliRunner().invoke(cli, ["--home", str(tmp_path), "schema-doc", "--out", str(out)])
    assert result.exit_code == 0 and out.read_text() == render_schema_markdown()
    doc = out.read_text()
    assert "| `claim_id` | Integer | no | FK → `claims.id` on delete CASCADE, indexed |" in doc
    assert "| `url` | Text | yes |  |  |" in doc
    assert "A verdict on a claim. A new row is added only when the outcome changes" in doc
    for view in VIEWS:
        assert f"### `{view}`" in doc and f"CREATE VIEW {view} AS" in doc
    assert "PostgreSQL:" in doc and "to_char(" in doc


# -- HTML report ------------------------------------------------------------------------------
def _report(url: str, run_id=None) -> str:
    store = Store(url)
    try:
        with store.session() as s:
            return build_report(s, run_id)[0]
    finally:
        store.close()


def test_report_highlights_spans_escapes_and_is_self_contained(tmp_path):
    url = f"sqlite:///{tmp_path / 'f.db'}"
    ids = populate(url)
    html = _report(url)
    assert html.startswith("<!DOCTYPE html>")
    marks = re.findall(r'<mark class="claim (\w+)" id="claim-(\d+)"[^>]*><a href="#detail-\d+">(.*?)</a></mark>', html)
    assert ("refuted", str(ids["params"]), "Lumen 2 has 70 billion parameters.") in marks
    assert ("supported", str(ids["power"]), "Meridian bought 3 GW.") in marks
    assert ("nei", str(ids["licence"]), "It ships under &lt;Apache 2.0&gt; &amp; &quot;MIT&quot;.") in marks
    assert "<Apache" not in html and "Lumen &lt;2&gt; launch" in html
    assert f'<details id="detail-{ids["params"]}" class="refuted">' in html and SOURCE[:SPLIT - 1] in html
    assert "Claims without an article" in html and "GPUs got cheaper." in html
    assert not re.search(r"<link|<img|src=|@import|url\(", html)  # no external assets
    only_run2 = _report(url, ids["run2"])
    assert f'id="claim-{ids["params"]}"' in only_run2 and f'id="claim-{ids["power"]}"' not in only_run2
    assert "Run 2 (check_articles, completed)" in only_run2


def test_report_cli(tmp_path):
    url = f"sqlite:///{tmp_path / 'f.db'}"
    populate(url)
    out = tmp_path / "report.html"
    result = run_cli(tmp_path, url, "report", "--out", str(out))
    assert result.exit_code == 0 and result.output.strip() == f"6 claims in 3 articles -> {out}"
    assert out.read_text().count('<mark class="claim') == 5


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.slow
@pytest.mark.skipif(CHROMIUM is None, reason="chromium not installed (Debian package: chromium)")
def test_report_renders_in_headless_chromium(tmp_path):
    url = f"sqlite:///{tmp_path / 'f.db'}"
    ids = populate(url)
    page = tmp_path / "report.html"
    page.write_text(_report(url), encoding="utf-8")
    shot = tmp_path / "report.png"
    flags = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
             f"--user-data-dir={tmp_path / 'profile'}", "--window-size=1200,2000"]
    subprocess.run(flags + [f"--screenshot={shot}", page.as_uri()], check=True, capture_output=True, timeout=120)
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert (width, height) == (1200, 2000)
    dom = subprocess.run(flags + ["--dump-dom", page.as_uri()], check=True, capture_output=True, text=True,
                         timeout=120).stdout
    assert f'id="claim-{ids["params"]}"' in dom and 'data-label="REFUTED"' in dom and 'data-label="SUPPORTED"' in dom
    assert len(re.findall(r"<mark class=\"claim", dom)) == 5
