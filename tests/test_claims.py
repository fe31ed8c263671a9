from factcheck.claims import SentenceClaimExtractor, checkworthiness
from factcheck.records import Document

ARTICLE = (
    "Microsoft will host xAI's Grok 3 models in Azure AI Foundry. Is this the end of exclusivity? "
    "This is a brilliant move. \"Honestly, I'm thrilled,\" one developer said. "
    "The catalog now holds more than 1,900 models. Subscribe to our newsletter for more."
)


def test_extracts_factual_sentences_with_spans_and_skips_the_rest():
    claims = SentenceClaimExtractor().extract(Document("a1", "t", ARTICLE))
    assert [c.text for c in claims] == ["Microsoft will host xAI's Grok 3 models in Azure AI Foundry.",
                                        "The catalog now holds more than 1,900 models."]
    for claim in claims:
        assert ARTICLE[claim.start:claim.end] == claim.text
        assert claim.article_id == "a1"


def test_claim_keys_are_stable_across_runs_and_differ_between_claims():
    first = SentenceClaimExtractor().extract(Document("a1", "t", ARTICLE))
    second = SentenceClaimExtractor().extract(Document("a1", "t", ARTICLE))
    assert [c.key for c in first] == [c.key for c in second]
    assert len({c.key for c in first}) == len(first)


def test_checkworthiness_orders_facts_above_opinions():
    assert checkworthiness("Nvidia reported revenue of $44 billion in the quarter.") > 0.5
    assert checkworthiness("I think this is the best phone ever made.") < 0.5
    assert checkworthiness("Will regulators approve the deal?") == 0.0


def test_must_with_a_deadline_is_an_order_not_an_opinion():
    assert checkworthiness("Member states must designate their market authorities by August 2, 2025.") >= 0.5
    assert checkworthiness("The Commission said Orchard must open its app store within six months.") >= 0.5
    assert checkworthiness("Apple must do better on privacy, critics say.") < 0.5


def test_article_without_claims_gives_none():
    doc = Document("a2", "t", "What a week! Subscribe to our newsletter. I think we should all relax.")
    assert SentenceClaimExtractor().extract(doc) == []
