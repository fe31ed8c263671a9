"""SciFact benchmark: open retrieval over the 5,183-abstract corpus, then verdicts.

Loads the corpus with `factcheck sources add`, verifies the dev claims with
`factcheck verify-claims` (the real CLI, as a user would), and scores:
  * retrieval (dense only, lexical only, hybrid): recall@1/3/10 of gold documents, nDCG@10,
    and recall of gold rationale sentences inside the top-k cited passages;
  * verdicts: accuracy, macro-F1, per-label F1, confusion matrix, ECE.

    python bench/scifact.py --data ../shared/data/scifact --work /tmp/factcheck-scifact [--verifier baseline]
    python bench/scifact.py --work /tmp/factcheck-scifact --skip-verdicts --reranker packaged:factcheck-reranker

Nothing is written into the repository; the work directory holds the converted corpus, the
database and the index (reused across runs).
"""
from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

LABELS = ["SUPPORTED", "REFUTED", "NOT_ENOUGH_INFO"]
GOLD_MAP = {"SUPPORT": "SUPPORTED", "CONTRADICT": "REFUTED"}


def load_claims(path: Path) -> list[dict]:
    claims = []
    for line in path.read_text().splitlines():
        record = json.loads(line)
        labels = {r["label"] for doc in record["evidence"].values() for r in doc}
        record["gold_label"] = GOLD_MAP[labels.pop()] if labels else "NOT_ENOUGH_INFO"
        record["gold_docs"] = [str(d) for d in record["evidence"]]
        claims.append(record)
    return claims


def convert_corpus(corpus: Path, out: Path) -> dict[str, list[tuple[int, int]]]:
    """Write the corpus as factcheck JSONL; returns each doc's sentence offsets in its text."""
    from factcheck.reranker_training import scifact_corpus_jsonl

    return scifact_corpus_jsonl(corpus.parent, out)


def factcheck(work: Path, *args: str, verifier: str | None = None) -> None:
    env = {**os.environ, "FACTCHECK_HOME": str(work / "home"), "HF_HUB_OFFLINE": "1"}
    if verifier:
        env["FACTCHECK_VERIFIER"] = verifier
    subprocess.run([sys.executable, "-m", "factcheck", *args], env=env, check=False)


def retrieval_metrics(work: Path, claims: list[dict], offsets, k_passages: int = 60,
                      rerankers: list[str] = ()) -> dict:
    """Recall@k and nDCG@10 of gold documents for dense, lexical and hybrid retrieval, and for
    hybrid retrieval followed by each of `rerankers` (FACTCHECK_RERANKER values)."""
    from factcheck.pipeline import Workspace, make_reranker
    from factcheck.retrieve import HybridRetriever
    from factcheck.settings import Settings
    from factcheck.schema import Passage
    from sqlalchemy import select

    ws = Workspace(Settings(home=work / "home"))
    retriever = ws.retriever
    with ws.store.session() as s:
        spans = {pid: (a, b) for pid, a, b in s.execute(select(Passage.id, Passage.start_char, Passage.end_char))}
    gold = [c for c in claims if c["gold_docs"]]
    texts = [c["claim"] for c in gold]
    results = {}
    modes = {"dense": (1.0, 0.0, None), "lexical": (0.0, 1.0, None), "hybrid": (1.0, 1.0, None)}
    modes.update({f"hybrid+reranker {name}": (1.0, 1.0, name) for name in rerankers})
    for mode, (dw, lw, reranker_name) in modes.items():
        reranker = make_reranker(ws.settings.model_copy(update={"reranker": reranker_name}))
        depth = getattr(reranker, "depth", 20)
        r = HybridRetriever(ws.store, ws.embedder, ws.vectors, ws.lexical, dw, lw, candidates=100,
                            reranker=reranker, rerank_depth=depth)
        start = time.perf_counter()
        hits = r.retrieve(texts, k_passages)
        elapsed = time.perf_counter() - start
        rec = {1: 0.0, 3: 0.0, 10: 0.0}
        ndcg = 0.0
        rationale_hits = rationale_total = 0
        for claim, claim_hits in zip(gold, hits):
            docs = []
            for h in claim_hits:
                if h.source_id not in docs:
                    docs.append(h.source_id)
            gold_docs = set(claim["gold_docs"])
            for k in rec:
                rec[k] += len(gold_docs & set(docs[:k])) / len(gold_docs)
            dcg = sum(1 / math.log2(i + 2) for i, d in enumerate(docs[:10]) if d in gold_docs)
            idcg = sum(1 / math.log2(i + 2) for i in range(min(len(gold_docs), 10)))
            ndcg += dcg / idcg
            cited = [(h.source_id, spans[h.passage_id]) for h in claim_hits[:ws.settings.top_k]]
            for doc_id, rationales in claim["evidence"].items():
                for rationale in rationales:
                    for sentence in rationale["sentences"]:
                        a, b = offsets[doc_id][sentence]
                        rationale_total += 1
                        rationale_hits += any(d == doc_id and s <= a and b <= e for d, (s, e) in cited)
        n = len(gold)
        results[mode] = {f"recall@{k}": round(v / n, 4) for k, v in rec.items()}
        results[mode]["ndcg@10"] = round(ndcg / n, 4)
        results[mode][f"rationale_recall@{ws.settings.top_k}_passages"] = round(rationale_hits / rationale_total, 4)
        results[mode]["ms_per_claim"] = round(1000 * elapsed / n, 1)
    return results


