"""Sentence-level citations: the sentence(s) of a cited passage that bear on the claim."""
from __future__ import annotations

import dataclasses

from factcheck.lexical import tokenize
from factcheck.records import Verdict
from factcheck.text import split_sentences


def best_quote(claim: str, passage: str, max_sentences: int = 2) -> tuple[int, int]:
    """Offsets in `passage` of the contiguous sentences (at most `max_sentences`) covering most of the claim."""
    spans = split_sentences(passage)
    if not spans:
        return 0, len(passage)
    wanted = set(tokenize(claim))
    token_sets = [set(tokenize(passage[a:b])) for a, b in spans]
    best, best_key = (0, 0), (-1.0, 0)
    for first in range(len(spans)):
        covered: set[str] = set()
        for last in range(first, min(first + max_sentences, len(spans))):
            gained = len((covered | token_sets[last]) & wanted) - len(covered & wanted)
            if last > first and gained == 0:
                break
            covered |= token_sets[last]
            key = (len(covered & wanted) / max(len(wanted), 1), -(last - first))
            if key > best_key:
                best, best_key = (first, last), key
    return spans[best[0]][0], spans[best[1]][1]


def with_quotes(claim: str, verdict: Verdict) -> Verdict:
    """The verdict with each cited passage's best sentence(s) as its quote, unless the verifier chose one."""
    evidence = []
    for e in verdict.evidence:
        if not e.quote:
            start, end = best_quote(claim, e.text)
            e = dataclasses.replace(e, quote=e.text[start:end])
        evidence.append(e)
    return dataclasses.replace(verdict, evidence=tuple(evidence))
