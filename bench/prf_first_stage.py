"""Pseudo-relevance feedback for the lexical leg of the first stage (an experiment, not in the product).

For each SciFact train claim with evidence (never dev), the top m passages of the product's hybrid first
stage give e expansion terms (tf x idf over the corpus, not already in the claim); BM25 with the expanded
query is fused by RRF with the dense list and the plain BM25 list at the weights shown. Prints recall@3,
@10 and @30 of gold documents over all train claims and over the calibration share (115 claims).

    python bench/prf_first_stage.py /tmp/fc-scifact      # the workspace bench/scifact.py builds
"""
import sys, math, time
from collections import Counter
from pathlib import Path
import numpy as np
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from factcheck.pipeline import Workspace
from factcheck.settings import Settings
from factcheck.lexical import tokenize
from factcheck.retrieve import HybridRetriever, RRF_K
from factcheck.reranker_training import _passages, _gold_claims, _documents, passage_text, scifact_dir
from factcheck.training import SCIFACT_CALIBRATION_SHARE, scifact_calibration_ids

DATA = Path(__file__).resolve().parents[2] / 'shared' / 'data'; scifact = scifact_dir(DATA)
ws = Workspace(Settings(home=Path(sys.argv[1]) / 'home', reranker=None))
passages = _passages(ws)
t0 = time.time()
ptoks = {pid: tokenize(passage_text(p)) for pid, p in passages.items()}
df = Counter(t for toks in ptoks.values() for t in set(toks))
N = len(ptoks); idf = {t: math.log(N / n) for t, n in df.items()}
print('tokenized', round(time.time() - t0), 's', flush=True)
held = scifact_calibration_ids(scifact, SCIFACT_CALIBRATION_SHARE)
train = _gold_claims(scifact, 'train')
texts = [c['claim'] for c in train]
r = HybridRetriever(ws.store, ws.embedder, ws.vectors, ws.lexical, 1.0, 1.0, candidates=100)
hits = r.retrieve(texts, 100)
q = ws.embedder.embed(texts)
ds, di = ws.vectors.search(q, 100)
lx = ws.lexical.search(texts, 100)

def rrf(lists_weights, n=100):
    fused = {}
    for lst, w in lists_weights:
        for rank, pid in enumerate(lst):
            fused[pid] = fused.get(pid, 0.0) + w / (RRF_K + rank + 1)
    return [p for p, _ in sorted(fused.items(), key=lambda x: -x[1])][:n]

def recall_at(claims, rankings, ks=(3, 10, 30)):
    out = {}
    for k in ks:
        out[f'R@{k}'] = round(float(np.mean([len(set(c['gold_docs']) & set(d[:k])) / len(c['gold_docs']) for c, d in zip(claims, rankings)])), 4)
    return out

base = [rrf([([int(p) for p in di[i] if p >= 0], 1.0), ([p for p, _ in lx[i]], 1.0)]) for i in range(len(train))]
share = [i for i, c in enumerate(train) if int(c['id']) in held]
rest = [i for i in range(len(train)) if i not in set(share)]
def report(name, rankings):
    docs = [_documents(rk, passages) for rk in rankings]
    print(name, 'all', recall_at(train, docs), 'share', recall_at([train[i] for i in share], [docs[i] for i in share]), flush=True)
report('base (hybrid rrf)', base)
report('product hybrid', [[h.passage_id for h in hs] for hs in hits])
bm = ws.lexical._bm25; ids = ws.lexical._ids
for m, e, w in [(3, 10, 1.0), (3, 10, 0.5), (5, 10, 1.0), (3, 20, 1.0), (3, 5, 1.0), (5, 20, 0.5), (10, 20, 1.0)]:
    queries = []
    for i, c in enumerate(train):
        qt = tokenize(c['claim']); qs = set(qt)
        score = Counter()
        for pid in base[i][:m]:
            toks = ptoks[pid]; tf = Counter(toks)
            for t, n in tf.items():
                if t not in qs and df[t] > 1:
                    score[t] += n / len(toks) * idf[t]
        queries.append((qt or ['_']) + [t for t, _ in score.most_common(e)])
    docs_, scores_ = bm.retrieve(queries, k=100, show_progress=False, n_threads=1)
    exp = [[int(ids[d]) for d, s in zip(rd, rs) if s > 0] for rd, rs in zip(docs_, scores_)]
    for lw in dict.fromkeys(((0.5, 0.5), (1.0, w))):   # (1.0, 0.0) is the base
        fused = [rrf([([int(p) for p in di[i] if p >= 0], 1.0), ([p for p, _ in lx[i]], lw[0]), (exp[i], lw[1])]) for i in range(len(train))]
        report(f'prf m={m} e={e} lex/exp={lw}', fused)
