"""Reading articles and sources from files, folders, JSONL and URLs into `Document`s.

A batch never dies on one bad item: each unreadable file, line or URL becomes a `Problem`
naming it, and the rest is read.
"""
from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Iterable, Iterator

from factcheck.errors import InputError
from factcheck.records import Document

TEXT_SUFFIXES = {".txt", ".md", ".markdown", ".text"}
HTML_SUFFIXES = {".html", ".htm"}
JSONL_SUFFIXES = {".jsonl", ".ndjson"}
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES | JSONL_SUFFIXES
_METADATA_LINE = re.compile(r"[ \t]*(?:published|date|author|by|updated)[ \t]*:[^\n]*(?:\n|$)", re.IGNORECASE)
_PUBLISHED_LINE = re.compile(r"^\s*(?:published|date)\s*:\s*(\d{4}-\d{2}-\d{2})", re.IGNORECASE | re.MULTILINE)


@dataclass(frozen=True)
class Problem:
    """An input item that was skipped, and why."""

    item: str
    reason: str

    def __str__(self) -> str:
        return f"{self.item}: {self.reason}"


@dataclass
class LoadResult:
    """Documents read from a batch of inputs, and the items that were skipped."""

    documents: list[Document] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def load_documents(inputs: Iterable[str], fetch=None) -> LoadResult:
    """Read every input (file, folder, JSONL file or http(s) URL); bad items become problems."""
    result = LoadResult()
    for item in inputs:
        if re.match(r"^https?://", item):
            try:
                result.documents.extend(_from_url(item, fetch))
            except InputError as error:
                result.problems.append(Problem(item, str(error)))
            continue
        path = Path(item)
        if not path.exists():
            result.problems.append(Problem(item, "no such file or directory"))
            continue
        files = sorted(_walk(path)) if path.is_dir() else [path]
        if path.is_dir() and not files:
            result.problems.append(Problem(item, "folder holds no .txt, .md, .html or .jsonl files"))
        for file in files:
            _read_file(file, result)
    return result


def _walk(folder: Path) -> Iterator[Path]:
    for root, dirs, names in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in names:
            if Path(name).suffix.lower() in SUPPORTED_SUFFIXES and not name.startswith("."):
                yield Path(root) / name


def _read_file(path: Path, result: LoadResult) -> None:
    name = os.path.normpath(str(path))
    try:
        text = _read_text(path)
    except InputError as error:
        result.problems.append(Problem(name, str(error)))
        return
    suffix = path.suffix.lower()
    if suffix in JSONL_SUFFIXES:
        docs, problems = parse_jsonl(text, name)
        result.documents.extend(docs)
        result.problems.extend(problems)
    elif suffix in HTML_SUFFIXES:
        title, body = html_to_text(text)
        _append(result, name, Document(name, title or path.stem, body, None, _published_in(body)))
    else:
        title, body = _split_title(text, path.stem)
        _append(result, name, Document(name, title, body, None, _published_in(text)))


def _append(result: LoadResult, name: str, doc: Document) -> None:
    if doc.text.strip():
        result.documents.append(doc)
    else:
        result.problems.append(Problem(name, "no readable text"))


def _read_text(path: Path) -> str:
    data = path.read_bytes()
    if not data.strip():
        raise InputError("empty file")
    if b"\x00" in data[:8192]:
        raise InputError("binary data, not a text file")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise InputError(f"not UTF-8 text (byte {error.start})") from None


def parse_jsonl(text: str, name: str) -> tuple[list[Document], list[Problem]]:
    """Documents from JSONL lines {"id", "title", "text", "url"?, "published"?}; bad lines become problems."""
    docs, problems = [], []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{name}:{number}"
        try:
            docs.append(document_from_record(json.loads(line), where))
        except json.JSONDecodeError as error:
            problems.append(Problem(where, f"invalid JSON ({error.msg})"))
        except InputError as error:
            problems.append(Problem(where, str(error)))
    return docs, problems


def document_from_record(record: object, where: str) -> Document:
    """A Document from one JSONL record, checking its fields."""
    if not isinstance(record, dict):
        raise InputError("expected a JSON object")
    text = record.get("text")
    if not isinstance(text, str) or not text.strip():
        raise InputError('missing or empty "text"')
    doc_id = record.get("id")
    if doc_id is None or (isinstance(doc_id, str) and not doc_id.strip()) or isinstance(doc_id, (dict, list, bool)):
        raise InputError('missing "id" (a string or number)')
    title = record.get("title") or ""
    url = record.get("url")
    if not isinstance(title, str) or (url is not None and not isinstance(url, str)):
        raise InputError('"title" and "url" must be strings')
    return Document(str(doc_id), title, text, url, parse_date(record.get("published"), where))


def parse_date(value: object, where: str = "") -> date | None:
    """An ISO date (a datetime's date part is accepted) or None."""
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise InputError(f'"published" must be an ISO date string, got {value!r}')
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        raise InputError(f'"published" is not an ISO date: {value!r}') from None


def html_to_text(html: str) -> tuple[str, str]:
    """The title and readable text of an HTML page: scripts, navigation and footers dropped."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    for tag in soup(["script", "style", "noscript", "nav", "header", "footer", "aside", "form", "svg", "iframe"]):
        tag.decompose()
    title = soup.title.get_text(" ", strip=True) if soup.title else ""
    root = soup.find("article") or soup.find("main") or soup.body or soup
    h1 = root.find("h1")
    if h1 is not None:
        title = title or h1.get_text(" ", strip=True)
        h1.decompose()
    blocks = []
    for element in root.find_all(["p", "li", "h2", "h3", "h4", "blockquote", "pre", "td"]):
        if element.find(["p", "li"]):
            continue
        line = " ".join(element.get_text(" ", strip=True).split())
        if line:
            blocks.append(line)
    if not blocks:
        blocks = [" ".join(root.get_text(" ", strip=True).split())]
    return title, "\n\n".join(blocks)


def _split_title(text: str, fallback: str) -> tuple[str, str]:
    """A leading Markdown '# heading' is the title; the text keeps every character after it."""
    match = re.match(r"\s*#\s+(.+?)\s*(\n|$)", text)
    if not match:
        return fallback, text
    body = match.end()
    while meta := _METADATA_LINE.match(text, body):  # 'Published: 2025-05-20' lines under the title
        body = meta.end()
    return match.group(1), text[body:]


def _published_in(text: str) -> date | None:
    match = _PUBLISHED_LINE.search(text[:500])
    if not match:
        return None
    try:
        return date.fromisoformat(match.group(1))
    except ValueError:
        return None


def _from_url(url: str, fetch=None) -> list[Document]:
    """Fetch one URL; HTML is reduced to text, JSONL parsed, anything else read as text."""
    import httpx

    try:
        response = (fetch or httpx.get)(url, timeout=30.0, follow_redirects=True)
        response.raise_for_status()
    except httpx.HTTPError as error:
        raise InputError(f"could not fetch ({error.__class__.__name__}: {error})") from None
    kind = response.headers.get("content-type", "")
    if "html" in kind:
        title, body = html_to_text(response.text)
        return [Document(url, title or url, body, url, None)] if body.strip() else []
    if "json" in kind or url.endswith((".jsonl", ".ndjson")):
        docs, problems = parse_jsonl(response.text, url)
        if problems:
            raise InputError("; ".join(map(str, problems)))
        return docs
    if not response.text.strip():
        raise InputError("empty response")
    return [Document(url, url, response.text, url, None)]
