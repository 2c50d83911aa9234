"""The feeds newsbot follows and the URLs it has already read, in SQLite in the data directory.

Times are Unix seconds (floats, UTC). ``seen`` holds every item URL that was dealt with: indexed (with its
content hash) or given up for good (404, no article text, ...: content hash NULL).
"""

from __future__ import annotations

import builtins
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from typing_extensions import Self

from retrieval.core.errors import DataDirError, InputError

SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS feeds (
    id INTEGER PRIMARY KEY,
    url TEXT NOT NULL UNIQUE,
    name TEXT,
    language TEXT,
    kind TEXT NOT NULL,
    etag TEXT,
    last_modified TEXT,
    added_at REAL NOT NULL,
    last_fetch REAL,
    last_status TEXT,
    last_error TEXT,
    failures INTEGER NOT NULL DEFAULT 0,
    next_due REAL,
    articles INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS seen (
    url TEXT PRIMARY KEY,
    canonical_url TEXT,
    content_hash TEXT,
    feed_id INTEGER REFERENCES feeds(id) ON DELETE SET NULL,
    first_seen REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS seen_canonical ON seen(canonical_url);
CREATE INDEX IF NOT EXISTS feeds_due ON feeds(next_due);
"""
_COLUMNS = (
    "id, url, name, language, kind, etag, last_modified, added_at, last_fetch, last_status, last_error, "
    "failures, next_due, articles"
)


@dataclass(frozen=True)
class Feed:
    """One followed feed or sitemap and the state of its last fetch."""

    id: int
    url: str
    name: str | None
    language: str | None
    kind: str  # "rss", "atom", "jsonfeed", "sitemap" or "sitemapindex"
    etag: str | None
    last_modified: str | None
    added_at: float
    last_fetch: float | None
    last_status: str | None
    last_error: str | None
    failures: int
    next_due: float | None
    articles: int


class FeedRegistry:
    """SQLite (WAL) store of feeds and seen URLs; one connection shared by threads behind a lock."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path, check_same_thread=False, timeout=10.0, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")  # WAL: still consistent after a crash, and fast
            self._db.execute("PRAGMA foreign_keys=ON")
            self._migrate()
        except sqlite3.DatabaseError as exc:
            raise DataDirError(f"cannot open the feed registry {self.path}: {exc}") from None
        except OSError as exc:
            raise DataDirError(f"cannot create the feed registry {self.path}: {exc.strerror or exc}") from None

    def _migrate(self) -> None:
        version = self._db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise DataDirError(
                f"the feed registry {self.path} has schema version {version}; this newsbot reads "
                f"version {SCHEMA_VERSION} (upgrade newsbot)"
            )
        if version < SCHEMA_VERSION:
            self._db.executescript(f"BEGIN IMMEDIATE;{_SCHEMA}PRAGMA user_version={SCHEMA_VERSION};COMMIT;")

    @property
    def schema_version(self) -> int:
        with self._lock:
            return int(self._db.execute("PRAGMA user_version").fetchone()[0])

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- feeds ---------------------------------------------------------------------------------------------

    def add(
        self, url: str, *, kind: str, name: str | None = None, language: str | None = None, now: float | None = None
    ) -> Feed:
        """Follow ``url``; raise `InputError` when it is already followed."""
        now = time.time() if now is None else now
        with self._lock:
            try:
                cursor = self._db.execute(
                    "INSERT INTO feeds (url, name, language, kind, added_at, next_due) VALUES (?, ?, ?, ?, ?, ?)",
                    (url, name, language, kind, now, now),
                )
            except sqlite3.IntegrityError:
                raise InputError(f"already following {url}") from None
            feed_id = cursor.lastrowid
        feed = self.get(int(feed_id or 0))
        assert feed is not None
        return feed

    def remove(self, key: int | str) -> Feed:
        """Stop following a feed given by id or URL; raise `InputError` when there is none."""
        feed = self.get(key)
        if feed is None:
            raise InputError(f"no followed feed {key}")
        with self._lock:
            self._db.execute("DELETE FROM feeds WHERE id = ?", (feed.id,))
        return feed

    def get(self, key: int | str) -> Feed | None:
        """A feed by id (an int or a string of digits) or by URL."""
        with self._lock:
            if isinstance(key, int) or str(key).isdigit():
                row = self._db.execute(f"SELECT {_COLUMNS} FROM feeds WHERE id = ?", (int(key),)).fetchone()
            else:
                row = self._db.execute(f"SELECT {_COLUMNS} FROM feeds WHERE url = ?", (key,)).fetchone()
        return Feed(*row) if row else None

    def list(self) -> list[Feed]:
        with self._lock:
            rows = self._db.execute(f"SELECT {_COLUMNS} FROM feeds ORDER BY id").fetchall()
        return [Feed(*row) for row in rows]

    def due(self, now: float | None = None) -> builtins.list[Feed]:
        """Feeds whose next fetch is due at ``now``, the most overdue first."""
        now = time.time() if now is None else now
        with self._lock:
            rows = self._db.execute(
                f"SELECT {_COLUMNS} FROM feeds WHERE next_due IS NULL OR next_due <= ? ORDER BY next_due, id",
                (now,),
            ).fetchall()
        return [Feed(*row) for row in rows]

    def record_fetch(
        self,
        feed_id: int,
        *,
        now: float,
        status: str,
        next_due: float,
        failures: int = 0,
        error: str | None = None,
        etag: str | None = None,
        last_modified: str | None = None,
        new_articles: int = 0,
        kind: str | None = None,
        name: str | None = None,
    ) -> Feed | None:
        """Store the outcome of one fetch of a feed (validators, status, error, failures, next due time)."""
        with self._lock:
            self._db.execute(
                "UPDATE feeds SET last_fetch = ?, last_status = ?, last_error = ?, failures = ?, next_due = ?, "
                "etag = ?, last_modified = ?, articles = articles + ?, kind = COALESCE(?, kind), "
                "name = COALESCE(name, ?) WHERE id = ?",
                (now, status, error, failures, next_due, etag, last_modified, new_articles, kind, name, feed_id),
            )
        return self.get(feed_id)

    # -- seen URLs -----------------------------------------------------------------------------------------

    def mark_seen(
        self,
        url: str,
        *,
        canonical_url: str | None = None,
        content_hash: str | None = None,
        feed_id: int | None = None,
        now: float | None = None,
    ) -> None:
        """Remember that ``url`` was dealt with (the first time is kept)."""
        now = time.time() if now is None else now
        with self._lock:
            self._db.execute(
                "INSERT OR IGNORE INTO seen (url, canonical_url, content_hash, feed_id, first_seen) "
                "VALUES (?, ?, ?, ?, ?)",
                (url, canonical_url, content_hash, feed_id, now),
            )

    def seen(self, url: str) -> bool:
        """Whether ``url`` was seen, as an item URL or as the canonical URL of one."""
        with self._lock:
            row = self._db.execute(
                "SELECT 1 FROM seen WHERE url = ? UNION ALL SELECT 1 FROM seen WHERE canonical_url = ? LIMIT 1",
                (url, url),
            ).fetchone()
        return row is not None

    def seen_count(self) -> int:
        with self._lock:
            return int(self._db.execute("SELECT COUNT(*) FROM seen").fetchone()[0])
