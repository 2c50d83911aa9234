"""The short answer is the fact of the asked kind that the question does not already hold, next to its words."""

from __future__ import annotations

import pytest

from retrieval.answering.question import profile
from retrieval.answering.spans import short_answer

SENTENCE = ("Bashar al-Assad government fell on December 8, in the day after armed groups, led by Hayat Tahrir "
            "al-Sham (HTS) entered the capital Damascus and took control of the city.")


@pytest.mark.parametrize(
    ("question", "sentence", "short"),
    [
        ("Which group led the fighters into Damascus?", SENTENCE, "Hayat Tahrir al-Sham"),
        ("When did the Assad government fall?", SENTENCE, "December 8"),
        ("How many jobs did US firms add in January?",
         "US firms added 146,000 jobs in January, the Labor Department said.", "146,000"),
        ("Who is investigating the allegations?", "The claims are being investigated by Sir Alan Budd.",
         "Sir Alan Budd"),
        ("Where did the band play on Monday?", "The band played in Sheffield on Monday night.", "Sheffield"),
        ("Where was the rebels' stronghold?", "They set out from their stronghold in the western province of Idlib.",
         "Idlib"),
    ],
)
def test_short_answers(question, sentence, short):
    found = short_answer(profile(question), sentence)
    assert found == short and found in sentence


def test_no_short_answer_for_why_questions_or_when_nothing_new_fits():
    assert short_answer(profile("Why did the dollar fall?"), "The dollar fell because of the deficit.") is None
    assert short_answer(profile("When did Yukos sell Yuganskneftegaz?"), "Yukos sold Yuganskneftegaz.") is None


def test_the_figure_next_to_what_was_asked_wins():
    sentence = "Sales rose 2% to $11.1bn, while profits jumped 76% to $1.13bn."
    assert short_answer(profile("By how much did profits jump?"), sentence) == "76%"


def test_the_name_holding_the_focus_noun_wins_and_acronyms_give_way_to_the_name():
    sentence = ("All these people were transported to Iran by Iranian planes and through Khmeimim Air Base, "
                "he added.")
    assert short_answer(profile("Through which air base were the Iranians transported?"), sentence) == \
        "Khmeimim Air Base"
    led = "Armed groups, led by Hayat Tahrir al-Sham (HTS) entered the capital Damascus."
    assert short_answer(profile("Who led the armed groups that entered Damascus?"), led) == "Hayat Tahrir al-Sham"


KHMEIMIM = "All these people were transported to Iran by Iranian planes and through Khmeimim Air Base, he added."


def test_a_who_answer_is_not_a_place_nor_a_nationality_word():
    # the README's own question once got "Khmeimim Air Base" as its short answer: better none than a place
    assert short_answer(profile("who evacuated via Khmeimim?"), KHMEIMIM) is None
    said = "Speaking to IRNA on Friday, Esmaeil Baghaei Hamaneh said the advisers were there to help."
    assert short_answer(profile("Who did Esmaeil Baghaei Hamaneh speak to on Friday?"), said) == "IRNA"
    sold = "The club was sold to Malcolm Glazer in May."
    assert short_answer(profile("Who bought the club?"), sold) == "Malcolm Glazer"
    # the chat once answered "Who led the offensive?" with "Idlib" in bold
    offensive = ("That happened less than two weeks after the groups launched an offensive from their stronghold "
                 "in the western province of Idlib, advancing towards other areas of Syria.")
    assert short_answer(profile("Who led the offensive?"), offensive) is None


def test_a_who_answer_is_never_a_day_and_who_is_x_gets_no_short_answer():
    said = "Speaking to IRNA on Friday, Esmaeil Baghaei Hamaneh said the advisers were there to help."
    assert short_answer(profile("Who is Esmaeil Baghaei Hamaneh?"), said) is None  # once "Friday", in bold
    assert short_answer(profile("Who met Hamaneh?"), "On Friday the minister met Hamaneh.") is None
    assert short_answer(profile("Who spoke to IRNA about the advisers?"), said) == "Esmaeil Baghaei Hamaneh"
    assert short_answer(profile("Who is the chief executive of Airbus?"), "Airbus chief executive Noel Forgeard "
                        "said on Monday that orders were strong.") == "Noel Forgeard"
    assert short_answer(profile("Who spoke on Monday?"), "Noel Forgeard said on Monday that orders were strong.") \
        == "Noel Forgeard"


