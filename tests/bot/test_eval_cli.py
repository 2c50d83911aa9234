"""`newsbot eval` end to end on the seed question set, and on an RGB file that brings its own passages."""

from __future__ import annotations

import json

from tests.conftest import ROOT, run_cli

KEYS = {"hit@1", "hit@3", "hit@5", "hit@10", "mrr@10", "answer_accuracy", "token_f1", "citation_precision",
        "refusal_accuracy", "false_refusal_rate", "latency_p50", "latency_p95"}


def test_eval_on_the_seed_questions_writes_a_plausible_report_and_plot(tmp_path):
    report, plot = tmp_path / "r.json", tmp_path / "r.png"
    result = run_cli(["eval", "--questions", str(ROOT / "seeds/eval/questions.jsonl"), "--compare", "bm25,hybrid",
                      "--report", str(report), "--plot", str(plot)], tmp_path / "data")
    assert result.returncode == 0, result.stderr
    data = json.loads(report.read_text())
    assert data.keys() >= KEYS and set(data["modes"]) == {"bm25", "hybrid"} and data["mode"] == "hybrid"
    assert data["answerer"] == "extractive"
    assert data["counts"]["questions"] == 34 and data["counts"]["unanswerable"] == 8
    assert data["hit@5"] >= 0.9 and data["answer_accuracy"] >= 0.7 and data["refusal_accuracy"] >= 0.5
    assert 0 < data["latency_p50"] <= data["latency_p95"]
    assert len(data["questions"]) == 68 and {"expected", "answer", "found", "rank", "citations",
                                             "seconds"} <= data["questions"][0].keys()
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "answer_accuracy" in result.stdout and "hybrid" in result.stdout


def test_eval_rgb_file_indexes_its_passages_apart_from_the_users_articles(tmp_path):
    data_dir = tmp_path / "data"
    result = run_cli(["eval", "--questions", str(ROOT / "tests/fixtures/eval/rgb_en.jsonl"), "--json",
                      str(tmp_path / "r.json")], data_dir)
    assert result.returncode == 0, result.stderr
    assert "deprecated" in result.stderr and "--report" in result.stderr  # the old spelling still works
    report = json.loads((tmp_path / "r.json").read_text())
    assert report["format"] == "rgb" and report["hit@1"] is not None
    sources = json.loads(run_cli(["sources", "--json"], data_dir).stdout)
    assert sources == []  # the user's own index was not touched


def test_eval_json_prints_only_the_report_on_stdout(tmp_path):
    result = run_cli(["eval", "--questions", str(ROOT / "seeds/eval/questions.jsonl"), "--limit", "4", "--json"],
                     tmp_path / "data")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["counts"]["questions"] == 4 and report.keys() >= KEYS


def test_eval_usage_errors(tmp_path):
    data = tmp_path / "data"
    assert run_cli(["eval"], data).returncode == 2
    bad = run_cli(["eval", "--questions", str(ROOT / "seeds/eval/questions.jsonl"), "--compare", "magic"], data)
    assert bad.returncode == 2 and "--compare" in bad.stderr
    assert run_cli(["eval", "--questions", str(ROOT / "seeds/eval/questions.jsonl"), "-k", "0"], data).returncode == 2
    missing = run_cli(["eval", "--questions", str(tmp_path / "none.jsonl")], data)
    assert missing.returncode == 1 and "no question file" in missing.stderr


def test_eval_corpus_index_is_reused_per_embedding_and_chunking(tmp_path):
    """A second run reuses the evaluation index; other chunk settings get an index of their own, not stale passages."""
    import shutil

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for f in (ROOT / "seeds").glob("*.txt"):
        shutil.copy(f, corpus / f.name)
    args = ["eval", "--corpus", str(corpus), "--questions", str(ROOT / "seeds/eval/questions.jsonl"), "--limit", "3"]
    data = tmp_path / "data"
    first = run_cli(args, data)
    assert first.returncode == 0, first.stderr
    assert "1 added, 0 already indexed" in first.stderr
    again = run_cli(args, data)
    assert again.returncode == 0 and "0 added, 1 already indexed" in again.stderr
    smaller = run_cli(args, data, NEWSBOT_CHUNK_TOKENS="48")
    assert smaller.returncode == 0, smaller.stderr
    assert "1 added, 0 already indexed" in smaller.stderr
