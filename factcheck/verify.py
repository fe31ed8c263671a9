"""Verifiers: from a claim and its retrieved passages to a verdict.

A `Verifier` takes claims in batches with their hits. Model-based verifiers score each
(claim, passage) pair with a `StanceScorer` (probabilities of entailment, neutral and
contradiction) and turn the passage stances into one verdict with `aggregate`.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, Sequence

import numpy as np

from factcheck.records import Evidence, Hit, Label, Stance, Verdict


class Verifier(Protocol):
    """Decides a verdict for each claim from its retrieved passages."""

    name: str
    version: str

    def verify(self, claims: Sequence[str], hits: Sequence[Sequence[Hit]]) -> list[Verdict]:
        """One verdict per claim; `hits[i]` are the passages retrieved for `claims[i]`, best first."""
        ...


class StanceScorer(Protocol):
    """Scores (claim, passage) pairs: rows of probabilities [entailment, neutral, contradiction]."""

    name: str
    version: str

    def score(self, pairs: Sequence[tuple[str, str]]) -> np.ndarray:
        """An array of shape (len(pairs), 3) whose rows sum to 1; pairs are (claim, passage)."""
        ...


@dataclass(frozen=True)
class PassageStance:
    """How strongly one retrieved passage supports or refutes the claim (probabilities)."""

    hit: Hit
    support: float
    refute: float

    @property
    def stance(self) -> Stance:
        if self.support >= self.refute and self.support >= 0.5:
            return Stance.SUPPORTS
        if self.refute > self.support and self.refute >= 0.5:
            return Stance.REFUTES
        return Stance.NEUTRAL


def aggregate(stances: Sequence[PassageStance], threshold: float = 0.5, max_evidence: int = 3) -> Verdict:
    """Turn passage stances into a verdict.

    Strong support from one passage is enough; conflicting strong evidence keeps the passages
    of both sides and lowers the confidence; weak or off-topic evidence gives NOT_ENOUGH_INFO.
    """
    if not stances:
        return Verdict(Label.NOT_ENOUGH_INFO, 1.0, ())
    best_support = max(stances, key=lambda s: s.support)
    best_refute = max(stances, key=lambda s: s.refute)
    strong_support = best_support.support >= threshold
    strong_refute = best_refute.refute >= threshold
    if strong_support and (not strong_refute or best_support.support >= best_refute.refute):
        label, lead, confidence = Label.SUPPORTED, best_support, best_support.support
        if strong_refute:
            confidence *= 1.0 - best_refute.refute / 2
    elif strong_refute:
        label, lead, confidence = Label.REFUTED, best_refute, best_refute.refute
        if strong_support:
            confidence *= 1.0 - best_support.support / 2
    else:
        label, lead = Label.NOT_ENOUGH_INFO, None
        confidence = 1.0 - max(best_support.support, best_refute.refute)
    cited = _cite(stances, lead, max_evidence)
    return Verdict(label, float(min(max(confidence, 0.0), 1.0)), cited)


def _cite(stances: Sequence[PassageStance], lead: PassageStance | None, max_evidence: int) -> tuple[Evidence, ...]:
    """The lead passage first, then the other decisive passages, then the rest by retrieval order."""
    def strength(s: PassageStance) -> float:
        return max(s.support, s.refute)

    ordered = sorted(stances, key=lambda s: (s is not lead, s.stance is Stance.NEUTRAL, -strength(s)))
    return tuple(
        Evidence(s.hit.passage_id, s.hit.source_id, s.hit.text, round(strength(s), 4), s.stance)
        for s in ordered[:max_evidence]
    )


class NLIVerifier:
    """A verifier built from a pair scorer (e.g. a trained cross-encoder) and `aggregate`."""

    def __init__(self, scorer: StanceScorer, threshold: float = 0.5, max_evidence: int = 3):
        self.scorer = scorer
        self.threshold = threshold
        self.max_evidence = max_evidence
        self.name = scorer.name
        self.version = scorer.version

    def verify(self, claims: Sequence[str], hits: Sequence[Sequence[Hit]]) -> list[Verdict]:
        pairs = [(claim, hit.text) for claim, claim_hits in zip(claims, hits) for hit in claim_hits]
        probs = self.scorer.score(pairs) if pairs else np.zeros((0, 3))
        verdicts, row = [], 0
        for claim_hits in hits:
            stances = []
            for hit in claim_hits:
                p = probs[row]
                row += 1
                stances.append(PassageStance(hit, float(p[0]), float(p[2])))
            verdicts.append(aggregate(stances, self.threshold, self.max_evidence))
        return verdicts
