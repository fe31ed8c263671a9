"""The pipeline as plain functions: index sources, check articles, verify claims.

Prefect flows in flows/ wrap these functions; the CLI calls them directly. Heavy objects
(store, embedder, indexes, verifier) live in a `Workspace`, opened once per process and settings.
"""
from __future__ import annotations

import logging
import os
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property, lru_cache
from typing import Callable, Iterable, Sequence

import numpy as np

from factcheck.claims import ClaimExtractor, SentenceClaimExtractor
from factcheck.embed import Embedder, make_embedder
from factcheck.errors import ConfigError, FactcheckError, IndexMismatchError
from factcheck.index import VectorIndex
from factcheck.ingest import Problem
from factcheck.lexical import LexicalIndex
from factcheck.passages import split_passages
from factcheck.quotes import with_quotes
from factcheck.records import Claim, Document, Verdict
from factcheck.retrieve import HybridRetriever
from factcheck.settings import Settings
from factcheck.store import SourceChange, Store
from factcheck.verify import Verifier

log = logging.getLogger("factcheck")


class Workspace:
    """Store, models and indexes for one set of settings, each opened on first use."""

    def __init__(self, settings: Settings, embedder: Embedder | None = None, verifier: Verifier | None = None,
                 extractor: ClaimExtractor | None = None):
        self.settings = settings
        if embedder is not None:
            self.embedder = embedder
        if verifier is not None:
            self.verifier = verifier
        if extractor is not None:
            self.extractor = extractor

    @cached_property
    def store(self) -> Store:
        return Store(self.settings.db_url)

    def start_run(self, kind: str, params: dict, flow_run_id: str | None = None) -> int:
        """Record a run in SQL with `params` and the settings that shape its evidence and verdicts."""
        return self.store.start_run(kind, {**params, **self.settings.run_params()}, flow_run_id=flow_run_id)

    @cached_property
    def embedder(self) -> Embedder:
        return load_embedder(self.settings.embedding_model, self.settings.embedding_batch_size)

    @cached_property
    def vectors(self) -> VectorIndex:
        self._loaded_stamp = index_stamp(self.settings.index_dir)
        return VectorIndex(self.settings.index_dir, self.embedder.name, self.embedder.dim)

    def refresh_indexes(self) -> bool:
        """Forget the loaded indexes when another process saved the index since; True if they were dropped.

        Long-lived workers (a Dask cluster) thus read the index the indexing flow wrote last.
        """
        if "vectors" not in self.__dict__ or self.__dict__.get("_loaded_stamp") == index_stamp(self.settings.index_dir):
            return False
        for name in ("vectors", "lexical", "retriever"):
            self.__dict__.pop(name, None)
        return True

    @cached_property
    def lexical(self) -> LexicalIndex:
        return LexicalIndex(self.settings.index_dir / "lexical")

    @cached_property
    def retriever(self) -> HybridRetriever:
        check_consistency(self)
        sync_lexical(self)
        reranker, depth = make_reranker(self.settings), self.settings.rerank_depth
        if reranker is not None and depth is None:
            depth = getattr(reranker, "depth", 20)
        return HybridRetriever(self.store, self.embedder, self.vectors, self.lexical,
                               self.settings.dense_weight, self.settings.lexical_weight,
                               reranker=reranker, rerank_depth=depth or 20)

    @cached_property
    def verifier(self) -> Verifier:
        return make_verifier(self.settings)

    @cached_property
    def extractor(self) -> ClaimExtractor:
        return make_extractor(self.settings)


@lru_cache(maxsize=4)
def load_embedder(model: str, batch_size: int) -> Embedder:
    """The embedding model, loaded once per process (models are read-only, so sharing is safe)."""
    return make_embedder(model, batch_size)


