"""Watched folders and feeds (a real loopback HTTP server), recheck with kept history, on SQLite and PostgreSQL."""
from __future__ import annotations

import json
import threading
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from click.testing import CliRunner
from sqlalchemy import select, text

from factcheck.baseline import BaselineVerifier
from factcheck.embed import HashEmbedder
from factcheck.pipeline import Workspace, check_articles, index_sources, sync_index
from factcheck.recheck import NOT_ENOUGH_INFO, RETRIEVAL_CHANGED, find_affected, latest_verdicts, recheck
from factcheck.schema import VerdictRow
from factcheck.store import Store
from factcheck.watch import WatchState, collect, looks_like_feed, read_inputs

from conftest import EXAMPLES

STORY = ("Tessellate reported first-quarter revenue of $2.1 billion, up 31 percent from a year earlier. "
         "The company said data-centre demand drove the growth. Its chief executive said supply would stay tight "
         "through the end of the year, and that a second factory would open in 2026.")


class FeedServer:
    """A loopback HTTP server serving pages from a dict that tests change between runs."""

    def __init__(self):
        self.pages: dict[str, tuple[str, bytes]] = {}
        self.hits: list[str] = []
        pages, hits = self.pages, self.hits

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                hits.append(self.path)
                if self.path not in pages:
                    self.send_error(404)
                    return
                kind, body = pages[self.path]
                self.send_response(200)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *_args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server():
    srv = FeedServer()
    yield srv
    srv.close()


def rss(base: str, entries: list[tuple[str, str, str]]) -> bytes:
    items = "".join(f"<item><guid>{guid}</guid><title>{title}</title><link>{base}/story/{guid}.html</link>"
                    f"<description>{summary}</description><pubDate>Tue, 20 May 2025 08:00:00 GMT</pubDate></item>"
                    for guid, title, summary in entries)
    return (f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Tech wire</title>'
            f"<link>{base}/</link><description>news</description>{items}</channel></rss>").encode()


def atom(entries: list[tuple[str, str, str]]) -> bytes:
    items = "".join(f'<entry><id>urn:x:{eid}</id><title>{title}</title><updated>2025-05-21T00:00:00Z</updated>'
                    f'<summary>{summary}</summary></entry>' for eid, title, summary in entries)
    return (f'<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>A</title>'
            f"<id>urn:x</id><updated>2025-05-21T00:00:00Z</updated>{items}</feed>").encode()


# -- watched inputs -------------------------------------------------------------------------------
def test_folder_watch_takes_only_new_or_changed_files(db_url, tmp_path):
    store = Store(db_url)
    folder = tmp_path / "inbox"
    folder.mkdir()
    (folder / "a.md").write_text("# A\n\nAlpha shipped 3 chips.")
    (folder / "b.md").write_text("# B\n\nBeta raised $40 million.")
    first, taken = read_inputs([str(folder)], store, "check_articles", only_new=True)
    assert sorted(d.title for d in first.documents) == ["A", "B"] and len(taken) == 2
    again, taken = read_inputs([str(folder)], store, "check_articles", only_new=True)
    assert again.documents == [] and taken == []

    (folder / "b.md").write_text("# B\n\nBeta raised $45 million.")
    (folder / "c.md").write_text("# C\n\nGamma hired 12 people.")
    third, _ = read_inputs([str(folder)], store, "check_articles", only_new=True)
    assert sorted(d.title for d in third.documents) == ["B", "C"]
    # Another consumer has its own state; without only_new everything is read (and recorded).
    assert len(read_inputs([str(folder)], store, "index_sources", only_new=True)[0].documents) == 3
    assert len(read_inputs([str(folder)], store, "check_articles")[0].documents) == 3
    # A failed run releases what it took: the next run takes it again.
    WatchState(store, "check_articles").release([str(folder / "c.md")])
    assert [d.title for d in read_inputs([str(folder)], store, "check_articles", only_new=True)[0].documents] == ["C"]
    store.close()


def test_feed_entries_are_new_once_and_thin_entries_read_their_page(db_url, server):
    store = Store(db_url)
    server.pages["/feed.xml"] = ("application/rss+xml", rss(server.url, [
        ("s1", "Tessellate results", STORY),
        ("s2", "Short one", "Read more."),
    ]))
    server.pages["/story/s2.html"] = ("text/html", (
        "<html><head><title>Page title</title></head><body><nav>menu</nav><article><h1>Meridian deal</h1>"
        "<p>Meridian signed a 20-year power deal for its Ohio data centres, the company said on Monday.</p>"
        "</article></body></html>").encode())
    feed = f"feed:{server.url}/feed.xml"
    loaded, taken = read_inputs([feed], store, "check_articles", only_new=True)
    docs = {d.id: d for d in loaded.documents}
    assert loaded.problems == [] and sorted(taken) == ["s1", "s2"]
    assert docs["s1"].text == STORY and docs["s1"].title == "Tessellate results"
    assert docs["s1"].url == f"{server.url}/story/s1.html" and docs["s1"].published.isoformat() == "2025-05-20"
    assert "20-year power deal" in docs["s2"].text and "menu" not in docs["s2"].text  # fetched from its link
    assert "/story/s1.html" not in server.hits  # entries with enough text are not fetched

    server.hits.clear()
    again, taken = read_inputs([feed], store, "check_articles", only_new=True)
    assert again.documents == [] and taken == [] and server.hits == ["/feed.xml"]  # no page fetched

    server.pages["/feed.xml"] = ("application/rss+xml", rss(server.url, [
        ("s1", "Tessellate results", STORY.replace("31 percent", "33 percent")),
        ("s2", "Short one", "Read more."),
        ("s3", "New entry", STORY.replace("Tessellate", "Orbital")),
    ]))
    changed, _ = read_inputs([feed], store, "check_articles", only_new=True)
    assert sorted(d.id for d in changed.documents) == ["s1", "s3"]
    store.close()