def verdict_metrics(claims: list[dict], predictions: dict) -> dict:
    confusion = {g: Counter() for g in LABELS}
    correct = 0
    confidences = []
    for claim in claims:
        pred = predictions[claim["id"]]
        confusion[claim["gold_label"]][pred["label"]] += 1
        correct += pred["label"] == claim["gold_label"]
        confidences.append((pred["confidence"], pred["label"] == claim["gold_label"]))
    f1 = {}
    for label in LABELS:
        tp = confusion[label][label]
        fp = sum(confusion[g][label] for g in LABELS if g != label)
        fn = sum(confusion[label][p] for p in LABELS if p != label)
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1[label] = round(2 * precision * recall / (precision + recall), 4) if precision + recall else 0.0
    return {"n": len(claims), "accuracy": round(correct / len(claims), 4),
            "macro_f1": round(sum(f1.values()) / 3, 4), "f1": f1, "ece": round(ece(confidences), 4),
            "confusion (gold -> predicted)": {g: dict(confusion[g]) for g in LABELS}}


def ece(pairs: list[tuple[float, bool]], bins: int = 10) -> float:
    """Expected calibration error of (confidence, correct) pairs over equal-width bins."""
    total = 0.0
    for b in range(bins):
        lo, hi = b / bins, (b + 1) / bins
        inside = [(c, ok) for c, ok in pairs if lo <= c < hi or (b == bins - 1 and c == 1.0)]
        if inside:
            total += len(inside) / len(pairs) * abs(sum(c for c, _ in inside) / len(inside)
                                                    - sum(ok for _, ok in inside) / len(inside))
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=Path(__file__).resolve().parents[2] / "shared/data/scifact")
    parser.add_argument("--work", type=Path, default=Path("/tmp/factcheck-scifact"))
    parser.add_argument("--split", default="dev", choices=["dev", "train"])
    parser.add_argument("--verifier", default=None, help="FACTCHECK_VERIFIER for the verdict run.")
    parser.add_argument("--skip-retrieval", action="store_true")
    parser.add_argument("--skip-verdicts", action="store_true")
    parser.add_argument("--reranker", action="append", default=[],
                        help="Also score hybrid retrieval with this second stage (FACTCHECK_RERANKER value); repeatable.")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    claims = load_claims(args.data / f"claims_{args.split}.jsonl")
    corpus = args.work / "corpus.jsonl"
    offsets = convert_corpus(args.data / "corpus.jsonl", corpus)

    start = time.perf_counter()
    factcheck(args.work, "sources", "add", str(corpus))
    report = {"index_seconds": round(time.perf_counter() - start, 1)}
    if not args.skip_retrieval:
        report["retrieval"] = retrieval_metrics(args.work, claims, offsets, rerankers=args.reranker)
    if not args.skip_verdicts:
        claims_file = args.work / f"claims_{args.split}.jsonl"
        claims_file.write_text("".join(json.dumps({"id": c["id"], "claim": c["claim"]}) + "\n" for c in claims))
        out = args.work / f"verdicts_{args.split}_{(args.verifier or 'default').replace('/', '_')}.jsonl"
        out.unlink(missing_ok=True)  # never score a stale file from an earlier run
        start = time.perf_counter()
        factcheck(args.work, "verify-claims", str(claims_file), "--out", str(out), verifier=args.verifier)
        report["verify_seconds"] = round(time.perf_counter() - start, 1)
        predictions = {json.loads(l)["id"]: json.loads(l) for l in out.read_text().splitlines()}
        report["verdicts"] = verdict_metrics(claims, predictions)
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
