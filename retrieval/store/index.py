"""`Index`: Chroma (vectors) and the passage store (text, metadata, keywords), kept in step without rebuilds.

Chroma holds the vectors and is the source of truth; `PassageStore` (SQLite, `retrieval.store.passages`) holds
every passage's text, metadata and keyword terms. Every write goes to both, group by group, each group under a
new write sequence number (``seq``, counted in Chroma's collection metadata and stored on each row), so the cost
of a write is the cost of what it touches, never of the archive.

Chroma's collection metadata also holds a ``version`` stamp and a ``writing`` flag: a writer (holding the data
directory's write lock) sets a new stamp with ``writing=True`` before it changes anything and a new stamp with
``writing=False`` when it is done; the passage store records the stamp it is in step with.

- **Local index**: every process reads the same passage store; a write is visible at the next query. A writer
  killed between a Chroma write and the passage store's is repaired by the next process that finds the stamps
  apart while no writer holds the lock: the rows Chroma holds with a newer ``seq`` are added, and the deletes
  it had begun (recorded in the store first) are finished.
- **Chroma server**: each machine keeps its own passage store in its data directory and catches up when the
  stamp changes: the rows with a newer ``seq``, and the documents deleted since (tombstones, a small collection of
  their own). Nothing is downloaded whole except once, to fill an empty store.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import logging
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from retrieval.core.errors import IndexLockedError, ModelMismatchError
from retrieval.core.settings import Settings
from retrieval.core.types import Chunk
from retrieval.store.catch_up import repair
from retrieval.store.chroma import ChromaCollection, make_client
from retrieval.store.chunks import chunk_metadata
from retrieval.store.lock import WriteLock
from retrieval.store.passages import PassageStore

log = logging.getLogger("newsbot.store")
REFRESH_SECONDS = 0.5  # how stale a reader's knowledge of other processes' writes may be
ClientFactory = Callable[[Settings], Any]


def store_path(settings: Settings) -> Path:
    """The passage store's file: one per collection, and per server and collection in server mode."""
    if settings.chroma_url:
        key = hashlib.sha256(f"{settings.chroma_url}|{settings.collection}".encode()).hexdigest()
        return settings.data_dir / "passages-server" / f"{key[:16]}.sqlite3"
    return settings.passages_dir / f"{settings.collection}.sqlite3"


