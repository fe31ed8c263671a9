import pytest

from factcheck.baseline import BaselineVerifier
from factcheck.cues import mismatches, names, quantities, years
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


def test_names_and_their_variants():
    from factcheck.cues import name_variants, names

    assert names("SEATTLE, May 19 - Microsoft will host xAI's Grok 3 and Grok 3 mini models in Azure AI Foundry.") == [
        ("SEATTLE",), ("Microsoft",), ("xAI",), ("Grok", "3"), ("Grok", "3", "mini"),
        ("Azure", "AI", "Foundry")]
    assert names("On HumanEval, Lumen-2 236B scores 87.1.") == [("HumanEval",), ("Lumen-2", "236B")]
    assert names("On GSM8K Lumen-2 236B scores 91.2.") == [("GSM8K",), ("Lumen-2", "236B")]
    assert names("The Galaxy S24 Ultra and iPhone 15 Pro sold well.") == [("Galaxy", "S24", "Ultra"), ("iPhone", "15", "Pro")]
    assert mismatches("On GSM8K Lumen-2 236B scores 91.2.", "On GSM8K grade-school math, Lumen-2 236B scores 91.2.") == []
    # The cases: a product named as another variant of it.
    assert mismatches("Grok 3 mini is aimed at demanding enterprise work.",
                      "Grok 3 is aimed at demanding tasks such as coding.") == ["name 'Grok 3 mini' vs 'Grok 3'"]
    assert mismatches("Grok 3 is the smaller model.", "Grok 3 mini is the smaller model.") == [
        "name 'Grok 3' vs 'Grok 3 mini'"]
    assert name_variants("Lumen-1 scored 76.5 on MMLU.", "Lumen-2 236B scored 84.1 on MMLU.") == [("Lumen-1", "Lumen-2 236B")]
    assert name_variants("The T40 ships in 2025.", "The T50 ships in 2025.") == [("T40", "T50")]
    # One name said in full or in short, or mentioned beside its variant, is no mismatch.
    assert name_variants("Tessellate shares fell.", "Tessellate Semiconductor shares fell.") == []
    assert name_variants("Musk appeared by video.", "Elon Musk appeared by prerecorded video.") == []
    assert name_variants("Microsoft hosts Grok 3 mini.", "Microsoft hosts xAI's Grok 3 and Grok 3 mini models.") == []
    assert name_variants("Microsoft hosts Grok 3 mini.", "The company hosts both models.") == []   # not mentioned
    assert name_variants("Developers reached Grok through xAI's API.", "Grok 3 is offered through xAI's API.") == []


def test_amounts_family_names_and_the_claims_own_variants_are_no_name_mismatch():
    from factcheck.cues import name_variants, names

    # An amount after a name is not part of it (this claim was read as naming "Driftnote 187").
    assert names("The regulator fined Driftnote 187 million euros.") == [("Driftnote",)]
    assert names("It fined Driftnote 34% more.") == [("Driftnote",)]
    assert names("Sorrel 9 Pro sold well.") == [("Sorrel", "9", "Pro")]
    assert mismatches("The regulator fined Driftnote 187 million euros.", "It fined Driftnote \u20ac187 million.") == []
    # The company's bare name is no variant of its product: "Sorrel" tells nothing against "Sorrel 9".
    assert name_variants("The Sorrel 9 gets seven years of updates.", "Sorrel promised seven years of updates.") == []
    # A variant the claim names itself is its comparison, not another product.
    claim = "The Sorrel 9 gets seven years of updates, two more than the Sorrel 8 got."
    assert name_variants(claim, "Sorrel promised seven years of updates, up from five for the Sorrel 8.") == []
    # "version 9.0" after a name is that name's variant, not a figure.
    fork = "Contributors announced Selkie, a fork of RuvaneDB 8.6.2 that stays under the Apache License 2.0."
    assert name_variants("Selkie is a fork of RuvaneDB version 9.0.", fork) == [("RuvaneDB 9.0", "RuvaneDB 8.6.2")]
    assert mismatches("Selkie is a fork of RuvaneDB version 8.6.2.", fork) == []
    # ... and a variant the claim does not name still is one.
    assert name_variants("The Sorrel 9 gets seven years of updates.", "The Sorrel 8 got five years of updates.") == [
        ("Sorrel 9", "Sorrel 8")]


def test_bounds_and_estimates_in_a_claim_are_met_by_the_figures_they_describe():
    from factcheck.cues import figures_agree, figures_missing

    evidence = "Networking revenue rose 64 percent to $3.91 billion."
    assert mismatches("Networking revenue rose more than 60 percent.", evidence) == []
    # Only against a contradiction: before support, "more than" may be a threshold ("plans above $55 a month").
    assert mismatches("Networking revenue rose more than 60 percent.", evidence, bounds=False) != []
    assert not figures_agree("Networking revenue rose by more than 60 percent.", evidence)
    assert mismatches("Networking revenue rose by more than 70 percent.", evidence) == ["number [70.0] vs [64.0, 3910000000.0]"]
    assert mismatches("Networking revenue was about $4 billion.", evidence) == []
    assert mismatches("Networking revenue was about $4.5 billion.", evidence) != []   # rounds to the last digit
    assert mismatches("Networking revenue rose less than 50 percent.", evidence) != []
    assert not figures_missing("The company has nearly 2,000 employees.", "It has about 1,850 employees.")
    assert figures_missing("The company has 2,000 employees.", "It has about 1,850 employees.")


def test_days_of_the_month_are_compared_as_dates_not_figures():
    # "March 10" is no figure against "4 hours and 9 minutes" ...
    assert mismatches("The March 10 outage lasted a little over four hours.",
                      "In total, customer-facing impact lasted 4 hours and 9 minutes.") == []
    # ... but another day of the month is another date.
    assert mismatches("The validator was updated on March 10.", "The validator was updated on March 9.") == [
        "date [(3, 10)] vs [(3, 9)]"]
    # Another month is another date, whatever the day (the names' heads differ, so no variant check saw it).
    assert mismatches("Ruvane announced the licence change on February 21, 2026.",
                      "Ruvane announced on January 21, 2026 that RuvaneDB will move to the Business Source License; "
                      "RuvaneDB 8.6, released on December 9, 2025, stays under Apache 2.0.") == [
        "date [(2, 21)] vs [(1, 21), (12, 9)]"]
    # A day written before its month is the same date ("30 June 2026" is "June 30, 2026"), not the figure 30.
    shutdown = "Quillfeather will shut down Glimmerlane on June 30, 2026, ending a four-year bet on streaming."
    assert mismatches("Glimmerlane will stop operating on 30 June 2026.", shutdown) == []
    assert mismatches("Glimmerlane will stop operating on 20 June 2026.", shutdown) == ["date [(6, 20)] vs [(6, 30)]"]
    assert mismatches("The permit was issued on the 18th of February.", "The DMV granted the permit on February 18.") == []


def test_a_number_joined_to_a_name_by_a_hyphen_is_not_a_quantity():
    from factcheck.cues import figures_agree

    assert quantities("PD-1 triggering reduces IL-10 production") == set()
    assert quantities("miR-142-5P is a temperature-sensitive microRNA") == set()
    assert quantities("Lumen-2 8B scores 68.3 on a 20-year-old test, 3-4 times faster") == {8e9, 68.3, 20.0, 3.0, 4.0}
    # Two proteins, two names: not a changed figure (SciFact dev; the cue called it a refutation).
    assert mismatches("The sliding activity of kinesin-8 protein Kip3 promotes bipolar spindle assembly.",
                      "In conjunction with Cin8, a kinesin-5 family member, the sliding activity of Kip3 promotes "
                      "bipolar spindle assembly.") == []
    # A drug's name is no figure to agree on: the model's contradiction ("decreasing" against "increased") stands.
    assert not figures_agree("V-9302 inhibits antitumor responses by decreasing cell death.",
                             "Blockade of ASCT2 with V-9302 resulted in increased cell death and antitumor responses.")
    # ... and the name's number no longer hides a changed figure (the 2 of "Lumen-2" matched on both sides).
    assert mismatches("Lumen-2 has 8 billion parameters.", "Lumen-2 has 9 billion parameters.") == [
        "number [8000000000.0] vs [9000000000.0]"]


def test_a_number_that_ends_a_name_is_no_figure_to_compare():
    # "Grok 3" against "200,000 GPUs" is no changed figure (the cue called this true example claim refuted).
    claim = "Grok 3 was trained on Colossus, xAI's supercomputer in Memphis, Tennessee."
    evidence = ("The company trained the model on Colossus, a supercomputer it built in Memphis, Tennessee, "
                "which xAI says was later expanded to around 200,000 GPUs.")
    assert mismatches(claim, evidence) == []
    assert quantities("Windows 11 has 500 million users", names_too=False) == {500e6}
    assert quantities("Lumen-2 8B scored 68.3 on May 19 for USD 500", names_too=False) == {68.3, 19.0, 500.0}
    assert quantities("Grok 3 and Lumen-2 8B") == {3.0, 8e9}       # still numbers where names count
    # The name's figure still tells two products apart, as a name.
    assert mismatches("Grok 3 is the smaller model.", "Grok 2 is the smaller model.") == ["name 'Grok 3' vs 'Grok 2'"]


def test_a_figure_after_an_estimate_word_that_opens_a_sentence_or_quote_is_a_figure():
    # Capitalised at the start of a quote, "About" had made "About 30,000" a name, so the figure was not compared
    # and the paraphrase cue took the model's contradiction for support.
    claim = "Helmi Varanto, chief executive of Norrfjord Data, said about 40,000 customers lost service during the outage."
    quote = ('"About 30,000 customers lost service during the outage," chief executive Helmi Varanto told reporters '
             'in Oslo on Monday.')
    assert mismatches(claim, quote) == ["number [40000.0] vs [30000.0]"]
    assert mismatches(claim.replace("40,000", "30,000"), quote) == []
    assert names("Nearly 40 staff left. Roughly 12 sites closed.") == []
    assert quantities('"About 300 jobs go," he said; Pixel 9 ships.', names_too=False) == {300.0}


