"""Pilot: a relevance cross-encoder trained on SciFact train, hard negatives from our own retriever.

    python bench/reranker_pilot.py /tmp/fc-scifact /tmp/rr1 --epochs 1            # passage text only
    python bench/reranker_pilot.py /tmp/fc-scifact /tmp/rr2 --epochs 1 --title    # title + passage text

Needs the workspace that bench/scifact.py builds. The model starts from the shipped verifier's encoder,
with a new one-logit head. It trains on the SciFact train claims outside the calibration share
(`factcheck.training.scifact_calibration_ids`). Positives are the passages holding a gold rationale
sentence; negatives are the first --neg passages of other documents in the hybrid ranking. The script
then prints the document ranking (recall@1/3/10, nDCG@10) of the first stage, of the reranker alone and
of both fused by RRF, at several depths and weights, on the calibration share (to choose) and on dev (to
report). Results and the choice: docs/benchmarks.md. Kept as the record of session 5: the product's
version of this recipe is `factcheck train-reranker` (factcheck/reranker_training.py, docs/reranker.md).
"""
import argparse, json, math, random, sys, time
from pathlib import Path
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT)); sys.path.insert(0, str(ROOT / 'bench'))

ap = argparse.ArgumentParser()
ap.add_argument('work', type=Path); ap.add_argument('out', type=Path)
ap.add_argument('--epochs', type=int, default=1); ap.add_argument('--init', default='verifier')
ap.add_argument('--depth', type=int, default=20); ap.add_argument('--lr', type=float, default=3e-5)
ap.add_argument('--neg', type=int, default=12); ap.add_argument('--title', action='store_true')
ap.add_argument('--eval-only', action='store_true')
args = ap.parse_args()

import numpy as np, torch
from sqlalchemy import select
from scifact import load_claims
from factcheck.pipeline import Workspace
from factcheck.settings import Settings
from factcheck.schema import Passage, Source
from factcheck.training import scifact_calibration_ids, _collate
from factcheck.crossencoder import CrossEncoderScorer, native_bf16

DATA = ROOT.parent / 'shared/data/scifact'
ws = Workspace(Settings(home=args.work / 'home'))
with ws.store.session() as s:
    P = {pid: (src, title, a, b, text) for pid, src, title, a, b, text in s.execute(
        select(Passage.id, Source.external_id, Source.title, Passage.start_char, Passage.end_char, Passage.text).join(Source))}
by_doc = {}
for pid, (src, *_r) in P.items():
    by_doc.setdefault(src, []).append(pid)
offsets = {}
for line in (DATA / 'corpus.jsonl').read_text().splitlines():
    d = json.loads(line); text, spans = '', []
    for sent in d['abstract']:
        sent = sent.strip()
        if text: text += ' '
        spans.append((len(text), len(text) + len(sent))); text += sent
    offsets[str(d['doc_id'])] = spans

def ptext(pid):
    src, title, a, b, text = P[pid]
    return f'{title}. {text}' if args.title else text

cal = scifact_calibration_ids(DATA)
train_all = [c for c in load_claims(DATA / 'claims_train.jsonl') if c['gold_docs']]
fit = [c for c in train_all if c['id'] not in cal]
val = [c for c in train_all if c['id'] in cal]
dev = [c for c in load_claims(DATA / 'claims_dev.jsonl') if c['gold_docs']]
print('claims fit/val/dev', len(fit), len(val), len(dev), flush=True)

def retrieve(claims, k):
    hits = ws.retriever.retrieve([c['claim'] for c in claims], k)
    return [[h.passage_id for h in hs] for hs in hits]

def rationale_passages(c):
    out = set()
    for doc, rats in c['evidence'].items():
        sents = [offsets[doc][i] for r in rats for i in r['sentences']]
        for pid in by_doc.get(doc, []):
            _, _, a, b, _ = P[pid]
            if any(a <= s and e <= b for s, e in sents):
                out.add(pid)
    return out

t0 = time.time()
cand = {name: retrieve(cs, max(args.depth, 30)) for name, cs in (('fit', fit), ('val', val), ('dev', dev))}
print('retrieval s', round(time.time() - t0), flush=True)

from sentence_transformers import CrossEncoder
from factcheck.training import _base_model_path
torch.set_num_threads(2)
ce = CrossEncoder(_base_model_path(), num_labels=1, max_length=256, device='cpu')
model, tok = ce.model, ce.tokenizer
if args.init == 'verifier':
    v = CrossEncoderScorer('packaged:factcheck-verifier', precision='fp32')
    sd = {k: w for k, w in v.model.state_dict().items() if not k.startswith('classifier')}
    missing, unexpected = model.load_state_dict(sd, strict=False)
    print('init from verifier; missing', missing, 'unexpected', unexpected)
    del v
bf16 = native_bf16()

def encode(pairs):
    enc = tok([p for _, p in pairs], [c for c, _ in pairs], truncation='longest_first', max_length=256)
    return enc['input_ids'], enc['token_type_ids']

