"""The fine-tuned dense embedder (`factcheck train-embedder`): its compact form and the training path on a
tiny SciFact-shaped set, down to an index built with it."""
import json

import numpy as np
import pytest

from factcheck.errors import IndexMismatchError, InputError
from test_relevance import _tiny_scifact


def _tiny_fever(root, n=6):
    folder = root / "nli" / "fever"
    folder.mkdir(parents=True)
    rows = [{"premise": f"Company {i} was founded in {1990 + i}.", "hypothesis": f"Company {i} dates from {1990 + i}.",
             "label": "entailment" if i % 2 else "contradiction", "source": "fever/train"} for i in range(n)]
    rows.append({"premise": "Nothing.", "hypothesis": "Company 0 dates from 1990.", "label": "neutral", "source": "x"})
    (folder / "train.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))


def test_embedder_training_refuses_missing_data_and_bad_options_before_any_work(tmp_path):
    from factcheck.embedder_training import train_embedder

    with pytest.raises(InputError, match=f"no SciFact data under {tmp_path / 'nothing'}"):
        train_embedder(tmp_path / "nothing", tmp_path / "out", tmp_path / "work")
    data = _tiny_scifact(tmp_path / "data")
    with pytest.raises(InputError, match=r"no FEVER pairs at .*nli/fever/train.jsonl.*--fever 0"):
        train_embedder(data, tmp_path / "out", tmp_path / "work")
    with pytest.raises(InputError, match="epochs >= 1"):
        train_embedder(data, tmp_path / "out", tmp_path / "work", epochs=0)
    assert not (tmp_path / "work").exists() and not (tmp_path / "out").exists()


@pytest.mark.slow
def test_compact_form_keeps_the_embeddings_of_the_model_it_stores(tmp_path):
    from factcheck.embed import load_sentence_transformer, resolve_model_path
    from factcheck.embedder_training import export_embedder

    base = load_sentence_transformer(resolve_model_path("packaged:all-MiniLM-L6-v2"))
    export_embedder(base, tmp_path / "copy", 256)
    copy = load_sentence_transformer(tmp_path / "copy")
    texts = ["Microsoft will host Grok 3 in Azure AI Foundry.", "Fines reach 7 percent of global turnover."]
    a = base.encode(texts, normalize_embeddings=True)
    b = copy.encode(texts, normalize_embeddings=True)
    assert np.all(np.sum(a * b, axis=1) > 0.995)     # int8 groups of 64: close to, not equal to, fp32
    assert (tmp_path / "copy" / "weights.int8.safetensors").stat().st_size < 16e6


@pytest.mark.slow
def test_tiny_embedder_training_run_exports_a_model_the_index_uses_and_is_tied_to(tmp_path, settings_factory,
                                                                                   monkeypatch):
    from factcheck.embed import make_embedder
    from factcheck.embedder_training import train_embedder
    from factcheck.index import VectorIndex
    from factcheck.pipeline import Workspace, index_sources

    data = _tiny_scifact(tmp_path / "data")
    _tiny_fever(data)
    out = tmp_path / "embedder"
    monkeypatch.setenv("FACTCHECK_EMBEDDING_MODEL", "hash:64")   # training ignores it: see below
    record = train_embedder(data, out, tmp_path / "work", seed=3, fever=4, batch_size=4, progress=False)
    monkeypatch.delenv("FACTCHECK_EMBEDDING_MODEL")
    # the hard negatives come from the packaged MiniLM's ranking, as for every shipped model
    assert VectorIndex.read_meta(tmp_path / "work" / "index")["model"] == "packaged:all-MiniLM-L6-v2"
    assert record["fever_pairs"] == 4 and record["scifact_triplets"] >= 1 and record["steps"] >= 2
    assert record["train_claims"] < 10          # the calibration share is left out
    assert {"embedder.json", "weights.int8.safetensors", "training.json"} <= {p.name for p in out.iterdir()}

    tuned, base = make_embedder(str(out)), make_embedder("packaged:all-MiniLM-L6-v2")
    texts = ["Microsoft hosts Grok 3 in Azure.", "Azure. Microsoft will host Grok 3 in Azure AI Foundry."]
    t, b = tuned.embed(texts), base.embed(texts)
    assert tuned.dim == 384 and np.allclose(np.linalg.norm(t, axis=1), 1.0, atol=1e-5)
    assert not np.allclose(t, b, atol=1e-4)      # the trained weights are the ones loaded

    settings = settings_factory(embedding_model=str(out))
    source = tmp_path / "s.jsonl"
    source.write_text("".join(json.dumps({"id": f"s{i}", "title": t, "text": x}) + "\n" for i, (t, x) in enumerate(
        [("Azure", "Microsoft will host Grok 3 in Azure AI Foundry."), ("Ohio", "Meridian plans datacenters in Ohio.")])))
    index_sources(settings, [str(source)])
    ws = Workspace(settings)
    assert ws.vectors.meta["model"] == str(out)
    [found] = ws.retriever.retrieve(["Microsoft will host Grok 3 in Azure."], 1)
    assert found[0].source_id == "s0"
    with pytest.raises(IndexMismatchError, match="index rebuild"):
        Workspace(settings_factory(embedding_model="packaged:all-MiniLM-L6-v2")).vectors


def test_train_embedder_command_reports_missing_data_in_one_line(tmp_path):
    from click.testing import CliRunner

    from factcheck.cli import cli

    result = CliRunner().invoke(cli, ["train-embedder", "--data", str(tmp_path / "nothing"), "--out", str(tmp_path / "o")])
    assert result.exit_code == 1
    assert f"InputError: no SciFact data under {tmp_path / 'nothing'}" in result.output
    assert not (tmp_path / "o").exists()