def test_words_of_change_that_point_the_other_way_are_a_mismatch():
    from factcheck.cues import direction, figures_agree

    assert direction("Revenue rose 38 percent") == 1 and direction("Tessellate shares fell 4 percent") == -1
    assert direction("Revenue was up 5 percent while margins declined") == 0
    assert direction("Fines of up to 35 million euros") == 0 and direction("It lists 1,900 models") == 0
    claim = "Revenue from PC and gaming chips grew 6 percent to $1.3 billion."
    evidence = "Revenue from PC and gaming chips fell 6 percent to $1.3 billion."
    assert mismatches(claim, evidence) == ["direction"]
    assert not figures_agree(claim, evidence)          # the same figures, the other way
    assert figures_agree(claim, evidence.replace("fell", "rose"))
    # Comparisons point a way too, where no word of change does; a word of change outweighs them.
    assert direction("Prices in Lima will be about 6 percent lower than in its US regions") == -1
    assert direction("The deal will be accretive to earnings") == 1 and direction("It will dilute earnings") == -1
    assert direction("Net profit fell 4%, which it blamed on higher research spending") == -1
    assert direction("It will appeal to the Vienna Higher Regional Court") == 0
    assert mismatches("Prices in Lima will be about 6 percent lower than in Kelvane's US regions.",
                      "Prices in Lima will be about 6 percent higher than in Kelvane's US regions.") == ["direction"]


def test_a_passage_without_the_claims_figures_does_not_support_it():
    from factcheck.cues import figures_missing
    from factcheck.verify import NLIVerifier

    claim = "Tessellate employs about 26,000 people worldwide."
    revenue = "Tessellate reported revenue of $9.4 billion, up 38 percent from a year earlier."
    assert figures_missing(claim, revenue)
    assert not figures_missing(claim, "The company has 26,000 employees.")
    assert not figures_missing("xAI released Grok 3 in 2025.", "xAI released it this year.")   # a name's, a year
    assert not figures_missing("Microsoft announced it on May 19, 2025.", "Microsoft announced it on Monday.")  # a day

    class Supporting:
        name, version = "supporting", "0"

        def score(self, pairs):
            import numpy as np

            return np.array([[0.9, 0.05, 0.05]] * len(pairs))

    [missing, stated] = NLIVerifier(Supporting()).verify([claim, claim], [[hit(1, revenue)],
                                                                          [hit(2, "It has 26,000 employees.")]])
    assert missing.label is Label.NOT_ENOUGH_INFO and stated.label is Label.SUPPORTED


def test_a_related_sentence_restates_the_claim_unless_a_detail_differs():
    from factcheck.verify import coverage, related_restatement, relatedness

    claim = "Helmi Varanto, chief executive of Norrfjord Data, said the outage was not caused by a cyberattack."
    quote = '"This was not a cyberattack," chief executive Helmi Varanto told reporters in Oslo on Monday.'
    assert coverage(claim, quote) == pytest.approx(5 / 10)       # helmi varanto chief execut cyberattack
    assert relatedness(claim, quote, 0.77) == pytest.approx(0.5 * 0.77 + 0.5 * 0.5)
    assert relatedness(claim, quote, None) == pytest.approx(0.5)  # no retrieval cosine: the coverage alone
    assert related_restatement(claim, quote, 0.77, 0.55)
    assert not related_restatement(claim, quote, 0.5, 0.55)       # a passage retrieval finds less close
    assert not related_restatement(claim.replace("was not", "was"), quote, 0.77, 0.55)        # negation differs
    assert not related_restatement("Helmi Varanto said 40,000 customers lost service.",
                                   '"30,000 customers lost service," Helmi Varanto said.', 0.9, 0.55)


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


def test_a_sentence_of_two_overlapping_passages_is_scored_once_and_cited_from_the_higher_ranked():
    import numpy as np

    from factcheck.verify import NLIVerifier

    class NoisyScorer(FakeScorer):
        """Scores a pair a little differently each time, as batches do; counts what it is asked."""
        asked: list = []

        def score(self, pairs):
            self.asked.extend(pairs)
            noise = np.linspace(0.0, 1e-4, len(pairs)).reshape(-1, 1)        # later copies score higher
            return super().score(pairs) + noise * [[0, 0, 1]]

    shared = "Lumen Labs is not a large employer."
    hits = [Hit(22, "model-card", f"Post-training used RL. {shared}", 0.1, 0.8, 1.0),      # one source,
            Hit(21, "model-card", f"{shared} It was trained on 4,096 GPUs.", 0.1, 0.8, 1.0)]  # two windows
    [verdict] = NLIVerifier(NoisyScorer()).verify(["Lumen Labs has about 85 employees."], [hits])
    assert len(NoisyScorer.asked) == len(set(NoisyScorer.asked)) == 3       # the shared sentence once
    assert verdict.label is Label.REFUTED and verdict.evidence[0].quote == shared
    assert verdict.evidence[0].passage_id == 22                              # the passage ranked first
    assert [e.quote for e in verdict.evidence].count(shared) == 1


class BothFactsScorer:
    """Entails when the evidence holds both 'budgeted' and 'now expected', contradicts when it holds both
    'budgeted' and 'scrapped'; else neutral."""

    name, version = "both-facts", "0"

    def score(self, pairs):
        import numpy as np

        return np.array([[0.05, 0.05, 0.9] if "budgeted" in text and "scrapped" in text else
                         [0.9, 0.05, 0.05] if "budgeted" in text and "now expected" in text else
                         [0.1, 0.8, 0.1] for _, text in pairs])


def test_two_consecutive_sentences_support_a_claim_that_needs_both_only_with_windows():
    from factcheck.verify import NLIVerifier

    claim = "The Harlow Bridge project's cost has risen."
    passage = ("The Harlow Bridge project was first budgeted at $850 million. "
               "It is now expected to cost $1.1 billion. Work starts in May.")
    [alone] = NLIVerifier(BothFactsScorer(), cues=False).verify([claim], [[hit(1, passage)]])
    assert alone.label is Label.NOT_ENOUGH_INFO
    [windowed] = NLIVerifier(BothFactsScorer(), cues=False, windows="support").verify([claim], [[hit(1, passage)]])
    assert windowed.label is Label.SUPPORTED
    assert windowed.evidence[0].quote == passage[:passage.index(" Work")]        # the two sentences, exactly
    assert NLIVerifier(BothFactsScorer(), windows="support").version.endswith("-win2s")
    # "strict": the two sentences each give a part of the claim (0.4 and 0.2 of its words, 0.6 together) ...
    [strict] = NLIVerifier(BothFactsScorer(), cues=False, windows="strict").verify([claim], [[hit(1, passage)]])
    assert strict.label is Label.SUPPORTED
    # ... but a window whose second sentence adds none of the claim's words supports nothing.
    unrelated = ("The Harlow Bridge project's cost was first budgeted at $850 million. "
                 "Officials now expected a vote in May.")
    [loose] = NLIVerifier(BothFactsScorer(), cues=False, windows="support").verify([claim], [[hit(3, unrelated)]])
    [tight] = NLIVerifier(BothFactsScorer(), cues=False, windows="strict").verify([claim], [[hit(3, unrelated)]])
    assert (loose.label, tight.label) == (Label.SUPPORTED, Label.NOT_ENOUGH_INFO)
    # With "support" a window never refutes; with "both" it may.
    scrapped = [[hit(2, "The Harlow Bridge project was budgeted at $850 million. The council scrapped it in May.")]]
    [support_only] = NLIVerifier(BothFactsScorer(), cues=False, windows="support").verify([claim], scrapped)
    [both] = NLIVerifier(BothFactsScorer(), cues=False, windows="both").verify([claim], scrapped)
    assert (support_only.label, both.label) == (Label.NOT_ENOUGH_INFO, Label.REFUTED)
    with pytest.raises(ValueError, match="windows must be"):
        NLIVerifier(BothFactsScorer(), windows="sentences")


class SubtractingScorer:
    """Reads a contradiction wherever the evidence gives a figure (small models cannot subtract); else neutral."""

    name, version = "subtracting", "0"

    def score(self, pairs):
        import numpy as np

        return np.array([[0.3, 0.1, 0.6] if "litres" in text else [0.1, 0.8, 0.1] for _, text in pairs])


def test_a_figure_worked_out_from_two_consecutive_sentences_supports_only_with_derived_windows():
    from factcheck.verify import NLIVerifier

    claim = "The Ferrow authority granted Nimbral Data 0.8 million litres a day less than the company had applied for."
    passage = ("The Ferrow authority's decision allows Nimbral Data to abstract up to 1.2 million litres a day. "
               "Nimbral Data had applied for 2.0 million litres a day. The permit runs for ten years.")
    [alone] = NLIVerifier(SubtractingScorer(), agree_overlap=0.6).verify([claim], [[hit(1, passage)]])
    assert alone.label is not Label.SUPPORTED
    derived = NLIVerifier(SubtractingScorer(), agree_overlap=0.6, windows="derived")
    [windowed] = derived.verify([claim], [[hit(1, passage)]])
    assert windowed.label is Label.SUPPORTED
    assert windowed.evidence[0].quote == passage[:passage.index(" The permit")]      # the two sentences, exactly
    # The passage refutes more strongly (its first sentence gives another figure) but is cited for its support.
    assert windowed.evidence[0].stance is Stance.SUPPORTS and windowed.evidence[0].score == pytest.approx(0.78)
    assert derived.version.endswith("-win2d") and NLIVerifier(SubtractingScorer(), windows="strict").version.endswith("-win2t")
    # Another difference is no worked-out figure: the window is not even scored.
    [wrong] = derived.verify([claim.replace("0.8 million", "0.6 million")], [[hit(1, passage)]])
    assert wrong.label is not Label.SUPPORTED
    assert NLIVerifier(SubtractingScorer(), agree_overlap=0.6, windows="derived", cues=False).verify([claim], [[hit(1, passage)]])[0].label \
        is not Label.SUPPORTED        # the window is the cues' work
    # The relevance reranker cannot subtract either: a passage it finds off the claim still supports it through a
    # worked-out figure (cues 18; other support stays gated:
    # `test_relevance_gate_lets_passages_count_only_as_far_as_the_reranker_finds_them_about_the_claim`).
    import dataclasses

    gated = NLIVerifier(SubtractingScorer(), agree_overlap=0.6, windows="derived", relevance_gate=(-5.0, -1.0),
                        relevance_sides="support")
    for relevance in (-4.0, -6.0):        # the gate would keep a quarter, nothing
        [kept] = gated.verify([claim], [[dataclasses.replace(hit(1, passage), relevance=relevance)]])
        assert kept.label is Label.SUPPORTED and kept.evidence[0].score == pytest.approx(0.78)


