"""Questions about the news itself are told apart from questions about a story."""

from __future__ import annotations

import pytest

from retrieval.answering.overview import asks_for_news, news_subject, stories_about
from retrieval.core.types import Chunk, Hit


@pytest.mark.parametrize(
    "question",
    ["What's the latest news?", "What happened?", "Any news today?", "Tell me the headlines", "What's new?",
     "What are the top stories?", "Summarize the news", "Give me today's briefing", "What are the articles about?"],
)
def test_a_question_with_no_subject_of_its_own_asks_for_the_news(question):
    assert asks_for_news(question)


@pytest.mark.parametrize(
    "question",
    ["What is the latest on Syria?", "Any news about the tram strike?", "What happened to the footbridge?",
     "Who won?", "", "Summarize the article about the tram strike", "What did the article say about Iran?"],
)
def test_a_question_about_a_story_or_a_thing_does_not(question):
    assert not asks_for_news(question)


@pytest.mark.parametrize(
    ("question", "subject"),
    [("latest news on Yukos", "Yukos"), ("What's the latest on Syria?", "Syria"),
     ("Any news about the tram strike?", "the tram strike"), ("What's new with Apple?", "Apple"),
     ("Any updates on the Airbus deal this week?", "the Airbus deal"), ("Tell me about Yukos", "Yukos"),
     ("What's happening with the Airbus deal?", "the Airbus deal"), ("Yukos news", "Yukos"),
     ("Airbus latest this week", "Airbus")],
)
def test_a_request_for_the_news_about_something_names_its_subject(question, subject):
    assert news_subject(question, ["this week"]) == subject


@pytest.mark.parametrize(
    "question",
    ["What's the latest news?", "What is the latest death toll of the Valderra floods?",
     "The News From Paraguay author National Book Award fiction winner", "What did the news agency say about Iran?",
     "Who broke the news to the minister?", "news about today", "Tell me about how Iran evacuated people",
     "Is there any good news", "The good news", "Did Yukos make the news?", "What is the latest"],
)
def test_other_questions_name_no_news_subject(question):
    assert news_subject(question, ["today"]) is None


def _hit(doc_id: str, text: str, day: str | None) -> Hit:
    chunk = Chunk(f"{doc_id}-0", doc_id, 0, text, 0, len(text), f"Story {doc_id}", f"{doc_id}.txt", day)
    return Hit(chunk, 1.0)


def test_the_stories_about_a_subject_hold_its_names_as_written_and_come_newest_first():
    hits = [
        _hit("a", "Talks were marred by rain. The weather was poor.", "2025-03-20"),  # "marred" is no "Mars"
        _hit("b", "The Mars rover sent new pictures. Dust storms changed the weather on Mars.", "2025-03-18"),
        _hit("c", "A probe to Mars was approved. Its weather station is built in Leeds.", "2025-03-19"),
    ]
    stories = stories_about("the weather on Mars", hits, lambda doc_id: next(
        h.chunk for h in hits if h.chunk.doc_id == doc_id), None)
    assert [s.chunk.doc_id for s in stories] == ["c", "b"]
    assert stories[1].sentence == "Dust storms changed the weather on Mars."
    assert stories_about("Jupiter", hits, lambda doc_id: None, None) == []
    same = stories_about("The weather on Mars", hits, lambda doc_id: next(  # "The" typed capitalised is no name
        h.chunk for h in hits if h.chunk.doc_id == doc_id), None)
    assert [s.chunk.doc_id for s in same] == ["c", "b"]
