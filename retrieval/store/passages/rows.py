"""How a passage row is spelled: its columns, the `Chunk` read from one, and the small records the readers return."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from retrieval.core.types import Chunk

COLUMNS = "id, doc_id, idx, text, start, end_, title, source, date, url, n_chunks, publisher, file_offset"
BATCH = 500  # ids per ``IN (...)`` query


@dataclass(frozen=True)
class FileInfo:
    """Where an indexed article was read from, and its content hash (what incremental ingest compares)."""

    file: str
    hash: str


@dataclass(frozen=True)
class Described:
    """What an indexed article says of itself beside its text (a later edit of these replaces it)."""

    title: str
    date: str | None
    url: str | None
    publisher: str | None
    file_offset: int | None


def chunk_id(doc_id: str, index: int) -> str:
    """The id of chunk ``index`` of document ``doc_id`` (the one place that spells the format)."""
    return f"{doc_id}-{index}"


def chunk_of(row: Sequence[Any]) -> Chunk:
    """The `Chunk` of a row selected as `COLUMNS` (extra columns after them are ignored)."""
    id_, doc_id, idx, text, start, end, title, source, date, url, n_chunks, publisher, file_offset = row[:13]
    return Chunk(id_, doc_id, idx, text, start, end, title, source, date, url, n_chunks, publisher, file_offset)


def marks(n: int) -> str:
    """``n`` SQL placeholders (at least one)."""
    return ",".join("?" * max(1, n))
