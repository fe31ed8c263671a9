"""The shipped verifier (packaged:factcheck-verifier) loads offline and scores tech-news pairs."""
import dataclasses
import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from factcheck.crossencoder import PACKAGED_MODELS, CrossEncoderScorer, _label_columns, resolve_model  # noqa: E402
from factcheck.errors import ConfigError  # noqa: E402

ENT, NEU, CON = 0, 1, 2

SUPPORTED = (
    "Apple released the iPhone 15 in September 2023.",
    "The iPhone 15 was released by Apple in September 2023.",
)
NUMBER_CONTRADICTED = (
    "Microsoft invested $13 billion in OpenAI.",
    "Microsoft has invested $50 billion in OpenAI, according to people familiar with the deal.",
)
NUMBER_MATCHED = (
    "Microsoft invested $13 billion in OpenAI.",
    "Microsoft has invested $13 billion in OpenAI, according to people familiar with the deal.",
)
DATE_CONTRADICTED = (
    "Elon Musk completed his acquisition of Twitter in 2021.",
    "Elon Musk completed his $44 billion acquisition of Twitter in October 2022.",
)
UNRELATED = (
    "Nvidia's market value passed $3 trillion in June 2024.",
    "Intel said it would cut about 15,000 jobs as part of a cost-reduction plan.",
)

_present = pytest.mark.skipif(not (PACKAGED_MODELS["factcheck-verifier"] / "config.json").is_file(),
                              reason="shipped verifier weights not present")


def needs_model(test):
    """Tests that load the shipped model (about 5-20 s on 2 shared cores)."""
    return pytest.mark.slow(_present(test))


def retrieved(passage_id: int, claim: str, text: str):
    """A retrieved passage with the retrieval cosine the packaged MiniLM gives it (`Hit.dense`)."""
    from factcheck.pipeline import load_embedder
    from factcheck.records import Hit
    from factcheck.settings import PACKAGED_EMBEDDER

    vectors = load_embedder(PACKAGED_EMBEDDER, 32).embed([claim, text])
    return Hit(passage_id, f"src-{passage_id}", text, 0.1, float(vectors[0] @ vectors[1]), 1.0)


@pytest.fixture(scope="module")
def scorer() -> CrossEncoderScorer:
    return CrossEncoderScorer("packaged:factcheck-verifier", threads=2)


@needs_model
def test_loads_offline_with_calibration(scorer):
    assert os.environ["HF_HUB_OFFLINE"] == "1"
    assert scorer.name == "crossencoder:packaged:factcheck-verifier"
    assert scorer.version
    assert scorer.temperature > 0
    assert scorer.columns == [0, 1, 2]


@needs_model
def test_rows_are_probabilities_in_input_order(scorer):
    pairs = [SUPPORTED, NUMBER_CONTRADICTED, DATE_CONTRADICTED, UNRELATED]
    probs = scorer.score(pairs)
    assert probs.shape == (4, 3)
    assert np.all(probs >= 0)
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, atol=1e-6)
    reversed_probs = scorer.score(pairs[::-1])
    np.testing.assert_allclose(reversed_probs[::-1], probs, atol=1e-5)
    assert scorer.score([]).shape == (0, 3)


@needs_model
def test_supported_pair(scorer):
    assert scorer.score([SUPPORTED])[0].argmax() == ENT


@needs_model
def test_contradicted_by_a_number(scorer):
    assert scorer.score([NUMBER_CONTRADICTED])[0].argmax() == CON


@needs_model
def test_contradicted_by_a_date(scorer):
    assert scorer.score([DATE_CONTRADICTED])[0].argmax() == CON


@needs_model
def test_changed_number_moves_probability_towards_contradiction(scorer):
    contradicted, matched = scorer.score([NUMBER_CONTRADICTED, NUMBER_MATCHED])
    assert contradicted[CON] > matched[CON]
    assert matched[ENT] > contradicted[ENT]


@needs_model
def test_unrelated_pair_is_neutral(scorer):
    assert scorer.score([UNRELATED])[0].argmax() == NEU


def test_missing_model_path_raises_config_error(tmp_path: Path):
    missing = tmp_path / "no-such-verifier"
    with pytest.raises(ConfigError, match="no-such-verifier") as info:
        CrossEncoderScorer(str(missing))
    assert str(missing) in str(info.value)
    assert "\n" not in str(info.value)


def test_relative_missing_path_raises_config_error():
    with pytest.raises(ConfigError, match="models/nope"):
        resolve_model("./models/nope")


