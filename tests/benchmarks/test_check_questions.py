"""The shipped BBC question set is sound, and the checker catches a bad row."""

from __future__ import annotations

import importlib.util
import json

import pytest

from tests.conftest import BBC, ROOT

spec = importlib.util.spec_from_file_location("check_questions", ROOT / "benchmarks" / "check_questions.py")
check_questions = importlib.util.module_from_spec(spec)
spec.loader.exec_module(check_questions)


@pytest.mark.skipif(not BBC.is_dir(), reason="the BBC corpus is not beside the project (../shared/corpora/bbc)")
def test_every_bbc_answer_occurs_in_its_source_file(capsys):
    assert check_questions.main(["--corpus", str(BBC)]) == 0
    rows = [json.loads(line) for line in (ROOT / "benchmarks/questions/bbc.jsonl").read_text().splitlines()]
    categories = {r["category"] for r in rows}
    assert len(rows) >= 60 and sum(1 for r in rows if not r["answers"]) >= 10
    assert all(sum(1 for r in rows if r["category"] == c and r["answers"]) >= 10 for c in categories)


def test_the_checker_reports_an_answer_missing_from_its_source(tmp_path, capsys):
    (tmp_path / "corpus").mkdir()
    (tmp_path / "corpus" / "a.txt").write_text("Shares rose 5% on Monday.")
    bad = tmp_path / "q.jsonl"
    bad.write_text(json.dumps({"id": "1", "question": "By how much?", "answers": ["7%"], "sources": ["a.txt"]})
                   + "\n" + json.dumps({"id": "1", "question": "x", "answers": [], "sources": ["b.txt"]}) + "\n")
    assert check_questions.main(["--corpus", str(tmp_path / "corpus"), str(bad)]) == 1
    out = capsys.readouterr().out
    assert "'7%' is in none of its sources" in out and "duplicate id" in out and "lists sources" in out
