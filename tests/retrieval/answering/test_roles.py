"""Role questions: which questions ask for a role holder, and which names in a sentence hold the role."""

from __future__ import annotations

import pytest

from retrieval.answering.question import profile
from retrieval.answering.roles import asked_role, role_names
from retrieval.answering.spans import short_answer


@pytest.mark.parametrize(
    ("question", "word"),
    [
        ("Who runs the miner?", "chief executive"),
        ("Who heads it?", "chief executive"),
        ("Who chairs the company?", "chairman"),
        ("Who founded the web portal?", "founder"),
        ("Who speaks for the studio?", "spokesman"),
        ("Who is its spokeswoman?", "spokeswoman"),
        ("Who is the club's physio?", "physio"),
        ("Who is the home side's manager?", "boss"),
        ("Who coaches the team?", "coach"),
        ("Who is directing it?", "director"),
        ("Which health minister announced them?", "minister"),
        ("And who leads the party he quit?", "leader"),
    ],
)
def test_role_questions_ask_for_the_words_an_article_uses(question, word):
    assert word in asked_role(question)


@pytest.mark.parametrize(
    "question",
    [
        "Who scored the winner?",
        "Which player's paperwork got the club kicked out?",
        "Which film did the director make?",
        "How much did the chief executive earn?",
        "Whom does she face in the first round?",
        "Who ran in the Pumas' early try against Ireland?",  # ran in a try: no one runs the try
    ],
)
def test_other_questions_do_not_ask_for_a_role(question):
    assert asked_role(question) == frozenset()


@pytest.mark.parametrize(
    ("question", "sentence", "holder"),
    [
        ("Who chairs the company?", "BA chairman Martin Broughton said fuel costs were rising.", "Martin Broughton"),
        ("Who runs it?", "The company, led by new chief executive Gerry Spindler, hopes to recover.", "Gerry Spindler"),
        (
            "Who chairs it?",
            'Antonio "LA" Reid, chairman of The Island Def Jam Music Group, said so.',
            'Antonio "LA" Reid',
        ),
        ("Which health minister announced them?", "Welsh Health Minister Jane Hutt said so.", "Jane Hutt"),
        ("Who is its spokeswoman?", "Party spokeswoman for women Sandra Gidley said no.", "Sandra Gidley"),
        ("Who founded it?", "It was set up by students David Filo and Jerry Yang in 1994.", "David Filo"),
        ("Who is its chief operating officer?", "said Ken Kutaragi, chief operating officer of Sony.", "Ken Kutaragi"),
        (  # "Northern" describes a side, and the holder of a possessive is its owner
            "Who coaches the Southern Hemisphere side against Woodward's team?",
            "Sir Clive Woodward will coach the Northern team against Rod Macqueen's Southern Hemisphere team.",
            "Rod Macqueen",
        ),
    ],
)
def test_the_name_next_to_the_role_word_holds_the_role(question, sentence, holder):
    spans = role_names(sentence, asked_role(question), profile(question).words)
    assert spans and sentence[spans[0][0] : spans[0][1]] == holder
    assert short_answer(profile(question), sentence) == holder


def test_a_name_far_from_the_role_word_or_after_of_does_not_hold_it():
    role = asked_role("Who chairs it?")
    assert role_names("The chairman said on Friday that Peter Smith, a lawyer from Leeds, had resigned.", role) == []
    assert role_names("He is chairman of Northern Rail.", role) == []
    assert role_names("The French coach was unhappy with the referee.", asked_role("Who coaches them?")) == []
