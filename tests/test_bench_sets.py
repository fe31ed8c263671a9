"""The hand-labelled tech-news verdict sets in bench/data are well formed (bench/technews_fresh.py reads them)."""
import json
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parent.parent / "bench" / "data"
LABELS = {"SUPPORTED", "REFUTED", "NOT_ENOUGH_INFO"}


@pytest.mark.parametrize("name", [f"technews_fresh{n}" for n in ("", 2, 3, 4, 5, 6, 7, 8, 9, 10)])
def test_a_fresh_set_has_labelled_claims_with_their_sources(name):
    folder = DATA / name
    rows = [json.loads(line) for line in (folder / "claims.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
    assert len(rows) == 60 and len({r["id"] for r in rows}) == 60
    assert {r["gold"] for r in rows} == LABELS
    sources = {p.name for p in (folder / "sources").iterdir()}
    assert len(sources) == 6
    for row in rows:
        assert row["claim"].strip() and row["kind"]
        if row["source"] is not None:          # the decisive document (None: a claim on another topic)
            assert Path(row["source"]).name in sources, row["id"]
        else:
            assert row["gold"] == "NOT_ENOUGH_INFO", row["id"]
    for path in (folder / "sources").iterdir():
        head = path.read_text(encoding="utf-8").splitlines()[:3]
        assert head[0].startswith("# ") and any(line.startswith("Published: ") for line in head), path.name
