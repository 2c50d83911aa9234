"""Every medium shows the short answer first and each cited passage once, its quoted sentence marked inside it."""

from __future__ import annotations

from bot.render import plain
from bot.telegram.render import render_answer
from retrieval.core.types import Answer, Chunk, Citation

TEXT = ("Armed groups entered Damascus on December 8. The groups were led by Hayat Tahrir al-Sham (HTS). "
        "They had launched an offensive from Idlib.")


def _answer(short: str | None) -> Answer:
    chunk = Chunk(id="d-0", doc_id="d", index=0, text=TEXT, start=0, end=len(TEXT), title="Syria", source="s.txt",
                  date="2024-12-20")
    start = TEXT.index("The groups")
    end = TEXT.index("(HTS).") + len("(HTS).")
    citation = Citation.of(1, chunk, start, end, 0.9)
    return Answer(question="Which group led them?", answer=f"{citation.quote} [1]", found=True,
                  citations=[citation], short=short)


def test_citation_carries_the_text_around_its_quote():
    citation = _answer(None).citations[0]
    assert citation.quote == "The groups were led by Hayat Tahrir al-Sham (HTS)."
    assert citation.before.strip() == "Armed groups entered Damascus on December 8."
    assert citation.after.strip() == "They had launched an offensive from Idlib."


def test_plain_text_shows_the_short_answer_then_the_passage_once():
    text = plain(_answer("Hayat Tahrir al-Sham"))
    lines = text.splitlines()
    assert lines[0] == "Hayat Tahrir al-Sham"
    assert text.count("The groups were led by") == 1
    assert "**The groups were led by Hayat Tahrir al-Sham (HTS).**" in text
    assert "December 8" in text and "Idlib" in text  # the passage around the quote


def test_without_a_short_answer_the_marked_passage_is_the_answer():
    text = plain(_answer(None))
    assert text.startswith("[1] ") and text.count("The groups were led by") == 1


def test_telegram_bolds_the_short_answer_and_the_quote_inside_its_passage():
    (message,) = render_answer(_answer("Hayat Tahrir al-Sham"))
    assert message.startswith("<b>Hayat Tahrir al-Sham</b>")
    assert message.count("The groups were led by") == 1
    assert "<b>The groups were led by Hayat Tahrir al-Sham (HTS).</b>" in message


def test_a_news_overview_says_what_it_lists_above_the_stories_in_every_medium():
    one = _answer(None)
    overview = Answer(question="What's the latest news?", answer="The newest stories, 20 December 2024:", found=True,
                      citations=one.citations, answerer="overview")
    assert plain(overview).splitlines()[0] == "The newest stories, 20 December 2024:"
    html = "".join(render_answer(overview))
    assert html.index("<b>The newest stories, 20 December 2024:</b>") < html.index("The groups were led by")


def test_every_medium_renders_a_count_of_one_in_the_singular():
    from dataclasses import replace

    from bot.eval_report import summary_table
    from bot.render import also_line
    from bot.telegram.handlers import _overview
    from bot.telegram.render import render_sources
    from retrieval.answering.overview import undated_answer
    from retrieval.core.prompts import render_prompt
    from retrieval.core.types import Reported, SourceInfo

    one = SourceInfo(doc_id="d", title="Syria", date="2024-12-20", source="s.txt", chunks=1)

    class Bot:
        def sources(self) -> list[SourceInfo]:
            return [one]

    start = render_prompt("telegram_start", **_overview(Bot()))
    assert "<b>1 news article</b>" in start  # was "about 1 news articles"
    assert "(1 news article, 2024-12-20" in render_prompt("telegram_help", **_overview(Bot()))
    listed = render_sources([one], 0)[0]
    assert "<b>1 article</b>" in listed and "1 passage" in listed and "1 passages" not in listed
    citation = replace(_answer(None).citations[0], also=(Reported("Syria", "t.txt", "https://example.org/a"),))
    assert str(also_line(citation)).startswith("also reported by 1 other:")
    assert "the 1 story I have" in undated_answer("What's the latest news?", [], 1).answer
    title = summary_table({"mode": "hybrid", "counts": {"questions": 1, "answerable": 1, "unanswerable": 0}}).title
    assert "1 question (" in str(title)
