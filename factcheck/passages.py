"""Splitting sources into overlapping passages of a few sentences, with character offsets."""
from __future__ import annotations

from factcheck.records import Document, Passage
from factcheck.text import split_sentences

MAX_PASSAGE_CHARS = 2000


def split_passages(doc: Document, sentences: int = 3, stride: int = 2) -> list[Passage]:
    """Windows of `sentences` sentences moving by `stride`; offsets index into `doc.text`."""
    if sentences < 1 or stride < 1:
        raise ValueError(f"sentences and stride must be >= 1, got {sentences} and {stride}")
    spans = [s for span in split_sentences(doc.text) for s in _cap(span)]
    passages: list[Passage] = []
    for first in range(0, max(len(spans), 1), stride):
        window = spans[first:first + sentences]
        if not window:
            break
        start, end = window[0][0], window[-1][1]
        passages.append(Passage(doc.id, len(passages), start, end, doc.text[start:end]))
        if first + sentences >= len(spans):
            break
    return passages


def _cap(span: tuple[int, int]) -> list[tuple[int, int]]:
    """Very long 'sentences' (tables, run-on text) are cut into pieces of bounded size."""
    start, end = span
    return [(s, min(s + MAX_PASSAGE_CHARS, end)) for s in range(start, end, MAX_PASSAGE_CHARS)]
