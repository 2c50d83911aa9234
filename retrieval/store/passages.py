"""`PassageStore`: every indexed passage in one SQLite file, with its keyword index (FTS5) and term counts.

It replaces the chunk table and BM25 matrix that were rebuilt whole from Chroma after every write: a write adds
and deletes the passages it touched, in one transaction per group, and a reader sees them at its next query
(WAL: readers never wait for the writer). Nothing is loaded whole into memory: a passage, an article's passages,
the first passages of a date range, the documents of a file are indexed lookups.

- ``passages``: the text and metadata of each passage, its keyword terms, and ``seq``, the write sequence number
  it was written under (Chroma's rows carry the same number, so a mirror catches up with what changed since
  the last sequence it saw);
- ``keywords``: an FTS5 table over the stemmed terms of `retrieval.core.text.terms` (title + text, as BM25 read
  them before), ranked by FTS5's ``bm25()``;
- ``df``: in how many passages' texts each term occurs (the answerer's idf and "is this word in any article");
- ``pending``: documents being deleted (a delete killed between Chroma and this file is finished on repair);
- ``meta``: the Chroma stamp this file is in step with, and the last sequence number applied.
"""

from __future__ import annotations

import math
import sqlite3
import threading
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from retrieval.core.errors import DataDirError
from retrieval.core.text import terms
from retrieval.core.types import Article, Chunk

SCHEMA_VERSION = 1
IDF_PRIOR = 50  # passages without a term assumed beside the collection: idf stays sane in tiny collections
_COLUMNS = "id, doc_id, idx, text, start, end_, title, source, date, url, n_chunks, publisher, file_offset"
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


@dataclass(frozen=True)
class FileInfo:
    """Where an indexed article was read from, and its content hash (what incremental ingest compares)."""

    file: str
    hash: str


@dataclass(frozen=True)
class Described:
    """What an indexed article says of itself beside its text (a later edit of these replaces it)."""

    title: str
    date: str | None
    url: str | None
    publisher: str | None
    file_offset: int | None


def chunk_id(doc_id: str, index: int) -> str:
    """The id of chunk ``index`` of document ``doc_id`` (the one place that spells the format)."""
    return f"{doc_id}-{index}"


def _chunk(row: Sequence[Any]) -> Chunk:
    id_, doc_id, idx, text, start, end, title, source, date, url, n_chunks, publisher, file_offset = row[:13]
    return Chunk(id_, doc_id, idx, text, start, end, title, source, date, url, n_chunks, publisher, file_offset)