def test_feeds_are_sniffed_from_content_type_or_body(server):
    server.pages["/atom"] = ("text/xml; charset=utf-8", atom([("e1", "Atom entry", STORY)]))
    server.pages["/rss-as-octets"] = ("application/octet-stream", rss(server.url, [("g1", "T", STORY)]))
    server.pages["/page.html"] = ("text/html", b"<html><body><p>" + STORY.encode() + b"</p></body></html>")
    found = collect([f"{server.url}/atom", f"{server.url}/rss-as-octets", f"{server.url}/page.html"])
    assert found.problems == []
    assert [(i.input.rsplit("/", 1)[-1], i.key) for i in found.items] == [
        ("atom", "urn:x:e1"), ("rss-as-octets", "g1"), ("page.html", f"{server.url}/page.html")]
    assert looks_like_feed("application/atom+xml", b"") and not looks_like_feed("text/html", b"<rss>")
    server.pages["/bad"] = ("application/rss+xml", b"<html>not a feed")
    bad = collect([f"feed:{server.url}/bad", f"feed:{server.url}/missing"])
    assert [p.item for p in bad.problems] == [f"feed:{server.url}/bad", f"feed:{server.url}/missing"]
    assert "404" in bad.problems[1].reason


@pytest.mark.postgres
def test_concurrent_takers_get_each_item_exactly_once(pg_url, tmp_path):
    folder = tmp_path / "inbox"
    folder.mkdir()
    for n in range(60):
        (folder / f"a{n:02d}.md").write_text(f"# A{n}\n\nArticle number {n} says {n} things.")
    stores = [Store(pg_url) for _ in range(4)]
    barrier = threading.Barrier(len(stores))
    results: list[list[str]] = [[] for _ in stores]

    def take(n):
        barrier.wait()
        results[n] = read_inputs([str(folder)], stores[n], "check_articles", only_new=True)[1]

    threads = [threading.Thread(target=take, args=(n,)) for n in range(len(stores))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    taken = [key for keys in results for key in keys]
    assert len(taken) == len(set(taken)) == 60
    for store in stores:
        store.close()


# -- pipeline with watched inputs, and recheck ----------------------------------------------------
@pytest.fixture
def checked(settings_factory, db_url):
    """Example sources indexed and example articles checked, with the fast hash embedder."""
    settings = settings_factory(database_url=db_url, top_k=3)
    ws = Workspace(settings, embedder=HashEmbedder(name="hash:64"), verifier=SpyVerifier())
    index_sources(settings, [str(EXAMPLES / "sources")], ws=ws)
    report = check_articles(settings, [str(EXAMPLES / "articles")], ws=ws)
    assert report.problems == [] and len(report.articles) == 4
    ws.verifier.seen.clear()
    return settings, ws, report


class SpyVerifier(BaselineVerifier):
    """The baseline verifier, recording which claims it was asked to verify."""

    def __init__(self):
        super().__init__()
        self.seen: list[str] = []

    def verify(self, claims, hits):
        self.seen.extend(claims)
        return super().verify(claims, hits)


def test_check_articles_only_new_checks_new_articles_once_and_releases_on_failure(settings_factory, db_url, tmp_path):
    settings = settings_factory(database_url=db_url)
    ws = Workspace(settings, embedder=HashEmbedder())
    index_sources(settings, [str(EXAMPLES / "sources")], ws=ws, only_new=True)
    assert index_sources(settings, [str(EXAMPLES / "sources")], ws=ws, only_new=True).counts()["added"] == 0
    folder = tmp_path / "inbox"
    folder.mkdir()
    (folder / "grok.md").write_text((EXAMPLES / "articles" / "grok-azure-foundry.md").read_text())
    first = check_articles(settings, [str(folder)], ws=ws, only_new=True)
    assert len(first.articles) == 1 and sum(first.labels.values()) > 3
    assert check_articles(settings, [str(folder)], ws=ws, only_new=True).articles == {}

    (folder / "lumen.md").write_text((EXAMPLES / "articles" / "lumen-2-open-weights.md").read_text())

    class Broken(BaselineVerifier):
        def verify(self, claims, hits):
            raise RuntimeError("verifier down")

    broken = Workspace(settings, embedder=ws.embedder, verifier=Broken())
    with pytest.raises(RuntimeError, match="verifier down"):
        check_articles(settings, [str(folder)], ws=broken, only_new=True)
    retried = check_articles(settings, [str(folder)], ws=ws, only_new=True)
    assert list(retried.articles) == [str(folder / "lumen.md")]


def test_recheck_without_source_changes_only_reverifies_nei_and_keeps_rows(checked):
    settings, ws, _ = checked
    rows_before = ws.store.counts()["verdicts"]
    considered, affected = find_affected(ws)
    nei = {row.claim_id for row in latest_verdicts(ws) if row.label == "NOT_ENOUGH_INFO"}
    assert considered == rows_before and affected == {cid: NOT_ENOUGH_INFO for cid in nei}
    report = recheck(settings, ws=ws)
    assert len(ws.verifier.seen) == len(nei) and report.changed == []
    assert ws.store.counts()["verdicts"] == rows_before


def test_recheck_reverifies_exactly_the_affected_claims_and_keeps_history(checked):
    settings, ws, _ = checked
    latest = {row.claim_id: row for row in latest_verdicts(ws)}
    claims = {c.id: c for c in ws.store.claims_by_id(sorted(latest))}
    nei = [cid for cid, row in latest.items() if row.label == "NOT_ENOUGH_INFO"]
    assert nei, "the sample should leave some claims without enough evidence"
    before_sets = {cid: {h.passage_id for h in hits} for cid, hits in
                   zip(claims, ws.retriever.retrieve([c.text for c in claims.values()], settings.top_k))}
    cutoff = datetime.now(timezone.utc)

    # A new source stating an unsupported claim word for word, and a cited source removed.
    target = claims[nei[0]]
    index_sources(settings, [str(write_source(settings.home, "new-source.md", target.text))], ws=ws)
    rows = ws.store.recent_verdicts(1000)
    cited = next(r["evidence"][0]["source_id"] for r in rows if r["label"] == "SUPPORTED")
    assert ws.store.delete_source(cited)
    sync_index(ws)

    after_sets = {cid: {h.passage_id for h in hits} for cid, hits in
                  zip(claims, ws.retriever.retrieve([c.text for c in claims.values()], settings.top_k))}
    expected = set(nei) | {cid for cid in claims if after_sets[cid] != before_sets[cid]}
    assert len(expected) < len(claims)  # recheck is selective
    considered, affected = find_affected(ws)
    assert set(affected) == expected and considered == len(claims)
    assert {cid for cid, reason in affected.items() if reason == RETRIEVAL_CHANGED} == expected - set(nei)

    report = recheck(settings, ws=ws)
    assert sorted(ws.verifier.seen) == sorted(claims[cid].text for cid in expected)
    assert target.id in report.changed and set(report.changed) <= expected

    with ws.store.session() as s:
        history = s.scalars(select(VerdictRow).where(VerdictRow.claim_id == target.id).order_by(VerdictRow.id)).all()
        assert [v.label for v in history] == ["NOT_ENOUGH_INFO", "SUPPORTED"]
        assert history[0].id == latest[target.id].verdict_id  # the old row is kept as it was
        # "What did we say about this claim before the sources changed, and why?"
        said = s.execute(text("SELECT v.label, e.source_external_id FROM verdicts v "
                              "LEFT JOIN evidence e ON e.verdict_id = v.id AND e.rank = 0 "
                              "WHERE v.claim_id = :c AND v.created_at <= :t ORDER BY v.id DESC LIMIT 1"),
                         {"c": target.id, "t": cutoff}).one()
        assert said.label == "NOT_ENOUGH_INFO"
    # Every changed claim has one more row; untouched claims keep exactly one.
    assert ws.store.counts()["verdicts"] == len(claims) + len(report.changed)

    ws.verifier.seen.clear()
    _, again = find_affected(ws)
    assert set(again) == {cid for cid, row in ((r.claim_id, r) for r in latest_verdicts(ws))
                          if row.label == "NOT_ENOUGH_INFO"}


def test_recheck_cli_prints_a_summary(checked):
    from factcheck.cli import cli

    settings, ws, _ = checked
    nei = sum(row.label == "NOT_ENOUGH_INFO" for row in latest_verdicts(ws))
    args = ["--home", str(settings.home), "--database-url", settings.db_url, "--embedding-model", "hash:64",
            "--top-k", "3", "--verifier", "baseline", "recheck"]   # the verifier that made the verdicts
    result = CliRunner().invoke(cli, args + ["--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert summary["affected"] == nei and summary["reasons"] == {"not-enough-info": nei} and summary["changed"] == 0
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0 and f"{nei} re-verified ({nei} not-enough-info), 0 verdicts changed" in result.output


def write_source(home, name: str, body: str):
    path = home / "new-sources" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"# Wire note\n\n{body}\n")
    return path
