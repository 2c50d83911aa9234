"""Step 3 of a question, answer: the answerer its intent names (small talk, language, news overview, news about a
subject, or the question's extractive or LLM answer), the first of them that answers."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from retrieval.answering.language import language_answer
from retrieval.answering.overview import news_subject
from retrieval.answering.smalltalk import small_talk, small_talk_answer
from retrieval.asking.query import AnswerStream, Parts, Query
from retrieval.asking.retrieve import Retrieved, similarities
from retrieval.asking.understand import Intent, route, scored_words
from retrieval.core.types import Answer, Chunk, Hit
from retrieval.search.searcher import Filters


class Answering:
    """Answers a retrieved question with the answerer its intent names."""

    def __init__(self, parts: Parts) -> None:
        self.parts = parts

    def __call__(self, got: Retrieved, query: Query) -> AnswerStream:
        for intent in route(self.parts, got):
            answered = self._by(intent, got, query)
            if answered is not None:
                return answered
        raise AssertionError("the question answerer always answers")  # pragma: no cover - route ends with it

    def _by(self, intent: Intent, got: Retrieved, query: Query) -> AnswerStream | None:
        if intent is Intent.SMALL_TALK:
            talk = small_talk(got.question)
            assert talk is not None
            return AnswerStream.of(small_talk_answer(got.question, talk))
        if intent is Intent.LANGUAGE:
            return AnswerStream.of(language_answer(got.question))
        if intent is Intent.OVERVIEW:
            overview = self.overview(got)
            return AnswerStream.of(overview) if overview is not None else None
        if intent is Intent.ABOUT:
            subject = news_subject(got.question, got.scope.expressions if got.scope is not None else ())
            within = query.filters if got.undated else got.filters  # over an archive, time words cannot filter
            about = self.news_about(subject, query, within) if subject is not None else None
            return AnswerStream.of(about) if about is not None else None
        prefer = newest if got.scope is not None and got.scope.recency else None
        return self.question(scored_words(got), got.hits, got.vector, query.k, query.answerer, prefer)

    def overview(self, got: Retrieved) -> Answer | None:
        """ "What's the latest news?": the newest stories in the range the time words name (else up to today), or
        before it when it holds none; over articles without dates, some stories and a word that none is dated."""
        from retrieval.answering.overview import overview_answer, top_stories, undated_answer, undated_stories

        store = self.parts.reprints
        copies_of = store.copies_of if store is not None else None
        view = self.parts.index.view
        until = got.reference.isoformat()
        since = None
        if got.scope is not None and got.scope.has_filter:
            until, since = got.scope.until or until, got.scope.since
        stories = top_stories(view.passages.newest_firsts(until, since), copies_of, until, since)
        note = ""
        if not stories and since is not None:  # nothing in the range asked for: the newest before it
            stories = top_stories(view.passages.newest_firsts(since), copies_of, since)
            note = "Nothing is dated in that time; "
        if stories:
            return overview_answer(got.question, stories, note)
        if view.passages.newest_date:
            return None  # dated articles, none up to the day asked about: answered as any question
        # an archive without dates: say so, list some stories
        undated = undated_stories(view.passages.firsts(), copies_of)
        total = view.documents.doc_count()
        return undated_answer(got.question, undated, total) if undated else None

    def news_about(self, subject: str, query: Query, filters: Filters) -> Answer | None:
        """ "Latest news on Yukos": the stories about ``subject`` within ``filters`` (the time asked for), newest
        first; None when no retrieved article is about it (then the question is answered as any other)."""
        from retrieval.answering.overview import STORIES, about_answer, stories_about
        from retrieval.store.passages import chunk_id

        hits = self.parts.search(subject, k=STORIES * 4, mode=query.mode, filters=filters)
        store = self.parts.reprints
        passages = self.parts.index.view.passages
        stories = stories_about(
            subject, hits, lambda doc_id: passages.get(chunk_id(doc_id, 0)), store.copies_of if store else None
        )
        return about_answer(query.question, subject, stories) if stories else None

    def question(
        self,
        question: str,
        hits: list[Hit],
        vector: list[float] | None = None,
        max_citations: int | None = None,
        answerer: str | None = None,
        prefer: Callable[[Chunk], float] | None = None,
    ) -> AnswerStream:
        """The answer from already retrieved ``hits``: extractive, or the LLM's checked one.

        ``prefer(chunk)`` orders the plausible candidates (`newest` for a "latest" question)."""
        from retrieval.llm import resolve_answerer

        extractive = self.extractive(question, hits, vector, max_citations, prefer)
        if resolve_answerer(answerer, self.parts.settings.llm) == "extractive":
            return AnswerStream.of(extractive)
        return AnswerStream(self.parts.llm_answerer.stream(question, hits, extractive, max_citations))

    def extractive(
        self,
        question: str,
        hits: list[Hit],
        vector: list[float] | None,
        max_citations: int | None,
        prefer: Callable[[Chunk], float] | None = None,
    ) -> Answer:
        from retrieval.answering.extractive import ExtractiveAnswerer
        from retrieval.answering.features import Context

        parts = self.parts
        view = parts.index.view
        settings = parts.settings
        answerer = ExtractiveAnswerer(
            Context(view.keywords.idf, view.keywords.known, parts.word_vectors, view.keywords.article_terms),
            view.passages.neighbours,
            parts.selector,
            threshold=settings.min_answer_probability,
            max_citations=max_citations or settings.top_k,
            conflicts=(settings.plausible_gap, settings.conflict_days),
            reader=parts.reader.read,
            report_probability=settings.report_probability,
            reader_trust=settings.reader_trust,
            reader_floor=settings.reader_floor,
            report_margin=settings.report_margin,
        )
        return answerer.answer(question, hits, similarities(parts, hits, vector), prefer)


def newest(chunk: Chunk) -> float:
    """A "latest" question's order among answers about as good as the best: the newest report first (the
    recency weight, floored, cannot tell apart reports that are all a few weeks old); undated ones last."""
    return float(date.fromisoformat(chunk.date).toordinal()) if chunk.date else 0.0
