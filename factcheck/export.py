"""Verdicts out of the database: JSON lines, CSV, and schema.org ClaimReview JSON-LD."""
from __future__ import annotations

import csv
import io
import json
from dataclasses import asdict, dataclass
from datetime import date, datetime, timezone

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from factcheck.errors import InputError
from factcheck.records import Label
from factcheck.schema import Article, ClaimRow, EvidenceRow, Run, VerdictRow

FORMATS = ("jsonl", "csv", "claimreview")

# How a label reads in ClaimReview: ratingValue on a 1..3 scale and the textual rating (alternateName).
RATINGS = {
    Label.REFUTED.value: (1, "False"),
    Label.NOT_ENOUGH_INFO.value: (2, "Unverified"),
    Label.SUPPORTED.value: (3, "True"),
}
BEST_RATING, WORST_RATING = 3, 1


@dataclass(frozen=True)
class ArticleInfo:
    """The article a claim came from."""

    id: int
    external_id: str
    title: str
    url: str | None
    published: date | None


@dataclass(frozen=True)
class EvidenceInfo:
    """A passage a verdict cites."""

    rank: int
    source_id: str
    passage_id: int | None
    stance: str
    score: float
    text: str


@dataclass(frozen=True)
class VerdictInfo:
    """One verdict with its claim, article and evidence, as exports and reports need it."""

    verdict_id: int
    claim_id: int
    claim: str
    claim_external_id: str | None
    start: int | None
    end: int | None
    label: str
    confidence: float
    verifier: str
    verifier_version: str
    run_id: int | None
    created_at: datetime
    checked_at: datetime
    article: ArticleInfo | None
    evidence: tuple[EvidenceInfo, ...]


def check_label(label: str | None) -> str | None:
    """The stored label for a user-typed one ('refuted' -> 'REFUTED'); InputError when unknown."""
    if label is None:
        return None
    wanted = label.strip().upper().replace("-", "_").replace(" ", "_")
    if wanted not in {item.value for item in Label}:
        raise InputError(f"unknown label {label!r}; expected one of {', '.join(item.value for item in Label)}")
    return wanted


def load_verdicts(session: Session, run_id: int | None = None, label: str | None = None) -> list[VerdictInfo]:
    """The latest verdict of each claim, or with `run_id` the verdicts of the claims that run checked.

    A run checked a claim when it wrote one of the claim's verdict rows, or when the claim's latest verdict
    was confirmed (checked_at) while the run was running; the verdict shown is the one that run reached.
    """
    label = check_label(label)
    latest = select(func.max(VerdictRow.id)).group_by(VerdictRow.claim_id)
    if run_id is None:
        condition = VerdictRow.id.in_(latest)
    else:
        run = session.get(Run, run_id)
        if run is None:
            raise InputError(f"no run with id {run_id!r}")
        confirmed = VerdictRow.checked_at >= run.started_at
        if run.finished_at is not None:
            confirmed = and_(confirmed, VerdictRow.checked_at <= run.finished_at)
        condition = or_(VerdictRow.run_id == run_id, and_(VerdictRow.id.in_(latest), confirmed))
    query = (select(VerdictRow, ClaimRow, Article).select_from(VerdictRow)
             .join(ClaimRow, ClaimRow.id == VerdictRow.claim_id)
             .outerjoin(Article, Article.id == ClaimRow.article_id)
             .where(condition).order_by(VerdictRow.id))
    chosen: dict[int, tuple] = {}
    for verdict, claim, article in session.execute(query):
        chosen[claim.id] = (verdict, claim, article)  # the newest row of a claim wins
    rows = [r for r in chosen.values() if label is None or r[0].label == label]
    rows.sort(key=lambda r: (r[2].external_id if r[2] else "\uffff", r[1].start_char or 0, r[1].id))
    evidence = _evidence(session, [verdict.id for verdict, _, _ in rows])
    return [_info(verdict, claim, article, evidence.get(verdict.id, ())) for verdict, claim, article in rows]


def _evidence(session: Session, verdict_ids: list[int]) -> dict[int, tuple[EvidenceInfo, ...]]:
    out: dict[int, list[EvidenceInfo]] = {}
    for first in range(0, len(verdict_ids), 500):
        chunk = verdict_ids[first:first + 500]
        for row in session.scalars(select(EvidenceRow).where(EvidenceRow.verdict_id.in_(chunk))
                                   .order_by(EvidenceRow.verdict_id, EvidenceRow.rank)):
            out.setdefault(row.verdict_id, []).append(
                EvidenceInfo(row.rank, row.source_external_id, row.passage_id, row.stance, row.score, row.text))
    return {key: tuple(value) for key, value in out.items()}


