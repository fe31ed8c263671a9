"""Recheck: after sources are added, changed or removed, re-verify the claims whose verdict could change.

A claim is affected when its latest verdict
  - is NOT_ENOUGH_INFO (new evidence may settle it),
  - was made by another verifier or verifier version than the current one,
  - has no record of the passages it retrieved (verdicts stored before migration 0003), or
  - retrieved a different set of passages than the claim retrieves now: a passage it saw was
    removed or changed (changed sources get new passage ids), or a new passage entered its top-k.
Re-retrieval is cheap (one embedding per claim, FAISS and BM25 lookups); only affected claims go
through the verifier. The set, not the order, of the top-k is compared: BM25 scores of all
passages shift whenever the corpus changes, which reorders without changing what is seen.
New verdicts are new rows: history is kept (see README, "SQL over the verdicts").
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Sequence

from sqlalchemy import func, select

from factcheck.pipeline import Workspace, evidence_cutoff, verify_stored_claims, workspace
from factcheck.records import Label
from factcheck.schema import VerdictRow
from factcheck.settings import Settings

NOT_ENOUGH_INFO = "not-enough-info"
VERIFIER_CHANGED = "verifier-changed"
NO_RETRIEVAL_RECORD = "no-retrieval-record"
RETRIEVAL_CHANGED = "retrieval-changed"


@dataclass(frozen=True)
class LatestVerdict:
    """The latest verdict of a claim, as recheck needs it."""

    claim_id: int
    verdict_id: int
    label: str
    verifier: str
    verifier_version: str
    retrieved_ids: tuple[int, ...] | None


@dataclass
class RecheckReport:
    """What a recheck did: claims considered, affected ones with their reason, verdicts that changed."""

    run_id: int | None
    considered: int = 0
    affected: dict[int, str] = field(default_factory=dict)
    changed: list[int] = field(default_factory=list)
    labels: Counter = field(default_factory=Counter)

    def summary(self) -> dict:
        return {"considered": self.considered, "affected": len(self.affected),
                "reasons": dict(Counter(self.affected.values())), "changed": len(self.changed),
                "labels": dict(self.labels)}


def latest_verdicts(ws: Workspace, claim_ids: Sequence[int] | None = None) -> list[LatestVerdict]:
    """The latest verdict of every claim that has one (or of the given claims), by claim id."""
    latest = select(func.max(VerdictRow.id)).group_by(VerdictRow.claim_id)
    if claim_ids is not None:
        latest = latest.where(VerdictRow.claim_id.in_(list(claim_ids)))
    query = (select(VerdictRow.claim_id, VerdictRow.id, VerdictRow.label, VerdictRow.verifier,
                    VerdictRow.verifier_version, VerdictRow.retrieved_ids)
             .where(VerdictRow.id.in_(latest.scalar_subquery())).order_by(VerdictRow.claim_id))
    with ws.store.session() as s:
        return [LatestVerdict(cid, vid, label, verifier, version,
                              tuple(int(p) for p in retrieved) if retrieved is not None else None)
                for cid, vid, label, verifier, version, retrieved in s.execute(query)]


def find_affected(ws: Workspace, claim_ids: Sequence[int] | None = None, as_of_published: bool = False,
                  batch_size: int = 256) -> tuple[int, dict[int, str]]:
    """(claims considered, {claim id: reason}) for the claims whose verdict could change now."""
    rows = latest_verdicts(ws, claim_ids)
    affected: dict[int, str] = {}
    to_retrieve = []
    for row in rows:
        if row.label == Label.NOT_ENOUGH_INFO.value:
            affected[row.claim_id] = NOT_ENOUGH_INFO
        elif (row.verifier, row.verifier_version) != (ws.verifier.name, ws.verifier.version):
            affected[row.claim_id] = VERIFIER_CHANGED
        elif row.retrieved_ids is None:
            affected[row.claim_id] = NO_RETRIEVAL_RECORD
        else:
            to_retrieve.append(row)
    for first in range(0, len(to_retrieve), batch_size):
        batch = to_retrieve[first:first + batch_size]
        claims = {c.id: c for c in ws.store.claims_by_id([row.claim_id for row in batch])}
        batch = [row for row in batch if row.claim_id in claims]
        cutoffs = [evidence_cutoff(claims[row.claim_id].published, as_of_published, None) for row in batch]
        hits = ws.retriever.retrieve([claims[row.claim_id].text for row in batch], ws.settings.top_k,
                                     cutoffs if any(cutoffs) else None)
        for row, claim_hits in zip(batch, hits):
            if {h.passage_id for h in claim_hits} != set(row.retrieved_ids):
                affected[row.claim_id] = RETRIEVAL_CHANGED
    return len(rows), affected


def recheck(settings: Settings, ws: Workspace | None = None, claim_ids: Sequence[int] | None = None,
            as_of_published: bool = False) -> RecheckReport:
    """Find the affected claims and re-verify them; changed outcomes become new verdict rows."""
    ws = ws or workspace(settings)
    run_id = ws.start_run("recheck", {"claim_ids": list(claim_ids) if claim_ids is not None else None,
                                      "as_of_published": as_of_published})
    report = RecheckReport(run_id)
    try:
        report.considered, report.affected = find_affected(ws, claim_ids, as_of_published)
        ids = sorted(report.affected)
        before = {row.claim_id: row.verdict_id for row in latest_verdicts(ws, ids)} if ids else {}
        for first in range(0, len(ids), settings.verify_batch_size):
            batch = ids[first:first + settings.verify_batch_size]
            for _, verdict in verify_stored_claims(ws, batch, run_id, as_of_published):
                report.labels[verdict.label.value] += 1
        after = latest_verdicts(ws, ids) if ids else []
        report.changed = [row.claim_id for row in after if before.get(row.claim_id) != row.verdict_id]
    except Exception:
        ws.store.finish_run(run_id, "failed", report.summary())
        raise
    ws.store.finish_run(run_id, "completed", report.summary())
    return report
