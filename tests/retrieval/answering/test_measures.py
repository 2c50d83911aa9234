"""The measure a "how old / how long / how much / how many" question wants, and sentences that give it."""

from __future__ import annotations

import pytest

from retrieval.answering.features import INDEX, Context, SentenceView, features
from retrieval.answering.measures import asked_measure, counted_words, fits_measure
from retrieval.answering.question import profile


@pytest.mark.parametrize(
    ("question", "measure"),
    [
        ("How old is Arjen Robben?", "age"),
        ("How long a suspension did Michelle Collins get?", "length"),
        ("For how many years has he led the party?", "duration"),
        ("How fast can Honda's Asimo run?", "speed"),
        ("How far is the new stadium from the city?", "distance"),
        ("By how much did sales rise in December?", "percent"),
        ("How much did the pier restoration cost?", "money"),
        ("How much money is IBM spending on Linux?", "money"),
        ("Godzilla's star was which number on the Walk of Fame?", "ordinal"),
        ("How many prizes did Shrek 2 collect?", "count"),
        ("Who won the final?", None),
    ],
)
def test_the_question_names_the_measure_it_wants(question, measure):
    assert asked_measure(question) == measure


def _fits(question: str, sentence: str) -> bool:
    asked = profile(question)
    return fits_measure(asked.measure, sentence, asked.numbers, asked.counted)


def test_an_age_answers_how_old_and_an_injury_spell_does_not():
    assert _fits("How old is Arjen Robben?", "The 21-year-old missed the game against Chelsea.")
    assert not _fits("How old is Arjen Robben?", "He broke two bones in his foot and is out for six weeks.")


def test_a_count_must_count_what_was_asked():
    question = "How many People's Choice prizes did Shrek 2 collect?"
    assert counted_words(question) >= {"prize"}
    assert _fits(question, "Film sequel Shrek 2 took three prizes - voted top animated movie.")
    assert not _fits(question, "More than 6,000 children voted in the only category chosen by fans.")
    assert not _fits("How many Prius hybrids did Toyota sell?", "Sales of the Prius hybrid rose 120%.")


def test_how_long_takes_a_time_or_a_distance():
    question = "How long is the footbridge Riverton council approved?"
    assert _fits(question, "The council voted to build a 140-metre footbridge across the harbour.")
    assert _fits("How long a ban did Collins get?", "Collins has received an eight-year ban.")
    assert not _fits(question, "Councillors approved the plan by eleven votes to four.")


def test_money_and_speed_need_their_units():
    assert _fits("How much did the deal cost?", "The firm paid $100m (£52m) for the unit.")
    assert not _fits("How much did the deal cost?", "The deal took three months to close.")
    assert _fits("How fast can Asimo run?", "At 3km/h, it is closer to a leisurely jog.")


def test_a_figure_the_question_already_gives_does_not_fit():
    assert not _fits("How much did the firm pay after the $100m bid?", "The firm paid $100m for the unit.")


def test_the_fit_is_a_feature_of_the_sentence():
    ctx = Context(idf=lambda term: 2.0, known=lambda term: True)

    def row(text):
        view = SentenceView(text=text, before="", after="", title="Robben", chunk_rank=1, chunk_similarity=0.5,
                            in_dense=True, in_bm25=True, position=0, sentences_in_chunk=2, article_start=False)
        return features(profile("How old is Arjen Robben?"), view, ctx, 0)

    age, injury = row("The 21-year-old Robben missed the game."), row("Robben is out for six weeks.")
    assert age[INDEX["measure_asked"]] == injury[INDEX["measure_asked"]] == 1.0
    assert age[INDEX["measure_fit"]] == 1.0 and injury[INDEX["measure_fit"]] == 0.0


def test_a_figure_next_to_what_was_asked_is_nearer_than_one_about_something_else():
    ctx = Context(idf=lambda term: 2.0, known=lambda term: True)
    asked = profile("How long is the footbridge the council approved?")

    def near(text):
        view = SentenceView(text=text, before="", after="", title="Footbridge", chunk_rank=1, chunk_similarity=0.5,
                            in_dense=True, in_bm25=True, position=0, sentences_in_chunk=2, article_start=False)
        return features(asked, view, ctx, 0)[INDEX["measure_near"]]

    bridge = near("The council voted to build a 140-metre footbridge across the harbour.")
    debate = near("The council approved the plan after a debate that lasted almost three hours.")
    assert bridge > debate > 0.0
    assert near("The council approved the plan.") == 0.0
