"""Time-aware answers on invented dated reports: time words filter, "latest" prefers new, reports that differ."""

from __future__ import annotations

from datetime import date

import pytest

ARTICLES = {
    "2025-03-14-wire.txt": ("Floods in Valderra kill 12", "2025-03-14", "Meridian Wire",
                            "Floods in the Valderra valley killed 12 people on Friday, the regional governor said. "
                            "Rescue teams searched the flooded villages along the Sella river through the night."),
    "2025-03-18-herald.txt": ("Valderra flood toll rises to 27", "2025-03-18", "Korvenna Herald",
                              "The death toll from the Valderra floods rose to 27 on Tuesday as rescuers reached "
                              "the last flooded villages along the Sella river, the governor said."),
    "2025-03-18-mbn.txt": ("Valderra floods: 31 dead", "2025-03-18", "MBN News",
                           "At least 31 people have died in the Valderra floods, MBN News learned on Tuesday from "
                           "hospital officials in the valley along the Sella river."),
    "2025-03-20-wire.txt": ("Valderra toll reaches 41", "2025-03-20", "Meridian Wire",
                            "The number of people killed in the Valderra floods reached 41 on Thursday, the "
                            "governor said, as the Sella river began to fall."),
    "2025-02-10-ledger.txt": ("Port deal signed", "2025-02-10", "Korvenna Ledger",
                              "The port of Dunmere signed a three-year deal with Halvard Shipping on Monday. An "
                              "earlier version of this report said the deal would last two years; it lasts three."),
}


@pytest.fixture
def dated(newsbot, tmp_path):
    folder = tmp_path / "dated"
    folder.mkdir()
    for name, (title, day, outlet, body) in ARTICLES.items():
        (folder / name).write_text(f"Title: {title}\nDate: {day}\nSource: {outlet}\n\n{body}", encoding="utf-8")
    newsbot.ingest([folder])
    return newsbot


def ask(bot, question, day="2025-03-21", **kwargs):
    from retrieval.asking.query import Query
    from retrieval.search.searcher import Filters

    filters = Filters(kwargs.pop("since", None), kwargs.pop("until", None))
    return bot.asker.stream(Query(question, filters=filters, reference=date.fromisoformat(day))).result()


def test_time_words_filter_the_articles_and_say_what_was_searched(dated):
    answer = ask(dated, "How many people had died in the Valderra floods by Friday 14 March?", day="2025-03-21")
    assert answer.found and "12" in answer.answer
    assert all(c.date <= "2025-03-14" for c in answer.citations)
    assert answer.time and "2025-03-14" in answer.time
    assert answer.when and "14 March 2025" in answer.when and "Meridian Wire" in answer.when


def test_yesterday_is_relative_to_the_day_asked(dated):
    answer = ask(dated, "What was the Valderra flood death toll yesterday?", day="2025-03-21")
    assert answer.found and "41" in answer.answer and answer.time == "on 2025-03-20"
    assert {c.date for c in answer.citations} == {"2025-03-20"}


def test_explicit_dates_win_over_time_words(dated):
    answer = ask(dated, "What was the Valderra flood death toll yesterday?", day="2025-03-21", until="2025-03-15")
    assert all(c.date <= "2025-03-15" for c in answer.citations)


def test_latest_prefers_the_newest_report(dated):
    answer = ask(dated, "What is the latest death toll of the Valderra floods?", day="2025-03-22")
    assert answer.found and "41" in (answer.short or answer.answer)
    assert answer.citations[0].date == "2025-03-20"
    assert answer.time == "newest first"