def test_stance_reranker_puts_decisive_passages_first():
    from factcheck.retrieve import StanceReranker

    hits = [hit(1, "Weather was fine. Nothing else."), hit(2, "The deal is not exclusive."),
            hit(3, "Background. The deal is exclusive.")]
    order = [h.passage_id for h in StanceReranker(FakeScorer()).rerank("The deal is exclusive.", hits)]
    assert order[-1] == 1 and set(order[:2]) == {2, 3}
    claims = ["The deal is exclusive.", "Weather was fine.", "Nothing."]
    many = StanceReranker(FakeScorer()).rerank_many(claims, [hits, hits[::-1], []])
    assert many == [StanceReranker(FakeScorer()).rerank(c, h) for c, h in zip(claims, [hits, hits[::-1], []])]
    assert [h.passage_id for h in many[0]] == order and many[2] == []


class TopicScorer:
    """Entails every pair that shares the claim's first word: a model blind to figures."""

    name, version = "topic", "0"

    def score(self, pairs):
        import numpy as np

        return np.array([[0.9, 0.05, 0.05] if claim.split()[0] in text else [0.05, 0.9, 0.05]
                         for claim, text in pairs])


def test_number_and_year_cues_turn_a_blind_entailment_into_refutation():
    from factcheck.verify import NLIVerifier, cue_adjusted

    claim = "Microsoft invested $13 billion in OpenAI in 2023."
    [with_cues] = NLIVerifier(TopicScorer()).verify([claim], [[hit(1, "Microsoft invested $50 billion in OpenAI in 2023.")]])
    [without] = NLIVerifier(TopicScorer(), cues=False).verify([claim], [[hit(1, "Microsoft invested $50 billion in OpenAI in 2023.")]])
    assert with_cues.label is Label.REFUTED and without.label is Label.SUPPORTED
    [same] = NLIVerifier(TopicScorer()).verify([claim], [[hit(1, "Microsoft invested $13 billion in OpenAI in 2023.")]])
    assert same.label is Label.SUPPORTED
    assert cue_adjusted("Grok 3 launched in 2025.", "Grok 3 launched in 2024.", 0.9, 0.05) == pytest.approx((0.18, 0.77))
    assert cue_adjusted("Grok 3 launched in 2025.", "Weather in 2024.", 0.05, 0.05) == (0.05, 0.05)  # off topic


def test_verdict_calibration_is_a_monotone_probability():
    from factcheck.verify import VerdictCalibration

    cal = VerdictCalibration(0.6, decided=(0.5, -0.3), nei=(2.0, 0.4))
    for label in Label:
        values = [cal.apply(label, x) for x in (0.0, 0.2, 0.5, 0.8, 1.0)]
        assert all(0.0 <= v <= 1.0 for v in values) and values == sorted(values)
    assert VerdictCalibration.from_record(cal.to_record()) == cal


def test_fit_verdict_calibration_picks_the_threshold_that_separates_the_labels():
    from factcheck.training import fit_verdict_calibration, macro_f1
    from factcheck.verify import NLIVerifier

    class Graded:
        name, version = "graded", "0"

        def score(self, pairs):  # support = the number in the passage
            import numpy as np

            return np.array([[float(text.split()[-1]), 1 - float(text.split()[-1]), 0.0] for _, text in pairs])

    claims = [f"claim {i}" for i in range(40)]
    strengths = [0.9 if i % 2 else 0.6 for i in range(40)]   # gold SUPPORTED only for the 0.9 ones
    hits = [[hit(i, f"evidence {s}")] for i, s in enumerate(strengths)]
    gold = ["SUPPORTED" if s > 0.8 else "NOT_ENOUGH_INFO" for s in strengths]
    calibration, report = fit_verdict_calibration(NLIVerifier(Graded(), cues=False), claims, hits, gold)
    assert 0.6 < calibration.threshold <= 0.9 and report["macro_f1_at_threshold"] == 1.0
    verdicts = NLIVerifier(Graded(), cues=False, calibration=calibration).verify(claims, hits)
    assert macro_f1(gold, [v.label.value for v in verdicts]) == 1.0
    assert all(0.5 < v.confidence <= 1.0 for v in verdicts)  # all right, so confident


def test_figures_agree_when_the_evidence_gives_every_figure_of_the_claim():
    from factcheck.cues import figures_agree

    multi = "On MMLU, Lumen-2 236B scores 84.1 and Lumen-2 8B scores 68.3."
    assert figures_agree("Lumen-2 8B scores 68.3 on MMLU.", multi)
    assert figures_agree("The deal was signed in 2025 for $13 billion.", "In 2025 it signed the $13 billion deal.")
    assert not figures_agree("Lumen-2 8B scores 70.1 on MMLU.", multi)                     # a figure missing
    assert not figures_agree("The deal was not signed in 2025.", "The deal was signed in 2025.")  # polarity
    assert not figures_agree("Grok 3 mini is the larger model.", "Grok 3 is the larger model.")  # a name, no figure


class ContradictingScorer:
    """Calls every pair a contradiction: the small-model habit the gates correct."""

    name, version = "contra", "0"

    def score(self, pairs):
        import numpy as np

        return np.array([[0.05, 0.05, 0.9]] * len(pairs))


def test_agreeing_figures_turn_a_blind_contradiction_into_support():
    from factcheck.verify import NLIVerifier

    claim, evidence = "Lumen-2 8B scores 68.3 on MMLU.", "On MMLU, Lumen-2 236B scores 84.1 and Lumen-2 8B scores 68.3."
    [agreeing] = NLIVerifier(ContradictingScorer(), agree_overlap=0.6).verify([claim], [[hit(1, evidence)]])
    [off] = NLIVerifier(ContradictingScorer()).verify([claim], [[hit(1, evidence)]])
    assert agreeing.label is Label.SUPPORTED and off.label is Label.REFUTED
    [other] = NLIVerifier(ContradictingScorer(), agree_overlap=0.6).verify(
        ["Lumen-2 8B scores 70.1 on MMLU."], [[hit(1, evidence)]])
    assert other.label is Label.REFUTED   # another figure: the contradiction stands


def test_a_close_paraphrase_with_no_mismatch_counts_as_support():
    from factcheck.embed import HashEmbedder
    from factcheck.verify import NLIVerifier

    claim = "Tessellate shares fell 4 percent in after-hours trading."
    restated = "Tessellate shares fell 4 percent in after-hours trading following the results."
    changed = "Tessellate shares fell 6 percent in after-hours trading following the results."
    verifier = NLIVerifier(ContradictingScorer(), similarity=HashEmbedder(256), paraphrase=0.85)
    [paraphrase, other_figure] = verifier.verify([claim, claim], [[hit(1, restated)], [hit(2, changed)]])
    assert paraphrase.label is Label.SUPPORTED and other_figure.label is Label.REFUTED
    assert "-para0.85" in verifier.version
    [off] = NLIVerifier(ContradictingScorer()).verify([claim], [[hit(1, restated)]])
    assert off.label is Label.REFUTED
    [far] = NLIVerifier(ContradictingScorer(), similarity=HashEmbedder(256), paraphrase=0.99).verify([claim], [[hit(1, restated)]])
    assert far.label is Label.REFUTED


class NeutralScorer:
    """A pair scorer that reads every pair as neutral, as the small model does with many paraphrases."""

    name, version = "neutral", "0"

    def score(self, pairs):
        import numpy as np

        return np.array([[0.3, 0.6, 0.1]] * len(pairs))


def test_a_close_restatement_the_model_calls_neutral_counts_as_support():
    from factcheck.embed import HashEmbedder
    from factcheck.verify import NLIVerifier

    claim = "The carrier includes satellite texting at no extra cost on plans above $55 a month."
    restated = "The carrier includes satellite texting at no extra cost on all plans above $55 a month, it said."
    changed = "The carrier includes satellite texting at no extra cost on all plans above $65 a month, it said."
    elsewhere = "Satellite texting is popular with hikers."
    verifier = NLIVerifier(NeutralScorer(), similarity=HashEmbedder(256), restate=0.8)
    [supported, other_figure, unrelated] = verifier.verify(
        [claim] * 3, [[hit(1, restated)], [hit(2, changed)], [hit(3, elsewhere)]])
    assert supported.label is Label.SUPPORTED and supported.evidence[0].quote == restated
    assert other_figure.label is Label.NOT_ENOUGH_INFO and unrelated.label is Label.NOT_ENOUGH_INFO
    assert "-rest0.8" in verifier.version
    [off] = NLIVerifier(NeutralScorer(), similarity=HashEmbedder(256)).verify([claim], [[hit(1, restated)]])
    assert off.label is Label.NOT_ENOUGH_INFO
    [far] = NLIVerifier(NeutralScorer(), similarity=HashEmbedder(256), restate=0.999).verify([claim], [[hit(1, restated)]])
    assert far.label is Label.NOT_ENOUGH_INFO
    [no_cues] = NLIVerifier(NeutralScorer(), similarity=HashEmbedder(256), restate=0.8, cues=False).verify(
        [claim], [[hit(1, restated)]])
    assert no_cues.label is Label.NOT_ENOUGH_INFO


