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


def metrics(verdicts, gold) -> dict:
    from scifact import ece
    from factcheck.training import macro_f1

    labels = [v.label.value for v in verdicts]
    return {"accuracy": round(float(np.mean([p == g for p, g in zip(labels, gold)])), 4),
            "macro_f1": round(macro_f1(gold, labels), 4),
            "ece": round(ece([(v.confidence, v.label.value == g) for v, g in zip(verdicts, gold)]), 4),
            "predicted": {k: labels.count(k) for k in ("SUPPORTED", "REFUTED", "NOT_ENOUGH_INFO")}}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", required=True, help="cross-encoder verifier folder")
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared/data/scifact")
    parser.add_argument("--work", type=Path, default=Path("/tmp/factcheck-scifact"))
    parser.add_argument("--write", action="store_true", help="store the fit in the model's calibration.json")
    parser.add_argument("--int8", action="store_true", help="score with the int8 (dynamic) model")
    parser.add_argument("--out", type=Path, help="write the report (JSON) here too")
    args = parser.parse_args()

    from scifact import load_claims
    from factcheck.crossencoder import CrossEncoderScorer
    from factcheck.pipeline import Workspace
    from factcheck.settings import Settings
    from factcheck.training import fit_verdict_calibration, scifact_calibration_ids
    from factcheck.verify import NLIVerifier

    ws = Workspace(Settings(home=args.work / "home"))
    held = scifact_calibration_ids(args.data)
    train = [c for c in load_claims(args.data / "claims_train.jsonl") if int(c["id"]) in held]
    dev = load_claims(args.data / "claims_dev.jsonl")
    start = time.perf_counter()
    hits_train = ws.retriever.retrieve([c["claim"] for c in train], ws.settings.top_k)
    hits_dev = ws.retriever.retrieve([c["claim"] for c in dev], ws.settings.top_k)
    retrieval_s = time.perf_counter() - start

    scorer = CachedScorer(CrossEncoderScorer(args.model, int8=args.int8))
    report: dict = {"model": args.model, "int8": args.int8, "top_k": ws.settings.top_k,
                    "retrieval_seconds": round(retrieval_s, 1)}
    for cues in (False, True):
        verifier = NLIVerifier(scorer, cues=cues, calibration=None)
        calibration, fit = fit_verdict_calibration(
            verifier, [c["claim"] for c in train], hits_train, [c["gold_label"] for c in train])
        texts, gold = [c["claim"] for c in dev], [c["gold_label"] for c in dev]
        raw = NLIVerifier(scorer, cues=cues, calibration=None, threshold=0.5).verify(texts, hits_dev)
        fitted = NLIVerifier(scorer, cues=cues, calibration=calibration).verify(texts, hits_dev)
        report["cues" if cues else "no_cues"] = {
            "fit_on_heldout_train": fit, "calibration": calibration.to_record(),
            "dev_threshold_0.5_raw_confidence": metrics(raw, gold),
            "dev_fitted": metrics(fitted, gold)}
        if cues and args.write:
            path = Path(args.model) / "calibration.json"
            record = json.loads(path.read_text())
            record["verdict"] = {**calibration.to_record(), "cues": True,
                                 "fit_on": f"{len(train)} SciFact train claims held out of training "
                                           "(factcheck.training.scifact_calibration_ids), open retrieval, "
                                           f"top {ws.settings.top_k} passages",
                                 "macro_f1_on_fit_claims": fit["macro_f1_at_threshold"]}
            path.write_text(json.dumps(record, indent=2) + "\n")
    report["scored_pairs"] = scorer.pairs
    report["pairs_per_second"] = round(scorer.pairs / max(scorer.seconds, 1e-9), 1)
    text = json.dumps(report, indent=2)
    print(text)
    if args.out:
        args.out.write_text(text + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
