"""Fit (and measure) the verdict threshold and confidence calibration of a cross-encoder verifier.

Needs the SciFact workspace that `bench/scifact.py` builds (corpus loaded with `sources add`).
Fits on the SciFact *train* claims held out of verifier training (`scifact_calibration_ids`,
20 % of train, chosen by a hash of the claim id), then reports SciFact dev end to end with
and without the fit and the number/date cues. Dev is only measured, never fitted on.

    python bench/calibrate_verdicts.py --model /tmp/verifier --work /tmp/fc-scifact --write

--write stores the fit as the "verdict" entry of the model folder's calibration.json, which
`CrossEncoderScorer` reads (so `factcheck verify-claims` uses it).
"""
from __future__ import annotations

import argparse
import json
import os
import pickle
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import numpy as np  # noqa: E402


class CachedScorer:
    """A StanceScorer that scores each distinct (claim, evidence) pair once."""

    def __init__(self, scorer):
        self.scorer, self.name, self.version = scorer, scorer.name, scorer.version
        self.cache: dict[tuple[str, str], np.ndarray] = {}
        self.seconds, self.pairs = 0.0, 0

    def score(self, pairs):
        missing = list(dict.fromkeys(p for p in pairs if p not in self.cache))
        if missing:
            start = time.perf_counter()
            for pair, row in zip(missing, self.scorer.score(missing)):
                self.cache[pair] = row
            self.seconds += time.perf_counter() - start
            self.pairs += len(missing)
        return np.array([self.cache[p] for p in pairs]).reshape(-1, 3)


class CachedEmbedder:
    """An Embedder that embeds each distinct text once (the verifier's gate asks again on every fit)."""

    def __init__(self, embedder):
        self.embedder, self.name, self.dim = embedder, embedder.name, embedder.dim
        self.cache: dict[str, np.ndarray] = {}

    def embed(self, texts):
        missing = [t for t in dict.fromkeys(texts) if t not in self.cache]
        if missing:
            self.cache.update(zip(missing, self.embedder.embed(missing)))
        return np.array([self.cache[t] for t in texts])


def metrics(verdicts, gold) -> dict:
    from scifact import ece
    from factcheck.training import macro_f1

    labels = [v.label.value for v in verdicts]
    return {"accuracy": round(float(np.mean([p == g for p, g in zip(labels, gold)])), 4),
            "macro_f1": round(macro_f1(gold, labels), 4),
            "ece": round(ece([(v.confidence, v.label.value == g) for v, g in zip(verdicts, gold)]), 4),
            "predicted": {k: labels.count(k) for k in ("SUPPORTED", "REFUTED", "NOT_ENOUGH_INFO")}}


