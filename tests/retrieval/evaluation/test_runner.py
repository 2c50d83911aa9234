"""The evaluation index key: every setting that changes what is embedded gives an index of its own."""

from __future__ import annotations

import pytest

from retrieval.core.settings import Settings, SettingsError, load_settings
from retrieval.evaluation.runner import embedding_key, eval_settings


@pytest.mark.parametrize(
    "change",
    [{"chunk_tokens": 192}, {"chunk_overlap_sentences": 1}, {"chunk_title": "passage"},
     {"embedding_backend": "onnx-int8"}],
)
def test_what_changes_the_embedded_text_changes_the_evaluation_index(tmp_path, change):
    base = Settings(_env_file=None, data_dir=tmp_path)
    other = base.model_copy(update=change)
    assert embedding_key(other) != embedding_key(base)
    assert eval_settings(other, embedding_key(other)).collection != eval_settings(base, embedding_key(base)).collection


def test_what_does_not_change_vectors_keeps_the_evaluation_index(tmp_path):
    base = Settings(_env_file=None, data_dir=tmp_path)
    assert embedding_key(base.model_copy(update={"embedding_batch_size": 64, "embedding_backend": "onnx"})) == (
        embedding_key(base)
    )


def test_a_bad_chunk_title_is_one_line_naming_the_setting(tmp_path):
    with pytest.raises(SettingsError, match="NEWSBOT_CHUNK_TITLE") as info:
        load_settings(_env_file=None, data_dir=tmp_path, chunk_title="header")
    assert "\n" not in str(info.value)


def test_a_question_about_a_reprinted_file_counts_the_article_its_group_is_indexed_under(newsbot, tmp_path):
    """A corpus holding one story under two file names indexes it once; retrieval of it is a hit for either."""
    from retrieval.evaluation.formats import EvalQuestion, EvalSet
    from retrieval.evaluation.runner import run_eval

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    story = "Title: Harbour reopens\n\nThe harbour at Tartus reopened to cargo ships on Monday after repairs.\n"
    for name in ("a.txt", "b.txt"):
        (corpus / name).write_text(story)
    (corpus / "c.txt").write_text("Title: Ferry\n\nA ferry service between Latakia and Cyprus starts in spring.\n")
    newsbot.ingest([corpus])
    assert len(newsbot.sources()) == 2
    questions = [
        EvalQuestion(f"q-{name}", "When did the Tartus harbour reopen to cargo ships?", [["Monday"]], [name])
        for name in ("a.txt", "b.txt", "c.txt")
    ]
    report = run_eval(newsbot, EvalSet(questions, None, "jsonl"), ["hybrid"], corpus=corpus)
    ranks = {row["id"]: row["rank"] for row in report["questions"]}
    assert ranks["q-a.txt"] == 1 and ranks["q-b.txt"] == 1  # the copy's question finds the indexed article
    assert ranks["q-c.txt"] != 1  # another file is still not relevant
