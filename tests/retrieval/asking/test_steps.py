"""The question flow's four steps, each run alone on the seed article: understand, retrieve, answer, finish."""

from __future__ import annotations

from datetime import date

import pytest

from retrieval.asking.answer import Answering
from retrieval.asking.conversation import Conversation
from retrieval.asking.finish import Finisher
from retrieval.asking.query import Query
from retrieval.asking.retrieve import Retriever
from retrieval.asking.understand import Intent, route, understand


def test_understand_makes_a_follow_up_self_contained_and_reads_its_time_words(seeded):
    talk = Conversation()
    seeded.ask("When did the Assad government fall?", conversation=talk)
    understood = understand(seeded, Query("  and where was their   stronghold last week?", conversation=talk,
                                          reference=date(2024, 12, 27)))
    assert understood.question == "and where was their stronghold last week?"
    assert not understood.follow.fresh and "Assad" in understood.follow.searched
    assert understood.scope is not None and understood.filters.since == "2024-12-16"
    assert "last week" not in understood.search_text


@pytest.mark.parametrize(
    ("question", "intents"),
    [
        ("thanks!", [Intent.SMALL_TALK]),
        ("Wann fiel die Regierung Assad?", [Intent.LANGUAGE]),
        ("What's the latest news?", [Intent.OVERVIEW, Intent.QUESTION]),
        ("latest news on Khmeimim", [Intent.ABOUT, Intent.QUESTION]),
        ("Who led the armed groups?", [Intent.QUESTION]),
    ],
)
def test_the_route_names_the_answerers_a_question_is_for(seeded, question, intents):
    query = Query(question)
    got = Retriever(seeded)(understand(seeded, query), query)
    assert route(seeded, got) == intents


def test_retrieve_finds_the_passage_and_answer_quotes_it(seeded):
    query = Query("Which air base did the evacuees fly through?")
    got = Retriever(seeded)(understand(seeded, query), query)
    assert got.hits and "Khmeimim" in got.hits[0].chunk.text
    answer = Answering(seeded)(got, query).result()
    assert answer.found and "Khmeimim Air Base" in answer.answer


def test_finish_offers_the_spelling_with_a_decline_and_records_the_turn(seeded):
    talk = Conversation()
    query = Query("How many tanks did Khmeimin lose?", conversation=talk)
    got = Retriever(seeded)(understand(seeded, query), query)
    declined = Answering(seeded)(got, query).result()
    assert not declined.found and declined.suggestion is None  # the answerer declines; finishing adds the rest
    finished = Finisher(seeded)(declined, got, talk, 0.0)
    assert finished.suggestion == "How many tanks did Khmeimim lose?"
    assert finished.question == "How many tanks did Khmeimin lose?" and len(talk.history) == 1