def test_near_keeps_only_a_fact_next_to_a_word_the_question_uses():
    question = profile("who evacuated via Khmeimim?")
    before = ("In response to a question about the number of Iranian nationals transferred from Syria, he said that "
              "these people included the families of diplomats and employees of Iran's diplomatic missions.")
    assert short_answer(question, before) == "Iran"  # a name, but nowhere near "evacuated" or "Khmeimim"
    assert short_answer(question, before, near=30) is None
    led = "Armed groups, led by Hayat Tahrir al-Sham (HTS) entered the capital Damascus."
    assert short_answer(profile("Who led the offensive?"), led, near=30) == "Hayat Tahrir al-Sham"


@pytest.mark.parametrize(
    ("question", "sentence", "short"),
    [
        ("How long is the footbridge?", "The council voted to build a 140-metre footbridge over the river.", "140-metre"),
        ("How old is the winger?", "The 21-year-old missed the first three months of the season.", "21"),
        ("How old was she?", "She was 35 years old when she won the title.", "35"),
        ("How long was he in prison?", "He spent 27 years in prison before his release.", "27 years"),
    ],
)
def test_a_measure_keeps_its_unit_and_an_age_is_the_number_of_years(question, sentence, short):
    assert short_answer(profile(question), sentence) == short


SEED_INVITATION = (
    "The Islamic Republic of Iran was present in Syria upon the invitation of the legitimate and established "
    "government of Syria, he said adding that Iran and Syria had effective cooperation against terrorism for many "
    "years and were successful in preventing the dangerous flow of ISIS from in Syria and Iraq and the spread of "
    "terrorism in the region."
)


def test_a_name_far_from_what_the_question_says_was_done_is_no_short_answer():
    # the CLI once answered "Who invited Iran into Syria?" with "Iraq" in bold, a name at the sentence's far end
    assert short_answer(profile("Who invited Iran into Syria?"), SEED_INVITATION) is None
    # ... and "Who did Iran cooperate with?" with "Islamic Republic of Iran", the question's own Iran
    assert short_answer(profile("Who did Iran cooperate with?"), SEED_INVITATION) is None
    sold = "LVMH said the labels had been purchased by the Falic Group for an unspecified sum."
    assert short_answer(profile("Who purchased the labels from LVMH?"), sold) == "Falic Group"


@pytest.mark.parametrize(
    ("question", "sentence", "short"),
    [
        # a figure of the asked measure, not any figure: once "112,000", "1992" and "Lord Scarman"
        ("How long did it take for the festival tickets to go?",
         "All 112,000 tickets for the festival sold out within 24 hours.", "24 hours"),
        ("How many notes of the jazz piece did the band use?",
         "The band's 1992 song used three notes from the piece.", "three"),
        ("At what age did the judge who led the riots inquiry die?",
         "Lord Scarman, the judge who led the inquiry into the riots, has died aged 93.", "93"),
        ("How much did the concert raise?", "The concert raised £1.25m for the appeal.", "£1.25m"),
        ("What share of the factories will close?", "The plan will shut 20% of its factories.", "20%"),
    ],
)
def test_a_figure_answers_only_when_it_is_of_the_measure_asked(question, sentence, short):
    assert short_answer(profile(question), sentence) == short


