"""What is in the index: the articles, one passage, the index's size and dates; and taking articles out."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from retrieval.types import Chunk, IndexStats, SourceInfo

if TYPE_CHECKING:
    from retrieval.settings import Settings
    from retrieval.store import Index


class Catalog:
    """Read-mostly questions about the collection, answered from the chunk table."""

    def __init__(self, index: Index, settings: Settings) -> None:
        self.index = index
        self.settings = settings

    def sources(self) -> list[SourceInfo]:
        """Every indexed article: title, date, source and number of chunks, newest first."""
        firsts: dict[str, Chunk] = {}
        counts: dict[str, int] = {}
        for chunk in self.index.chunks():
            firsts.setdefault(chunk.doc_id, chunk)
            counts[chunk.doc_id] = counts.get(chunk.doc_id, 0) + 1
        out = [
            SourceInfo(
                doc_id=d,
                title=c.title,
                date=c.date,
                source=c.source,
                chunks=counts[d],
                url=c.url,
                publisher=c.publisher,
            )
            for d, c in firsts.items()
        ]
        out.sort(key=lambda s: (s.date or "", s.title), reverse=True)
        return out

    def passage(self, chunk_id: str) -> Chunk | None:
        """The whole chunk a citation quotes from."""
        return self.index.table.get(chunk_id)

    def matching(self, targets: Sequence[str]) -> set[str]:
        """Documents named by id, source path or URL, or the file they were read from."""
        files = self.index.files
        wanted: set[str] = set()
        for target in targets:
            resolved = str(Path(target).expanduser().resolve())
            for chunk in self.index.chunks():
                info = files.get(chunk.doc_id)
                if target in (chunk.doc_id, chunk.source, chunk.url) or resolved in (
                    chunk.source,
                    info.file if info else None,
                ):
                    wanted.add(chunk.doc_id)
        return wanted

    def remove(self, targets: Sequence[str]) -> list[str]:
        """Take articles out (see `matching`); returns the removed ids."""
        wanted = sorted(self.matching(targets))
        if wanted:
            with self.index.writing():
                self.index.delete_documents(wanted)
        return wanted

    def stats(self) -> IndexStats:
        """Documents, chunks, disk size, model and date range."""
        chunks = self.index.chunks()
        dates = sorted({c.date for c in chunks if c.date})
        size = sum(p.stat().st_size for p in self.settings.data_dir.rglob("*") if p.is_file())
        return IndexStats(
            documents=len({c.doc_id for c in chunks}),
            chunks=len(chunks),
            disk_mb=round(size / 1e6, 2),
            model=self.index.model_name,
            first_date=dates[0] if dates else None,
            last_date=dates[-1] if dates else None,
            location=self.settings.chroma_url or str(self.settings.chroma_dir),
            collection=self.settings.collection,
        )
