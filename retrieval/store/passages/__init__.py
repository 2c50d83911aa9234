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

One class per job, each over the one `Database` the store owns:

- `database`: `Database`, the connection (WAL), schema, ``meta``, transactions and the version caches key on;
- `writing`: `Writer`, adding and deleting passages, the ``pending`` deletes, clearing;
- `reading`: `Passages`, passages by id, an article's in order, the first of each article by date;
- `documents`: `Documents`, whole articles: listed, matched, their files, complete or not, rebuilt;
- `keywords`: `Keywords`, term counts, idf, ``bm25()`` search, the vocabulary;
- `checks`: `problems`, what disagrees inside the store;
- `rows`: the columns of a passage row and the records read from it.
"""

from __future__ import annotations

from pathlib import Path

from retrieval.store.passages.checks import problems
from retrieval.store.passages.database import Database
from retrieval.store.passages.documents import Documents
from retrieval.store.passages.keywords import Keywords
from retrieval.store.passages.reading import Passages
from retrieval.store.passages.rows import Described, FileInfo, chunk_id
from retrieval.store.passages.writing import Writer

__all__ = ["Described", "FileInfo", "PassageStore", "chunk_id"]


class PassageStore:
    """The passages of one collection in ``path`` (created on first use), reached through its parts: ``db``,
    ``writer``, ``passages``, ``documents``, ``keywords``. Thread-safe; one writer at a time (the data
    directory's write lock), any number of readers in other processes."""

    def __init__(self, path: Path) -> None:
        self.db = Database(path)
        self.writer = Writer(self.db)
        self.passages = Passages(self.db)
        self.documents = Documents(self.db, self.passages)
        self.keywords = Keywords(self.db, self.passages)

    @property
    def path(self) -> Path:
        return self.db.path

    def __len__(self) -> int:
        """How many passages the store holds (counted again only after a write)."""
        return len(self.passages)

    def problems(self) -> list[str]:
        """What disagrees inside the store (for tests and `newsbot stats`); reads everything."""
        return problems(self.db)

    def close(self) -> None:
        self.db.close()
