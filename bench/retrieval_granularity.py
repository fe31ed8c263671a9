"""Whole-document lists fused with the passage lists for SciFact retrieval (an experiment; see docs/benchmarks.md).

    python bench/retrieval_granularity.py /tmp/fc-scifact train     # choose the weights on train
    python bench/retrieval_granularity.py /tmp/fc-scifact dev       # report on dev

factcheck retrieves passages (3-sentence windows) and ranks a document at its best passage. This
adds two document-level lists, MiniLM over title + abstract (truncated to 256 word pieces, the
reference setting of the issue) and BM25 over the whole abstract, and fuses all four by
reciprocal rank at document level. Needs the workspace bench/scifact.py builds; the document
embeddings are cached next to it.
"""
import json
import math
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT)); sys.path.insert(0, str(ROOT / "bench"))
from scifact import load_claims  # noqa: E402
from factcheck.pipeline import Workspace  # noqa: E402
from factcheck.settings import Settings  # noqa: E402

work, split = Path(sys.argv[1]), sys.argv[2]
data = ROOT.parent / "shared/data/scifact"
ws = Workspace(Settings(home=work / "home"))
claims = [c for c in load_claims(data / f"claims_{split}.jsonl") if c["gold_docs"]]
texts = [c["claim"] for c in claims]
corpus = [json.loads(line) for line in (data / "corpus.jsonl").read_text().splitlines()]
doc_ids = [str(d["doc_id"]) for d in corpus]
doc_texts = [d["title"] + ". " + " ".join(d["abstract"]) for d in corpus]

cache = work / "doc_embeddings.npy"
if cache.is_file():
    doc_vecs = np.load(cache)
else:
    model = ws.embedder
    doc_vecs = np.asarray(model.embed(doc_texts), dtype=np.float32)
    np.save(cache, doc_vecs)
q = np.asarray(ws.embedder.embed(texts), dtype=np.float32)
dense_doc = np.argsort(-(q @ doc_vecs.T), axis=1)[:, :200]

D = 200
ds, di = ws.vectors.search(q, D)
lx = ws.lexical.search(texts, D)
allp = {int(p) for row in di for p in row if p >= 0} | {p for row in lx for p, _ in row}
src = {p: row[0] for p, row in ws.store.passage_rows(allp).items()}


def ranked_docs(passages):
    out = []
    for p in passages:
        if src[p] not in out:
            out.append(src[p])
    return out


def evaluate(rank_docs):
    rec = {1: 0, 3: 0, 10: 0}; nd = 0
    for i, c in enumerate(claims):
        docs = rank_docs(i); g = set(c["gold_docs"])
        for k in rec:
            rec[k] += len(g & set(docs[:k])) / len(g)
        dcg = sum(1 / math.log2(j + 2) for j, d in enumerate(docs[:10]) if d in g)
        nd += dcg / sum(1 / math.log2(j + 2) for j in range(min(len(g), 10)))
    n = len(claims)
    return {f"R@{k}": round(v / n, 3) for k, v in rec.items()} | {"nDCG": round(nd / n, 3)}


lists = {
    "passage_dense": [ranked_docs([int(p) for p in row if p >= 0]) for row in di],
    "passage_lexical": [ranked_docs([p for p, _ in row]) for row in lx],
    "doc_dense": [[doc_ids[j] for j in row] for row in dense_doc],
}
from factcheck.lexical import _import_bm25s, tokenize  # noqa: E402
retriever = _import_bm25s().BM25()
retriever.index([tokenize(t) or ["_"] for t in doc_texts], show_progress=False)
res, _ = retriever.retrieve([tokenize(t) or ["_"] for t in texts], k=D, show_progress=False)
lists["doc_lexical"] = [[doc_ids[j] for j in row] for row in res]


def fuse(weights, k=60):
    def rank(i):
        f = {}
        for name, w in weights.items():
            for r, d in enumerate(lists[name][i][:D]):
                f[d] = f.get(d, 0) + w / (k + r + 1)
        return [d for d, _ in sorted(f.items(), key=lambda x: -x[1])]
    return rank


print(f"{split}: {len(claims)} claims with gold documents")
for name in lists:
    print(f"  {name:<16}", evaluate(lambda i, n=name: lists[n][i]))
grid = [("passage lists only (about what factcheck does)", {"passage_dense": 1, "passage_lexical": 1}),
        ("+ doc dense", {"passage_dense": 1, "passage_lexical": 1, "doc_dense": 1}),
        ("+ doc lexical", {"passage_dense": 1, "passage_lexical": 1, "doc_lexical": 1}),
        ("+ both doc lists", {"passage_dense": 1, "passage_lexical": 1, "doc_dense": 1, "doc_lexical": 1}),
        ("+ both doc lists at 0.5", {"passage_dense": 1, "passage_lexical": 1, "doc_dense": .5, "doc_lexical": .5}),
        ("doc lists only", {"doc_dense": 1, "doc_lexical": 1})]
for label, weights in grid:
    print(f"  {label:<48}", evaluate(fuse(weights)))
