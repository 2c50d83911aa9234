"""The bot's state that must survive a restart, in one SQLite file (``bot.sqlite3`` in the data directory).

Chats (time zone), followed topics, digest schedules, 👍/👎 votes (chat ids hashed with a per-install salt,
never stored), alerts already sent (each article once per chat; the hourly cap) and the inline-answer cache.
The schema version is SQLite's ``user_version``; `MIGRATIONS` brings an older file up to date, and a
``feedback.jsonl`` left by older versions is imported once (then renamed). One connection shared by the
handlers' threads behind a lock, WAL journal, so two handlers writing at once never corrupt it.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from retrieval.core.errors import DataDirError
from retrieval.core.types import Answer

FILE = "bot.sqlite3"
MIGRATIONS = [
    # 1: chats, topics, digests, votes, alerts, inline cache
    """
    CREATE TABLE chats (chat_id INTEGER PRIMARY KEY, timezone TEXT NOT NULL DEFAULT 'UTC', created REAL);
    CREATE TABLE topics (id INTEGER PRIMARY KEY AUTOINCREMENT, chat_id INTEGER NOT NULL, topic TEXT NOT NULL,
                         created REAL, UNIQUE (chat_id, topic));
    CREATE TABLE digests (chat_id INTEGER PRIMARY KEY, at TEXT NOT NULL);
    CREATE TABLE votes (id INTEGER PRIMARY KEY AUTOINCREMENT, time TEXT, chat TEXT, vote TEXT, row TEXT);
    CREATE TABLE alerts (chat_id INTEGER NOT NULL, doc_id TEXT NOT NULL, topic TEXT, sent_at REAL,
                         PRIMARY KEY (chat_id, doc_id));
    CREATE TABLE inline_cache (key TEXT PRIMARY KEY, payload TEXT NOT NULL, expires REAL NOT NULL);
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);
    """,
]


@dataclass(frozen=True)
class Topic:
    id: int
    chat_id: int
    topic: str


class BotStore:
    """Everything the Telegram bot remembers across restarts."""

    def __init__(self, data_dir: Path, clock: Any = time.time) -> None:
        self.path = data_dir / FILE
        self._data_dir = data_dir
        self._clock = clock
        self._lock = threading.Lock()
        try:
            data_dir.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(str(self.path), check_same_thread=False, timeout=30)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._migrate()
        except sqlite3.DatabaseError as exc:
            raise DataDirError(f"cannot open the bot's state in {self.path} ({exc})") from None
        self._salt: str | None = None
        self._import_feedback_jsonl()

    # ---- schema -------------------------------------------------------------------------------
    @property
    def schema_version(self) -> int:
        return int(self._db.execute("PRAGMA user_version").fetchone()[0])

    def _migrate(self) -> None:
        version = self.schema_version
        if version > len(MIGRATIONS):
            raise DataDirError(f"{self.path} was written by a newer newsbot (schema {version}); upgrade newsbot")
        for number, script in enumerate(MIGRATIONS[version:], version + 1):
            with self._db:
                self._db.executescript(script)
                self._db.execute(f"PRAGMA user_version = {number}")

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def _write(self, sql: str, params: tuple[Any, ...] = ()) -> sqlite3.Cursor:
        with self._lock, self._db:
            return self._db.execute(sql, params)

    def _read(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        with self._lock:
            return list(self._db.execute(sql, params))

    # ---- chats and topics -----------------------------------------------------------------------
    def timezone(self, chat_id: int) -> str:
        rows = self._read("SELECT timezone FROM chats WHERE chat_id = ?", (chat_id,))
        return rows[0][0] if rows else "UTC"

    def set_timezone(self, chat_id: int, zone: str) -> None:
        self._write(
            "INSERT INTO chats (chat_id, timezone, created) VALUES (?, ?, ?) "
            "ON CONFLICT (chat_id) DO UPDATE SET timezone = excluded.timezone",
            (chat_id, zone, self._clock()),
        )

    def follow(self, chat_id: int, topic: str) -> bool:
        """Add a topic for the chat; False when it was already followed."""
        cursor = self._write(
            "INSERT OR IGNORE INTO topics (chat_id, topic, created) VALUES (?, ?, ?)", (chat_id, topic, self._clock())
        )
        return cursor.rowcount == 1

    def topics(self, chat_id: int | None = None) -> list[Topic]:
        """The chat's topics (every chat's when None), in the order they were followed."""
        if chat_id is None:
            rows = self._read("SELECT id, chat_id, topic FROM topics ORDER BY id")
        else:
            rows = self._read("SELECT id, chat_id, topic FROM topics WHERE chat_id = ? ORDER BY id", (chat_id,))
        return [Topic(*row) for row in rows]

    def unfollow(self, chat_id: int, number: int) -> Topic | None:
        """Remove the chat's ``number``-th topic (1-based, as `/following` lists them)."""
        topics = self.topics(chat_id)
        if not 1 <= number <= len(topics):
            return None
        topic = topics[number - 1]
        self._write("DELETE FROM topics WHERE id = ?", (topic.id,))
        return topic

    # ---- digests ---------------------------------------------------------------------------------
    def set_digest(self, chat_id: int, at: str | None) -> None:
        """Schedule the chat's daily digest at ``at`` ("HH:MM", the chat's time zone); None turns it off."""
        if at is None:
            self._write("DELETE FROM digests WHERE chat_id = ?", (chat_id,))
        else:
            self._write(
                "INSERT INTO digests (chat_id, at) VALUES (?, ?) ON CONFLICT (chat_id) DO UPDATE SET at = excluded.at",
                (chat_id, at),
            )

    def digests(self) -> list[tuple[int, str, str]]:
        """(chat_id, "HH:MM", time zone) of every scheduled digest."""
        return [
            (chat, at, zone or "UTC")
            for chat, at, zone in self._read(
                "SELECT d.chat_id, d.at, c.timezone FROM digests d LEFT JOIN chats c ON c.chat_id = d.chat_id"
            )
        ]

    # ---- alerts ----------------------------------------------------------------------------------
    def mark_alerted(self, chat_id: int, doc_id: str, topic: str) -> bool:
        """Record an alert; False when the chat was already alerted about this article."""
        cursor = self._write(
            "INSERT OR IGNORE INTO alerts VALUES (?, ?, ?, ?)", (chat_id, doc_id, topic, self._clock())
        )
        return cursor.rowcount == 1

    def alerts_since(self, chat_id: int, since: float) -> int:
        return int(self._read("SELECT COUNT(*) FROM alerts WHERE chat_id = ? AND sent_at >= ?", (chat_id, since))[0][0])

    # ---- votes -----------------------------------------------------------------------------------
    def _hash(self, value: int) -> str:
        if self._salt is None:
            salt_path = self._data_dir / "feedback.salt"
            if not salt_path.exists():
                salt_path.write_text(secrets.token_hex(16))
            self._salt = salt_path.read_text().strip()
        return hashlib.sha256(f"{self._salt}:{value}".encode()).hexdigest()[:16]

    def record(self, chat_id: int, answer: Answer, vote: str) -> dict[str, Any]:
        """Store a vote ("up" or "down") on ``answer``; returns the stored row (the chat id only hashed)."""
        row = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(self._clock())),
            "chat": self._hash(chat_id),
            "vote": vote,
            "question": answer.question,
            "searched": answer.searched,
            "found": answer.found,
            "answer": answer.answer,
            "answerer": answer.answerer,
            "citations": [
                {"n": c.n, "doc_id": c.doc_id, "title": c.title, "source": c.source, "quote": c.quote}
                for c in answer.citations
            ],
        }
        self._write(
            "INSERT INTO votes (time, chat, vote, row) VALUES (?, ?, ?, ?)",
            (row["time"], row["chat"], vote, json.dumps(row, ensure_ascii=False)),
        )
        return row

    def votes(self) -> list[dict[str, Any]]:
        return [json.loads(row) for (row,) in self._read("SELECT row FROM votes ORDER BY id")]

    def _import_feedback_jsonl(self) -> None:
        """Votes written by older versions to ``feedback.jsonl`` move here once; the file is kept, renamed."""
        legacy = self._data_dir / "feedback.jsonl"
        if not legacy.exists():
            return
        rows = []
        for line in legacy.read_text(encoding="utf-8").splitlines():
            try:
                row = json.loads(line)
            except json.JSONDecodeError:
                continue
            if isinstance(row, dict):
                rows.append(row)
        with self._lock, self._db:
            self._db.executemany(
                "INSERT INTO votes (time, chat, vote, row) VALUES (?, ?, ?, ?)",
                [(r.get("time"), r.get("chat"), r.get("vote"), json.dumps(r, ensure_ascii=False)) for r in rows],
            )
        legacy.rename(legacy.with_name("feedback.jsonl.migrated"))

    # ---- the inline cache ------------------------------------------------------------------------
    def cached(self, key: str) -> dict[str, Any] | None:
        rows = self._read("SELECT payload, expires FROM inline_cache WHERE key = ?", (key,))
        if not rows or rows[0][1] < self._clock():
            return None
        return dict(json.loads(rows[0][0]))

    def cache(self, key: str, payload: dict[str, Any], seconds: float) -> None:
        now = self._clock()
        self._write(
            "INSERT OR REPLACE INTO inline_cache VALUES (?, ?, ?)",
            (key, json.dumps(payload, ensure_ascii=False), now + seconds),
        )
        self._write("DELETE FROM inline_cache WHERE expires < ?", (now,))
