"""The baseline verifier: retrieval similarity, word overlap and figure/negation mismatches.

It needs no trained model. Each passage's best-matching sentence is compared with the claim:
high similarity with agreeing figures supports, high similarity with a disagreeing number,
year or negation refutes, anything else is neutral. `aggregate` makes the verdict.
"""
from __future__ import annotations

import math
from typing import Sequence

from factcheck.cues import CUES_VERSION, mismatches
from factcheck.records import Hit, Verdict
from factcheck.text import iter_sentences
from factcheck.verify import PassageStance, aggregate, coverage, relatedness


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


class BaselineVerifier:
    """Similarity plus lexical cues; an honest floor for trained verifiers to beat."""

    name = "baseline"
    version = f"1-cues{CUES_VERSION}"

    def __init__(self, support_at: float = 0.62, refute_at: float = 0.5, sharpness: float = 12.0,
                 max_evidence: int = 3):
        self.support_at = support_at
        self.refute_at = refute_at
        self.sharpness = sharpness
        self.max_evidence = max_evidence

    def verify(self, claims: Sequence[str], hits: Sequence[Sequence[Hit]]) -> list[Verdict]:
        return [aggregate([self.stance(claim, hit) for hit in claim_hits], 0.5, self.max_evidence)
                for claim, claim_hits in zip(claims, hits)]

    def stance(self, claim: str, hit: Hit) -> PassageStance:
        """Support and refute probabilities of one passage for one claim."""
        shared, sentence = 0.0, hit.text
        for _, _, candidate in iter_sentences(hit.text):
            share = coverage(claim, candidate)
            if share > shared:
                shared, sentence = share, candidate
        related = relatedness(claim, sentence, hit.dense)
        if shared >= 0.4 and mismatches(claim, sentence):
            return PassageStance(hit, 0.0, _sigmoid(self.sharpness * (related - self.refute_at)))
        return PassageStance(hit, _sigmoid(self.sharpness * (related - self.support_at)), 0.0)