def make_verifier(settings: Settings) -> Verifier:
    """The verifier a setting names: 'baseline', 'llm', or a cross-encoder path, hub or packaged name."""
    name = settings.verifier
    if name == "baseline":
        from factcheck.baseline import BaselineVerifier

        return BaselineVerifier()
    if name == "llm":
        from factcheck.llm import ChatClient
        from factcheck.llm_verify import LLMVerifier

        return LLMVerifier(ChatClient.from_settings(settings))
    from factcheck.crossencoder import CrossEncoderScorer
    from factcheck.verify import NLIVerifier

    return NLIVerifier(CrossEncoderScorer(name, precision=settings.verifier_precision), **verifier_options(settings))


def verifier_options(settings: Settings) -> dict:
    """The cross-encoder verifier's gates, figure-agreement, paraphrase, restatement and relatedness cues as the
    settings give them (keyword arguments of `NLIVerifier`)."""
    bounds, paraphrase, restate = settings.gate_bounds, settings.verifier_paraphrase or None, settings.verifier_restate or None
    embedder = (load_embedder(settings.verifier_gate_model, settings.embedding_batch_size)
                if bounds or paraphrase or restate else None)
    return {"similarity": embedder, "similarity_gate": bounds, "agree_overlap": settings.verifier_agree_overlap or None,
            "paraphrase": paraphrase, "restate": restate, "relevance_gate": settings.relevance_gate_bounds,
            "relevance_sides": settings.verifier_relevance_gate_sides, "words": settings.words_gate_bounds,
            "torn": settings.verifier_torn or None, "related": settings.verifier_related or None,
            "windows": None if settings.verifier_windows == "off" else settings.verifier_windows}


def make_reranker(settings: Settings):
    """The second stage a setting names, or None: a one-logit model is a relevance reranker
    (`factcheck.relevance`), a 3-way NLI model reranks by stance."""
    if not settings.reranker or settings.reranker.strip().lower() in ("none", "off"):
        return None
    from factcheck.relevance import RelevanceReranker, RelevanceScorer, model_num_labels

    if model_num_labels(settings.reranker) == 3:
        from factcheck.crossencoder import CrossEncoderScorer
        from factcheck.retrieve import StanceReranker

        return StanceReranker(CrossEncoderScorer(settings.reranker))
    return RelevanceReranker(RelevanceScorer(settings.reranker), settings.rerank_depth, settings.rerank_weight)


def make_extractor(settings: Settings) -> ClaimExtractor:
    """The claim extractor a setting names: 'sentences', 'atomic' or 'llm'."""
    name, threshold = settings.claim_extractor, settings.checkworthiness_threshold
    if name == "sentences":
        return SentenceClaimExtractor(threshold)
    if name == "atomic":
        from factcheck.atomic import AtomicClaimExtractor

        return AtomicClaimExtractor(threshold=threshold)
    if name == "llm":
        from factcheck.llm import ChatClient
        from factcheck.llm_claims import LLMClaimExtractor

        return LLMClaimExtractor(ChatClient.from_settings(settings))
    raise ConfigError(f"unknown claim extractor {name!r}; choose 'sentences', 'atomic' or 'llm'")


_WORKSPACES: dict[str, Workspace] = {}


def workspace(settings: Settings) -> Workspace:
    """The process-wide workspace for these settings (models load once per process)."""
    key = settings.model_dump_json()
    if key not in _WORKSPACES:
        _WORKSPACES[key] = Workspace(settings)
    _WORKSPACES[key].refresh_indexes()
    return _WORKSPACES[key]


def index_stamp(index_dir) -> int | None:
    """When the vector index's metadata (written last by every save) changed, in ns; None without an index."""
    try:
        return (index_dir / "meta.json").stat().st_mtime_ns
    except FileNotFoundError:
        return None


# -- sources ---------------------------------------------------------------------------------
@dataclass
class IndexReport:
    """What an indexing run did."""

    changes: list[SourceChange] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    embedded: int = 0
    removed: int = 0
    total_passages: int = 0

    def counts(self) -> dict[str, int]:
        counts = Counter(change.status for change in self.changes)
        return {"added": counts["added"], "updated": counts["updated"], "unchanged": counts["unchanged"],
                "duplicate": counts["duplicate"], "skipped": len(self.problems), "embedded": self.embedded,
                "removed": self.removed, "passages": self.total_passages}