class PassageStore:
    """The passages of one collection in ``path`` (created on first use). Thread-safe; one writer at a time
    (the data directory's write lock), any number of readers in other processes."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.RLock()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(str(path), check_same_thread=False, timeout=60, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._migrate()
        except sqlite3.DatabaseError as exc:
            raise DataDirError(
                f"cannot open the passage index {path} ({exc}); move the file away: it is rebuilt from the "
                "vectors' collection"
            ) from None
        self._cached_total: tuple[int, int] | None = None  # (data_version, count)

    def _migrate(self) -> None:
        version = self._db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise DataDirError(f"{self.path} was written by a newer newsbot (schema {version}); upgrade newsbot")
        if version < SCHEMA_VERSION:
            self._db.executescript("BEGIN;" + _SCHEMA + f"PRAGMA user_version = {SCHEMA_VERSION}; COMMIT;")

    def close(self) -> None:
        with self._lock:
            self._db.close()

    # ---- what changed ----------------------------------------------------------------------------
    def _version(self) -> int:
        """Changes whenever another connection commits (SQLite's data_version), or this one writes."""
        return int(self._db.execute("PRAGMA data_version").fetchone()[0]) + self._own_writes

    _own_writes = 0

    def meta(self, key: str, default: str = "") -> str:
        with self._lock:
            row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else default

    def set_meta(self, **values: object) -> None:
        with self._lock, self._transaction():
            self._db.executemany(
                "INSERT INTO meta VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                [(k, str(v)) for k, v in values.items()],
            )

    @property
    def last_seq(self) -> int:
        """The highest write sequence number applied here."""
        return int(self.meta("seq", "0") or 0)

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")
        self._own_writes += 1

    # ---- writing ---------------------------------------------------------------------------------
    def add(self, chunks: Sequence[Chunk], files: dict[str, tuple[str, str]], seq: int) -> None:
        """Insert (or replace) ``chunks``; ``files``: doc_id -> (file, content hash); ``seq``: their write number."""
        rows, delta = [], Counter[str]()
        titles: dict[str, str] = {}
        for c in chunks:
            body = terms(c.text)
            title = titles.get(c.title)
            if title is None:
                title = titles[c.title] = " ".join(terms(c.title))
            delta.update(set(body))
            file, digest = files[c.doc_id]
            rows.append(
                (
                    c.id,
                    c.doc_id,
                    c.index,
                    c.text,
                    c.start,
                    c.end,
                    c.title,
                    c.source,
                    c.date,
                    c.url,
                    c.n_chunks,
                    c.publisher,
                    c.file_offset,
                    file,
                    digest,
                    seq,
                    " ".join(body),
                    title,
                )
            )
        with self._lock, self._transaction():
            self._forget_rows(
                self._db.execute(
                    f"SELECT row, body_terms, title_terms FROM passages WHERE id IN ({_marks(len(rows))})",
                    [r[0] for r in rows],
                ).fetchall()
            )
            for row in rows:
                cur = self._db.execute(
                    f"INSERT INTO passages ({_COLUMNS}, file, hash, seq, body_terms, title_terms) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    row,
                )
                self._db.execute(
                    "INSERT INTO keywords (rowid, terms) VALUES (?, ?)",
                    (cur.lastrowid, f"{row[17]} {row[16]}".strip() or "_empty_"),
                )
            self._count_terms(delta, +1)
            self._db.execute(
                "INSERT INTO meta VALUES ('seq', ?) ON CONFLICT(key) DO UPDATE SET value = "
                "max(CAST(value AS INTEGER), CAST(excluded.value AS INTEGER))",
                (str(seq),),
            )

    def delete_documents(self, doc_ids: Iterable[str]) -> int:
        """Remove every passage of ``doc_ids``; returns how many passages went."""
        ids = sorted(set(doc_ids))
        removed = 0
        with self._lock, self._transaction():
            for start in range(0, len(ids), 500):
                part = ids[start : start + 500]
                found = self._db.execute(
                    f"SELECT row, body_terms, title_terms FROM passages WHERE doc_id IN ({_marks(len(part))})", part
                ).fetchall()
                self._forget_rows(found)
                removed += len(found)
                self._db.execute(f"DELETE FROM pending WHERE doc_id IN ({_marks(len(part))})", part)
        return removed

    def _forget_rows(self, found: list[tuple[int, str, str]]) -> None:
        """Take rows out of the passages, the keyword index and the term counts (inside a transaction)."""
        if not found:
            return
        delta = Counter[str]()
        for row, body, title in found:
            self._db.execute(
                "INSERT INTO keywords (keywords, rowid, terms) VALUES ('delete', ?, ?)",
                (row, f"{title} {body}".strip() or "_empty_"),
            )
            delta.update(set(body.split()))
        self._db.execute(f"DELETE FROM passages WHERE row IN ({_marks(len(found))})", [r[0] for r in found])
        self._count_terms(delta, -1)

    def _count_terms(self, delta: Counter[str], sign: int) -> None:
        if not delta:
            return
        self._db.executemany(
            "INSERT INTO df VALUES (?, ?) ON CONFLICT(term) DO UPDATE SET n = n + excluded.n",
            [(t, sign * n) for t, n in delta.items()],
        )
        if sign < 0:
            self._db.execute(f"DELETE FROM df WHERE n <= 0 AND term IN ({_marks(len(delta))})", list(delta))

    def mark_pending(self, doc_ids: Iterable[str]) -> None:
        """Record documents about to be deleted from the vectors (a kill in between is finished on repair)."""
        with self._lock, self._transaction():
            self._db.executemany("INSERT OR IGNORE INTO pending VALUES (?)", [(d,) for d in doc_ids])

    def pending(self) -> list[str]:
        with self._lock:
            return [d for (d,) in self._db.execute("SELECT doc_id FROM pending")]

    def clear(self) -> None:
        """Drop every passage (a reindex, or a mirror rebuilt from the vectors' collection)."""
        with self._lock, self._transaction():
            for table in ("passages", "df", "pending", "meta"):
                self._db.execute(f"DELETE FROM {table}")
            self._db.execute("INSERT INTO keywords (keywords) VALUES ('delete-all')")

    # ---- reading: passages -----------------------------------------------------------------------
    def __len__(self) -> int:
        with self._lock:
            version = self._version()
            if self._cached_total is None or self._cached_total[0] != version:
                self._cached_total = (version, int(self._db.execute("SELECT count(*) FROM passages").fetchone()[0]))
            return self._cached_total[1]

    def get(self, id_: str) -> Chunk | None:
        with self._lock:
            row = self._db.execute(f"SELECT {_COLUMNS} FROM passages WHERE id = ?", (id_,)).fetchone()
        return _chunk(row) if row else None

    def get_many(self, ids: Sequence[str]) -> dict[str, Chunk]:
        out: dict[str, Chunk] = {}
        with self._lock:
            for start in range(0, len(ids), 500):
                part = list(ids[start : start + 500])
                for row in self._db.execute(f"SELECT {_COLUMNS} FROM passages WHERE id IN ({_marks(len(part))})", part):
                    out[row[0]] = _chunk(row)
        return out

    def neighbours(self, chunk: Chunk) -> tuple[Chunk | None, Chunk | None]:
        """The chunks before and after ``chunk`` in its article."""
        return self.get(chunk_id(chunk.doc_id, chunk.index - 1)), self.get(chunk_id(chunk.doc_id, chunk.index + 1))

    def document(self, doc_id: str) -> list[Chunk]:
        """The passages of one article, in order."""
        with self._lock:
            rows = self._db.execute(f"SELECT {_COLUMNS} FROM passages WHERE doc_id = ? ORDER BY idx", (doc_id,))
            return [_chunk(r) for r in rows]

    def article_terms(self, doc_id: str) -> frozenset[str]:
        """The search terms of a whole article (title and every passage)."""
        return _article_terms(self, doc_id, self._version())

    def firsts(
        self,
        since: str | None = None,
        until: str | None = None,
        sources: Iterable[str] | None = None,
        limit: int | None = None,
        newest_first: bool = True,
    ) -> list[Chunk]:
        """The first passage of each article, dated within [since, until] when given, of ``sources`` when
        given, newest first (undated last)."""
        where, args = ["idx = 0"], []
        if since:
            where.append("date >= ?")
            args.append(since)
        if until:
            where.append("date <= ?")
            args.append(until)
        if sources is not None:
            wanted = sorted(set(sources))
            if not wanted:
                return []
            where.append(f"source IN ({_marks(len(wanted))})")
            args += wanted
        order = "date IS NULL, date DESC, doc_id" if newest_first else "doc_id"
        sql = f"SELECT {_COLUMNS} FROM passages WHERE {' AND '.join(where)} ORDER BY {order}"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        with self._lock:
            return [_chunk(r) for r in self._db.execute(sql, args)]

    def newest_firsts(self, until: str, since: str | None = None, days: int = 5) -> list[Chunk]:
        """The first passages of the articles of the ``days`` newest days that have any, within [since, until]
        (what a "latest news" overview reads: proportional to those days, not to the archive)."""
        where, args = "idx = 0 AND date IS NOT NULL AND date <= ?", [until]
        if since:
            where += " AND date >= ?"
            args.append(since)
        with self._lock:
            dates = [
                d
                for (d,) in self._db.execute(
                    f"SELECT DISTINCT date FROM passages WHERE {where} ORDER BY date DESC LIMIT ?", (*args, days)
                )
            ]
        return self.firsts(since=dates[-1], until=until) if dates else []

    def listing(self) -> list[tuple[str, str, str | None, str, int, str | None, str | None]]:
        """Every article as (doc_id, title, date, source, passages, url, publisher), newest first."""
        with self._lock:
            return self._db.execute(
                "SELECT doc_id, title, date, source, n_chunks, url, publisher FROM passages WHERE idx = 0 "
                "ORDER BY coalesce(date, '') DESC, title DESC"
            ).fetchall()

    def titles(self) -> dict[str, str]:
        """Every article's id and title."""
        with self._lock:
            return {d: t for d, t in self._db.execute("SELECT doc_id, title FROM passages WHERE idx = 0")}

    def matching(self, names: Iterable[str]) -> set[str]:
        """Documents whose id, source, link or file is one of ``names``."""
        wanted = sorted(set(names))
        if not wanted:
            return set()
        marks = _marks(len(wanted))
        with self._lock:
            return {
                d
                for (d,) in self._db.execute(
                    f"SELECT DISTINCT doc_id FROM passages WHERE idx = 0 AND (doc_id IN ({marks}) OR source IN "
                    f"({marks}) OR url IN ({marks}) OR file IN ({marks}))",
                    wanted * 4,
                )
            }

    def date_range(self) -> tuple[str | None, str | None]:
        with self._lock:
            first, last = self._db.execute("SELECT min(date), max(date) FROM passages WHERE idx = 0").fetchone()
        return first, last

    def all_files(self) -> dict[str, FileInfo]:
        """doc_id -> `FileInfo` of every article (an evaluation's relevance reads it once per run)."""
        with self._lock:
            return {
                d: FileInfo(f, h)
                for d, f, h in self._db.execute("SELECT doc_id, file, hash FROM passages WHERE idx = 0")
            }

    def documents_since(self, seq: int) -> list[str]:
        """Articles written by writes after ``seq`` (what appeared since a caller last looked)."""
        with self._lock:
            return [
                d
                for (d,) in self._db.execute(
                    "SELECT doc_id FROM passages WHERE idx = 0 AND seq > ? ORDER BY seq, doc_id", (seq,)
                )
            ]

    def of_sources(self, sources: Iterable[str]) -> list[str]:
        """Articles read from any of ``sources`` (a path, a label or a link)."""
        wanted = sorted(set(sources))
        if not wanted:
            return []
        marks = _marks(len(wanted))
        with self._lock:
            return sorted(
                {
                    d
                    for (d,) in self._db.execute(
                        f"SELECT doc_id FROM passages WHERE idx = 0 AND (source IN ({marks}) OR url IN ({marks}))",
                        wanted * 2,
                    )
                }
            )

    def iter_passages(self, batch: int = 2000) -> Iterator[Chunk]:
        """Every passage, by (document, index), read a page at a time (reindex, exports)."""
        last = ("", -1)
        while True:
            with self._lock:
                rows = self._db.execute(
                    f"SELECT {_COLUMNS} FROM passages WHERE (doc_id, idx) > (?, ?) ORDER BY doc_id, idx LIMIT ?",
                    (*last, batch),
                ).fetchall()
            if not rows:
                return
            for row in rows:
                yield _chunk(row)
            last = (rows[-1][1], rows[-1][2])

    @property
    def newest_date(self) -> str | None:
        """The newest article date (ISO), or None when no article is dated (an archive)."""
        with self._lock:
            row = self._db.execute("SELECT max(date) FROM passages WHERE idx = 0").fetchone()
        return row[0] if row else None

    def knows_url(self, url: str) -> bool:
        """An indexed article has ``url`` as its link or its source."""
        with self._lock:
            return (
                self._db.execute(
                    "SELECT 1 FROM passages WHERE (url = ? OR source = ?) AND idx = 0 LIMIT 1", (url, url)
                ).fetchone()
                is not None
            )

    # ---- reading: documents ----------------------------------------------------------------------
    def doc_count(self) -> int:
        with self._lock:
            return int(self._db.execute("SELECT count(*) FROM passages WHERE idx = 0").fetchone()[0])

    def files_of(self, doc_ids: Iterable[str]) -> dict[str, FileInfo]:
        """doc_id -> `FileInfo` of those of ``doc_ids`` that are indexed."""
        ids = sorted(set(doc_ids))
        out: dict[str, FileInfo] = {}
        with self._lock:
            for start in range(0, len(ids), 500):
                part = ids[start : start + 500]
                for doc_id, file, digest in self._db.execute(
                    f"SELECT doc_id, file, hash FROM passages WHERE idx = 0 AND doc_id IN ({_marks(len(part))})", part
                ):
                    out[doc_id] = FileInfo(file, digest)
        return out

    def documents_of_file(self, file: str) -> set[str]:
        """The documents indexed from ``file`` (a resolved path or a URL)."""
        with self._lock:
            return {d for (d,) in self._db.execute("SELECT DISTINCT doc_id FROM passages WHERE file = ?", (file,))}

    def complete(self, doc_ids: Iterable[str]) -> set[str]:
        """Those of ``doc_ids`` whose passages are all present."""
        ids = sorted(set(doc_ids))
        out: set[str] = set()
        with self._lock:
            for start in range(0, len(ids), 500):
                part = ids[start : start + 500]
                out |= {
                    d
                    for (d,) in self._db.execute(
                        f"SELECT doc_id FROM passages WHERE doc_id IN ({_marks(len(part))}) GROUP BY doc_id "
                        "HAVING count(*) = max(n_chunks)",
                        part,
                    )
                }
        return out

    def incomplete_documents(self) -> set[str]:
        """Documents with missing passages (a write was interrupted): ingest replaces them whole."""
        with self._lock:
            rows = self._db.execute(
                "SELECT doc_id FROM passages WHERE seq >= ? GROUP BY doc_id HAVING count(*) != max(n_chunks)",
                (self._recent_seq(),),
            )
            return {d for (d,) in rows}

    def _recent_seq(self) -> int:
        """Only writes at or after the last finished one can have left a document in part."""
        return int(self.meta("finished_seq", "0") or 0)

    def described(self, doc_ids: Iterable[str]) -> dict[str, tuple[Described, str]]:
        """doc_id -> (what it says of itself, its source) for those of ``doc_ids`` that are indexed."""
        ids = sorted(set(doc_ids))
        out: dict[str, tuple[Described, str]] = {}
        with self._lock:
            for start in range(0, len(ids), 500):
                part = ids[start : start + 500]
                for doc_id, title, date, url, publisher, offset, source in self._db.execute(
                    "SELECT doc_id, title, date, url, publisher, file_offset, source FROM passages "
                    f"WHERE idx = 0 AND doc_id IN ({_marks(len(part))})",
                    part,
                ):
                    out[doc_id] = (Described(title, date, url, publisher, offset), source)
        return out

    def sources_of(self, source: str) -> bool:
        """An indexed article was read from ``source``."""
        with self._lock:
            return (
                self._db.execute("SELECT 1 FROM passages WHERE source = ? AND idx = 0 LIMIT 1", (source,)).fetchone()
                is not None
            )

    def doc_ids_where(self, since: str | None, until: str | None, source: str | None) -> set[str]:
        """Articles dated within [since, until] and whose source, link or id holds ``source`` (any, unset)."""
        where, args = ["idx = 0"], []
        if since:
            where.append("date >= ?")
            args.append(since)
        if until:
            where.append("date <= ?")
            args.append(until)
        if source:
            needle = f"%{source.lower()}%"
            where.append("(lower(source) LIKE ? OR lower(coalesce(url, '')) LIKE ? OR doc_id = ?)")
            args += [needle, needle, source.lower()]
        with self._lock:
            return {d for (d,) in self._db.execute(f"SELECT doc_id FROM passages WHERE {' AND '.join(where)}", args)}

    def articles(self, doc_ids: Iterable[str] | None = None) -> Iterator[tuple[Article, str]]:
        """Articles rebuilt from their passages (offsets kept exact), with the file each came from."""
        ids = sorted(set(doc_ids)) if doc_ids is not None else None
        current: list[Chunk] = []
        info: dict[str, FileInfo] = {}

        def flush() -> Iterator[tuple[Article, str]]:
            if current:
                doc = current[0].doc_id
                yield _article(current, info.get(doc, FileInfo(current[0].source, "")))

        if ids is None:
            source: Iterable[Chunk] = self.iter_passages()
        else:
            source = (c for d in ids for c in self.document(d))
        for chunk in source:
            if current and chunk.doc_id != current[0].doc_id:
                yield from flush()
                current = []
            if not current:
                info.update(self.files_of([chunk.doc_id]))
            current.append(chunk)
        yield from flush()

    def problems(self) -> list[str]:
        """What disagrees inside the store (for tests and `newsbot stats`): rows of the keyword index against
        the passages, term counts against the passages' texts. Reads everything: not for a question's path."""
        out = []
        with self._lock:
            passages = self._db.execute("SELECT count(*) FROM passages").fetchone()[0]
            indexed = self._db.execute("SELECT count(*) FROM keywords").fetchone()[0]
            counted: Counter[str] = Counter()
            for (body,) in self._db.execute("SELECT body_terms FROM passages"):
                counted.update(set(body.split()))
            stored = dict(self._db.execute("SELECT term, n FROM df"))
        if passages != indexed:
            out.append(f"{passages} passages but {indexed} rows in the keyword index")
        if stored != dict(counted):
            wrong = sorted(set(stored) ^ set(counted) | {t for t in stored if stored[t] != counted.get(t)})
            out.append(f"{len(wrong)} term counts disagree with the passages (e.g. {wrong[:3]})")
        return out

    # ---- keywords --------------------------------------------------------------------------------
    def df(self, term: str) -> int:
        return _df(self, term, self._version())

    def known(self, term: str) -> bool:
        """True when some passage's text or some article's title holds ``term`` (a name may stand only in a
        title: "Harlen election delayed" over a text that says "the general election")."""
        return self.df(term) > 0 or self._in_titles(term)

    def idf(self, term: str) -> float:
        """Idf of ``term`` over the passages, smoothed by a prior of 50 passages without it (tiny collections)."""
        return math.log((len(self) + IDF_PRIOR) / (self.df(term) + 0.5))

    def search(
        self,
        query: str,
        n: int,
        allowed: set[str] | None = None,
        since: str | None = None,
        until: str | None = None,
    ) -> list[tuple[Chunk, float]]:
        """The ``n`` best passages for ``query`` by BM25, only of ``allowed`` documents and dated within
        [since, until] when given."""
        wanted = [t for t in dict.fromkeys(terms(query)) if self.known(t)]
        if not wanted or n <= 0 or (allowed is not None and not allowed):
            return []
        match = " OR ".join('"' + t.replace('"', '""') + '"' for t in wanted)
        where, args = [], []
        if allowed is not None:
            docs = sorted(allowed)
            where.append(f"doc_id IN ({_marks(len(docs))})")
            args += docs
        if since:
            where.append("date >= ?")
            args.append(since)
        if until:
            where.append("date <= ?")
            args.append(until)
        within = f" AND rowid IN (SELECT row FROM passages WHERE {' AND '.join(where)})" if where else ""
        with self._lock:
            rows = self._db.execute(
                f"SELECT rowid, -bm25(keywords) FROM keywords WHERE keywords MATCH ?{within} ORDER BY rank, rowid "
                "LIMIT ?",
                (match, *args, n),
            ).fetchall()
            if not rows:
                return []
            by_row = {
                r[0]: _chunk(r[1:])
                for r in self._db.execute(
                    f"SELECT row, {_COLUMNS} FROM passages WHERE row IN ({_marks(len(rows))})", [r[0] for r in rows]
                )
            }
        return [(by_row[row], float(score)) for row, score in rows if row in by_row and score > 0]

    def _in_titles(self, term: str) -> bool:
        """A term only titles hold still finds their passages (BM25 reads title + text)."""
        return _in_titles(self, term, self._version())

    def vocabulary(self) -> dict[str, int]:
        """Every term with its count (spelling suggestions read it; proportional to the vocabulary)."""
        return _vocabulary(self, self._version())


@lru_cache(maxsize=20_000)
def _df(store: PassageStore, term: str, version: int) -> int:
    with store._lock:
        row = store._db.execute("SELECT n FROM df WHERE term = ?", (term,)).fetchone()
    return int(row[0]) if row else 0


@lru_cache(maxsize=5_000)
def _in_titles(store: PassageStore, term: str, version: int) -> bool:
    match = '"' + term.replace('"', '""') + '"'
    with store._lock:
        return (
            store._db.execute("SELECT 1 FROM keywords WHERE keywords MATCH ? LIMIT 1", (match,)).fetchone() is not None
        )


@lru_cache(maxsize=2_000)
def _article_terms(store: PassageStore, doc_id: str, version: int) -> frozenset[str]:
    found: set[str] = set()
    with store._lock:
        for body, title in store._db.execute(
            "SELECT body_terms, title_terms FROM passages WHERE doc_id = ?", (doc_id,)
        ):
            found.update(body.split())
            found.update(title.split())
    return frozenset(found)


@lru_cache(maxsize=2)
def _vocabulary(store: PassageStore, version: int) -> dict[str, int]:
    with store._lock:
        return {t: n for t, n in store._db.execute("SELECT term, n FROM df")}


def _marks(n: int) -> str:
    return ",".join("?" * max(1, n))


def _article(parts: list[Chunk], info: FileInfo) -> tuple[Article, str]:
    text = ""
    for chunk in parts:
        gap = chunk.start - len(text)
        if gap >= 0:
            text += (" " if gap == 1 else "\n" * gap) + chunk.text
        else:
            text = text[: chunk.start] + chunk.text
    first = parts[0]
    article = Article(
        id=first.doc_id,
        title=first.title,
        text=text,
        source=first.source,
        date=first.date,
        url=first.url,
        content_hash=info.hash,
        publisher=first.publisher,
        file_offset=first.file_offset,
    )
    return article, info.file or first.source
