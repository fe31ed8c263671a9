"""Reading and writing articles, sources, claims, verdicts and runs in SQL."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Iterable, Sequence

from sqlalchemy import Engine, delete, func, select
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import sessionmaker

from factcheck import db
from factcheck.records import Claim, Document, Passage, Verdict
from factcheck.schema import (Article, ClaimRow, EvidenceRow, Passage as PassageRow, Run, Source, VerdictRow,
                              utcnow)


@dataclass(frozen=True)
class SourceChange:
    """What storing one source did: 'added', 'updated', 'unchanged' or 'duplicate' (of another id)."""

    external_id: str
    status: str
    removed_passage_ids: tuple[int, ...] = ()
    duplicate_of: str | None = None


@dataclass(frozen=True)
class StoredClaim:
    """A claim row as the verifier needs it."""

    id: int
    text: str
    article_id: str | None
    published: date | None


class Store:
    """All SQL access of the pipeline; one instance per process and database URL."""

    def __init__(self, url: str, migrate: bool = True):
        self.url = url
        self.engine: Engine = db.make_engine(url)
        if migrate:
            db.ensure_schema(self.engine)
        self.session = sessionmaker(self.engine, expire_on_commit=False)

    def close(self) -> None:
        self.engine.dispose()

    # -- runs -----------------------------------------------------------------------------
    def start_run(self, kind: str, params: dict | None = None, flow_run_id: str | None = None) -> int:
        with self.session.begin() as s:
            run = Run(kind=kind, params=params or {}, summary={}, flow_run_id=flow_run_id)
            s.add(run)
            s.flush()
            return run.id

    def finish_run(self, run_id: int, status: str, summary: dict) -> None:
        with self.session.begin() as s:
            run = s.get(Run, run_id)
            run.status, run.summary, run.finished_at = status, summary, utcnow()

    # -- sources and passages --------------------------------------------------------------
    def upsert_source(self, doc: Document, passages: Sequence[Passage]) -> SourceChange:
        """Store a source and its passages; a changed source replaces its passages (race-safe)."""
        return _retry_races(lambda: self._upsert_source(doc, passages))

    def _upsert_source(self, doc: Document, passages: Sequence[Passage]) -> SourceChange:
        digest = doc.content_hash
        with self.session.begin() as s:
            # FOR UPDATE (PostgreSQL): a concurrent writer of the same source waits, then sees our result.
            row = s.scalar(select(Source).where(Source.external_id == doc.id).with_for_update())
            if row is None:
                other = s.scalar(select(Source.external_id).where(Source.content_hash == digest,
                                                                  Source.external_id != doc.id).limit(1))
                if other is not None:
                    return SourceChange(doc.id, "duplicate", duplicate_of=other)
                row = Source(external_id=doc.id, content_hash=digest)
                s.add(row)
                status, removed = "added", ()
            elif row.content_hash == digest and row.published == doc.published and row.url == doc.url:
                return SourceChange(doc.id, "unchanged")
            else:
                removed = tuple(s.scalars(select(PassageRow.id).where(PassageRow.source_id == row.id)))
                s.execute(delete(PassageRow).where(PassageRow.source_id == row.id))
                status = "updated"
            row.title, row.text, row.url, row.published = doc.title, doc.text, doc.url, doc.published
            row.content_hash, row.updated_at = digest, utcnow()
            s.flush()
            s.add_all(PassageRow(source_id=row.id, position=p.position, start_char=p.start, end_char=p.end,
                                 text=p.text) for p in passages)
            return SourceChange(doc.id, status, removed)

    def delete_source(self, external_id: str) -> tuple[int, ...]:
        """Delete a source and its passages; returns the removed passage ids."""
        with self.session.begin() as s:
            row = s.scalar(select(Source).where(Source.external_id == external_id))
            if row is None:
                return ()
            removed = tuple(s.scalars(select(PassageRow.id).where(PassageRow.source_id == row.id)))
            s.delete(row)
            return removed

    def passage_ids(self) -> set[int]:
        with self.session() as s:
            return set(s.scalars(select(PassageRow.id)))

    def passage_fingerprint(self) -> str:
        """Changes whenever a passage is added or removed (ids are never reused)."""
        with self.session() as s:
            count, total, top = s.execute(select(func.count(PassageRow.id), func.coalesce(func.sum(PassageRow.id), 0),
                                                 func.coalesce(func.max(PassageRow.id), 0))).one()
        return f"{count}:{total}:{top}"

    def passages_for_embedding(self, ids: Iterable[int]) -> list[tuple[int, str]]:
        """(passage id, text to embed: source title and passage text) for the given ids."""
        ids = list(ids)
        out: list[tuple[int, str]] = []
        with self.session() as s:
            for chunk in _chunks(ids, 500):
                rows = s.execute(select(PassageRow.id, Source.title, PassageRow.text)
                                 .join(Source).where(PassageRow.id.in_(chunk)).order_by(PassageRow.id))
                out.extend((pid, f"{title}. {text}" if title else text) for pid, title, text in rows)
        return out

    def passage_rows(self, ids) -> dict[int, tuple[str, str, date | None, str | None]]:
        """{passage id: (source external id, passage text, source published date, source title)} for the stored ids."""
        ids = list(ids)
        rows: dict[int, tuple[str, str, date | None, str | None]] = {}
        query = select(PassageRow.id, Source.external_id, PassageRow.text, Source.published, Source.title).join(Source)
        with self.session() as s:
            for chunk in _chunks(ids, 500):
                rows.update((pid, (src, text, pub, title))
                            for pid, src, text, pub, title in s.execute(query.where(PassageRow.id.in_(chunk))))
        return rows

    def passage_count(self) -> int:
        with self.session() as s:
            return s.scalar(select(func.count(PassageRow.id)))

    def counts(self) -> dict[str, int]:
        with self.session() as s:
            return {name: s.scalar(select(func.count()).select_from(table)) for name, table in
                    [("sources", Source), ("passages", PassageRow), ("articles", Article), ("claims", ClaimRow),
                     ("verdicts", VerdictRow), ("runs", Run)]}

    # -- articles and claims ---------------------------------------------------------------
    def upsert_article(self, doc: Document) -> tuple[int, str]:
        """Store an article; returns its row id and 'added', 'updated' or 'unchanged' (race-safe)."""
        return _retry_races(lambda: self._upsert_article(doc))

    def _upsert_article(self, doc: Document) -> tuple[int, str]:
        digest = doc.content_hash
        with self.session.begin() as s:
            row = s.scalar(select(Article).where(Article.external_id == doc.id).with_for_update())
            if row is not None and row.content_hash == digest:
                return row.id, "unchanged"
            status = "updated" if row is not None else "added"
            if row is None:
                row = Article(external_id=doc.id)
                s.add(row)
            row.title, row.text, row.url, row.published = doc.title, doc.text, doc.url, doc.published
            row.content_hash, row.updated_at = digest, utcnow()
            s.flush()
            return row.id, status

    def upsert_claims(self, article_row_id: int | None, claims: Sequence[Claim], extractor: str,
                      external_ids: Sequence[str | None] | None = None) -> list[int]:
        """Store claims by their stable key (re-runs update, never duplicate); returns row ids in order.

        Race-safe: a concurrent insert of the same key makes this transaction retry and find the row.
        """
        return _retry_races(lambda: self._upsert_claims(article_row_id, claims, extractor, external_ids))

    def _upsert_claims(self, article_row_id: int | None, claims: Sequence[Claim], extractor: str,
                       external_ids: Sequence[str | None] | None = None) -> list[int]:
        ids = []
        with self.session.begin() as s:
            for n, claim in enumerate(claims):
                external_id = external_ids[n] if external_ids else None
                key = claim.key if external_id is None else _external_key(external_id, claim.text)
                row = s.scalar(select(ClaimRow).where(ClaimRow.key == key))
                if row is None:
                    row = ClaimRow(key=key)
                    s.add(row)
                row.article_id, row.external_id, row.text = article_row_id, external_id, claim.text
                row.start_char = claim.start if external_id is None else None
                row.end_char = claim.end if external_id is None else None
                row.checkworthiness, row.extractor = claim.checkworthiness, extractor
                s.flush()
                ids.append(row.id)
        return ids

    def claims_by_id(self, claim_ids: Sequence[int]) -> list[StoredClaim]:
        with self.session() as s:
            rows = s.execute(select(ClaimRow.id, ClaimRow.text, Article.external_id, Article.published)
                             .outerjoin(Article, Article.id == ClaimRow.article_id).where(ClaimRow.id.in_(list(claim_ids))))
            by_id = {r[0]: StoredClaim(*r) for r in rows}
        return [by_id[i] for i in claim_ids if i in by_id]

    # -- verdicts --------------------------------------------------------------------------
    def save_verdicts(self, run_id: int | None, items: Sequence[tuple[int, Verdict]], verifier: str,
                      verifier_version: str, embedding_model: str,
                      retrieved: Sequence[Sequence[int]] | None = None) -> int:
        """Store verdicts; a verdict equal to the claim's latest only refreshes its check time.

        `retrieved[i]` are the passage ids retrieved for item i (kept on the verdict for recheck).
        The claims' rows are locked first (PostgreSQL), so concurrent runs never add the same verdict
        twice. Returns how many new verdict rows were written.
        """
        written = 0
        with self.session.begin() as s:
            s.execute(select(ClaimRow.id).where(ClaimRow.id.in_(sorted({cid for cid, _ in items})))
                      .order_by(ClaimRow.id).with_for_update())
            for n, (claim_id, verdict) in enumerate(items):
                seen = [int(pid) for pid in retrieved[n]] if retrieved is not None else None
                latest = s.scalar(select(VerdictRow).where(VerdictRow.claim_id == claim_id)
                                  .order_by(VerdictRow.id.desc()).limit(1))
                if latest is not None and _same(latest, verdict, verifier, verifier_version):
                    latest.checked_at = utcnow()
                    if seen is not None:
                        latest.retrieved_ids = seen
                    continue
                row = VerdictRow(claim_id=claim_id, run_id=run_id, label=verdict.label.value,
                                 confidence=round(verdict.confidence, 4), verifier=verifier,
                                 verifier_version=verifier_version, embedding_model=embedding_model,
                                 retrieved_ids=seen)
                row.evidence = [EvidenceRow(rank=rank, passage_id=e.passage_id, source_external_id=e.source_id,
                                            text=e.text, score=e.score, stance=e.stance.value, quote=e.quote)
                                for rank, e in enumerate(verdict.evidence)]
                s.add(row)
                written += 1
        return written

    def recent_verdicts(self, limit: int = 50, run_id: int | None = None) -> list[dict]:
        """Latest verdicts, newest first, as plain dicts with their evidence."""
        query = self._verdict_query().order_by(VerdictRow.checked_at.desc(), VerdictRow.id.desc()).limit(limit)
        if run_id is not None:
            query = query.where(VerdictRow.run_id == run_id)
        return self._verdict_dicts(query)

    def latest_verdicts(self, claim_ids: Sequence[int]) -> list[dict]:
        """Each given claim's latest verdict (as in `recent_verdicts`), in claim id order."""
        out = []
        for chunk in _chunks(sorted(set(claim_ids)), 500):
            latest = (select(func.max(VerdictRow.id)).where(VerdictRow.claim_id.in_(chunk))
                      .group_by(VerdictRow.claim_id))
            out += self._verdict_dicts(self._verdict_query().where(VerdictRow.id.in_(latest)).order_by(ClaimRow.id))
        return out

    @staticmethod
    def _verdict_query():
        return (select(VerdictRow, ClaimRow, Article.external_id, Article.url).select_from(VerdictRow)
                .join(ClaimRow, ClaimRow.id == VerdictRow.claim_id)
                .outerjoin(Article, Article.id == ClaimRow.article_id))

    def _verdict_dicts(self, query) -> list[dict]:
        with self.session() as s:
            return [{
                "verdict_id": verdict.id, "claim_id": claim.id, "article_id": article, "article_url": url,
                "claim": claim.text, "start": claim.start_char, "end": claim.end_char,
                "label": verdict.label, "confidence": verdict.confidence, "verifier": verdict.verifier,
                "checked_at": verdict.checked_at.isoformat(timespec="seconds"), "run_id": verdict.run_id,
                "evidence": [{"source_id": e.source_external_id, "passage_id": e.passage_id, "text": e.text,
                              "score": e.score, "stance": e.stance, "quote": e.quote} for e in verdict.evidence],
            } for verdict, claim, article, url in s.execute(query)]


