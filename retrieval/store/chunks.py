"""The chunk table: every indexed chunk in memory, by id and by article, with the file each article came from.

It is the in-memory mirror of what Chroma holds (rebuilt from Chroma's documents and metadata, or loaded from
the saved view), so that reading a passage, its neighbours or an article's text needs no round trip.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from retrieval.core.types import Article, Chunk


def chunk_id(doc_id: str, index: int) -> str:
    """The id of chunk ``index`` of document ``doc_id`` (the one place that spells the format)."""
    return f"{doc_id}-{index}"


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


@dataclass(frozen=True)
class FileInfo:
    """Where an indexed article was read from, and its content hash (what incremental ingest compares)."""

    file: str
    hash: str


class ChunkTable:
    """Chunks sorted by (document, index), looked up by id; ``files`` maps doc_id to its `FileInfo`."""

    def __init__(self, chunks: list[Chunk], files: dict[str, FileInfo]) -> None:
        self.chunks = chunks
        self.files = files
        self.position = {chunk.id: i for i, chunk in enumerate(chunks)}
        self._article_terms: dict[str, frozenset[str]] = {}

    @classmethod
    def from_rows(cls, rows: Iterable[tuple[str, str, dict[str, Any]]]) -> ChunkTable:
        """The table from Chroma rows (id, text, metadata); a row seen twice (paging during a write) counts once."""
        chunks: dict[str, Chunk] = {}
        files: dict[str, FileInfo] = {}
        for id_, text, meta in rows:
            if id_ in chunks:
                continue
            chunks[id_] = chunk_from(id_, text, meta)
            files.setdefault(meta["doc_id"], FileInfo(meta.get("file", ""), meta.get("hash", "")))
        ordered = sorted(chunks.values(), key=lambda c: (c.doc_id, c.index))
        return cls(ordered, files)

    def __len__(self) -> int:
        return len(self.chunks)

    @cached_property
    def newest_date(self) -> str | None:
        """The newest article date (ISO), or None when no article is dated (an archive)."""
        return max((c.date for c in self.chunks if c.date), default=None)

    def get(self, id_: str) -> Chunk | None:
        """The chunk with id ``id_``, or None."""
        pos = self.position.get(id_)
        return self.chunks[pos] if pos is not None else None

    def neighbours(self, chunk: Chunk) -> tuple[Chunk | None, Chunk | None]:
        """The chunks before and after ``chunk`` in its article."""
        return self.get(chunk_id(chunk.doc_id, chunk.index - 1)), self.get(chunk_id(chunk.doc_id, chunk.index + 1))

    def article_terms(self, doc_id: str) -> frozenset[str]:
        """The search terms of a whole article (title and every chunk), computed once per article."""
        cached = self._article_terms.get(doc_id)
        if cached is None:
            from retrieval.core.text import terms

            found: set[str] = set()
            index = 0
            while (chunk := self.get(chunk_id(doc_id, index))) is not None:
                found.update(terms(chunk.text))
                if index == 0:
                    found.update(terms(chunk.title))
                index += 1
            cached = self._article_terms[doc_id] = frozenset(found)
        return cached

    def doc_ids(self) -> set[str]:
        return set(self.files)

    def _counts(self) -> tuple[dict[str, int], dict[str, int]]:
        counts: dict[str, int] = {}
        expected: dict[str, int] = {}
        for chunk in self.chunks:
            counts[chunk.doc_id] = counts.get(chunk.doc_id, 0) + 1
            expected[chunk.doc_id] = chunk.n_chunks
        return counts, expected

    def complete_documents(self) -> dict[str, FileInfo]:
        """doc_id -> `FileInfo` for every document whose chunks are all present."""
        counts, expected = self._counts()
        return {d: info for d, info in self.files.items() if counts.get(d) == expected.get(d)}

    def incomplete_documents(self) -> set[str]:
        """Documents with missing chunks (a write was interrupted): ingest replaces them whole."""
        counts, expected = self._counts()
        return {d for d, n in counts.items() if n != expected.get(d)}

    def articles(self) -> list[tuple[Article, str]]:
        """Every article rebuilt from its chunks (offsets kept exact), with the file it came from."""
        by_doc: dict[str, list[Chunk]] = {}
        for chunk in self.chunks:
            by_doc.setdefault(chunk.doc_id, []).append(chunk)
        out = []
        for doc_id, parts in by_doc.items():
            parts.sort(key=lambda c: c.index)
            text = ""
            for chunk in parts:
                gap = chunk.start - len(text)
                if gap >= 0:
                    text += (" " if gap == 1 else "\n" * gap) + chunk.text
                else:
                    text = text[: chunk.start] + chunk.text
            first = parts[0]
            info = self.files.get(doc_id, FileInfo(first.source, ""))
            article = Article(
                id=doc_id,
                title=first.title,
                text=text,
                source=first.source,
                date=first.date,
                url=first.url,
                content_hash=info.hash,
                publisher=first.publisher,
                file_offset=first.file_offset,
            )
            out.append((article, info.file or first.source))
        return out
