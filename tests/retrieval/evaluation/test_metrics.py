"""Metrics on hand-made cases whose values are worked out by hand."""

from __future__ import annotations

import pytest

from retrieval.evaluation.metrics import (
    QuestionResult,
    contains_answer,
    first_relevant_rank,
    hit_at,
    mrr_at,
    normalize,
    percentile,
    summarize,
    token_f1,
)


def test_normalize_and_whole_word_matching():
    assert normalize("The  U.S. economy, grew!") == "u s economy grew"
    assert contains_answer("Profits jumped 76% to $1.13bn", [["76%"]])
    assert not contains_answer("It cost 100 pounds", [["10"]])  # "10" is not inside "100"
    assert contains_answer("It cost 10 pounds", [["10"]])
    assert not contains_answer("anything", [])


def test_multi_part_answers_need_every_part():
    answers = [["Jane Doe"], ["The Long Road", "Long Road"]]
    assert contains_answer("Jane Doe made Long Road.", answers)
    assert not contains_answer("Jane Doe made a film.", answers)
    assert token_f1("Jane Doe", answers) == pytest.approx((1.0 + 0.0) / 2)


def test_token_f1_best_variant_and_declines():
    # prediction "rose 76 percent" vs gold "76 percent": common 2, precision 2/3, recall 1 -> 0.8
    assert token_f1("rose 76 percent", [["76 percent", "seventy-six"]]) == pytest.approx(0.8)
    assert token_f1("whatever", [["x"]], declined=True) == 0.0
    assert token_f1("I cannot say", [], declined=True) == 1.0
    assert token_f1("Paris", [], declined=False) == 0.0


def test_ranks_hits_and_mrr_with_ties_and_misses():
    assert first_relevant_rank([False, True, True]) == 2
    assert first_relevant_rank([False, False]) is None
    ranks = [1, 3, None, 12]
    assert hit_at(ranks, 1) == 0.25 and hit_at(ranks, 3) == 0.5 and hit_at(ranks, 10) == 0.5
    assert mrr_at(ranks, 10) == pytest.approx((1 + 1 / 3) / 4)
    assert hit_at([], 5) is None and mrr_at([]) is None


def test_percentile_interpolates_like_numpy():
    assert percentile([1, 2, 3, 4], 50) == 2.5
    assert percentile([10.0], 95) == 10.0
    assert percentile([1, 2, 3, 4, 5], 95) == pytest.approx(4.8)
    assert percentile([], 50) is None


def _r(answerable, found, answer="", rank=None, cites=(), seconds=1.0, expected=(("Aleppo",),)):
    return QuestionResult(id="x", question="q", expected=[list(p) for p in expected] if answerable else [],
                          answer=answer, found=found, rank=rank,
                          citations=[{"n": i, "quote": "", "relevant": r} for i, r in enumerate(cites, 1)],
                          seconds=seconds, answerable=answerable)


def test_summary_counts_each_metric_over_the_right_questions():
    results = [
        _r(True, True, "They took Aleppo. [1]", rank=1, cites=(True,), seconds=1.0),
        _r(True, True, "They took Homs. [1]", rank=4, cites=(False, True), seconds=2.0),
        _r(True, False, "The articles do not answer.", rank=None, seconds=3.0),
        _r(False, False, "The articles do not answer.", seconds=4.0),
        _r(False, True, "Paris [1]", cites=(False,), seconds=5.0),
    ]
    s = summarize(results)
    assert s["hit@1"] == pytest.approx(1 / 3) and s["hit@5"] == pytest.approx(2 / 3)
    assert s["mrr@10"] == pytest.approx((1 + 0.25) / 3)
    assert s["answer_accuracy"] == pytest.approx(1 / 3)
    assert s["citation_precision"] == pytest.approx(2 / 3)  # only answerable questions' citations count
    assert s["refusal_accuracy"] == 0.5 and s["false_refusal_rate"] == pytest.approx(1 / 3)
    assert s["latency_p50"] == 3.0
    assert s["counts"] == {"questions": 5, "answerable": 3, "unanswerable": 2, "with_relevance": 3, "citations": 3}


def test_a_metric_over_no_questions_is_none():
    s = summarize([_r(False, False)])
    assert s["hit@1"] is None and s["answer_accuracy"] is None and s["citation_precision"] is None
    assert s["refusal_accuracy"] == 1.0
