"""Training the relevance reranker: a one-logit cross-encoder over (title. passage, claim).

`train_reranker` indexes the SciFact corpus into its own work folder with the product's own
pipeline (same passages, embedder and hybrid retrieval as users get), and fine-tunes the shipped
verifier's encoder (all-MiniLM-L6-v2 after NLI training) with a new one-logit head:
  * positives: for each SciFact train claim, the passages that hold a gold rationale sentence;
  * negatives: the first `negatives` passages of other abstracts in our own hybrid ranking
    (hard negatives: same topic, wrong paper);
  * held out: the SciFact train claims of the calibration share (`scifact_calibration_ids`), on
    which the fusion depth and weight are chosen (by nDCG@10 of the document ranking), after the
    model is exported in its compact form, so the choice is made for the weights that ship.
SciFact dev is never used. Pure functions, no printing (a tqdm progress bar only).
"""
from __future__ import annotations

import json
import math
import os
import random
import time
from pathlib import Path
from typing import Callable, Sequence

from factcheck.errors import InputError
from factcheck.training import (_base_model_path, _read_jsonl, file_sha256, scifact_calibration_ids,
                                train_steps, SCIFACT_CALIBRATION_SHARE)

DEPTHS = (10, 20, 30)
WEIGHTS = (1.0, 2.0, 4.0)
CANDIDATES = 30
COMPACT_GROUP = 64       # int8 with a scale per 64 weights: one per row cost 0.009 nDCG@10 (held-out claims)


def scifact_dir(data_dir: str | os.PathLike) -> Path:
    """The SciFact folder: `data_dir/scifact`, or `data_dir` itself when it holds the corpus and claims."""
    root = Path(data_dir).expanduser()
    for folder in (root / "scifact", root):
        if (folder / "corpus.jsonl").is_file() and (folder / "claims_train.jsonl").is_file():
            return folder
    raise InputError(f"no SciFact data under {root} (need scifact/corpus.jsonl and scifact/claims_train.jsonl)")


def scifact_corpus_jsonl(folder: str | os.PathLike, out: str | os.PathLike) -> dict[str, list[tuple[int, int]]]:
    """Write the SciFact corpus as factcheck source JSONL (id, title, text: the abstract's sentences
    joined by spaces); returns each abstract's sentence spans in that text."""
    spans: dict[str, list[tuple[int, int]]] = {}
    with open(out, "w") as handle:
        for doc in _read_jsonl(Path(folder) / "corpus.jsonl"):
            text, sentence_spans = "", []
            for sentence in doc["abstract"]:
                sentence = sentence.strip()
                if text:
                    text += " "
                sentence_spans.append((len(text), len(text) + len(sentence)))
                text += sentence
            spans[str(doc["doc_id"])] = sentence_spans
            handle.write(json.dumps({"id": str(doc["doc_id"]), "title": doc["title"], "text": text}) + "\n")
    return spans


def scifact_workspace(scifact: Path, work_dir: Path, progress: Callable[[int, int], None] | None = None):
    """A factcheck workspace in `work_dir` holding the SciFact corpus (indexed on first use).

    Its index is always the packaged all-MiniLM-L6-v2's, whatever the embedder setting says: every shipped
    model (verifier, reranker, embedder) took its hard negatives from that ranking, so the training
    commands reproduce them only on it.
    """
    from factcheck.pipeline import Workspace, index_sources
    from factcheck.settings import PACKAGED_EMBEDDER, Settings

    settings = Settings(home=work_dir, database_url=None, reranker=None, embedding_model=PACKAGED_EMBEDDER)
    corpus = work_dir / "scifact_corpus.jsonl"
    work_dir.mkdir(parents=True, exist_ok=True)
    spans = scifact_corpus_jsonl(scifact, corpus)
    ws = Workspace(settings)
    if ws.store.counts()["sources"] < len(spans):
        report = index_sources(settings, [str(corpus)], ws=ws, progress=progress)
        if report.problems:
            raise InputError(f"indexing the SciFact corpus into {work_dir} failed: {report.problems[0]}")
    return ws, spans


