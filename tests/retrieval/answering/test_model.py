"""The shipped selector loads with numpy alone, and a weights file fitted on other features is refused."""

from __future__ import annotations

import json

import pytest

from retrieval.answering.features import FEATURES
from retrieval.answering.model import Selector
from retrieval.core.errors import NewsbotError


def test_the_shipped_weights_load_and_name_their_features():
    selector = Selector.load()
    assert selector.sentence.names == FEATURES
    assert 0 < selector.threshold < 1 and selector.threshold <= selector.short_threshold <= 1
    assert "train" in selector.info["fitted_on"]


def test_weights_for_other_features_are_refused_with_the_fix(tmp_path):
    from importlib import resources

    data = json.loads(resources.files("retrieval.answering").joinpath("selector.json").read_text())
    data["sentence"]["features"] = data["sentence"]["features"][:-1] + ["something_else"]
    path = tmp_path / "selector.json"
    path.write_text(json.dumps(data))
    with pytest.raises(NewsbotError, match="fit_answerer"):
        Selector.load(path)


def test_a_broken_weights_file_is_one_clear_error(tmp_path):
    path = tmp_path / "selector.json"
    path.write_text("{not json")
    with pytest.raises(NewsbotError, match="cannot read the answer selector"):
        Selector.load(path)


def test_the_answer_model_pushes_each_feature_the_way_a_reader_would():
    """Fitted with sign bounds, so an off-range value (a tiny collection, an off-topic question) cannot flip."""
    from retrieval.answering.model import ANSWER_FEATURES, ANSWER_SIGNS

    answer = Selector.load().answer
    assert set(ANSWER_SIGNS) == set(ANSWER_FEATURES)
    for name, weight in zip(answer.names, answer.weights, strict=True):
        assert weight * ANSWER_SIGNS[name] >= 0, name
    assert answer.weights[answer.names.index("article_year_missing")] < 0

