"""Claim extraction: articles become check-worthy claims with their spans in the article.

The default `SentenceClaimExtractor` yields one claim per declarative sentence, skipping
questions, obvious opinions and boilerplate. Other extractors implement `ClaimExtractor`.
"""
from __future__ import annotations

import re
from typing import Protocol

from factcheck.records import Claim, Document
from factcheck.reldates import _MONTHS
from factcheck.text import iter_sentences


class ClaimExtractor(Protocol):
    """Turns an article into claims whose spans index into `article.text`."""

    name: str

    def extract(self, article: Document) -> list[Claim]:
        """The article's claims in reading order."""
        ...


# 'must ... within six months' / 'by August 2' is an order with a deadline, not an opinion ('Apple must do better')
_DEADLINE = rf"[^.;]*\b(within|by|no later than) (\w+ ){{0,2}}(\d|({'|'.join(_MONTHS)})\b|(days?|weeks?|months?|years?)\b)"
_OPINION = re.compile(
    r"\b(i|we) (think|believe|feel|hope|guess|suspect)\b|\bin my (view|opinion)\b|\bshould\b"
    rf"|\bmust\b(?!{_DEADLINE})"
    r"|\b(amazing|awesome|terrible|awful|exciting|disappointing|best|worst|great|brilliant|stunning)\b"
    r"|\bwill likely\b|\bprobably\b|\bperhaps\b|\bmaybe\b|\bin our view\b|\bexpect\b|\bmost important\b"
    r"|\b(impressive|strong|weak|thrilled|giddy|excited|delighted|worried|honestly|frankly|sadly|luckily)\b"
    r"|\b(felt|feels?) like\b|\bonce again\b|^\W*(i|i'm|i've|we|we're|my|our)\b",
    re.IGNORECASE,
)
_BOILERPLATE = re.compile(
    r"^(read more|subscribe|sign up|click here|share this|follow us|advertisement|related:|copyright|©)",
    re.IGNORECASE,
)
_VERB_HINT = re.compile(
    r"\b(is|are|was|were|be|been|has|have|had|will|would|can|could|did|does|do|said|says|"
    r"\w+(ed|es|s))\b",
    re.IGNORECASE,
)


def checkworthiness(sentence: str) -> float:
    """A rough score in [0, 1] of how checkable a sentence is; below 0.5 it is not a claim."""
    text = sentence.strip()
    if len(text) < 20 or text.endswith("?") or _BOILERPLATE.match(text):
        return 0.0
    if text.endswith(":") or not _VERB_HINT.search(text):
        return 0.1
    score = 0.6
    if _OPINION.search(text):
        score -= 0.4
    if re.search(r"\d", text):
        score += 0.2
    if re.search(r"(?<!^)(?<![.!?] )\b[A-Z][a-z]+", text):
        score += 0.1
    return max(0.0, min(1.0, score))


class SentenceClaimExtractor:
    """One claim per check-worthy sentence."""

    name = "sentences"

    def __init__(self, threshold: float = 0.5):
        self.threshold = threshold

    def extract(self, article: Document) -> list[Claim]:
        claims = []
        for start, end, sentence in iter_sentences(article.text):
            score = checkworthiness(sentence)
            if score >= self.threshold:
                claims.append(Claim(sentence, start, end, article.id, round(score, 3)))
        return claims