def _passages(ws) -> dict[int, tuple[str, str, int, int, str]]:
    """{passage id: (source external id, title, start, end, text)}."""
    from sqlalchemy import select

    from factcheck.schema import Passage, Source

    with ws.store.session() as s:
        return {pid: (src, title or "", a, b, text) for pid, src, title, a, b, text in s.execute(
            select(Passage.id, Source.external_id, Source.title, Passage.start_char, Passage.end_char, Passage.text)
            .join(Source))}


def passages_by_source(passages: dict) -> dict[str, list[int]]:
    """{source external id: its passage ids, in `passages` order}."""
    by_source: dict[str, list[int]] = {}
    for pid, (src, *_rest) in passages.items():
        by_source.setdefault(src, []).append(pid)
    return by_source


def passage_text(passage: tuple) -> str:
    """A `_passages` row as the models read it (and the index embeds it): "title. passage"."""
    _src, title, _a, _b, body = passage
    return f"{title}. {body}" if title else body


def rationale_passages(claim: dict, passages: dict, spans: dict, by_source: dict) -> list[int]:
    """The passages that hold a whole gold rationale sentence of a SciFact claim, in evidence order."""
    out = []
    for doc, rationales in claim["evidence"].items():
        sentences = [spans[doc][i] for r in rationales for i in r["sentences"]]
        out += [pid for pid in by_source.get(doc, [])
                if any(passages[pid][2] <= a and b <= passages[pid][3] for a, b in sentences)]
    return out


def _gold_claims(scifact: Path, split: str) -> list[dict]:
    claims = [c for c in _read_jsonl(scifact / f"claims_{split}.jsonl") if c.get("evidence")]
    for c in claims:
        c["gold_docs"] = [str(d) for d in c["evidence"]]
    return claims


def document_metrics(claims: Sequence[dict], rankings: Sequence[Sequence[str]]) -> dict[str, float]:
    """Recall@1/3/10 of each claim's gold documents and nDCG@10 over document rankings (best first)."""
    recall = {1: 0.0, 3: 0.0, 10: 0.0}
    ndcg = 0.0
    for claim, docs in zip(claims, rankings):
        gold = set(claim["gold_docs"])
        for k in recall:
            recall[k] += len(gold & set(docs[:k])) / len(gold)
        dcg = sum(1 / math.log2(i + 2) for i, d in enumerate(docs[:10]) if d in gold)
        ndcg += dcg / sum(1 / math.log2(i + 2) for i in range(min(len(gold), 10)))
    n = max(len(claims), 1)
    return {f"recall@{k}": round(v / n, 4) for k, v in recall.items()} | {"ndcg@10": round(ndcg / n, 4)}


def _documents(passage_ids: Sequence[int], passages: dict) -> list[str]:
    docs: list[str] = []
    for pid in passage_ids:
        if passages[pid][0] not in docs:
            docs.append(passages[pid][0])
    return docs


def choose_fusion(claims: Sequence[dict], candidates: Sequence[Sequence[int]], relevance: Sequence[Sequence[float]],
                  passages: dict) -> tuple[dict, list[dict]]:
    """The depth and weight with the best nDCG@10 on these claims (ties: the shallower, lighter one),
    and the table of every setting tried (depth 0 = the first stage alone)."""
    from factcheck.relevance import RRF_OFFSET

    table = [{"depth": 0, "weight": 0.0, **document_metrics(claims, [_documents(c, passages) for c in candidates])}]
    for depth in DEPTHS:
        for weight in WEIGHTS:
            rankings = []
            for cand, rel in zip(candidates, relevance):
                top = list(range(min(depth, len(cand))))
                second = {n: r for r, n in enumerate(sorted(top, key=lambda n: -rel[n]))}
                order = sorted(top, key=lambda n: -(1 / (RRF_OFFSET + n) + weight / (RRF_OFFSET + second[n])))
                rankings.append(_documents([cand[n] for n in order] + list(cand[depth:]), passages))
            table.append({"depth": depth, "weight": weight, **document_metrics(claims, rankings)})
    best = max(table[1:], key=lambda row: (row["ndcg@10"], -row["depth"], -row["weight"]))
    return {"depth": best["depth"], "weight": best["weight"]}, table


