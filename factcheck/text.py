"""Sentence splitting with character offsets, and small text helpers."""
from __future__ import annotations

import re
from typing import Iterator

_ABBREVIATIONS = {
    "mr", "mrs", "ms", "dr", "prof", "sr", "jr", "st", "vs", "etc", "inc", "ltd", "co", "corp",
    "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
    "no", "fig", "al", "approx", "e.g", "i.e", "u.s", "u.k", "gen", "gov", "sen", "rep", "dept", "a.m", "p.m",
}
# A sentence ends at . ! ? (optionally followed by closing quotes/brackets) before whitespace,
# or at a blank line.
_BOUNDARY = re.compile(r"""[.!?]+["'”’)\]]*(?=\s)|\n\s*\n""")


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Character spans (start, end) of the sentences of `text`, whitespace trimmed."""
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _BOUNDARY.finditer(text):
        end = match.end()
        if match.group().startswith(".") and _is_abbreviation(text, match.start()):
            continue
        if _next_starts_lowercase(text, end) and not match.group().startswith("\n"):
            continue
        spans.extend(_trimmed(text, start, end))
        start = end
    spans.extend(_trimmed(text, start, len(text)))
    return spans


def iter_sentences(text: str) -> Iterator[tuple[int, int, str]]:
    """(start, end, sentence) for each sentence of `text`."""
    for start, end in split_sentences(text):
        yield start, end, text[start:end]


def _is_abbreviation(text: str, dot: int) -> bool:
    word = re.search(r"([A-Za-z][A-Za-z.]*)$", text[max(0, dot - 12):dot])
    if not word:
        return False
    token = word.group(1).lower()
    return token in _ABBREVIATIONS or (len(token) == 1 and token.isalpha())


def _next_starts_lowercase(text: str, pos: int) -> bool:
    """True when the next word is an ordinary lower-case word (not a name like xAI or iPhone)."""
    word = re.match(r"\s*(\S+)", text[pos:pos + 40])
    return bool(word) and word.group(1)[0].islower() and not any(c.isupper() for c in word.group(1)[1:])


def _trimmed(text: str, start: int, end: int) -> list[tuple[int, int]]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return [(start, end)] if end > start else []


_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9$%.,'\-]*[A-Za-z0-9%]|[A-Za-z0-9]")


def words(text: str) -> list[str]:
    """Lower-cased word tokens, keeping numbers like 1,900 and 3.5 whole."""
    return [w.lower() for w in _WORD.findall(text)]
