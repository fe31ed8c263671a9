"""Benchmark a stance scorer on held-out labelled pairs.

Sets: the reported held-out NLI splits of `factcheck.training.HELDOUT_FILES` (MNLI dev
mismatched, ANLI test r1-r3, SNLI test, FEVER-symmetric, SciTail test, FNC-1 test, ConTRoL
test), none of them used in training, and SciFact dev *oracle* pairs (claim vs each gold
rationale sentence -> its label; claim vs every other sentence of the cited abstracts ->
neutral). Prints accuracy (3-way argmax), accuracy restricted to the classes a 2-class set
has, macro-F1 over the classes present in the gold labels, per-class recall, ECE at T=1 and
at the scorer's calibrated temperature, and speed (pairs/s at batch size 32 on 2 threads,
for `score()` end to end and for the raw forward pass). Writes a reliability plot.

    HF_HUB_OFFLINE=1 .venv/bin/python bench/verifier_pairs.py \
        --model packaged:factcheck-verifier --data ../shared/data \
        --out bench/results/verifier_pairs.txt --plot docs/verifier_reliability.png
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from factcheck.crossencoder import CrossEncoderScorer  # noqa: E402
from factcheck.training import (HELDOUT_FILES, LABELS, _resolve_data_dir,  # noqa: E402
                                expected_calibration_error, read_nli, scifact_pairs, softmax)


def macro_f1(pred: np.ndarray, gold: np.ndarray) -> float:
    scores = []
    for c in sorted(set(gold.tolist())):
        tp = np.sum((pred == c) & (gold == c))
        fp = np.sum((pred == c) & (gold != c))
        fn = np.sum((pred != c) & (gold == c))
        p = tp / (tp + fp) if tp + fp else 0.0
        r = tp / (tp + fn) if tp + fn else 0.0
        scores.append(2 * p * r / (p + r) if p + r else 0.0)
    return float(np.mean(scores))


def load_sets(data_dir: str, max_per_set: int | None, seed: int = 0) -> dict[str, list]:
    nli_dir, scifact_dir = _resolve_data_dir(data_dir)
    sets = {name: [p for f in files for p in read_nli(nli_dir, f)] for name, files in HELDOUT_FILES.items()}
    sets["scifact_dev_oracle"] = scifact_pairs(scifact_dir, "claims_dev.jsonl")
    sets["technews_own"] = read_nli(ROOT / "bench" / "data", "technews_pairs")  # our own writing, 48 pairs
    if max_per_set:      # random subsample of the NLI sets; SciFact dev oracle is kept whole
        rng = np.random.default_rng(seed)
        sets = {k: [v[i] for i in sorted(rng.choice(len(v), max_per_set, replace=False))]
                if len(v) > max_per_set and k != "scifact_dev_oracle" else v for k, v in sets.items()}
    return sets


def cue_accuracy(pairs: list, probs: np.ndarray, gold: np.ndarray) -> tuple[float, float, str]:
    """Accuracy with and without `cue_adjusted`, and contradictions recalled with / without."""
    from factcheck.verify import cue_adjusted

    adjusted = probs.copy()
    for row, p in enumerate(pairs):
        adjusted[row, 0], adjusted[row, 2] = cue_adjusted(p.hypothesis, p.premise, probs[row, 0], probs[row, 2])
    with_cues, without = adjusted.argmax(1), probs.argmax(1)
    c = gold == LABELS.index("contradiction")
    return (float((with_cues == gold).mean()), float((without == gold).mean()),
            f"{int((with_cues[c] == gold[c]).sum())}/{int(c.sum())} with cues, {int((without[c] == gold[c]).sum())} without")


def speed(scorer: CrossEncoderScorer, pairs: list[tuple[str, str]], threads: int = 2) -> tuple[float, float]:
    """(score() pairs/s, raw forward pairs/s) at the scorer's batch size on `threads` threads."""
    import torch
    torch.set_num_threads(threads)
    scorer.score(pairs[:64])                                   # warm-up
    t0 = time.perf_counter()
    scorer.score(pairs)
    end_to_end = len(pairs) / (time.perf_counter() - t0)
    claims, passages = [c for c, _ in pairs], [p for _, p in pairs]
    enc = scorer.tokenizer(passages, claims, truncation="longest_first", max_length=scorer.max_length)
    order = np.argsort([len(x) for x in enc["input_ids"]], kind="stable")
    keys = [k for k in ("input_ids", "token_type_ids", "attention_mask") if k in enc]
    batches = [scorer.tokenizer.pad({k: [enc[k][i] for i in order[s:s + scorer.batch_size]] for k in keys},
                                    return_tensors="pt") for s in range(0, len(pairs), scorer.batch_size)]
    with torch.inference_mode(), torch.autocast("cpu", dtype=torch.bfloat16,
                                                enabled=getattr(scorer, "precision", "fp32") == "bf16"):
        t0 = time.perf_counter()
        for b in batches:
            scorer.model(**b)
        raw = len(pairs) / (time.perf_counter() - t0)
    return end_to_end, raw