def predict(pairs, bs=64):
    ids, types = encode(pairs)
    order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
    out = np.zeros(len(ids), dtype=np.float32)
    model.eval()
    with torch.inference_mode(), torch.autocast('cpu', dtype=torch.bfloat16, enabled=bf16):
        for s in range(0, len(order), bs):
            idx = order[s:s + bs]
            out[idx] = model(**_collate(ids, types, idx, tok.pad_token_id)).logits.float().numpy()[:, 0]
    return out

if not args.eval_only:
    rng = random.Random(13)
    pairs, labels = [], []
    for c, hits in zip(fit, cand['fit']):
        pos = rationale_passages(c)
        gold = set(c['gold_docs'])
        negs = [p for p in hits[:args.depth] if P[p][0] not in gold][:args.neg]
        for p in pos: pairs.append((c['claim'], ptext(p))); labels.append(1.0)
        for p in negs: pairs.append((c['claim'], ptext(p))); labels.append(0.0)
    print('train pairs', len(pairs), 'positives', int(sum(labels)), flush=True)
    ids, types = encode(pairs)
    y = torch.tensor(labels)
    npos = sum(labels); pos_weight = torch.tensor((len(labels) - npos) / npos)
    loss_fn = torch.nn.BCEWithLogitsLoss(pos_weight=pos_weight)
    model.get_input_embeddings().weight.requires_grad_(False)
    opt = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=args.lr, weight_decay=0.01)
    bs = 16
    batches = []
    for e in range(args.epochs):
        order = list(range(len(ids))); rng.shuffle(order)
        chunk = bs * 32
        for st in range(0, len(order), chunk):
            part = sorted(order[st:st + chunk], key=lambda i: len(ids[i]))
            batches += [part[i:i + bs] for i in range(0, len(part), bs)]
    rng.shuffle(batches)
    total = len(batches); t0 = time.time(); run = 0.0
    model.train()
    for step, idx in enumerate(batches):
        prog = step / total
        for g in opt.param_groups: g['lr'] = args.lr * (prog / 0.06 if prog < 0.06 else (1 - prog) / 0.94)
        with torch.autocast('cpu', dtype=torch.bfloat16, enabled=bf16):
            logits = model(**_collate(ids, types, idx, tok.pad_token_id)).logits
        loss = loss_fn(logits.float()[:, 0], y[idx])
        loss.backward(); torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0); opt.step(); opt.zero_grad()
        run += loss.item()
        if (step + 1) % 50 == 0:
            print(f'step {step + 1}/{total} loss {run / 50:.4f} {time.time() - t0:.0f}s', flush=True); run = 0.0
    print('train seconds', round(time.time() - t0), 'pairs/s', round(sum(map(len, batches)) / (time.time() - t0), 1))
    args.out.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(args.out); tok.save_pretrained(args.out)
else:
    from transformers import AutoModelForSequenceClassification
    model = AutoModelForSequenceClassification.from_pretrained(args.out)

def evaluate(claims, hits, scores, w, depth):
    rec = {1: 0, 3: 0, 10: 0}; nd = 0
    for c, hs, sc in zip(claims, hits, scores):
        top = hs[:depth]
        ce_rank = {p: r for r, p in enumerate(sorted(top, key=lambda p: -sc[p]))}
        if w is None:
            order = sorted(top, key=lambda p: ce_rank[p])
        else:
            order = sorted(top, key=lambda p: -(1 / (61 + top.index(p)) + w / (61 + ce_rank[p])))
        order += hs[depth:]
        docs = []
        for p in order:
            if P[p][0] not in docs: docs.append(P[p][0])
        g = set(c['gold_docs'])
        for k in rec: rec[k] += len(g & set(docs[:k])) / len(g)
        dcg = sum(1 / math.log2(j + 2) for j, d in enumerate(docs[:10]) if d in g)
        nd += dcg / sum(1 / math.log2(j + 2) for j in range(min(len(g), 10)))
    n = len(claims)
    return {f'R@{k}': round(v / n, 3) for k, v in rec.items()} | {'nDCG': round(nd / n, 3)}

for name, claims in (('val', val), ('dev', dev)):
    hits = cand[name]
    t0 = time.time()
    pairs = [(c['claim'], ptext(p)) for c, hs in zip(claims, hits) for p in hs[:30]]
    flat = predict(pairs)
    secs = time.time() - t0
    scores, i = [], 0
    for hs in hits:
        scores.append({p: float(flat[i + j]) for j, p in enumerate(hs[:30])}); i += len(hs[:30])
    print(name, len(claims), 'rerank s', round(secs), 'pairs/s', round(len(pairs) / secs))
    print('  first stage', evaluate(claims, hits, scores, 0.0, 30))
    for depth in (10, 20, 30):
        for w in (None, 1.0, 2.0, 4.0):
            print('  depth', depth, 'w', w, evaluate(claims, hits, scores, w, depth))
