"""The training path end to end on a tiny slice: train, export, load as a verifier, verify."""
import json

import pytest

from conftest import SHARED_DATA

pytestmark = pytest.mark.slow


@pytest.mark.skipif(not (SHARED_DATA / "nli").is_dir(), reason=f"training data not found at {SHARED_DATA}")
def test_tiny_training_run_exports_a_model_the_pipeline_can_use(tmp_path, settings_factory):
    from factcheck.pipeline import Workspace, index_sources, verify_claim_texts
    from factcheck.training import train_verifier

    out = tmp_path / "verifier"
    record = train_verifier(SHARED_DATA, out, seed=1, max_pairs=64, batch_size=16, checkpoint_every=2,
                            progress=False)
    assert record["pairs_seen"] == 64 and record["steps"] == 4
    assert {"config.json", "weights.int8.safetensors", "calibration.json", "training.json"} <= {p.name for p in out.iterdir()}
    assert 0.05 <= json.loads((out / "calibration.json").read_text())["temperature"] <= 20
    assert (out / "weights.int8.safetensors").stat().st_size < 20 * 2**20  # compact export

    settings = settings_factory(embedding_model="hash:64", verifier=str(out))
    ws = Workspace(settings)
    source = tmp_path / "s.jsonl"
    source.write_text(json.dumps({"id": "wire", "title": "W", "text": "Microsoft will host Grok 3 in Azure."}) + "\n")
    index_sources(settings, [str(source)], ws=ws)
    [verdict] = verify_claim_texts(ws, [("c1", "Microsoft will host Grok 3.")])
    assert verdict.label.value in {"SUPPORTED", "REFUTED", "NOT_ENOUGH_INFO"} and 0 <= verdict.confidence <= 1
    assert ws.verifier.name == "crossencoder:verifier" and ws.verifier.version  # recorded with each verdict
    assert verdict.evidence and verdict.evidence[0].source_id == "wire" and verdict.evidence[0].quote


@pytest.mark.skipif(not (SHARED_DATA / "nli").is_dir(), reason=f"training data not found at {SHARED_DATA}")
def test_calibration_claims_are_held_out_of_the_training_mix():
    from factcheck.training import build_training_mix, scifact_calibration_ids

    held = scifact_calibration_ids(SHARED_DATA / "scifact")
    claims = {int(json.loads(line)["id"]): json.loads(line)["claim"]
              for line in (SHARED_DATA / "scifact" / "claims_train.jsonl").read_text().splitlines()}
    assert 0.15 * len(claims) < len(held) < 0.25 * len(claims)
    assert held == scifact_calibration_ids(SHARED_DATA / "scifact")  # the same set every time
    train, heldout = build_training_mix(SHARED_DATA, seed=13)
    trained = {p.hypothesis for p in train if p.source.startswith("scifact/")}
    held_texts = {claims[i] for i in held} - {claims[i] for i in claims if i not in held}
    assert trained and not trained & held_texts
    dev = {json.loads(line)["claim"] for line in (SHARED_DATA / "scifact" / "claims_dev.jsonl").read_text().splitlines()}
    assert not {p.hypothesis for p in train} & (dev - set(claims.values()))  # 2 texts are in both official splits


def test_unrelated_pairs_are_neutral_claims_with_another_claims_evidence():
    import random

    from factcheck.training import LABEL_ID, TrainPair, number_swap_pairs, unrelated_pairs
    from factcheck.verify import overlap

    facts = [("Microsoft has invested about $13 billion in OpenAI since 2019.", "Microsoft invested $13 billion in OpenAI."),
             ("Grok 3 comes in two main sizes, and xAI released it in February 2025.", "xAI released Grok 3 in 2025."),
             ("Tessellate reported revenue of $9.4 billion for its first quarter.", "Tessellate's revenue was $9.4 billion."),
             ("The Kestrel 2 rocket carried 14 small satellites into orbit.", "The rocket carried 14 satellites."),
             ("Lumen Labs raised $180 million in a Series B round in January 2025.", "Lumen Labs raised $180 million."),
             ("Paylark has 48 million active users across North America.", "Paylark has 48 million users.")]
    pairs = [TrainPair(premise, claim, LABEL_ID["entailment"], "fever/train") for premise, claim in facts]
    out = unrelated_pairs(pairs, 8, random.Random(3))
    assert len(out) == 8
    by_claim = dict((c, p) for p, c in facts)
    for pair in out:
        assert pair.label == LABEL_ID["neutral"] and pair.source.startswith("synthetic/unrelated")
        assert pair.premise != by_claim[pair.hypothesis]  # another claim's evidence, never its own
        assert overlap(pair.hypothesis, pair.premise) < 0.3
    assert sum(any(ch.isdigit() for ch in p.premise) for p in out) >= 4  # numbers on both sides too
    swaps = number_swap_pairs(pairs, 4, random.Random(3))  # their counterpart: same evidence, changed figure
    assert swaps and all(s.label == LABEL_ID["contradiction"] and s.premise in by_claim.values() for s in swaps)
