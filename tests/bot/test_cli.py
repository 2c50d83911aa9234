"""The `newsbot` command line as a user runs it: new processes, real model, real Chroma."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import ROOT, SEED, cli_env, run_cli


def test_ask_json_prints_only_the_answer_and_seeds_an_empty_index(tmp_path):
    result = run_cli(["ask", "--json", "who evacuated via Khmeimim?"], tmp_path / "data")
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert answer["found"] is True and "[1]" in answer["answer"]
    assert "pilgrims" in answer["answer"] and "Khmeimim" in answer["citations"][0]["quote"]
    assert "indexing the bundled seed" in result.stderr
    seed_text = SEED.read_text()
    for citation in answer["citations"]:  # start/end count from the article's body, file_start/file_end from the file
        assert seed_text[citation["file_start"] : citation["file_end"]] == citation["quote"]
        assert citation["file_start"] - citation["start"] == 17  # the seed's first line begins " date 2024-12-20 "


def test_ask_prints_a_readable_answer_and_declines_honestly(tmp_path):
    data = tmp_path / "data"
    result = run_cli(["ask", "What is the capital of France?"], data)
    assert result.returncode == 0
    assert "do not answer" in result.stdout
    piped = run_cli(["ask", "who evacuated via Khmeimim?"], data)  # stdout is a pipe: no bold to see
    quoted = piped.stdout.split("**")
    assert piped.returncode == 0 and len(quoted) % 2 == 1 and "Khmeimim Air Base" in quoted[1]  # quotes are marked
    assert piped.stdout.startswith("[1] ") and "2024-12-20" in quoted[2]
    misspelt = run_cli(["ask", "who evacuated via Kmeimim?"], data)  # a name no article mentions: declined
    assert "do not answer" in misspelt.stdout and "Did you mean: who evacuated via Khmeimim?" in misspelt.stdout
    assert "Did you mean" not in run_cli(["ask", "What is the capital of France?"], data).stdout


def test_ingest_summary_and_sources_then_reingest_adds_nothing(tmp_path):
    data = tmp_path / "data"
    (tmp_path / "bad.json").write_text("[{")
    first = run_cli(["ingest", str(SEED), str(tmp_path / "bad.json")], data)
    assert first.returncode == 3  # done, with failures: the bad file is named, the good one indexed
    assert "added 1" in first.stderr and "failed 1" in first.stderr and "bad.json" in first.stderr
    listed = json.loads(run_cli(["sources", "--json"], data).stdout)
    again = run_cli(["ingest", "--json", str(ROOT / "seeds")], data)
    assert json.loads(again.stdout)["added"] == []
    assert json.loads(run_cli(["sources", "--json"], data).stdout) == listed


def test_copies_in_one_batch_are_counted_as_copies_and_named_with_verbose(tmp_path):
    data, news = tmp_path / "data", tmp_path / "news"
    news.mkdir()
    body = "The harbour of Tartus reopened on Monday after the storm. Ships queued outside the port."
    (news / "a.txt").write_text(f"Title: Tartus harbour reopens\n\n{body}")
    (news / "b.txt").write_text(f"Title: Tartus harbour reopens\n\n{body}")  # byte-identical
    (news / "c.txt").write_text(f"Title: Port open again\n\n{body}")  # the same body under another headline
    (news / "d.txt").write_text("Title: Bridge vote\n\nThe Valmont council voted 7 to 2 for the new bridge.")
    first = run_cli(["-v", "ingest", "--no-progress", str(news)], data, NEWSBOT_EMBEDDING_BACKEND="onnx")
    assert first.returncode == 0, first.stderr
    assert "added 2, unchanged 0, copies 2," in first.stderr
    for name in ("b.txt", "c.txt"):
        assert f"copy: {news / name}: same text as {news / 'a.txt'}" in first.stderr
    again = json.loads(run_cli(["ingest", "--json", str(news)], data, NEWSBOT_EMBEDDING_BACKEND="onnx").stdout)
    assert sorted(again["unchanged"]) == [str(news / "a.txt"), str(news / "d.txt")]
    assert again["copies"] == [[str(news / n), str(news / "a.txt")] for n in ("b.txt", "c.txt")]


def test_usage_errors_exit_2_and_errors_exit_1(tmp_path):
    data = tmp_path / "data"
    assert run_cli(["ask"], data).returncode == 2
    assert run_cli(["frobnicate"], data).returncode == 2
    empty = run_cli(["ask", "   "], data)
    assert empty.returncode == 1 and "question is empty" in empty.stderr and "Traceback" not in empty.stderr
    bad = run_cli(["ask", "hi"], data, NEWSBOT_TOP_K="many")
    assert bad.returncode == 1 and "NEWSBOT_TOP_K" in bad.stderr and "Traceback" not in bad.stderr
    missing = run_cli(["ingest", str(tmp_path / "nope")], data)
    assert missing.returncode == 1 and "no such file" in missing.stderr


def test_help_is_fast_and_imports_nothing_heavy(tmp_path):
    code = ("import sys, contextlib, io\nfrom bot.cli import build_parser\n"
            "with contextlib.redirect_stdout(io.StringIO()):\n"
            "    try: build_parser().parse_args(['--help'])\n    except SystemExit: pass\n"
            "print(sorted(m for m in ('torch', 'sentence_transformers', 'chromadb') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], env=cli_env(tmp_path), capture_output=True, text=True)
    assert result.stdout.strip() == "[]", result.stderr
    helped = run_cli(["--help"], tmp_path / "data")
    assert helped.returncode == 0 and "ask" in helped.stdout and "ingest" in helped.stdout


def test_ingesting_the_seeds_folder_skips_its_question_set_without_failing(tmp_path):
    result = run_cli(["ingest", "--json", str(ROOT / "seeds")], tmp_path / "data")
    report = json.loads(result.stdout)
    assert result.returncode == 0 and len(report["added"]) == 1 and report["failed"] == []
    assert report["skipped"][0][0].endswith("questions.jsonl")
