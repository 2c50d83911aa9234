"""The index: Chroma (dense) and BM25 (lexical), two views of one set of chunks under one version stamp.

Chroma is the source of truth. Its collection metadata holds a ``version`` stamp and a ``writing`` flag:
a writer (holding the data directory's ``write.lock``) sets a new stamp with ``writing=True`` before it
changes anything and a new stamp with ``writing=False`` when it is done. The BM25 view (with the chunk and
file tables) is saved with the stamp it was built from and is only trusted when the stamps match, so a reader,
another process, or a process that was killed mid-ingest notices a stale view and rebuilds it from Chroma.

A view is saved to disk only when the content it was read from cannot change under the same stamp: the
stamp was written by a finished writer, or (local index) no writer holds the lock, i.e. the last one died.
With a Chroma server the view lives in this machine's data directory, keyed by the server and collection;
every process re-reads the stamp at most every ``REFRESH_SECONDS`` and rebuilds its view when it changed.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import logging
import os
import re
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from retrieval.bm25 import Bm25View
from retrieval.embeddings import Embedder
from retrieval.errors import DataDirError, IndexLockedError, ModelMismatchError, NewsbotError
from retrieval.settings import Settings
from retrieval.types import Article, Chunk

log = logging.getLogger("newsbot.store")
_PAGE = 5000
REFRESH_SECONDS = 0.5  # how stale a reader's view of other processes' writes may be


def chunk_metadata(chunk: Chunk, file: str, content_hash: str) -> dict[str, Any]:
    meta: dict[str, Any] = {
        "doc_id": chunk.doc_id, "index": chunk.index, "n_chunks": chunk.n_chunks, "start": chunk.start,
        "end": chunk.end, "title": chunk.title, "source": chunk.source, "file": file, "hash": content_hash,
    }
    if chunk.date:
        meta["date"] = chunk.date
        meta["date_int"] = int(chunk.date.replace("-", ""))
    if chunk.url:
        meta["url"] = chunk.url
    return meta


def chunk_from(id_: str, text: str, meta: dict[str, Any]) -> Chunk:
    return Chunk(
        id=id_, doc_id=meta["doc_id"], index=int(meta["index"]), text=text, start=int(meta["start"]),
        end=int(meta["end"]), title=meta.get("title", ""), source=meta.get("source", ""), date=meta.get("date"),
        url=meta.get("url"), n_chunks=int(meta.get("n_chunks", 0)),
    )


class Index:
    """Chroma + BM25 for one collection. Open it with `Index.open`; write only inside `writing()`."""

    def __init__(self, settings: Settings, embedder: Embedder) -> None:
        self.settings = settings
        self.embedder = embedder
        self._client: Any = None
        self._collection: Any = None
        self._vectorstore: Any = None
        self._bm25: Bm25View | None = None
        self._checked = 0.0  # time.monotonic() of the last stamp check
        self._writing = False  # inside changing(): this process is the writer

    # ---- opening -------------------------------------------------------------------------------
    def open(self, check_model: bool = True) -> Index:
        """Connect to Chroma, create the collection if needed and check it was built with our model."""
        self._connect()
        built_with = (self._collection.metadata or {}).get("model")
        if check_model and built_with and built_with != self.embedder.name:
            raise ModelMismatchError(
                f"the index was built with embedding model {built_with!r} but NEWSBOT_EMBEDDING_MODEL is "
                f"{self.embedder.name!r}: run `newsbot reindex` to rebuild it with the new model, or set "
                f"NEWSBOT_EMBEDDING_MODEL={built_with}"
            )
        return self

    def _connect(self, writing: bool = False) -> None:
        _quiet_chroma()
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
        try:
            if self._client is None:
                if self.settings.chroma_url:
                    self._client = _http_client(self.settings, chroma_settings)
                else:
                    folder = self.settings.chroma_dir
                    folder.mkdir(parents=True, exist_ok=True)
                    self._client = chromadb.PersistentClient(path=str(folder), settings=chroma_settings)
            self._collection = self._client.get_or_create_collection(
                self.settings.collection, embedding_function=None,
                configuration={"hnsw": {"space": "cosine"}},
                metadata={"model": self.embedder.name, "version": uuid.uuid4().hex, "writing": writing},
            )
            self._vectorstore = None
        except NewsbotError:
            raise
        except PermissionError as exc:
            raise DataDirError(f"cannot write to the data directory {self.settings.data_dir}: {exc.strerror}; "
                               "set NEWSBOT_DATA_DIR to a writable folder") from None
        except Exception as exc:  # chromadb raises many kinds; each means "cannot open"
            raise DataDirError(_open_error(self.settings, exc)) from None

    def _reopen(self) -> None:
        """A new Chroma client for a local index: a process's HNSW index does not see other processes' writes."""
        try:
            from chromadb.api.shared_system_client import SharedSystemClient

            ident = getattr(self._client, "_identifier", None)
            systems, refs = SharedSystemClient._identifier_to_system, SharedSystemClient._identifier_to_refcount
            old = systems.pop(ident, None)
            if old is not None and refs.get(ident, 0) <= 1:  # nobody else in this process uses it
                refs.pop(ident, None)
                old.stop()
        except Exception as exc:  # pragma: no cover - chromadb internals moved: keep the old client
            log.debug("cannot reopen the Chroma client: %s", exc)
            return
        self._client = self._collection = self._vectorstore = None
        self._connect()

    @property
    def collection(self) -> Any:
        if self._collection is None:
            self.open()
        return self._collection

    @property
    def vectorstore(self) -> Any:
        """The collection as LangChain's `Chroma` vector store (our embedder, no Chroma default), for chains.

        newsbot's own search queries the collection directly (`dense_search`): ids and distances only.
        """
        if self._vectorstore is None:
            from langchain_chroma import Chroma

            self._vectorstore = Chroma(
                client=self._client, collection_name=self.settings.collection, embedding_function=self.embedder
            )
        return self._vectorstore

    def _metadata(self) -> dict[str, Any]:
        """The collection's metadata, re-read (another process may have written)."""
        if self._client is None:
            self.open()
        try:
            collection = self._client.get_collection(self.settings.collection, embedding_function=None)
        except Exception:  # deleted by another process's reindex between its delete and create
            self._connect()
            collection = self._collection
        if self._collection is None or collection.id != self._collection.id:
            self._vectorstore = None
        self._collection = collection
        return dict(collection.metadata or {})

    def stamp(self) -> str:
        """The collection's current version stamp (re-read: another process may have written)."""
        return str(self._metadata().get("version", ""))

    def _bump(self, writing: bool) -> str:
        stamp = uuid.uuid4().hex
        meta = self._metadata()
        meta.update({"model": self.embedder.name, "version": stamp, "writing": writing})
        self.collection.modify(metadata=meta)
        return stamp

    # ---- the BM25 view and the chunk table -----------------------------------------------------
    @property
    def bm25(self) -> Bm25View:
        """The BM25 view in step with Chroma (stamp re-checked at most every `REFRESH_SECONDS`)."""
        if self._bm25 is not None and (self._writing or time.monotonic() - self._checked < REFRESH_SECONDS):
            return self._bm25
        return self.refresh()

    def refresh(self) -> Bm25View:
        """Re-read the stamp now; load or rebuild the BM25 view when it changed."""
        meta = self._metadata()
        stamp = str(meta.get("version", ""))
        self._checked = time.monotonic()
        if self._bm25 is not None and self._bm25.stamp == stamp:
            return self._bm25
        if self._bm25 is not None and not self.settings.chroma_url:
            self._reopen()  # another process wrote: see its vectors too
        view = Bm25View.load(self._bm25_dir, stamp)
        if view is None:
            stable = not meta.get("writing") or self._no_local_writer()
            view = self._rebuild_bm25(stamp)
            # a stamp whose writer died is stable only if no writer came back while we read
            if stable and (not meta.get("writing") or self.stamp() == stamp):
                self._save(view)
        self._bm25 = view
        return view

    def _no_local_writer(self) -> bool:
        """True when no process (this one included) holds the write lock of a local index."""
        if self.settings.chroma_url:
            return False  # writers on other machines cannot be seen
        try:
            with open(self.settings.data_dir / "write.lock", "a+") as handle:
                fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
                return True
        except (BlockingIOError, OSError):
            return False

    @property
    def _bm25_dir(self) -> Path:
        if self.settings.chroma_url:
            key = hashlib.sha256(f"{self.settings.chroma_url}|{self.settings.collection}".encode()).hexdigest()
            return self.settings.data_dir / "bm25-server" / key[:16]
        return self.settings.bm25_dir / self.settings.collection

    def _rebuild_bm25(self, stamp: str) -> Bm25View:
        """The view rebuilt from Chroma's documents and metadata (one pass)."""
        chunks: list[Chunk] = []
        files: dict[str, dict[str, str]] = {}
        seen: set[str] = set()
        for id_, text, meta in self._all(include=["documents", "metadatas"]):
            if id_ in seen:  # paging while another process writes may repeat a row
                continue
            seen.add(id_)
            chunks.append(chunk_from(id_, text, meta))
            files.setdefault(meta["doc_id"], {"file": meta.get("file", ""), "hash": meta.get("hash", "")})
        chunks.sort(key=lambda c: (c.doc_id, c.index))
        return Bm25View(chunks, stamp, files=files)

    def _save(self, view: Bm25View) -> None:
        try:
            view.save(self._bm25_dir)
        except OSError as exc:
            log.warning("cannot save the BM25 view (%s); it will be rebuilt next time", exc)

    def _all(self, include: list[str]) -> Iterator[tuple[str, str, dict[str, Any]]]:
        offset = 0
        while True:
            page = self.collection.get(include=include, limit=_PAGE, offset=offset)
            ids = page["ids"]
            docs = page.get("documents") or [""] * len(ids)
            for i, id_ in enumerate(ids):
                yield id_, docs[i], page["metadatas"][i]
            if len(ids) < _PAGE:
                return
            offset += _PAGE

    @property
    def files(self) -> dict[str, dict[str, str]]:
        """doc_id -> {file, hash} for every indexed document."""
        return self.bm25.files

    def chunks(self) -> list[Chunk]:
        return self.bm25.chunks

    def _chunk_counts(self) -> tuple[dict[str, int], dict[str, int]]:
        counts: dict[str, int] = {}
        expected: dict[str, int] = {}
        for chunk in self.bm25.chunks:
            counts[chunk.doc_id] = counts.get(chunk.doc_id, 0) + 1
            expected[chunk.doc_id] = chunk.n_chunks
        return counts, expected

    def documents_by_file(self) -> dict[str, dict[str, str]]:
        """doc_id -> {file, hash} for every document whose chunks are all present."""
        counts, expected = self._chunk_counts()
        return {d: info for d, info in self.files.items() if counts.get(d) == expected.get(d)}

    def incomplete_documents(self) -> set[str]:
        """Documents with missing chunks (a write was interrupted): ingest replaces them whole."""
        counts, expected = self._chunk_counts()
        return {d for d, n in counts.items() if n != expected.get(d)}

    def articles(self) -> list[tuple[Article, str]]:
        """Every article rebuilt from its chunks (offsets kept exact), with the file it came from."""
        by_doc: dict[str, list[tuple[Chunk, dict[str, Any]]]] = {}
        for id_, text, meta in self._all(include=["documents", "metadatas"]):
            by_doc.setdefault(meta["doc_id"], []).append((chunk_from(id_, text, meta), meta))
        out = []
        for doc_id, parts in by_doc.items():
            parts.sort(key=lambda p: p[0].index)
            text = ""
            for chunk, _ in parts:
                gap = chunk.start - len(text)
                if gap >= 0:
                    text += (" " if gap == 1 else "\n" * gap) + chunk.text
                else:
                    text = text[: chunk.start] + chunk.text
            first, meta = parts[0]
            article = Article(id=doc_id, title=first.title, text=text, source=first.source, date=first.date,
                              url=first.url, content_hash=meta.get("hash", ""))
            out.append((article, meta.get("file", first.source)))
        return out

    def neighbours(self, chunk: Chunk) -> tuple[Chunk | None, Chunk | None]:
        """The chunks before and after ``chunk`` in its article."""
        view = self.bm25
        out: list[Chunk | None] = []
        for index in (chunk.index - 1, chunk.index + 1):
            pos = view.position.get(f"{chunk.doc_id}-{index}")
            out.append(view.chunks[pos] if pos is not None else None)
        return out[0], out[1]

    # ---- searching -----------------------------------------------------------------------------
    def dense_search(
        self, vector: list[float], n: int, allowed: set[str] | None = None
    ) -> list[tuple[Chunk, float]]:
        """Chunks nearest to ``vector`` with cosine similarity.

        Chroma returns ids and distances only; the chunks come from the in-memory table, which is in step
        with Chroma (fetching documents and metadata would double the query's time). A chunk written by
        another process since the last stamp check is left out until the view catches up (0.5 s at most).
        """
        if n <= 0 or (allowed is not None and not allowed):
            return []
        view = self.bm25
        if not view.chunks:
            return []
        where = {"doc_id": {"$in": sorted(allowed)}} if allowed is not None else None
        found = self.collection.query(query_embeddings=[vector], n_results=min(n, len(view.chunks)), where=where,
                                      include=["distances"])
        out = []
        for id_, dist in zip(found["ids"][0], found["distances"][0]):
            pos = view.position.get(id_)
            if pos is not None:
                out.append((view.chunks[pos], 1.0 - float(dist)))
        return out

    # ---- writing -------------------------------------------------------------------------------
    @contextlib.contextmanager
    def writing(self) -> Iterator[None]:
        """Hold the write lock and change the index (stamp bumped before and after, BM25 rebuilt)."""
        with self.locked(), self.changing():
            yield

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """Hold the data directory's write lock (refused at once if another process holds it), view fresh."""
        with self._lock():
            self.refresh()
            yield

    @contextlib.contextmanager
    def changing(self) -> Iterator[None]:
        """Inside `locked()`: mark the index as being written, then finished, and rebuild the BM25 view.

        Killed in between, the index keeps ``writing=True`` under a stamp no saved view carries: every
        reader rebuilds BM25 from what Chroma holds, and the next ingest completes what is missing.
        """
        log.info("writing to the index (stamp %s)", self._bump(writing=True))
        self._writing = True
        try:
            yield
        finally:
            self._writing = False
            stamp = self._bump(writing=False)
            log.info("finishing: BM25 view for stamp %s", stamp)
            view = self._rebuild_bm25(stamp)
            self._save(view)
            log.info("saved the BM25 view")
            self._bm25 = view
            self._checked = time.monotonic()

    def interrupted(self) -> bool:
        """True when the last write to the index did not finish (its writer was killed)."""
        return bool(self._metadata().get("writing"))

    @contextlib.contextmanager
    def _lock(self) -> Iterator[None]:
        folder = self.settings.data_dir
        try:
            folder.mkdir(parents=True, exist_ok=True)
            handle = open(folder / "write.lock", "a+")
        except OSError as exc:
            raise DataDirError(f"cannot write to the data directory {folder}: {exc.strerror or exc}") from None
        try:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                handle.seek(0)
                holder = handle.read().strip() or "another process"
                raise IndexLockedError(
                    f"the index in {folder} is being written by {holder}; wait for it to finish and try again"
                ) from None
            handle.seek(0)
            handle.truncate()
            handle.write(f"newsbot pid {os.getpid()}")
            handle.flush()
            yield
        finally:
            handle.close()

    def upsert(self, chunks: list[Chunk], vectors: Any, files: dict[str, tuple[str, str]]) -> None:
        """Write chunks with their vectors (a list or a numpy array); ``files``: doc_id -> (file, hash)."""
        for start in range(0, len(chunks), _PAGE):
            part = chunks[start : start + _PAGE]
            self.collection.upsert(
                ids=[c.id for c in part], embeddings=vectors[start : start + _PAGE],
                documents=[c.text for c in part],
                metadatas=[chunk_metadata(c, *files[c.doc_id]) for c in part],
            )

    def delete_documents(self, doc_ids: list[str]) -> None:
        for start in range(0, len(doc_ids), 500):
            self.collection.delete(where={"doc_id": {"$in": doc_ids[start : start + 500]}})

    def reset(self) -> None:
        """Drop the collection and create it empty, marked as being written (reindex)."""
        self._client.delete_collection(self.settings.collection)
        self._collection = None
        self._vectorstore = None
        self._connect(writing=True)


