"""The relevance reranker: rank fusion, the settings that choose it, the training path on a tiny
SciFact-shaped set, and (when the weights ship) the packaged model on tech-news passages."""
import json

import pytest

from factcheck.errors import ConfigError
from factcheck.records import Hit


def hits(n):
    return [Hit(i, f"src-{i}", f"passage {i}", 1.0 / (i + 1), title=f"Title {i}") for i in range(n)]


class FakeScorer:
    """Relevance = a fixed score per passage id; records what it was asked."""

    def __init__(self, scores, fusion=None):
        self.scores, self.fusion, self.seen = scores, fusion or {}, []

    def score(self, pairs):
        import numpy as np

        self.seen.extend(pairs)
        return np.array([self.scores[int(p.split()[-1])] for _, p in pairs], dtype=np.float32)


def test_fusion_moves_a_passage_the_reranker_is_sure_of_up_but_keeps_first_stage_order_as_a_tie_breaker():
    from factcheck.relevance import fuse

    first = hits(4)
    # the reranker puts passage 3 first and passage 0 last
    out = fuse(first, [0.0, 2.0, 1.0, 3.0], weight=1.0)
    # 1/(61+first rank) + 1/(61+reranker rank): 1 -> 2/62; 0 and 3 -> 1/61 + 1/64 (tie: first stage); 2 -> 2/63
    assert [h.passage_id for h in out] == [1, 0, 3, 2]
    # a heavy weight follows the reranker; weight ~0 keeps the first stage
    assert [h.passage_id for h in fuse(first, [0.0, 2.0, 1.0, 3.0], weight=50.0)] == [3, 1, 2, 0]
    assert [h.passage_id for h in fuse(first, [0.0, 2.0, 1.0, 3.0], weight=1e-6)] == [0, 1, 2, 3]
    assert [h.score for h in out] == [first[h.passage_id].score for h in out]  # first-stage scores kept
    assert [h.relevance for h in out] == [2.0, 0.0, 3.0, 1.0]   # each hit carries its relevance logit
    assert all(h.relevance is None for h in first)


def test_reranker_reorders_only_its_depth_reads_titles_and_takes_fusion_from_the_model_folder():
    from factcheck.relevance import RelevanceReranker

    scorer = FakeScorer({0: 0.0, 1: 0.0, 2: 9.0, 3: 0.0, 4: 0.0, 5: 99.0}, fusion={"depth": 3, "weight": 50.0})
    reranker = RelevanceReranker(scorer)
    assert (reranker.depth, reranker.weight) == (3, 50.0)
    out = reranker.rerank("claim", hits(6))
    assert [h.passage_id for h in out] == [2, 0, 1, 3, 4, 5]   # passage 5 is below the depth: not scored
    assert scorer.seen[0] == ("claim", "Title 0. passage 0")
    assert RelevanceReranker(scorer, depth=6, weight=1.0).depth == 6  # settings override the folder
    with pytest.raises(ConfigError, match="depth must be >= 1 and weight >= 0"):
        RelevanceReranker(scorer, weight=-1.0)


def test_reranking_many_claims_scores_them_in_one_call_and_ranks_each_as_alone():
    from factcheck.relevance import RelevanceReranker

    scores = {0: 0.0, 1: 5.0, 2: 9.0, 3: 1.0, 4: 0.0, 5: 99.0}
    claims, lists = ["a", "b", "c", "d"], [hits(6), hits(1), [], list(reversed(hits(4)))]
    alone = [RelevanceReranker(FakeScorer(scores), depth=4, weight=50.0).rerank(c, h) for c, h in zip(claims, lists)]
    calls = []
    scorer = FakeScorer(scores)
    scorer.score = lambda pairs, score=scorer.score: calls.append(len(pairs)) or score(pairs)
    together = RelevanceReranker(scorer, depth=4, weight=50.0).rerank_many(claims, lists)
    assert together == alone
    assert [h.passage_id for h in together[0]] == [2, 1, 3, 0, 4, 5] and together[1:3] == [hits(1), []]
    assert calls == [8]   # 4 + 4 pairs in one call; one hit or none needs no scoring
    assert scorer.seen[4][0] == "d"


