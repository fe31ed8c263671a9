"""Second-stage retrieval: a relevance cross-encoder that reorders the first stage's candidates.

`RelevanceScorer("packaged:factcheck-reranker")` loads the reranker shipped in
`factcheck/models/reranker/` (all-MiniLM-L6-v2 fine-tuned on SciFact train with hard negatives
from our own hybrid retrieval, `factcheck train-reranker`); any one-logit CrossEncoder folder or
hub name works too (for example `cross-encoder/ms-marco-MiniLM-L6-v2`). The model reads
`[CLS] title. passage [SEP] claim [SEP]` and gives one logit: higher is more relevant.

`RelevanceReranker` does not trust that logit alone: it fuses the reranker's order with the first
stage's by reciprocal rank (`1/(61 + first rank) + weight/(61 + reranker rank)`), so a claim's
exact names and numbers, which the lexical stage catches, still count. The depth and weight that
the training run chose on held-out claims are stored in the model folder's `reranker.json`.
"""
from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path
from typing import Sequence

import numpy as np

from factcheck.errors import ConfigError
from factcheck.records import Hit

RRF_OFFSET = 61              # 1/(61 + rank): reciprocal-rank fusion with k=60 and 0-based ranks
DEFAULT_DEPTH = 10
DEFAULT_WEIGHT = 1.0
FUSION_FILE = "reranker.json"


def model_num_labels(model: str | os.PathLike) -> int | None:
    """How many logits a cross-encoder has (None for a hub model that cannot be looked up)."""
    from factcheck.crossencoder import resolve_model

    try:
        location, is_local = resolve_model(model)
    except ConfigError as exc:
        raise ConfigError(f"reranker: {exc}") from exc
    if not is_local:
        try:
            from transformers import AutoConfig

            return int(AutoConfig.from_pretrained(location).num_labels)
        except Exception:  # noqa: BLE001 - not reachable or not cached: loading the model says why
            return None
    config = json.loads((Path(location) / "config.json").read_text())
    return len(config.get("id2label") or {}) or int(config.get("num_labels", 2))


def passage_input(hit: Hit) -> str:
    """What the reranker reads of a passage: its source title, then its text."""
    return f"{hit.title}. {hit.text}" if hit.title else hit.text


class RelevanceScorer:
    """Scores (claim, passage) pairs with a one-logit cross-encoder: higher is more relevant.

    model: "packaged:factcheck-reranker" (the shipped weights), a model folder or a hub name.
    batch_size, max_length, threads, precision: as for `factcheck.crossencoder.CrossEncoderScorer`.
    """

    def __init__(self, model: str | os.PathLike = "packaged:factcheck-reranker", batch_size: int = 32,
                 max_length: int = 256, threads: int | None = None, device: str = "cpu", precision: str = "auto"):
        from factcheck.crossencoder import load_cross_encoder, native_bf16

        if batch_size < 1:
            raise ConfigError(f"reranker batch size must be >= 1, got {batch_size}")
        ce, location, is_local = load_cross_encoder(model, "reranker", max_length, device, threads)
        if ce.model.config.num_labels != 1:
            raise ConfigError(f"reranker model {location} has {ce.model.config.num_labels} outputs; a relevance "
                              "reranker has one (an NLI model with three works as a stance reranker)")
        self.model = ce.model.float().eval()
        self.tokenizer = ce.tokenizer
        if precision == "auto":
            precision = "bf16" if native_bf16() else "fp32"
        if precision not in ("fp32", "bf16"):
            raise ConfigError(f"reranker precision must be auto, fp32 or bf16, got {precision!r}")
        self.precision = precision
        self.batch_size = batch_size
        self.max_length = max_length
        self.fusion = _read_fusion(Path(location) / FUSION_FILE) if is_local else {}
        self.name = f"reranker:{model}"

    def score(self, pairs: Sequence[tuple[str, str]]) -> np.ndarray:
        """One relevance logit per (claim, passage) pair, in the input order."""
        return relevance_logits(self.model, self.tokenizer, pairs, self.batch_size, self.max_length,
                                self.precision == "bf16")


def relevance_logits(model, tokenizer, pairs: Sequence[tuple[str, str]], batch_size: int = 32,
                     max_length: int = 256, bf16: bool = False) -> np.ndarray:
    """The first logit of `model` for each (claim, passage) pair, in the input order."""
    from factcheck.crossencoder import pair_logits

    if not pairs:
        return np.zeros(0, dtype=np.float32)
    return pair_logits(model, tokenizer, pairs, batch_size, max_length, bf16)[:, 0]


def _read_fusion(path: Path) -> dict:
    if not path.is_file():
        return {}
    try:
        record = json.loads(path.read_text())
        return {"depth": int(record["depth"]), "weight": float(record["weight"])}
    except (ValueError, KeyError, TypeError) as exc:
        raise ConfigError(f"bad reranker fusion file {path}: {exc}") from exc


def fuse(hits: Sequence[Hit], relevance: Sequence[float], weight: float) -> list[Hit]:
    """`hits` (first-stage order) reordered by RRF of first-stage rank and relevance rank; each hit
    keeps its first-stage score and carries its relevance logit (`Hit.relevance`)."""
    by_relevance = sorted(range(len(hits)), key=lambda n: -relevance[n])
    second = {n: rank for rank, n in enumerate(by_relevance)}
    fused = [1.0 / (RRF_OFFSET + n) + weight / (RRF_OFFSET + second[n]) for n in range(len(hits))]
    order = sorted(range(len(hits)), key=lambda n: -fused[n])
    return [dataclasses.replace(hits[n], relevance=round(float(relevance[n]), 4)) for n in order]


class RelevanceReranker:
    """Reorders the first `depth` candidates by fusing their first-stage rank with a relevance
    cross-encoder's; candidates below `depth` keep their place after them.

    depth, weight: default the values in the model folder's `reranker.json` (chosen by
    `factcheck train-reranker` on held-out claims), else 10 and 1.0. weight 0 keeps the first-stage order.
    """

    def __init__(self, scorer: RelevanceScorer, depth: int | None = None, weight: float | None = None):
        self.scorer = scorer
        self.depth = depth or scorer.fusion.get("depth", DEFAULT_DEPTH)
        self.weight = scorer.fusion.get("weight", DEFAULT_WEIGHT) if weight is None else weight
        if self.depth < 1 or self.weight < 0:
            raise ConfigError(f"reranker depth must be >= 1 and weight >= 0, got {self.depth} and {self.weight}")

    def rerank(self, claim: str, hits: Sequence[Hit]) -> list[Hit]:
        return self.rerank_many([claim], [hits])[0]

    def rerank_many(self, claims: Sequence[str], hits: Sequence[Sequence[Hit]]) -> list[list[Hit]]:
        """`rerank` for each claim, with the pairs of all claims scored in one call."""
        tops = [list(claim_hits[:self.depth]) if len(claim_hits) > 1 and self.weight > 0 else []
                for claim_hits in hits]
        pairs = [(claim, passage_input(hit)) for claim, top in zip(claims, tops) for hit in top]
        relevance = self.scorer.score(pairs).tolist() if pairs else []
        out, start = [], 0
        for top, claim_hits in zip(tops, hits):
            if not top:
                out.append(list(claim_hits))
                continue
            out.append(fuse(top, relevance[start:start + len(top)], self.weight) + list(claim_hits[len(top):]))
            start += len(top)
        return out
