"""Lexical cues that decide tech-news claims: numbers, years and negation that disagree, or all agree."""
from __future__ import annotations

import re

_SCALE = {"thousand": 1e3, "k": 1e3, "million": 1e6, "m": 1e6, "mn": 1e6, "billion": 1e9, "bn": 1e9, "b": 1e9,
          "trillion": 1e12, "tn": 1e12}
# A number joined to a word by a hyphen names something ("IL-10", "kinesin-8", "V-9302", "COVID-19",
# "Lumen-2"): it is part of a name, not a quantity the claim states.
_NUMBER = re.compile(r"(?<![\w.])(?<![^\W\d_]-)(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)\s*(%|percent|thousand|million|billion|trillion|bn|mn|tn|k|m|b)?\b",
                     re.IGNORECASE)
# Bumped when what the cues read changes, so that verdicts stored under the old cues count as another
# verifier version (`factcheck recheck` redoes them). 2: numbers inside hyphenated names are not figures.
CUES_VERSION = 2
_YEAR = re.compile(r"\b(19[5-9]\d|20\d\d)\b")
_NEGATION = re.compile(r"\b(not|never|no longer|without|none|neither|nor|denied|denies|refused|failed to|"
                       r"cannot|can't|won't|didn't|doesn't|don't|isn't|aren't|wasn't|weren't|hasn't|haven't)\b|n't\b",
                       re.IGNORECASE)


def years(text: str) -> set[int]:
    """Four-digit years mentioned in the text."""
    return {int(y) for y in _YEAR.findall(text)}


def _figures(text: str):
    """(scaled value, digits as written, unit) of each number other than a year."""
    for match in _NUMBER.finditer(text):
        raw, unit = match.group(1), (match.group(2) or "").lower()
        if not unit and "," not in raw and "." not in raw and _YEAR.fullmatch(raw):
            continue
        yield float(raw.replace(",", "")) * _SCALE.get(unit, 1.0), raw, unit


def quantities(text: str) -> set[float]:
    """Numbers other than years, scaled by their word ('$13 billion' -> 1.3e10)."""
    return {value for value, _, _ in _figures(text)}


def negated(text: str) -> bool:
    return bool(_NEGATION.search(text))


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= 0.01 * max(abs(a), abs(b), 1e-9)


def mismatches(claim: str, evidence: str) -> list[str]:
    """Reasons the evidence contradicts the claim on its figures or polarity; empty if none found."""
    reasons = []
    claim_years, evidence_years = years(claim), years(evidence)
    if claim_years and evidence_years and not claim_years & evidence_years:
        reasons.append(f"year {sorted(claim_years)} vs {sorted(evidence_years)}")
    claim_numbers, evidence_numbers = quantities(claim), quantities(evidence)
    if claim_numbers and evidence_numbers and not any(_close(a, b) for a in claim_numbers for b in evidence_numbers):
        reasons.append(f"number {sorted(claim_numbers)} vs {sorted(evidence_numbers)}")
    if negated(claim) != negated(evidence):
        reasons.append("negation")
    return reasons


def _telling(raw: str, unit: str) -> bool:
    """A figure that states a fact, not a name: a unit or scale, a decimal or comma, or 10 and more
    ('$9.4 billion', '38 percent', '131,072'; not the 3 of 'Grok 3')."""
    return bool(unit) or "," in raw or "." in raw or float(raw) >= 10


def figures_agree(claim: str, evidence: str) -> bool:
    """Whether the claim states figures (years or telling quantities) and the evidence gives every one of
    them, with the same polarity: the mark of a sentence that states the claim's fact itself."""
    claim_years = years(claim)
    telling = {value for value, raw, unit in _figures(claim) if _telling(raw, unit)}
    if not claim_years and not telling:
        return False
    evidence_numbers = quantities(evidence)
    return (claim_years <= years(evidence) and all(any(_close(a, b) for b in evidence_numbers) for a in telling)
            and negated(claim) == negated(evidence))
