"""`Index`: Chroma (dense) and the saved view (chunk table + BM25), two views of one set of chunks under one stamp.

Chroma is the source of truth. Its collection metadata holds a ``version`` stamp and a ``writing`` flag:
a writer (holding the data directory's write lock) sets a new stamp with ``writing=True`` before it changes
anything and a new stamp with ``writing=False`` when it is done. The view is saved with the stamp it was built
from and is only trusted when the stamps match, so a reader, another process, or a process that was killed
mid-ingest notices a stale view and rebuilds it from Chroma.

A view is saved to disk only when the content it was read from cannot change under the same stamp: the
stamp was written by a finished writer, or (local index) no writer holds the lock, i.e. the last one died.
With a Chroma server the view lives in this machine's data directory, keyed by the server and collection;
every process re-reads the stamp at most every ``REFRESH_SECONDS`` and rebuilds its view when it changed.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from retrieval.core.errors import ModelMismatchError
from retrieval.core.settings import Settings
from retrieval.core.types import Article, Chunk
from retrieval.store.bm25 import Bm25Scorer
from retrieval.store.chroma import ChromaCollection, make_client
from retrieval.store.chunks import ChunkTable, FileInfo, chunk_metadata
from retrieval.store.lock import WriteLock
from retrieval.store.view import IndexView

log = logging.getLogger("newsbot.store")
REFRESH_SECONDS = 0.5  # how stale a reader's view of other processes' writes may be
ClientFactory = Callable[[Settings], Any]


class Index:
    """Chroma + the view for one collection. Open it with `open`; write only inside `writing()`; `close` it.

    ``client_factory(settings)`` makes the Chroma client (default: `make_client`); a local index asks it for a
    new client when another process has written, because a client's vector index does not see other
    processes' writes.
    """

    def __init__(self, settings: Settings, model_name: str, client_factory: ClientFactory = make_client) -> None:
        self.settings = settings
        self.model_name = model_name
        self._client_factory = client_factory
        self._chroma: ChromaCollection | None = None
        self._view: IndexView | None = None
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
        if self._chroma is not None:
            close = getattr(self._chroma.client, "close", None)
            if close is not None:
                with contextlib.suppress(Exception):
                    close()
            self._chroma = None

    def __enter__(self) -> Index:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _reopen(self) -> None:
        """A new Chroma client for a local index, so that other processes' writes are seen."""
        self.close()
        self._connect()

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

    # ---- the view ------------------------------------------------------------------------------
    @property
    def view(self) -> IndexView:
        """The chunk table and BM25 in step with Chroma (stamp re-checked at most every `REFRESH_SECONDS`)."""
        if self._view is not None and (self._writing or time.monotonic() - self._checked < REFRESH_SECONDS):
            return self._view
        return self.refresh()

    @property
    def table(self) -> ChunkTable:
        return self.view.table

    @property
    def bm25(self) -> Bm25Scorer:
        return self.view.bm25

    def refresh(self) -> IndexView:
        """Re-read the stamp now; load or rebuild the view when it changed."""
        meta = self._metadata()
        stamp = str(meta.get("version", ""))
        self._checked = time.monotonic()
        if self._view is not None and self._view.stamp == stamp:
            return self._view
        if self._view is not None and not self.settings.chroma_url:
            self._reopen()  # another process wrote: see its vectors too
        view = IndexView.load(self._view_dir, stamp)
        if view is None:
            stable = not meta.get("writing") or self._no_local_writer()
            view = self._rebuild(stamp)
            # a stamp whose writer died is stable only if no writer came back while we read
            if stable and (not meta.get("writing") or self.stamp() == stamp):
                self._save(view)
        self._view = view
        return view

    def _no_local_writer(self) -> bool:
        """True when no process (this one included) holds the write lock of a local index."""
        return not self.settings.chroma_url and self.lock.free()  # writers on other machines cannot be seen

    @property
    def _view_dir(self) -> Path:
        if self.settings.chroma_url:
            key = hashlib.sha256(f"{self.settings.chroma_url}|{self.settings.collection}".encode()).hexdigest()
            return self.settings.data_dir / "bm25-server" / key[:16]
        return self.settings.bm25_dir / self.settings.collection

    def _rebuild(self, stamp: str) -> IndexView:
        """The view rebuilt from Chroma's documents and metadata (one pass)."""
        return IndexView(ChunkTable.from_rows(self.chroma.rows()), stamp)

    def _save(self, view: IndexView) -> None:
        try:
            view.save(self._view_dir)
        except OSError as exc:
            log.warning("cannot save the index view (%s); it will be rebuilt next time", exc)

    # ---- reading -------------------------------------------------------------------------------
    def chunks(self) -> list[Chunk]:
        return self.table.chunks

    @property
    def files(self) -> dict[str, FileInfo]:
        """doc_id -> `FileInfo` for every indexed document."""
        return self.table.files

    def articles(self) -> list[tuple[Article, str]]:
        """Every article rebuilt from its chunks, with the file it came from."""
        return self.table.articles()

    def dense_search(self, vector: list[float], n: int, allowed: set[str] | None = None) -> list[tuple[Chunk, float]]:
        """Chunks nearest to ``vector`` with cosine similarity.

        Chroma returns ids and distances only; the chunks come from the in-memory table, which is in step
        with Chroma (fetching documents and metadata would double the query's time). A chunk written by
        another process since the last stamp check is left out until the view catches up (0.5 s at most).
        """
        if n <= 0 or (allowed is not None and not allowed):
            return []
        table = self.table
        if not len(table):
            return []
        found = self.chroma.nearest(vector, min(n, len(table)), allowed)
        return [(chunk, sim) for id_, sim in found if (chunk := table.get(id_)) is not None]

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
        """Hold the write lock and change the index (stamp bumped before and after, view rebuilt)."""
        with self.locked(), self.changing():
            yield

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """Hold the data directory's write lock (refused at once if another process holds it), view fresh."""
        with self.lock.hold():
            self.refresh()
            yield

    @contextlib.contextmanager
    def changing(self) -> Iterator[None]:
        """Inside `locked()`: mark the index as being written, then finished, and rebuild the view.

        Killed in between, the index keeps ``writing=True`` under a stamp no saved view carries: every
        reader rebuilds the view from what Chroma holds, and the next ingest completes what is missing.
        """
        log.info("writing to the index (stamp %s)", self._bump(writing=True))
        self._writing = True
        try:
            yield
        finally:
            self._writing = False
            stamp = self._bump(writing=False)
            log.info("finishing: BM25 view for stamp %s", stamp)
            view = self._rebuild(stamp)
            self._save(view)
            log.info("saved the BM25 view")
            self._view = view
            self._checked = time.monotonic()

    def upsert(self, chunks: list[Chunk], vectors: Any, files: dict[str, tuple[str, str]]) -> None:
        """Write chunks with their vectors (a list or a numpy array); ``files``: doc_id -> (file, hash)."""
        self.chroma.upsert(
            [c.id for c in chunks],
            vectors,
            [c.text for c in chunks],
            [chunk_metadata(c, *files[c.doc_id]) for c in chunks],
        )

    def delete_documents(self, doc_ids: list[str]) -> None:
        self.chroma.delete_documents(doc_ids)

    def reset(self) -> None:
        """Drop the collection and create it empty, marked as being written (reindex)."""
        self.chroma.recreate(self.model_name)
