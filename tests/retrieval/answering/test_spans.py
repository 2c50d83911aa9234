"""The short answer is the fact of the asked kind that the question does not already hold, next to its words."""

from __future__ import annotations

import pytest

from retrieval.answering.question import profile
from retrieval.answering.spans import short_answer

SENTENCE = ("Bashar al-Assad government fell on December 8, in the day after armed groups, led by Hayat Tahrir "
            "al-Sham (HTS) entered the capital Damascus and took control of the city.")


@pytest.mark.parametrize(
    ("question", "sentence", "short"),
    [
        ("Which group led the fighters into Damascus?", SENTENCE, "Hayat Tahrir al-Sham"),
        ("When did the Assad government fall?", SENTENCE, "December 8"),
        ("How many jobs did US firms add in January?",
         "US firms added 146,000 jobs in January, the Labor Department said.", "146,000"),
        ("Who is investigating the allegations?", "The claims are being investigated by Sir Alan Budd.",
         "Sir Alan Budd"),
        ("Where did the band play on Monday?", "The band played in Sheffield on Monday night.", "Sheffield"),
    ],
)
def test_short_answers(question, sentence, short):
    found = short_answer(profile(question), sentence)
    assert found == short and found in sentence


def test_no_short_answer_for_why_questions_or_when_nothing_new_fits():
    assert short_answer(profile("Why did the dollar fall?"), "The dollar fell because of the deficit.") is None
    assert short_answer(profile("When did Yukos sell Yuganskneftegaz?"), "Yukos sold Yuganskneftegaz.") is None


def test_the_figure_next_to_what_was_asked_wins():
    sentence = "Sales rose 2% to $11.1bn, while profits jumped 76% to $1.13bn."
    assert short_answer(profile("By how much did profits jump?"), sentence) == "76%"


def test_the_name_holding_the_focus_noun_wins_and_acronyms_give_way_to_the_name():
    sentence = ("All these people were transported to Iran by Iranian planes and through Khmeimim Air Base, "
                "he added.")
    assert short_answer(profile("Through which air base were the Iranians transported?"), sentence) == \
        "Khmeimim Air Base"
    led = "Armed groups, led by Hayat Tahrir al-Sham (HTS) entered the capital Damascus."
    assert short_answer(profile("Who led the armed groups that entered Damascus?"), led) == "Hayat Tahrir al-Sham"


KHMEIMIM = "All these people were transported to Iran by Iranian planes and through Khmeimim Air Base, he added."


def test_a_who_answer_is_not_a_place_nor_a_nationality_word():
    # the README's own question once got "Khmeimim Air Base" as its short answer: better none than a place
    assert short_answer(profile("who evacuated via Khmeimim?"), KHMEIMIM) is None
    said = "Speaking to IRNA on Friday, Esmaeil Baghaei Hamaneh said the advisers were there to help."
    assert short_answer(profile("Who did Esmaeil Baghaei Hamaneh speak to on Friday?"), said) == "IRNA"
    sold = "The club was sold to Malcolm Glazer in May."
    assert short_answer(profile("Who bought the club?"), sold) == "Malcolm Glazer"
    # the chat once answered "Who led the offensive?" with "Idlib" in bold
    offensive = ("That happened less than two weeks after the groups launched an offensive from their stronghold "
                 "in the western province of Idlib, advancing towards other areas of Syria.")
    assert short_answer(profile("Who led the offensive?"), offensive) is None


def test_a_who_answer_is_never_a_day_and_who_is_x_gets_no_short_answer():
    said = "Speaking to IRNA on Friday, Esmaeil Baghaei Hamaneh said the advisers were there to help."
    assert short_answer(profile("Who is Esmaeil Baghaei Hamaneh?"), said) is None  # once "Friday", in bold
    assert short_answer(profile("Who met Hamaneh?"), "On Friday the minister met Hamaneh.") is None
    assert short_answer(profile("Who spoke to IRNA about the advisers?"), said) == "Esmaeil Baghaei Hamaneh"
    assert short_answer(profile("Who is the chief executive of Airbus?"), "Airbus chief executive Noel Forgeard "
                        "said on Monday that orders were strong.") == "Noel Forgeard"
    assert short_answer(profile("Who spoke on Monday?"), "Noel Forgeard said on Monday that orders were strong.") \
        == "Noel Forgeard"


def test_near_keeps_only_a_fact_next_to_a_word_the_question_uses():
    question = profile("who evacuated via Khmeimim?")
    before = ("In response to a question about the number of Iranian nationals transferred from Syria, he said that "
              "these people included the families of diplomats and employees of Iran's diplomatic missions.")
    assert short_answer(question, before) == "Iran"  # a name, but nowhere near "evacuated" or "Khmeimim"
    assert short_answer(question, before, near=30) is None
    led = "Armed groups, led by Hayat Tahrir al-Sham (HTS) entered the capital Damascus."
    assert short_answer(profile("Who led the offensive?"), led, near=30) == "Hayat Tahrir al-Sham"


@pytest.mark.parametrize(
    ("question", "sentence", "short"),
    [
        ("How long is the footbridge?", "The council voted to build a 140-metre footbridge over the river.", "140-metre"),
        ("How old is the winger?", "The 21-year-old missed the first three months of the season.", "21"),
        ("How old was she?", "She was 35 years old when she won the title.", "35"),
        ("How long was he in prison?", "He spent 27 years in prison before his release.", "27 years"),
    ],
)
def test_a_measure_keeps_its_unit_and_an_age_is_the_number_of_years(question, sentence, short):
    assert short_answer(profile(question), sentence) == short
