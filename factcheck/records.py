"""Frozen records that flow through the pipeline: documents, passages, claims, hits, verdicts."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date
from enum import Enum


class Label(str, Enum):
    """The verdict on one claim."""

    SUPPORTED = "SUPPORTED"
    REFUTED = "REFUTED"
    NOT_ENOUGH_INFO = "NOT_ENOUGH_INFO"


class Stance(str, Enum):
    """What one passage says about one claim."""

    SUPPORTS = "supports"
    REFUTES = "refutes"
    NEUTRAL = "neutral"


def content_hash(text: str) -> str:
    """SHA-256 of the text with whitespace normalised, used to deduplicate content."""
    return hashlib.sha256(" ".join(text.split()).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Document:
    """An article or a source: its external id is the JSONL id, or its path or URL."""

    id: str
    title: str
    text: str
    url: str | None = None
    published: date | None = None

    @property
    def content_hash(self) -> str:
        return content_hash(self.title + "\n" + self.text)


@dataclass(frozen=True)
class Passage:
    """A window of a few sentences of a source, with character offsets into the source text."""

    source_id: str
    position: int
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Claim:
    """A checkable statement with its character span in the article it came from."""

    text: str
    start: int
    end: int
    article_id: str | None = None
    checkworthiness: float = 1.0

    @property
    def key(self) -> str:
        """Stable id across re-runs of the same article: article id, span and text."""
        raw = f"{self.article_id or ''}\x1f{self.start}\x1f{self.end}\x1f{' '.join(self.text.split())}"
        return hashlib.sha256(raw.encode("utf-8")).hexdigest()[:32]


@dataclass(frozen=True)
class Hit:
    """A retrieved passage for a claim, best first; scores are higher-is-better."""

    passage_id: int
    source_id: str
    text: str
    score: float
    dense: float | None = None
    lexical: float | None = None
    title: str | None = None
    relevance: float | None = None   # the second stage's relevance logit, where a relevance reranker scored it


@dataclass(frozen=True)
class Evidence:
    """A cited passage with its stance towards the claim, the verifier's score, and the quoted sentence(s)."""

    passage_id: int
    source_id: str
    text: str
    score: float
    stance: Stance
    quote: str = ""


@dataclass(frozen=True)
class Verdict:
    """The decision on one claim: label, confidence in [0, 1], cited evidence, the passage that decided it first."""

    label: Label
    confidence: float
    evidence: tuple[Evidence, ...] = field(default_factory=tuple)
