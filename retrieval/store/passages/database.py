"""`Database`: the passage store's SQLite file (WAL), its schema, its ``meta`` table and its transactions."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from retrieval.core.errors import DataDirError

SCHEMA_VERSION = 1
_SCHEMA = """
CREATE TABLE IF NOT EXISTS passages (
    row INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    doc_id TEXT NOT NULL,
    idx INTEGER NOT NULL,
    text TEXT NOT NULL,
    start INTEGER NOT NULL,
    end_ INTEGER NOT NULL,
    title TEXT NOT NULL,
    source TEXT NOT NULL,
    date TEXT,
    url TEXT,
    n_chunks INTEGER NOT NULL,
    publisher TEXT,
    file_offset INTEGER,
    file TEXT NOT NULL,
    hash TEXT NOT NULL,
    seq INTEGER NOT NULL,
    body_terms TEXT NOT NULL,
    title_terms TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS passages_doc ON passages (doc_id, idx);
CREATE INDEX IF NOT EXISTS passages_file ON passages (file);
CREATE INDEX IF NOT EXISTS passages_seq ON passages (seq);
CREATE INDEX IF NOT EXISTS passages_date ON passages (date);
CREATE INDEX IF NOT EXISTS firsts_by_date ON passages (date) WHERE idx = 0;
CREATE INDEX IF NOT EXISTS firsts_by_source ON passages (source) WHERE idx = 0;
CREATE INDEX IF NOT EXISTS passages_url ON passages (url) WHERE url IS NOT NULL;
CREATE TABLE IF NOT EXISTS df (term TEXT PRIMARY KEY, n INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS pending (doc_id TEXT PRIMARY KEY) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE VIRTUAL TABLE IF NOT EXISTS keywords USING fts5(
    terms, content='', tokenize="unicode61 remove_diacritics 0 tokenchars '.''’'"
);
"""


class Database:
    """The SQLite file at ``path`` (created on first use), shared by the store's parts: one connection, used under
    `lock` (thread-safe); readers in other processes never wait for the writer (WAL)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.lock = threading.RLock()
        self._own_writes = 0
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self.conn = sqlite3.connect(str(path), check_same_thread=False, timeout=60, isolation_level=None)
            self.conn.execute("PRAGMA journal_mode=WAL")
            self.conn.execute("PRAGMA synchronous=NORMAL")
            self._migrate()
        except sqlite3.DatabaseError as exc:
            raise DataDirError(
                f"cannot open the passage index {path} ({exc}); move the file away: it is rebuilt from the "
                "vectors' collection"
            ) from None

    def _migrate(self) -> None:
        version = self.conn.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise DataDirError(f"{self.path} was written by a newer newsbot (schema {version}); upgrade newsbot")
        if version < SCHEMA_VERSION:
            self.conn.executescript("BEGIN;" + _SCHEMA + f"PRAGMA user_version = {SCHEMA_VERSION}; COMMIT;")

    def close(self) -> None:
        with self.lock:
            self.conn.close()

    # ---- what changed ----------------------------------------------------------------------------
    def version(self) -> int:
        """Changes whenever another connection commits (SQLite's data_version), or this one writes (what the
        readers' caches key on)."""
        return int(self.conn.execute("PRAGMA data_version").fetchone()[0]) + self._own_writes

    def meta(self, key: str, default: str = "") -> str:
        with self.lock:
            row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else default

    def set_meta(self, **values: object) -> None:
        with self.lock, self.transaction():
            self.conn.executemany(
                "INSERT INTO meta VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                [(k, str(v)) for k, v in values.items()],
            )

    @property
    def last_seq(self) -> int:
        """The highest write sequence number applied here."""
        return int(self.meta("seq", "0") or 0)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One write (hold `lock` around it): committed whole, or rolled back on any exception."""
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")
        self._own_writes += 1
