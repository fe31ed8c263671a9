from factcheck.passages import split_passages
from factcheck.records import Document
from factcheck.text import split_sentences


def sentences(text):
    return [text[s:e] for s, e in split_sentences(text)]


def test_splits_sentences_with_offsets():
    text = "Microsoft will host Grok 3. It joins 1,900 models!  Is it exclusive? Nobody knows."
    assert sentences(text) == ["Microsoft will host Grok 3.", "It joins 1,900 models!", "Is it exclusive?",
                               "Nobody knows."]


def test_keeps_abbreviations_and_decimals_inside_sentences():
    text = "Dr. Smith of Acme Inc. said revenue rose 3.5 percent in the U.S. market. Shares fell."
    assert sentences(text) == ["Dr. Smith of Acme Inc. said revenue rose 3.5 percent in the U.S. market.",
                               "Shares fell."]


def test_blank_lines_end_sentences():
    assert sentences("A heading without a stop\n\nThe body starts here.") == [
        "A heading without a stop", "The body starts here."]


def test_passages_window_and_offsets():
    text = " ".join(f"Sentence number {i} is here." for i in range(7))
    passages = split_passages(Document("s", "t", text), sentences=3, stride=2)
    assert [p.position for p in passages] == [0, 1, 2]
    for p in passages:
        assert text[p.start:p.end] == p.text
    assert passages[0].text.startswith("Sentence number 0") and passages[-1].text.endswith("number 6 is here.")


def test_passages_of_short_text_and_empty_text():
    assert len(split_passages(Document("s", "t", "Only one sentence."))) == 1
    assert split_passages(Document("s", "t", "   ")) == []


def test_names_starting_lowercase_begin_new_sentences_and_times_do_not_split():
    text = "Microsoft announced the deal. xAI built Grok. The call started at 9:10 a.m. Eastern time on Monday."
    assert sentences(text) == ["Microsoft announced the deal.", "xAI built Grok.",
                               "The call started at 9:10 a.m. Eastern time on Monday."]
