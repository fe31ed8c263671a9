"""The FAISS vector index of passage embeddings, persisted under FACTCHECK_HOME.

Vector ids are passage row ids in the database. `meta.json` records the model and dimension
that built the index; opening it with another model or dimension raises IndexMismatchError.
"""
from __future__ import annotations

import json
import os
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from factcheck.errors import IndexMismatchError

INDEX_FILE = "vectors.faiss"
META_FILE = "meta.json"


class VectorIndex:
    """Inner-product search over unit vectors (cosine similarity), ids = passage ids."""

    def __init__(self, directory: Path, model: str, dim: int):
        import faiss

        self._faiss = faiss
        self.directory = Path(directory)
        self.model = model
        self.dim = dim
        meta = self.read_meta(self.directory)
        if meta is not None:
            if meta["model"] != model or meta["dim"] != dim:
                raise IndexMismatchError(
                    f"index at {self.directory} was built with model {meta['model']!r} (dim {meta['dim']}), "
                    f"not {model!r} (dim {dim}); set FACTCHECK_EMBEDDING_MODEL back or run 'factcheck index rebuild'"
                )
            self._index = faiss.read_index(str(self.directory / INDEX_FILE))
            self.meta = meta
        else:
            self._index = faiss.IndexIDMap2(faiss.IndexFlatIP(dim))
            self.meta = {"model": model, "dim": dim, "kind": "flat",
                         "created": datetime.now(timezone.utc).isoformat(timespec="seconds")}

    @staticmethod
    def read_meta(directory: Path) -> dict | None:
        """The index's metadata, or None when no index exists there yet."""
        path = Path(directory) / META_FILE
        if not path.exists():
            return None
        return json.loads(path.read_text())

    def __len__(self) -> int:
        return int(self._index.ntotal)

    def ids(self) -> np.ndarray:
        """All vector ids (passage ids) in the index."""
        return self._faiss.vector_to_array(self._index.id_map).astype(np.int64)

    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        """Add vectors under the given ids; an id already present is replaced."""
        if len(ids) == 0:
            return
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        if vectors.shape[1] != self.dim:
            raise IndexMismatchError(f"vectors have dimension {vectors.shape[1]}, the index {self.dim}")
        ids = np.asarray(ids, dtype=np.int64)
        self.remove(ids)
        self._index.add_with_ids(vectors, ids)

    def remove(self, ids) -> int:
        """Remove vectors by id; returns how many were removed."""
        ids = np.asarray(list(ids), dtype=np.int64)
        if len(ids) == 0 or len(self) == 0:
            return 0
        return int(self._index.remove_ids(self._faiss.IDSelectorBatch(ids)))

    def search(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """(scores, ids) of shape (len(queries), k); missing neighbours have id -1."""
        queries = np.ascontiguousarray(queries, dtype=np.float32)
        if len(self) == 0:
            return np.zeros((len(queries), k), np.float32), -np.ones((len(queries), k), np.int64)
        return self._index.search(queries, min(k, len(self)))

    def similarities(self, ids, query: np.ndarray) -> dict[int, float]:
        """Inner products of the query with the stored vectors of `ids` (ids not stored are left out)."""
        out = {}
        for i in ids:
            try:
                out[int(i)] = float(self._index.reconstruct(int(i)) @ query)
            except RuntimeError:
                continue
        return out

    def save(self) -> None:
        """Write index and metadata atomically (temporary file, then rename)."""
        self.directory.mkdir(parents=True, exist_ok=True)
        tmp = self.directory / (INDEX_FILE + ".tmp")
        self._faiss.write_index(self._index, str(tmp))
        os.replace(tmp, self.directory / INDEX_FILE)
        self.meta.update(count=len(self), updated=datetime.now(timezone.utc).isoformat(timespec="seconds"))
        tmp_meta = self.directory / (META_FILE + ".tmp")
        tmp_meta.write_text(json.dumps(self.meta, indent=2))
        os.replace(tmp_meta, self.directory / META_FILE)

    def size_on_disk(self) -> int:
        path = self.directory / INDEX_FILE
        return path.stat().st_size if path.exists() else 0
