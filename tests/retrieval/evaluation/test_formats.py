"""Question-set converters on small fixtures written in the published formats."""

from __future__ import annotations

from pathlib import Path

import pytest

from retrieval.evaluation.formats import guess_format, load

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "eval"


def test_rgb_passages_become_a_deduplicated_corpus_and_positives_are_relevant():
    evalset = load(FIXTURES / "rgb_en.jsonl")
    assert evalset.format == "rgb" and len(evalset.questions) == 3
    assert len(evalset.documents) == 6  # 4 + 2 + 1 passages, the repeated Rose Bowl one counted once
    first = evalset.questions[0]
    assert first.answers == [["Kentucky Wildcats", "Kentucky"]] and len(first.sources) == 2
    ids = {d.id for d in evalset.documents}
    assert set(first.sources) <= ids
    assert evalset.questions[1].answers == [["Jane Doe"], ["The Long Road", "Long Road"]]


def test_rgb_counterfactual_adds_the_wrong_passages_and_keeps_the_fake_answer():
    plain = load(FIXTURES / "rgb_en.jsonl")
    counter = load(FIXTURES / "rgb_en.jsonl", counterfactual=True)
    assert len(counter.documents) == len(plain.documents) + 1
    assert any(d.source.startswith("rgb-counterfactual:") for d in counter.documents)
    assert counter.questions[2].meta["fakeanswer"] == "Shanghai"


def test_squad_v2_impossible_questions_expect_a_decline():
    evalset = load(FIXTURES / "squad_v2.json")
    assert evalset.format == "squad" and len(evalset.documents) == 2
    q1, q2, q3 = evalset.questions
    assert q1.answers == [["France"]] and q1.sources == [evalset.documents[0].id]
    assert q2.answers == [] and not q2.answerable and q2.sources == []
    assert evalset.documents[0].title == "Normans" and q3.sources == [evalset.documents[1].id]


def test_squad_v1_titles_lose_underscores_and_answers_are_variants():
    evalset = load(FIXTURES / "squad_v1.json")
    assert evalset.documents[0].title == "Super Bowl 50"
    assert evalset.questions[0].answers == [["Levi's Stadium", "Santa Clara, California"]]


def test_own_jsonl_format_and_format_guessing(tmp_path):
    path = tmp_path / "q.jsonl"
    path.write_text('{"id": "a", "question": "Who?", "answers": ["X"], "sources": ["f.txt"], "split": "dev"}\n\n'
                    '{"question": "Nobody?", "answers": []}\n')
    evalset = load(path)
    assert evalset.documents is None and [q.id for q in evalset.questions] == ["a", "line-3"]
    assert evalset.questions[0].split == "dev" and not evalset.questions[1].answerable
    assert guess_format(FIXTURES / "rgb_en.jsonl") == "rgb" and guess_format(FIXTURES / "squad_v2.json") == "squad"


@pytest.mark.parametrize("content, message", [("{bad json\n", "line 1: malformed JSON"),
                                              ('{"answers": []}\n', "no question"),
                                              ("[1, 2]\n", "expected a JSON object")])
def test_malformed_question_files_name_the_line(tmp_path, content, message):
    path = tmp_path / "bad.jsonl"
    path.write_text(content)
    with pytest.raises(ValueError, match=message):
        load(path, "jsonl")


def test_unknown_format_is_refused(tmp_path):
    with pytest.raises(ValueError, match="unknown question format"):
        load(FIXTURES / "rgb_en.jsonl", "csv")
