"""Hybrid retrieval: dense (FAISS) and lexical (BM25) candidates fused by reciprocal rank."""
from __future__ import annotations

from datetime import date
from typing import Protocol, Sequence

from factcheck.embed import Embedder
from factcheck.index import VectorIndex
from factcheck.lexical import LexicalIndex
from factcheck.records import Hit
from factcheck.store import Store

RRF_K = 60


class Reranker(Protocol):
    """Reorders claims' candidate passages, best first (a second, slower and sharper stage)."""

    def rerank(self, claim: str, hits: Sequence[Hit]) -> list[Hit]:
        ...

    def rerank_many(self, claims: Sequence[str], hits: Sequence[Sequence[Hit]]) -> list[list[Hit]]:
        """`rerank` for each claim, all scored in one call (fuller batches than one claim gives)."""
        ...


class StanceReranker:
    """Reranks by how decisive a pair scorer finds each passage: 1 - P(neutral) of its best sentence."""

    def __init__(self, scorer):
        self.scorer = scorer

    def rerank(self, claim: str, hits: Sequence[Hit]) -> list[Hit]:
        return self.rerank_many([claim], [hits])[0]

    def rerank_many(self, claims: Sequence[str], hits: Sequence[Sequence[Hit]]) -> list[list[Hit]]:
        """`rerank` for each claim, with the sentences of all claims scored in one call."""
        from factcheck.text import split_sentences

        units = [(c, n, hit.text[a:b]) for c, claim_hits in enumerate(hits) for n, hit in enumerate(claim_hits)
                 for a, b in split_sentences(hit.text) or [(0, len(hit.text))]]
        probs = self.scorer.score([(claims[c], text) for c, _, text in units]) if units else []
        relevance = [[0.0] * len(claim_hits) for claim_hits in hits]
        for (c, n, _), p in zip(units, probs):
            relevance[c][n] = max(relevance[c][n], 1.0 - float(p[1]))
        return [[claim_hits[n] for n in sorted(range(len(claim_hits)), key=lambda n: -rel[n])]
                for claim_hits, rel in zip(hits, relevance)]


class HybridRetriever:
    """Top-k passages per claim from dense and lexical search, fused with configurable weights."""

    def __init__(self, store: Store, embedder: Embedder, vectors: VectorIndex, lexical: LexicalIndex | None,
                 dense_weight: float = 1.0, lexical_weight: float = 1.0, candidates: int = 50,
                 reranker: Reranker | None = None, rerank_depth: int = 20):
        if dense_weight <= 0 and (lexical is None or lexical_weight <= 0):
            raise ValueError("at least one of dense_weight and lexical_weight must be > 0")
        self.store = store
        self.embedder = embedder
        self.vectors = vectors
        self.lexical = lexical
        self.dense_weight = dense_weight
        self.lexical_weight = lexical_weight if lexical is not None else 0.0
        self.candidates = candidates
        self.reranker = reranker
        self.rerank_depth = rerank_depth

    def retrieve(self, claims: Sequence[str], k: int, as_of: Sequence[date | None] | None = None) -> list[list[Hit]]:
        """For each claim, up to k hits best first; `as_of[i]` drops sources published after it."""
        if k < 1:
            raise ValueError(f"k must be greater than 0. Currently, k is {k}")
        if not claims:
            return []
        queries = self.embedder.embed(claims)
        depth = max(self.candidates, 4 * k) * (4 if as_of and any(as_of) else 1)
        dense_scores, dense_ids = self.vectors.search(queries, depth) if self.dense_weight > 0 else (None, None)
        lexical = self.lexical.search(claims, depth) if self.lexical_weight > 0 else [[] for _ in claims]
        keep = max(k, self.rerank_depth if self.reranker else k)
        candidates = []
        for row in range(len(claims)):
            fused: dict[int, float] = {}
            dense: dict[int, float] = {}
            if dense_ids is not None:
                for rank, (pid, score) in enumerate(zip(dense_ids[row], dense_scores[row])):
                    if pid >= 0:
                        fused[int(pid)] = fused.get(int(pid), 0.0) + self.dense_weight / (RRF_K + rank + 1)
                        dense[int(pid)] = float(score)
            lex = dict(lexical[row])
            for rank, (pid, _score) in enumerate(lexical[row]):
                fused[pid] = fused.get(pid, 0.0) + self.lexical_weight / (RRF_K + rank + 1)
            ranked = sorted(fused.items(), key=lambda item: -item[1])
            missing = [pid for pid, _ in ranked[: 4 * k] if pid not in dense]
            dense.update(self.vectors.similarities(missing, queries[row]))
            # With a date cutoff some candidates will be dropped: keep more of them.
            width = (4 if as_of and as_of[row] else 1) * keep * 2
            candidates.append([(pid, round(score, 6), dense.get(pid), lex.get(pid)) for pid, score in ranked[:width]])
        stored = self.store.passage_rows({pid for scored in candidates for pid, *_ in scored})
        results = []
        for row, scored in enumerate(candidates):
            cutoff = as_of[row] if as_of else None
            hits = [Hit(pid, stored[pid][0], stored[pid][1], score, dense, lexical, stored[pid][3])
                    for pid, score, dense, lexical in scored
                    if pid in stored and (cutoff is None or (stored[pid][2] is not None and stored[pid][2] <= cutoff))]
            results.append(hits[:keep])
        if self.reranker is not None:
            results = self.reranker.rerank_many(claims, results)
        return [hits[:k] for hits in results]
