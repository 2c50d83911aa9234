"""Features a reader weighs: the asked kind of fact, years that contradict the question or the article, new words."""

from __future__ import annotations

from retrieval.answering.features import (
    INDEX,
    Context,
    SentenceView,
    article_support,
    asked_type,
    features,
    relative,
)
from retrieval.answering.question import profile
from retrieval.core.text import terms


def _view(text, before="", after="", rank=1):
    return SentenceView(text=text, before=before, after=after, title="Title", chunk_rank=rank, chunk_similarity=0.5,
                        in_dense=True, in_bm25=True, position=0, sentences_in_chunk=3, article_start=False)


CTX = Context(idf=lambda term: 2.0, known=lambda term: True)


def test_a_sentence_with_a_new_date_answers_a_when_question():
    asked = profile("When did the Assad government fall?")
    assert asked_type(asked, "The Assad government fell on December 8.") == 1.0
    assert asked_type(asked, "The Assad government fell.") == 0.0


def test_a_figure_the_question_already_gives_is_not_an_answer():
    asked = profile("How many jobs did firms add after 146,000 in December?")
    assert asked_type(asked, "Firms added 146,000 jobs.") == 0.0
    assert asked_type(asked, "Firms added 157,000 jobs.") == 1.0


def test_a_sentence_about_another_year_conflicts_with_the_question():
    asked = profile("What were profits in the third quarter of 2004?")
    other = features(asked, _view("Profits in the third quarter of 2003 were $1bn."), CTX, 0)
    same = features(asked, _view("Profits in the third quarter of 2004 were $1bn."), CTX, 0)
    assert other[INDEX["year_conflict"]] == 1.0 and same[INDEX["year_conflict"]] == 0.0
    assert same[INDEX["year_match"]] == 1.0


def test_a_year_the_article_never_mentions_counts_against_it():
    article = frozenset(terms("Vodafone said in 2004 that Arun Sarin would stay on as chief executive."))
    later = profile("Who became Vodafone's chief executive in 2008?")
    same = profile("Who was Vodafone's chief executive in 2004?")
    assert article_support(later, article, CTX).year_missing == 1.0
    assert article_support(same, article, CTX).year_missing == 0.0
    assert article_support(later, article, CTX, dated="2008-03-01").year_missing == 0.0  # the article's own date counts
    assert article_support(profile("Who runs Vodafone?"), article, CTX).year_missing == 0.0


def test_the_words_that_name_what_is_asked_set_a_sentence_apart():
    asked = profile("How long a ban did Collins get over Balco?")
    sentences = ["Collins was linked to the Balco scandal.", "Collins was linked to Balco, the lab.",
                 "Collins got an eight-year ban over Balco."]
    rows = [features(asked, _view(s), CTX, 0) for s in sentences]
    relative(asked, sentences, rows, CTX)
    local = [row[INDEX["local_coverage"]] for row in rows]
    assert local[2] == max(local) and local[2] > local[0]
    assert rows[2][INDEX["local_gap"]] == 0.0 and rows[0][INDEX["local_gap"]] < 0


def test_every_candidate_has_every_feature():
    asked = profile("Who won?")
    row = features(asked, _view("Federer won the final in Melbourne."), CTX, 0)
    assert len(row) == len(INDEX)


def test_each_value_sits_under_its_name():
    asked = profile("When did the Assad government fall in Damascus?")
    sentences = ["The Assad government fell on December 8 in Damascus.", "Damascus is old."]
    rows = [features(asked, _view(s), CTX, 0) for s in sentences]
    relative(asked, sentences, rows, CTX)
    first = rows[0]
    assert first[INDEX["kind_when"]] == 1.0 and first[INDEX["kind_who"]] == 0.0
    assert first[INDEX["type_when"]] == 1.0 and first[INDEX["asked_type"]] == 1.0
    assert 0 < first[INDEX["density"]] <= 1 and first[INDEX["names_in_sentence"]] == 1.0
    assert first[INDEX["local_coverage"]] > rows[1][INDEX["local_coverage"]]