def store_sources(ws: Workspace, documents: Sequence[Document]) -> list[SourceChange]:
    """Store sources and their passages in SQL (the index catches up in `sync_index`)."""
    s = ws.settings
    return [ws.store.upsert_source(doc, split_passages(doc, s.passage_sentences, s.passage_stride))
            for doc in documents]


def sync_index(ws: Workspace, batch_size: int | None = None,
               progress: Callable[[int, int], None] | None = None) -> tuple[int, int]:
    """Bring the vector and lexical indexes in line with the stored passages; returns (embedded, removed).

    The database is the truth: passages missing from the index are embedded batch by batch and
    the index is saved every `index_save_seconds`, so an interrupted run resumes close to
    where it stopped, and nothing is lost or duplicated (vector ids are passage ids).
    """
    batch_size = batch_size or ws.settings.index_batch_size
    stored = ws.store.passage_ids()
    indexed = set(ws.vectors.ids().tolist())
    stale = indexed - stored
    removed = ws.vectors.remove(stale) if stale else 0
    pending = sorted(stored - indexed)
    done, last_save = 0, time.monotonic()
    for first in range(0, len(pending), batch_size):
        rows = ws.store.passages_for_embedding(pending[first:first + batch_size])
        ids = np.array([pid for pid, _ in rows], dtype=np.int64)
        ws.vectors.add(ids, ws.embedder.embed([text for _, text in rows]))
        done += len(rows)
        if time.monotonic() - last_save >= ws.settings.index_save_seconds:
            ws.vectors.save()
            last_save = time.monotonic()
        if progress:
            progress(done, len(pending))
    threshold = ws.settings.ann_threshold
    if threshold and ws.vectors.kind == "flat" and len(ws.vectors) >= threshold:
        log.info("index reached %d vectors: converting to IVF-SQ8", len(ws.vectors))
        ws.vectors.to_ivf()
    if done or removed or ws.vectors.meta.get("count") != len(ws.vectors):
        ws.vectors.save()
    sync_lexical(ws)
    log.info("index: %d passages embedded, %d removed, %d vectors (%s)", done, removed, len(ws.vectors),
             ws.vectors.kind)
    ws._loaded_stamp = index_stamp(ws.settings.index_dir)  # our own save: nothing to reload
    return done, removed


def check_consistency(ws: Workspace) -> None:
    """Raise IndexMismatchError, with the repair, when the index and the database disagree."""
    stored, indexed = ws.store.passage_count(), len(ws.vectors)
    if stored != indexed:
        raise IndexMismatchError(
            f"the vector index at {ws.settings.index_dir} holds {indexed} vectors but the database "
            f"{ws.store.url.split('@')[-1]} has {stored} passages; run 'factcheck index sync' to resume indexing, "
            "or 'factcheck index rebuild'")


def sync_lexical(ws: Workspace) -> None:
    """Rebuild the BM25 index when the set of stored passages changed."""
    fingerprint = ws.store.passage_fingerprint()
    if ws.lexical.fingerprint != fingerprint:
        ws.lexical.build(ws.store.passages_for_embedding(sorted(ws.store.passage_ids())), fingerprint)


def index_sources(settings: Settings, inputs: Iterable[str], ws: Workspace | None = None,
                  progress: Callable[[int, int], None] | None = None, only_new: bool = False) -> IndexReport:
    """Read sources (feeds too), store them with their passages and index what is new or changed.

    `only_new` reads only the items of watched inputs that are new or changed since the last run.
    """
    from factcheck.watch import WatchState, read_inputs

    ws = ws or workspace(settings)
    loaded, taken = read_inputs(inputs, ws.store, "index_sources", only_new)
    try:
        report = IndexReport(changes=store_sources(ws, loaded.documents), problems=loaded.problems)
        report.embedded, report.removed = sync_index(ws, progress=progress)
    except Exception:
        WatchState(ws.store, "index_sources").release(taken)
        raise
    report.total_passages = len(ws.vectors)
    return report


