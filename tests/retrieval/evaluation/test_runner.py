"""The evaluation index key: every setting that changes what is embedded gives an index of its own."""

from __future__ import annotations

import pytest

from retrieval.evaluation.runner import embedding_key, eval_settings
from retrieval.settings import Settings, SettingsError, load_settings


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
