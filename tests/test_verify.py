from factcheck.baseline import BaselineVerifier
from factcheck.cues import mismatches, quantities, years
from factcheck.records import Hit, Label, Stance
from factcheck.verify import PassageStance, aggregate


def hit(pid, text, dense=0.8):
    return Hit(pid, f"src-{pid}", text, 0.1, dense, 1.0)


def test_cues_read_money_years_and_negation():
    assert quantities("Microsoft invested $13 billion in OpenAI") == {13e9}
    assert quantities("a catalog of 1,900 models") == {1900.0}
    assert years("founded in 2023, launched in 2025") == {2023, 2025}
    assert mismatches("It raised $50 billion", "It raised $13 billion") == ["number [50000000000.0] vs [13000000000.0]"]
    assert mismatches("Founded in 2021.", "Founded in 2023.") == ["year [2021] vs [2023]"]
    assert mismatches("The deal is exclusive.", "The deal is not exclusive.") == ["negation"]
    assert mismatches("Grok 3 has 1,900 models in 2025.", "Grok 3 has 1,900 models in 2025.") == []


def test_aggregate_one_strong_support_is_enough():
    verdict = aggregate([PassageStance(hit(1, "a"), 0.9, 0.0), PassageStance(hit(2, "b"), 0.1, 0.0)])
    assert verdict.label is Label.SUPPORTED and verdict.confidence == 0.9
    assert verdict.evidence[0].passage_id == 1 and verdict.evidence[0].stance is Stance.SUPPORTS


def test_aggregate_conflict_keeps_both_sides_and_lowers_confidence():
    verdict = aggregate([PassageStance(hit(1, "a"), 0.2, 0.0), PassageStance(hit(2, "b"), 0.9, 0.0),
                         PassageStance(hit(3, "c"), 0.0, 0.7)])
    assert verdict.label is Label.SUPPORTED and verdict.confidence < 0.9
    assert [e.passage_id for e in verdict.evidence[:2]] == [2, 3]
    assert verdict.evidence[1].stance is Stance.REFUTES


def test_aggregate_weak_evidence_is_not_enough_info():
    verdict = aggregate([PassageStance(hit(1, "a"), 0.3, 0.2)])
    assert verdict.label is Label.NOT_ENOUGH_INFO and 0.0 <= verdict.confidence <= 1.0
    assert aggregate([]).label is Label.NOT_ENOUGH_INFO


def test_baseline_supports_refutes_and_abstains():
    verifier = BaselineVerifier()
    passage = ("Microsoft has invested about $13 billion in OpenAI since 2019. "
               "The Azure AI Foundry catalog holds more than 1,900 models.")
    claims = ["Microsoft has invested $13 billion in OpenAI.", "Microsoft has invested $50 billion in OpenAI.",
              "Apple released a folding phone in Brazil."]
    hits = [[hit(1, passage, 0.85)], [hit(1, passage, 0.85)], [hit(1, passage, 0.1)]]
    labels = [v.label for v in verifier.verify(claims, hits)]
    assert labels == [Label.SUPPORTED, Label.REFUTED, Label.NOT_ENOUGH_INFO]


def test_baseline_confidence_is_a_probability():
    verdicts = BaselineVerifier().verify(["x"], [[hit(1, "y", 0.99)]])
    assert 0.0 <= verdicts[0].confidence <= 1.0


class FakeScorer:
    """Entails when the passage contains the claim's last word, contradicts on 'not'."""

    name, version = "fake", "0"

    def score(self, pairs):
        import numpy as np

        rows = []
        for claim, text in pairs:
            if " not " in f" {text} ":
                rows.append([0.05, 0.05, 0.9])
            elif claim.split()[-1].strip(".") in text:
                rows.append([0.9, 0.05, 0.05])
            else:
                rows.append([0.1, 0.8, 0.1])
        return np.array(rows)


def test_nli_verifier_scores_sentences_and_quotes_the_decisive_one():
    from factcheck.verify import NLIVerifier

    passage = "Microsoft held its Build conference. The deal is exclusive. Prices were announced."
    [verdict] = NLIVerifier(FakeScorer()).verify(["The deal is exclusive."], [[hit(1, passage)]])
    assert verdict.label is Label.SUPPORTED and verdict.evidence[0].quote == "The deal is exclusive."
    [refuted] = NLIVerifier(FakeScorer()).verify(["It is exclusive."], [[hit(2, "It is not exclusive. Fine.")]])
    assert refuted.label is Label.REFUTED and refuted.evidence[0].quote == "It is not exclusive."


def test_stance_reranker_puts_decisive_passages_first():
    from factcheck.retrieve import StanceReranker

    hits = [hit(1, "Weather was fine. Nothing else."), hit(2, "The deal is not exclusive."),
            hit(3, "Background. The deal is exclusive.")]
    order = [h.passage_id for h in StanceReranker(FakeScorer()).rerank("The deal is exclusive.", hits)]
    assert order[-1] == 1 and set(order[:2]) == {2, 3}
