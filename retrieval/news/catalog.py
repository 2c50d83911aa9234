"""What is in the index: the articles, one passage, the index's size and dates; and taking articles out."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from retrieval.core.errors import InputError
from retrieval.core.types import Chunk, IndexStats, SourceInfo

if TYPE_CHECKING:
    from retrieval.core.settings import Settings
    from retrieval.store import Index

MIN_PREFIX = 4  # the shortest id prefix taken for an id, as git takes object names
_ID_PREFIX = re.compile(rf"[0-9a-f]{{{MIN_PREFIX},}}(~[0-9a-f]*)?")


def full_ids(targets: Sequence[str], known: Mapping[str, str]) -> list[str]:
    """``targets`` with each unique prefix of a ``known`` id (id -> title) written out in full, as git reads a short
    commit name: at least `MIN_PREFIX` hex digits. An exact id, a path or a URL is left as it is; a prefix of
    several ids is an `InputError` naming them."""
    return [_full_id(target, known) for target in targets]


def _full_id(target: str, known: Mapping[str, str]) -> str:
    if target in known or not _ID_PREFIX.fullmatch(target.lower()) or Path(target).exists():
        return target
    found = sorted(d for d in known if d.startswith(target.lower()))
    if len(found) > 1:
        listed = "; ".join(f'{d} "{known[d]}"' for d in found[:10])
        more = f" and {len(found) - 10} more" if len(found) > 10 else ""
        raise InputError(
            f"the id {target} is ambiguous, {len(found)} ids start with it: {listed}{more}; give more digits"
        )
    return found[0] if found else target


class Catalog:
    """Read-mostly questions about the collection, answered from the passage store."""

    def __init__(self, index: Index, settings: Settings) -> None:
        self.index = index
        self.settings = settings

    def sources(self) -> list[SourceInfo]:
        """Every indexed article: title, date, source and number of chunks, newest first."""
        return [
            SourceInfo(doc_id=d, title=title, date=day, source=source, chunks=n, url=url, publisher=publisher)
            for d, title, day, source, n, url, publisher in self.index.view.documents.listing()
        ]

    def titles(self) -> dict[str, str]:
        """Every indexed article's id and title."""
        return self.index.view.documents.titles()

    def passage(self, chunk_id: str) -> Chunk | None:
        """The whole chunk a citation quotes from."""
        return self.index.view.passages.get(chunk_id)

    def matching(self, targets: Sequence[str]) -> set[str]:
        """Documents named by id, source path or URL, or the file they were read from."""
        names = set(targets) | {str(Path(t).expanduser().resolve()) for t in targets}
        return self.index.view.documents.matching(names)

    def remove(self, targets: Sequence[str]) -> list[str]:
        """Take articles out (see `matching`); returns the removed ids."""
        wanted = sorted(self.matching(targets))
        if wanted:
            with self.index.writing():
                self.index.delete_documents(wanted)
        return wanted

    def stats(self) -> IndexStats:
        """Documents, chunks, disk size, model and date range."""
        store = self.index.view
        first, last = store.passages.date_range()
        size = sum(p.stat().st_size for p in self.settings.data_dir.rglob("*") if p.is_file())
        return IndexStats(
            documents=store.documents.doc_count(),
            chunks=len(store),
            disk_mb=round(size / 1e6, 2),
            model=self.index.model_name,
            first_date=first,
            last_date=last,
            location=self.settings.chroma_url or str(self.settings.chroma_dir),
            collection=self.settings.collection,
        )