def _info(verdict: VerdictRow, claim: ClaimRow, article: Article | None, evidence) -> VerdictInfo:
    info = None
    if article is not None:
        info = ArticleInfo(article.id, article.external_id, article.title, article.url, article.published)
    return VerdictInfo(verdict.id, claim.id, claim.text, claim.external_id, claim.start_char, claim.end_char,
                       verdict.label, verdict.confidence, verdict.verifier, verdict.verifier_version, verdict.run_id,
                       _utc(verdict.created_at), _utc(verdict.checked_at), info, tuple(evidence))


def _utc(value: datetime) -> datetime:
    """SQLite returns naive UTC timestamps, PostgreSQL aware ones: make both aware UTC."""
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


# -- formats ----------------------------------------------------------------------------------
def verdict_json(item: VerdictInfo) -> dict:
    """One verdict as a flat JSON object with its evidence list."""
    article = item.article
    return {
        "verdict_id": item.verdict_id, "claim_id": item.claim_id, "claim": item.claim,
        "claim_external_id": item.claim_external_id, "start": item.start, "end": item.end,
        "article_id": article.external_id if article else None, "article_title": article.title if article else None,
        "article_url": article.url if article else None,
        "article_published": article.published.isoformat() if article and article.published else None,
        "label": item.label, "confidence": item.confidence, "verifier": item.verifier,
        "verifier_version": item.verifier_version, "run_id": item.run_id,
        "created_at": item.created_at.isoformat(timespec="seconds"),
        "checked_at": item.checked_at.isoformat(timespec="seconds"),
        "evidence": [asdict(e) for e in item.evidence],
    }


CSV_COLUMNS = ("verdict_id", "claim_id", "claim", "claim_external_id", "start", "end", "article_id",
               "article_title", "article_url", "article_published", "label", "confidence", "verifier",
               "verifier_version", "run_id", "created_at", "checked_at", "evidence_count", "top_source_id",
               "top_stance", "top_score", "top_evidence")


def to_jsonl(items: list[VerdictInfo]) -> str:
    return "".join(json.dumps(verdict_json(item), ensure_ascii=False) + "\n" for item in items)


def to_csv(items: list[VerdictInfo]) -> str:
    """One row per verdict; the best evidence passage in the top_* columns."""
    out = io.StringIO()
    writer = csv.DictWriter(out, CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for item in items:
        row = verdict_json(item)
        evidence = row.pop("evidence")
        top = evidence[0] if evidence else {}
        row.update(evidence_count=len(evidence), top_source_id=top.get("source_id"), top_stance=top.get("stance"),
                   top_score=top.get("score"), top_evidence=top.get("text"))
        writer.writerow(row)
    return out.getvalue()


def claim_review(item: VerdictInfo, author: str = "factcheck", base_url: str | None = None) -> dict:
    """A schema.org ClaimReview for one verdict (labels map through RATINGS)."""
    value, name = RATINGS[item.label]
    review = {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": review_url(item, base_url),
        "claimReviewed": item.claim,
        "datePublished": item.created_at.date().isoformat(),
        "author": {"@type": "Organization", "name": author},
        "reviewRating": {"@type": "Rating", "ratingValue": value, "bestRating": BEST_RATING,
                         "worstRating": WORST_RATING, "alternateName": name},
        "itemReviewed": {"@type": "Claim"},
    }
    article = item.article
    if article is not None:
        work = {"@type": "CreativeWork", "headline": article.title or article.external_id}
        if article.url:
            work["url"] = article.url
        if article.published:
            work["datePublished"] = article.published.isoformat()
        review["itemReviewed"]["appearance"] = work
        if article.published:
            review["itemReviewed"]["datePublished"] = article.published.isoformat()
    return review


def review_url(item: VerdictInfo, base_url: str | None = None) -> str:
    """<base or article url>#claim-<id>; 'urn:factcheck:claim:<id>' when there is neither."""
    base = base_url or (item.article.url if item.article else None)
    if not base:
        return f"urn:factcheck:claim:{item.claim_id}"
    return f"{base.split('#', 1)[0]}#claim-{item.claim_id}"


def to_claimreview(items: list[VerdictInfo], author: str = "factcheck", base_url: str | None = None) -> str:
    """A JSON array of ClaimReview objects, each with its own @context."""
    reviews = [claim_review(item, author, base_url) for item in items]
    return json.dumps(reviews, ensure_ascii=False, indent=2) + "\n"


def render(items: list[VerdictInfo], fmt: str, author: str = "factcheck", base_url: str | None = None) -> str:
    """The verdicts in one of FORMATS."""
    if fmt == "jsonl":
        return to_jsonl(items)
    if fmt == "csv":
        return to_csv(items)
    if fmt == "claimreview":
        return to_claimreview(items, author, base_url)
    raise InputError(f"unknown export format {fmt!r}; expected one of {', '.join(FORMATS)}")
