"""Verdicts on a fresh tech-news set: `bench/data/technews_fresh`, `technews_fresh2`, `technews_fresh3` (written blind in
session 19), `technews_fresh4` or `technews_fresh5` (session 20).

Indexes the set's six sources in a scratch home with `factcheck sources add`, runs `factcheck verify-claims` (the
real CLI) on its 60 claims and prints accuracy, macro-F1, the confusion matrix, the result per `kind` tag and each
wrong verdict with the sentence it cites. Each set is held out until its one blind run and a dev set after it (see
each set's README). `technews_fresh6` (written blind at the end of session 20) and `technews_fresh7` (written blind in
session 21) were run once in session 21 and are dev sets since, and so is `technews_fresh8` (written blind and run once
late in session 21), `technews_fresh9` (written blind at the end of session 21, run once in session 22) and
`technews_fresh10` (written blind in session 22, run once in session 23); `technews_fresh11` (written blind in
session 23) is run once in session 24, `technews_fresh12` (written blind in session 24) is run once in session 25, and
`technews_fresh13` and `technews_fresh14` (written blind in session 25) are run once in session 25,
`technews_fresh15` (written blind in session 25) is run once in session 26, `technews_fresh16` (written blind in
session 26) and `technews_fresh17` (written blind in session 27) are run once in session 27, `technews_fresh18` and
`technews_fresh19` in session 28, `technews_fresh20` and `technews_fresh21` in session 29 and `technews_fresh22` and
`technews_fresh23` in session 30, `technews_fresh24` in session 31; `technews_fresh25` (written blind in session 31, not
run) is the next held-out check.

    python bench/technews_fresh.py --verifier packaged:factcheck-verifier --out bench/results/technews_fresh.txt
    python bench/technews_fresh.py --set technews_fresh2 --verifier baseline --verifier packaged:factcheck-verifier
"""
from __future__ import annotations

import argparse
import json
import tempfile
from collections import Counter, defaultdict
from pathlib import Path

from examples_verdicts import LABELS, ROOT, cli_verdicts, finish, run


def fresh_sets() -> list[str]:
    """The `bench/data/technews_fresh*` sets in the order they were written: `technews_fresh`, `technews_fresh2`, ..."""
    names = [p.name for p in (ROOT / "bench" / "data").glob("technews_fresh*") if (p / "claims.jsonl").is_file()]
    return sorted(names, key=lambda name: int(name.removeprefix("technews_fresh") or 1))


def report(name: str, rows: list[dict], verdicts: dict) -> list[str]:
    from factcheck.training import macro_f1

    gold = [r["gold"] for r in rows]
    pred = [verdicts[r["id"]]["label"] if r["id"] in verdicts else "missing" for r in rows]
    confusion = {g: dict(Counter(p for p, gg in zip(pred, gold) if gg == g)) for g in LABELS}
    accuracy = sum(p == g for p, g in zip(pred, gold)) / len(rows)
    lines = [f"{name}: accuracy {accuracy:.3f} ({sum(p == g for p, g in zip(pred, gold))}/{len(rows)}), "
             f"macro-F1 {macro_f1(gold, pred):.3f}; gold -> predicted {confusion}"]
    kinds = defaultdict(list)
    for r, p in zip(rows, pred):
        kinds[r["kind"]].append(p == r["gold"])
    lines.append("  right per kind: " + ", ".join(f"{k} {sum(v)}/{len(v)}" for k, v in sorted(kinds.items())))
    for r, p in zip(rows, pred):
        if p == r["gold"]:
            continue
        verdict = verdicts.get(r["id"], {})
        quote = next((e.get("quote") or e.get("text", "") for e in verdict.get("evidence", [])), "")
        lines.append(f"    {r['id']} ({r['kind']}): gold {r['gold']}, got {p} "
                     f"({verdict.get('confidence', 0):.2f}): {r['claim']}")
        if quote:
            lines.append(f"        cites: {' '.join(quote.split())[:240]}")
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--verifier", action="append", help="FACTCHECK_VERIFIER values (repeat)")
    parser.add_argument("--set", default="technews_fresh", choices=fresh_sets())
    parser.add_argument("--out", type=Path, help="also write the report here")
    args = parser.parse_args()
    data = ROOT / "bench" / "data" / args.set
    rows = [json.loads(line) for line in (data / "claims.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
    lines = [f"{args.set}: {len(rows)} claims ({dict(Counter(r['gold'] for r in rows))}), sources {data / 'sources'}"]
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / "home"
        run(home, "sources", "add", str(data / "sources"))
        claims = Path(tmp) / "claims.jsonl"
        claims.write_text("".join(json.dumps({"id": r["id"], "claim": r["claim"]}) + "\n" for r in rows))
        for verifier in args.verifier or ["packaged:factcheck-verifier"]:
            lines += report(verifier, rows, cli_verdicts(home, claims, Path(tmp) / "verdicts.jsonl", verifier))
    return finish(lines, args.out)


if __name__ == "__main__":
    raise SystemExit(main())