@pytest.mark.xfail(
    strict=True,
    reason="known gap: the reader gives the Herald's 'the death toll ... rose to 27' probability 0.32 and a span "
    "margin below 0 for this question, so it is no report and the conflict is missed (docs/answering.md)",
)
def test_outlets_that_disagree_on_the_same_day_are_flagged_newest_first(dated):
    # The Herald's paraphrase ("the death toll rose to 27") scores 4.9 below MBN's wording, just outside the
    # plausible gap chosen on the dated dev split (4): this test widens the gap to check the flag itself.
    dated.settings = dated.settings.model_copy(update={"plausible_gap": 8.0})
    answer = ask(dated, "How many people had died in the Valderra floods on Tuesday 18 March?", day="2025-03-21")
    assert answer.found and answer.conflict, answer.answer
    assert answer.answer.startswith("Reports differ")
    values = {r.value.split()[0] for r in answer.conflict}
    assert {"27", "31"} <= values
    assert {r.publisher for r in answer.conflict} >= {"Korvenna Herald", "MBN News"}
    assert [c.n for c in answer.citations] == [r.n for r in answer.conflict]


def test_an_article_that_corrects_itself_is_not_a_conflict(dated):
    answer = ask(dated, "How long will the Dunmere port deal with Halvard Shipping last?", day="2025-03-21")
    assert answer.found and not answer.conflict and "three" in answer.answer


def test_a_timeless_question_is_not_filtered(dated):
    answer = ask(dated, "Which river flows through the Valderra valley?", day="2025-03-21")
    assert answer.found and "Sella" in answer.answer and answer.time is None


def test_time_words_that_match_no_article_widen_to_every_date_and_say_so(dated):
    # asked weeks later, "on Friday" names a day with no article: it echoes the reports' own words instead
    answer = ask(dated, "How many people had the Valderra floods killed on Friday?", day="2025-06-20")
    assert answer.found and "12" in answer.answer
    assert answer.time == "nothing dated on 2025-06-20: all dates searched"


def test_time_words_that_match_an_article_still_filter(dated):
    answer = ask(dated, "How many people had the Valderra floods killed on Thursday?", day="2025-03-21")
    assert answer.time == "on 2025-03-20"
    assert answer.found and "41" in answer.answer
    assert {c.date for c in answer.citations} == {"2025-03-20"}


def test_undated_articles_of_an_archive_never_make_a_conflict(newsbot, tmp_path):
    # an archive (no dates, no outlet named): two articles giving different figures are not a dispute
    index_archive(newsbot, tmp_path, "Title: Valderra toll\n\nThe Valderra floods killed 41 people, the governor said.")
    newsbot.settings = newsbot.settings.model_copy(update={"plausible_gap": 50.0, "conflict_days": 365.0})
    answer = ask(newsbot, "How many people did the Valderra floods kill?")
    assert answer.found and not answer.conflict and not answer.answer.startswith("Reports differ")


def test_latest_prefers_the_newest_report_even_when_every_report_is_weeks_old(dated):
    answer = ask(dated, "What is the latest death toll of the Valderra floods?", day="2025-06-01")
    assert answer.found and "41" in (answer.short or answer.answer)
    assert answer.citations[0].date == "2025-03-20"


def test_a_dated_file_that_names_no_outlet_is_reported_by_date_not_by_its_file_name(newsbot, tmp_path):
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "000_9f2c.txt").write_text("Title: Valderra toll\nDate: 2025-03-20\n\nThe Valderra floods killed 41 "
                                         "people, the governor said on Thursday.", encoding="utf-8")
    newsbot.ingest([folder])
    answer = ask(newsbot, "How many people had the Valderra floods killed by yesterday?", day="2025-03-21")
    assert answer.found and answer.when == "Reported on 20 March 2025"


def test_the_latest_news_lists_the_newest_stories_each_cited_with_its_opening(dated):
    answer = ask(dated, "What's the latest news?", day="2025-03-21")
    assert answer.found and answer.answerer == "overview" and answer.answer.startswith("The newest stories")
    days = [c.date for c in answer.citations]
    assert days[0] == "2025-03-20" and days == sorted(days, reverse=True) and len(days) == len(set(
        c.doc_id for c in answer.citations))
    assert answer.citations[0].quote.startswith("The number of people killed in the Valderra floods reached 41")


