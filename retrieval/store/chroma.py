"""The Chroma side of the index: a client made from the settings, and one collection used through it.

`ChromaCollection` takes its client as a parameter (as langchain-chroma does): a local `PersistentClient`, an
`HttpClient` for a `chroma run` server, or whatever a caller builds. Chroma's own embedding function is never
used (it would download a model) and telemetry is off. Every chromadb failure to open becomes one line.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import uuid
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlparse

from retrieval.core.errors import DataDirError, NewsbotError
from retrieval.core.settings import Settings

log = logging.getLogger("newsbot.store")
PAGE = 5000  # rows per Chroma call when reading or writing many


def make_client(settings: Settings) -> Any:
    """A Chroma client for ``settings``: the server at NEWSBOT_CHROMA_URL, or the local data directory."""
    _quiet_chroma()
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    if settings.chroma_url:
        return _http_client(settings, chroma_settings)
    folder = settings.chroma_dir
    try:
        folder.mkdir(parents=True, exist_ok=True)
        return chromadb.PersistentClient(path=str(folder), settings=chroma_settings)
    except PermissionError as exc:
        raise DataDirError(
            f"cannot write to the data directory {settings.data_dir}: {exc.strerror}; "
            "set NEWSBOT_DATA_DIR to a writable folder"
        ) from None
    except OSError as exc:
        raise DataDirError(f"cannot write to the data directory {settings.data_dir}: {exc.strerror or exc}") from None
    except Exception as exc:  # noqa: BLE001 - chromadb raises many kinds; each means "cannot open"
        raise DataDirError(open_error(settings, exc)) from None


class ChromaCollection:
    """One collection of ``client``: rows with text, metadata and vectors, and the collection's metadata."""

    def __init__(self, client: Any, name: str, settings: Settings) -> None:
        self.client = client
        self.name = name
        self.settings = settings  # for error messages (where the index lives)
        self._collection: Any = None

    def open(self, model: str, writing: bool = False) -> Any:
        """Get or create the collection (cosine space, no embedding function), stamped for ``model``."""
        try:
            self._collection = self.client.get_or_create_collection(
                self.name,
                embedding_function=None,
                configuration={"hnsw": {"space": "cosine"}},
                metadata={"model": model, "version": uuid.uuid4().hex, "writing": writing},
            )
        except NewsbotError:
            raise
        except PermissionError as exc:
            raise DataDirError(
                f"cannot write to the data directory {self.settings.data_dir}: {exc.strerror}; "
                "set NEWSBOT_DATA_DIR to a writable folder"
            ) from None
        except Exception as exc:  # noqa: BLE001 - chromadb raises many kinds; each means "cannot open"
            raise DataDirError(open_error(self.settings, exc)) from None
        return self._collection

    @property
    def raw(self) -> Any:
        """The chromadb `Collection` (opened by `open`)."""
        if self._collection is None:
            raise NewsbotError("the index is not open")
        return self._collection

    def metadata(self, model: str) -> dict[str, Any]:
        """The collection's metadata, re-read (another process may have written, or recreated it)."""
        try:
            collection = self.client.get_collection(self.name, embedding_function=None)
        except Exception:  # noqa: BLE001 - deleted by another process's reindex between its delete and create
            collection = self.open(model)
        self._collection = collection
        return dict(collection.metadata or {})

    def set_metadata(self, meta: dict[str, Any]) -> None:
        self.raw.modify(metadata=meta)

    def count(self) -> int:
        return int(self.raw.count())

    def rows(
        self, include: tuple[str, ...] = ("documents", "metadatas"), where: dict[str, Any] | None = None
    ) -> Iterator[tuple[str, str, dict[str, Any]]]:
        """Every row (matching ``where``, a Chroma metadata filter) as (id, document, metadata), a page at a time."""
        offset = 0
        while True:
            page = self.raw.get(include=list(include), limit=PAGE, offset=offset, where=where)
            ids = page["ids"]
            docs = page.get("documents") or [""] * len(ids)
            metas = page.get("metadatas") or [{}] * len(ids)
            for i, id_ in enumerate(ids):
                yield id_, docs[i], metas[i]
            if len(ids) < PAGE:
                return
            offset += PAGE

    def nearest(
        self,
        vector: list[float],
        n: int,
        doc_ids: set[str] | None = None,
        since: str | None = None,
        until: str | None = None,
    ) -> list[tuple[str, float]]:
        """(id, cosine similarity) of the ``n`` rows nearest ``vector``, only of ``doc_ids`` and dated within
        [since, until] (ISO dates) when given."""
        clauses: list[dict[str, Any]] = []
        if doc_ids is not None:
            clauses.append({"doc_id": {"$in": sorted(doc_ids)}})
        if since:
            clauses.append({"date_int": {"$gte": int(since.replace("-", ""))}})
        if until:
            clauses.append({"date_int": {"$lte": int(until.replace("-", ""))}})
        where = clauses[0] if len(clauses) == 1 else {"$and": clauses} if clauses else None
        found = self.raw.query(query_embeddings=[vector], n_results=n, where=where, include=["distances"])
        return [(id_, 1.0 - float(dist)) for id_, dist in zip(found["ids"][0], found["distances"][0], strict=True)]

    def vectors(self, ids: list[str]) -> dict[str, Any]:
        """The stored vector of each of ``ids`` that exists."""
        got = self.raw.get(ids=ids, include=["embeddings"])
        return dict(zip(got["ids"], got["embeddings"], strict=True))

    def upsert(self, ids: list[str], vectors: Any, documents: list[str], metadatas: list[dict[str, Any]]) -> None:
        for start in range(0, len(ids), PAGE):
            end = start + PAGE
            self.raw.upsert(
                ids=ids[start:end],
                embeddings=vectors[start:end],
                documents=documents[start:end],
                metadatas=metadatas[start:end],
            )

    def delete_documents(self, doc_ids: list[str]) -> None:
        for start in range(0, len(doc_ids), 500):
            self.raw.delete(where={"doc_id": {"$in": doc_ids[start : start + 500]}})

    # ---- tombstones: the documents deleted, for other machines' passage stores (server mode) ------------
    @property
    def _tombstones(self) -> Any:
        return self.client.get_or_create_collection(f"{self.name}-tombstones", embedding_function=None)

    def add_tombstones(self, doc_ids: list[str], seq: int) -> None:
        """Record that ``doc_ids`` were deleted by write ``seq``."""
        for start in range(0, len(doc_ids), PAGE):
            part = doc_ids[start : start + PAGE]
            self._tombstones.upsert(
                ids=part,
                embeddings=[[1.0]] * len(part),
                documents=[""] * len(part),
                metadatas=[{"seq": seq}] * len(part),
            )

    def tombstones_after(self, seq: int) -> tuple[list[str], int]:
        """The documents deleted by writes after ``seq``, and the last such write."""
        got = self._tombstones.get(where={"seq": {"$gt": seq}}, include=["metadatas"])
        seqs = [int(m.get("seq", 0)) for m in got.get("metadatas") or []]
        return list(got["ids"]), max([seq, *seqs])

    def recreate(self, model: str) -> None:
        """Drop the collection and create it empty, marked as being written (reindex)."""
        self.client.delete_collection(self.name)
        with contextlib.suppress(Exception):  # absent until a server-mode delete made it
            self.client.delete_collection(f"{self.name}-tombstones")
        self._collection = None
        self.open(model, writing=True)


