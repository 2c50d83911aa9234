"""`Keywords`: the keyword side of the store: term counts (df, idf), FTS5 ``bm25()`` search, the vocabulary.

The lookups a question repeats are cached by `lru_cache` helpers keyed on the `Keywords` object and the database's
version, so a write (here or in another process) makes them read again.
"""

from __future__ import annotations

import math
from functools import lru_cache

from retrieval.core.text import terms
from retrieval.core.types import Chunk
from retrieval.store.passages.database import Database
from retrieval.store.passages.reading import Passages
from retrieval.store.passages.rows import COLUMNS, chunk_of, marks

IDF_PRIOR = 50  # passages without a term assumed beside the collection: idf stays sane in tiny collections


class Keywords:
    """The stemmed terms of `retrieval.core.text.terms` over ``db``'s passages (title + text, as BM25 reads them);
    ``passages`` gives the collection's size (idf)."""

    def __init__(self, db: Database, passages: Passages) -> None:
        self._db = db
        self._passages = passages

    def df(self, term: str) -> int:
        """In how many passages' texts ``term`` occurs."""
        return _df(self, term, self._db.version())

    def known(self, term: str) -> bool:
        """True when some passage's text or some article's title holds ``term`` (a name may stand only in a
        title: "Harlen election delayed" over a text that says "the general election")."""
        return self.df(term) > 0 or self._in_titles(term)

    def idf(self, term: str) -> float:
        """Idf of ``term`` over the passages, smoothed by a prior of 50 passages without it (tiny collections)."""
        return math.log((len(self._passages) + IDF_PRIOR) / (self.df(term) + 0.5))

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
            where.append(f"doc_id IN ({marks(len(docs))})")
            args += docs
        if since:
            where.append("date >= ?")
            args.append(since)
        if until:
            where.append("date <= ?")
            args.append(until)
        within = f" AND rowid IN (SELECT row FROM passages WHERE {' AND '.join(where)})" if where else ""
        with self._db.lock:
            rows = self._db.conn.execute(
                f"SELECT rowid, -bm25(keywords) FROM keywords WHERE keywords MATCH ?{within} ORDER BY rank, rowid "
                "LIMIT ?",
                (match, *args, n),
            ).fetchall()
            if not rows:
                return []
            by_row = {
                r[0]: chunk_of(r[1:])
                for r in self._db.conn.execute(
                    f"SELECT row, {COLUMNS} FROM passages WHERE row IN ({marks(len(rows))})", [r[0] for r in rows]
                )
            }
        return [(by_row[row], float(score)) for row, score in rows if row in by_row and score > 0]

    def _in_titles(self, term: str) -> bool:
        """A term only titles hold still finds their passages (BM25 reads title + text)."""
        return _in_titles(self, term, self._db.version())

    def vocabulary(self) -> dict[str, int]:
        """Every term with its count (spelling suggestions read it; proportional to the vocabulary)."""
        return _vocabulary(self, self._db.version())

    def article_terms(self, doc_id: str) -> frozenset[str]:
        """The search terms of a whole article (title and every passage)."""
        return _article_terms(self, doc_id, self._db.version())


@lru_cache(maxsize=20_000)
def _df(keywords: Keywords, term: str, version: int) -> int:
    db = keywords._db
    with db.lock:
        row = db.conn.execute("SELECT n FROM df WHERE term = ?", (term,)).fetchone()
    return int(row[0]) if row else 0


@lru_cache(maxsize=5_000)
def _in_titles(keywords: Keywords, term: str, version: int) -> bool:
    db = keywords._db
    match = '"' + term.replace('"', '""') + '"'
    with db.lock:
        return db.conn.execute("SELECT 1 FROM keywords WHERE keywords MATCH ? LIMIT 1", (match,)).fetchone() is not None


@lru_cache(maxsize=2_000)
def _article_terms(keywords: Keywords, doc_id: str, version: int) -> frozenset[str]:
    db = keywords._db
    found: set[str] = set()
    with db.lock:
        for body, title in db.conn.execute("SELECT body_terms, title_terms FROM passages WHERE doc_id = ?", (doc_id,)):
            found.update(body.split())
            found.update(title.split())
    return frozenset(found)


@lru_cache(maxsize=2)
def _vocabulary(keywords: Keywords, version: int) -> dict[str, int]:
    db = keywords._db
    with db.lock:
        return {t: n for t, n in db.conn.execute("SELECT term, n FROM df")}