def test_what_happened_on_a_day_lists_that_days_stories_and_an_empty_day_says_so(dated):
    answer = ask(dated, "What happened on Tuesday 18 March?", day="2025-03-21")
    assert answer.answerer == "overview" and {c.date for c in answer.citations} == {"2025-03-18"}
    assert len(answer.citations) == 2  # the Korvenna Herald's and MBN News's reports
    empty = ask(dated, "What happened yesterday?", day="2025-03-23")
    assert empty.answer.startswith("Nothing is dated in that time") and empty.citations[0].date == "2025-03-20"


def test_an_archive_without_dates_says_so_and_lists_its_stories(newsbot, tmp_path):
    # it used to quote whichever sentence best matched "latest news", as if it were the latest
    index_archive(newsbot, tmp_path, "Title: Harbour bridge vote\n\nThe council voted for a new harbour bridge.")
    answer = ask(newsbot, "What's the latest news?")
    assert answer.answerer == "overview" and "carry no dates" in answer.answer and "the 2 stories" in answer.answer
    assert [c.title for c in answer.citations] == ["Harbour bridge vote", "Valderra floods"]
    assert answer.citations[1].quote == "Floods in the Valderra valley killed 12 people."


def test_the_news_about_a_subject_lists_its_stories_newest_first(dated):
    # "Any news about X?" used to be answered as a question about X's words: one sentence, not the stories
    answer = ask(dated, "Any news about the Valderra floods?", day="2025-03-21")
    assert answer.found and answer.answerer == "overview"
    assert answer.answer.startswith("The newest stories about the Valderra floods, 14 March 2025 to 20 March 2025:")
    days = [c.date for c in answer.citations]
    assert days == sorted(days, reverse=True) and days[0] == "2025-03-20" and "2025-03-14" in days
    assert all("Valderra" in c.title or "Valderra" in c.quote for c in answer.citations)
    assert "Port deal signed" not in {c.title for c in answer.citations}
    tuesday = ask(dated, "latest news on the Valderra floods on Tuesday 18 March", day="2025-03-21")
    assert tuesday.answerer == "overview" and {c.date for c in tuesday.citations} == {"2025-03-18"}


def test_time_words_over_an_archive_without_dates_say_they_could_not_be_applied(newsbot, tmp_path):
    # they used to say "nothing dated 2025-03-14 to 2025-03-20: all dates searched", as if dates were checked
    index_archive(newsbot, tmp_path, "Title: Harbour bridge vote\n\nThe council voted for a new harbour bridge.")
    answer = ask(newsbot, "How many people did the Valderra floods kill last week?")
    assert answer.found and "12" in answer.answer
    assert answer.time == 'every article: none is dated, so "last week" was not applied'
    for question in ("What's the latest on the harbour bridge?", "Harbour bridge news this week"):
        about = ask(newsbot, question)
        assert about.answerer == "overview" and about.time is None and "carry no dates" in about.answer
        assert [c.title for c in about.citations] == ["Harbour bridge vote"]


def index_archive(newsbot, tmp_path, second: str) -> None:
    """Index two undated articles with no outlet (an archive): the Valderra floods story and ``second``."""
    folder = tmp_path / "archive"
    folder.mkdir()
    (folder / "a.txt").write_text("Title: Valderra floods\n\nFloods in the Valderra valley killed 12 people.")
    (folder / "b.txt").write_text(second)
    newsbot.ingest([folder])


def test_time_words_can_count_from_the_newest_article(dated):
    from retrieval.asking.query import Query

    dated.settings = dated.settings.model_copy(update={"time_reference": "newest"})  # NEWSBOT_TIME_REFERENCE
    answer = dated.asker.stream(Query("What was the Valderra flood death toll today?")).result()
    assert answer.time == "on 2025-03-20" and answer.found and "41" in answer.answer
