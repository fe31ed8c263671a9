"""BM25 variants (bm25s method, k1, b) inside hybrid retrieval on SciFact: python bench/bm25_params.py train [dev].

Needs the workspace of bench/scifact.py at /tmp/fc-scifact. An experiment; see docs/benchmarks.md.
"""
import sys, math
ROOT = __import__('pathlib').Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT)); sys.path.insert(0, str(ROOT / 'bench'))
from pathlib import Path
import numpy as np, bm25s
from scifact import load_claims
from factcheck.pipeline import Workspace
from factcheck.settings import Settings
from factcheck.lexical import tokenize
from factcheck.schema import Passage
from sqlalchemy import select
ws = Workspace(Settings(home=Path('/tmp/fc-scifact/home')))
with ws.store.session() as s:
    rows = s.execute(select(Passage.id, Passage.text)).all()
ids = np.array([r[0] for r in rows]); toks = [tokenize(r[1]) or ['_'] for r in rows]
rowmap = ws.store.passage_rows(set(int(i) for i in ids))
src = {p: rowmap[p][0] for p in rowmap}
for split in sys.argv[1:]:
    claims = [c for c in load_claims((ROOT.parent / 'shared/data/scifact') / f'claims_{split}.jsonl') if c['gold_docs']]
    texts = [c['claim'] for c in claims]
    q = ws.embedder.embed(texts); ds, di = ws.vectors.search(q, 100)
    qt = [tokenize(t) or ['_'] for t in texts]
    def ev(lex, wl=1.0):
        rec3 = rec1 = 0; nd = 0
        for i, c in enumerate(claims):
            f = {}
            for r, p in enumerate(di[i]):
                if p >= 0: f[int(p)] = f.get(int(p), 0) + 1 / (61 + r)
            for r, p in enumerate(lex[i]): f[p] = f.get(p, 0) + wl / (61 + r)
            docs = []
            for p, _ in sorted(f.items(), key=lambda x: -x[1]):
                if src[p] not in docs: docs.append(src[p])
            g = set(c['gold_docs'])
            rec1 += len(g & set(docs[:1])) / len(g); rec3 += len(g & set(docs[:3])) / len(g)
            nd += sum(1 / math.log2(j + 2) for j, d in enumerate(docs[:10]) if d in g) / sum(1 / math.log2(j + 2) for j in range(min(len(g), 10)))
        n = len(claims); return round(rec1 / n, 3), round(rec3 / n, 3), round(nd / n, 3)
    for method in ('lucene', 'bm25+', 'atire'):
        for k1 in (0.9, 1.2, 1.5):
            for b in (0.4, 0.75, 0.9):
                m = bm25s.BM25(method=method, k1=k1, b=b); m.index(toks, show_progress=False)
                d, sc = m.retrieve(qt, k=100, show_progress=False, n_threads=1)
                lex = [[int(ids[x]) for x, s_ in zip(rd, rs) if s_ > 0] for rd, rs in zip(d, sc)]
                print(split, method, k1, b, 'hybrid R@1/R@3/nDCG', ev(lex), flush=True)
