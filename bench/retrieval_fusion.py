"""Document-level fusion and NLI-reranker variants for SciFact retrieval (an experiment; see docs/benchmarks.md).

    python bench/retrieval_fusion.py /tmp/fc-scifact train                        # choose on train
    python bench/retrieval_fusion.py /tmp/fc-scifact dev packaged:factcheck-verifier   # report on dev

Needs the workspace bench/scifact.py builds. Prints recall@1/3/10 and nDCG@10 of gold documents for
passage-level RRF (what factcheck does), document-level RRF, summed RRF, min-max score fusion at
document level, and (with a model) the document ranking fused with a cross-encoder relevance rank.
"""
import sys, math, json, time
ROOT = __import__('pathlib').Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT)); sys.path.insert(0, str(ROOT / 'bench'))
from pathlib import Path
from scifact import load_claims
from factcheck.pipeline import Workspace
from factcheck.settings import Settings
work = Path(sys.argv[1]); split = sys.argv[2]
ws = Workspace(Settings(home=work / 'home'))
claims = [c for c in load_claims((ROOT.parent / 'shared/data/scifact') / f'claims_{split}.jsonl') if c['gold_docs']]
texts = [c['claim'] for c in claims]
q = ws.embedder.embed(texts)
D = 200
ds, di = ws.vectors.search(q, D)
lx = ws.lexical.search(texts, D)
allp = {int(p) for row in di for p in row if p >= 0} | {p for row in lx for p, _ in row}
rows = ws.store.passage_rows(allp)
src = {p: rows[p][0] for p in rows}
def evaluate(rank_docs):
    rec = {1: 0, 3: 0, 10: 0}; nd = 0
    for i, c in enumerate(claims):
        docs = rank_docs(i); g = set(c['gold_docs'])
        for k in rec: rec[k] += len(g & set(docs[:k])) / len(g)
        dcg = sum(1 / math.log2(j + 2) for j, d in enumerate(docs[:10]) if d in g)
        nd += dcg / sum(1 / math.log2(j + 2) for j in range(min(len(g), 10)))
    n = len(claims)
    return {f'R@{k}': round(v / n, 3) for k, v in rec.items()} | {'nDCG': round(nd / n, 3)}
def dense_docs(i):
    out = {}
    for r, (p, s) in enumerate(zip(di[i], ds[i])):
        if p >= 0 and src[int(p)] not in out: out[src[int(p)]] = (r, float(s))
    return out
def lex_docs(i):
    out = {}
    for r, (p, s) in enumerate(lx[i]):
        if src[p] not in out: out[src[p]] = (r, s)
    return out
def passage_rrf(i, k=60, wl=1.0):
    f = {}
    for r, p in enumerate(di[i]):
        if p >= 0: f[int(p)] = f.get(int(p), 0) + 1 / (k + r + 1)
    for r, (p, _) in enumerate(lx[i]): f[p] = f.get(p, 0) + wl / (k + r + 1)
    docs = []
    for p, _ in sorted(f.items(), key=lambda x: -x[1]):
        if src[p] not in docs: docs.append(src[p])
    return docs
def doc_rrf(i, k=60, wl=1.0):
    f = {}
    for lst, w in ((dense_docs(i), 1.0), (lex_docs(i), wl)):
        ranked = sorted(lst.items(), key=lambda x: x[1][0])
        for r, (d, _) in enumerate(ranked): f[d] = f.get(d, 0) + w / (k + r + 1)
    return [d for d, _ in sorted(f.items(), key=lambda x: -x[1])]
def doc_sum(i, k=60, wl=1.0):
    f = {}
    for r, p in enumerate(di[i]):
        if p >= 0: f[src[int(p)]] = f.get(src[int(p)], 0) + 1 / (k + r + 1)
    for r, (p, _) in enumerate(lx[i]): f[src[p]] = f.get(src[p], 0) + wl / (k + r + 1)
    return [d for d, _ in sorted(f.items(), key=lambda x: -x[1])]
def score_fusion(i, alpha=0.5):
    # min-max normalised dense cosine and bm25, per doc best
    dd, ll = dense_docs(i), lex_docs(i)
    dv = [v[1] for v in dd.values()]; lv = [v[1] for v in ll.values()]
    dmin, dmax = min(dv), max(dv); lmin, lmax = (min(lv), max(lv)) if lv else (0, 1)
    f = {}
    for d in set(dd) | set(ll):
        a = (dd[d][1] - dmin) / (dmax - dmin + 1e-9) if d in dd else 0
        b = (ll[d][1] - lmin) / (lmax - lmin + 1e-9) if d in ll else 0
        f[d] = alpha * a + (1 - alpha) * b
    return [d for d, _ in sorted(f.items(), key=lambda x: -x[1])]
print(split, len(claims))
print('passage_rrf k60', evaluate(passage_rrf))
for k in (10, 30, 60):
    print('doc_rrf k', k, evaluate(lambda i: doc_rrf(i, k)))
print('doc_sum k60', evaluate(doc_sum))
for a in (0.3, 0.4, 0.5, 0.6, 0.7):
    print('score_fusion', a, evaluate(lambda i: score_fusion(i, a)))
if len(sys.argv) > 3:
    from factcheck.crossencoder import CrossEncoderScorer
    from factcheck.text import split_sentences
    sc = CrossEncoderScorer(sys.argv[3], precision="bf16")
    depth = 20
    base = [doc_rrf(i) for i in range(len(claims))]
    # passages per doc: best fused passage of that doc among candidates
    rel = []
    t0 = time.time()
    for i, c in enumerate(claims):
        f = {}
        for r, p in enumerate(di[i]):
            if p >= 0: f[int(p)] = f.get(int(p), 0) + 1 / (61 + r)
        for r, (p, _) in enumerate(lx[i]): f[p] = f.get(p, 0) + 1 / (61 + r)
        bestp = {}
        for p, v in sorted(f.items(), key=lambda x: -x[1]):
            bestp.setdefault(src[p], p)
        docs = base[i][:depth]
        units = [(d, rows[bestp[d]][1][a:b]) for d in docs for a, b in split_sentences(rows[bestp[d]][1])]
        pr = sc.score([(c['claim'], t) for _, t in units])
        r_ = {}
        for (d, _), p in zip(units, pr): r_[d] = max(r_.get(d, 0), 1 - float(p[1]))
        rel.append(r_)
    print('ce seconds', round(time.time() - t0))
    for w in (0.0, 0.5, 1.0, 2.0):
        def fuse(i, w=w):
            docs = base[i][:depth]
            ce_rank = {d: r for r, d in enumerate(sorted(docs, key=lambda d: -rel[i].get(d, 0)))}
            s = {d: 1 / (60 + r + 1) + w / (60 + ce_rank[d] + 1) for r, d in enumerate(docs)}
            return sorted(docs, key=lambda d: -s[d]) + base[i][depth:]
        print('doc_rrf + CE w', w, evaluate(fuse))
