"""The index: idempotent ingest, replacement, listing, model checks, corruption and locking."""

from __future__ import annotations

import fcntl
import shutil

import pytest

from retrieval.core.errors import DataDirError, IndexLockedError, ModelMismatchError
from retrieval.newsbot import Newsbot
from tests.conftest import SEED


def _write(path, title, body):
    path.write_text(f"Title: {title}\nDate: 2025-01-0{len(title) % 9 + 1}\n\n{body}")
    return path


def test_ingesting_the_same_files_twice_adds_nothing(newsbot, tmp_path):
    first = newsbot.ingest([SEED])
    assert len(first.added) == 1 and first.chunks > 1
    before = newsbot.sources()
    again = newsbot.ingest([SEED])
    assert again.added == [] and len(again.unchanged) == 1 and again.chunks == 0
    assert newsbot.sources() == before
    assert newsbot.index.collection.count() == before[0].chunks


def test_a_changed_file_replaces_its_old_passages(newsbot, tmp_path):
    path = _write(tmp_path / "story.txt", "Bridge", "The old bridge closed for repairs in March.")
    newsbot.ingest([path])
    _write(path, "Bridge", "The new bridge opened to traffic in June. Crowds cheered.")
    report = newsbot.ingest([path])
    assert len(report.replaced) == 1
    (source,) = newsbot.sources()
    texts = [c.text for c in newsbot.index.view.passages.iter_passages()]
    assert any("new bridge" in t for t in texts) and not any("old bridge" in t for t in texts)
    assert newsbot.ask("When did the new bridge open?").found


def test_sources_lists_title_date_source_and_chunks(seeded):
    (info,) = seeded.sources()
    assert info.date == "2024-12-20" and info.source.endswith("000_02dd03580792acdc.txt")
    assert info.title.startswith("Esmaeil Baghaei Hamaneh") and info.chunks == seeded.index.collection.count()


def test_a_bad_file_in_a_batch_is_reported_and_nothing_indexed_is_lost(seeded, tmp_path):
    folder = tmp_path / "batch"
    folder.mkdir()
    _write(folder / "good.txt", "Harbour", "The harbour reopened after the storm on Tuesday.")
    (folder / "bad.json").write_text("{broken")
    (folder / "empty.md").write_text("")
    (folder / "image.txt").write_bytes(b"\x00\x01\x02binary")
    report = seeded.ingest([folder, tmp_path / "missing.txt"])
    assert len(report.added) == 1
    reasons = dict(report.failed)
    assert len(reasons) == 4
    assert "malformed JSON" in reasons[str(folder / "bad.json")]
    assert "no such file" in reasons[str(tmp_path / "missing.txt")]
    titles = {s.title for s in seeded.sources()}
    assert "Harbour" in titles and any(t.startswith("Esmaeil Baghaei Hamaneh") for t in titles)


def test_opening_with_another_model_is_a_clear_error(seeded, settings):
    from retrieval.search.embeddings import Embedder

    other = Newsbot(settings.model_copy(update={"embedding_model": "/models/other-model"}),
                    embedder=Embedder("/models/other-model"))
    with pytest.raises(ModelMismatchError, match="newsbot reindex"):
        other.index  # noqa: B018


def test_a_corrupted_index_is_a_clear_error_not_a_traceback(seeded, settings, embedder):
    db = settings.chroma_dir / "chroma.sqlite3"
    seeded.close()
    db.write_bytes(b"this is not a sqlite database" * 100)
    for folder in settings.chroma_dir.iterdir():
        if folder.is_dir():
            shutil.rmtree(folder)
    with pytest.raises(DataDirError, match="cannot open the index"):
        Newsbot(settings, embedder=embedder).index  # noqa: B018