def train_reranker(data_dir: str | os.PathLike, out_dir: str | os.PathLike, work_dir: str | os.PathLike,
                   seed: int = 13, epochs: int = 3, negatives: int = 12, negative_depth: int = 20,
                   lr: float = 3e-5, batch_size: int = 16, max_length: int = 256, progress: bool = True,
                   index_progress: Callable[[int, int], None] | None = None,
                   init: str = "packaged:factcheck-verifier") -> dict:
    """Train, export (compact int8 form) and choose the fusion; returns the training record.

    init: the verifier (`packaged:factcheck-verifier` or a verifier folder) whose encoder the reranker
    starts from, with a new one-logit head.
    """
    import numpy as np
    import torch

    from factcheck.compact import WEIGHTS_FILE
    from factcheck.crossencoder import native_bf16, resolve_model
    from factcheck.relevance import FUSION_FILE, RelevanceScorer, relevance_logits

    started = time.time()
    if negative_depth < negatives:
        raise InputError(f"negative depth {negative_depth} is below the {negatives} negatives it must hold")
    init_folder = Path(resolve_model(init)[0])   # a ConfigError for a path that does not exist, before any work
    scifact = scifact_dir(data_dir)
    out_dir, work_dir = Path(out_dir), Path(work_dir)
    ws, spans = scifact_workspace(scifact, work_dir, index_progress)
    passages = _passages(ws)
    by_doc = passages_by_source(passages)
    held = scifact_calibration_ids(scifact, SCIFACT_CALIBRATION_SHARE)
    train_claims = _gold_claims(scifact, "train")
    fit = [c for c in train_claims if int(c["id"]) not in held]
    val = [c for c in train_claims if int(c["id"]) in held]

    def text(pid: int) -> str:
        return passage_text(passages[pid])

    retriever = ws.retriever
    ranked = [[h.passage_id for h in hits] for hits in retriever.retrieve([c["claim"] for c in fit], negative_depth)]
    rng = random.Random(seed)
    pairs, labels = [], []
    for claim, hits in zip(fit, ranked):
        gold = set(claim["gold_docs"])
        for pid in sorted(set(rationale_passages(claim, passages, spans, by_doc))):
            pairs.append((claim["claim"], text(pid)))
            labels.append(1.0)
        for pid in [p for p in hits if passages[p][0] not in gold][:negatives]:
            pairs.append((claim["claim"], text(pid)))
            labels.append(0.0)
    if not any(labels):
        raise InputError(f"no SciFact rationale passage found in {work_dir}: is it an index of the SciFact corpus?")

    model, tokenizer, losses, train_seconds = fit_relevance(pairs, labels, init, seed, epochs, lr, batch_size,
                                                            max_length, rng, progress, "train reranker")
    bf16 = native_bf16()

    val_ranked = [[h.passage_id for h in hits] for hits in retriever.retrieve([c["claim"] for c in val], CANDIDATES)]
    val_pairs = [(c["claim"], text(pid)) for c, cand in zip(val, val_ranked) for pid in cand]

    def per_claim(flat) -> list[list[float]]:
        out, at = [], 0
        for cand in val_ranked:
            out.append(flat[at:at + len(cand)].tolist())
            at += len(cand)
        return out

    # The fp32 weights' ranking, to report what the compact form costs.
    full = choose_fusion(val, val_ranked, per_claim(relevance_logits(model, tokenizer, val_pairs, 64, max_length, bf16)),
                         passages)[1]
    from safetensors.torch import save_file
    save_file({k: v.detach().contiguous() for k, v in model.state_dict().items()},
              str(work_dir / f"reranker-fp32-seed{seed}.safetensors"))   # not shipped: to study the export
    export_reranker(model, tokenizer, out_dir)
    scorer = RelevanceScorer(out_dir, threads=0)
    fusion, table = choose_fusion(val, val_ranked, per_claim(scorer.score(val_pairs)), passages)
    (out_dir / FUSION_FILE).write_text(json.dumps({**fusion, "chosen_on": "SciFact train calibration share, "
                                                   "by nDCG@10 of the document ranking", "table": table}, indent=1))
    record = {
        "task": "relevance reranker", "seed": seed, "epochs": epochs, "lr": lr, "batch_size": batch_size,
        "max_length": max_length, "negatives": negatives, "negative_depth": negative_depth,
        "init": f"{init} encoder, new one-logit head", "input": "title. passage [SEP] claim",
        "init_weights_sha256": next((file_sha256(f) for f in (init_folder / WEIGHTS_FILE, init_folder / "model.safetensors")
                                     if f.is_file()), None),
        "train_claims": len(fit), "held_out_claims": len(val), "pairs": len(pairs), "positives": int(sum(labels)),
        "final_loss_mean_last_100": round(float(np.mean(losses[-100:])), 4) if losses else None,
        "train_seconds": round(train_seconds), "total_seconds": round(time.time() - started),
        "torch_threads": torch.get_num_threads(), "bf16": bf16, "fusion": fusion,
        "first_stage": table[0], "fp32_before_export": next(r for r in full if r["depth"] == fusion["depth"]
                                                              and r["weight"] == fusion["weight"]),
        "chosen": next(r for r in table[1:] if r["depth"] == fusion["depth"]
                                                  and r["weight"] == fusion["weight"]),
        "data": "SciFact claims_train.jsonl + corpus.jsonl (CC BY 4.0 claims, ODC-By abstracts)",
    }
    record["weights_sha256"] = file_sha256(out_dir / WEIGHTS_FILE)
    (out_dir / "training.json").write_text(json.dumps(record, indent=1))
    return record