# -- articles and claims ---------------------------------------------------------------------
@dataclass
class CheckReport:
    """What a check run did: per-article claim ids, verdict counts and skipped items."""

    run_id: int
    articles: dict[str, list[int]] = field(default_factory=dict)
    labels: Counter = field(default_factory=Counter)
    problems: list[Problem] = field(default_factory=list)
    new_verdicts: int = 0

    def summary(self) -> dict:
        return {"articles": len(self.articles), "claims": sum(map(len, self.articles.values())),
                "labels": dict(self.labels), "new_verdicts": self.new_verdicts,
                "problems": [str(p) for p in self.problems]}


def store_articles(ws: Workspace, documents: Sequence[Document]) -> tuple[dict[str, list[int]], list[Problem]]:
    """Store articles and their extracted claims; returns claim ids per article and skipped articles."""
    out: dict[str, list[int]] = {}
    problems: list[Problem] = []
    documents = list(documents)
    batched = _extract_batch(ws, documents)
    for doc, result in zip(documents, batched):
        try:
            if isinstance(result, Exception):
                raise result
            claims = result if result is not None else ws.extractor.extract(doc)
        except Exception as error:  # one bad article must not stop the batch
            problems.append(Problem(doc.id, f"claim extraction failed: {error.__class__.__name__}: {error}"))
            continue
        row_id, status = ws.store.upsert_article(doc)
        out[doc.id] = ws.store.upsert_claims(row_id, claims, ws.extractor.name)
        log.info("article %s (%s): %d claims", doc.id, status, len(claims))
    for problem in problems:
        log.warning("skipped article %s", problem)
    return out, problems


def _extract_batch(ws: Workspace, documents: list[Document]) -> list:
    """Claims (or the error rejecting it) per article from the extractor's batch path, where it has
    one; None entries mean 'extract this article on its own'."""
    extract_many = getattr(ws.extractor, "extract_many", None)
    if extract_many is None or len(documents) < 2:
        return [None] * len(documents)
    try:
        return extract_many(documents, n_process=claim_processes(ws.settings.claim_processes, len(documents)))
    except Exception as error:  # fall back to one article at a time, so only the bad one is skipped
        log.warning("batch claim extraction failed (%s: %s); extracting one article at a time",
                    error.__class__.__name__, error)
        return [None] * len(documents)


def claim_processes(setting: int, batch: int) -> int:
    """Worker processes for extracting claims from `batch` articles: the setting, or when it is 0 one
    per core (at most 4) for batches big enough to repay the workers' start (about 3 s)."""
    if setting:
        return setting
    return min(os.cpu_count() or 1, 4) if batch >= 100 else 1


def verify_stored_claims(ws: Workspace, claim_ids: Sequence[int], run_id: int | None,
                         as_of_published: bool = False, as_of: date | None = None) -> list[tuple[int, Verdict]]:
    """Retrieve evidence for stored claims, decide and store their verdicts.

    `as_of` limits evidence to sources published up to that date; `as_of_published` to each
    claim's article date (sources without a date are then left out).
    """
    claims = ws.store.claims_by_id(claim_ids)
    cutoffs = [evidence_cutoff(c.published, as_of_published, as_of) for c in claims]
    verdicts = _verify_and_save(ws, [c.id for c in claims], [c.text for c in claims], cutoffs, run_id)
    return [(c.id, v) for c, v in zip(claims, verdicts) if v is not None]


def evidence_cutoff(published: date | None, as_of_published: bool, as_of: date | None) -> date | None:
    """The latest source date a claim may use: the earlier of `as_of` and (if asked) its article's date."""
    return min(filter(None, (published if as_of_published else None, as_of)), default=None)


