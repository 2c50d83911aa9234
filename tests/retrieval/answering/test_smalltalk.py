"""Small talk gets a reply that says what the bot does, not a decline quoting unrelated passages."""

from __future__ import annotations

import pytest

from retrieval.answering.smalltalk import small_talk


@pytest.mark.parametrize(("text", "kind"), [
    ("hi", "greeting"), ("Hello there!", "greeting"), ("hey bot", "greeting"), ("Good morning", "greeting"),
    ("thanks!", "thanks"), ("Thank you very much.", "thanks"), ("ok thanks", "thanks"), ("cheers", "thanks"),
    ("help", "help"), ("What can you do?", "help"), ("who are you?", "help"),
])
def test_words_to_the_bot_are_small_talk(text, kind):
    assert small_talk(text) == kind


@pytest.mark.parametrize("text", [
    "Hi, who led the offensive?", "Who helped the Syrian army?", "Thanks to whom did the rebels win?",
    "hello world programming news", "What can you do about inflation, minister?", "Who are you voting for?",
])
def test_questions_that_open_with_such_words_are_not(text):
    assert small_talk(text) is None
