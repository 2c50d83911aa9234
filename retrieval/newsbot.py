"""`Newsbot`: the one object adapters hold. Its parts (`retrieval.components`) load on first use; it delegates:

- ingest (`retrieval.ingest.ingestor`): files, folders and parsed articles into the index;
- reindex (`retrieval.ingest.reindex`): rebuild with the current model and chunking;
- asking (`retrieval.asking.asker`): one question flow, streamed or not;
- catalog (`retrieval.news.catalog`): sources, passages, stats, removal.

Nothing loads until first needed; `close()` releases the index.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from retrieval.asking.asker import Asker
from retrieval.asking.query import AnswerStream, Query, clean_question
from retrieval.components import Components
from retrieval.core.settings import Settings
from retrieval.core.types import Answer, Article, Chunk, Hit, IndexStats, IngestReport, SourceInfo
from retrieval.search.searcher import Filters

if TYPE_CHECKING:
    from retrieval.asking.conversation import Conversation
    from retrieval.feeds import FeedFollower
    from retrieval.ingest.ingestor import ProgressFn
    from retrieval.search.embeddings import Embedder


class Newsbot(Components):
    """Ingest articles, answer questions with citations, list sources."""

    def __init__(
        self,
        settings: Settings,
        embedder: Embedder | None = None,
        notice: Callable[[str], None] | None = None,
        client_factory: Callable[[Settings], Any] | None = None,
        purpose: str = "serve",
    ) -> None:
        super().__init__(settings, embedder, notice, client_factory, purpose)
        self.asker = Asker(self)

    @property
    def feeds(self) -> FeedFollower:
        """The followed feeds and the polite fetcher (`retrieval.feeds`), indexing through `ingest_articles`."""
        if self._feeds is None:
            from retrieval.feeds import FeedFollower, FeedRegistry, Fetcher, FetchPolicy, FollowPolicy

            s = self.settings
            fetch = FetchPolicy(
                read_timeout=s.fetch_timeout, max_bytes=int(s.fetch_max_mb * 1_000_000), min_delay=s.fetch_min_delay
            )
            # a feed is due again a little before the next scheduled refresh, so that no refresh skips it
            follow = FollowPolicy(interval=0.9 * s.refresh_minutes * 60)
            self._feeds = FeedFollower(
                FeedRegistry(s.data_dir / "feeds.sqlite3"),
                Fetcher(fetch),
                index_articles=self.ingest_articles,
                is_known=self.is_known_url,
                policy=follow,
            )
        return self._feeds

    # ---- ingest --------------------------------------------------------------------------------
    def ingest(
        self,
        paths: Sequence[str | Path],
        progress: ProgressFn | None = None,
        label: Callable[[Path], str] | None = None,
    ) -> IngestReport:
        """Index files and folders; unchanged files are skipped, changed ones replace their old chunks.

        ``label(path)`` may name a file's articles in citations (default: the file's absolute path). One
        writer at a time: a second process is refused with `IndexLockedError`.
        """
        from retrieval.ingest.ingestor import Ingestor
        from retrieval.ingest.sources import file_sources

        sources = file_sources([Path(p) for p in paths], self.settings, label)
        return Ingestor(self.index, self.embedder, self.settings, self.reprints).run(sources, progress)

    def ingest_articles(self, articles: Iterable[Article], progress: ProgressFn | None = None) -> IngestReport:
        """Index already parsed articles (feeds, pages, evaluation corpora); the same rules as `ingest`."""
        from retrieval.ingest.ingestor import Ingestor
        from retrieval.ingest.sources import article_sources

        return Ingestor(self.index, self.embedder, self.settings, self.reprints).run(
            article_sources(articles), progress
        )

    def ensure_seeded(self) -> bool:
        """Index the bundled seed articles when the index is empty; True when it did."""
        if len(self.index.view):  # a count the store keeps until something is written
            return False
        from seeds import seed_files

        self.notice("The index is empty: indexing the bundled seed articles first.")
        self.ingest(seed_files(), label=lambda path: f"newsbot seeds/{path.name}")
        return True

    def reindex(self, progress: ProgressFn | None = None) -> IngestReport:
        """Re-chunk and re-embed every article with the current settings (texts are read from the index)."""
        from retrieval.ingest.reindex import reindex

        self.close()
        index = self._new_index(check_model=False)
        self._index = index
        return reindex(index, self.embedder, self.settings, progress)

    # ---- questions -----------------------------------------------------------------------------
    def check_question(self, question: str) -> str:
        """The question cleaned up, or an `InputError` saying why it cannot be asked."""
        return clean_question(question, self.settings.max_question_chars)

    def search(
        self,
        question: str,
        k: int = 5,
        mode: str | None = None,
        filters: Filters | None = None,
        vector: list[float] | None = None,
    ) -> list[Hit]:
        """The ``k`` best chunks for ``question`` in ``mode`` (default: the settings' retrieval mode)."""
        return self.searcher.search(question, k, mode or self.settings.retrieval_mode, filters, vector)

    def ask_stream(
        self,
        question: str,
        *,
        k: int | None = None,
        since: str | None = None,
        until: str | None = None,
        source: str | None = None,
        mode: str | None = None,
        conversation: Conversation | None = None,
        answerer: str | None = None,
    ) -> AnswerStream:
        """The answer as a stream: the LLM's deltas as it writes (see `retrieval.llm`), then `result()`.

        A bad question or answerer raises here, before any item.
        """
        query = Query(question, k, Filters(since, until, source), mode, conversation, answerer)
        return self.asker.stream(query)

    def ask(
        self,
        question: str,
        *,
        k: int | None = None,
        since: str | None = None,
        until: str | None = None,
        source: str | None = None,
        mode: str | None = None,
        conversation: Conversation | None = None,
        answerer: str | None = None,
    ) -> Answer:
        """Answer ``question`` from the indexed articles, with numbered citations, or decline."""
        return self.ask_stream(
            question,
            k=k,
            since=since,
            until=until,
            source=source,
            mode=mode,
            conversation=conversation,
            answerer=answerer,
        ).result()

    def answer_hits(
        self,
        question: str,
        hits: list[Hit],
        vector: list[float] | None = None,
        max_citations: int | None = None,
        answerer: str | None = None,
    ) -> Answer:
        """The answer from already retrieved ``hits`` (the evaluation scores retrieval and answers apart)."""
        return self.asker.answering.question(question, hits, vector, max_citations, answerer).result()

    # ---- the collection ------------------------------------------------------------------------
    def sources(self) -> list[SourceInfo]:
        """Every indexed article: title, date, source, number of chunks and reprints, newest first."""
        from dataclasses import replace

        sources = self.catalog.sources()
        store = self.reprints
        reports = store.reports_of({s.doc_id: s.source for s in sources}) if store is not None else {}
        return [replace(s, reprints=len(also), also=also) if (also := reports.get(s.doc_id)) else s for s in sources]

    def passage(self, chunk_id: str) -> Chunk | None:
        """The whole chunk a citation quotes from."""
        return self.catalog.passage(chunk_id)

    def remove(self, targets: Sequence[str]) -> list[str]:
        """Take articles out by document id, source path/URL or file; returns the removed ids.

        A removed article that led a group of reprints hands over to its first copy, which is indexed in its
        place; a grouped copy named here is dropped from its group. An id may be shortened to any prefix of it
        that names one article (`retrieval.news.catalog.full_ids`).
        """
        from retrieval.news.catalog import full_ids

        store = self.reprints
        targets = full_ids(targets, self.catalog.titles() | (store.titles() if store is not None else {}))
        removed = self.catalog.remove(targets)
        if store is None:
            return removed
        removed += store.remove_copies(store.find(targets))
        promoted = [article for doc_id in removed if (article := store.promote(doc_id)) is not None]
        store.forget(removed)
        if promoted:
            self.ingest_articles(promoted)
        return removed

    def stats(self) -> IndexStats:
        """Documents, chunks, disk size, model and date range."""
        return self.catalog.stats()
