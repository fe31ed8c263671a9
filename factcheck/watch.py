"""Watched inputs: folders, files, URLs and RSS/Atom feeds, of which a run can take only new or changed items.

An input is a feed when it starts with `feed:` (`feed:https://example.org/rss.xml`), or when it is an
http(s) URL whose response is RSS or Atom (content type with 'rss', 'atom' or 'xml', or a body
starting with `<rss`, `<feed` or `<?xml` .. `<rss`/`<feed`). A feed entry's key is its id (else its
link); its content is its title and summary, or the page at its link when the entry has little text.

What each consumer (a flow: 'check_articles', 'index_sources') has taken is kept in the SQL table
`watched_items` (key, content hash), so many workers share it: taking items is one atomic
INSERT .. ON CONFLICT DO UPDATE .. WHERE the hash changed, and a row goes to exactly one taker.
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Callable, Iterable, Sequence

from factcheck.errors import InputError
from factcheck.ingest import LoadResult, Problem, html_to_text, load_documents
from factcheck.records import Document, content_hash
from factcheck.store import Store

log = logging.getLogger("factcheck.watch")

FEED_PREFIX = "feed:"
THIN_ENTRY_CHARS = 200
_URL = re.compile(r"^https?://")
_FEED_START = re.compile(rb"^\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*(?:<!DOCTYPE[^>]*>\s*)?<(?:rss|feed|rdf:RDF)\b",
                         re.DOTALL)


@dataclass(frozen=True)
class Item:
    """One item of a watched input: its key, content hash and document (to be fetched when `link_only`)."""

    input: str
    key: str
    content_hash: str
    document: Document
    link_only: bool = False


@dataclass
class Collected:
    """Items found in a batch of inputs, and the inputs or entries that could not be read."""

    items: list[Item] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def is_feed_input(item: str) -> bool:
    """True for inputs with the explicit `feed:` prefix."""
    return item.startswith(FEED_PREFIX)


def looks_like_feed(content_type: str, body: bytes) -> bool:
    """Content-type sniffing: an RSS/Atom media type, or XML whose root is <rss>, <feed> or <rdf:RDF>."""
    kind = content_type.lower()
    if "rss" in kind or "atom" in kind:
        return True
    if "html" in kind or "json" in kind:
        return False
    return bool(_FEED_START.match(body[:4096]))


def collect(inputs: Iterable[str], fetch: Callable | None = None) -> Collected:
    """Every item of the inputs, with its key and content hash; feed links are not fetched yet."""
    out = Collected()
    for item in inputs:
        if is_feed_input(item):
            url = item[len(FEED_PREFIX):]
            try:
                response = _get(url, fetch)
            except InputError as error:
                out.problems.append(Problem(item, str(error)))
                continue
            _collect_feed(item, url, response.content, response.headers.get("content-type", ""), out)
        elif _URL.match(item):
            try:
                response = _get(item, fetch)
            except InputError as error:
                out.problems.append(Problem(item, str(error)))
                continue
            if looks_like_feed(response.headers.get("content-type", ""), response.content):
                _collect_feed(item, item, response.content, response.headers.get("content-type", ""), out)
            else:  # reuse the response: ingest reads HTML, JSONL or text from it
                _add_loaded(item, load_documents([item], fetch=lambda *_a, **_k: response), out)
        else:
            _add_loaded(item, load_documents([item]), out)
    return out


def materialize(items: Sequence[Item], fetch: Callable | None = None) -> tuple[list[Document], list[Problem], list[Item]]:
    """Documents for the items, fetching the page of thin feed entries; returns (documents, problems, failed items)."""
    documents, problems, failed = [], [], []
    for item in items:
        if not item.link_only:
            documents.append(item.document)
            continue
        doc = item.document
        loaded = load_documents([doc.url], fetch=fetch)
        page = next((d for d in loaded.documents if d.text.strip()), None)
        if page is not None:
            documents.append(replace(doc, title=doc.title or page.title, text=page.text))
        elif doc.text.strip():  # the page is unreadable: the entry's own short text is better than nothing
            log.warning("%s: using the feed entry's text; its page %s could not be read: %s", item.key, doc.url,
                        "; ".join(p.reason for p in loaded.problems) or "no text")
            documents.append(doc)
        else:
            reason = "; ".join(p.reason for p in loaded.problems) or "no readable text"
            problems.append(Problem(item.key, f"feed entry without text, and its link {doc.url!r} failed: {reason}"))
            failed.append(item)
    return documents, problems, failed


class WatchState:
    """What one consumer has taken from watched inputs, in SQL; safe with many concurrent workers."""

    def __init__(self, store: Store, consumer: str):
        self.store = store
        self.consumer = consumer

    def take(self, items: Sequence[Item]) -> list[Item]:
        """Record the items and return those new or changed since this consumer last took them.

        Atomic per row: of two concurrent takers of the same new item, exactly one gets it.
        """
        from factcheck.schema import WatchedItem, utcnow

        unique = {item.key: item for item in items}  # one row per key and statement
        if not unique:
            return []
        insert = _dialect_insert(self.store)
        taken: set[str] = set()
        keys = list(unique)
        with self.store.session.begin() as s:
            for first in range(0, len(keys), 500):
                rows = [{"consumer": self.consumer, "input": unique[k].input[:1000], "item_key": k,
                         "content_hash": unique[k].content_hash, "seen_at": utcnow()} for k in keys[first:first + 500]]
                stmt = insert(WatchedItem).values(rows)
                stmt = stmt.on_conflict_do_update(
                    index_elements=["consumer", "item_key"],
                    set_={"content_hash": stmt.excluded.content_hash, "input": stmt.excluded.input,
                          "seen_at": stmt.excluded.seen_at},
                    where=WatchedItem.content_hash != stmt.excluded.content_hash,
                ).returning(WatchedItem.item_key)
                taken.update(s.scalars(stmt))
        return [unique[k] for k in keys if k in taken]

    def release(self, keys: Iterable[str]) -> None:
        """Forget items, so the next run takes them again (after a failed run)."""
        from sqlalchemy import delete

        from factcheck.schema import WatchedItem

        keys = list(keys)
        with self.store.session.begin() as s:
            for first in range(0, len(keys), 500):
                s.execute(delete(WatchedItem).where(WatchedItem.consumer == self.consumer,
                                                    WatchedItem.item_key.in_(keys[first:first + 500])))


def read_inputs(inputs: Iterable[str], store: Store | None = None, consumer: str | None = None,
                only_new: bool = False, fetch: Callable | None = None) -> tuple[LoadResult, list[str]]:
    """Documents of the inputs, feeds included; returns them and the keys this call newly took.

    With a store and consumer, items are recorded in `watched_items`; `only_new` returns only
    the items new or changed since the consumer last took them. Release the returned keys
    (`WatchState.release`) when the run that processes them fails.
    """
    found = collect(inputs, fetch)
    state = WatchState(store, consumer) if store is not None and consumer else None
    if only_new and state is None:
        raise ValueError(f"only_new needs a store and a consumer, got store={store!r}, consumer={consumer!r}")
    taken = state.take(found.items) if state else []
    chosen = taken if only_new else found.items
    documents, problems, failed = materialize(chosen, fetch)
    if state and failed:
        state.release(item.key for item in failed)
    failed_keys = {item.key for item in failed}
    return (LoadResult(documents, found.problems + problems),
            [item.key for item in taken if item.key not in failed_keys])


# -- helpers ---------------------------------------------------------------------------------
def _get(url: str, fetch: Callable | None):
    import httpx

    try:
        response = (fetch or httpx.get)(url, timeout=30.0, follow_redirects=True)
        response.raise_for_status()
    except httpx.HTTPError as error:
        raise InputError(f"could not fetch ({error.__class__.__name__}: {error})") from None
    return response


def _add_loaded(item: str, loaded: LoadResult, out: Collected) -> None:
    out.problems.extend(loaded.problems)
    out.items.extend(Item(item, doc.id, doc.content_hash, doc) for doc in loaded.documents)


def _collect_feed(item: str, url: str, body: bytes, content_type: str, out: Collected) -> None:
    import feedparser

    parsed = feedparser.parse(body, response_headers={"content-type": content_type or "application/xml"})
    if not parsed.entries:  # an empty but valid feed is no problem
        if not parsed.version:
            error = parsed.get("bozo_exception")
            out.problems.append(Problem(item, "not an RSS or Atom feed"
                                        + (f" ({error.__class__.__name__}: {error})" if error else "")))
        return
    for number, entry in enumerate(parsed.entries, start=1):
        key = entry.get("id") or entry.get("link")
        if not key:
            out.problems.append(Problem(f"{item}#{number}", "feed entry has neither an id nor a link"))
            continue
        title = _plain(entry.get("title", ""))
        content = entry.get("content") or []
        body_html = content[0].get("value", "") if content else entry.get("summary", "")
        text = _plain(body_html)
        link = entry.get("link")
        published = _entry_date(entry)
        doc = Document(str(key), title, text, link, published)
        thin = len(text) < THIN_ENTRY_CHARS and bool(link) and bool(_URL.match(link or ""))
        if not text.strip() and not thin:
            out.problems.append(Problem(f"{item}#{number}", f"feed entry {key!r} has no text and no http(s) link"))
            continue
        digest = content_hash(f"{title}\n{text}\n{link or ''}")
        out.items.append(Item(item, str(key), digest, doc, link_only=thin))


def _plain(value: str) -> str:
    if "<" not in value:
        return " ".join(value.split())
    _title, text = html_to_text(f"<html><body><div>{value}</div></body></html>")
    return text


def _entry_date(entry) -> date | None:
    parsed = entry.get("published_parsed") or entry.get("updated_parsed")
    return date(*parsed[:3]) if parsed else None


def _dialect_insert(store: Store):
    if store.engine.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    elif store.engine.dialect.name == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    else:
        raise ValueError(f"watched inputs need PostgreSQL or SQLite, not {store.engine.dialect.name!r}")
    return insert
