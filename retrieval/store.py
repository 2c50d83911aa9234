"""The index: Chroma (dense) and BM25 (lexical), two views of one set of chunks under one version stamp.

Chroma is the source of truth. Every write bumps the collection's ``version`` metadata before and after it,
and the BM25 view is saved with the stamp it was built from, so a reader (or a process that was killed
mid-ingest) notices a stale BM25 view and rebuilds it from Chroma's documents.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import logging
import os
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
        self._files: dict[str, dict[str, str]] = {}  # doc_id -> {"file", "hash"}

    # ---- opening -------------------------------------------------------------------------------
    def open(self, check_model: bool = True) -> Index:
        """Connect to Chroma, create the collection if needed and check it was built with our model."""
        _quiet_chroma()
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
        try:
            if self.settings.chroma_url:
                self._client = _http_client(self.settings, chroma_settings)
            else:
                folder = self.settings.chroma_dir
                folder.mkdir(parents=True, exist_ok=True)
                self._client = chromadb.PersistentClient(path=str(folder), settings=chroma_settings)
            self._collection = self._client.get_or_create_collection(
                self.settings.collection, embedding_function=None,
                configuration={"hnsw": {"space": "cosine"}},
                metadata={"model": self.embedder.name, "version": uuid.uuid4().hex},
            )
        except NewsbotError:
            raise
        except PermissionError as exc:
            raise DataDirError(f"cannot write to the data directory {self.settings.data_dir}: {exc.strerror}; "
                               "set NEWSBOT_DATA_DIR to a writable folder") from None
        except Exception as exc:  # chromadb raises many kinds; each means "cannot open"
            raise DataDirError(_open_error(self.settings, exc)) from None
        built_with = (self._collection.metadata or {}).get("model")
        if check_model and built_with and built_with != self.embedder.name:
            raise ModelMismatchError(
                f"the index was built with embedding model {built_with!r} but NEWSBOT_EMBEDDING_MODEL is "
                f"{self.embedder.name!r}: run `newsbot reindex` to rebuild it with the new model, or set "
                f"NEWSBOT_EMBEDDING_MODEL={built_with}"
            )
        return self

    @property
    def collection(self) -> Any:
        if self._collection is None:
            self.open()
        return self._collection

    @property
    def vectorstore(self) -> Any:
        """The collection through LangChain's `Chroma` vector store (our embedder, no Chroma default)."""
        if self._vectorstore is None:
            from langchain_chroma import Chroma

            self._vectorstore = Chroma(
                client=self._client, collection_name=self.settings.collection, embedding_function=self.embedder
            )
        return self._vectorstore

    def stamp(self) -> str:
        """The collection's current version stamp (re-read: another process may have written)."""
        self._collection = self._client.get_collection(self.settings.collection, embedding_function=None)
        return str((self._collection.metadata or {}).get("version", ""))

    def _bump(self) -> str:
        stamp = uuid.uuid4().hex
        meta = dict(self.collection.metadata or {})
        meta.update({"model": self.embedder.name, "version": stamp})
        self.collection.modify(metadata=meta)
        return stamp

    # ---- the BM25 view and the chunk table -----------------------------------------------------
    @property
    def bm25(self) -> Bm25View:
        """The BM25 view in step with Chroma: loaded from disk, or rebuilt when its stamp is stale."""
        stamp = self.stamp()
        if self._bm25 is not None and self._bm25.stamp == stamp:
            return self._bm25
        view = Bm25View.load(self._bm25_dir, stamp)
        if view is None:
            view = self._rebuild_bm25(stamp)
        self._bm25 = view
        self._files = self._read_files() if self._files_stale(view) else self._files
        return view

    @property
    def _bm25_dir(self) -> Path:
        if self.settings.chroma_url:
            key = hashlib.sha256(f"{self.settings.chroma_url}|{self.settings.collection}".encode()).hexdigest()
            return self.settings.data_dir / "bm25-server" / key[:16]
        return self.settings.bm25_dir / self.settings.collection

    def _rebuild_bm25(self, stamp: str) -> Bm25View:
        chunks = [chunk_from(i, d, m) for i, d, m in self._all(include=["documents", "metadatas"])]
        chunks.sort(key=lambda c: (c.doc_id, c.index))
        view = Bm25View(chunks, stamp)
        try:
            view.save(self._bm25_dir)
        except OSError as exc:
            log.warning("cannot save the BM25 view (%s); it will be rebuilt next time", exc)
        return view

    def _files_stale(self, view: Bm25View) -> bool:
        return set(self._files) != {c.doc_id for c in view.chunks}

    def _read_files(self) -> dict[str, dict[str, str]]:
        files: dict[str, dict[str, str]] = {}
        for _, _, meta in self._all(include=["metadatas"]):
            files.setdefault(meta["doc_id"], {"file": meta.get("file", ""), "hash": meta.get("hash", "")})
        return files

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
        self.bm25  # noqa: B018 - refreshes the table when another process wrote
        return self._files

    def chunks(self) -> list[Chunk]:
        return self.bm25.chunks

    def documents_by_file(self) -> dict[str, dict[str, str]]:
        """doc_id -> {file, hash} for every document whose chunks are all present."""
        view = self.bm25
        counts: dict[str, int] = {}
        expected: dict[str, int] = {}
        for chunk in view.chunks:
            counts[chunk.doc_id] = counts.get(chunk.doc_id, 0) + 1
            expected[chunk.doc_id] = chunk.n_chunks
        return {d: info for d, info in self._files.items() if counts.get(d) == expected.get(d)}

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
        """Chunks nearest to ``vector`` with cosine similarity, via LangChain's Chroma store."""
        if n <= 0 or (allowed is not None and not allowed):
            return []
        where = None
        if allowed is not None:
            where = {"doc_id": {"$in": sorted(allowed)}}
        total = self.collection.count()
        if total == 0:
            return []
        results = self.vectorstore.similarity_search_by_vector_with_relevance_scores(
            vector, k=min(n, total), filter=where
        )
        return [(chunk_from(doc.id, doc.page_content, doc.metadata), 1.0 - float(dist)) for doc, dist in results]

    # ---- writing -------------------------------------------------------------------------------
    @contextlib.contextmanager
    def writing(self) -> Iterator[None]:
        """Hold the data directory's write lock; bump the stamp before and after; refresh BM25 at the end."""
        with self._lock():
            self._bump()
            try:
                yield
            finally:
                stamp = self._bump()
                self._bm25 = self._rebuild_bm25(stamp)
                self._files = self._read_files()

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

    def upsert(self, chunks: list[Chunk], vectors: list[list[float]], files: dict[str, tuple[str, str]]) -> None:
        """Write chunks with their vectors; ``files`` maps doc_id -> (file, content hash)."""
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
        """Drop the collection (used by reindex after the documents were read back)."""
        self._client.delete_collection(self.settings.collection)
        self._collection = None
        self._vectorstore = None
        self._bm25 = None
        self.open()


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
        raise NewsbotError(f"cannot reach the Chroma server at {settings.chroma_url}: {exc}") from None


def _open_error(settings: Settings, exc: Exception) -> str:
    where = settings.chroma_url or settings.chroma_dir
    detail = str(exc).splitlines()[0][:200] if str(exc) else exc.__class__.__name__
    if settings.chroma_url:
        return f"cannot use the Chroma server at {where}: {detail}"
    return (f"cannot open the index in {where} ({detail}); if it is corrupted, move that folder away and run "
            "`newsbot ingest` again")


def _quiet_chroma() -> None:
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    for name in ("chromadb.telemetry", "chromadb.telemetry.product.posthog", "posthog"):
        logging.getLogger(name).setLevel(logging.CRITICAL)
