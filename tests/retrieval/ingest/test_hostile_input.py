"""A folder of broken files next to good articles: each bad file is named once, the good ones are indexed.

Built as a user would meet it: empty, binary, truncated and deeply nested JSON, a page with no text, a file over
the size limit, a dangling link, names with spaces, quotes and non-ASCII characters. `newsbot ingest` is run
twice as a real process: no traceback, exit code 3 ("done with failures"), and the second run adds nothing.
"""

from __future__ import annotations

import json
import os

import pytest

from tests.conftest import run_cli, use_onnx_cache

GOOD = {
    "harbour story.txt": ("Harbour of Tartus reopens", "The harbour of Tartus reopened to cargo ships on Monday "
                          "after repairs that cost 4 million dollars, the port authority said."),
    "l'école «nouvelle».md": ("Une école ouvre", "The new school in Lyon opened its doors to 300 pupils on "
                               "Tuesday, the mayor Claire Dubois announced."),
    'quote "marks".json': None,  # written below as a JSON article
}


def build_folder(root):
    folder = root / "incoming"
    folder.mkdir()
    for name, item in GOOD.items():
        if item:
            title, body = item
            (folder / name).write_text(f"Title: {title}\nDate: 2025-03-0{len(name) % 9 + 1}\n\n{body}",
                                       encoding="utf-8")
    (folder / 'quote "marks".json').write_text(json.dumps(
        {"title": "Bridge vote", "date": "2025-03-09",
         "text": "The council of Valmont voted 7 to 2 on Wednesday to rebuild the old stone bridge."}))
    bad = {
        "empty.txt": b"",
        "binary.txt": bytes(range(256)) * 20,
        "truncated.json": b'{"title": "Cut", "text": "This file stops in the mid',
        "deep.json": b"[" * 5000 + b"]" * 5000,
        "deep-lines.jsonl": b'{"title": "ok", "text": "' + b"word " * 20 + b'"}\n' + b"[" * 3000 + b"]" * 3000,
        "no-text.html": b"<!doctype html><html><body><nav>Home | About</nav></body></html>",
        "huge.txt": b"Title: Huge\n\n" + b"The same sentence again and again. " * 4000,
        "nul.md": b"Title: x\n\n\x00\x00\x00 text",
        "latin1-control.txt": b"\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0c\x0e\x0f" * 20,
    }
    for name, data in bad.items():
        (folder / name).write_bytes(data)
    os.symlink(folder / "gone.txt", folder / "dangling.txt")
    os.symlink(folder / "loop-b.txt", folder / "loop-a.txt")  # a symbolic link loop (it stopped the whole ingest)
    os.symlink(folder / "loop-a.txt", folder / "loop-b.txt")
    return folder, set(bad) | {"dangling.txt", "truncated.json", "loop-a.txt", "loop-b.txt"}


@pytest.fixture
def data_dir(tmp_path, onnx_cache):
    data = tmp_path / "data"
    use_onnx_cache(onnx_cache, data)
    return data


def test_hostile_folder_names_each_bad_file_once_and_indexes_the_good_ones(tmp_path, data_dir):
    folder, bad_names = build_folder(tmp_path)
    env = {"NEWSBOT_EMBEDDING_BACKEND": "onnx", "NEWSBOT_MAX_FILE_MB": "0.1"}
    first = run_cli(["ingest", "--no-progress", str(folder)], data_dir, **env)
    assert first.returncode == 3, first.stderr  # done, with failures
    assert "Traceback" not in first.stderr
    failed_lines = [line for line in first.stderr.splitlines() if line.strip().startswith("failed:")]
    for name in bad_names - {"deep-lines.jsonl"}:
        assert sum(name in line for line in failed_lines) == 1, (name, first.stderr)
    # the JSONL file keeps its good line and names its bad one
    assert any("deep-lines.jsonl" in line and "nested deeper" in line for line in failed_lines), first.stderr
    assert "added 4," in first.stderr  # three good files and the good line of the JSONL
    answer = json.loads(run_cli(["ask", "--json", "When did the harbour of Tartus reopen?"], data_dir, **env).stdout)
    assert answer["found"] and "Monday" in answer["answer"]
    vote = json.loads(run_cli(["ask", "--json", "How did the Valmont council vote on the bridge?"], data_dir,
                              **env).stdout)
    assert vote["found"] and "7 to 2" in vote["answer"]
    second = run_cli(["ingest", "--no-progress", "--json", str(folder)], data_dir, **env)
    assert second.returncode == 3 and "Traceback" not in second.stderr
    report = json.loads(second.stdout)
    assert report["added"] == [] and report["replaced"] == [] and len(report["unchanged"]) == 4


def test_a_file_whose_parser_hangs_is_reported_and_the_rest_goes_on(tmp_path, monkeypatch):
    from retrieval.ingest import documents

    slow = tmp_path / "slow.txt"
    slow.write_text("Title: Slow\n\nA page that a parser never finishes reading.")
    release = __import__("threading").Event()
    real = documents._read

    def hanging(path, *args):
        if path.name == "slow.txt":
            release.wait(30)
        return real(path, *args)

    monkeypatch.setattr(documents, "_read", hanging)
    try:
        loaded = documents.load_file(slow, 1_000_000, time_limit=0.2)
    finally:
        release.set()
    assert loaded.articles == [] and "took longer than" in loaded.error
    good = tmp_path / "good.txt"
    good.write_text("Title: Good\n\nThe good file is read as usual.")
    assert documents.load_file(good, 1_000_000).articles


def test_json_depth_is_checked_before_decoding():
    from retrieval.core.limits import json_depth_exceeds

    assert json_depth_exceeds("[" * 65 + "]" * 65)
    assert not json_depth_exceeds('{"text": "' + "[" * 100 + '"}')  # brackets inside a string do not nest
    assert not json_depth_exceeds("[" * 10 + "]" * 10)
