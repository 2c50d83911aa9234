"""A question in a language the articles are not written in is told so, not answered from a random passage."""

from __future__ import annotations

import pytest

from retrieval.answering.language import foreign_question
from retrieval.text import terms

ENGLISH_ARTICLES = set(terms(
    "All these people were transported to Iran through Khmeimim Air Base. Armed groups led by Hayat Tahrir "
    "al-Sham launched an offensive from Idlib. Iran and Russia cooperate in fighting terrorism."
))
GERMAN_ARTICLES = set(terms("Die Menschen wurden über den Stützpunkt Khmeimim evakuiert, sagte der Sprecher."))


@pytest.mark.parametrize("question", [
    "Wer wurde über Khmeimim evakuiert?", "Qui a été évacué par Khmeimim?", "¿Quién dirigió la ofensiva?",
    "Кто был эвакуирован через Хмеймим?", "Chi ha guidato l'offensiva? Quando è stato?",
])
def test_questions_in_other_languages_are_recognised(question):
    assert foreign_question(question, ENGLISH_ARTICLES.__contains__)


@pytest.mark.parametrize("question", [
    "who evacuated via Khmeimim?", "Who is Ana de la Cruz?", "Where is Le Havre?", "Did Iran and Russia cooperate?",
    "Los Angeles Lakers score", "hi",
])
def test_english_questions_with_foreign_names_are_not(question):
    assert not foreign_question(question, ENGLISH_ARTICLES.__contains__)


def test_a_collection_in_that_language_answers_it_as_any_question():
    assert not foreign_question("Wer wurde über Khmeimim evakuiert?", GERMAN_ARTICLES.__contains__)
