"""`Ingestor`: runs an ingest under the write lock: the sources (`retrieval.ingest.sources`) are read as the
pipeline asks for them, the plan (`retrieval.ingest.plan`) decides, `retrieval.ingest.pipeline` splits, embeds and
writes, and the index records it. Files and already parsed articles (feeds, evaluation corpora) take this one
path."""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from retrieval.core.types import Article, IngestReport
from retrieval.ingest.documents import EXTRACT_SECONDS
from retrieval.ingest.plan import IngestPlan, local_file_gone
from retrieval.ingest.sources import Source, safe_load

if TYPE_CHECKING:
    from retrieval.core.settings import Settings
    from retrieval.search.embeddings import Embedder
    from retrieval.store import Index
    from retrieval.store.reprints import ReprintStore

log = logging.getLogger("newsbot.ingest")
ProgressFn = Callable[[str, int, int], None]  # progress(stage, done, total): "reading" files, "embedding" chunks


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
            documents = index.view.documents
            groups = None
            if self.reprints is not None:
                from retrieval.store.reprints import ReprintGroups

                groups = ReprintGroups(self.reprints, documents.complete, self.settings.reprint_threshold)
            rewrite = documents.incomplete_documents()  # a killed write's documents, and the moved ones below
            plan = IngestPlan(documents, groups=groups, gone=local_file_gone, rewrite=rewrite)

            def pending() -> Iterator[tuple[Article, str]]:
                for done, source in enumerate(sources, 1):
                    for article in plan.admit(source.key, safe_load(source)):
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