def test_a_long_verifier_version_is_bounded_to_the_column_and_still_tells_verifiers_apart():
    from factcheck.embed import HashEmbedder
    from factcheck.verify import VERSION_CHARS, NLIVerifier, bounded_version

    class HubScorer(NeutralScorer):
        version = "0123456789abcdef0123456789abcdef01234567-T1.29-bf16-" + "x" * 200   # a hub model's long version

    options = dict(similarity=HashEmbedder(64), similarity_gate=(0.25, 0.45), agree_overlap=0.6,
                   paraphrase=0.85, restate=0.8, relevance_gate=(-5, -1), relevance_sides="support")
    long = NLIVerifier(HubScorer(), **options).version
    other = NLIVerifier(HubScorer(), **{**options, "restate": 0.75}).version
    assert len(long) == len(other) == VERSION_CHARS and long != other
    assert long.startswith(HubScorer.version + "-cues") and bounded_version(long) == long
    assert bounded_version("short") == "short"
    from factcheck.schema import VerdictRow

    assert VerdictRow.__table__.c.verifier_version.type.length == VERSION_CHARS


def test_similarity_gate_ignores_contradictions_from_sentences_about_something_else():
    from factcheck.embed import HashEmbedder
    from factcheck.verify import NLIVerifier, similarity_ramp

    claim = "The power purchase agreement runs for 20 years."
    unrelated, restated = "Revenue from PC and gaming chips fell 6 percent.", "The power purchase agreement runs for 15 years."
    ramp = similarity_ramp(HashEmbedder(256), [(claim, unrelated), (claim, restated), (claim, claim)], 0.25, 0.45)
    assert ramp[0] == 0.0 and ramp[1] == 1.0 and ramp[2] == 1.0
    gated = NLIVerifier(ContradictingScorer(), similarity=HashEmbedder(256), similarity_gate=(0.25, 0.45))
    [ignored, refuted] = gated.verify([claim, claim], [[hit(1, unrelated)], [hit(2, restated)]])
    assert ignored.label is Label.NOT_ENOUGH_INFO and refuted.label is Label.REFUTED
    assert "simgate0.25-0.45" in gated.version   # recorded with each verdict
    # Without the gate the model's contradiction stands (the cues would cap it: the sentence's figure measures another
    # thing, `cues.other_measure`).
    [ungated] = NLIVerifier(ContradictingScorer(), cues=False).verify([claim], [[hit(1, unrelated)]])
    assert ungated.label is Label.REFUTED


def test_gate_and_agreement_cue_come_from_the_settings(tmp_path):
    from pydantic import ValidationError

    from factcheck.pipeline import verifier_options
    from factcheck.settings import Settings

    settings = Settings(home=tmp_path, verifier_gate_model="hash:64")
    assert settings.gate_bounds == (0.25, 0.45) and settings.verifier_agree_overlap == 0.6
    options = verifier_options(settings)
    assert options["similarity_gate"] == (0.25, 0.45) and options["similarity"].dim == 64
    assert options["agree_overlap"] == 0.6 and options["paraphrase"] == 0.85 and options["restate"] == 0.8
    assert options["relevance_gate"] == (-5.0, -1.0) and options["relevance_sides"] == "support"
    assert options["words"] == (0.0, 0.25) and options["torn"] == 0.3 and options["related"] == 0.55
    assert options["windows"] == "derived"
    off = verifier_options(Settings(home=tmp_path, verifier_gate="off", verifier_agree_overlap=0,
                                    verifier_paraphrase=0, verifier_restate=0, verifier_relevance_gate="off",
                                    verifier_words_gate="off", verifier_torn=0, verifier_related=0,
                                    verifier_windows="off"))
    assert off == {"similarity": None, "similarity_gate": None, "agree_overlap": None, "paraphrase": None,
                   "restate": None, "relevance_gate": None, "relevance_sides": "support", "words": None, "torn": None,
                   "related": None, "windows": None}
    assert verifier_options(Settings(home=tmp_path, verifier_gate_model="hash:64",
                                     verifier_windows="support"))["windows"] == "support"
    with pytest.raises(ValidationError, match="verifier_windows"):
        Settings(home=tmp_path, verifier_windows="sentences")
    paraphrase_only = verifier_options(Settings(home=tmp_path, verifier_gate="off", verifier_gate_model="hash:64"))
    assert paraphrase_only["similarity"].dim == 64 and paraphrase_only["paraphrase"] == 0.85
    with pytest.raises(ValidationError, match="verifier_relevance_gate_sides"):
        Settings(home=tmp_path, verifier_relevance_gate_sides="refute")
    assert verifier_options(Settings(home=tmp_path, verifier_gate_model="hash:64",
                                     verifier_relevance_gate="-4, 0"))["relevance_gate"] == (-4.0, 0.0)
    with pytest.raises(ValidationError, match="verifier_relevance_gate needs low <= high"):
        Settings(home=tmp_path, verifier_relevance_gate="2,-2")
    for bad in ("0.5", "high,low", "0.6,0.2"):
        with pytest.raises(ValidationError, match="verifier_gate"):
            Settings(home=tmp_path, verifier_gate=bad)
    for bad in ("0.2", "0.4,0.1", "-0.1,0.3", "0.5,1.5"):
        with pytest.raises(ValidationError, match="verifier_words_gate"):
            Settings(home=tmp_path, verifier_words_gate=bad)


def test_a_contradiction_counts_only_as_far_as_the_sentence_uses_the_claims_own_words():
    from factcheck.verify import NLIVerifier, own_words, words_gate

    claim = "Korsvik Telecom's credit facility for its 5G spectrum payment is worth 1 billion Danish kroner."
    assert own_words(claim) == {"credit", "facil", "spectrum", "payment", "worth", "kroner"}
    # Another fact of the same company: the names are shared, the claim's own words hardly.
    other = "Korsvik Telecom won the largest block in Denmark's latest auction, ahead of rivals Nordlys Mobil."
    paid = "Korsvik Telecom paid 2.7 billion Danish kroner for the largest block of spectrum in the auction."
    restated = "Korsvik Telecom's credit facility for its spectrum payment is worth 1.5 billion Danish kroner."
    assert words_gate(claim, other, 0.0, 0.25) == 0.0
    assert words_gate(claim, paid, 0.0, 0.5) == pytest.approx((2 / 6) / 0.5)    # spectrum, kroner
    assert words_gate(claim, restated, 0.0, 0.25) == 1.0
    assert words_gate("Grok 3 mini ships in 2025.", "Grok 3 mini shipped in 2025.", 0.0, 0.25) == 1.0   # "ship"
    assert words_gate("Sorrel 9 at 749.", "Other text.", 0.0, 0.25) == 1.0       # names and figures alone: no gate
    gated = NLIVerifier(ContradictingScorer(), words=(0.0, 0.5))
    [weak, refuted] = gated.verify([claim, claim], [[hit(1, other)], [hit(2, restated)]])
    assert weak.label is Label.NOT_ENOUGH_INFO and refuted.label is Label.REFUTED
    assert "-words0-0.5" in gated.version
    [ungated] = NLIVerifier(ContradictingScorer()).verify([claim], [[hit(1, other)]])
    assert ungated.label is Label.REFUTED


def test_relevance_gate_lets_passages_count_only_as_far_as_the_reranker_finds_them_about_the_claim():
    import dataclasses

    from factcheck.verify import NLIVerifier

    claim = "The deal is exclusive."
    on_topic, off_topic = "The deal is exclusive.", "Another deal is exclusive."   # FakeScorer entails both
    hits = [[dataclasses.replace(hit(1, off_topic), relevance=-5.0)],
            [dataclasses.replace(hit(2, off_topic), relevance=-2.0)],
            [dataclasses.replace(hit(3, on_topic), relevance=1.0)], [hit(4, off_topic)]]
    gated = NLIVerifier(FakeScorer(), relevance_gate=(-4.0, 0.0))
    low, half, high, unscored = gated.verify([claim] * 4, hits)
    assert low.label is Label.NOT_ENOUGH_INFO           # 0.9 support x 0: the reranker says it is off the claim
    assert half.label is Label.NOT_ENOUGH_INFO          # 0.9 x 0.5 = 0.45, under the 0.5 threshold
    assert high.label is Label.SUPPORTED and unscored.label is Label.SUPPORTED   # unscored passages count in full
    assert "relgate-4-0" in gated.version
    [plain] = NLIVerifier(FakeScorer()).verify([claim], [hits[0]])
    assert plain.label is Label.SUPPORTED
    # Support only: a refutation from a passage the reranker ranks low still counts (the similarity gate judges it).
    refuting = [dataclasses.replace(hit(5, "The deal is not exclusive."), relevance=-5.0)]
    support_only = NLIVerifier(FakeScorer(), relevance_gate=(-4.0, 0.0), relevance_sides="support")
    [kept] = support_only.verify([claim], [refuting])
    [both] = gated.verify([claim], [refuting])
    assert kept.label is Label.REFUTED and both.label is Label.NOT_ENOUGH_INFO
    [weak] = support_only.verify([claim], [hits[0]])
    assert weak.label is Label.NOT_ENOUGH_INFO and "relsup-4-0" in support_only.version
    with pytest.raises(ValueError, match="relevance_sides"):
        NLIVerifier(FakeScorer(), relevance_sides="refute")


def test_overlapping_passages_do_not_cite_one_sentence_twice():
    from factcheck.verify import NLIVerifier

    # Windows of three sentences moving by two share a sentence, as the indexed passages do.
    first = Hit(1, "src", "Build opened in Seattle. Prices were announced. The deal is exclusive.", 0.3, 0.8, 1.0)
    second = Hit(2, "src", "The deal is exclusive. Nothing else was said. Shares rose.", 0.2, 0.7, 1.0)
    other = Hit(3, "wire", "Reporters said the deal is exclusive.", 0.1, 0.6, 1.0)
    [verdict] = NLIVerifier(FakeScorer(), max_evidence=3).verify(["The deal is exclusive."], [[first, second, other]])
    assert verdict.label is Label.SUPPORTED
    assert [(e.source_id, e.quote) for e in verdict.evidence] == [
        ("src", "The deal is exclusive."), ("wire", "Reporters said the deal is exclusive.")]
    assert verdict.evidence[0].passage_id == 1   # the passage ranked first keeps the quote