def test_a_reranker_path_that_does_not_exist_fails_with_a_clear_message(tmp_path):
    from factcheck.pipeline import make_reranker
    from factcheck.settings import Settings

    with pytest.raises(ConfigError, match=f"reranker: model path does not exist: {tmp_path / 'nope'}"):
        make_reranker(Settings(home=tmp_path, reranker=str(tmp_path / "nope")))
    assert make_reranker(Settings(home=tmp_path, reranker="none")) is None
    assert make_reranker(Settings(home=tmp_path, reranker="")) is None


def test_the_packaged_reranker_is_the_default(monkeypatch, tmp_path):
    from factcheck.settings import Settings

    monkeypatch.delenv("FACTCHECK_RERANKER", raising=False)   # conftest turns it off for speed
    assert Settings(home=tmp_path).reranker == "packaged:factcheck-reranker"


def _tiny_scifact(root):
    """A SciFact-shaped folder: 8 abstracts, 10 train claims with rationale sentences."""
    topics = [
        ("Grok 3 on Azure", ["Microsoft will host xAI's Grok 3 models in Azure AI Foundry.",
                             "The models are billed like other Foundry models.", "Developers can try them today."]),
        ("Lumen 2 release", ["Lumen 2 is released with open weights under Apache 2.0.",
                             "It has 70 billion parameters.", "The model card lists its training data."]),
        ("Meridian datacenters", ["Meridian plans three datacenters in Ohio.", "Construction starts in 2026.",
                                  "Each site draws 300 megawatts."]),
        ("Tessellate results", ["Tessellate reported revenue of $9.4 billion for the first quarter.",
                                "Its T40 chip sold out.", "Margins rose to 61 percent."]),
        ("EU AI Act", ["The EU AI Act entered into force on August 1, 2024.",
                       "Rules for general-purpose models apply from August 2025.", "Fines reach 7 percent of turnover."]),
        ("AI Office", ["The AI Office supervises general-purpose model providers.", "It sits in the Commission.",
                       "It can request documentation."]),
        ("Power deal", ["Meridian signed a 20-year power purchase agreement for nuclear power.",
                        "The reactors are built by Kestrel Energy.", "The first one is due in 2030."]),
        ("Build keynote", ["Satya Nadella opened Build 2025 by video.", "Agents were the main theme.",
                           "GitHub Copilot gained a coding agent."]),
    ]
    scifact = root / "scifact"
    scifact.mkdir(parents=True)
    with open(scifact / "corpus.jsonl", "w") as f:
        for i, (title, sentences) in enumerate(topics):
            f.write(json.dumps({"doc_id": 100 + i, "title": title, "abstract": sentences}) + "\n")
    claims = [("Microsoft hosts Grok 3 in Azure.", 0, 0), ("Lumen 2 has 70 billion parameters.", 1, 1),
              ("Meridian will build datacenters in Ohio.", 2, 0), ("Tessellate's quarterly revenue was $9.4 billion.", 3, 0),
              ("The EU AI Act took effect in August 2024.", 4, 0), ("The AI Office supervises model providers.", 5, 0),
              ("Meridian agreed to buy nuclear power for 20 years.", 6, 0), ("Nadella opened Build by video.", 7, 0),
              ("Tessellate's T40 chip sold out.", 3, 1), ("Fines under the AI Act reach 7 percent of turnover.", 4, 2)]
    with open(scifact / "claims_train.jsonl", "w") as f:
        for n, (claim, doc, sentence) in enumerate(claims):
            f.write(json.dumps({"id": n + 1, "claim": claim, "evidence": {
                str(100 + doc): [{"sentences": [sentence], "label": "SUPPORT"}]}, "cited_doc_ids": [100 + doc]}) + "\n")
    return root


def test_reranker_training_refuses_a_missing_start_or_too_shallow_negatives_before_any_work(tmp_path):
    from factcheck.errors import InputError
    from factcheck.reranker_training import train_reranker

    with pytest.raises(ConfigError, match=f"model path does not exist: {tmp_path / 'nope'}"):
        train_reranker(tmp_path / "data", tmp_path / "out", tmp_path / "work", init=str(tmp_path / "nope"))
    with pytest.raises(InputError, match="negative depth 10 is below the 12 negatives"):
        train_reranker(tmp_path / "data", tmp_path / "out", tmp_path / "work", negative_depth=10)
    assert not (tmp_path / "work").exists() and not (tmp_path / "out").exists()


