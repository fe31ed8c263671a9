import numpy as np
import pytest

from factcheck.errors import IndexMismatchError
from factcheck.index import VectorIndex
from factcheck.lexical import LexicalIndex, tokenize


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