def test_a_data_dir_that_is_a_file_is_a_clear_error(settings, embedder, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    bot = Newsbot(settings.model_copy(update={"data_dir": blocker / "data"}), embedder=embedder)
    with pytest.raises(DataDirError):
        bot.ingest([SEED])


def test_a_locked_index_refuses_a_second_writer_and_keeps_its_content(seeded, settings, tmp_path):
    before = seeded.sources()
    with open(settings.data_dir / "write.lock", "a+") as holder:
        fcntl.flock(holder, fcntl.LOCK_EX | fcntl.LOCK_NB)
        _write(tmp_path / "n.txt", "News", "Something new happened today in the city.")
        with pytest.raises(IndexLockedError, match="being written"):
            seeded.ingest([tmp_path / "n.txt"])
    assert seeded.sources() == before
    assert len(seeded.ingest([tmp_path / "n.txt"]).added) == 1


def test_remove_and_reindex_keep_answers(seeded):
    doc = seeded.sources()[0]
    report = seeded.reindex()
    assert len(report.added) == 1
    assert seeded.sources() == [doc]
    answer = seeded.ask("who evacuated via Khmeimim?")
    assert answer.found and answer.citations[0].file_start == answer.citations[0].start + 17  # offsets survive
    assert seeded.remove([doc.doc_id]) == [doc.doc_id]
    assert seeded.sources() == []


def test_a_title_line_added_to_an_indexed_file_replaces_its_derived_title(newsbot, tmp_path):
    path = tmp_path / "museum.txt"
    body = "Speaking to reporters on Friday, the mayor said the museum reopened after two years of renovation work."
    path.write_text(body)
    newsbot.ingest([path])
    assert [s.title for s in newsbot.sources()] == ["The mayor said the museum reopened after two years of renovation work"]
    path.write_text("Title: Museum reopens\n\n" + body)
    report = newsbot.ingest([path])
    assert report.replaced == [str(path)] and report.unchanged == []
    assert [s.title for s in newsbot.sources()] == ["Museum reopens"]
    answer = newsbot.ask("When did the museum reopen?")
    assert answer.citations and answer.citations[0].title == "Museum reopens"
    assert newsbot.ingest([path]).unchanged == [str(path)]


def test_the_same_article_under_two_names_is_indexed_once(newsbot, tmp_path):
    body = "The museum reopened on Saturday after two years of renovation."
    _write(tmp_path / "a.txt", "Museum", body)
    _write(tmp_path / "b.txt", "Museum", body)
    report = newsbot.ingest([tmp_path])
    assert report.added == [str(tmp_path / "a.txt")] and report.unchanged == []
    assert report.copies == [(str(tmp_path / "b.txt"), str(tmp_path / "a.txt"))]
    assert len(newsbot.sources()) == 1


def test_a_moved_file_is_cited_from_where_it_is_now_not_as_a_copy_of_itself(newsbot, tmp_path):
    (tmp_path / "inbox").mkdir()
    old = _write(tmp_path / "inbox" / "museum.txt", "Museum", "The museum reopened on Saturday after two years.")
    newsbot.ingest([old])
    (tmp_path / "archive").mkdir()
    new = old.rename(tmp_path / "archive" / "museum.txt")
    report = newsbot.ingest([tmp_path / "archive"])
    assert len(report.replaced) == 1 and report.added == []
    (source,) = newsbot.sources()
    assert source.source == str(new) and source.reprints == 0
    answer = newsbot.ask("When did the museum reopen?")
    assert answer.found and answer.citations[0].source == str(new) and not answer.citations[0].also
    again = newsbot.ingest([tmp_path / "archive"])
    assert len(again.unchanged) == 1 and again.chunks == 0
    (tmp_path / "inbox" / "copy.txt").write_text(new.read_text())  # a second live copy stays one article
    copied = newsbot.ingest([tmp_path / "inbox"])
    assert copied.copies == [(str(tmp_path / "inbox" / "copy.txt"), str(new))] and len(newsbot.sources()) == 1


def test_ingesting_a_folder_that_holds_the_data_directory_skips_newsbot_files(seeded, settings):
    report = seeded.ingest([settings.data_dir.parent])
    assert report.added == [] and report.failed == []
    assert len(seeded.sources()) == 1


def test_a_reopened_index_ranks_keyword_search_as_the_one_just_built(seeded, settings, embedder, tmp_path):
    _write(tmp_path / "a.txt", "Harbour reopens", "The harbour at Tartus reopened to cargo ships on Monday.")
    _write(tmp_path / "b.txt", "Ferry service", "A ferry service between Tartus and Cyprus starts in spring.")
    seeded.ingest([tmp_path])
    question = "When did the Tartus harbour reopen to cargo ships?"
    built = [(h.chunk.id, round(h.score, 5)) for h in seeded.search(question, k=5, mode="bm25")]
    seeded.close()
    reopened = Newsbot(settings, embedder=embedder)  # reads the saved keyword index back from disk
    assert [(h.chunk.id, round(h.score, 5)) for h in reopened.search(question, k=5, mode="bm25")] == built
    assert reopened.search(question, k=1, mode="bm25")[0].chunk.title == "Harbour reopens"
    assert reopened.search("zzzqqq nothing matches", k=5, mode="bm25") == []


def test_answering_from_a_saved_index_loads_no_index_builder(seeded, settings, onnx_cache):
    """A process that answers with the ONNX encoder (the default once exported) does not import bm25s, scipy or
    langchain_core: they cost a bot about 0.4 s of its start."""
    import subprocess
    import sys

    from tests.conftest import cli_env

    seeded.close()
    script = (
        "import sys\nfrom retrieval.newsbot import Newsbot\nfrom retrieval.core.settings import Settings\n"
        "answer = Newsbot(Settings()).ask('who evacuated via Khmeimim?')\n"
        "print(answer.found, sorted(m for m in ('bm25s', 'scipy', 'langchain_core', 'torch') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", script], env=cli_env(settings.data_dir), capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\n")[0] == "True []"