def test_unknown_packaged_model_raises_config_error():
    with pytest.raises(ConfigError, match="packaged:nope"):
        resolve_model("packaged:nope")


def test_hub_name_is_accepted_as_plausible():
    assert resolve_model("cross-encoder/nli-deberta-v3-small") == ("cross-encoder/nli-deberta-v3-small", False)


def test_label_mapping_follows_id2label():
    # cross-encoder/nli-* models: 0 contradiction, 1 entailment, 2 neutral
    assert _label_columns({0: "contradiction", 1: "entailment", 2: "neutral"}) == [1, 2, 0]
    assert _label_columns({"0": "ENTAILMENT", "1": "NEUTRAL", "2": "CONTRADICTION"}) == [0, 1, 2]
    with pytest.raises(ConfigError):
        _label_columns({0: "negative", 1: "positive"})


@needs_model
def test_shipped_verifier_decides_tech_news_claims(scorer):
    """The whole verifier (model, number/year cues, calibration) on one passage per claim."""
    from factcheck.records import Hit, Label
    from factcheck.verify import NLIVerifier

    verifier = NLIVerifier(scorer)
    cases = [(SUPPORTED, Label.SUPPORTED), (NUMBER_CONTRADICTED, Label.REFUTED),
             (DATE_CONTRADICTED, Label.REFUTED), (UNRELATED, Label.NOT_ENOUGH_INFO)]
    verdicts = verifier.verify([claim for (claim, _), _ in cases],
                               [[Hit(n, f"s{n}", passage, 0.1, 0.8, 1.0)] for n, ((_, passage), _) in enumerate(cases)])
    assert [v.label for v in verdicts] == [label for _, label in cases]
    assert all(0.0 <= v.confidence <= 1.0 for v in verdicts)
    assert verifier.calibration is not None and "-th0.5" in verifier.version


@needs_model
def test_bf16_logits_do_not_depend_on_the_pairs_scored_alongside():
    # Under bf16 the CPU kernels round differently for different tensor shapes; fixed batch shapes keep a pair's
    # logits the same alone, in any company and in any order, so a recheck does not flip a claim near a threshold.
    from tests.conftest import EXAMPLES
    from factcheck.text import split_sentences

    text = " ".join(path.read_text() for path in sorted((EXAMPLES / "sources").iterdir())[:3])
    sentences = [text[a:b] for a, b in split_sentences(text)][:24]
    claims = [c for c, _ in (SUPPORTED, NUMBER_CONTRADICTED, DATE_CONTRADICTED)]
    pairs = [(claims[n % 3], " ".join(sentences[n:n + 1 + n % 4])) for n in range(len(sentences))]
    bf16 = CrossEncoderScorer("packaged:factcheck-verifier", threads=2, precision="bf16")
    together = bf16.logits(pairs)
    rng = np.random.default_rng(0)
    for _ in range(3):
        some = rng.choice(len(pairs), size=int(rng.integers(2, len(pairs))), replace=False)
        assert np.array_equal(bf16.logits([pairs[n] for n in some]), together[some])
    assert np.array_equal(np.vstack([bf16.logits([pair]) for pair in pairs[:6]]), together[:6])


@needs_model
def test_unknown_precision_is_a_config_error():
    with pytest.raises(ConfigError, match="precision"):
        CrossEncoderScorer(str(PACKAGED_MODELS["factcheck-verifier"]), precision="fp8")


def test_compact_weights_round_trip_closely():
    import torch

    from factcheck.compact import WORD_EMBEDDINGS, load_state_dict, save_state_dict

    torch.manual_seed(0)
    state = {WORD_EMBEDDINGS: torch.randn(50, 8), "bert.encoder.dense.weight": torch.randn(16, 8),
             "bert.encoder.dense.bias": torch.randn(16)}
    import tempfile
    with tempfile.TemporaryDirectory() as tmp:
        path = save_state_dict(state, Path(tmp) / "w.safetensors")
        loaded = load_state_dict(path, state[WORD_EMBEDDINGS])
    assert set(loaded) == set(state) and torch.equal(loaded[WORD_EMBEDDINGS], state[WORD_EMBEDDINGS])
    for name in ("bert.encoder.dense.weight", "bert.encoder.dense.bias"):
        assert torch.allclose(loaded[name], state[name], atol=0.02 * state[name].abs().max().item())
    # groups of weights with a scale each: closer still (outliers only spoil their own group)
    state["bert.encoder.dense.weight"][:, 0] *= 20
    with tempfile.TemporaryDirectory() as tmp:
        rows = load_state_dict(save_state_dict(state, Path(tmp) / "r.safetensors"), state[WORD_EMBEDDINGS])
        groups = load_state_dict(save_state_dict(state, Path(tmp) / "g.safetensors", group=4), state[WORD_EMBEDDINGS])
    error = {name: (got["bert.encoder.dense.weight"] - state["bert.encoder.dense.weight"])[:, 4:].abs().max().item()
             for name, got in (("rows", rows), ("groups", groups))}
    assert error["groups"] < error["rows"] / 5


