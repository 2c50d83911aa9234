"""What a question asks for: its kind, and the names, figures and periods it already holds."""

from __future__ import annotations

import pytest

from retrieval.answering.question import kind_of, profile, with_compounds


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("Who spoke to IRNA on Friday?", "who"),
        ("Which company bought the carmaker's stake?", "who"),
        ("When did the Assad government fall?", "when"),
        ("In what year did the band form?", "when"),
        ("How many jobs did US firms add in January?", "how_many"),
        ("How much did Time Warner's profit rise?", "how_many"),
        ("What percentage of voters backed the bill?", "how_many"),
        ("Where was their stronghold?", "where"),
        ("Which country cooperated with Iran?", "where"),
        ("Why did the dollar fall?", "why"),
        ("How did the daughter find him?", "how"),
        ("Name the firms that developed the Cell chip", "list"),
        ("Which towns fell before the capital?", "list"),
        ("What is the name of the new party?", "which"),
        ("What did the minister say about growth?", "what"),
        ("euro zone growth 2004", "search"),
        ("Time Warner quarterly profit rise", "search"),
    ],
)
def test_kinds(question, kind):
    assert kind_of(question) == kind


def test_profile_holds_names_figures_years_and_quarters():
    asked = profile("Did Yukos pay $3.4bn in the third quarter of 2004, as Gazprom said?")
    assert {"Yukos", "Gazprom"} <= set(asked.names)
    assert "3.4" in asked.numbers
    assert asked.years == {"2004"} and asked.quarters == {"3"}


def test_any_text_profiles_without_error():
    for text in ["", "?", "🙂🙂", "שלום עולם", "<b>x</b> & <a href='y'>", "a" * 10_000, "\x00\x07 when"]:
        assert profile(text).kind in {"who", "when", "where", "why", "how", "how_many", "list", "which", "what",
                                      "search"}


def test_a_compound_the_collection_writes_apart_brings_its_parts():
    known = {"air", "base", "web", "site", "evacu"}.__contains__
    asked = with_compounds(profile("Which airbase was used for the evacuation?"), known)
    assert {"air", "base"} <= asked.terms and asked.focus == "air base"
    assert with_compounds(profile("Which website was hacked?"), known).terms >= {"web", "site"}
    # a word the collection uses is left whole, and so is one whose parts it does not use
    assert with_compounds(profile("Which base was used?"), known) == profile("Which base was used?")
    assert with_compounds(profile("Which stockmarket fell?"), known) == profile("Which stockmarket fell?")
