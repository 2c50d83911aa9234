"""A passage as Chroma stores it: its id, and the metadata beside its text and vector (and back)."""

from __future__ import annotations

from typing import Any

from retrieval.core.types import Chunk
from retrieval.store.passages import chunk_id  # noqa: F401 - the id format lives with the store


def chunk_metadata(chunk: Chunk, file: str, content_hash: str) -> dict[str, Any]:
    """What Chroma stores beside a chunk's text and vector (filters read ``date_int`` and ``doc_id``)."""
    meta: dict[str, Any] = {
        "doc_id": chunk.doc_id,
        "index": chunk.index,
        "n_chunks": chunk.n_chunks,
        "start": chunk.start,
        "end": chunk.end,
        "title": chunk.title,
        "source": chunk.source,
        "file": file,
        "hash": content_hash,
    }
    if chunk.date:
        meta["date"] = chunk.date
        meta["date_int"] = int(chunk.date.replace("-", ""))
    if chunk.url:
        meta["url"] = chunk.url
    if chunk.publisher:
        meta["publisher"] = chunk.publisher
    if chunk.file_offset is not None:
        meta["file_offset"] = chunk.file_offset
    return meta


def chunk_from(id_: str, text: str, meta: dict[str, Any]) -> Chunk:
    """A `Chunk` from a Chroma row."""
    return Chunk(
        id=id_,
        doc_id=meta["doc_id"],
        index=int(meta["index"]),
        text=text,
        start=int(meta["start"]),
        end=int(meta["end"]),
        title=meta.get("title", ""),
        source=meta.get("source", ""),
        date=meta.get("date"),
        url=meta.get("url"),
        n_chunks=int(meta.get("n_chunks", 0)),
        publisher=meta.get("publisher"),
        file_offset=None if meta.get("file_offset") is None else int(meta["file_offset"]),
    )
