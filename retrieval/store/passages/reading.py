"""`Passages`: reading passages as `Chunk`s: by id, an article's in order, the first of each article by date."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

from retrieval.core.types import Chunk
from retrieval.store.passages.database import Database
from retrieval.store.passages.rows import BATCH, COLUMNS, chunk_id, chunk_of, marks


class Passages:
    """The passages of ``db``, each an indexed lookup (nothing is loaded whole)."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self._conn = db.conn
        self._cached_total: tuple[int, int] | None = None  # (data_version, count)

    def __len__(self) -> int:
        with self._db.lock:
            version = self._db.version()
            if self._cached_total is None or self._cached_total[0] != version:
                self._cached_total = (version, int(self._conn.execute("SELECT count(*) FROM passages").fetchone()[0]))
            return self._cached_total[1]

    def get(self, id_: str) -> Chunk | None:
        with self._db.lock:
            row = self._conn.execute(f"SELECT {COLUMNS} FROM passages WHERE id = ?", (id_,)).fetchone()
        return chunk_of(row) if row else None

    def get_many(self, ids: Sequence[str]) -> dict[str, Chunk]:
        out: dict[str, Chunk] = {}
        with self._db.lock:
            for start in range(0, len(ids), BATCH):
                part = list(ids[start : start + BATCH])
                for row in self._conn.execute(f"SELECT {COLUMNS} FROM passages WHERE id IN ({marks(len(part))})", part):
                    out[row[0]] = chunk_of(row)
        return out

    def neighbours(self, chunk: Chunk) -> tuple[Chunk | None, Chunk | None]:
        """The chunks before and after ``chunk`` in its article."""
        return self.get(chunk_id(chunk.doc_id, chunk.index - 1)), self.get(chunk_id(chunk.doc_id, chunk.index + 1))

    def document(self, doc_id: str) -> list[Chunk]:
        """The passages of one article, in order."""
        with self._db.lock:
            rows = self._conn.execute(f"SELECT {COLUMNS} FROM passages WHERE doc_id = ? ORDER BY idx", (doc_id,))
            return [chunk_of(r) for r in rows]

    def iter_passages(self, batch: int = 2000) -> Iterator[Chunk]:
        """Every passage, by (document, index), read a page at a time (reindex, exports)."""
        last = ("", -1)
        while True:
            with self._db.lock:
                rows = self._conn.execute(
                    f"SELECT {COLUMNS} FROM passages WHERE (doc_id, idx) > (?, ?) ORDER BY doc_id, idx LIMIT ?",
                    (*last, batch),
                ).fetchall()
            if not rows:
                return
            for row in rows:
                yield chunk_of(row)
            last = (rows[-1][1], rows[-1][2])

    # ---- the first passage of each article, by date --------------------------------------------
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
            where.append(f"source IN ({marks(len(wanted))})")
            args += wanted
        order = "date IS NULL, date DESC, doc_id" if newest_first else "doc_id"
        sql = f"SELECT {COLUMNS} FROM passages WHERE {' AND '.join(where)} ORDER BY {order}"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        with self._db.lock:
            return [chunk_of(r) for r in self._conn.execute(sql, args)]

    def newest_firsts(self, until: str, since: str | None = None, days: int = 5) -> list[Chunk]:
        """The first passages of the articles of the ``days`` newest days that have any, within [since, until]
        (what a "latest news" overview reads: proportional to those days, not to the archive)."""
        where, args = "idx = 0 AND date IS NOT NULL AND date <= ?", [until]
        if since:
            where += " AND date >= ?"
            args.append(since)
        with self._db.lock:
            dates = [
                d
                for (d,) in self._conn.execute(
                    f"SELECT DISTINCT date FROM passages WHERE {where} ORDER BY date DESC LIMIT ?", (*args, days)
                )
            ]
        return self.firsts(since=dates[-1], until=until) if dates else []

    @property
    def newest_date(self) -> str | None:
        """The newest article date (ISO), or None when no article is dated (an archive)."""
        with self._db.lock:
            row = self._conn.execute("SELECT max(date) FROM passages WHERE idx = 0").fetchone()
        return row[0] if row else None

    def date_range(self) -> tuple[str | None, str | None]:
        with self._db.lock:
            first, last = self._conn.execute("SELECT min(date), max(date) FROM passages WHERE idx = 0").fetchone()
        return first, last
