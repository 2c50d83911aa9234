"""Follow-ups: scripted dialogues over the seed article, with the real index, and the rewriting rules."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from retrieval.asking.conversation import Conversation, Conversations, names_in, strip_context
from retrieval.asking.retrieve import prefer_story
from retrieval.core.types import Answer, Chunk, Hit
from tests.conftest import CARMAKERS

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


def test_a_possessive_before_a_new_name_points_back_one_after_it_points_inside():
    conv = Conversation()
    _turn(conv, "Where did Oliver Stone's Alexander enter the US chart?", "Alexander entered at number six. [1]")
    searched = conv.rewrite("What award was its director given in Sweden?")
    assert strip_context(searched) == "What award was its director given in Sweden?" and "Alexander" in searched
    assert conv.rewrite("Did Sweden give its award to Stone?") == "Did Sweden give its award to Stone?"


def test_words_about_the_news_itself_are_not_carried_into_a_follow_up():
    conv = Conversation()
    _turn(conv, "What's the latest news?", "Tram drivers in Riverton voted to walk out for two days. [1]")
    searched = conv.rewrite("Why are the drivers striking?")
    assert "latest" not in searched and "news" not in searched


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


# ---- definite descriptions, new names, roles, ellipses, the story --------------------------------------------
BMW = (
    "German car maker BMW is to recall cars fitted with a faulty pump supplied by parts maker Robert Bosch. "
    "Chief executive Helmut Panke said the recall would cost little."
)


def _cited(conversation: Conversation, question: str, answer_text: str, doc_id: str) -> None:
    """A turn whose answer cites article ``doc_id``."""
    from retrieval.core.types import Citation

    searched = conversation.follow_up(question).searched
    citation = Citation(1, doc_id, "title", None, "source", answer_text, 1.0)
    conversation.record(question, searched, Answer(question, answer_text, True, citations=[citation]))


def test_a_definite_description_refers_to_the_story_and_is_replaced_by_the_name_it_fits():
    conv = Conversation()
    _cited(
        conv, "Why is BMW recalling diesel cars?", "BMW is to recall cars with a pump made by Robert Bosch. [1]", "bmw"
    )
    follow = conv.follow_up("Which plant will the German carmaker shut?", {"bmw": BMW}.get)
    assert not follow.fresh and follow.story == {"bmw": 1.0}
    assert follow.searched.startswith("Which plant will BMW shut?")
    assert "Robert Bosch" in follow.searched  # the other names of the story still steer the search
    possessive = conv.follow_up("How far did the carmaker's shares fall?", {"bmw": BMW}.get)
    assert possessive.searched.startswith("How far did BMW's shares fall?")
    assert strip_context(possessive.searched) == "How far did BMW's shares fall?"


BOX_OFFICE = (
    "De Niro back on top with Hide and Seek\nRobert De Niro has returned to the top of the box office with his "
    "film Hide and Seek, which took $22m. Hide And Seek was first. Clint Eastwood's Million Dollar Baby took $11.8m."
)
SUMMIT = (
    "Russia and China sign energy deal\nRussia will supply oil to China. Russia and China agreed the price on Monday."
)


def test_an_ellipsis_replaces_a_title_with_and_in_it_whole_but_two_names_one_at_a_time():
    film = Conversation()
    _cited(film, "How much did the thriller Hide and Seek take?", "Hide and Seek took $22m. [1]", "film")
    follow = film.follow_up("And Million Dollar Baby?", {"film": BOX_OFFICE}.get)
    assert strip_context(follow.searched) == "How much did the thriller Million Dollar Baby take?"
    summit = Conversation()
    _cited(summit, "What did Russia and China agree?", "They agreed the price. [1]", "deal")
    follow = summit.follow_up("And India?", {"deal": SUMMIT}.get)
    assert strip_context(follow.searched) == "What did Russia and India agree?"


FILM = (
    "Actor Tom Hanks and director Ron Howard are reuniting for The Lantern Code, an adaptation of a novel by "
    "Dana Brook. Hanks will play the professor at the centre of the story."
)


def test_two_definite_descriptions_in_one_question_are_both_resolved():
    conv = Conversation()
    _cited(
        conv, "Who will star in The Lantern Code?", "Actor Tom Hanks and director Ron Howard are reuniting. [1]", "film"
    )
    follow = conv.follow_up("Which films have the actor and the director made together?", {"film": FILM}.get)
    assert strip_context(follow.searched) == "Which films have Tom Hanks and Ron Howard made together?"


def test_a_question_that_asks_whom_a_description_names_keeps_the_description():
    conv = Conversation()
    _cited(
        conv, "Who will star in The Lantern Code?", "Actor Tom Hanks and director Ron Howard are reuniting. [1]", "film"
    )
    follow = conv.follow_up("Who is the director?", {"film": FILM}.get)
    assert strip_context(follow.searched) == "Who is the director?"  # not "Who is Ron Howard?"
    assert not follow.fresh and "Tom Hanks" in follow.searched  # still searched within the story
    other = conv.follow_up("What has the director made before?", {"film": FILM}.get)
    assert strip_context(other.searched) == "What has Ron Howard made before?"


def test_a_nationality_word_before_a_plural_noun_is_not_a_person():
    conv = Conversation()
    _turn(
        conv,
        "What stake does Malcolm Glazer own in Manchester United?",
        "Malcolm Glazer owns 28.1% of Manchester United. [1]",
    )
    follow = conv.follow_up("And the two Irish shareholders?")
    assert "Malcolm Glazer shareholders" not in follow.searched
    assert strip_context(follow.searched) == "What about the two Irish shareholders?"
    assert strip_context(conv.follow_up("What did the American say?").searched) == "What did Malcolm Glazer say?"


def test_a_description_without_the_articles_still_refers_back():
    conv = Conversation()
    _turn(conv, "When did the Assad government fall?", "It fell when HTS entered Damascus. [1]")
    searched = conv.rewrite("What did the group say?")
    assert searched.startswith("What did the group say? (") and "HTS" in searched


def test_nationality_words_titles_and_dates_are_not_new_names():
    conv = Conversation()
    _turn(conv, "How long will Arjen Robben be out?", "Chelsea winger Arjen Robben will miss six weeks. [1]")
    for question in (
        "How old is the Dutchman?",
        "What did the French carmaker say?",
        "Which seat does the MP represent?",
        "What happened to the South Korean firm in January?",
    ):
        assert not conv.follow_up(question).fresh, question
    assert names_in("Who beat the Swiss star on Monday?") == []


def test_a_new_name_of_its_own_starts_afresh():
    conv = Conversation()
    _cited(conv, "Why is BMW recalling diesel cars?", "BMW is to recall cars. [1]", "bmw")
    for question in ("What did the French carmaker Renault say?", "How much did Ryanair make?"):
        follow = conv.follow_up(question, {"bmw": BMW}.get)
        assert follow.fresh and follow.searched == question and not follow.story


def test_a_name_already_said_in_the_conversation_is_not_new():
    conv = Conversation()
    _cited(conv, "Why is BMW recalling diesel cars?", "The pumps came from Robert Bosch. [1]", "bmw")
    follow = conv.follow_up("Will Bosch pay for the recall?")
    assert not follow.fresh and follow.story == {"bmw": 1.0}


def test_a_new_name_with_a_pronoun_follows_up_when_the_story_mentions_it():
    conv = Conversation()
    _cited(conv, "Why is BMW recalling diesel cars?", "BMW is to recall cars. [1]", "bmw")
    follow = conv.follow_up("Who builds it in Germany?", {"bmw": BMW + " Its plants are in Germany."}.get)
    assert not follow.fresh
    assert conv.follow_up("Who builds it in Italy?", {"bmw": BMW}.get).fresh
    assert conv.follow_up("What did Bavaria say about its plants?", {"bmw": BMW + " In Bavaria."}.get).fresh


def test_role_follow_ups_search_the_role_words_too():
    conv = Conversation()
    _cited(conv, "How much did UK Coal lose in 2004?", "UK Coal lost £51.6m. [1]", "coal")
    searched = conv.rewrite("Who runs the miner?")
    assert "UK Coal" in searched and "chief executive" in searched
    assert "chairman" in conv.rewrite("Who chairs it?")
    assert "founder" in conv.rewrite("And who founded it?")
    assert strip_context(conv.rewrite("And who founded it?")) == "Who founded it?"


def test_ellipses_with_a_new_time_or_a_new_thing():
    conv = Conversation()
    _turn(conv, "What net profit did Lufthansa make in 2004?", "Lufthansa made a net profit of 400m euros. [1]")
    assert strip_context(conv.rewrite("And the year before?")) == "What net profit did Lufthansa make the year before?"
    assert strip_context(conv.rewrite("And in 2002?")) == "What net profit did Lufthansa make in 2002?"
    dividend = conv.rewrite("And the dividend?")
    assert strip_context(dividend) == "What about the dividend?" and "Lufthansa" in dividend
    assert strip_context(conv.rewrite("And who chairs the airline?")).startswith("Who chairs")


def test_a_question_word_alone_asks_it_of_the_previous_question():
    conv = Conversation()
    _turn(conv, "When did the Assad government fall?", "The government fell on December 8. [1]")
    assert strip_context(conv.rewrite("where?")) == "Where did the Assad government fall?"
    assert strip_context(conv.rewrite("And why exactly?")) == "Why did the Assad government fall?"
    _turn(conv, "Did Iran leave Syria?", "Iran's advisers withdrew from Syria. [1]")
    assert strip_context(conv.rewrite("why?")) == "Why did Iran leave Syria?"
    _turn(conv, "Which group led the offensive?", "It was led by HTS. [1]")
    assert strip_context(conv.rewrite("When?")) == "When did that group lead the offensive?"  # was "When: which ..."
    assert conv.rewrite("Where is it?") != "Where: which group led the offensive?"


@pytest.mark.parametrize(("question", "asked", "reads"), [
    ("Who led the fighters?", "when?", "When did they lead the fighters?"),  # was "When: who led the fighters?"
    ("Who was evacuated?", "how?", "How were they evacuated?"),  # was "How was evacuated?"
    ("Who was evacuated?", "by whom?", "By whom were they evacuated?"),
    ("Who was evacuated?", "how many?", "How many were evacuated?"),
    ("Who has resigned?", "why?", "Why have they resigned?"),
    ("Who will replace him?", "when?", "When will they replace him?"),
    ("Who runs the company?", "since when?", "Since when do they run the company?"),
    ("What caused the crash?", "when?", "When did it cause the crash?"),
    ("Which armed group took Aleppo?", "when?", "When did that armed group take Aleppo?"),
    ("Which players were injured?", "how?", "How were those players injured?"),
    ("Who scored the winner?", "when?", "When did they score the winner?"),
    ("Who visited Damascus?", "when?", "When was it that they visited Damascus?"),  # "visit" or "visite"?
    ("Which city did the rebels take?", "when?", "When did the rebels take that city?"),
    ("Who did the fighters support?", "why?", "Why did the fighters support them?"),
])
def test_a_question_word_alone_after_a_question_for_its_subject_reads_as_a_question(question, asked, reads):
    conv = Conversation()
    _turn(conv, question, "The articles say so. [1]")
    assert strip_context(conv.rewrite(asked)) == reads


def test_an_ellipsis_puts_the_new_name_in_the_last_question_or_searches_its_words():
    conv = Conversation()
    _turn(conv, "When did the Assad government fall?", "The government fell on December 8. [1]")
    _turn(conv, "where was their stronghold?", "Their stronghold was Idlib. [1]")
    # once "When did the Hama government fall?": a name of a question before the last one
    assert strip_context(conv.rewrite("and Hama?")) == "Where was Hama's stronghold?"
    _turn(conv, "Where were they based?", "In Idlib. [1]")
    assert strip_context(conv.rewrite("and Hama?")) == "Where was Hama based?"
    _turn(conv, "Which group led the fighters?", "Hayat Tahrir al-Sham led them. [1]")
    searched = conv.rewrite("and Hama?")  # no name, no pronoun: its words with the new name, not its names
    assert strip_context(searched) == "What about Hama?" and "fighters" in searched
    assert "Hayat Tahrir al-Sham" not in searched


def test_the_story_is_the_last_and_the_opening_answers_articles_until_a_fresh_question():
    conv = Conversation(story_decay=0.5)
    _cited(conv, "Why is BMW recalling diesel cars?", "BMW is recalling cars. [1]", "bmw")
    _cited(conv, "Which supplier made the pump?", "Robert Bosch made it. [1]", "bosch")
    _cited(conv, "How much will the recall cost?", "It will cost 10m euros. [1]", "cost")
    assert conv.story() == {"cost": 1.0, "bosch": 0.5, "bmw": 1.0}
    _cited(conv, "How much did Ryanair make?", "Ryanair made 200m euros. [1]", "ryanair")
    assert conv.story() == {"ryanair": 1.0}  # a fresh question starts a new story


def _hit(chunk_id: str, doc_id: str) -> Hit:
    return Hit(Chunk(chunk_id, doc_id, int(chunk_id.split("-")[1]), "text", 0, 4, "title", "source"), 0.0)


def test_prefer_story_keeps_the_story_unless_another_article_is_clearly_better():
    story = {"A": 1.0}
    rewritten = [_hit("B-0", "B"), _hit("A-0", "A"), _hit("C-0", "C")]
    typed = [_hit("B-0", "B"), _hit("A-0", "A")]
    within = [_hit("A-0", "A"), _hit("A-1", "A")]
    plain = prefer_story([rewritten, typed], [within, within], {}, 0.0, 5)
    assert [h.chunk.id for h in plain] == ["B-0", "A-0", "A-1", "C-0"]  # fused: found by both runs first
    boosted = prefer_story([rewritten, typed], [within, within], story, 0.3, 5)
    assert [h.chunk.id for h in boosted] == ["A-0", "A-1"]  # below the story's best, only the story is read
    far = [_hit(f"X-{i}", f"X{i}") for i in range(40)] + [_hit("A-0", "A")]
    clearly = [h.chunk.id for h in prefer_story([far, far], [within, within], story, 0.1, 30)]
    # A-0 ranks 41st: only the other articles' passages that still lead it by more than the boost stay ahead
    assert clearly[0] == "X-0" and clearly[-2:] == ["A-0", "A-1"] and len(clearly) == 28


# ---- end to end: the real model on invented articles ------------------------------------------------------------
def test_a_follow_up_about_the_carmaker_stays_on_the_first_story(newsbot):
    newsbot.ingest([CARMAKERS])
    alone = newsbot.ask("How far did the carmaker's shares fall?")
    assert alone.citations[0].title.startswith("Carmaker shares fall")  # alone, the other carmaker's article wins
    assert "7.2%" not in alone.citations[0].quote
    conv = Conversation()
    first = newsbot.ask("Why did Renault cut its profit forecast?", conversation=conv)
    assert first.found and "Renault" in first.answer
    shares = newsbot.ask("How far did the carmaker's shares fall?", conversation=conv)
    assert shares.found and "7.2%" in shares.answer and "3.1%" not in shares.answer
    assert shares.searched is not None and shares.searched.startswith("How far did Renault's shares fall?")
    boss = newsbot.ask("Who runs the company?", conversation=conv)
    assert boss.found and "Anne Lefevre" in boss.answer, boss.answer
    assert "chief executive" in (boss.searched or "")
    fresh = newsbot.ask("How much did Northern Bank's profits rise?", conversation=conv)
    assert fresh.searched is None and "12%" in fresh.answer