def test_a_torn_reading_of_a_sentence_that_changes_nothing_counts_as_support():
    from factcheck.verify import cue_adjusted

    claim = "Laid-off Halvern workers in Canada get 12 weeks of base pay plus one extra week for every year of service."
    same = "Employees in Canada who lose their jobs will receive 12 weeks of base pay plus one additional week for each year of service."
    support, refute = cue_adjusted(claim, same, 0.48, 0.45, torn=0.3)
    assert support == pytest.approx(0.48 + 0.36) and refute == pytest.approx(0.09)
    assert cue_adjusted(claim, same, 0.48, 0.45) == (0.48, 0.45)                       # off by default
    assert cue_adjusted(claim, same, 0.48, 0.2, torn=0.3) == (0.48, 0.2)              # not torn
    # A changed figure is a mismatch: the cue leaves it (and the figure cue moves support to refutation).
    other = same.replace("12 weeks", "16 weeks")
    support, refute = cue_adjusted(claim, other, 0.48, 0.45, torn=0.3)
    assert support < 0.48 and refute > 0.45
    # A sentence that shares the names and figures but few of the claim's own words is left to the model.
    assert cue_adjusted(claim, "Halvern cut 12 jobs in Canada, one in every year.", 0.4, 0.4, torn=0.3) == (0.4, 0.4)


def test_another_name_in_a_restatement_of_the_claim_counts_against_it():
    from factcheck.cues import swapped_names
    from factcheck.verify import cue_adjusted

    claim = "Bellhaven Regional Medical Center in Indiana diverted ambulances for about 36 hours after the attack."
    ohio = ("Hospitals switched to paper charts, and at least one, Bellhaven Regional Medical Center in Ohio, diverted "
            "ambulances to nearby facilities for about 36 hours after the attack.")
    indiana = ohio.replace("Ohio", "Indiana")
    assert swapped_names(claim, ohio) and not swapped_names(claim, indiana)
    # A name said in short is the same name, and a capitalised word that opens the sentence is no name.
    assert not swapped_names("Murmur employees in the United States get 16 weeks of pay.",
                             "Employees in the United States who lose their jobs get 16 weeks of pay.")
    assert not swapped_names("Wardline Health Software paid the ransom.", "Wardline said it paid the ransom.")
    support, refute = cue_adjusted(claim, ohio, 0.3, 0.1)         # the model reads it as neutral
    assert refute > 0.5 and support < 0.1
    assert cue_adjusted(claim, indiana, 0.3, 0.1) == (0.3, 0.1)
    # A sentence that only shares some of the claim's words is about something else: left to the model.
    other = "Bellhaven Regional Medical Center in Ohio diverted ambulances last year."
    assert cue_adjusted(claim, other, 0.3, 0.1) == (0.3, 0.1)


def test_a_sentence_saying_the_detail_was_not_given_does_not_refute_a_claim_that_gives_it():
    from factcheck.cues import undisclosed
    from factcheck.verify import cue_adjusted

    silent = "Analysts expect savings, although Murmur has not said how much it expects to save annually."
    assert undisclosed(silent) and undisclosed("The vendor, which it did not name, is in Asia.")
    assert undisclosed("Voltaris declined to comment on whether it plans price cuts.")
    assert not undisclosed("Wardline has not paid and does not intend to pay the ransom.")
    assert undisclosed("The company did not break out subscriber numbers by country.")
    assert undisclosed("A cycle rating for the standard Vessa cell was not included in the announcement.")
    assert cue_adjusted("Murmur expects its reorganisation to save about $250 million a year.", silent, 0.05, 0.8) == (0.05, 0.2)
    # A claim about what was not disclosed is left to the model.
    assert cue_adjusted("Murmur has not said how much the reorganisation will save.", silent, 0.7, 0.2) == (0.7, 0.2)


def test_numbers_written_as_words_are_figures():
    from factcheck.cues import figures_agree, mismatches, quantities, spelled_numbers

    assert spelled_numbers("fined twenty-seven million euros") == "fined 27 million euros"
    assert quantities("The hub uses twelve drones") == {12.0}
    assert quantities("every six weeks for two years") == {6.0, 2.0}
    # A duration in months is read in years: "24 months" is "two years".
    assert quantities("every six months") == {0.5} and not mismatches("It offers two years of cover.", "It offers 24 months of cover.")
    # "one" is a figure only before a scale word; fractions and hundreds stay words.
    assert quantities("one of the models") == set() and quantities("one million users") == {1e6}
    assert quantities("two thirds of staff") == set() and quantities("more than three hundred people") == {300.0}
    assert figures_agree("Orvane was fined twenty-seven million euros.", "Orvane was fined €27 million on Monday.")
    assert mismatches("Orvane must report every three months.", "Orvane must report every six months for two years.")
    # "passed" a figure is a bound, like "more than".
    assert not mismatches("Scribe has passed one million paid seats.", "Scribe had passed 1.1 million paid seats in April.")
    assert mismatches("Scribe has one million paid seats.", "Scribe had passed 1.1 million paid seats in April.")


def test_negation_counts_in_the_clause_that_states_the_claim():
    from factcheck.cues import mismatches, negated_clause

    evidence = ("The Corvel 48 reaches a gate fidelity of 99.7%, the company said; it has not published a target "
                "for the Corvel 96.")
    claim = "The Corvel 48 has a gate fidelity of 99.7 percent."
    assert not negated_clause(claim, evidence) and mismatches(claim, evidence) == []
    assert negated_clause("Corvel has published a target for the Corvel 96.", evidence)
    # One clause: the whole sentence.
    assert mismatches("Corvel is seeking a listing.", "He said Corvel was not seeking a listing.") == ["negation"]


def test_a_post_given_to_someone_else_counts_against_the_claim():
    from factcheck.cues import post_holder_swap
    from factcheck.verify import cue_adjusted

    claim = "Mirela Dancu is the chief executive of Quorra Systems."
    other = '"We grew faster than planned," Quorra chief executive Tobiah Lenz said on Tuesday.'
    assert post_holder_swap(claim, other)
    assert post_holder_swap("Mirela Dancu is Quorra's CTO.", "said Tobiah Lenz, Quorra's chief technology officer.")
    assert post_holder_swap("Mirela Dancu is Quorra's head of trust and safety.",
                            "said Tobiah Lenz, the company's head of trust and safety.")
    assert post_holder_swap("Mirela Dancu is Quorra University's director of research computing.",
                            "The remark was made by Dr. Tobiah Lenz, director of research computing at Quorra.")
    assert not post_holder_swap("Mirela Dancu is a director of the company.", "Tobiah Lenz, a director of the company, said")
    assert not post_holder_swap("Mirela Dancu is Quorra's director of research computing.",
                                "said Tobiah Lenz, Quorra's head of research computing.")     # not the same post
    assert post_holder_swap("Mirela Dancu chairs the Quorra steering committee.",
                            "The committee is chaired by Tobiah Lenz, a Quorra engineer.")
    # The same person, another post, another company's post, or a claim that is not about who holds the post.
    assert not post_holder_swap(claim, "said Mirela Dancu, Quorra's chief executive.")
    assert not post_holder_swap(claim, "Mirela Dancu, managing director of Halvek, said contracts help.")
    assert not post_holder_swap(claim, "Tobiah Lenz, chief executive of Halvek, said the deal was good.")
    assert not post_holder_swap(claim, "Halvek president Tobiah Lenz said the venture would help.")
    # Since cues 20 a quote's speaker named beside a firm's post counts too, where the evidence names that firm beside
    # the post it gives another person (one chief executive a firm).
    assert post_holder_swap("Quorra chief executive Mirela Dancu said demand was strong.", other)
    assert not post_holder_swap("Quorra chief executive Mirela Dancu said demand was strong.",
                                "Chief executive Tobiah Lenz said on Tuesday that the firm grew faster than planned.")
    assert not post_holder_swap(claim, "Vice president Tobiah Lenz said the chief executive was away.")
    assert not post_holder_swap(claim, "Tobiah Lenz, Quorra's former chief executive, said the board acted.")
    # A past holder is not refuted by today's.
    assert not post_holder_swap("Mirela Dancu was the chief executive of Quorra Systems.", other)
    support, refute = cue_adjusted(claim, other, 0.85, 0.1)       # the model reads the company and the post as support
    assert refute > 0.5 and support < 0.2


def test_another_post_given_to_the_claims_person_counts_against_the_claim():
    from factcheck.cues import post_changed
    from factcheck.verify import cue_adjusted

    claim = "Mirela Dancu is the chief executive of Quorra Systems."
    other = "Chief financial officer Mirela Dancu said gross margin would be roughly flat."
    assert post_changed(claim, other)
    assert post_changed(claim, "said Mirela Dancu, the company's chief technology officer.")
    # The claim's post among hers, a former post, another person's post, or a claim not about who holds a post.
    assert not post_changed(claim, "Chief executive Mirela Dancu said margins would hold.")
    assert not post_changed(claim, "Mirela Dancu, chief executive and chair, said margins would hold.")
    assert not post_changed(claim, "Former chief financial officer Mirela Dancu said margins would hold.")
    assert not post_changed(claim, "Chief financial officer Tobiah Lenz said Mirela Dancu would decide.")
    # Since cues 20 an attribution's post counts too: the speaker named beside another post than the evidence gives her
    # makes the claim false (the blind sets label such wrong roles REFUTED).
    assert post_changed("Quorra chief executive Mirela Dancu said demand was strong.", other)
    assert not post_changed("Quorra executive Mirela Dancu said demand was strong.", other)
    support, refute = cue_adjusted(claim, other, 0.3, 0.1)       # the model reads the person and the company as neutral
    assert refute > 0.5 and support < 0.1


