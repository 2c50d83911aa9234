"""A question in a language the articles are not written in is told so, not answered from a random passage."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from retrieval.answering.language import foreign_question
from retrieval.core.text import terms

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
    # the short way to ask once got "the articles do not answer" while the longer one was told to ask in English
    "Wann fiel die Regierung Assad?", "Wann ist die Regierung von Assad gefallen?", "Wer ist Assad?",
    "Was hat Iran in Syrien getan?", "Quand le gouvernement Assad est-il tombé?", "Où est Assad?",
    "Combien de pèlerins ont été évacués?", "¿Cuándo cayó Assad?", "¿Dónde está Assad?", "¿Por qué cayó Damasco?",
    "Quando è caduto Assad?", "Chi è Assad?", "Come è caduto il governo?", "Wanneer viel Assad?", "Wie is Assad?",
    "Wat gebeurde er met Assad?", "Quem é Assad?", "Onde está Assad?", "O que aconteceu com Assad?",
])
def test_short_questions_in_common_european_languages_are_recognised(question):
    assert foreign_question(question, ENGLISH_ARTICLES.__contains__)


@pytest.mark.parametrize("question", [
    "who evacuated via Khmeimim?", "Who is Ana de la Cruz?", "Where is Le Havre?", "Did Iran and Russia cooperate?",
    "Los Angeles Lakers score", "hi", "Who is Herr Schmidt?", "What did Le Pen say?", "Where is São Paulo?",
    "Was Iran in Syria?", "Van der Sar injured?", "Dove Cameron new film?", "Chi Onwurah resigns?",
    "El Niño effect on harvests", "Al Qaeda leader killed?", "Porto beat Benfica?",
])
def test_english_questions_with_foreign_names_are_not(question):
    assert not foreign_question(question, ENGLISH_ARTICLES.__contains__)


def test_a_collection_in_that_language_answers_it_as_any_question():
    assert not foreign_question("Wer wurde über Khmeimim evakuiert?", GERMAN_ARTICLES.__contains__)


def _question_sets() -> list[str]:
    root = Path(__file__).resolve().parents[3]
    files = [*root.glob("benchmarks/questions/**/*.jsonl"), root / "seeds/eval/questions.jsonl",
             root / "benchmarks/dated/questions.jsonl", *root.glob("benchmarks/dialogues/*.jsonl")]
    rows = [json.loads(line) for path in files for line in path.read_text().splitlines() if line.strip()]
    return [turn["question"] for row in rows for turn in row.get("turns", [row])]


def test_no_question_of_the_question_sets_reads_as_another_language():
    questions = _question_sets()
    assert len(questions) > 2500
    # every word unknown to the collection: only the question's own words can keep it from being flagged
    assert [q for q in questions if foreign_question(q, lambda term: False)] == []


def test_both_ways_to_ask_in_german_get_the_same_reply(seeded):
    replies = {seeded.ask(q).answer for q in ("Wann fiel die Regierung Assad?",
                                              "Wann ist die Regierung von Assad gefallen?")}
    assert len(replies) == 1 and "in English" in replies.pop()