@pytest.mark.slow
def test_tiny_reranker_training_run_exports_a_model_the_retriever_uses(tmp_path, settings_factory):
    from factcheck.pipeline import Workspace, index_sources
    from factcheck.relevance import RelevanceReranker
    from factcheck.reranker_training import train_reranker

    data = _tiny_scifact(tmp_path / "data")
    out = tmp_path / "reranker"
    record = train_reranker(data, out, tmp_path / "work", seed=3, epochs=1, negatives=2, progress=False)
    assert record["train_claims"] + record["held_out_claims"] == 10 and record["positives"] >= record["train_claims"]
    assert {"config.json", "weights.int8.safetensors", "reranker.json", "training.json"} <= {p.name for p in out.iterdir()}
    fusion = json.loads((out / "reranker.json").read_text())
    assert fusion["depth"] in (10, 20, 30) and fusion["weight"] > 0 and fusion["table"][0]["depth"] == 0
    # indexing again reuses the work folder's index; the start may be any verifier folder, and is recorded
    from factcheck.crossencoder import PACKAGED_MODELS

    again = train_reranker(data, tmp_path / "again", tmp_path / "work", seed=3, epochs=1, negatives=2, progress=False,
                           init=str(PACKAGED_MODELS["factcheck-verifier"]))
    assert again["pairs"] == record["pairs"] and again["init_weights_sha256"] == record["init_weights_sha256"]
    assert record["init"].startswith("packaged:factcheck-verifier") and again["init"].startswith(str(PACKAGED_MODELS["factcheck-verifier"]))

    settings = settings_factory(reranker=str(out))
    source = tmp_path / "s.jsonl"
    source.write_text("".join(json.dumps({"id": f"s{i}", "title": t, "text": x}) + "\n" for i, (t, x) in enumerate(
        [("Azure", "Microsoft will host Grok 3 in Azure AI Foundry."), ("Ohio", "Meridian plans datacenters in Ohio.")])))
    ws = Workspace(settings)
    index_sources(settings, [str(source)], ws=ws)
    assert isinstance(ws.retriever.reranker, RelevanceReranker) and ws.retriever.rerank_depth == fusion["depth"]
    [found] = ws.retriever.retrieve(["Microsoft will host Grok 3 in Azure."], 2)
    assert {h.source_id for h in found} == {"s0", "s1"} and all(h.title for h in found)


@pytest.mark.slow
def test_an_nli_model_as_reranker_still_reranks_by_stance(tmp_path):
    from factcheck.pipeline import make_reranker
    from factcheck.retrieve import StanceReranker
    from factcheck.settings import Settings

    assert isinstance(make_reranker(Settings(home=tmp_path, reranker="packaged:factcheck-verifier")), StanceReranker)


@pytest.mark.slow
def test_packaged_reranker_puts_the_passage_about_the_claim_first_among_same_topic_ones(tmp_path, settings_factory):
    from factcheck.pipeline import Workspace, index_sources
    from factcheck.relevance import RelevanceReranker

    settings = settings_factory(reranker="packaged:factcheck-reranker")
    source = tmp_path / "s.jsonl"
    rows = [
        ("grok-pricing", "Azure AI Foundry pricing", "Grok 3 costs $3 per million input tokens in Azure AI Foundry. "
         "Grok 3 mini costs less."),
        ("grok-host", "Microsoft and xAI", "Microsoft said on Monday that it will host xAI's Grok 3 and Grok 3 mini "
         "models in Azure AI Foundry."),
        ("grok-train", "xAI", "xAI trained Grok 3 on its Colossus cluster in Memphis, which has 200,000 GPUs."),
        ("openai", "Microsoft and OpenAI", "Microsoft has invested about $13 billion in OpenAI since 2019."),
    ]
    source.write_text("".join(json.dumps({"id": i, "title": t, "text": x}) + "\n" for i, t, x in rows))
    ws = Workspace(settings)
    index_sources(settings, [str(source)], ws=ws)
    assert isinstance(ws.retriever.reranker, RelevanceReranker)
    top = ws.retriever.retrieve(["Microsoft will host Grok 3 in its Azure cloud.",
                                 "How many GPUs did xAI use to train Grok 3?",
                                 "Microsoft put $13 billion into OpenAI."], 2)
    assert [hits[0].source_id for hits in top] == ["grok-host", "grok-train", "openai"]
    scorer = ws.retriever.reranker.scorer
    [related, unrelated] = scorer.score([("Microsoft will host Grok 3.", rows[1][1] + ". " + rows[1][2]),
                                         ("Microsoft will host Grok 3.", rows[3][1] + ". " + rows[3][2])])
    assert related > unrelated