def test_another_place_in_a_restatement_counts_against_the_claim_even_where_the_model_reads_support():
    from factcheck.cues import swapped_names, swapped_place
    from factcheck.verify import cue_adjusted

    claim = "Orvane's new battery factory will be built near Salamanca, Spain."
    other = "The cells will come from a new battery factory Orvane will build near Valladolid, Spain."
    assert swapped_place(claim, other) and not swapped_place(claim, other.replace("Valladolid", "Salamanca"))
    assert swapped_place("Kelvra is a Utrecht-based drone maker.", "Kelvra is a Eindhoven-based drone maker.")
    # A person swapped is no place, and a name inside a hyphenated word is given ("Zurich-based").
    assert not swapped_place("Kelvra chief Anna Berg said drones are cheap.", "Kelvra chief Otto Lind said drones are cheap.")
    assert not swapped_names("Kelvra is a Zurich-based startup.", "Kelvra, a Zurich-based AI startup, was founded in 2021.")
    support, refute = cue_adjusted(claim, other, 0.85, 0.1)
    assert refute > 0.5 and support < 0.2


def test_a_figure_is_compared_with_the_clause_that_states_the_claims_fact():
    from factcheck.cues import best_clause, figures_agree, mismatches

    both = ("Pelmora can read up to 256,000 tokens in one request, while Pelmora Lite has a context window of "
            "64,000 tokens.")
    claim = "Pelmora Lite has a context window of 256,000 tokens."
    assert best_clause(claim, both, figures=True).startswith("Pelmora Lite")
    assert mismatches(claim, both) == ["number [256000.0] vs [64000.0]"]
    assert not mismatches("Pelmora Lite has a context window of 64,000 tokens.", both)
    plans = "Kelvra charges €0.49 per kWh for pay-as-you-go customers, while subscribers to Kelvra Plus pay €0.36."
    assert not figures_agree("Subscribers to Kelvra Plus pay 0.49 euros per kWh.", plans)
    # A clause without a figure is not where a figure is compared: "led by Orsine" does not hide the changed amount.
    assert mismatches("Kelvra raised $142 million in a round led by Orsine.",
                      "Kelvra said it had raised $150 million; the round was led by Orsine Capital.")


def test_a_name_with_the_firm_before_the_product_is_compared_as_the_source_says_it():
    from factcheck.cues import name_variants

    # Claims name the firm before the product; sources say "the BX-60" (cues 10).
    assert name_variants("The Brisco BX-40 mower costs $900.", "The BX-60 costs $900.") == [("Brisco BX-40", "BX-60")]
    assert name_variants("The Brisco BX-40 mower costs $900.", "The BX-40 costs $900.") == []
    assert name_variants("The Brisco Tally 4 ships in May.", "The Tally 4 Pro ships in May.") == [
        ("Brisco Tally 4", "Tally 4 Pro")]
    # A comparison names both variants: neither is another product.
    claim = "The Brisco BX-60 mows 3 hectares an hour, against 2 hectares for the Brisco BX-40."
    assert name_variants(claim, "The BX-40 mows 2 hectares an hour, while the BX-60 mows 3 hectares an hour.") == []


def test_the_clause_that_gives_the_claims_figure_must_give_it_to_the_claims_variant():
    from factcheck.cues import figures_agree
    from factcheck.verify import cue_adjusted

    evidence = "The BX-70 sells for about $38,000, while the BX-40 costs $24,500."
    claim = "The Brisco BX-40 sells for about $38,000."
    assert mismatches(claim, evidence) == ["name 'Brisco BX-40' vs 'BX-70'"]
    assert not figures_agree(claim, evidence)
    assert mismatches("The Brisco BX-40 sells for about $24,500.", evidence) == []
    assert figures_agree("The Brisco BX-40 sells for about $24,500.", evidence)
    support, refute = cue_adjusted(claim, evidence, 0.8, 0.1)
    assert refute > support


def test_a_thing_the_evidence_puts_in_another_place_counts_against_the_claim():
    from factcheck.cues import moved_place
    from factcheck.verify import cue_adjusted

    evidence = "Tormelle, headquartered in Austin, is building its first assembly plant in Tucson, Arizona."
    claim = "Tormelle is building its first assembly plant in Austin, Texas."
    assert moved_place(claim, evidence)
    assert not moved_place(claim.replace("Austin, Texas", "Tucson, Arizona"), evidence)
    assert moved_place("Velbrook was founded in Leeds in 2016.", "Velbrook, founded in 2016 in York, makes drones.")
    # A list that holds the claim's place, a date and a code after "in" are no other place.
    assert not moved_place("The Tally 4 goes on sale in France on May 2.", "It goes on sale in Spain, France and Italy.")
    assert not moved_place("The Tally 4 goes on sale in France in May.", "The Tally 4 goes on sale in May in France.")
    assert not moved_place("Mice lacking Sirt1 in Sf1-expressing neurons gain weight.",
                           "Mice overexpressing SIRT1 in SF1 neurons resist weight gain.")
    # A sentence that names none of the claim's other names is about something else (another firm).
    assert not moved_place("Saarnio Systems is headquartered in Tampere.",
                           "Founded in 2011 and headquartered in Toronto, the company employs about 2,300 people.")
    assert moved_place("Saarnio Systems is headquartered in Tampere.", "Saarnio, headquartered in Toronto, employs 2,300.")
    support, refute = cue_adjusted(claim, evidence, 0.85, 0.05)
    assert refute > 0.5 and support < 0.2
    # Half of the claim's own words must be restated: a sentence on something else that happens to say "plant in".
    assert cue_adjusted("Tormelle is building its first assembly plant in Austin, Texas.",
                        "Its plant in Tucson will employ 300 people.", 0.1, 0.1) == (0.1, 0.1)


def test_a_range_states_its_scale_once_and_a_sentence_without_a_year_can_agree():
    from factcheck.cues import figures_agree, quantities

    assert quantities("It will cost between 14 and 18 million euros.") == {14e6, 18e6}
    assert quantities("from 1.5 to 2 billion dollars") == {1.5e9, 2e9}
    assert quantities("Grok 3 and 4 million users") == {3.0, 4e6}       # "and" makes a range only after "between"
    assert figures_agree("Bluvanta expects the outage to cost between 14 and 18 million euros.",
                         "Bluvanta estimated the cost at between \u20ac14 million and \u20ac18 million.")
    claim = "Mossgrove's net profit fell 4 percent to 212 million US dollars in the first quarter of 2026."
    assert figures_agree(claim, "Net profit for the three months ended March 31 fell 4 percent to 212 million US dollars.")
    assert not figures_agree(claim, "Net profit for 2025 fell 4 percent to 212 million US dollars.")


def test_hundreds_with_more_after_them_are_one_figure():
    from factcheck.cues import quantities

    assert quantities("Quorbit will pay one hundred and ninety million US dollars in cash.") == {190e6}
    assert quantities("It sold two hundred fifty-five drones.") == {255.0}
    assert quantities("Three hundred staff") == {300.0}
    assert not mismatches("Quorbit will pay one hundred and ninety million dollars in cash.",
                          "Quorbit will pay $190 million in cash.")


def test_a_figure_in_another_size_of_its_unit_is_the_same_figure():
    from factcheck.cues import quantities

    assert quantities("It weighs 1.92 kg.") == quantities("It weighs 1,920 grams.") == {1920.0}
    assert quantities("rated at 350 watts") == quantities("rated at 0.35 kilowatts")
    assert quantities("2 euro cents per gigabyte") == quantities("\u20ac0.020 per gigabyte")
    assert quantities("a 48-megawatt site") == {48e6}
    assert quantities("$5m") == {5e6} and quantities("5G phones") == set()    # single letters are no units here
    assert not mismatches("The Tessivo T9 Max is rated at 0.35 kilowatts.", "The Tessivo T9 Max is rated at 350 watts.")
    assert mismatches("The Tessivo T9 Max is rated at 0.5 kilowatts.", "The Tessivo T9 Max is rated at 350 watts.")
    # lengths, frequencies and data rates (cues 17); a pressure in millimetres of mercury is no length
    assert not mismatches("The plant will process 30-centimetre wafers.", "The plant will process 300-millimetre wafers.")
    assert mismatches("The plant will process 20-centimetre wafers.", "The plant will process 300-millimetre wafers.")
    assert quantities("speeds of 1.2 Gbps") == quantities("1,200 megabits per second") == {1.2e9}
    assert quantities("a 3-nanometre process") == quantities("a 3 nm process")
    assert quantities("120 mm Hg") == {120.0}


def test_a_sibling_s_figures_neither_support_nor_refute():
    from factcheck.cues import sibling_detail
    from factcheck.verify import SIBLING_CAP, cue_adjusted

    # The claim's figure given for another variant, or for another place, naming neither the claim's variant nor place.
    variant = ("The Harlowe RX-20X amplifier draws up to 45 watts.",
               "Its best-selling RX-20 amplifier, sold by four retailers, draws up to 45 watts.")
    place = ("Pennaway's delivery time in Peru is 3.5 days.", "In Chile, Pennaway says its delivery time is 3.5 days.")
    assert sibling_detail(*variant) and sibling_detail(*place)
    support, refute = cue_adjusted(*place, 0.1, 0.85)
    assert refute <= SIBLING_CAP and support <= SIBLING_CAP
    assert cue_adjusted(*variant, 0.85, 0.1)[0] <= SIBLING_CAP
    # Not where the sentence also names the claim's variant or place, gives another figure (the claim's thing's own,
    # perhaps), or turns the claim's direction: those are left to the model and the other checks.
    assert not sibling_detail("The Harlowe RX-20X sells for $420.", "The RX-20 sells for $420, while the RX-20X costs $510.")
    assert not sibling_detail("The standard Tessom 3 lasts up to 40 hours.",
                              "The smaller model lasts up to 22 hours, while the Tessom 3 Pro lasts up to 40 hours.")
    assert not sibling_detail("Pennaway's delivery time in Peru is 3.5 days.", "In Peru, delivery takes 3.5 days.")
    assert not sibling_detail("Prices in Kelvane Cloud's Lima region will be about 6 percent lower than in its US regions.",
                              "Prices in the Lima region will be about 6 percent higher than in Kelvane's US regions.")
    # A place right after a name is where that thing is: another place there refutes (a swap, not a sibling).
    assert not sibling_detail("The Corlan Data Centre in Oslo draws about 30 megawatts.",
                              "The Corlan Data Centre in Bergen draws about 30 megawatts.")
    # A month after "in" is no place.
    assert not sibling_detail("Pennaway's shipments in March reached 4,000 units.",
                              "In Chile, Pennaway's shipments reached 4,000 units.")
    # A day of the month is no figure of the claim's: "March 10" against a sentence on another region that day.
    assert not sibling_detail("The March 10 outage also hit Pennaway's region in Dublin.",
                              "On March 10, the outage hit its region in Frankfurt.")


