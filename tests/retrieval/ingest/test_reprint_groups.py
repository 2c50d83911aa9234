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


def test_indexing_another_collection_of_the_data_dir_keeps_this_ones_reprints_grouped(newsbot, embedder, tmp_path):
    # `newsbot eval --corpus` indexes into a collection of its own in the user's data directory: it once dropped
    # the main index's reprint signatures, so copies already grouped were indexed as articles of their own
    from retrieval.newsbot import Newsbot

    wire, herald = tmp_path / "wire", tmp_path / "herald"
    for folder, outlet in ((wire, "Coastal Wire"), (herald, "Dunmere Herald")):
        folder.mkdir()
        text = f"Title: Keeper retires\nDate: 2026-06-02\nSource: {outlet}\n\nBy {outlet} staff. {STORY}"
        (folder / "keeper.txt").write_text(text)
    first = newsbot.ingest([wire, herald])
    assert len(first.added) == 1 and len(first.reprints) == 1
    other = tmp_path / "other"
    other.mkdir()
    (other / "harbour.txt").write_text("Title: Harbour reopens\n\nThe harbour of Dunmere reopened to ships on Monday.")
    evaluation = Newsbot(newsbot.settings.model_copy(update={"collection": "eval-other"}), embedder=embedder)
    evaluation.ingest([other])
    evaluation.close()
    again = newsbot.ingest([wire, herald])
    assert len(newsbot.sources()) == 1 and again.added == []
    answer = newsbot.ask("How long was Ove Marten the keeper of the Skarn Point lighthouse?")
    assert len({c.doc_id for c in answer.citations}) == 1


def test_a_copy_recorded_from_the_cited_source_itself_is_not_another_report(newsbot, tmp_path):
    # before moved files were told from copies, a file moved and ingested again was recorded as a copy of itself
    from dataclasses import replace

    path = tmp_path / "keeper.txt"
    path.write_text(f"Title: Keeper retires\nDate: 2026-06-02\nSource: Coastal Wire\n\n{STORY}")
    newsbot.ingest([path])
    (indexed,) = newsbot.sources()
    article = next(a for a, _ in newsbot.index.view.documents.articles() if a.id == indexed.doc_id)
    newsbot.reprints.record_copy(replace(article, id=article.id + "~self"), indexed.doc_id, 1.0)
    answer = newsbot.ask("How long was Ove Marten the keeper of the Skarn Point lighthouse?")
    assert answer.found and answer.citations[0].also == ()
