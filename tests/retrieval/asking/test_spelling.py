"""'Did you mean ...?': a misspelt name is offered as the articles spell it, with the decline, never answered."""

from __future__ import annotations

from retrieval.asking.spelling import suggest
from retrieval.core.text import terms

PASSAGES = [
    "Chelsea winger Arjen Robben will be out for six weeks with a broken foot.",
    "Robin Hood was filmed in the forest.",
    "Prime Minister Tony Blair said the Iraq war was right.",
    "Sir Peter Blake painted the album cover.",
    "Carwyn Jones spoke in Cardiff.",
    "Ale sales rose at the Cardiff brewery.",
    "The Australian open was won in Australia by an Australian.",
    "All these people were transported to Iran through Khmeimim Air Base.",
]
DF: dict[str, int] = {}
for passage in PASSAGES:
    for term in set(terms(passage)):
        DF[term] = DF.get(term, 0) + 1


def surface(term: str) -> str | None:
    for passage in PASSAGES:
        for word in passage.replace(".", " ").split():
            if terms(word) == [term]:
                return word
    return None


def best_passage(text: str) -> tuple[float, frozenset[str]]:
    asked = set(terms(text))
    scored = [(len(asked & set(terms(p))), frozenset(terms(p))) for p in PASSAGES]
    return max(scored, key=lambda s: s[0])


def test_a_misspelt_name_is_offered_as_the_articles_spell_it():
    assert suggest("who evacuated via Kmeimim?", DF, surface, best_passage) == "who evacuated via Khmeimim?"
    assert suggest("How long will Arjen Roben be out?", DF, surface, best_passage) == \
        "How long will Arjen Robben be out?"  # not "Robin": Robben stands with Arjen
    assert suggest("What did Tony Blare say about Iraq?", DF, surface, best_passage) == \
        "What did Tony Blair say about Iraq?"  # not "Blake", one letter nearer but never with Tony
    # typed in lower case, as people type in chats, or four letters long: once never offered
    assert suggest("who evacuated via kmeimim?", DF, surface, best_passage) == "who evacuated via Khmeimim?"
    assert suggest("What did Tony Blar say?", DF, surface, best_passage) == "What did Tony Blair say?"
    assert suggest("what did tony blare say?", DF, surface, best_passage) == "what did tony Blair say?"  # not Blake
    assert suggest("Which Austalian won?", DF, surface, best_passage) == "Which Australian won?"  # the nearest


def test_names_spelt_right_or_unlike_any_and_ordinary_words_get_no_suggestion():
    assert suggest("How long will Arjen Robben be out?", DF, surface, best_passage) is None
    assert suggest("What did Jeremy Corbyn say?", DF, surface, best_passage) is None  # no "Jeremy Carwyn"
    assert suggest("Who was transportd to Iran?", DF, surface, best_passage) is None  # no lexicon: names only
    assert suggest("What did the Ivorian leader say?", DF, surface, best_passage) is None
    assert suggest("What's new with Apple?", DF, surface, best_passage) is None  # once "What's new with Ale?"
    assert suggest("who was transportd to iran?", DF, surface, best_passage) is None
    assert suggest("Is Bluk coming?", DF, surface, best_passage) is None  # four letters: one letter off at most


LEXICON = {w: n for n, w in enumerate(reversed("who the group was evacuated evacuate transported bride grupo".split()))}


def spellings(term: str) -> list[str]:
    return [w for p in PASSAGES for w in p.replace(".", " ").split() if terms(w) == [term]]


def test_every_misspelt_word_is_corrected_names_and_ordinary_words_alike():
    def fix(question: str) -> str | None:
        return suggest(question, DF, surface, best_passage, spellings, LEXICON)

    # once "who evacuatd via Khmeimim?": only the name was corrected; "evacuated" is in no passage, so the
    # nearest English word the model knows is taken
    assert fix("who evacuatd via Khmeimin?") == "who evacuated via Khmeimim?"
    assert fix("who was transportd to iran via Kmeimim?") == "who was transported to iran via Khmeimim?"  # as written
    assert fix("Evacuatd via Kmeimim?") == "Evacuated via Khmeimim?"  # capitalised only to open the question
    assert fix("Which grup was transportd?") == "Which group was transported?"  # the commonest nearest word
    assert fix("Who was the bride?") is None  # an English word the articles do not use is no typo
    assert fix("How long will Arjen Robben be out?") is None


def test_the_bot_offers_the_question_with_every_word_spelled_right(seeded):
    answer = seeded.ask("who evacuatd via Khmeimin?")
    assert not answer.found and answer.suggestion == "who evacuated via Khmeimim?"