def test_another_month_quarter_or_half_of_the_year_is_a_mismatch():
    from factcheck.cues import periods

    # A month without a day, a quarter and a half are compared like dates.
    assert mismatches("The Ferra-4 Heavy is scheduled to start shipping to customers in March 2026.",
                      "The Ferra-4 Heavy is scheduled to begin shipping to customers in September 2026.") == ["month [3] vs [9]"]
    assert mismatches("Deliveries are scheduled to begin in the first quarter of 2027.",
                      "Deliveries are scheduled to begin in the second quarter of 2027.") == ["quarter [1] vs [2]"]
    assert mismatches("Sales of the phone began in H2 2026.", "The phone goes on sale in the first half of 2026.") == [
        "half [2] vs [1]"]
    # The same period written another way agrees; a day of the claim's month is that month.
    assert mismatches("Revenue rose 8% in Q3.", "In the third-quarter, revenue rose 8%.") == []
    assert mismatches("The measures take effect in March 2026.", "The measures take effect on March 1.") == []
    # Another day of another month is one reason, not two.
    assert mismatches("The validator was updated on March 10.", "The validator was updated on April 10.") == [
        "date [(3, 10)] vs [(4, 10)]"]
    # A "Q4" that ends a name is no quarter, and "may" the verb is no month.
    assert periods("The Audi Q4 may ship in May.") == {"month": {5}, "quarter": set(), "half": set()}
    assert periods("Apple's Q2 revenue") == {"month": set(), "quarter": {2}, "half": set()}


def test_a_figure_worked_out_from_two_of_the_source_s_agrees():
    from factcheck.cues import derived_agree

    target = "Veidemann raised his price target on Corvessa to 48 euros from 39 euros and kept his buy rating."
    assert derived_agree("Analyst Jonas Veidemann raised his price target on Corvessa by 9 euros.", target)
    assert mismatches("Analyst Jonas Veidemann raised his price target on Corvessa by 9 euros.", target) == []
    # Another difference is still another figure, and a claim that asks for no working out gets none.
    assert not derived_agree("Analyst Jonas Veidemann raised his price target on Corvessa by 7 euros.", target)
    assert mismatches("Analyst Jonas Veidemann raised his price target on Corvessa by 7 euros.", target) != []
    assert mismatches("Veidemann's price target on Corvessa is 9 euros.", target) != []
    load = ("The Ferra-4 Heavy is designed to lift loads of up to 600 kilograms, compared with 150 kilograms for the "
            "standard Ferra-4.")
    assert derived_agree("The Ferra-4 Heavy can lift four times the maximum load of the standard Ferra-4.", load)
    assert not derived_agree("The Ferra-4 Heavy can lift three times the maximum load of the standard Ferra-4.", load)
    subscribers = "Lumeray had 58.4 million paid subscribers worldwide at the end of March, up from 51.9 million a year earlier."
    assert derived_agree("Lumeray added 6.5 million paid subscribers in the year to March.", subscribers)
    assert derived_agree("Lumeray's paid subscribers grew about 12.5% in the year to March.", subscribers)
    # A change the other way is no agreement.
    assert not derived_agree("Lumeray's paid subscribers fell by 6.5 million in the year to March.", subscribers)
    assert derived_agree("Kestlow has raised $127 million in total.", "It raised $85 million on top of $42 million raised before.")


def test_a_change_on_a_year_before_may_be_worked_out_from_the_year_before_s_figure():
    from factcheck.cues import derived_agree
    from factcheck.verify import NLIVerifier

    capex = ("Capital expenditures were $512 million in the quarter, compared with $380 million in the first quarter "
             "of 2025, reflecting investment in data centre capacity.")
    claim = "Marlowe Data's capital expenditures in the first quarter of 2026 were $132 million higher than a year earlier."
    assert derived_agree(claim, capex)
    assert not derived_agree(claim.replace("$132", "$140"), capex)                        # another difference
    # Without words that compare with a year before, 2025 is another year than the claim's 2026.
    assert not derived_agree("Marlowe Data's capital expenditures rose by $132 million in the first quarter of 2026.", capex)
    # The passage gives no $132 million, yet it is not missing the claim's figure: it works it out.
    [verdict] = NLIVerifier(ContradictingScorer(), agree_overlap=0.6).verify([claim], [[hit(1, capex)]])
    assert verdict.label is Label.SUPPORTED and verdict.evidence[0].quote == capex
    [other] = NLIVerifier(ContradictingScorer(), agree_overlap=0.6).verify([claim.replace("$132", "$140")], [[hit(1, capex)]])
    assert other.label is Label.REFUTED
    # Read as neither (0.3 / 0.6 / 0.1), the sentence that works the figure out supports it; another figure does not.
    [neutral] = NLIVerifier(NeutralScorer(), agree_overlap=0.6).verify([claim], [[hit(1, capex)]])
    assert neutral.label is Label.SUPPORTED
    [not_worked] = NLIVerifier(NeutralScorer(), agree_overlap=0.6).verify([claim.replace("$132", "$140")], [[hit(1, capex)]])
    assert not_worked.label is Label.NOT_ENOUGH_INFO


def test_a_claim_comparing_two_years_may_be_stated_by_evidence_naming_only_one_of_them():
    from factcheck.cues import derived_agree, figures_agree

    revenue = ("Revenue for the three months to March 31 was $612 million, up from $519 million a year earlier. It was "
               "below the $655 million Haskel reported for the fourth quarter of 2025, a decline it put down to weaker "
               "orders for phone chips.")
    claim = "Haskel's revenue in the first quarter of 2026 was $43 million lower than in the fourth quarter of 2025."
    assert derived_agree(claim, revenue)
    assert not derived_agree(claim.replace("$43", "$50"), revenue)                       # another difference
    # Evidence naming another year than the claim's two still disagrees ...
    assert not derived_agree(claim, revenue.replace("of 2025", "of 2024"))
    # ... and a claim with one year still needs that year where the evidence names one.
    assert not figures_agree("Haskel reported revenue of $655 million in the fourth quarter of 2026.", revenue)
    assert figures_agree("Haskel reported revenue of $655 million in the fourth quarter of 2025.", revenue)


def test_agreeing_years_do_not_make_another_month_agree():
    from factcheck.cues import figures_agree

    evidence = "The Ferra-4 Heavy is scheduled to begin shipping to customers in September 2026."
    assert figures_agree("The Ferra-4 Heavy will start shipping to customers in September 2026.", evidence)
    assert not figures_agree("The Ferra-4 Heavy will start shipping to customers in March 2026.", evidence)


def test_a_passage_naming_none_of_the_claim_s_names_neither_supports_nor_refutes():
    from factcheck.cues import names_none
    from factcheck.verify import NLIVerifier

    claim = "Cirrovane Cloud plans to open a new cloud region in Warsaw in 2026."
    other = "Kestlow plans to open its first European office, in Rotterdam, in the second half of 2026."
    assert names_none(claim, other)
    assert not names_none(claim, "The company, Cirrovane, said it would add a region next year.")
    assert not names_none(claim, "A region in Warsaw opens next year.")
    # Any word of any name will do: the firm of a person the claim names, a part of a joined name.
    assert not names_none("Orla Quenneville is Glimmerly's head of trust and safety.", "Glimmerly said on Monday ...")
    assert not names_none("The Aurevia-Savanet agreement does not cover Tanzania.", "Aurevia Space has signed ...")
    # A claim whose only name is its first word, or no word in title case, names nothing a passage must repeat.
    assert not names_none("Medications to treat obesity do not have side effects.", "Weight loss drugs ...")
    assert not names_none("KRAS ablation causes severe growth impairment.", "K-Ras loss impairs growth.")

    class Refuting:
        name, version = "refuting", "0"

        def score(self, pairs):
            import numpy as np

            return np.array([[0.05, 0.05, 0.9]] * len(pairs))

    [unnamed, named] = NLIVerifier(Refuting()).verify(
        [claim, claim], [[hit(1, other)], [hit(2, "Cirrovane will not open a region in Warsaw.")]])
    assert unnamed.label is Label.NOT_ENOUGH_INFO and named.label is Label.REFUTED
    # The document's title counts as the passage's: "the company" of a passage under "Cirrovane ..." is Cirrovane.
    titled = Hit(3, "src-3", "The company will not open a region there.", 0.1, 0.8, 1.0, title="Cirrovane drops Warsaw plan")
    [under_title] = NLIVerifier(Refuting()).verify([claim], [[titled]])
    assert under_title.label is Label.REFUTED


def test_a_duration_in_hours_and_minutes_is_one_figure_and_its_difference_can_be_worked_out():
    from factcheck.cues import derived_agree, durations
    from factcheck.verify import works_out

    assert durations("The outage lasted 9h23m, and 2 hours and 5 minutes later") == "The outage lasted 563 minutes, and 125 minutes later"
    assert quantities("a wait of 2.5 hours") == quantities("a wait of 2 hours 30 minutes") == {150.0}
    test = ("In the loop test the Tavik 5 lasted 11 hours and 40 minutes and the Tavik 5 Max lasted 13 hours and "
            "55 minutes.")
    claim = "In the loop test the Tavik 5 Max lasted 2 hours and 15 minutes longer than the Tavik 5."
    assert derived_agree(claim, test) and works_out(claim, test) and mismatches(claim, test) == []
    # Another difference is another figure; so is a duration the sentence does not give.
    assert not derived_agree("In the loop test the Tavik 5 Max lasted 2 hours and 5 minutes longer than the Tavik 5.", test)
    assert mismatches("In the loop test the Tavik 5 lasted 11 hours and 10 minutes.", test) != []
    assert mismatches("In the loop test the Tavik 5 lasted 700 minutes.", test) == []


