"""Ingest: decide which articles need embedding (`IngestPlan`, pure), then chunk, embed and write them.

Files and already parsed articles (feeds, evaluation corpora) take the same path: each source is a *file key*
(a resolved path or a URL) with a loader that returns its articles. The plan compares them with what the index
holds: an article whose text is already fully indexed from the same file is unchanged, from another file (or
read twice in one batch) a copy; a file whose articles changed replaces its old ones; an article indexed only in
part (a killed write) is written again whole.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from retrieval.core.types import Article, IngestReport
from retrieval.ingest.documents import EXTRACT_SECONDS, LoadedFile, iter_files, load_file

if TYPE_CHECKING:
    from retrieval.core.settings import Settings
    from retrieval.search.embeddings import Embedder
    from retrieval.store import ChunkTable, Index
    from retrieval.store.reprints import ReprintGroups, ReprintStore

log = logging.getLogger("newsbot.ingest")
ProgressFn = Callable[[str, int, int], None]  # progress(stage, done, total): "reading" files, "embedding" chunks


@dataclass(frozen=True)
class Source:
    """One thing to read: a file key (resolved path or URL) and how to load its articles."""

    key: str
    load: Callable[[], LoadedFile]


@dataclass
class IngestPlan:
    """Which articles of each source need embedding, and which indexed ones become stale. No I/O."""

    known: set[str]  # documents fully indexed
    by_file: dict[str, set[str]]  # file key -> documents indexed from it
    report: IngestReport = field(default_factory=IngestReport)
    stale: set[str] = field(default_factory=set)
    produced: set[str] = field(default_factory=set)  # every article id read in this run
    groups: ReprintGroups | None = None  # reprints of indexed articles are grouped, not embedded
    titles: dict[str, str] = field(default_factory=dict)  # doc_id -> title, to name what a reprint reprints
    sources: set[str] = field(default_factory=set)  # sources of the indexed articles and of those read in this run
    indexed_from: dict[str, str] = field(default_factory=dict)  # doc_id -> the source it is indexed from
    gone: Callable[[str], bool] = lambda _: False  # that source's file no longer exists (asked, not checked here)
    rewrite: set[str] = field(default_factory=set)  # documents written again whole (moved ones are added here)
    described: dict[str, Described] = field(default_factory=dict)  # doc_id -> its indexed title, date, url, outlet

    @classmethod
    def for_table(
        cls,
        table: ChunkTable,
        report: IngestReport | None = None,
        groups: ReprintGroups | None = None,
        gone: Callable[[str], bool] = lambda _: False,
        rewrite: set[str] | None = None,
    ) -> IngestPlan:
        by_file: dict[str, set[str]] = {}
        for doc_id, info in table.files.items():
            by_file.setdefault(info.file, set()).add(doc_id)
        firsts = [c for c in table.chunks if c.index == 0]
        return cls(
            set(table.complete_documents()),
            by_file,
            report or IngestReport(),
            groups=groups,
            titles={c.doc_id: c.title for c in firsts},
            sources={c.source for c in firsts},
            indexed_from={c.doc_id: c.source for c in firsts},
            described={c.doc_id: (c.title, c.date, c.url, c.publisher, c.file_offset) for c in firsts},
            gone=gone,
            rewrite=rewrite if rewrite is not None else set(),
        )

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
        old_ids = self.by_file.get(key, set())
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
                if self.groups is not None and article.id not in old_ids and article.source not in self.sources:
                    self.groups.same_text(article)  # ... from another source: one of its copies
                self.sources.add(article.source)
                continue
            leader = self.groups.match(article, exclude=old_ids) if self.groups is not None else None
            if leader is not None:
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


Described = tuple[str, str | None, str | None, str | None, int | None]  # title, date, url, publisher, file offset


def _description(article: Article) -> Described:
    return (article.title, article.date, article.url, article.publisher, article.file_offset)


def file_sources(paths: Iterable[Path], settings: Settings, label: Callable[[Path], str] | None = None) -> list[Source]:
    """A `Source` per file below ``paths`` (newsbot's own data directory excluded); missing paths fail."""
    max_bytes = int(settings.max_file_mb * 1_000_000)
    out = []
    for path, error in iter_files(list(paths), exclude=settings.data_dir):
        if error:
            out.append(Source(str(path), _failed(str(path), error)))
            continue
        out.append(Source(_file_key(path), _file_loader(path, max_bytes, label)))
    return out


def article_sources(articles: Iterable[Article]) -> list[Source]:
    """A `Source` per distinct ``article.source`` (articles parsed elsewhere: feeds, evaluation corpora)."""
    grouped: dict[str, list[Article]] = {}
    for article in articles:
        grouped.setdefault(article.source, []).append(article)
    return [Source(key, _given(key, items)) for key, items in grouped.items()]


def _local_file_gone(source: str) -> bool:
    """``source`` is an absolute path whose file no longer exists (a URL or a label is never gone)."""
    path = Path(source)
    return path.is_absolute() and not path.exists()


def _file_key(path: Path) -> str:
    try:
        return str(path.resolve())
    except (OSError, RuntimeError):  # a symlink loop
        return str(path.absolute())


def _file_loader(path: Path, max_bytes: int, label: Callable[[Path], str] | None) -> Callable[[], LoadedFile]:
    return lambda: load_file(path, max_bytes, display=str(path), source=label(path) if label else None)


def _safe_load(source: Source) -> LoadedFile:
    """The source's articles; any failure of its loader is that source's one-line error, never the batch's."""
    try:
        return source.load()
    except Exception as exc:  # noqa: BLE001 - one bad source must not cost the rest of the batch
        return LoadedFile(source.key, [], f"cannot read ({exc.__class__.__name__}: {str(exc)[:160]})")


def _failed(name: str, error: str) -> Callable[[], LoadedFile]:
    return lambda: LoadedFile(name, [], error)


def _given(name: str, articles: list[Article]) -> Callable[[], LoadedFile]:
    return lambda: LoadedFile(name, articles)


class Ingestor:
    """Runs an ingest: the plan decides, `retrieval.ingest.pipeline` chunks, embeds and writes, the index records."""

    def __init__(
        self, index: Index, embedder: Embedder, settings: Settings, reprints: ReprintStore | None = None
    ) -> None:
        self.index = index
        self.embedder = embedder
        self.settings = settings
        self.reprints = reprints  # None: reprints are indexed like any article

    def run(self, sources: list[Source], progress: ProgressFn | None = None) -> IngestReport:
        """Index ``sources`` under the write lock; one writer at a time (`IndexLockedError` for a second)."""
        from retrieval.ingest.pipeline import run_pipeline

        started = time.perf_counter()
        index = self.index
        with index.locked(), contextlib.ExitStack() as stack:
            table = index.table
            groups = None
            if self.reprints is not None:
                from retrieval.store.reprints import ReprintGroups

                groups = ReprintGroups(self.reprints, set(table.complete_documents()), self.settings.reprint_threshold)
            rewrite = set(table.incomplete_documents())  # a killed write's documents, and the moved ones below
            plan = IngestPlan.for_table(table, groups=groups, gone=_local_file_gone, rewrite=rewrite)

            def pending() -> Iterator[tuple[Article, str]]:
                for done, source in enumerate(sources, 1):
                    for article in plan.admit(source.key, _safe_load(source)):
                        yield article, source.key
                    if progress:
                        progress("reading", done, len(sources))

            changing: list[bool] = []

            def begin() -> None:
                stack.enter_context(index.changing())
                changing.append(True)

            s = self.settings
            plan.report.chunks = run_pipeline(
                pending(),
                self.embedder,
                index,
                chunk_tokens=s.chunk_tokens,
                overlap_sentences=s.chunk_overlap_sentences,
                title_place=s.chunk_title,
                begin=begin,
                replace=rewrite,
                progress=progress,
                on_error=plan.fail,
                group=s.ingest_group,
                time_limit=EXTRACT_SECONDS,
            )
            removals = plan.removals()
            if removals or (not changing and index.interrupted()):
                if not changing:
                    begin()  # also marks an index whose last writer was killed as complete again
                index.delete_documents(removals)
        plan.report.seconds = time.perf_counter() - started
        return plan.report