def test_compact_weights_are_the_same_bytes_every_time(tmp_path):
    """A training run that reproduces a model reproduces its file, so its recorded sha256 can be compared."""
    import subprocess
    import sys

    script = ("import sys, torch; from factcheck.compact import save_state_dict; torch.manual_seed(0); "
              "save_state_dict({'bert.encoder.dense.weight': torch.randn(16, 8), 'bert.encoder.dense.bias': "
              "torch.randn(16)}, sys.argv[1], group=4)")
    paths = [tmp_path / f"w{n}.safetensors" for n in range(6)]
    for path in paths:          # separate processes: the hash seeds that used to reorder the metadata differ
        subprocess.run([sys.executable, "-c", script, str(path)], check=True)
    assert len({path.read_bytes() for path in paths}) == 1


@needs_model
def test_the_shipped_verifier_takes_a_restatement_it_reads_as_neutral_for_support(tmp_path):
    """The product's verifier (settings' defaults, real MiniLM cosines): the small model reads this restatement as
    neutral (about 0.3 / 0.5 / 0.2); the restatement cue (`FACTCHECK_VERIFIER_RESTATE`) takes it for support. The
    sentence on another perk shares the airline, the class and the routes, but too little else for the relatedness
    cue (0.54 against 0.55)."""
    from factcheck.pipeline import make_verifier
    from factcheck.records import Hit, Label
    from factcheck.settings import Settings

    claim = "Northwind Air passengers flying business class will get free in-flight Wi-Fi on routes longer than six hours."
    restated = ("Northwind Air will offer complimentary in-flight Wi-Fi to business-class passengers on routes of more "
                "than six hours.")
    other_fact = "Northwind Air will offer complimentary lounge access to business-class passengers on all routes."
    hits = [[retrieved(1, claim, restated)], [retrieved(2, claim, other_fact)]]
    verifier = make_verifier(Settings(home=tmp_path))
    assert "-rest0.8" in verifier.version
    supported, other = verifier.verify([claim, claim], hits)
    assert supported.label is Label.SUPPORTED and supported.evidence[0].quote == restated
    assert other.label is not Label.SUPPORTED
    # Without it (and without the relatedness cue, which also takes so close a restatement), the model's reading stands.
    [off] = make_verifier(Settings(home=tmp_path, verifier_restate=0, verifier_related=0)).verify([claim], hits[:1])
    assert off.label is Label.NOT_ENOUGH_INFO


def test_a_sentence_the_model_is_torn_on_counts_for_the_claim_when_the_cues_find_nothing_changed(tmp_path):
    """The session-8 model read this near-verbatim restatement as 0.49 support and 0.43 contradiction: under 0.5 both
    ways, so it decided nothing. It uses half of the claim's own words and every figure, so the torn cue calls it
    support; with the coupon changed, the figure mismatch keeps it from supporting. The shipped verifier (tuned on
    our claim sets in session 25) reads it as support outright; a scorer with the old reading shows the cue."""
    from factcheck.pipeline import make_verifier, verifier_options
    from factcheck.records import Label
    from factcheck.settings import Settings
    from factcheck.verify import NLIVerifier

    claim = "Marlow Grid's green bond pays a fixed annual coupon of 3.875 percent."
    changed = "Marlow Grid's green bond pays a fixed annual coupon of 4.125 percent."
    sentence = "The ten-year notes carry a fixed annual coupon of 3.875% and mature in March 2036."
    # The passage's document names the firm (a passage naming none of the claim's names decides nothing).
    hits = [[dataclasses.replace(retrieved(1, claim, sentence), title="Marlow Grid prices its first green bond")]]
    verifier, without = make_verifier(Settings(home=tmp_path)), make_verifier(Settings(home=tmp_path, verifier_torn=0))
    assert verifier.version != without.version       # stored verdicts tell the two apart
    [supported, refuted] = verifier.verify([claim, changed], hits * 2)
    assert supported.label is Label.SUPPORTED and supported.evidence[0].quote == sentence
    assert refuted.label is not Label.SUPPORTED

    class Torn:
        name, version = "torn", "0"

        def score(self, pairs):
            return np.array([[0.49, 0.08, 0.43]] * len(pairs))

    with_cue = NLIVerifier(Torn(), **verifier_options(Settings(home=tmp_path)))
    off_cue = NLIVerifier(Torn(), **verifier_options(Settings(home=tmp_path, verifier_torn=0)))
    [torn, torn_changed] = with_cue.verify([claim, changed], hits * 2)
    assert torn.label is Label.SUPPORTED and torn_changed.label is not Label.SUPPORTED
    [off] = off_cue.verify([claim], hits)
    assert off.label is Label.NOT_ENOUGH_INFO


