"""`Documents`: reading whole articles: which are indexed, from which file, complete or not, rebuilt from passages."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from retrieval.core.types import Article, Chunk
from retrieval.store.passages.database import Database
from retrieval.store.passages.reading import Passages
from retrieval.store.passages.rows import BATCH, Described, FileInfo, marks

Listed = tuple[str, str, str | None, str, int, str | None, str | None]


class Documents:
    """The articles of ``db``, read from their first passages (``idx = 0``) and rebuilt from ``passages``."""

    def __init__(self, db: Database, passages: Passages) -> None:
        self._db = db
        self._conn = db.conn
        self._passages = passages

    def doc_count(self) -> int:
        with self._db.lock:
            return int(self._conn.execute("SELECT count(*) FROM passages WHERE idx = 0").fetchone()[0])

    def listing(self) -> list[Listed]:
        """Every article as (doc_id, title, date, source, passages, url, publisher), newest first."""
        with self._db.lock:
            return self._conn.execute(
                "SELECT doc_id, title, date, source, n_chunks, url, publisher FROM passages WHERE idx = 0 "
                "ORDER BY coalesce(date, '') DESC, title DESC"
            ).fetchall()

    def titles(self) -> dict[str, str]:
        """Every article's id and title."""
        with self._db.lock:
            return {d: t for d, t in self._conn.execute("SELECT doc_id, title FROM passages WHERE idx = 0")}

    def matching(self, names: Iterable[str]) -> set[str]:
        """Documents whose id, source, link or file is one of ``names``."""
        wanted = sorted(set(names))
        if not wanted:
            return set()
        m = marks(len(wanted))
        sql = (
            f"SELECT DISTINCT doc_id FROM passages WHERE idx = 0 AND (doc_id IN ({m}) OR source IN ({m}) OR url IN "
            f"({m}) OR file IN ({m}))"
        )
        with self._db.lock:
            return {d for (d,) in self._conn.execute(sql, wanted * 4)}

    def of_sources(self, sources: Iterable[str]) -> list[str]:
        """Articles read from any of ``sources`` (a path, a label or a link)."""
        wanted = sorted(set(sources))
        if not wanted:
            return []
        m = marks(len(wanted))
        sql = f"SELECT doc_id FROM passages WHERE idx = 0 AND (source IN ({m}) OR url IN ({m}))"
        with self._db.lock:
            return sorted({d for (d,) in self._conn.execute(sql, wanted * 2)})

    def knows_url(self, url: str) -> bool:
        """An indexed article has ``url`` as its link or its source."""
        sql = "SELECT 1 FROM passages WHERE (url = ? OR source = ?) AND idx = 0 LIMIT 1"
        with self._db.lock:
            return self._conn.execute(sql, (url, url)).fetchone() is not None

    def sources_of(self, source: str) -> bool:
        """An indexed article was read from ``source``."""
        sql = "SELECT 1 FROM passages WHERE source = ? AND idx = 0 LIMIT 1"
        with self._db.lock:
            return self._conn.execute(sql, (source,)).fetchone() is not None

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
        with self._db.lock:
            return {d for (d,) in self._conn.execute(f"SELECT doc_id FROM passages WHERE {' AND '.join(where)}", args)}

    def documents_since(self, seq: int) -> list[str]:
        """Articles written by writes after ``seq`` (what appeared since a caller last looked)."""
        sql = "SELECT doc_id FROM passages WHERE idx = 0 AND seq > ? ORDER BY seq, doc_id"
        with self._db.lock:
            return [d for (d,) in self._conn.execute(sql, (seq,))]

    # ---- files and completeness (what incremental ingest asks) -----------------------------------
    def all_files(self) -> dict[str, FileInfo]:
        """doc_id -> `FileInfo` of every article (an evaluation's relevance reads it once per run)."""
        with self._db.lock:
            return {
                d: FileInfo(f, h)
                for d, f, h in self._conn.execute("SELECT doc_id, file, hash FROM passages WHERE idx = 0")
            }

    def files_of(self, doc_ids: Iterable[str]) -> dict[str, FileInfo]:
        """doc_id -> `FileInfo` of those of ``doc_ids`` that are indexed."""
        ids = sorted(set(doc_ids))
        out: dict[str, FileInfo] = {}
        with self._db.lock:
            for start in range(0, len(ids), BATCH):
                part = ids[start : start + BATCH]
                for doc_id, file, digest in self._conn.execute(
                    f"SELECT doc_id, file, hash FROM passages WHERE idx = 0 AND doc_id IN ({marks(len(part))})", part
                ):
                    out[doc_id] = FileInfo(file, digest)
        return out

    def documents_of_file(self, file: str) -> set[str]:
        """The documents indexed from ``file`` (a resolved path or a URL)."""
        with self._db.lock:
            return {d for (d,) in self._conn.execute("SELECT DISTINCT doc_id FROM passages WHERE file = ?", (file,))}

    def complete(self, doc_ids: Iterable[str]) -> set[str]:
        """Those of ``doc_ids`` whose passages are all present."""
        ids = sorted(set(doc_ids))
        out: set[str] = set()
        with self._db.lock:
            for start in range(0, len(ids), BATCH):
                part = ids[start : start + BATCH]
                sql = (
                    f"SELECT doc_id FROM passages WHERE doc_id IN ({marks(len(part))}) GROUP BY doc_id "
                    "HAVING count(*) = max(n_chunks)"
                )
                out |= {d for (d,) in self._conn.execute(sql, part)}
        return out

    def incomplete_documents(self) -> set[str]:
        """Documents with missing passages (a write was interrupted): ingest replaces them whole."""
        with self._db.lock:
            rows = self._conn.execute(
                "SELECT doc_id FROM passages WHERE seq >= ? GROUP BY doc_id HAVING count(*) != max(n_chunks)",
                (self._recent_seq(),),
            )
            return {d for (d,) in rows}

    def _recent_seq(self) -> int:
        """Only writes at or after the last finished one can have left a document in part."""
        return int(self._db.meta("finished_seq", "0") or 0)

    def described(self, doc_ids: Iterable[str]) -> dict[str, tuple[Described, str]]:
        """doc_id -> (what it says of itself, its source) for those of ``doc_ids`` that are indexed."""
        ids = sorted(set(doc_ids))
        out: dict[str, tuple[Described, str]] = {}
        with self._db.lock:
            for start in range(0, len(ids), BATCH):
                part = ids[start : start + BATCH]
                for doc_id, title, date, url, publisher, offset, source in self._conn.execute(
                    "SELECT doc_id, title, date, url, publisher, file_offset, source FROM passages "
                    f"WHERE idx = 0 AND doc_id IN ({marks(len(part))})",
                    part,
                ):
                    out[doc_id] = (Described(title, date, url, publisher, offset), source)
        return out

    # ---- articles rebuilt --------------------------------------------------------------------------
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
            source: Iterable[Chunk] = self._passages.iter_passages()
        else:
            source = (c for d in ids for c in self._passages.document(d))
        for chunk in source:
            if current and chunk.doc_id != current[0].doc_id:
                yield from flush()
                current = []
            if not current:
                info.update(self.files_of([chunk.doc_id]))
            current.append(chunk)
        yield from flush()


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
