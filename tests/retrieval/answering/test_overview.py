"""Questions about the news itself are told apart from questions about a story."""

from __future__ import annotations

import pytest

from retrieval.answering.overview import asks_for_news


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