def fit_relevance(pairs: Sequence[tuple[str, str]], labels: Sequence[float], init: str, seed: int, epochs: int,
                  lr: float, batch_size: int, max_length: int, rng: random.Random, progress: bool = True,
                  desc: str = "train reranker"):
    """A one-logit cross-encoder on (claim, passage) pairs labelled 1 (relevant) or 0, started from the
    encoder of the verifier `init` with a new head: weighted binary cross-entropy (positive weight =
    negatives / positives), word embeddings frozen, length-sorted batches within shuffled chunks drawn
    from `rng`. Returns (model, tokenizer, losses, training seconds)."""
    import torch
    from sentence_transformers import CrossEncoder

    from factcheck.crossencoder import CrossEncoderScorer, native_bf16

    torch.manual_seed(seed)
    ce = CrossEncoder(_base_model_path(), num_labels=1, max_length=max_length, device="cpu", local_files_only=True)
    model, tokenizer = ce.model, ce.tokenizer
    verifier = CrossEncoderScorer(init, precision="fp32", threads=0)
    encoder = {k: w for k, w in verifier.model.state_dict().items() if not k.startswith("classifier")}
    model.load_state_dict(encoder, strict=False)
    del verifier
    enc = tokenizer([p for _, p in pairs], [c for c, _ in pairs], truncation="longest_first", max_length=max_length)
    ids, types = enc["input_ids"], enc["token_type_ids"]
    y = torch.tensor(list(labels))
    n_pos = sum(labels)
    loss_fn = torch.nn.BCEWithLogitsLoss(pos_weight=torch.tensor((len(labels) - n_pos) / n_pos))
    model.get_input_embeddings().weight.requires_grad_(False)   # frozen: the compact form does not store it
    optimizer = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=lr, weight_decay=0.01)
    batches = []
    for _ in range(epochs):
        order = list(range(len(ids)))
        rng.shuffle(order)
        for start in range(0, len(order), batch_size * 32):   # length-sorted batches within shuffled chunks
            chunk = sorted(order[start:start + batch_size * 32], key=lambda i: len(ids[i]))
            batches += [chunk[i:i + batch_size] for i in range(0, len(chunk), batch_size)]
    rng.shuffle(batches)
    started = time.time()
    losses = train_steps(model, tokenizer, ids, types, batches, lambda logits, idx: loss_fn(logits[:, 0], y[idx]),
                         optimizer, lr, native_bf16(), progress, desc)
    return model, tokenizer, losses, time.time() - started


def export_reranker(model, tokenizer, out_dir: str | os.PathLike) -> Path:
    """Compact weights (`factcheck.compact`), config and tokenizer files in `out_dir`."""
    from factcheck.compact import WEIGHTS_FILE, save_state_dict

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    model.config.id2label = {0: "relevant"}
    model.config.label2id = {"relevant": 0}
    model.config.save_pretrained(out_dir)
    save_state_dict(model.state_dict(), out_dir / WEIGHTS_FILE, group=COMPACT_GROUP)
    tokenizer.save_pretrained(out_dir)
    return out_dir
