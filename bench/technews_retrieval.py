"""Tech-news passage retrieval on bench/data/technews_retrieval.jsonl: does a reranker hurt tech news?

    HF_HUB_OFFLINE=1 .venv/bin/python bench/technews_retrieval.py
    HF_HUB_OFFLINE=1 .venv/bin/python bench/technews_retrieval.py --reranker packaged:factcheck-verifier \
        --out bench/results/technews_retrieval.txt

Indexes `examples/sources` (12 sources, 62 passages) into a temporary home. The path is given relative to
the repository root, so the source ids are the ones `factcheck sources add examples/sources` gives there.
Then, for each configuration, it retrieves the top 10 passages per claim with
`Workspace(Settings(home=tmp, reranker=R)).retriever.retrieve(claims, 10)`. The first stage alone
(reranker None) is always run; each --reranker value (repeatable) is passed as `Settings.reranker`.
Other settings (weights, rerank depth) come from the defaults and any FACTCHECK_* variables, and the
header prints them.

A hit is a gold passage when its source is the claim's gold source and its text contains the
evidence string. The metrics are taken over all claims, and also split by stance:
  * P@1, P@3, P@5: passage recall@k, the share of claims with a gold passage in the top k;
  * S@1: source recall@1, the share of claims whose top hit comes from the gold source;
  * MRR: mean reciprocal rank of the first gold passage in the top 10 (0 when there is none).
The script also lists the claims whose first gold rank differs between configurations, and those
that no configuration finds at rank 1.

The set is small: 59 claims, so one claim moves a recall by 0.017. Read differences of one or two
claims as noise. See bench/data/README.md.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

DATA = ROOT / "bench" / "data" / "technews_retrieval.jsonl"
SOURCES = "examples/sources"  # relative to ROOT: the ids `factcheck sources add examples/sources` gives
K = 10


def load_claims(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def gold_rank(claim: dict, hits) -> int | None:
    """1-based rank of the first hit from the gold source whose text holds the evidence, or None."""
    for rank, hit in enumerate(hits, start=1):
        if hit.source_id == claim["source"] and claim["evidence"] in hit.text:
            return rank
    return None


def metrics(claims: list[dict], ranks: list[int | None], top_sources: list[str | None]) -> dict[str, float]:
    n = len(claims) or 1
    recall = lambda k: sum(r is not None and r <= k for r in ranks) / n  # noqa: E731
    return {"P@1": recall(1), "P@3": recall(3), "P@5": recall(5),
            "S@1": sum(s == c["source"] for c, s in zip(claims, top_sources)) / n,
            "MRR": sum(1.0 / r for r in ranks if r is not None) / n}


def check_evidence(ws, claims: list[dict]) -> list[str]:
    """Claims whose evidence is in no stored passage of their gold source (the gold is unreachable)."""
    rows = ws.store.passage_rows(ws.store.passage_ids())
    by_source: dict[str, list[str]] = {}
    for source, text, *_ in rows.values():
        by_source.setdefault(source, []).append(text)
    return [c["id"] for c in claims if not any(c["evidence"] in t for t in by_source.get(c["source"], []))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reranker", action="append", default=[],
                        help="a Settings.reranker value (repeat for several); the first stage alone always runs")
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--out", type=Path, help="also write the report here")
    args = parser.parse_args()
    out_arg = args.out
    args.data, args.out = args.data.resolve(), args.out.resolve() if args.out else None

    from factcheck.pipeline import Workspace, index_sources
    from factcheck.settings import Settings

    claims = load_claims(args.data)
    stances = sorted({c["stance"] for c in claims}, reverse=True)
    counts = {s: sum(c["stance"] == s for c in claims) for s in stances}
    configs = [None] + [r for r in args.reranker if r]
    lines = []
    per_config: dict[str, list[int | None]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / "home"
        os.chdir(ROOT)
        report = index_sources(Settings(home=home), [SOURCES])
        if report.problems:
            raise SystemExit("indexing problems: " + "; ".join(map(str, report.problems)))
        base = Settings(home=home)
        lines.append(f"technews retrieval: {args.data.name}, {len(claims)} claims ({counts}), "
                     f"sources {SOURCES}: {report.counts()['added']} sources, {report.total_passages} passages")
        lines.append(f"settings: embedder {base.embedding_model}, dense_weight {base.dense_weight}, "
                     f"lexical_weight {base.lexical_weight}, rerank_depth {base.rerank_depth} "
                     f"(None: the reranker's default), passages {base.passage_sentences} sentences / "
                     f"stride {base.passage_stride}, top {K}")
        unreachable = None
        header = f"{'reranker':32s} {'stance':9s} {'n':>3s}  {'P@1':>5s}  {'P@3':>5s}  {'P@5':>5s}  " \
                 f"{'S@1':>5s}  {'MRR':>5s}  {'s':>6s}"
        table = [header]
        for reranker in configs:
            ws = Workspace(Settings(home=home, reranker=reranker))
            if unreachable is None:
                unreachable = check_evidence(ws, claims)
            start = time.perf_counter()
            hits = ws.retriever.retrieve([c["claim"] for c in claims], K)
            seconds = time.perf_counter() - start
            ranks = [gold_rank(c, h) for c, h in zip(claims, hits)]
            tops = [h[0].source_id if h else None for h in hits]
            name = reranker or "none (first stage)"
            per_config[name] = ranks
            for stance in ["all"] + stances:
                keep = [n for n, c in enumerate(claims) if stance == "all" or c["stance"] == stance]
                m = metrics([claims[n] for n in keep], [ranks[n] for n in keep], [tops[n] for n in keep])
                table.append(f"{name if stance == 'all' else '':32s} {stance:9s} {len(keep):3d}  "
                             + "  ".join(f"{m[key]:5.3f}" for key in ("P@1", "P@3", "P@5", "S@1", "MRR"))
                             + (f"  {seconds:6.1f}" if stance == "all" else ""))
        lines.append(f"evidence found in a stored passage of its gold source: {len(claims) - len(unreachable)}"
                     f"/{len(claims)}" + (f" (missing: {', '.join(unreachable)})" if unreachable else ""))
        lines.append("")
        lines.extend(table)
        lines.append("s: retrieval seconds for all claims (model loading included for a reranker)")

    names = list(per_config)
    show = lambda r: "-" if r is None else str(r)  # noqa: E731
    changed = [n for n, _ in enumerate(claims) if len({per_config[name][n] for name in names}) > 1]
    if len(names) > 1:
        lines.append("")
        lines.append(f"first gold rank per configuration ({' / '.join(names)}; '-' = not in the top {K}), "
                     f"claims where it differs: {len(changed)}")
        for n in changed:
            c = claims[n]
            lines.append(f"  {c['id']} {c['stance']:8s} {' / '.join(show(per_config[name][n]) for name in names):9s} "
                         f"{c['claim']}")
    missed = [n for n, _ in enumerate(claims) if all(per_config[name][n] != 1 for name in names)]
    lines.append("")
    lines.append(f"claims no configuration ranks first: {len(missed)}")
    for n in missed:
        c = claims[n]
        lines.append(f"  {c['id']} {c['stance']:8s} {' / '.join(show(per_config[name][n]) for name in names):9s} "
                     f"{c['claim']}")
    print("\n".join(lines))
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        command = "python bench/technews_retrieval.py" + "".join(f" --reranker {r}" for r in configs[1:]) \
            + f" --out {out_arg}"
        args.out.write_text(f"# {command}\n" + "\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