def _retry_races(work, attempts: int = 5):
    """Run a write transaction again when a concurrent writer won a unique-key race or a deadlock."""
    for attempt in range(attempts):
        try:
            return work()
        except IntegrityError:
            if attempt == attempts - 1:
                raise
        except DBAPIError as error:  # deadlock or serialization failure: PostgreSQL rolled us back
            if getattr(error.orig, "sqlstate", None) not in ("40P01", "40001") or attempt == attempts - 1:
                raise


# Confidences that differ by less than this are one outcome: a cross-encoder's scores move by about 1e-3
# with the batch a claim is verified in (other padding, other kernels), which is no new verdict.
CONFIDENCE_TOLERANCE = 0.01


def _same(row: VerdictRow, verdict: Verdict, verifier: str, version: str) -> bool:
    cited = [(e.passage_id, e.stance) for e in row.evidence]
    return (row.label == verdict.label.value and abs(row.confidence - round(verdict.confidence, 4)) < CONFIDENCE_TOLERANCE
            and row.verifier == verifier and row.verifier_version == version
            and cited == [(e.passage_id, e.stance.value) for e in verdict.evidence])


def _external_key(external_id: str, text: str) -> str:
    import hashlib

    return hashlib.sha256(f"claimfile\x1f{external_id}\x1f{' '.join(text.split())}".encode()).hexdigest()[:32]


def _chunks(items: list, size: int):
    for i in range(0, len(items), size):
        yield items[i:i + size]