def reliability_plot(path: Path, raw: list, fitted: list, title: str) -> None:
    """Accuracy against confidence of verdicts, before and after the fitted calibration."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from scifact import ece

    bins = np.linspace(0, 1, 11)
    fig, ax = plt.subplots(figsize=(5.2, 4.4))
    for pairs, label, marker in ((raw, "raw confidence, threshold 0.5", "o-"), (fitted, "fitted calibration", "s-")):
        conf = np.array([c for c, _ in pairs])
        ok = np.array([k for _, k in pairs], dtype=float)
        xs, ys = [], []
        for lo, hi in zip(bins[:-1], bins[1:]):
            sel = (conf >= lo) & (conf < hi) if hi < 1 else (conf >= lo)
            if sel.sum() >= 5:
                xs.append(conf[sel].mean())
                ys.append(ok[sel].mean())
        ax.plot(xs, ys, marker, label=f"{label} (ECE {ece(pairs):.3f})")
    ax.plot([0, 1], [0, 1], "k--", lw=1, label="perfect")
    ax.set(xlabel="verdict confidence", ylabel="share of verdicts right", xlim=(0, 1), ylim=(0, 1))
    ax.set_title(title, fontsize=9)
    ax.legend(loc="upper left", fontsize=8)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", required=True, help="cross-encoder verifier folder")
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared/data/scifact")
    parser.add_argument("--work", type=Path, default=Path("/tmp/factcheck-scifact"))
    parser.add_argument("--write", action="store_true", help="store the fit in the model's calibration.json")
    parser.add_argument("--precision", default="fp32", choices=["fp32", "bf16", "int8"], help="scorer arithmetic")
    parser.add_argument("--out", type=Path, help="write the report (JSON) here too")
    parser.add_argument("--plot", type=Path, help="reliability plot of dev verdicts (PNG)")
    parser.add_argument("--hits-cache", type=Path, help="reuse the retrieved passages saved in this file (written "
                                                        "on first use; retrieval with the reranker takes minutes)")
    args = parser.parse_args()

    from scifact import load_claims
    from factcheck.crossencoder import CrossEncoderScorer
    from factcheck.pipeline import Workspace, verifier_options
    from factcheck.settings import Settings
    from factcheck.training import fit_verdict_calibration, scifact_calibration_ids
    from factcheck.verify import NLIVerifier as _NLIVerifier

    ws = Workspace(Settings(home=args.work / "home"))
    held = scifact_calibration_ids(args.data)
    train = [c for c in load_claims(args.data / "claims_train.jsonl") if int(c["id"]) in held]
    dev = load_claims(args.data / "claims_dev.jsonl")
    start = time.perf_counter()
    if args.hits_cache and args.hits_cache.is_file():
        hits_train, hits_dev = pickle.loads(args.hits_cache.read_bytes())
    else:
        hits_train = ws.retriever.retrieve([c["claim"] for c in train], ws.settings.top_k)
        hits_dev = ws.retriever.retrieve([c["claim"] for c in dev], ws.settings.top_k)
        if args.hits_cache:
            args.hits_cache.write_bytes(pickle.dumps((hits_train, hits_dev)))
    retrieval_s = time.perf_counter() - start

    scorer = CachedScorer(CrossEncoderScorer(args.model, precision=args.precision))
    options = verifier_options(ws.settings)   # the gate and figure-agreement cue that verify-claims applies
    if options["similarity"] is not None:
        options["similarity"] = CachedEmbedder(options["similarity"])

    def NLIVerifier(*a, **kw):  # noqa: N802 - the verifier the product builds, with these settings
        return _NLIVerifier(*a, **{**options, **kw})
    report: dict = {"model": args.model, "precision": args.precision, "top_k": ws.settings.top_k,
                    "reranker": ws.settings.reranker, "verifier_gate": ws.settings.verifier_gate,
                    "verifier_agree_overlap": ws.settings.verifier_agree_overlap,
                    "verifier_relevance_gate": ws.settings.verifier_relevance_gate,
                    "verifier_relevance_gate_sides": ws.settings.verifier_relevance_gate_sides,
                    "verifier_words_gate": ws.settings.verifier_words_gate, "verifier_torn": ws.settings.verifier_torn,
                    "verifier_related": ws.settings.verifier_related, "verifier_windows": ws.settings.verifier_windows,
                    "retrieval_seconds": round(retrieval_s, 1)}
    texts, gold = [c["claim"] for c in dev], [c["gold_label"] for c in dev]
    train_texts, train_gold = [c["claim"] for c in train], [c["gold_label"] for c in train]
    for cues in (False, True):
        # Shipped: thresholds stay at 0.5, only the confidence maps are fitted. Fitting the
        # thresholds too is reported as an experiment (on 175 claims their F1 surface is flat).
        calibration, fit = fit_verdict_calibration(NLIVerifier(scorer, cues=cues, calibration=None, threshold=0.5),
                                                   train_texts, hits_train, train_gold, fit_thresholds=False)
        searched, search = fit_verdict_calibration(NLIVerifier(scorer, cues=cues, calibration=None),
                                                   train_texts, hits_train, train_gold)
        raw = NLIVerifier(scorer, cues=cues, calibration=None, threshold=0.5).verify(texts, hits_dev)
        fitted = NLIVerifier(scorer, cues=cues, calibration=calibration).verify(texts, hits_dev)
        thresholds = NLIVerifier(scorer, cues=cues, calibration=searched).verify(texts, hits_dev)
        report["cues" if cues else "no_cues"] = {
            "calibration": calibration.to_record(),
            "fit_on_heldout_train": {k: v for k, v in fit.items() if k != "macro_f1_by_threshold"},
            "dev_threshold_0.5_raw_confidence": metrics(raw, gold),
            "dev_threshold_0.5_fitted_confidence": metrics(fitted, gold),
            "experiment_fitted_thresholds": {"calibration": searched.to_record(),
                                             "heldout_train_macro_f1": search["macro_f1_at_threshold"],
                                             "heldout_train_macro_f1_at_0.5": search["macro_f1_by_threshold"].get("0.5/0.5"),
                                             "dev": metrics(thresholds, gold)}}
        if cues:   # experiment: verdicts from the first k passages only (the reranked order)
            report["experiment_top_k"] = {}
            for k in (1, 2, 3):
                cut_train, cut_dev = [h[:k] for h in hits_train], [h[:k] for h in hits_dev]
                cal_k, fit_k = fit_verdict_calibration(NLIVerifier(scorer, calibration=None, threshold=0.5),
                                                       train_texts, cut_train, train_gold, fit_thresholds=False)
                report["experiment_top_k"][k] = {
                    "heldout_train_macro_f1": fit_k["macro_f1_at_threshold"],
                    "dev": metrics(NLIVerifier(scorer, calibration=cal_k).verify(texts, cut_dev), gold)}
        if cues:   # experiment: the relevance gate (FACTCHECK_VERIFIER_RELEVANCE_GATE), maps refit for each
            report["experiment_relevance_gate"] = {}
            if not all(h.relevance is not None for hs in hits_train + hits_dev for h in hs):
                report["experiment_relevance_gate"]["skipped"] = "hits without relevance logits (no reranker, or an old --hits-cache)"
            grid = [(None, "both")] + [((float(low), float(high)), sides) for sides in ("support", "both")
                                        for low, high in ((-5, -1), (-4, 0), (-3, 1), (-2, 0), (-2, 2))]
            for bounds, sides in grid if "skipped" not in report["experiment_relevance_gate"] else ():
                gate = dict(relevance_gate=bounds, relevance_sides=sides)
                cal_g, fit_g = fit_verdict_calibration(NLIVerifier(scorer, calibration=None, threshold=0.5, **gate),
                                                       train_texts, hits_train, train_gold, fit_thresholds=False)
                name = "off" if bounds is None else f"{sides}:{bounds[0]:g},{bounds[1]:g}"
                report["experiment_relevance_gate"][name] = {
                    "heldout_train_macro_f1": fit_g["macro_f1_at_threshold"],
                    "dev": metrics(NLIVerifier(scorer, calibration=cal_g, **gate).verify(texts, hits_dev), gold)}
        if cues and args.write:
            path = Path(args.model) / "calibration.json"
            record = json.loads(path.read_text())
            record["verdict"] = {**calibration.to_record(), "cues": True,
                                 "fit_on": f"{len(train)} SciFact train claims held out of training "
                                           "(factcheck.training.scifact_calibration_ids), open retrieval, "
                                           f"top {ws.settings.top_k} passages, reranker {ws.settings.reranker}, "
                                           f"gate {ws.settings.verifier_gate}, words gate "
                                           f"{ws.settings.verifier_words_gate}, agree overlap "
                                           f"{ws.settings.verifier_agree_overlap}, paraphrase "
                                           f"{ws.settings.verifier_paraphrase}, restate {ws.settings.verifier_restate}, "
                                           f"torn {ws.settings.verifier_torn}, related {ws.settings.verifier_related}, "
                                           f"relevance gate "
                                           f"{ws.settings.verifier_relevance_gate} ({ws.settings.verifier_relevance_gate_sides})",
                                 "macro_f1_on_fit_claims": fit["macro_f1_at_threshold"]}
            path.write_text(json.dumps(record, indent=2) + "\n")
        if cues and args.plot:
            reliability_plot(args.plot, [(v.confidence, v.label.value == g) for v, g in zip(raw, gold)],
                             [(v.confidence, v.label.value == g) for v, g in zip(fitted, gold)],
                             f"{Path(args.model).name}: SciFact dev verdicts (n={len(gold)}), open retrieval")
    report["scored_pairs"] = scorer.pairs
    report["pairs_per_second"] = round(scorer.pairs / max(scorer.seconds, 1e-9), 1)
    text = json.dumps(report, indent=2)
    print(text)
    if args.out:
        args.out.write_text(text + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
