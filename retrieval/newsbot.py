"""`Newsbot`: the one object adapters hold. It wires documents, chunking, embeddings, index, search, answer."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from retrieval.conversation import strip_context
from retrieval.documents import iter_files, load_file
from retrieval.errors import InputError
from retrieval.settings import Settings
from retrieval.types import Answer, Article, Chunk, Hit, IngestReport, SourceInfo

if TYPE_CHECKING:
    from retrieval.conversation import Conversation
    from retrieval.embeddings import Embedder
    from retrieval.llm.answerer import LLMAnswerer
    from retrieval.search import Filters, Searcher
    from retrieval.store import Index

log = logging.getLogger("newsbot")
# progress(stage, done, total): stage is "reading" (files) or "embedding" (chunks)
ProgressFn = Callable[[str, int, int], None]


class Newsbot:
    """Ingest articles, answer questions with citations, list sources. Nothing loads until first needed."""

    def __init__(self, settings: Settings, embedder: Embedder | None = None,
                 notice: Callable[[str], None] | None = None) -> None:
        self.settings = settings
        self.notice = notice or log.info
        self._embedder = embedder
        self._index: Index | None = None
        self._searcher: Searcher | None = None
        self._llm: LLMAnswerer | None = None

    # ---- wiring --------------------------------------------------------------------------------
    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            from retrieval.embeddings import Embedder

            s = self.settings
            self._embedder = Embedder(s.embedding_model, s.embedding_batch_size, s.embedding_backend,
                                      cache_dir=s.data_dir / "onnx")
        return self._embedder

    @property
    def index(self) -> Index:
        if self._index is None:
            from retrieval.store import Index

            self._index = Index(self.settings, self.embedder).open()
        return self._index

    @property
    def searcher(self) -> Searcher:
        if self._searcher is None:
            from retrieval.search import Searcher

            s = self.settings
            self._searcher = Searcher(self.index, s.candidates, s.rrf_k, (s.dense_weight, s.bm25_weight))
        return self._searcher

    def warm_up(self) -> None:
        """Load the model and open the index now (the bot does this before it starts polling)."""
        self.embedder.embed_query("warm up")
        self.index.bm25  # noqa: B018 - loads or rebuilds the BM25 view

    # ---- ingest --------------------------------------------------------------------------------
    def ingest(self, paths: Sequence[str | Path], progress: ProgressFn | None = None,
               label: Callable[[Path], str] | None = None) -> IngestReport:
        """Index files and folders; unchanged files are skipped, changed ones replace their old chunks.

        ``label(path)`` may name a file's articles in citations (default: the file's absolute path).
        Files are read, chunked, embedded and written in overlapping stages (`retrieval.pipeline`); only
        articles whose content hash is not yet fully indexed are embedded. One writer at a time: a second
        process is refused with `IndexLockedError`.
        """
        import contextlib

        from retrieval.pipeline import run_pipeline

        started = time.perf_counter()
        report = IngestReport()
        files = list(iter_files([Path(p) for p in paths], exclude=self.settings.data_dir))
        max_bytes = int(self.settings.max_file_mb * 1_000_000)
        index = self.index
        with index.locked(), contextlib.ExitStack() as stack:
            known = index.documents_by_file()
            incomplete = index.incomplete_documents()
            by_file: dict[str, set[str]] = {}
            for doc_id, info in index.files.items():
                by_file.setdefault(info["file"], set()).add(doc_id)
            stale: set[str] = set()
            produced: set[str] = set()  # every article id read in this run

            def pending() -> Iterator[tuple[Article, str]]:
                for done, (path, error) in enumerate(files, 1):
                    if error:
                        report.failed.append((str(path), error))
                    else:
                        loaded = load_file(path, max_bytes, display=str(path),
                                           source=label(path) if label else None)
                        if loaded.error:
                            (report.skipped if loaded.skipped else report.failed).append((loaded.path, loaded.error))
                        file_key = str(path.resolve())
                        new_ids = {a.id for a in loaded.articles}
                        old_ids = by_file.get(file_key, set())
                        if loaded.articles or not loaded.error:
                            stale.update(old_ids - new_ids)
                        for article in loaded.articles:
                            if article.id in known or article.id in produced:  # the same text twice: one
                                report.unchanged.append(article.source)
                            else:
                                (report.replaced if old_ids - new_ids else report.added).append(article.source)
                                yield article, file_key
                            produced.add(article.id)
                    if progress:
                        progress("reading", done, len(files))

            changing: list[bool] = []

            def begin() -> None:
                stack.enter_context(index.changing())
                changing.append(True)

            s = self.settings
            report.chunks = run_pipeline(
                pending(), self.embedder, index, chunk_tokens=s.chunk_tokens,
                overlap_sentences=s.chunk_overlap_sentences, begin=begin, replace=incomplete, progress=progress,
                group=s.ingest_group,
            )
            stale -= produced  # an article still read from another file stays
            if stale or (not changing and index.interrupted()):
                if not changing:
                    begin()  # also marks an index whose last writer was killed as complete again
                index.delete_documents(sorted(stale))
        report.seconds = time.perf_counter() - started
        return report

    def ingest_articles(self, articles: Sequence[Article], progress: ProgressFn | None = None) -> IngestReport:
        """Index already parsed articles (evaluation corpora that live inside a question file)."""
        started = time.perf_counter()
        report = IngestReport()
        known = self.index.documents_by_file()
        pending: list[tuple[Article, str]] = []
        seen: set[str] = set()
        for article in articles:
            if article.id in known or article.id in seen:
                report.unchanged.append(article.source)
            else:
                seen.add(article.id)
                pending.append((article, article.source))
                report.added.append(article.source)
        if pending:
            with self.index.writing():
                report.chunks = self._write(pending, progress)
        report.seconds = time.perf_counter() - started
        return report

    def _write(self, pending: list[tuple[Article, str]], progress: ProgressFn | None) -> int:
        """Chunk, embed and write ``pending`` (inside `Index.writing`)."""
        from retrieval.pipeline import run_pipeline

        s = self.settings
        return run_pipeline(pending, self.embedder, self.index, chunk_tokens=s.chunk_tokens,
                            overlap_sentences=s.chunk_overlap_sentences, begin=lambda: None, progress=progress,
                            group=s.ingest_group)

    def ensure_seeded(self) -> bool:
        """Index the bundled seed articles when the index is empty; True when it did."""
        if self.index.bm25.chunks:  # the in-memory table, in step with Chroma: no round trip per question
            return False
        from seeds import seed_files

        self.notice("The index is empty: indexing the bundled seed articles first.")
        self.ingest(seed_files(), label=lambda path: f"newsbot seeds/{path.name}")
        return True

    # ---- questions -----------------------------------------------------------------------------
    def check_question(self, question: str) -> str:
        """The question cleaned up, or an `InputError` saying why it cannot be asked."""
        cleaned = " ".join("".join(ch for ch in question if ch.isprintable() or ch.isspace()).split())
        if not cleaned:
            raise InputError("the question is empty")
        if len(cleaned) > self.settings.max_question_chars:
            raise InputError(f"the question is {len(cleaned)} characters long; the limit is "
                             f"{self.settings.max_question_chars} (NEWSBOT_MAX_QUESTION_CHARS)")
        return cleaned

    def search(self, question: str, k: int = 5, mode: str | None = None, filters: Filters | None = None,
               vector: list[float] | None = None) -> list[Hit]:
        """The ``k`` best chunks for ``question`` in ``mode`` (default: the settings' retrieval mode)."""
        return self.searcher.search(question, k, mode or self.settings.retrieval_mode, filters, vector)

    def ask(self, question: str, *, k: int | None = None, since: str | None = None, until: str | None = None,
            source: str | None = None, mode: str | None = None,
            conversation: Conversation | None = None, answerer: str | None = None) -> Answer:
        """Answer ``question`` from the indexed articles, with numbered citations, or decline.

        ``answerer`` is ``"extractive"``, ``"llm"`` or None (the settings decide); see `retrieval.llm`.
        """
        from retrieval.llm import resolve_answerer

        resolve_answerer(answerer, self.settings.llm)
        timings: dict[str, float] = {}
        question, searched, vector, hits = self._retrieve(question, k, since, until, source, mode, conversation,
                                                          timings)
        started = time.perf_counter()
        # sentences are scored against the user's own words; inherited context only steers retrieval
        answer = self.answer_hits(strip_context(searched), hits, vector, max_citations=k, answerer=answerer)
        return self._finish(answer, question, searched, conversation, timings, started)

    def ask_stream(self, question: str, *, k: int | None = None, since: str | None = None,
                   until: str | None = None, source: str | None = None, mode: str | None = None,
                   conversation: Conversation | None = None,
                   answerer: str | None = None) -> Iterator[str | Answer]:
        """Like `ask`, streaming: text deltas as the LLM writes them, then the checked `Answer` (last item).

        The contract adapters rely on is in `retrieval.llm`'s docstring. A bad question or answerer raises here,
        before any item.
        """
        from retrieval.llm import resolve_answerer

        resolve_answerer(answerer, self.settings.llm)
        self.check_question(question)

        def events() -> Iterator[str | Answer]:
            timings: dict[str, float] = {}
            asked, searched, vector, hits = self._retrieve(question, k, since, until, source, mode, conversation,
                                                           timings)
            started = time.perf_counter()
            for item in self.stream_hits(strip_context(searched), hits, vector, max_citations=k,
                                         answerer=answerer):
                if isinstance(item, Answer):
                    yield self._finish(item, asked, searched, conversation, timings, started)
                    return
                yield item

        return events()

    def _retrieve(self, question: str, k: int | None, since: str | None, until: str | None, source: str | None,
                  mode: str | None, conversation: Conversation | None,
                  timings: dict[str, float]) -> tuple[str, str, list[float], list[Hit]]:
        """The cleaned question, the question searched, its vector and the hits; fills ``timings``."""
        from retrieval.search import Filters

        t0 = time.perf_counter()
        question = self.check_question(question)
        searched = conversation.rewrite(question) if conversation is not None else question
        self.ensure_seeded()
        t1 = time.perf_counter()
        self.embedder.model  # noqa: B018 - importing and loading the model is timed apart from embedding
        t_loaded = time.perf_counter()
        vector = self.embedder.embed_query(searched)
        t2 = time.perf_counter()
        hits = self.search(searched, k=max(8, k or 0), mode=mode, filters=Filters(since, until, source),
                           vector=vector)
        t3 = time.perf_counter()
        timings.update(start=t0, prepare=t1 - t0, load_model=t_loaded - t1, embed=t2 - t_loaded, search=t3 - t2)
        return question, searched, vector, hits

    def _finish(self, answer: Answer, question: str, searched: str, conversation: Conversation | None,
                timings: dict[str, float], started: float) -> Answer:
        """Stamp question, searched text and timings on ``answer``; record it in the conversation."""
        t4 = time.perf_counter()
        answer.question = question
        answer.searched = searched if searched != question else None
        t0 = timings.pop("start")
        timings.update({key: value for key, value in answer.timings.items() if key == "llm"},
                       answer=t4 - started, total=t4 - t0)
        answer.timings = {key: round(value, 4) for key, value in timings.items()}
        if conversation is not None:
            conversation.record(question, searched, answer)
        return answer

    def answer_hits(self, question: str, hits: list[Hit], vector: list[float] | None = None,
                    max_citations: int | None = None, answerer: str | None = None) -> Answer:
        """The answer from already retrieved ``hits``: extractive, or the LLM's checked one (see `ask`)."""
        from retrieval.llm import resolve_answerer

        extractive = self._extractive(question, hits, vector, max_citations)
        if resolve_answerer(answerer, self.settings.llm) == "extractive":
            return extractive
        return self.llm_answerer.answer(question, hits, extractive, max_citations)

    def stream_hits(self, question: str, hits: list[Hit], vector: list[float] | None = None,
                    max_citations: int | None = None, answerer: str | None = None) -> Iterator[str | Answer]:
        """`answer_hits`, streaming: deltas, then the `Answer` (the contract is in `retrieval.llm`)."""
        from retrieval.llm import resolve_answerer

        extractive = self._extractive(question, hits, vector, max_citations)
        if resolve_answerer(answerer, self.settings.llm) == "extractive":
            yield extractive
            return
        yield from self.llm_answerer.stream(question, hits, extractive, max_citations)

    @property
    def llm_answerer(self) -> LLMAnswerer:
        """The LLM answerer (its chat model is built on first use, from the settings)."""
        if self._llm is None:
            from retrieval.llm.answerer import LLMAnswerer

            self._llm = LLMAnswerer(self.settings, embed=self.embedder.encode, notice=self.notice)
        return self._llm

    def _extractive(self, question: str, hits: list[Hit], vector: list[float] | None,
                    max_citations: int | None) -> Answer:
        from retrieval.answer import ExtractiveAnswerer

        view = self.index.bm25
        similarities = self._similarities(hits, vector)
        answerer = ExtractiveAnswerer(
            view.idf, lambda term: term in view.df, self.index.neighbours, self.settings.min_answer_score,
            max_citations or self.settings.top_k,
        )
        return answerer.answer(question, hits, similarities)

    def _similarities(self, hits: list[Hit], vector: list[float] | None) -> dict[str, float]:
        """Cosine similarity of each hit to the question, fetching vectors Chroma has for BM25-only hits."""
        sims = {h.chunk.id: h.dense_score for h in hits if h.dense_score is not None}
        missing = [h.chunk.id for h in hits if h.dense_score is None]
        if missing and vector is not None:
            import numpy as np

            got = self.index.collection.get(ids=missing, include=["embeddings"])
            q = np.asarray(vector, dtype=np.float32)
            for id_, emb in zip(got["ids"], got["embeddings"]):
                sims[id_] = float(np.dot(q, np.asarray(emb, dtype=np.float32)))
        return {k: float(v) for k, v in sims.items() if v is not None}

    # ---- the collection ------------------------------------------------------------------------
    def sources(self) -> list[SourceInfo]:
        """Every indexed article: title, date, source and number of chunks, newest first."""
        docs: dict[str, dict[str, Any]] = {}
        for chunk in self.index.chunks():
            entry = docs.setdefault(chunk.doc_id, {"chunk": chunk, "n": 0})
            entry["n"] += 1
        out = [
            SourceInfo(doc_id=d, title=e["chunk"].title, date=e["chunk"].date, source=e["chunk"].source,
                       chunks=e["n"], url=e["chunk"].url)
            for d, e in docs.items()
        ]
        out.sort(key=lambda s: (s.date or "", s.title), reverse=True)
        return out

    def passage(self, chunk_id: str) -> Chunk | None:
        """The whole chunk a citation quotes from."""
        view = self.index.bm25
        pos = view.position.get(chunk_id)
        return view.chunks[pos] if pos is not None else None

    def remove(self, targets: Sequence[str]) -> list[str]:
        """Take articles out by document id, source path/URL or file; returns the removed ids."""
        index = self.index
        wanted: set[str] = set()
        files = index.files
        for target in targets:
            resolved = str(Path(target).expanduser().resolve())
            for chunk in index.chunks():
                if target in (chunk.doc_id, chunk.source, chunk.url) or resolved in (
                    chunk.source, files.get(chunk.doc_id, {}).get("file")
                ):
                    wanted.add(chunk.doc_id)
        if wanted:
            with index.writing():
                index.delete_documents(sorted(wanted))
        return sorted(wanted)

    def stats(self) -> dict[str, Any]:
        """Documents, chunks, disk size, model and date range."""
        index = self.index
        chunks = index.chunks()
        dates = sorted({c.date for c in chunks if c.date})
        size = sum(p.stat().st_size for p in self.settings.data_dir.rglob("*") if p.is_file())
        return {
            "documents": len({c.doc_id for c in chunks}), "chunks": len(chunks),
            "disk_mb": round(size / 1e6, 2), "model": index.embedder.name,
            "first_date": dates[0] if dates else None, "last_date": dates[-1] if dates else None,
            "location": self.settings.chroma_url or str(self.settings.chroma_dir),
            "collection": self.settings.collection,
        }

    def reindex(self, progress: ProgressFn | None = None) -> IngestReport:
        """Re-chunk and re-embed every article with the current settings (texts are read from the index).

        The articles are first saved to ``reindex-backup.jsonl`` in the data directory (written whole, then
        renamed into place). A reindex that was interrupted left that file: the next one takes its articles
        from it (plus any article ingested since), so nothing is lost.
        """
        import json
        from dataclasses import asdict

        from retrieval.store import Index

        started = time.perf_counter()
        backup = self.settings.data_dir / "reindex-backup.jsonl"
        index = Index(self.settings, self.embedder).open(check_model=False)
        with index.writing():
            articles: dict[str, tuple[Article, str]] = {}
            if backup.exists():
                with open(backup, encoding="utf-8") as fh:
                    for row in map(json.loads, fh):
                        article = Article(**row["article"])
                        articles[article.id] = (article, row["file"])
            incomplete = index.incomplete_documents()
            for article, file_key in index.articles():
                if article.id not in articles and article.id not in incomplete:
                    articles[article.id] = (article, file_key)
            tmp = backup.with_suffix(".tmp")
            with open(tmp, "w", encoding="utf-8") as fh:
                for article, file_key in articles.values():
                    fh.write(json.dumps({"article": asdict(article), "file": file_key}, ensure_ascii=False) + "\n")
            tmp.replace(backup)
            index.reset()
            self._index, self._searcher = index, None
            chunks = self._write(list(articles.values()), progress)
        backup.unlink(missing_ok=True)
        return IngestReport(added=[a.source for a, _ in articles.values()], chunks=chunks,
                            seconds=time.perf_counter() - started)
