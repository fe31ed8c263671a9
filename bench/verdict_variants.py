"""Compare verifier variants on cached evidence: SciFact (held-out train share, dev) and the tech-news sets.

Each variant is the product's cross-encoder verifier (`pipeline.verifier_options`, the settings' gates and
cues) with some options changed; its confidence maps are fitted on the 175 SciFact train claims held out of
training, as `bench/calibrate_verdicts.py` does for the shipped one. Choices are made on the held-out train
share and the tech-news dev sets (`examples/`, `bench/data/technews_retrieval.jsonl`, `technews_fresh`, and
`technews_fresh2` to `technews_fresh24` after their one held-out run); SciFact dev is only reported. The held-out
`technews_fresh25` (written blind in session 31) is run only with `--final`, once. Since session 25 the shipped
verifier is trained on `technews_fresh` to `technews_fresh13` (`docs/verifier.md`, "Third stage"): its numbers on
those are in-sample.

    python bench/verdict_variants.py --work /tmp/fc-scifact --hits-cache /tmp/fc-scifact/hits.pkl \
        --cache /tmp/fc-variants.pkl --out bench/results/verdict_variants.json
"""
from __future__ import annotations

import argparse
import json
import os
import pickle
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from calibrate_verdicts import CachedEmbedder, CachedScorer, metrics  # noqa: E402
from examples_verdicts import expected_claims, technews_claims  # noqa: E402
from technews_fresh import fresh_sets  # noqa: E402


HELD_OUT = ("technews_fresh25",)   # written blind in session 31, not run yet


def tech_sets(final: bool) -> dict[str, tuple[Path, list[dict]]]:
    """name -> (sources folder, claims with gold)."""
    sets = {"examples": (ROOT / "examples" / "sources", expected_claims(ROOT / "examples" / "README.md")),
            "technews_retrieval": (ROOT / "examples" / "sources",
                                   technews_claims(ROOT / "bench" / "data" / "technews_retrieval.jsonl"))}
    written = fresh_sets()
    dev = written[:min(written.index(h) for h in HELD_OUT)]    # a set written after the held-out one is not dev yet
    for name in dev + (list(HELD_OUT) if final else []):
        folder = ROOT / "bench" / "data" / name
        rows = [json.loads(line) for line in (folder / "claims.jsonl").read_text().splitlines() if line.strip()]
        sets[name] = (folder / "sources", rows)
    return sets


def tech_hits(sets: dict, cache: Path | None) -> dict[str, list]:
    """Retrieved passages of each tech-news set's claims, from a scratch index of its sources (cached)."""
    from factcheck.pipeline import index_sources, workspace
    from factcheck.settings import Settings

    stored = pickle.loads(cache.read_bytes()) if cache and cache.is_file() else {}
    missing = [name for name in sets if name not in stored]
    by_folder: dict[Path, list[str]] = {}
    for name in missing:
        by_folder.setdefault(sets[name][0], []).append(name)
    for folder, names in by_folder.items():
        with tempfile.TemporaryDirectory() as tmp:
            settings = Settings(home=Path(tmp) / "home")
            ws = workspace(settings)
            index_sources(settings, [str(folder)], ws=ws)
            for name in names:
                stored[name] = ws.retriever.retrieve([r["claim"] for r in sets[name][1]], settings.top_k)
    if cache and missing:
        cache.write_bytes(pickle.dumps(stored))
    return stored


VARIANTS: dict[str, dict] = {
    "shipped": {},
    "session 19 (no words gate, no torn cue)": {"words": None, "torn": None},
    "no torn cue": {"torn": None},
    "torn 0.25": {"torn": 0.25},
    "torn 0.35": {"torn": 0.35},
    "no words gate": {"words": None},
    "words gate 0-0.2": {"words": (0.0, 0.2)},
    "words gate 0-0.3": {"words": (0.0, 0.3)},
    "words gate 0-0.4": {"words": (0.0, 0.4)},
    "words gate 0.1-0.3": {"words": (0.1, 0.3)},
    "no restatement cue (session 18)": {"restate": None},
    "restate 0.75": {"restate": 0.75},
    "restate 0.85": {"restate": 0.85},
    "overlap gate 0.1-0.3": {"gate": (0.1, 0.3)},
    "overlap gate 0.2-0.4": {"gate": (0.2, 0.4)},
    "similarity gate 0.35-0.55": {"similarity_gate": (0.35, 0.55)},
    "relevance gate both": {"relevance_sides": "both"},
    "no relatedness cue (session 21)": {"related": None},
    "related 0.5": {"related": 0.5},
    "related 0.52": {"related": 0.52},
    "related 0.58": {"related": 0.58},
    "related 0.62": {"related": 0.62},
    "related 0.65": {"related": 0.65},
    "related 0.68": {"related": 0.68},
    "agree 0.5": {"agree_overlap": 0.5},
    "agree 0.7": {"agree_overlap": 0.7},
    "windows support": {"windows": "support"},
    "windows both": {"windows": "both"},
    "windows strict": {"windows": "strict"},
    "windows derived": {"windows": "derived"},
    "windows off": {"windows": None},
}
# Decision thresholds (support, refutation) on the raw strengths; the shipped pair is 0.5 / 0.5.
for _s in (0.4, 0.5, 0.6):
    for _r in (0.4, 0.5, 0.6, 0.7, 0.8):
        if (_s, _r) != (0.5, 0.5):
            VARIANTS[f"thresholds {_s:g}/{_r:g}"] = {"threshold": _s, "refute_threshold": _r}
