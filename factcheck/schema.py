"""The SQL schema (SQLAlchemy 2 ORM). Alembic migrations in migrations/ own the database."""
from __future__ import annotations

from datetime import date, datetime, timezone

from sqlalchemy import (JSON, Date, DateTime, Float, ForeignKey, Integer, MetaData, String, Text,
                        UniqueConstraint)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Run(Base):
    """One pipeline run: indexing sources, checking articles or verifying a claims file."""

    __tablename__ = "runs"
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(20), default="running")
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    flow_run_id: Mapped[str | None] = mapped_column(String(64), doc="Prefect flow run id, when run by Prefect.")
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    summary: Mapped[dict] = mapped_column(JSON, default=dict)


class DocumentColumns:
    """Columns shared by sources and articles: ids, metadata, the text and its hash."""

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str] = mapped_column(String(1000), unique=True)
    title: Mapped[str] = mapped_column(Text, default="")
    url: Mapped[str | None] = mapped_column(Text)
    published: Mapped[date | None] = mapped_column(Date, index=True)
    content_hash: Mapped[str] = mapped_column(String(64), index=True)
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Source(DocumentColumns, Base):
    """A trusted source document; `external_id` is its JSONL id, path or URL."""

    __tablename__ = "sources"
    __table_args__ = {"sqlite_autoincrement": True}
    passages: Mapped[list[Passage]] = relationship(back_populates="source", cascade="all, delete-orphan",
                                                   passive_deletes=True)


class Passage(Base):
    """A window of sentences of a source; its id is its vector id in the FAISS index."""

    __tablename__ = "passages"
    __table_args__ = (UniqueConstraint("source_id", "position"), {"sqlite_autoincrement": True})
    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    start_char: Mapped[int] = mapped_column(Integer)
    end_char: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    source: Mapped[Source] = relationship(back_populates="passages")


class Article(DocumentColumns, Base):
    """An article to check; `external_id` is its JSONL id, path or URL."""

    __tablename__ = "articles"


class ClaimRow(Base):
    """A claim, from an article (with its span) or from a claims file (with its external id)."""

    __tablename__ = "claims"
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True, doc="Stable id: hash of article, span and text.")
    article_id: Mapped[int | None] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), index=True)
    external_id: Mapped[str | None] = mapped_column(String(1000))
    text: Mapped[str] = mapped_column(Text)
    start_char: Mapped[int | None] = mapped_column(Integer)
    end_char: Mapped[int | None] = mapped_column(Integer)
    checkworthiness: Mapped[float] = mapped_column(Float, default=1.0)
    extractor: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class VerdictRow(Base):
    """A verdict on a claim. A new row is added only when the outcome changes, so rows are history."""

    __tablename__ = "verdicts"
    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id", ondelete="CASCADE"), index=True)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("runs.id", ondelete="SET NULL"), index=True)
    label: Mapped[str] = mapped_column(String(20), index=True)
    confidence: Mapped[float] = mapped_column(Float)
    verifier: Mapped[str] = mapped_column(String(200))
    verifier_version: Mapped[str] = mapped_column(String(300))
    embedding_model: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    checked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow,
                                                 doc="Last time a run reached this same verdict.")
    retrieved_ids: Mapped[list | None] = mapped_column(
        JSON, doc="Passage ids (best first) the latest check reaching this verdict retrieved; recheck compares them.")
    evidence: Mapped[list[EvidenceRow]] = relationship(back_populates="verdict", cascade="all, delete-orphan",
                                                       order_by="EvidenceRow.rank", passive_deletes=True)


class EvidenceRow(Base):
    """A passage cited by a verdict, with its stance; the text is kept even if the source changes."""

    __tablename__ = "evidence"
    id: Mapped[int] = mapped_column(primary_key=True)
    verdict_id: Mapped[int] = mapped_column(ForeignKey("verdicts.id", ondelete="CASCADE"), index=True)
    rank: Mapped[int] = mapped_column(Integer)
    passage_id: Mapped[int | None] = mapped_column(ForeignKey("passages.id", ondelete="SET NULL"), index=True)
    source_external_id: Mapped[str] = mapped_column(String(1000))
    text: Mapped[str] = mapped_column(Text)
    score: Mapped[float] = mapped_column(Float)
    stance: Mapped[str] = mapped_column(String(20))
    quote: Mapped[str] = mapped_column(Text, default="", doc="The sentence(s) of the passage that bear on the claim.")
    verdict: Mapped[VerdictRow] = relationship(back_populates="evidence")


class WatchedItem(Base):
    """An item of a watched input (folder file, JSONL line, feed entry) as last picked up, per consumer flow."""

    __tablename__ = "watched_items"
    __table_args__ = (UniqueConstraint("consumer", "item_key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    consumer: Mapped[str] = mapped_column(String(40), doc="Which flow picked it up: 'check_articles', 'index_sources'.")
    input: Mapped[str] = mapped_column(String(1000), doc="The watched input: folder, file or feed URL.")
    item_key: Mapped[str] = mapped_column(String(1000), doc="The item's document id: path, JSONL id, entry id or link.")
    content_hash: Mapped[str] = mapped_column(String(64))
    seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