def reliability_plot(path: Path, probs_t1: np.ndarray, probs_t: np.ndarray, gold: np.ndarray,
                     temperature: float, title: str) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    bins = np.linspace(0, 1, 11)
    fig, axes = plt.subplots(1, 2, figsize=(10, 4.2))
    for probs, label, marker in ((probs_t1, "T = 1", "o-"), (probs_t, f"T = {temperature:.2f}", "s-")):
        conf, correct = probs.max(1), probs.argmax(1) == gold
        xs, ys = [], []
        for lo, hi in zip(bins[:-1], bins[1:]):
            sel = (conf > lo) & (conf <= hi)
            if sel.sum() >= 10:
                xs.append(conf[sel].mean())
                ys.append(correct[sel].mean())
        ece = expected_calibration_error(probs, gold)
        axes[0].plot(xs, ys, marker, label=f"{label} (ECE {ece:.3f})")
        axes[1].hist(conf, bins=bins, alpha=0.5, label=label)
    axes[0].plot([0, 1], [0, 1], "k--", lw=1, label="perfect")
    axes[0].set(xlabel="confidence (top class)", ylabel="accuracy", title="Reliability", xlim=(0, 1), ylim=(0, 1))
    axes[0].legend(loc="upper left", fontsize=8)
    axes[1].set(xlabel="confidence (top class)", ylabel="pairs", title="Confidence histogram")
    axes[1].legend(fontsize=8)
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", default="packaged:factcheck-verifier")
    ap.add_argument("--data", default=str(ROOT.parent / "shared" / "data"))
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--max-length", type=int, default=256)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--max-per-set", type=int, default=None,
                    help="random subsample (seed 0) of each NLI set; SciFact dev oracle stays whole")
    ap.add_argument("--speed-pairs", type=int, default=1024)
    ap.add_argument("--precision", default="fp32", choices=["fp32", "bf16", "int8"], help="scorer arithmetic")
    ap.add_argument("--out", default=None, help="also write the report to this file")
    ap.add_argument("--plot", default=str(ROOT / "docs" / "verifier_reliability.png"))
    args = ap.parse_args(argv)

    lines: list[str] = []

    def say(text: str = "") -> None:
        print(text, flush=True)
        lines.append(text)

    t_load = time.perf_counter()
    scorer = CrossEncoderScorer(args.model, batch_size=args.batch_size, max_length=args.max_length,
                                threads=args.threads, precision=args.precision)
    load_s = time.perf_counter() - t_load
    temperature = scorer.temperature
    sets = load_sets(args.data, args.max_per_set)
    say(f"verifier pair benchmark: model={args.model} name={scorer.name} version={scorer.version}")
    say(f"max_length={args.max_length} batch_size={args.batch_size} threads={args.threads} "
        f"temperature={temperature:.4f} load={load_s:.1f}s max_per_set={args.max_per_set}")
    say("accuracy = 3-way argmax; acc_2c = argmax over the classes the set has (2-class sets); "
        "F1 = macro over gold classes; R_e/R_n/R_c = recall per class; ECE top-class, 15 bins")
    say("")
    header = f"{'set':<22}{'n':>6}{'acc':>7}{'acc_2c':>8}{'F1':>7}{'R_e':>7}{'R_n':>7}{'R_c':>7}{'ECE_T1':>8}{'ECE_T':>8}{'s':>6}"
    say(header)
    say("-" * len(header))
    pooled_t1, pooled_t, pooled_gold, accs = [], [], [], {}
    for name, pairs in sets.items():
        t0 = time.perf_counter()
        logits = scorer.logits([(p.hypothesis, p.premise) for p in pairs])
        secs = time.perf_counter() - t0
        gold = np.array([p.label for p in pairs])
        p1, pt = softmax(logits), softmax(logits, temperature)
        pred = p1.argmax(1)
        present = sorted(set(gold.tolist()))
        restricted = np.array(present)[logits[:, present].argmax(1)]
        if name == "technews_own":
            cue_acc = cue_accuracy(pairs, pt, gold)
        recalls = [(pred[gold == c] == c).mean() if (gold == c).any() else float("nan") for c in range(3)]
        acc = float((pred == gold).mean())
        accs[name] = acc
        say(f"{name:<22}{len(pairs):>6}{acc:>7.3f}{(restricted == gold).mean():>8.3f}{macro_f1(pred, gold):>7.3f}"
            + "".join(f"{r:>7.3f}" if r == r else f"{'-':>7}" for r in recalls)
            + f"{expected_calibration_error(p1, gold):>8.3f}{expected_calibration_error(pt, gold):>8.3f}{secs:>6.0f}")
        pooled_t1.append(p1)
        pooled_t.append(pt)
        pooled_gold.append(gold)
    p1, pt, gold = np.concatenate(pooled_t1), np.concatenate(pooled_t), np.concatenate(pooled_gold)
    say("-" * len(header))
    nli_sets = [k for k in accs if k not in ("scifact_dev_oracle", "technews_own")]
    say(f"{'pooled (all sets)':<22}{len(gold):>6}{(p1.argmax(1) == gold).mean():>7.3f}{'':>8}"
        f"{macro_f1(p1.argmax(1), gold):>7.3f}{'':>21}{expected_calibration_error(p1, gold):>8.3f}"
        f"{expected_calibration_error(pt, gold):>8.3f}")
    say(f"mean accuracy over the {len(nli_sets)} held-out NLI sets: {np.mean([accs[k] for k in nli_sets]):.3f}; "
        f"ANLI r1-r3 mean: {np.mean([accs[k] for k in accs if k.startswith('anli')]):.3f}")
    say("")

    say(f"technews_own with the number/year cues of NLIVerifier (factcheck.verify.cue_adjusted): "
        f"accuracy {cue_acc[0]:.3f} (without: {cue_acc[1]:.3f}); contradictions found {cue_acc[2]}")
    say("")

    sci = sets["scifact_dev_oracle"]
    speed_pairs = [(p.hypothesis, p.premise) for p in sci[:args.speed_pairs]]
    mm = sets["mnli_dev_mismatched"][:args.speed_pairs]
    e2e, raw = speed(scorer, speed_pairs, args.threads)
    e2e_mm, raw_mm = speed(scorer, [(p.hypothesis, p.premise) for p in mm], args.threads)
    say(f"speed, batch {args.batch_size}, {args.threads} threads (shared machine; indicative):")
    say(f"  scifact dev oracle pairs (n={len(speed_pairs)}): score() {e2e:.1f} pairs/s, raw forward {raw:.1f} pairs/s")
    say(f"  mnli dev mismatched pairs (n={len(mm)}): score() {e2e_mm:.1f} pairs/s, raw forward {raw_mm:.1f} pairs/s")

    plot = Path(args.plot)
    try:
        reliability_plot(plot, p1, pt, gold, temperature,
                         f"{scorer.name}: all held-out sets pooled (n={len(gold)})")
        say(f"reliability plot: {plot}")
    except ImportError:
        say("reliability plot skipped: matplotlib is not installed (pip install -e '.[bench]')")
    if args.out:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text("\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
