import json

import numpy as np
import pytest

from factcheck.errors import IndexMismatchError
from factcheck.index import VectorIndex
from factcheck.lexical import LexicalIndex, figure_tokens, tokenize


def unit(rows):
    rows = np.asarray(rows, dtype=np.float32)
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def test_add_search_remove_and_persist(tmp_path):
    index = VectorIndex(tmp_path, "m", 3)
    index.add(np.array([10, 20]), unit([[1, 0, 0], [0, 1, 0]]))
    scores, ids = index.search(unit([[0.9, 0.1, 0]]), 2)
    assert ids[0].tolist() == [10, 20] and scores[0][0] > scores[0][1]
    index.add(np.array([10]), unit([[0, 0, 1]]))  # replacing an id keeps one vector for it
    assert len(index) == 2
    index.save()
    reopened = VectorIndex(tmp_path, "m", 3)
    assert sorted(reopened.ids().tolist()) == [10, 20]
    assert reopened.remove([20]) == 1 and reopened.ids().tolist() == [10]


def test_refuses_another_model_or_dimension(tmp_path):
    index = VectorIndex(tmp_path, "model-a", 3)
    index.add(np.array([1]), unit([[1, 0, 0]]))
    index.save()
    with pytest.raises(IndexMismatchError, match="built with model 'model-a'"):
        VectorIndex(tmp_path, "model-b", 3)
    with pytest.raises(IndexMismatchError, match=r"dim 3\), not 'model-a' \(dim 4\)"):
        VectorIndex(tmp_path, "model-a", 4)


def test_tokenize_keeps_numbers_and_names():
    assert tokenize("Grok 3 mini joins 1,900 models for $13 billion") == [
        "grok", "3", "mini", "join", "1900", "model", "13", "billion"]


def test_lexical_index_finds_exact_names_and_numbers(tmp_path):
    index = LexicalIndex(tmp_path / "lex")
    index.build([(1, "Grok 3 is the flagship model."), (2, "Grok 3 mini is the small reasoning model."),
                 (3, "The catalog has 1,900 models.")], "fp1")
    assert index.search(["Grok 3 mini"], 3)[0][0][0] == 2
    assert index.search(["1,900"], 3)[0][0][0] == 3
    reopened = LexicalIndex(tmp_path / "lex")
    assert reopened.fingerprint == "fp1" and reopened.search(["catalog 1900"], 1)[0][0][0] == 3


def test_an_amount_is_one_token_however_it_is_written():
    same = {"$1.23 billion", "1,230 million dollars", "US$1.23bn", "1,230,000,000 users"}
    assert {tuple(figure_tokens(text)) for text in same} == {("=1.23e+09",)}
    assert figure_tokens("Grok 3 mini, 45,000 units in 2025") == []      # no scale word, under a million
    assert figure_tokens("Histone 2B and a 5G modem") == []     # a letter on a figure scales it after a currency sign
    assert figure_tokens("€450 million, not $45m") == ["=4.5e+08", "=4.5e+07"]


def test_lexical_index_matches_an_amount_written_another_way(tmp_path):
    index = LexicalIndex(tmp_path / "lex")
    index.build([(1, "Revenue rose to 1,230 million dollars in the quarter."),
                 (2, "Revenue rose to $1.1 billion in the quarter."),
                 (3, "Its cloud arm made $2 billion."), (4, "The app has a billion users."),
                 (5, "The quarter's revenue was a record.")], "fp1")
    assert index.search(["revenue of $1.23 billion"], 5)[0][0][0] == 1


def test_an_index_of_older_tokens_counts_as_stale(tmp_path):
    index = LexicalIndex(tmp_path / "lex")
    index.build([(1, "Revenue rose to $1.1 billion.")], "fp1")
    meta = tmp_path / "lex" / "meta.json"
    written = json.loads(meta.read_text())
    assert LexicalIndex(tmp_path / "lex").fingerprint == "fp1"
    meta.write_text(json.dumps({k: v for k, v in written.items() if k != "tokens"}))   # as before figure tokens
    assert LexicalIndex(tmp_path / "lex").fingerprint is None       # `sync_lexical` builds it again
