"""Verdicts on the bundled examples: the claims listed in examples/README.md against examples/sources.

The README's tables list each factual claim of the four sample articles with the verdict a careful
checker gives (84 rows, written by the project: a small tech-news dev set, not held out). This
script indexes `examples/sources` in a scratch home, runs `factcheck verify-claims` (the real CLI)
for each verifier, and prints accuracy, macro-F1 and the confusion matrix. The 59 claims of
`bench/data/technews_retrieval.jsonl` (hand-labelled supports / refutes over the same sources) are
scored too, as a second set of verdicts (SUPPORTED / REFUTED gold, no NOT_ENOUGH_INFO).

    python bench/examples_verdicts.py --verifier baseline --verifier packaged:factcheck-verifier
"""
from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
LABELS = ("SUPPORTED", "REFUTED", "NOT_ENOUGH_INFO")
_ROW = re.compile(r"^\| (\d+) \| (.+?) \| \**(SUPPORTED|REFUTED|NOT_ENOUGH_INFO)\** \|")


def expected_claims(readme: Path) -> list[dict]:
    """Rows of the expected-verdict tables: id (article#row), claim, gold label."""
    rows, article = [], None
    for line in readme.read_text(encoding="utf-8").splitlines():
        if line.startswith("### `articles/"):
            article = line.split("`")[1].removeprefix("articles/").split(".")[0]
        match = _ROW.match(line)
        if match and article:
            claim = re.sub(r"\s*\*\([^)]*\)\*\s*$", "", match.group(2)).strip()
            rows.append({"id": f"{article}#{match.group(1)}", "claim": claim, "gold": match.group(3)})
    return rows


def technews_claims(path: Path) -> list[dict]:
    """The tech-news retrieval set's claims with their verdict: supports -> SUPPORTED, refutes -> REFUTED."""
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [{"id": f"technews:{r['id']}", "claim": r["claim"],
             "gold": "SUPPORTED" if r["stance"] == "supports" else "REFUTED"} for r in rows]


def report(name: str, rows: list[dict], predicted: dict) -> list[str]:
    from factcheck.training import macro_f1

    gold = [r["gold"] for r in rows]
    pred = [predicted.get(r["id"], "missing") for r in rows]
    confusion = {g: dict(Counter(p for p, gg in zip(pred, gold) if gg == g)) for g in LABELS}
    accuracy = sum(p == g for p, g in zip(pred, gold)) / len(rows)
    lines = [f"{name}: accuracy {accuracy:.3f}, macro-F1 {macro_f1(gold, pred):.3f}; gold -> predicted {confusion}"]
    lines += [f"    {r['id']}: gold {r['gold']}, got {p}: {r['claim']}" for r, p in zip(rows, pred) if p != r["gold"]]
    return lines


def run(home: Path, *args: str, verifier: str | None = None) -> None:
    env = {**os.environ, "FACTCHECK_HOME": str(home), "HF_HUB_OFFLINE": "1"}
    if verifier:
        env["FACTCHECK_VERIFIER"] = verifier
    subprocess.run([sys.executable, "-m", "factcheck", *args], env=env, check=True)


def cli_verdicts(home: Path, claims: Path, out: Path, verifier: str | None) -> dict[str, dict]:
    """`factcheck verify-claims` on a claims file in `home`: its verdict records by claim id."""
    run(home, "verify-claims", str(claims), "--out", str(out), verifier=verifier)
    return {v["id"]: v for v in map(json.loads, out.read_text().splitlines())}


def finish(lines: list[str], out: Path | None) -> int:
    """Print the report and write it to `out` too."""
    print("\n".join(lines))
    if out:
        out.write_text("\n".join(lines) + "\n")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--verifier", action="append", help="FACTCHECK_VERIFIER values (repeat)")
    parser.add_argument("--out", type=Path, help="also write the report here")
    args = parser.parse_args()
    rows = expected_claims(ROOT / "examples" / "README.md")
    lines = [f"examples: {len(rows)} claims from examples/README.md "
             f"({dict(Counter(r['gold'] for r in rows))}), sources examples/sources"]
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / "home"
        run(home, "sources", "add", str(ROOT / "examples" / "sources"))
        claims = Path(tmp) / "claims.jsonl"
        technews = technews_claims(ROOT / "bench" / "data" / "technews_retrieval.jsonl")
        claims.write_text("".join(json.dumps({"id": r["id"], "claim": r["claim"]}) + "\n" for r in rows + technews))
        tail = [f"technews_retrieval: {len(technews)} claims ({dict(Counter(r['gold'] for r in technews))})"]
        for verifier in args.verifier or ["baseline"]:
            verdicts = cli_verdicts(home, claims, Path(tmp) / "verdicts.jsonl", verifier)
            predicted = {key: v["label"] for key, v in verdicts.items()}
            lines += report(verifier, rows, predicted)
            tail += report(verifier, technews, predicted)
        lines += tail
    return finish(lines, args.out)


if __name__ == "__main__":
    raise SystemExit(main())