class Index:
    """Chroma + the passage store for one collection. Open it with `open`; write only inside `writing()` (or
    `locked()` + `changing()`); `close` it.

    ``client_factory(settings)`` makes the Chroma client (default: `make_client`); a local index asks it for a
    new client when another process has written, because a client's vector index does not see other
    processes' writes.
    """

    def __init__(self, settings: Settings, model_name: str, client_factory: ClientFactory = make_client) -> None:
        self.settings = settings
        self.model_name = model_name
        self._client_factory = client_factory
        self._chroma: ChromaCollection | None = None
        self._passages: PassageStore | None = None
        self._stamp = ""  # the Chroma stamp this process last saw
        self._checked = 0.0  # time.monotonic() of the last stamp check
        self._writing = False  # inside changing(): this process is the writer
        self.lock = WriteLock(settings.data_dir)

    # ---- opening and closing -------------------------------------------------------------------
    def open(self, check_model: bool = True) -> Index:
        """Connect to Chroma, create the collection if needed and check it was built with our model."""
        self._connect()
        built_with = self.chroma.metadata(self.model_name).get("model")
        if check_model and built_with and built_with != self.model_name:
            raise ModelMismatchError(
                f"the index was built with embedding model {built_with!r} but NEWSBOT_EMBEDDING_MODEL is "
                f"{self.model_name!r}: run `newsbot reindex` to rebuild it with the new model, or set "
                f"NEWSBOT_EMBEDDING_MODEL={built_with}"
            )
        return self

    def _connect(self) -> None:
        chroma = ChromaCollection(self._client_factory(self.settings), self.settings.collection, self.settings)
        chroma.open(self.model_name)
        self._chroma = chroma

    def close(self) -> None:
        """Release the Chroma client (a local index's files are let go when no other client holds them)."""
        self._drop_client()
        if self._passages is not None:
            self._passages.close()
            self._passages = None

    def __enter__(self) -> Index:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _reopen_vectors(self) -> None:
        """A new Chroma client for a local index, so that other processes' writes are seen."""
        self._drop_client()
        self._connect()

    def _drop_client(self) -> None:
        if self._chroma is not None:
            with contextlib.suppress(Exception):
                getattr(self._chroma.client, "close", lambda: None)()
            self._chroma = None

    @property
    def chroma(self) -> ChromaCollection:
        if self._chroma is None:
            self.open()
        assert self._chroma is not None
        return self._chroma

    @property
    def collection(self) -> Any:
        """The raw chromadb collection (for callers that need Chroma's own API)."""
        return self.chroma.raw

    @property
    def passages(self) -> PassageStore:
        """The passage store, without checking that it is in step (`view` checks)."""
        if self._passages is None:
            self._passages = PassageStore(store_path(self.settings))
        return self._passages

    # ---- the stamp -----------------------------------------------------------------------------
    def _metadata(self) -> dict[str, Any]:
        return self.chroma.metadata(self.model_name)

    def stamp(self) -> str:
        """The collection's current version stamp (re-read: another process may have written)."""
        return str(self._metadata().get("version", ""))

    def interrupted(self) -> bool:
        """True when the last write to the index did not finish (its writer was killed)."""
        return bool(self._metadata().get("writing"))

    def _bump(self, writing: bool) -> str:
        stamp = uuid.uuid4().hex
        meta = self._metadata()
        meta.update({"model": self.model_name, "version": stamp, "writing": writing})
        self.chroma.set_metadata(meta)
        return stamp

    def _next_seq(self) -> int:
        """A new write sequence number, recorded in Chroma before any row carries it."""
        meta = self._metadata()
        seq = int(meta.get("seq", 0) or 0) + 1
        meta["seq"] = seq
        self.chroma.set_metadata(meta)
        return seq

    # ---- keeping the passages in step ------------------------------------------------------------
    @property
    def view(self) -> PassageStore:
        """The passage store in step with Chroma (the stamp re-checked at most every `REFRESH_SECONDS`)."""
        if self._passages is not None and (self._writing or time.monotonic() - self._checked < REFRESH_SECONDS):
            return self._passages
        return self.refresh()

    def refresh(self) -> PassageStore:
        """Re-read the stamp now; when it moved, see other processes' vectors and bring the store in step."""
        meta = self._metadata()
        stamp = str(meta.get("version", ""))
        self._checked = time.monotonic()
        store = self.passages
        if stamp != self._stamp:
            if self._stamp and not self.settings.chroma_url:
                self._reopen_vectors()  # another process wrote: see its vectors too
            self._stamp = stamp
        if store.db.meta("stamp") != stamp and not self._writing:
            self._catch_up(store, stamp, bool(meta.get("writing")))
        return store

    def _catch_up(self, store: PassageStore, stamp: str, writing: bool) -> None:
        """Bring ``store`` to ``stamp``: a finished write another machine made (server), or the rest of a write
        whose writer died (local). A local writer that is alive keeps the store in step itself."""
        if not self.settings.chroma_url:
            if not self.lock.free():
                return  # a writer is at work: it writes the store as it goes
            with contextlib.suppress(IndexLockedError), self.lock.hold():  # a writer came first: it repairs
                if store.db.meta("stamp") != self.stamp():
                    self._repair(store)
            return
        with _file_lock(store.path):
            if store.db.meta("stamp") == stamp:
                return
            self._repair(store)
            if not writing and self.stamp() == stamp:
                store.db.set_meta(stamp=stamp)

    def _repair(self, store: PassageStore) -> None:
        """Apply what Chroma holds and the store lacks (`retrieval.store.catch_up.repair`)."""
        repair(store, self.chroma, self.settings, self.stamp)

    # ---- reading -------------------------------------------------------------------------------
    def dense_search(
        self,
        vector: list[float],
        n: int,
        allowed: set[str] | None = None,
        since: str | None = None,
        until: str | None = None,
    ) -> list[tuple[Chunk, float]]:
        """Chunks nearest to ``vector`` with cosine similarity (their text and metadata from the store), only of
        ``allowed`` documents and dated within [since, until] when given."""
        if n <= 0 or (allowed is not None and not allowed):
            return []
        store = self.view
        total = len(store)
        if not total:
            return []
        found = self.chroma.nearest(vector, min(n, total), allowed, since, until)
        chunks = store.passages.get_many([id_ for id_, _ in found])
        return [(chunks[id_], sim) for id_, sim in found if id_ in chunks]

    def similarities(self, ids: list[str], vector: list[float]) -> dict[str, float]:
        """Cosine similarity of the stored vector of each of ``ids`` to ``vector``."""
        import numpy as np

        if not ids:
            return {}
        q = np.asarray(vector, dtype=np.float32)
        return {
            id_: float(np.dot(q, np.asarray(emb, dtype=np.float32))) for id_, emb in self.chroma.vectors(ids).items()
        }

    # ---- writing -------------------------------------------------------------------------------
    @contextlib.contextmanager
    def writing(self) -> Iterator[None]:
        """Hold the write lock and change the index (stamp bumped before and after)."""
        with self.locked(), self.changing():
            yield

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """Hold the data directory's write lock (refused at once if another process holds it), store in step."""
        with self.lock.hold():
            self.refresh()
            if self.passages.db.meta("stamp") != self._stamp:
                self._repair(self.passages)  # a writer died: finish its write before this one begins
                self.passages.db.set_meta(stamp=self.stamp())
            yield

    @contextlib.contextmanager
    def changing(self) -> Iterator[None]:
        """Inside `locked()`: mark the index as being written, then finished.

        Killed in between, the index keeps ``writing=True`` under a stamp the store does not carry: the next
        process that finds no writer repairs the store from what Chroma holds, and the next ingest completes
        the documents that were written in part.
        """
        log.info("writing to the index (stamp %s)", self._bump(writing=True))
        self._writing = True
        try:
            yield
        finally:
            self._writing = False
            log.info("finishing the write")
            stamp = self._bump(writing=False)
            self._stamp = stamp
            self.passages.db.set_meta(stamp=stamp, finished_seq=self.passages.db.last_seq + 1)
            self._checked = time.monotonic()
            log.info("finished writing (stamp %s)", stamp)

    def upsert(self, chunks: list[Chunk], vectors: Any, files: dict[str, tuple[str, str]]) -> None:
        """Write chunks with their vectors (a list or a numpy array); ``files``: doc_id -> (file, hash)."""
        seq = self._next_seq()
        self.chroma.upsert(
            [c.id for c in chunks],
            vectors,
            [c.text for c in chunks],
            [{**chunk_metadata(c, *files[c.doc_id]), "seq": seq} for c in chunks],
        )
        log.info("vectors written (seq %d); writing the passages", seq)  # a kill here is repaired from Chroma
        self.passages.writer.add(chunks, files, seq)

    def delete_documents(self, doc_ids: list[str]) -> None:
        if not doc_ids:
            return
        store = self.passages
        store.writer.mark_pending(doc_ids)
        self.chroma.delete_documents(doc_ids)
        log.info("vectors deleted; deleting the passages")  # a kill here is finished from the pending list
        if self.settings.chroma_url:
            self.chroma.add_tombstones(doc_ids, self._next_seq())
        store.writer.delete_documents(doc_ids)

    def reset(self) -> None:
        """Drop the collection and create it empty, marked as being written (reindex). The store is emptied first:
        killed in between, an empty store beside a full collection is filled from it again."""
        self.passages.writer.clear()
        self.chroma.recreate(self.model_name)


@contextlib.contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    """An exclusive lock beside ``path`` (processes of one machine catching up one mirror take turns)."""
    with open(path.with_suffix(".lock"), "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
