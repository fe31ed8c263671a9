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
    assert {"config.json", "model.safetensors", "calibration.json", "training.json"} <= {p.name for p in out.iterdir()}
    assert 0.05 <= json.loads((out / "calibration.json").read_text())["temperature"] <= 20
    assert (out / "model.safetensors").stat().st_size < 50 * 2**20  # fp16 export

    settings = settings_factory(embedding_model="hash:64", verifier=str(out))
    ws = Workspace(settings)
    source = tmp_path / "s.jsonl"
    source.write_text(json.dumps({"id": "wire", "title": "W", "text": "Microsoft will host Grok 3 in Azure."}) + "\n")
    index_sources(settings, [str(source)], ws=ws)
    [verdict] = verify_claim_texts(ws, [("c1", "Microsoft will host Grok 3.")])
    assert verdict.label.value in {"SUPPORTED", "REFUTED", "NOT_ENOUGH_INFO"} and 0 <= verdict.confidence <= 1
    assert ws.verifier.name == "crossencoder:verifier" and ws.verifier.version  # recorded with each verdict
    assert verdict.evidence and verdict.evidence[0].source_id == "wire" and verdict.evidence[0].quote
