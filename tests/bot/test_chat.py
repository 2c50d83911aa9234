"""`newsbot chat` as a person uses it: a real pseudo-terminal (pexpect), and piped through a subprocess."""

from __future__ import annotations

import json
import sys

import pexpect

from tests.conftest import CARMAKERS, cli_env, run_cli

THREE = "When did the Assad government fall?\nWhich group led the fighters?\n\nWhere was their stronghold?\n"


def test_piped_chat_answers_each_line_with_the_conversation_kept(tmp_path):
    result = run_cli(["chat"], tmp_path / "data", input=THREE + "quit\nwho evacuated via Khmeimim?\n")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.count("> ") == 3  # the empty line was skipped; "quit" left before the last line
    assert "pilgrims" not in out
    assert "December 8" in out and "Hayat Tahrir al-Sham" in out and "Idlib" in out
    assert "(searched: Where was their stronghold? (" in out
    assert "\x1b[" not in out  # plain text, no colours


def test_piped_chat_asks_the_suggested_question_on_y(tmp_path):
    result = run_cli(["chat"], tmp_path / "data", input="who evacuated via Kmeimim?\ny\ny\n")
    assert result.returncode == 0, result.stderr
    declined, answered, again = result.stdout.split("> ")[1:]
    assert "Did you mean: who evacuated via Khmeimim?" in declined
    assert "pilgrims" in answered and "Khmeimim Air Base" in answered
    assert "pilgrims" not in again  # after an answer, "y" is a question like any other


def test_piped_chat_follows_the_story_through_definite_descriptions(tmp_path):
    data = tmp_path / "data"
    assert run_cli(["ingest", str(CARMAKERS)], data).returncode == 0
    lines = "Why did Renault cut its profit forecast?\nHow far did the carmaker's shares fall?\nWho runs the company?\n"
    result = run_cli(["chat"], data, input=lines)
    assert result.returncode == 0, result.stderr
    shares, boss = result.stdout.split("> ")[2:]
    assert "7.2%" in shares and "3.1%" not in shares  # the other carmaker's article matches the words better
    assert "(searched: How far did Renault's shares fall?" in shares
    assert "Anne Lefevre" in boss and "(searched: Who runs Renault? (" in boss and "chief executive" in boss


def test_piped_chat_json_prints_one_answer_per_line_with_the_searched_question(tmp_path):
    result = run_cli(["chat", "--json"], tmp_path / "data", input=THREE + "x" * 3000 + "\n")
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(rows) == 3 and all({"answer", "found", "citations", "searched"} <= row.keys() for row in rows)
    assert rows[2]["searched"].startswith("Where was their stronghold? (") and "Idlib" in rows[2]["answer"]
    assert "limit" in result.stderr  # the 3000-character line was refused with a message


def test_interactive_chat_on_a_pseudo_terminal(tmp_path):
    env = cli_env(tmp_path / "data", TERM="xterm", COLUMNS="100", PROMPT_TOOLKIT_NO_CPR="1")
    child = pexpect.spawn(sys.executable, ["-m", "bot", "chat"], env=env, cwd=str(tmp_path), encoding="utf-8",
                          timeout=120, dimensions=(40, 100))
    try:
        child.expect("you>")
        child.sendline("who evacuated via Khmeimim?")
        child.expect("pilgrims")
        child.expect("you>")
        child.sendline("How were they transported?")
        child.expect("searched: How were they transported")
        child.expect("Iranian planes")
        child.expect("you>")
        child.sendline("/cite 1")
        child.expect("Khmeimim Air Base")
        child.expect("you>")
        child.sendline("/sources")
        child.expect("1 article:")
        child.expect("you>")
        child.sendline("/frobnicate")
        child.expect("Unknown command /frobnicate")
        child.expect("you>")
        child.sendline("/reset")
        child.expect("forgotten")
        child.expect("you>")
        child.sendline("How were they transported?")  # after /reset: nothing to inherit
        child.expect(r"\[1\]")
        assert "searched:" not in child.before
        child.expect("you>")
        child.sendeof()
        child.expect("Bye")
        child.expect(pexpect.EOF)
    finally:
        child.close()
    assert child.exitstatus == 0
    assert "Traceback" not in (child.before or "")
    assert (tmp_path / "data" / "chat_history").read_text().count("Khmeimim") >= 1  # history kept for next time


def test_interactive_chat_ctrl_c_leaves_cleanly(tmp_path):
    child = pexpect.spawn(sys.executable, ["-m", "bot", "chat"], env=cli_env(tmp_path / "data", TERM="xterm", PROMPT_TOOLKIT_NO_CPR="1"),
                          cwd=str(tmp_path), encoding="utf-8", timeout=60)
    try:
        child.expect("you>")
        child.sendintr()
        child.expect(pexpect.EOF)
    finally:
        child.close()
    assert child.exitstatus == 0 and "Traceback" not in (child.before or "")