def _http_client(settings: Settings, chroma_settings: Any) -> Any:
    import chromadb
    from urllib.parse import urlparse

    url = urlparse(settings.chroma_url or "")
    if url.scheme not in ("http", "https") or not url.hostname:
        raise NewsbotError(f"bad setting NEWSBOT_CHROMA_URL: expected http://HOST:PORT, got {settings.chroma_url!r}")
    headers = {}
    if settings.chroma_auth_token:
        headers["Authorization"] = f"Bearer {settings.chroma_auth_token.get_secret_value()}"
    try:
        return chromadb.HttpClient(
            host=url.hostname, port=url.port or (443 if url.scheme == "https" else 8000),
            ssl=url.scheme == "https", headers=headers, settings=chroma_settings,
        )
    except Exception as exc:
        raise NewsbotError(_server_error(settings, exc, "cannot reach")) from None


def _server_error(settings: Settings, exc: Exception, what: str) -> str:
    """One line on a Chroma server failure; a refused token says which setting to fix (never the token)."""
    text = str(exc)
    if re.search(r"\b(401|403)\b|Unauthori[sz]ed|AuthorizationError|Forbidden", text):
        fix = "check" if settings.chroma_auth_token else "set"
        return (f"the Chroma server at {settings.chroma_url} refused the request (not authorised): {fix} "
                "NEWSBOT_CHROMA_AUTH_TOKEN to the token its proxy expects")
    detail = text.splitlines()[0][:200] if text else exc.__class__.__name__
    return f"{what} the Chroma server at {settings.chroma_url}: {detail}"


def _open_error(settings: Settings, exc: Exception) -> str:
    where = settings.chroma_url or settings.chroma_dir
    detail = str(exc).splitlines()[0][:200] if str(exc) else exc.__class__.__name__
    if settings.chroma_url:
        return _server_error(settings, exc, "cannot use")
    return (f"cannot open the index in {where} ({detail}); if it is corrupted, move that folder away and run "
            "`newsbot ingest` again")


def _quiet_chroma() -> None:
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    for name in ("chromadb.telemetry", "chromadb.telemetry.product.posthog", "posthog"):
        logging.getLogger(name).setLevel(logging.CRITICAL)
