"""Reprints through a real ingest: one article indexed, its copies from other sources cited as 'also reported'."""

from __future__ import annotations

STORY = ("The last keeper of the Skarn Point lighthouse, Ove Marten, handed over the keys on Tuesday after 31 years, "
         "as the light was switched to automatic operation. Marten, 64, said he would miss the storms more than the "
         "quiet nights. The lighthouse, built in 1887, will open to visitors next summer, the harbour trust said.")


def test_the_same_text_from_two_more_outlets_is_two_copies_of_one_article(newsbot, tmp_path):
    for outlet, byline in (("Coastal Wire", "By Ana Roth. "), ("Dunmere Herald", ""), ("Valley Courier", "")):
        folder = tmp_path / outlet.split()[0].lower()
        folder.mkdir()
        (folder / "keeper.txt").write_text(f"Title: Keeper retires\nDate: 2026-06-02\nSource: {outlet}\n\n{byline}{STORY}")
    report = newsbot.ingest([tmp_path / "coastal", tmp_path / "dunmere", tmp_path / "valley"])
    assert len(report.added) == 1
    answer = newsbot.ask("How long was Ove Marten the keeper of the Skarn Point lighthouse?")
    assert answer.found and "31" in answer.answer
    also = answer.citations[0].also
    assert len(also) == 2 and {a.source.split("/")[-2] for a in also} == {"dunmere", "valley"}
    newsbot.ingest([tmp_path / "coastal", tmp_path / "dunmere", tmp_path / "valley"])  # again: nothing doubles
    assert len(newsbot.ask("How long was Ove Marten the keeper of the Skarn Point lighthouse?").citations[0].also) == 2
