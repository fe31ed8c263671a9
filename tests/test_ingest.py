import json
from datetime import date

from factcheck.ingest import html_to_text, load_documents


def test_reads_markdown_with_title_and_published_line(tmp_path):
    path = tmp_path / "a.md"
    path.write_text("# Big news\nPublished: 2025-05-20\n\nMicrosoft will host Grok 3.\n")
    result = load_documents([str(path)])
    assert result.problems == []
    [doc] = result.documents
    assert doc.id == str(path) and doc.title == "Big news" and doc.published == date(2025, 5, 20)
    assert doc.text.strip() == "Microsoft will host Grok 3."


def test_html_is_reduced_to_readable_text():
    html = """<html><head><title>Grok on Azure</title><script>var x = 1;</script></head><body>
    <nav>Home | News</nav><article><h1>Grok on Azure</h1><p>Microsoft will host Grok 3.</p>
    <p>The catalog holds 1,900 models.</p></article><footer>Subscribe now</footer></body></html>"""
    title, text = html_to_text(html)
    assert title == "Grok on Azure"
    assert text == "Microsoft will host Grok 3.\n\nThe catalog holds 1,900 models."


def test_jsonl_bad_lines_are_reported_by_number_and_the_rest_is_read(tmp_path):
    path = tmp_path / "docs.jsonl"
    lines = [json.dumps({"id": "a", "title": "A", "text": "First.", "published": "2025-05-19"}),
             "{not json", json.dumps({"id": "b", "title": "B"}), "",
             json.dumps({"id": "c", "title": "C", "text": "Third.", "published": "yesterday"}),
             json.dumps({"id": 7, "title": "D", "text": "Fourth.", "url": "https://example.org/d"})]
    path.write_text("\n".join(lines))
    result = load_documents([str(path)])
    assert [d.id for d in result.documents] == ["a", "7"]
    assert result.documents[0].published == date(2025, 5, 19)
    assert result.documents[1].url == "https://example.org/d"
    problems = [str(p) for p in result.problems]
    assert problems[0].startswith(f"{path}:2: invalid JSON")
    assert problems[1] == f'{path}:3: missing or empty "text"'
    assert problems[2].startswith(f"{path}:5: \"published\" is not an ISO date")


def test_missing_empty_and_binary_inputs_are_problems_not_crashes(tmp_path):
    (tmp_path / "empty.txt").write_text("")
    (tmp_path / "junk.txt").write_bytes(b"\x00\x01\x02binary\xff\xfe")
    (tmp_path / "good.txt").write_text("A real sentence about chips.")
    result = load_documents([str(tmp_path / "missing.md"), str(tmp_path)])
    assert [d.title for d in result.documents] == ["good"]
    assert {str(p) for p in result.problems} == {
        f"{tmp_path / 'missing.md'}: no such file or directory",
        f"{tmp_path / 'empty.txt'}: empty file",
        f"{tmp_path / 'junk.txt'}: binary data, not a text file",
    }


def test_folders_are_read_recursively_in_order(tmp_path):
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "two.md").write_text("Second doc.")
    (tmp_path / "one.txt").write_text("First doc.")
    (tmp_path / "skip.pdf").write_bytes(b"%PDF")
    result = load_documents([str(tmp_path)])
    assert [d.text for d in result.documents] == ["Second doc.", "First doc."] or \
        [d.text for d in result.documents] == ["First doc.", "Second doc."]
    assert result.problems == []


def test_url_is_fetched_from_a_real_loopback_server(tmp_path):
    import http.server
    import threading

    page = b"<html><title>Wire</title><body><article><p>Nvidia shipped 1,000 racks.</p></article></body></html>"

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            if self.path == "/missing":
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(page)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        result = load_documents([f"{base}/story", f"{base}/missing"])
    finally:
        server.shutdown()
    [doc] = result.documents
    assert doc.id == f"{base}/story" and doc.url == doc.id and doc.text == "Nvidia shipped 1,000 racks."
    [problem] = result.problems
    assert problem.item == f"{base}/missing" and "404" in problem.reason