# Fewer of the retrieved passages as evidence (the first k; the product verifies with `top_k`).
for _k in (2, 3, 4):
    VARIANTS[f"first {_k} passages"] = {"passages": _k}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", default=str(ROOT / "factcheck" / "models" / "verifier"))
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared/data/scifact")
    parser.add_argument("--work", type=Path, default=Path("/tmp/fc-scifact"))
    parser.add_argument("--hits-cache", type=Path, required=True, help="SciFact passages (bench/calibrate_verdicts.py)")
    parser.add_argument("--cache", type=Path, help="tech-news passages, written on first use")
    parser.add_argument("--variant", action="append", help="names of VARIANTS to run (default: all)")
    parser.add_argument("--final", action="store_true", help=f"also the held-out sets {', '.join(HELD_OUT)}")
    parser.add_argument("--cues-from", type=Path, help="a copy of factcheck/cues.py to use instead (e.g. `git show "
                                                         "HEAD~1:factcheck/cues.py`), to compare cue versions")
    parser.add_argument("--score-cache", type=Path, help="pair scores and sentence embeddings kept between runs "
                                                            "(read if present, written at the end)")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    if args.cues_from:
        import importlib.util

        import factcheck.verify

        spec = importlib.util.spec_from_file_location("cues_from", args.cues_from)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        for name in ("mismatches", "figures_agree", "figures_missing", "swapped_names", "post_holder_swap", "swapped_place"):
            if hasattr(module, name):      # the name-swap check came with cues 7, the post and place checks with cues 8
                setattr(factcheck.verify, name, getattr(module, name))
            elif name in ("post_holder_swap", "swapped_place"):
                setattr(factcheck.verify, name, lambda claim, evidence: False)

    from scifact import load_claims
    from factcheck.crossencoder import CrossEncoderScorer
    from factcheck.pipeline import Workspace, verifier_options
    from factcheck.settings import Settings
    from factcheck.training import fit_verdict_calibration, macro_f1, scifact_calibration_ids
    from factcheck.verify import NLIVerifier

    ws = Workspace(Settings(home=args.work / "home"))
    held = scifact_calibration_ids(args.data)
    train = [c for c in load_claims(args.data / "claims_train.jsonl") if int(c["id"]) in held]
    dev = load_claims(args.data / "claims_dev.jsonl")
    hits_train, hits_dev = pickle.loads(args.hits_cache.read_bytes())
    sets = tech_sets(args.final)
    hits = tech_hits(sets, args.cache)
    scorer = CachedScorer(CrossEncoderScorer(args.model, precision="fp32"))
    options = verifier_options(ws.settings)
    options["similarity"] = CachedEmbedder(options["similarity"])
    if args.score_cache and args.score_cache.is_file():
        kept = pickle.loads(args.score_cache.read_bytes())
        if kept[0] == (args.model, scorer.version):   # scores of another model are no use
            scorer.cache, options["similarity"].cache = kept[1:]
    report = {}
    for name in args.variant or list(VARIANTS):
        opts = {"threshold": 0.5, **options, **VARIANTS[name]}
        k = opts.pop("passages", None)            # only the first k passages of each claim as evidence
        first = (lambda lists: [list(h)[:k] for h in lists]) if k else (lambda lists: lists)
        calibration, fit = fit_verdict_calibration(NLIVerifier(scorer, calibration=None, **opts),
                                                   [c["claim"] for c in train], first(hits_train),
                                                   [c["gold_label"] for c in train], fit_thresholds=False)
        verifier = NLIVerifier(scorer, calibration=calibration, **opts)
        train_verdicts = verifier.verify([c["claim"] for c in train], first(hits_train))
        row = {"heldout_train_macro_f1": round(fit["macro_f1_at_threshold"], 4),
               "heldout_train": {**metrics(train_verdicts, [c["gold_label"] for c in train]),
                                 "wrong": [str(c["id"]) for c, v in zip(train, train_verdicts) if v.label.value != c["gold_label"]]},
               "scifact_dev": metrics(verifier.verify([c["claim"] for c in dev], first(hits_dev)), [c["gold_label"] for c in dev])}
        right = total = 0
        for set_name, (_, rows) in sets.items():
            labels = [v.label.value for v in verifier.verify([r["claim"] for r in rows], first(hits[set_name]))]
            gold = [r["gold"] for r in rows]
            ok = sum(p == g for p, g in zip(labels, gold))
            row[set_name] = {"right": ok, "of": len(rows), "macro_f1": round(macro_f1(gold, labels), 4),
                             "predicted": dict(Counter(labels)),
                             "wrong": [r["id"] for r, p in zip(rows, labels) if p != r["gold"]]}
            if set_name not in HELD_OUT:
                right, total = right + ok, total + len(rows)
        row["tech_dev_right"] = f"{right}/{total}"
        report[name] = row
        summary = {k: (v if not isinstance(v, dict) else {kk: vv for kk, vv in v.items() if kk != "wrong"})
                   for k, v in row.items()}
        print(name, json.dumps(summary), flush=True)
    if args.score_cache:
        args.score_cache.write_bytes(pickle.dumps(((args.model, scorer.version), scorer.cache, options["similarity"].cache)))
    if args.out:
        args.out.write_text(json.dumps(report, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