@pytest.mark.parametrize(
    ("question", "sentence", "short"),
    [
        # a nationality or a description before a name is not part of it, nor an answer alone
        ("Which runner gave McIlroy a late scare?", "Welshman Jimmy Watkins gave McIlroy a late scare.",
         "Jimmy Watkins"),
        ("Which chiropractor treated Robben's foot?", "Dutchman Jean Pierre Meersseman treated Robben's foot.",
         "Jean Pierre Meersseman"),
        ("Which actor made his debut at the Palace Theatre?",
         "Oscar-winner Sir Anthony Hopkins made his debut at the Palace Theatre.", "Sir Anthony Hopkins"),
        ("Where did the team play in the summer?", "The team played in New Zealand in the summer.", "New Zealand"),
    ],
)
def test_descriptions_are_left_out_of_names(question, sentence, short):
    assert short_answer(profile(question), sentence) == short


def test_a_description_alone_is_no_answer():
    assert short_answer(profile("Which stimulant did she test positive for?"),
                        "The Russian was said to have tested positive for ephedrine.") is None
    assert short_answer(profile("Which distributor bought the brand?"),
                        "A US-based distributor has bought the brand.") is None


@pytest.mark.parametrize(
    ("question", "sentence", "short"),
    [
        ("Which airline cut its forecast?", "British Airways cut its profit forecast on Monday.", "British Airways"),
        ("Which reinsurer fell?", "Shares in Swiss Re fell 1.7% on Monday.", "Swiss Re"),
        ("Who presented the plan?", "Italian Prime Minister Silvio Berlusconi presented the plan.",
         "Silvio Berlusconi"),
    ],
)
def test_a_nationality_that_opens_a_name_stays_and_one_before_a_title_goes(question, sentence, short):
    assert short_answer(profile(question), sentence) == short


def test_who_said_the_sentence_is_no_answer_unless_the_question_asks_who_said():
    # the seed evaluation once showed "Baghaei Hamaneh" in bold for "What infrastructure was destroyed in Syria?"
    said = ("The Zionist regime occupied parts of Syria and destroyed the vital defense infrastructure of that "
            "country, Baghaei Hamaneh said.")
    assert short_answer(profile("What infrastructure was destroyed in Syria?"), said) is None
    assert short_answer(profile("Who said the defense infrastructure was destroyed?"), said) == "Baghaei Hamaneh"


def test_a_question_for_several_names_gets_the_list():
    sentence = "The Gizmondo will compete with established names such as Nintendo, Nokia and Sony this year."
    assert short_answer(profile("Which three rivals will the Gizmondo compete with?"), sentence) == \
        "Nintendo, Nokia and Sony"
    assert short_answer(profile("Which firms will the Gizmondo compete with?"), sentence) == "Nintendo, Nokia and Sony"
    assert short_answer(profile("Which firm makes the Gizmondo's rival?"), "Nintendo, Nokia and Sony make rivals.") \
        in ("Nintendo", "Nokia", "Sony")  # one asked for: one given


def test_a_question_for_a_kind_of_place_gets_a_place_not_a_group():
    sentence = ("Bashar al-Assad government fell on December 8, in the day after armed groups, led by Hayat Tahrir "
                "al-Sham (HTS) entered the capital Damascus and took control of the city.")
    # "Hayat Tahrir al-Sham" was once shown in bold for the cities taken before Damascus
    assert short_answer(profile("Which cities did the armed groups take before Damascus?"), sentence) is None
    assert short_answer(profile("Which capital did the armed groups take control of?"), sentence) == "Damascus"
    assert short_answer(profile("Who led the armed groups?"), sentence) == "Hayat Tahrir al-Sham"


def test_a_name_listed_after_a_place_is_a_place_but_one_after_a_comma_may_be_a_person():
    flow = ("The Islamic Republic of Iran was present in Syria upon the invitation of the legitimate and established "
            "government of Syria, he said adding that Iran and Syria had effective cooperation against terrorism for "
            "many years and were successful in preventing the dangerous flow of ISIS from in Syria and Iraq and the "
            "spread of terrorism in the region.")
    assert short_answer(profile("Who prevented the spread of ISIS?"), flow) != "Iraq"  # once shown in bold
    outraged = ('"I\'m extremely outraged," the play\'s organiser in Uganda, Sarah Mukasa, told the BBC.')
    assert short_answer(profile("Who, organising the play, said she was outraged?"), outraged) == "Sarah Mukasa"
