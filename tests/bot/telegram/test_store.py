"""The bot's SQLite state: schema version, migration of the old feedback file, concurrent writers."""

from __future__ import annotations

import json
import sqlite3
import threading

import pytest

from bot.telegram.store import FILE, MIGRATIONS, BotStore
from retrieval.core.errors import DataDirError
from retrieval.core.types import Answer


def test_a_new_store_is_at_the_latest_schema_and_reopens_with_its_state(tmp_path):
    store = BotStore(tmp_path)
    assert store.schema_version == len(MIGRATIONS)
    assert store.follow(1, "Syria") and not store.follow(1, "Syria")
    store.set_timezone(1, "Europe/Berlin")
    store.set_digest(1, "08:00")
    store.close()
    again = BotStore(tmp_path)
    assert [t.topic for t in again.topics(1)] == ["Syria"]
    assert again.digests() == [(1, "08:00", "Europe/Berlin")]


def test_the_old_feedback_file_is_imported_once(tmp_path):
    rows = [{"time": "2025-01-01T00:00:00Z", "chat": "abc", "vote": "up", "question": "q", "answer": "a"}]
    (tmp_path / "feedback.jsonl").write_text("\n".join(json.dumps(r) for r in rows) + "\nnot json\n")
    store = BotStore(tmp_path)
    assert [v["vote"] for v in store.votes()] == ["up"]
    assert not (tmp_path / "feedback.jsonl").exists() and (tmp_path / "feedback.jsonl.migrated").exists()
    store.close()
    assert len(BotStore(tmp_path).votes()) == 1  # not imported twice


def test_an_older_schema_is_migrated_and_a_newer_one_refused(tmp_path):
    db = sqlite3.connect(str(tmp_path / FILE))
    db.execute("PRAGMA user_version = 0")
    db.close()
    assert BotStore(tmp_path).schema_version == len(MIGRATIONS)
    newer = tmp_path / "newer"
    newer.mkdir()
    db = sqlite3.connect(str(newer / FILE))
    db.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    db.close()
    with pytest.raises(DataDirError, match="newer newsbot"):
        BotStore(newer)


def test_two_handlers_writing_at_once_lose_nothing(tmp_path):
    store = BotStore(tmp_path)
    answer = Answer(question="q", answer="a", found=True)

    def vote(chat: int) -> None:
        for _ in range(50):
            store.record(chat, answer, "up")
            store.follow(chat, f"topic {_}")

    threads = [threading.Thread(target=vote, args=(chat,)) for chat in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(store.votes()) == 200 and len(store.topics()) == 200
    store.record(987654321, answer, "down")
    assert "987654321" not in json.dumps(store.votes())  # chat ids are only stored hashed
