"""Follow-ups: scripted dialogues over the seed article, with the real index, and the rewriting rules."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from retrieval.conversation import Conversation, Conversations, names_in, strip_context
from retrieval.types import Answer

DIALOGUES = json.loads((Path(__file__).parent / "dialogues.json").read_text())


def passage_text(answer: Answer) -> str:
    return " ".join(c.quote for c in answer.citations)


@pytest.mark.parametrize("dialogue", DIALOGUES, ids=[d["name"] for d in DIALOGUES])
def test_dialogue_turns_retrieve_the_right_passage(seeded, dialogue):
    conversation = Conversation()
    for turn in dialogue["turns"]:
        answer = seeded.ask(turn["q"], conversation=conversation)
        assert (answer.searched is not None) == turn["rewrite"], (turn["q"], answer.searched)
        if turn["expect"] is None:
            assert not answer.found, turn["q"]
        else:
            assert answer.found and turn["expect"] in passage_text(answer), (turn["q"], answer.answer)


def _turn(conversation: Conversation, question: str, answer_text: str) -> None:
    searched = conversation.rewrite(question)
    conversation.record(question, searched, Answer(question, answer_text, True))


def test_a_pronoun_follow_up_inherits_names_and_topic():
    conv = Conversation()
    _turn(conv, "When did the Assad government fall?", "The government fell after HTS entered Damascus. [1]")
    searched = conv.rewrite("Where was their stronghold?")
    assert searched.startswith("Where was their stronghold?")
    assert "Assad" in searched and "HTS" in searched and "Damascus" in searched
    assert strip_context(searched) == "Where was their stronghold?"


def test_an_ellipsis_replaces_the_last_name_of_the_previous_question():
    conv = Conversation()
    _turn(conv, "When did the rebels take Aleppo?", "They took Aleppo in late November. [1]")
    assert conv.rewrite("what about Hama?") == "When did the rebels take Hama?"
    assert conv.rewrite("and Homs?") == "When did the rebels take Homs?"


def test_a_question_with_its_own_subject_is_left_alone():
    conv = Conversation()
    _turn(conv, "Who led the offensive in Syria?", "HTS led it. [1]")
    for question in ("What is the capital of France?", "Did Russia keep its bases?"):
        assert conv.rewrite(question) == question


def test_no_history_no_rewrite_and_reset_forgets():
    conv = Conversation()
    assert conv.rewrite("Where was their stronghold?") == "Where was their stronghold?"
    _turn(conv, "When did the Assad government fall?", "It fell on December 8. [1]")
    conv.reset()
    assert conv.rewrite("Where was their stronghold?") == "Where was their stronghold?"


def test_history_is_bounded_and_conversations_are_kept_apart():
    conv = Conversation(max_turns=2)
    for i in range(5):
        _turn(conv, f"What happened in Town{i}?", "Nothing. [1]")
    assert len(conv.history) == 2
    chats = Conversations(max_turns=2, max_conversations=2)
    chats.get(1).record("Q about Idlib?", "Q about Idlib?", None)
    assert chats.get(2).history == deque_empty() and len(chats.get(1).history) == 1
    chats.get(3)
    assert len(chats.get(2).history) == 0 and len(chats.get(1).history) == 0  # 1 was the least recently used


def test_conversations_are_capped_and_forgotten_after_an_idle_hour():
    now = [0.0]
    chats = Conversations(max_turns=2, max_conversations=100, max_age=3600, clock=lambda: now[0])
    for chat in range(1000):
        chats.get(chat).record("Who led the groups?", "Who led the groups?", None)
    assert len(chats) == 100  # a thousand chats, a hundred kept: the most recent
    assert len(chats.get(999).history) == 1 and len(chats.get(0).history) == 0
    now[0] = 1800.0
    chats.get(998)  # used again: its hour starts over
    now[0] = 3700.0
    assert len(chats) == 1  # every other conversation was idle for an hour
    assert len(chats.get(998).history) == 1 and len(chats.get(999).history) == 0


def deque_empty():
    from collections import deque

    return deque()


def test_names_skip_question_words():
    assert names_in("Which group led Hayat Tahrir al-Sham into Damascus?") == ["Hayat Tahrir al-Sham", "Damascus"]
