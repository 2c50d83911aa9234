"""Small talk gets a reply that says what the bot does, not a decline quoting unrelated passages."""

from __future__ import annotations

import pytest

from retrieval.answering.smalltalk import small_talk


@pytest.mark.parametrize(("text", "kind"), [
    ("hi", "greeting"), ("Hello there!", "greeting"), ("hey bot", "greeting"), ("Good morning", "greeting"),
    ("thanks!", "thanks"), ("Thank you very much.", "thanks"), ("ok thanks", "thanks"), ("cheers", "thanks"),
    ("ok", "ack"), ("Okay, got it.", "ack"), ("i see", "ack"), ("great", "ack"), ("bye!", "bye"),
    ("Goodbye", "bye"), ("help", "help"), ("What can you do?", "help"), ("who are you?", "help"),
])
def test_words_to_the_bot_are_small_talk(text, kind):
    assert small_talk(text) == kind


@pytest.mark.parametrize("text", [
    "Hi, who led the offensive?", "Who helped the Syrian army?", "Thanks to whom did the rebels win?",
    "hello world programming news", "What can you do about inflation, minister?", "Who are you voting for?",
    "Great Britain's trade deficit", "ok who won the election?", "Sure Start funding", "good news for Airbus?",
])
def test_questions_that_open_with_such_words_are_not(text):
    assert small_talk(text) is None
