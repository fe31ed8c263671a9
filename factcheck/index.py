"""The FAISS vector index of passage embeddings, persisted under FACTCHECK_HOME.

Vector ids are passage row ids in the database. `meta.json` records the model, dimension and
index kind; opening it with another model or dimension raises IndexMismatchError.

Two kinds: `flat` (exact inner-product search, the default) and, past a configurable size,
`ivf-sq8` (an inverted file with 8-bit scalar quantisation, trained on the stored vectors:
about a quarter of the memory of flat and sub-linear search). Both support add, remove and
reconstruct by id, so sources can be updated and deleted in place.
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
            path = self.directory / INDEX_FILE
            if not path.exists():
                raise IndexMismatchError(f"index metadata at {self.directory} but no {INDEX_FILE}; "
                                         "run 'factcheck index rebuild'")
            self._index = faiss.read_index(str(path))
            self.meta = meta
            if meta.get("kind") == "ivf-sq8":
                self._ivf().set_direct_map_type(faiss.DirectMap.Hashtable)
                self._ivf().nprobe = int(meta["params"]["nprobe"])
        else:
            self._index = faiss.IndexIDMap2(faiss.IndexFlatIP(dim))
            self.meta = {"model": model, "dim": dim, "kind": "flat", "params": {},
                         "created": datetime.now(timezone.utc).isoformat(timespec="seconds")}

    @staticmethod
    def read_meta(directory: Path) -> dict | None:
        """The index's metadata, or None when no index exists there yet."""
        path = Path(directory) / META_FILE
        if not path.exists():
            return None
        return json.loads(path.read_text())

    @property
    def kind(self) -> str:
        return self.meta.get("kind", "flat")

    def _ivf(self):
        return self._faiss.extract_index_ivf(self._index)

    def __len__(self) -> int:
        return int(self._index.ntotal)

    def ids(self) -> np.ndarray:
        """All vector ids (passage ids) in the index."""
        if self.kind == "flat":
            return self._faiss.vector_to_array(self._index.id_map).astype(np.int64)
        invlists = self._ivf().invlists
        parts = []
        for list_no in range(invlists.nlist):
            size = invlists.list_size(list_no)
            if size:
                ptr = invlists.get_ids(list_no)
                parts.append(self._faiss.rev_swig_ptr(ptr, size).copy())
                invlists.release_ids(list_no, ptr)
        return np.concatenate(parts).astype(np.int64) if parts else np.zeros(0, np.int64)

    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        """Add vectors under the given ids; an id already present is replaced."""
        if len(ids) == 0:
            return
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        if vectors.ndim != 2 or vectors.shape[1] != self.dim:
            raise IndexMismatchError(f"vectors have shape {vectors.shape}, the index dimension is {self.dim}")
        ids = np.asarray(ids, dtype=np.int64)
        self.remove(ids)
        self._index.add_with_ids(vectors, ids)

    def remove(self, ids) -> int:
        """Remove vectors by id; returns how many were removed."""
        ids = np.asarray(list(ids), dtype=np.int64)
        if len(ids) == 0 or len(self) == 0:
            return 0
        if self.kind == "flat":
            return int(self._index.remove_ids(self._faiss.IDSelectorBatch(ids)))
        # The IVF direct map (a hash table) only removes through an explicit id array.
        selector = self._faiss.IDSelectorArray(len(ids), self._faiss.swig_ptr(ids))
        return int(self._index.remove_ids(selector))

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

    def to_ivf(self, nlist: int | None = None, nprobe: int | None = None, train_size: int = 100_000,
               seed: int = 13) -> None:
        """Convert a flat index to IVF-SQ8, trained on (a sample of) the stored vectors."""
        faiss = self._faiss
        if self.kind != "flat":
            return
        ids = self.ids()
        n = len(ids)
        if n < 1000:
            raise ValueError(f"an IVF index needs at least 1000 vectors to train, the index has {n}")
        vectors = self._index.index.reconstruct_n(0, n)
        nlist = nlist or int(min(max(4 * np.sqrt(n), 64), 65536))
        nprobe = nprobe or max(8, nlist // 128)
        quantizer = faiss.IndexFlatIP(self.dim)
        ivf = faiss.IndexIVFScalarQuantizer(quantizer, self.dim, nlist, faiss.ScalarQuantizer.QT_8bit,
                                            faiss.METRIC_INNER_PRODUCT)
        rng = np.random.default_rng(seed)
        sample = vectors[rng.choice(n, size=min(n, max(train_size, 40 * nlist)), replace=False)]
        ivf.train(sample)
        ivf.set_direct_map_type(faiss.DirectMap.Hashtable)
        for first in range(0, n, 100_000):
            ivf.add_with_ids(vectors[first:first + 100_000], ids[first:first + 100_000])
        ivf.nprobe = nprobe
        self._index = ivf
        self.meta.update(kind="ivf-sq8", params={"nlist": nlist, "nprobe": nprobe, "trained_on": len(sample),
                                                 "seed": seed})

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
