"""`IngestPlan`: which articles of each source need embedding, and which indexed ones become stale.

It asks the index only about what it reads (`Indexed`: the documents of one file, whether some ids are indexed,
what they say of themselves): its cost is proportional to the batch, not to the archive.

The plan compares what was read with what the index holds: an article whose text is already fully indexed from
the same file is unchanged, from another file (or read twice in one batch) a copy; a file whose articles changed
replaces its old ones; an article indexed only in part (a killed write) is written again whole; a reprint of an
indexed article is grouped under it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from retrieval.core.types import Article, IngestReport
from retrieval.ingest.documents import LoadedFile

if TYPE_CHECKING:
    from retrieval.store.reprints import ReprintGroups


class Indexed(Protocol):
    """What the plan asks the index (`retrieval.store.passages.documents.Documents` answers it)."""

    def documents_of_file(self, file: str) -> set[str]: ...

    def complete(self, doc_ids: Iterable[str]) -> set[str]: ...

    def described(self, doc_ids: Iterable[str]) -> dict[str, tuple[Any, str]]: ...

    def sources_of(self, source: str) -> bool: ...


Described = tuple[str, str | None, str | None, str | None, int | None]  # title, date, url, publisher, file offset


@dataclass
class IngestPlan:
    """Which articles of each source need embedding, and which indexed ones become stale."""

    index: Indexed
    report: IngestReport = field(default_factory=IngestReport)
    stale: set[str] = field(default_factory=set)
    produced: set[str] = field(default_factory=set)  # every article id read in this run
    groups: ReprintGroups | None = None  # reprints of indexed articles are grouped, not embedded
    gone: Callable[[str], bool] = lambda _: False  # that source's file no longer exists (asked, not checked here)
    rewrite: set[str] = field(default_factory=set)  # documents written again whole (moved ones are added here)
    titles: dict[str, str] = field(default_factory=dict)  # doc_id -> title, to name what a reprint reprints
    sources: set[str] = field(default_factory=set)  # sources read in this run (and indexed ones asked about)
    indexed_from: dict[str, str] = field(default_factory=dict)  # doc_id -> the source it is indexed from
    described: dict[str, Described] = field(default_factory=dict)  # doc_id -> its indexed title, date, url, outlet
    known: set[str] = field(default_factory=set)  # documents fully indexed (of those asked about)

    def _learn(self, doc_ids: set[str]) -> None:
        """Ask the index about ``doc_ids`` not asked about yet: indexed whole? from where? described how?"""
        new = doc_ids - self.described.keys() - self.known - {d for d in doc_ids if d in self.produced}
        if not new:
            return
        self.known |= self.index.complete(new)
        for doc_id, (said, source) in self.index.described(new).items():
            self.described[doc_id] = (said.title, said.date, said.url, said.publisher, said.file_offset)
            self.indexed_from.setdefault(doc_id, source)
            self.titles.setdefault(doc_id, said.title)

    def _indexed_source(self, source: str) -> bool:
        if source in self.sources:
            return True
        if self.index.sources_of(source):
            self.sources.add(source)
            return True
        return False

    def _moved(self, article: Article) -> bool:
        """``article`` is indexed from a file that is gone: the file was moved here, not copied."""
        before = self.indexed_from.get(article.id)
        return before is not None and before != article.source and self.gone(before)

    def _edited(self, article: Article, old_ids: set[str]) -> bool:
        """``article`` is indexed from this file with the same text but another title, date, link, outlet or place
        in the file (a ``Title:`` line added): its passages are written again with the new description. A place
        not recorded (indexed before file offsets were) is no change: the index is not rewritten for it."""
        before = self.described.get(article.id)
        if article.id not in old_ids or before is None:
            return False
        now = _description(article)
        return before[:4] != now[:4] or (before[4] is not None and before[4] != now[4])

    def admit(self, key: str, loaded: LoadedFile) -> list[Article]:
        """Record one source's outcome in the report; return its articles that must be embedded."""
        if loaded.error:
            (self.report.skipped if loaded.skipped else self.report.failed).append((loaded.path, loaded.error))
        new_ids = {a.id for a in loaded.articles}
        old_ids = self.index.documents_of_file(key)
        self._learn(new_ids | old_ids)
        if loaded.articles or not loaded.error:  # a file that failed whole keeps its old articles
            self.stale.update(old_ids - new_ids)
        out = []
        for article in loaded.articles:
            if (
                article.id in self.known
                and article.id not in self.produced
                and (self._moved(article) or self._edited(article, old_ids))
            ):
                self.rewrite.add(article.id)  # written again: cited from where it is now, with its new description
                self.indexed_from[article.id] = article.source
                self.sources.add(article.source)
                self.report.replaced.append(article.source)
                out.append(article)
                self.produced.add(article.id)
                continue
            if article.id in self.known or article.id in self.produced:  # the same text twice: one document
                self._same_text(article, old_ids)
                self.produced.add(article.id)
                if self.groups is not None and article.id not in old_ids and not self._indexed_source(article.source):
                    self.groups.same_text(article)  # ... from another source: one of its copies
                self.sources.add(article.source)
                continue
            leader = self.groups.match(article, exclude=old_ids) if self.groups is not None else None
            if leader is not None:
                self._learn({leader[0]})
                self.report.reprints.append((article.source, self.titles.get(leader[0], leader[0])))
                continue
            self.titles[article.id] = article.title
            self.sources.add(article.source)
            self.indexed_from[article.id] = article.source
            (self.report.replaced if old_ids - new_ids else self.report.added).append(article.source)
            out.append(article)
            self.produced.add(article.id)
        return out

    def _same_text(self, article: Article, old_ids: set[str]) -> None:
        """Report an article whose text is indexed or read already: ``unchanged`` when it is this file's own
        (indexed from it before), a copy when another file of the batch or of the index holds the text."""
        holder = self.indexed_from.get(article.id, article.source)
        if holder == article.source or (article.id in old_ids and article.id not in self.produced):
            self.report.unchanged.append(article.source)
        else:
            self.report.copies.append((article.source, holder))

    def fail(self, article: Article, reason: str) -> None:
        """An admitted article could not be chunked or embedded: it counts as failed, not added."""
        for kept in (self.report.added, self.report.replaced):
            if article.source in kept:
                kept.remove(article.source)
        self.report.failed.append((article.source, reason))

    def removals(self) -> list[str]:
        """Documents to delete at the end: stale ones that no source of this run still holds."""
        return sorted(self.stale - self.produced)


def _description(article: Article) -> Described:
    return (article.title, article.date, article.url, article.publisher, article.file_offset)


def local_file_gone(source: str) -> bool:
    """``source`` is an absolute path whose file no longer exists (a URL or a label is never gone)."""
    path = Path(source)
    return path.is_absolute() and not path.exists()