@needs_model
def test_the_shipped_verifier_takes_a_quote_that_states_the_claim_for_support(tmp_path):
    """The product's verifier (settings' defaults), with the retrieval cosine the packaged MiniLM gives: the small
    model reads a first-person quote of the claim's statement as neutral (about 0.2 / 0.7 / 0.1). It covers half of
    the claim's words in a passage retrieval finds close, so the relatedness cue (`FACTCHECK_VERIFIER_RELATED`) takes
    it for support; with the speaker's figure changed, the mismatch keeps it from supporting."""
    from factcheck.pipeline import make_verifier
    from factcheck.records import Label
    from factcheck.settings import Settings

    claim = "Helmi Varanto, chief executive of Norrfjord Data, said the outage was not caused by a cyberattack."
    changed = "Helmi Varanto, chief executive of Norrfjord Data, said the outage hit 40,000 customers."
    passage = ('"This was not a cyberattack," chief executive Helmi Varanto told reporters in Oslo on Monday. '
               '"The outage hit 30,000 customers and a faulty storage update caused it."')
    hits = [[retrieved(1, claim, passage)], [retrieved(1, changed, passage)]]
    assert hits[0][0].dense > 0.7
    verifier, without = make_verifier(Settings(home=tmp_path)), make_verifier(Settings(home=tmp_path, verifier_related=0))
    assert verifier.version != without.version       # stored verdicts tell the two apart
    supported, refuted = verifier.verify([claim, changed], hits)
    assert supported.label is Label.SUPPORTED and supported.evidence[0].quote.startswith('"This was not a cyberattack')
    assert refuted.label is not Label.SUPPORTED

    # The shipped verifier (tuned on our claim sets in session 25) reads the quote as support by itself; with the
    # session-8 model's neutral reading, only the relatedness cue takes it for support.
    from factcheck.pipeline import verifier_options
    from factcheck.verify import NLIVerifier

    class Neutral:
        name, version = "neutral", "0"

        def score(self, pairs):
            return np.array([[0.2, 0.7, 0.1]] * len(pairs))

    [related, related_changed] = NLIVerifier(Neutral(), **verifier_options(Settings(home=tmp_path))).verify(
        [claim, changed], hits)
    assert related.label is Label.SUPPORTED and related_changed.label is not Label.SUPPORTED
    [off] = NLIVerifier(Neutral(), **verifier_options(Settings(home=tmp_path, verifier_related=0))).verify([claim], hits[:1])
    assert off.label is Label.NOT_ENOUGH_INFO


def test_a_currency_sign_is_set_apart_from_its_figure_for_the_model():
    """BERT's tokenizer splits "$" from a figure but not "€" or "£" (symbols, not punctuation): "€148" would be read
    as "€", "##14", "##8". The cross-encoders read `model_text`, where the figure keeps its own tokens."""
    from transformers import AutoTokenizer

    from factcheck.crossencoder import model_text

    assert model_text("valued at €148 million, or 148€") == "valued at € 148 million, or 148 €"
    assert model_text("a £38.5m machine for ₹500 crore") == "a £ 38.5m machine for ₹ 500 crore"
    assert model_text("$5 billion, C$55 and € 5") == "$5 billion, C$55 and € 5"     # nothing to set apart
    tokenizer = AutoTokenizer.from_pretrained(str(PACKAGED_MODELS["factcheck-verifier"]))
    assert "148" not in tokenizer.tokenize("€148 million") and "148" in tokenizer.tokenize(model_text("€148 million"))


@needs_model
def test_the_verifier_reads_a_figure_after_a_euro_sign_as_the_same_figure(scorer):
    """The shipped verifier with a figure in euros written two ways: contradiction before `model_text`."""
    claim = "The leasing agreement between Trelvix and Ombra Logistics is worth 148 million euros over its full term."
    evidence = "The agreement is valued at €148 million over its full term and is the largest contract in its history."
    assert scorer.score([(claim, evidence)])[0].argmax() != CON
    assert scorer.version.split("-th")[0].endswith("-sp1")
