"""`Writer`: adds and deletes passages, each write one transaction over the passages, keywords and term counts."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

from retrieval.core.text import terms
from retrieval.core.types import Chunk
from retrieval.store.passages.database import Database
from retrieval.store.passages.rows import BATCH, COLUMNS, marks


class Writer:
    """Writes to ``db`` (one writer at a time: the data directory's write lock); also the ``pending`` deletes."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self._conn = db.conn

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
        with self._db.lock, self._db.transaction():
            self._forget_rows(
                self._conn.execute(
                    f"SELECT row, body_terms, title_terms FROM passages WHERE id IN ({marks(len(rows))})",
                    [r[0] for r in rows],
                ).fetchall()
            )
            for row in rows:
                cur = self._conn.execute(
                    f"INSERT INTO passages ({COLUMNS}, file, hash, seq, body_terms, title_terms) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    row,
                )
                self._conn.execute(
                    "INSERT INTO keywords (rowid, terms) VALUES (?, ?)",
                    (cur.lastrowid, f"{row[17]} {row[16]}".strip() or "_empty_"),
                )
            self._count_terms(delta, +1)
            self._conn.execute(
                "INSERT INTO meta VALUES ('seq', ?) ON CONFLICT(key) DO UPDATE SET value = "
                "max(CAST(value AS INTEGER), CAST(excluded.value AS INTEGER))",
                (str(seq),),
            )

    def delete_documents(self, doc_ids: Iterable[str]) -> int:
        """Remove every passage of ``doc_ids``; returns how many passages went."""
        ids = sorted(set(doc_ids))
        removed = 0
        with self._db.lock, self._db.transaction():
            for start in range(0, len(ids), BATCH):
                part = ids[start : start + BATCH]
                found = self._conn.execute(
                    f"SELECT row, body_terms, title_terms FROM passages WHERE doc_id IN ({marks(len(part))})", part
                ).fetchall()
                self._forget_rows(found)
                removed += len(found)
                self._conn.execute(f"DELETE FROM pending WHERE doc_id IN ({marks(len(part))})", part)
        return removed

    def _forget_rows(self, found: list[tuple[int, str, str]]) -> None:
        """Take rows out of the passages, the keyword index and the term counts (inside a transaction)."""
        if not found:
            return
        delta = Counter[str]()
        for row, body, title in found:
            self._conn.execute(
                "INSERT INTO keywords (keywords, rowid, terms) VALUES ('delete', ?, ?)",
                (row, f"{title} {body}".strip() or "_empty_"),
            )
            delta.update(set(body.split()))
        self._conn.execute(f"DELETE FROM passages WHERE row IN ({marks(len(found))})", [r[0] for r in found])
        self._count_terms(delta, -1)

    def _count_terms(self, delta: Counter[str], sign: int) -> None:
        """Add ``sign`` times ``delta`` to the term counts, dropping terms no passage holds any more."""
        if not delta:
            return
        self._conn.executemany(
            "INSERT INTO df VALUES (?, ?) ON CONFLICT(term) DO UPDATE SET n = n + excluded.n",
            [(t, sign * n) for t, n in delta.items()],
        )
        if sign < 0:
            self._conn.execute(f"DELETE FROM df WHERE n <= 0 AND term IN ({marks(len(delta))})", list(delta))

    def mark_pending(self, doc_ids: Iterable[str]) -> None:
        """Record documents about to be deleted from the vectors (a kill in between is finished on repair)."""
        with self._db.lock, self._db.transaction():
            self._conn.executemany("INSERT OR IGNORE INTO pending VALUES (?)", [(d,) for d in doc_ids])

    def pending(self) -> list[str]:
        """The documents marked pending whose delete has not finished."""
        with self._db.lock:
            return [d for (d,) in self._conn.execute("SELECT doc_id FROM pending")]

    def clear(self) -> None:
        """Drop every passage (a reindex, or a mirror rebuilt from the vectors' collection)."""
        with self._db.lock, self._db.transaction():
            for table in ("passages", "df", "pending", "meta"):
                self._conn.execute(f"DELETE FROM {table}")
            self._conn.execute("INSERT INTO keywords (keywords) VALUES ('delete-all')")