def _http_client(settings: Settings, chroma_settings: Any) -> Any:
    import chromadb

    url = urlparse(settings.chroma_url or "")
    if url.scheme not in ("http", "https") or not url.hostname:
        raise NewsbotError(f"bad setting NEWSBOT_CHROMA_URL: expected http://HOST:PORT, got {settings.chroma_url!r}")
    headers = {}
    if settings.chroma_auth_token:
        headers["Authorization"] = f"Bearer {settings.chroma_auth_token.get_secret_value()}"
    try:
        return chromadb.HttpClient(
            host=url.hostname,
            port=url.port or (443 if url.scheme == "https" else 8000),
            ssl=url.scheme == "https",
            headers=headers,
            settings=chroma_settings,
        )
    except Exception as exc:  # noqa: BLE001 - any failure to connect is one line
        raise NewsbotError(server_error(settings, exc, "cannot reach")) from None


def server_error(settings: Settings, exc: Exception, what: str) -> str:
    """One line on a Chroma server failure; a refused token says which setting to fix (never the token)."""
    text = str(exc)
    if re.search(r"\b(401|403)\b|Unauthori[sz]ed|AuthorizationError|Forbidden", text):
        fix = "check" if settings.chroma_auth_token else "set"
        return (
            f"the Chroma server at {settings.chroma_url} refused the request (not authorised): {fix} "
            "NEWSBOT_CHROMA_AUTH_TOKEN to the token its proxy expects"
        )
    detail = text.splitlines()[0][:200] if text else exc.__class__.__name__
    return f"{what} the Chroma server at {settings.chroma_url}: {detail}"


def open_error(settings: Settings, exc: Exception) -> str:
    """One line saying the index cannot be opened, and what to do."""
    if settings.chroma_url:
        return server_error(settings, exc, "cannot use")
    detail = str(exc).splitlines()[0][:200] if str(exc) else exc.__class__.__name__
    return (
        f"cannot open the index in {settings.chroma_dir} ({detail}); if it is corrupted, move that folder away "
        "and run `newsbot ingest` again"
    )


def _quiet_chroma() -> None:
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    for name in ("chromadb.telemetry", "chromadb.telemetry.product.posthog", "posthog"):
        logging.getLogger(name).setLevel(logging.CRITICAL)
