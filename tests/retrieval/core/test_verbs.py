"""Verb forms for rewriting a follow-up: a base form only where the spelling tells it."""

from __future__ import annotations

from retrieval.core.verbs import base_form, is_verb


def test_base_forms_of_past_and_present_verbs():
    forms = {"led": "lead", "took": "take", "evacuated": "evacuate", "attacked": "attack", "stopped": "stop",
             "carried": "carry", "agreed": "agree", "scored": "score", "declined": "decline", "opened": "open",
             "happened": "happen", "passed": "pass", "runs": "run", "goes": "go", "carries": "carry"}
    assert {verb: base_form(verb) for verb in forms} == forms
    assert base_form("visited") is None and base_form("united") is None  # "visit" or "visite": the caller keeps it


def test_nouns_are_not_verbs():
    assert is_verb("led") and is_verb("runs") and not is_verb("group") and not is_verb("news")
