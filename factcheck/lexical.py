"""Lexical retrieval: BM25 (bm25s) over the same passages as the vector index.

Tokens keep numbers whole ("1,900" -> "1900", "3" stays), so names and figures such as
"Grok 3 mini" or "$13 billion" match exactly where dense embeddings blur them. An amount with a scale word
also gets one token for its value, so "$1.23 billion", "1,230 million dollars" and "1.23bn" match each other.
"""
from __future__ import annotations

import json
import logging
import os
import re
import shutil
from functools import lru_cache
from pathlib import Path
from typing import Sequence

import numpy as np

_TOKEN = re.compile(r"[a-z0-9]+(?:[.,][0-9]+)*")
# What the index's tokens are: an index written with other tokens is built again (`LexicalIndex.fingerprint`).
# 2: amounts with a scale word get a token for their value (`figure_tokens`).
TOKENS_VERSION = 2
_FIGURE = r"(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)"
_SCALED = re.compile(rf"(?<![\w.,]){_FIGURE}(?:\s*(thousand|million|billion|trillion)|(mn|bn|tn))\b",
                     re.IGNORECASE)
# A letter written onto a figure scales it only after a currency sign: "$45m", "€2b"; not "Histone 2B".
_SIGNED = re.compile(rf"[$\u20ac\u00a3\u00a5]{_FIGURE}([kmb])\b", re.IGNORECASE)
SCALE = {"thousand": 1e3, "k": 1e3, "million": 1e6, "m": 1e6, "mn": 1e6, "billion": 1e9, "bn": 1e9, "b": 1e9,
         "trillion": 1e12, "tn": 1e12}     # scale words and letters (the cues read figures with it too)
_LARGE = re.compile(r"(?<![\w.,])\d{1,3}(?:,\d{3}){2,}(?![\w,]|\.\d)")
STOPWORDS = frozenset("""a an and are as at be been but by can did do does for from had has have he her his
how i if in into is it its itself may me more most my no nor not of on or our out over own she should so
some such than that the their them then there these they this those through to too under until up very
was we were what when where which while who whom why will with would you your""".split())


def _import_bm25s():
    """bm25s, with its import-time DEBUG logging turned down."""
    import bm25s

    logging.getLogger("bm25s").setLevel(logging.WARNING)
    return bm25s


@lru_cache(maxsize=1)
def _stemmer():
    try:
        import Stemmer

        return Stemmer.Stemmer("english")
    except ImportError:  # optional: plain tokens without it
        return None


def tokenize(text: str) -> list[str]:
    """Lower-cased, stemmed tokens without stopwords; numbers lose thousands separators."""
    raw = [t.replace(",", "") for t in _TOKEN.findall(text.lower())]
    kept = [t for t in raw if t not in STOPWORDS]
    stemmer = _stemmer()
    return stemmer.stemWords(kept) if stemmer else kept


def figure_tokens(text: str) -> list[str]:
    """One token per amount written with a scale word, or in digits of a million or more, for its value:
    "$1.23 billion", "1,230 million" and "1,230,000,000" all give "=1.23e+09"."""
    values = [float(m.group(1).replace(",", "")) * SCALE[(m.group(2) or m.group(3)).lower()]
              for m in _SCALED.finditer(text)]
    values += [float(m.group(1).replace(",", "")) * SCALE[m.group(2).lower()] for m in _SIGNED.finditer(text)]
    values += [float(m.group(0).replace(",", "")) for m in _LARGE.finditer(text)]
    return [f"={value:.6g}" for value in values]


def index_tokens(text: str) -> list[str]:
    """What BM25 reads of a passage or a claim: `tokenize` and `figure_tokens`."""
    return tokenize(text) + figure_tokens(text)


class LexicalIndex:
    """A BM25 index over passages, rebuilt when the stored passage set changes."""

    def __init__(self, directory: Path):
        self.directory = Path(directory)
        self._bm25 = None
        self._ids = np.zeros(0, dtype=np.int64)
        self.fingerprint: str | None = None
        meta = self.directory / "meta.json"
        if meta.exists():
            bm25s = _import_bm25s()
            stored = json.loads(meta.read_text())
            # an index of other tokens is stale whatever passages it holds: `sync_lexical` builds it again
            self.fingerprint = stored["fingerprint"] if stored.get("tokens", 1) == TOKENS_VERSION else None
            self._ids = np.load(self.directory / "ids.npy")
            if len(self._ids):
                self._bm25 = bm25s.BM25.load(str(self.directory / "bm25"))

    def __len__(self) -> int:
        return len(self._ids)

    def build(self, passages: Sequence[tuple[int, str]], fingerprint: str) -> None:
        """Index (passage id, text) pairs from scratch and persist them."""
        bm25s = _import_bm25s()
        self._ids = np.array([pid for pid, _ in passages], dtype=np.int64)
        self._bm25 = None
        if passages:
            self._bm25 = bm25s.BM25()
            self._bm25.index([index_tokens(text) or ["_"] for _, text in passages], show_progress=False)
        tmp = self.directory.with_name(self.directory.name + ".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        if self._bm25 is not None:
            self._bm25.save(str(tmp / "bm25"))
        np.save(tmp / "ids.npy", self._ids)
        meta = {"fingerprint": fingerprint, "count": len(self._ids), "tokens": TOKENS_VERSION}
        (tmp / "meta.json").write_text(json.dumps(meta))
        old = self.directory.with_name(self.directory.name + ".old")
        shutil.rmtree(old, ignore_errors=True)
        if self.directory.exists():
            os.replace(self.directory, old)
        os.replace(tmp, self.directory)
        shutil.rmtree(old, ignore_errors=True)
        self.fingerprint = fingerprint

    def search(self, queries: Sequence[str], k: int) -> list[list[tuple[int, float]]]:
        """For each query, up to k (passage id, BM25 score) with a positive score, best first."""
        if self._bm25 is None or not len(self._ids):
            return [[] for _ in queries]
        k = min(k, len(self._ids))
        tokens = [index_tokens(q) or ["_"] for q in queries]
        docs, scores = self._bm25.retrieve(tokens, k=k, show_progress=False, n_threads=1)
        return [[(int(self._ids[d]), float(s)) for d, s in zip(row_docs, row_scores) if s > 0]
                for row_docs, row_scores in zip(docs, scores)]