def test_a_sentence_withholding_what_the_claim_says_was_withheld_supports_it():
    from factcheck.verify import cue_adjusted, withheld_alike

    said = "Ferrovane's chief executive would not say how much revenue the company expects to lose because of the price cuts."
    given = "She declined to say how much revenue the company expected to give up as a result of the cuts."
    assert withheld_alike(said, given)
    support, refute = cue_adjusted(said, given, 0.1, 0.3)
    assert support > 0.5 > refute
    # Another detail withheld, or the same sentence against a claim that gives the detail, is no support.
    assert not withheld_alike("Ferrovane would not say how many staff it will hire.", given)
    assert not withheld_alike("Ferrovane expects to lose $40 million of revenue because of the price cuts.", given)
    assert cue_adjusted("Ferrovane would not say how many staff it will hire.", given, 0.1, 0.3) == (0.1, 0.3)


def test_a_year_that_dates_only_the_figure_compared_with_is_not_the_claims_year():
    from factcheck.cues import figures_agree, stated_years

    profit = ("Net income climbed to $212 million, or 48 cents a share, from $145 million, or 33 cents a share, in the "
              "second quarter of 2025.")
    assert stated_years("Drevant's net income for the second quarter of 2026 was $212 million.", profit) == set()
    assert mismatches("Drevant's net income for the second quarter of 2026 was $212 million.", profit) == []
    assert figures_agree("Drevant's net income for the second quarter of 2026 was $212 million.", profit)
    # The figure compared with keeps its year: $145 million is 2025's.
    assert mismatches("Drevant's net income for the second quarter of 2026 was $145 million.", profit) != []
    assert stated_years("Drevant's net income for the second quarter of 2026 was $145 million.", profit) == {2025}


def test_a_sentence_whose_figures_measure_something_else_does_not_refute():
    from factcheck.cues import figure_heads, other_measure
    from factcheck.verify import MEASURE_CAP, cue_adjusted

    valued = "Tarnholt Orbital's latest share sale valued the company at 5 billion Norwegian kroner."
    raised = "Tarnholt raised 1.2 billion Norwegian kroner from Fjellmark Capital and operates two test satellites."
    assert {"valu", "compani"} <= figure_heads(valued)
    assert other_measure(valued, raised)
    assert cue_adjusted(valued, raised, 0.05, 0.8) == (0.05, MEASURE_CAP)
    shipped = "Merrowind shipped more than 100,000 MX-9 accelerators in the first quarter of 2026."
    assert other_measure(shipped, "Merrowind reported first-quarter revenue of $4.82 billion, up 31% from $3.68 billion.")
    # The same measure with another figure still refutes, and so does nothing that gives the claim's figure or works it out.
    assert not other_measure(shipped, "Merrowind shipped 80,000 MX-9 accelerators in the first quarter.")
    assert not other_measure(valued, "The sale valued Tarnholt at 4 billion Norwegian kroner.")
    assert not other_measure("Korvant's capital spending was $147 million higher than a year earlier.",
                             "Capital expenditures were $391 million, compared with $244 million a year earlier.")


def test_a_sibling_s_sentence_stays_capped_however_related_it_reads():
    from factcheck.verify import NLIVerifier, related_restatement

    claim = "Ground-level noise from Tallowin's delivery drones in Hobart averaged 58 decibels."
    sibling = "Measurements of Tallowin's delivery drones taken in Darwin averaged 58 decibels at ground level."
    assert related_restatement(claim, sibling, 0.9, 0.55)     # the baseline's reading: close, no figure differs
    [verdict] = NLIVerifier(NeutralScorer(), related=0.55).verify([claim], [[hit(1, sibling, dense=0.9)]])
    assert verdict.label is Label.NOT_ENOUGH_INFO
    # The claim's own place is support as related as before.
    [own] = NLIVerifier(NeutralScorer(), related=0.55).verify([claim], [[hit(1, sibling.replace("Darwin", "Hobart"), dense=0.9)]])
    assert own.label is Label.SUPPORTED


def test_a_sentence_giving_the_claims_figures_in_its_own_words_turns_a_contradiction_into_support():
    from factcheck.verify import agrees_in_own_words, cue_adjusted

    claim = "The average parcel carried in Halvory's Hobart and Darwin drone trial weighed 0.78 kilograms."
    given = "The average parcel weighed 780 grams; most were pharmacy products."
    assert agrees_in_own_words(claim, given)
    support, refute = cue_adjusted(claim, given, 0.05, 0.6, agree_overlap=0.6)
    assert support > 0.5 > refute
    # Not where the clause turns the claim's direction, names another variant, or gives another figure.
    assert not agrees_in_own_words("Vessel's automotive revenue grew 9 percent in the first quarter.",
                                   "Data-centre revenue rose 20 percent, while automotive revenue fell 9 percent.")
    assert not agrees_in_own_words("The Tarro 5 Pro weighs 780 grams.", "The Tarro 5 weighs 780 grams.")
    assert not agrees_in_own_words(claim, "The average parcel weighed 870 grams.")


def test_a_place_after_the_is_a_sibling_s_place_too():
    from factcheck.cues import sibling_detail

    # "in the Philippines", "in the United States": a place after "the" still says where the figure holds.
    assert sibling_detail("Corvane's default rate in the Philippines is 2.4% of its lending there.",
                          "Its chief executive said the default rate was 2.4% of the book in Malaysia.")
    assert not sibling_detail("Corvane's default rate in the Philippines is 2.4% of its lending there.",
                              "In the Philippines, the default rate was 2.4% of the book.")


def test_the_claim_s_figure_given_for_another_thing_in_a_paired_sentence_refutes():
    from factcheck.cues import figure_elsewhere
    from factcheck.verify import cue_adjusted

    paired = "Battery capacity is 4,900 mAh in the Tavrin 6 and 5,600 mAh in the Pro."
    swapped = ("The Ostvell Tavrin 6 has a 5,600 mAh battery.", paired)
    assert figure_elsewhere(*swapped)
    support, refute = cue_adjusted(*swapped, 0.9, 0.05)
    assert refute > 0.5 > support
    # A place's figure against another place's, and a variant the claim names that the figure's part lacks.
    assert figure_elsewhere("Pellova Cloud's Lisbon region opened with 40 MW of IT capacity.",
                            "At launch the Porto halls provide 40 MW of IT capacity, against 28 MW in Lisbon.")
    assert figure_elsewhere("Brennet Fibre Max offers download speeds of 200 megabits per second.",
                            "Brennet Fibre Max, which offers up to 900 megabits per second compared with up to "
                            "200 Mbps on Brennet Fibre, costs €10 more.")
    assert figure_elsewhere("Ostvell promises six years of updates for the standard Ostvell Tavrin 6.",
                            "Ostvell promises six years of updates for the Tavrin 6 Pro and four years for the "
                            "Tavrin 6.")
    # A unit written two ways is one kind of figure.
    assert figure_elsewhere("Tollmere's T5 sedan weighs 2,150 kilograms.",
                            "It covers the T5 sedan and the T7 van, which weighs 2,150 kilograms against 1,690 kg for "
                            "the T5.")
    # Not the figure's own thing, nor another part that counts something else ("two companies"), nor a figure
    # the claim compares with ("than"), nor a part that names the claim's own variant ("Base").
    assert not figure_elsewhere("The Ostvell Tavrin 6 Pro has a 5,600 mAh battery.", paired)
    assert not figure_elsewhere("The Ostvell Tavrin 6 has a 4,900 mAh battery.", paired)
    assert not figure_elsewhere("Pellova Cloud will buy 300 MW of wind power from Strand Renewables.",
                                "Pellova Cloud has agreed to buy 300 megawatts of wind and solar power from Strand "
                                "Renewables, the two companies said.")
    assert not figure_elsewhere("Brennet ended the year with more subscribers than the 4.2 million analysts expected.",
                                "Brennet ended the year with 4.5 million subscribers and ahead of the 4.2 million that "
                                "analysts polled by Varrow had expected.")
    assert not figure_elsewhere("Tallmoor's Verda-2 Base model has 60 billion parameters.",
                                "The family has Verda-2 Mini, with 7 billion parameters, Verda-2 Base, with 60 billion "
                                "parameters, and Verda-2 Max, with 400 billion parameters.")


def test_a_speaker_given_another_post_than_the_claim_s_is_a_mismatch():
    from factcheck.cues import post_changed, post_holder_swap

    # The claim names the speaker beside their post, as attributions do; the evidence gives them another post.
    assert post_changed("Halvic Systems chief executive Mirela Dunstable said demand had doubled.",
                        "Mirela Dunstable, senior vice president of sales at Oakridge Foundry, said demand had "
                        "doubled.")
    assert post_changed("Tomas Relling, Varrowdale's chief technology officer, apologised for the outage.",
                        "Pellmark chief executive Tomas Relling apologised in a statement.")
    # Not the same post written another way, nor a sentence that gives the person no post.
    assert not post_changed("Halvic Systems chief executive Mirela Dunstable said demand had doubled.",
                            "Halvic CEO Mirela Dunstable said demand had doubled.")
    assert not post_changed("Halvic Systems chief executive Mirela Dunstable said demand had doubled.",
                            "Mirela Dunstable said demand had doubled.")
    # A company has many vice presidents: another one's post is no swap.
    assert not post_holder_swap("Mirela Dunstable is a vice president of Halvic Systems.",
                                "Halvic vice president Ansel Crowther said the plant would open in May.")


def test_an_executive_director_and_a_post_held_currently_are_read():
    from factcheck.cues import post_changed, post_holder_swap

    assert post_holder_swap("Ansel Crowther is the executive director of the Varnmoor Foundation.",
                            "The foundation, led by executive director Ilka Sorrentine, said it would appeal.")
    assert post_changed("Ansel Crowther is the chief financial officer of Halvic Systems.",
                        "Ansel Crowther, currently Halvic's vice president of storage, will run the new plant.")