def _verify_and_save(ws: Workspace, claim_ids: Sequence[int], texts: Sequence[str],
                     cutoffs: Sequence[date | None], run_id: int | None) -> list[Verdict | None]:
    """Retrieve, decide and store verdicts for stored claims; None where the verifier failed."""
    if not texts:
        return []
    hits = ws.retriever.retrieve(texts, ws.settings.top_k, cutoffs if any(cutoffs) else None)
    verdicts = decide(ws, texts, hits)
    kept = [n for n, v in enumerate(verdicts) if v is not None]
    written = ws.store.save_verdicts(run_id, [(claim_ids[n], verdicts[n]) for n in kept], ws.verifier.name,
                                     ws.verifier.version, ws.embedder.name,
                                     retrieved=[[h.passage_id for h in hits[n]] for n in kept])
    log.info("verified %d claims with %s: %s (%d new verdicts)", len(kept), ws.verifier.name,
             dict(Counter(verdicts[n].label.value for n in kept)), written)
    return verdicts


def decide(ws: Workspace, texts: Sequence[str], hits: Sequence[Sequence]) -> list[Verdict | None]:
    """Verdicts with quotes for a batch; if the batch fails, claim by claim, leaving None for failures."""
    try:
        verdicts: list[Verdict | None] = list(ws.verifier.verify(texts, hits))
    except FactcheckError as error:
        log.warning("verifying a batch of %d claims failed (%s); retrying one by one", len(texts), error)
        verdicts = []
        for text, claim_hits in zip(texts, hits):
            try:
                verdicts.extend(ws.verifier.verify([text], [claim_hits]))
            except FactcheckError as one_error:
                log.warning("skipped claim %r: %s", text[:80], one_error)
                verdicts.append(None)
    return [with_quotes(text, v) if v is not None else None for text, v in zip(texts, verdicts)]


def check_articles(settings: Settings, inputs: Iterable[str], ws: Workspace | None = None,
                   as_of_published: bool = False, as_of: date | None = None, only_new: bool = False) -> CheckReport:
    """Read articles (feeds too), extract and store their claims, verify them in batches and store verdicts.

    `only_new` checks only the items of watched inputs that are new or changed since the last run.
    """
    from factcheck.watch import WatchState, read_inputs

    ws = ws or workspace(settings)
    inputs = list(inputs)
    run_id = ws.start_run("check_articles", {"inputs": inputs, "only_new": only_new})
    report = CheckReport(run_id)
    taken: list[str] = []
    try:
        loaded, taken = read_inputs(inputs, ws.store, "check_articles", only_new)
        report.problems.extend(loaded.problems)
        report.articles, problems = store_articles(ws, loaded.documents)
        report.problems.extend(problems)
        claim_ids = [cid for ids in report.articles.values() for cid in ids]
        for first in range(0, len(claim_ids), settings.verify_batch_size):
            batch = claim_ids[first:first + settings.verify_batch_size]
            for _, verdict in verify_stored_claims(ws, batch, run_id, as_of_published, as_of):
                report.labels[verdict.label.value] += 1
    except Exception:
        WatchState(ws.store, "check_articles").release(taken)
        ws.store.finish_run(run_id, "failed", report.summary())
        raise
    ws.store.finish_run(run_id, "completed", report.summary())
    return report


def verify_claim_texts(ws: Workspace, items: Sequence[tuple[str, str]], as_of: date | None = None,
                       run_id: int | None = None) -> list[Verdict | None]:
    """Verify (id, claim text) pairs from a claims file, storing claims and verdicts (None: failed)."""
    claims = [Claim(text, 0, len(text)) for _, text in items]
    claim_ids = ws.store.upsert_claims(None, claims, "claims-file", [cid for cid, _ in items])
    return _verify_and_save(ws, claim_ids, [text for _, text in items], [as_of] * len(items), run_id)
