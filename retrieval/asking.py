"""The question flow, one path for every answer: check, rewrite a follow-up, retrieve, answer, record.

`Asker.stream(query)` returns an `AnswerStream`: the LLM's text deltas as it writes them (none for the
extractive answerer), then the checked `Answer`. ``ask`` is ``stream(query).result()``; there is no second path.

A follow-up (`retrieval.conversation`) is searched twice, rewritten and as the user typed it, and the passages of
the story's articles (those the last answers cited) are searched too; `prefer_story` fuses the rankings and
raises the story's passages by a bounded boost (`Settings.story_boost`), so another article wins only when it
is clearly better.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date
from typing import TYPE_CHECKING, Protocol

from retrieval.answering.language import foreign_question, language_answer
from retrieval.answering.overview import asks_for_news, news_subject
from retrieval.answering.smalltalk import small_talk, small_talk_answer
from retrieval.conversation import FollowUp, strip_context
from retrieval.errors import InputError
from retrieval.search import Filters
from retrieval.text import terms
from retrieval.types import Answer, Chunk, Citation, Hit

if TYPE_CHECKING:
    from retrieval.answering.lexicon import WordVectors
    from retrieval.answering.model import Selector
    from retrieval.answering.reader import Reader
    from retrieval.conversation import Conversation
    from retrieval.embeddings import Embedder
    from retrieval.llm.answerer import LLMAnswerer
    from retrieval.settings import Settings
    from retrieval.store import Index
    from retrieval.store.reprints import ReprintStore
    from retrieval.timewords import TimeScope

MIN_CANDIDATES = 8  # chunks the answerer reads, whatever the number of citations asked for
RECENCY_POOL = 3  # a "latest" question re-ranks this many times more chunks by date


@dataclass
class Query:
    """One question and how to answer it; ``None`` means "as the settings say"."""

    question: str
    k: int | None = None  # at most this many citations
    filters: Filters = field(default_factory=Filters)
    mode: str | None = None  # retrieval mode
    conversation: Conversation | None = None
    answerer: str | None = None  # "extractive", "llm" or None
    reference: date | None = None  # the day time words count from ("yesterday"); None: NEWSBOT_TIME_REFERENCE


class AnswerStream:
    """Iterate for the text deltas an LLM writes (none for the extractive answerer); `result()` is the `Answer`.

    ``close()`` (or leaving a ``for`` loop early and closing) closes the underlying LLM stream.
    """

    def __init__(self, items: Iterator[str | Answer]) -> None:
        self._items = items
        self._answer: Answer | None = None

    def __iter__(self) -> Iterator[str]:
        try:
            for item in self._items:
                if isinstance(item, Answer):
                    self._answer = item
                    return
                yield item
        except GeneratorExit:  # the consumer stopped early: stop the LLM's stream too
            self.close()
            raise

    @property
    def answer(self) -> Answer | None:
        """The final answer once the deltas are consumed, else None."""
        return self._answer

    def result(self) -> Answer:
        """Consume what is left and return the final `Answer`."""
        for _ in self:
            pass
        if self._answer is None:
            raise RuntimeError("the answer stream ended without an answer")
        return self._answer

    def close(self) -> None:
        close = getattr(self._items, "close", None)
        if close is not None:
            close()


def clean_question(question: str, max_chars: int) -> str:
    """The question with control characters removed and spaces collapsed, or an `InputError` saying why not."""
    cleaned = " ".join("".join(ch for ch in question if ch.isprintable() or ch.isspace()).split())
    if not cleaned:
        raise InputError("the question is empty")
    if len(cleaned) > max_chars:
        raise InputError(
            f"the question is {len(cleaned)} characters long; the limit is {max_chars} (NEWSBOT_MAX_QUESTION_CHARS)"
        )
    return cleaned


@dataclass
class Retrieved:
    """What retrieval produced for one question."""

    question: str  # cleaned
    searched: str  # self-contained (a rewritten follow-up), what retrieval used
    vector: list[float]
    hits: list[Hit]
    timings: dict[str, float]
    scope: TimeScope | None = None  # what the question says about time (None: nothing)
    widened: bool = False  # nothing was dated in the range the time words named: every date was searched
    fresh: bool = True  # not a follow-up: the question starts a story of its own
    undated: bool = False  # the question has time words but no indexed article carries a date
    filters: Filters = field(default_factory=Filters)  # what the question's time words and options asked for


class Parts(Protocol):
    """What asking needs of the product (`Newsbot` has it all; parts load lazily on first use)."""

    settings: Settings

    @property
    def index(self) -> Index: ...

    @property
    def embedder(self) -> Embedder: ...

    @property
    def llm_answerer(self) -> LLMAnswerer: ...

    @property
    def selector(self) -> Selector: ...

    @property
    def reader(self) -> Reader: ...

    @property
    def word_vectors(self) -> WordVectors | None: ...

    def ensure_seeded(self) -> bool: ...

    @property
    def reprints(self) -> ReprintStore | None: ...

    def search(
        self,
        question: str,
        k: int = 5,
        mode: str | None = None,
        filters: Filters | None = None,
        vector: list[float] | None = None,
    ) -> list[Hit]: ...


class Asker:
    """Runs queries against the product's `Parts` (index, embedder, searcher, answerers)."""

    def __init__(self, newsbot: Parts, clock: Callable[[], float] = time.perf_counter) -> None:
        self.bot = newsbot
        self.clock = clock

    def stream(self, query: Query) -> AnswerStream:
        """The answer to ``query`` as a stream; a bad question or answerer raises here, before any item."""
        from retrieval.llm import resolve_answerer

        resolve_answerer(query.answerer, self.bot.settings.llm)
        clean_question(query.question, self.bot.settings.max_question_chars)
        return AnswerStream(self._events(query))

    def _events(self, query: Query) -> Iterator[str | Answer]:
        got = self.retrieve(query)
        started = self.clock()
        stream = self._answer(got, query)
        try:
            yield from stream
        finally:
            stream.close()
        yield self._finish(stream.result(), got, query.conversation, started)

    def _answer(self, got: Retrieved, query: Query) -> AnswerStream:
        # sentences are scored against the user's own words; inherited context and time words only steer retrieval
        words = strip_context(got.scope.question if got.scope is not None and not got.widened else got.searched)
        talk = small_talk(got.question)
        if talk is not None:  # "hi", "thanks!": a reply, not a decline quoting unrelated passages
            return AnswerStream(iter([small_talk_answer(got.question, talk)]))
        if foreign_question(got.question, self.bot.index.view.bm25.known):  # not the articles' language
            return AnswerStream(iter([language_answer(got.question)]))
        overview = self.overview(got, query) if asks_for_news(words) else None
        if overview is not None:
            return AnswerStream(iter([overview]))
        subject = news_subject(got.question, got.scope.expressions if got.scope is not None else ())
        within = query.filters if got.undated else got.filters  # over an archive, time words cannot filter
        about = self.news_about(subject, query, within) if subject is not None else None
        if about is not None:
            return AnswerStream(iter([about]))
        prefer = newest if got.scope is not None and got.scope.recency else None
        return self.answer_stream(words, got.hits, got.vector, query.k, query.answerer, prefer)

    def overview(self, got: Retrieved, query: Query) -> Answer | None:
        """ "What's the latest news?": the newest stories in the range the time words name (else up to today), or
        before it when it holds none; over articles without dates, some stories and a word that none is dated."""
        from retrieval.answering.overview import overview_answer, top_stories, undated_answer, undated_stories

        store = self.bot.reprints
        copies_of = store.copies_of if store is not None else None
        chunks = self.bot.index.chunks()
        until = self.reference(query).isoformat()
        since = None
        if got.scope is not None and got.scope.has_filter:
            until, since = got.scope.until or until, got.scope.since
        stories = top_stories(chunks, copies_of, until, since)
        note = ""
        if not stories and since is not None:  # nothing in the range asked for: the newest before it
            stories = top_stories(chunks, copies_of, since)
            note = "Nothing is dated in that time; "
        if stories:
            return overview_answer(got.question, stories, note)
        if self.bot.index.view.table.newest_date:
            return None  # dated articles, none up to the day asked about: answered as any question
        undated = undated_stories(chunks, copies_of)  # an archive without dates: say so, list some stories
        total = len({c.doc_id for c in chunks})
        return undated_answer(got.question, undated, total) if undated else None

    def news_about(self, subject: str, query: Query, filters: Filters) -> Answer | None:
        """ "Latest news on Yukos": the stories about ``subject`` within ``filters`` (the time asked for), newest
        first; None when no retrieved article is about it (then the question is answered as any other)."""
        from retrieval.answering.overview import STORIES, about_answer, stories_about
        from retrieval.store.chunks import chunk_id

        hits = self.bot.search(subject, k=STORIES * 4, mode=query.mode, filters=filters)
        store = self.bot.reprints
        table = self.bot.index.view.table
        stories = stories_about(
            subject, hits, lambda doc_id: table.get(chunk_id(doc_id, 0)), store.copies_of if store else None
        )
        return about_answer(query.question, subject, stories) if stories else None

    def answer_retrieved(self, got: Retrieved, query: Query) -> Answer:
        """The answer to already retrieved ``got`` (the evaluation scores retrieval and answers apart)."""
        started = self.clock()
        return self._finish(self._answer(got, query).result(), got, query.conversation, started)

    def retrieve(self, query: Query, depth: int | None = None) -> Retrieved:
        """Clean the question, make a follow-up self-contained, read its time words, embed it and search (a
        follow-up: on its story).

        ``depth``: chunks to return (default: what the answerer reads)."""
        bot = self.bot
        t0 = self.clock()
        question = clean_question(query.question, bot.settings.max_question_chars)
        bot.ensure_seeded()
        follow = FollowUp(question, question)
        if query.conversation is not None:
            follow = query.conversation.follow_up(question, self._article_text)
        searched = follow.searched
        t1 = self.clock()
        bot.embedder.model  # noqa: B018 - importing and loading the model is timed apart from embedding
        t_loaded = self.clock()
        scope, filters = self.understand_time(query, searched)
        text = scope.question if scope is not None else searched  # time words are not search terms
        vector = bot.embedder.embed_query(text)
        t2 = self.clock()
        depth = depth or max(MIN_CANDIDATES, query.k or 0)
        wide = depth * RECENCY_POOL if scope is not None and scope.recency else depth
        hits = self._search(follow, text, vector, wide, query, filters)
        if scope is not None and scope.recency:
            hits = self.newest_first(hits, self.reference(query))[:depth]
        widened = not hits and filters is not query.filters
        if widened:  # "on Friday" often echoes the article's own words: with nothing in that range, search all dates
            text = searched
            vector = bot.embedder.embed_query(text)
            hits = self._search(follow, text, vector, depth, query, query.filters)
        t3 = self.clock()
        timings = {
            "start": t0,
            "prepare": t1 - t0,
            "load_model": t_loaded - t1,
            "embed": t2 - t_loaded,
            "search": t3 - t2,
        }
        undated = scope is not None and bot.index.view.table.newest_date is None
        return Retrieved(question, searched, vector, hits, timings, scope, widened, follow.fresh, undated, filters)

    def _search(
        self, follow: FollowUp, text: str, vector: list[float], k: int, query: Query, filters: Filters
    ) -> list[Hit]:
        if follow.fresh:
            return self.bot.search(text, k=k, mode=query.mode, filters=filters, vector=vector)
        return self._on_story(follow, text, vector, k, query, filters)

    def _article_text(self, doc_id: str) -> str:
        """An indexed article as a reader sees it: its title on the first line, then its text (chunks joined)."""
        from retrieval.store.chunks import chunk_id

        table = self.bot.index.view.table
        parts, index = [], 0
        while (chunk := table.get(chunk_id(doc_id, index))) is not None:
            parts.append(chunk.text if index else f"{chunk.title}\n{chunk.text}")
            index += 1
        return "\n".join(parts)

    def _on_story(
        self, follow: FollowUp, text: str, vector: list[float], k: int, query: Query, filters: Filters
    ) -> list[Hit]:
        """A follow-up's passages: the rewritten and the typed question, each also within the story's articles."""
        bot = self.bot
        depth = max(k, bot.settings.candidates)
        texts = [(text, vector)]
        if follow.question != follow.searched:
            texts.append((follow.question, bot.embedder.embed_query(follow.question)))
        runs, story_runs = [], []
        within = replace(filters, doc_ids=frozenset(follow.story)) if follow.story else None
        for words, words_vector in texts:
            runs.append(bot.search(words, k=depth, mode=query.mode, filters=filters, vector=words_vector))
            if within is not None:
                story_runs.append(bot.search(words, k=depth, mode=query.mode, filters=within, vector=words_vector))
        return prefer_story(runs, story_runs, follow.story, bot.settings.story_boost, k, bot.settings.rrf_k)

    def reference(self, query: Query) -> date:
        """The day time words count from: the query's, today, or the newest article's (NEWSBOT_TIME_REFERENCE)."""
        if query.reference is not None:
            return query.reference
        if self.bot.settings.time_reference == "newest":
            newest = self.bot.index.view.table.newest_date
            if newest:
                return date.fromisoformat(newest)
        return date.today()

    def understand_time(self, query: Query, searched: str) -> tuple[TimeScope | None, Filters]:
        """The question's time words as a scope; its range becomes the filters unless --since/--until were given."""
        from retrieval.timewords import understand_time

        scope = understand_time(searched, self.reference(query))
        if not scope.expressions:
            return None, query.filters
        filters = query.filters
        if scope.has_filter and not (filters.since or filters.until):  # explicit dates win over time words
            filters = replace(filters, since=scope.since, until=scope.until)
        return scope, filters

    def recency(self, reference: date) -> Callable[[Chunk], float]:
        """A chunk's bounded recency weight (`retrieval.timewords.recency_weight`) for "latest" questions."""
        from retrieval.timewords import recency_weight

        settings = self.bot.settings

        def weight(chunk: Chunk) -> float:
            if not chunk.date:
                return settings.recency_floor
            age = (reference - date.fromisoformat(chunk.date)).days
            return recency_weight(float(age), settings.recency_decay, settings.recency_floor)

        return weight

    def newest_first(self, hits: list[Hit], reference: date) -> list[Hit]:
        """Hits re-ranked by their recency weight, for "latest" questions."""
        weight = self.recency(reference)
        boosted = [replace(h, score=h.score * weight(h.chunk)) for h in hits]
        return sorted(boosted, key=lambda h: -h.score)

    def answer_stream(
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
        if resolve_answerer(answerer, self.bot.settings.llm) == "extractive":
            return AnswerStream(iter([extractive]))
        return AnswerStream(self.bot.llm_answerer.stream(question, hits, extractive, max_citations))

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

        view = self.bot.index.view
        settings = self.bot.settings
        answerer = ExtractiveAnswerer(
            Context(view.bm25.idf, view.bm25.known, self.bot.word_vectors, view.table.article_terms),
            view.table.neighbours,
            self.bot.selector,
            threshold=settings.min_answer_probability,
            max_citations=max_citations or settings.top_k,
            conflicts=(settings.plausible_gap, settings.conflict_days),
            reader=self.bot.reader.read,
            report_probability=settings.report_probability,
            reader_trust=settings.reader_trust,
            reader_floor=settings.reader_floor,
            report_margin=settings.report_margin,
        )
        return answerer.answer(question, hits, self._similarities(hits, vector), prefer)

    def suggestion(self, question: str) -> str | None:
        """ "Did you mean ...?": ``question`` with the words no article uses spelled as the articles spell them."""
        from retrieval.spelling import suggest

        bm25 = self.bot.index.view.bm25

        def surface(term: str) -> str | None:  # as written inside a sentence: "Speaking" opening one is no name
            spelt: list[tuple[bool, str]] = []  # (opens a sentence, the word)
            for chunk, _score in bm25.search(term, 1):
                text = f"{chunk.title}. {chunk.text}"
                for word in re.finditer(r"[A-Za-z][\w'’-]*", text):
                    if terms(word.group()) == [term]:
                        before = text[: word.start()].rstrip(" \"'“‘(")
                        spelt.append((not before or before.endswith((".", "!", "?", ":")), word.group().rstrip("'’")))
            inside = [word for opens, word in spelt if not opens] or [word.lower() for _, word in spelt]
            return inside[0] if inside else None

        def best_passage(text: str) -> tuple[float, frozenset[str]]:
            found = bm25.search(text, 1)
            if not found:
                return 0.0, frozenset()
            chunk, score = found[0]
            return score, frozenset(terms(f"{chunk.title} {chunk.text}"))

        def spellings(term: str) -> list[str]:  # "evacuated", "evacuation" for "evacu", from its best passages
            found = [word for chunk, _ in bm25.search(term, 3) for word in re.findall(r"[A-Za-z][\w'’-]*", chunk.text)]
            return [word for word in found if terms(word) == [term]]

        vectors = self.bot.word_vectors
        return suggest(question, bm25.df, surface, best_passage, spellings, vectors.words if vectors else None)

    def _similarities(self, hits: list[Hit], vector: list[float] | None) -> dict[str, float]:
        """Cosine similarity of each hit to the question, from Chroma's vectors for hits BM25 alone found."""
        sims = {h.chunk.id: h.dense_score for h in hits if h.dense_score is not None}
        missing = [h.chunk.id for h in hits if h.dense_score is None]
        if missing and vector is not None:
            sims.update(self.bot.index.similarities(missing, vector))
        return {k: float(v) for k, v in sims.items() if v is not None}

    def _finish(self, answer: Answer, got: Retrieved, conversation: Conversation | None, started: float) -> Answer:
        """Stamp question, searched text and timings on ``answer``; record it in the conversation."""
        t4 = self.clock()
        answer.question = got.question
        chatter = answer.answerer in ("smalltalk", "language")
        answer.searched = got.searched if got.searched != got.question and not chatter else None
        timings = dict(got.timings)
        t0 = timings.pop("start")
        timings.update(
            {key: value for key, value in answer.timings.items() if key == "llm"}, answer=t4 - started, total=t4 - t0
        )
        answer.timings = {key: round(value, 4) for key, value in timings.items()}
        self._add_reprints(answer)
        self._add_dates(answer, got.scope, got.widened, got.undated)
        if not answer.found and answer.answerer not in ("overview", "smalltalk", "language"):
            answer.suggestion = self.suggestion(got.question)
        if conversation is not None and not chatter:  # "thanks" does not end the story
            conversation.record(got.question, got.searched, answer, fresh=got.fresh)
        return answer

    @staticmethod
    def _add_dates(answer: Answer, scope: TimeScope | None, widened: bool = False, undated: bool = False) -> None:
        """Say what time was understood, and name the date of what is quoted when time matters or dates differ.

        Over articles none of which is dated (an archive), the time words could not be applied: said once (an
        overview's own text already says so)."""
        if scope is not None and undated:
            words = " and ".join(f'"{w}"' for w in scope.expressions)
            verb = "was" if len(scope.expressions) == 1 else "were"
            note = f"every article: none is dated, so {words} {verb} not applied"
            answer.time = None if answer.answerer == "overview" else note
        elif scope is not None and (scope.has_filter or scope.recency):
            answer.time = scope.describe()
            if widened:
                answer.time = f"nothing dated {answer.time}: all dates searched"
        dates = {c.date for c in answer.citations if c.date}
        first = answer.citations[0] if answer.citations else None
        if (
            answer.found
            and not answer.conflict
            and first is not None
            and first.date
            and (answer.time or len(dates) > 1)
        ):
            day = date.fromisoformat(first.date)
            who = first.publisher or _site(first.url or first.source)
            answer.when = f"On {day.day} {day:%B %Y}, {who} reported" if who else f"Reported on {day.day} {day:%B %Y}"

    def _add_reprints(self, answer: Answer) -> None:
        """Each cited article's grouped reprints become its citation's ``also`` ("also reported by N others")."""
        store = self.bot.reprints
        if store is None or not (answer.citations or answer.related):
            return
        reports = store.reports_of({c.doc_id: c.source for c in [*answer.citations, *answer.related]})
        if not reports:
            return

        def with_copies(c: Citation) -> Citation:
            also = reports.get(c.doc_id)
            return replace(c, also=also) if also else c

        answer.citations = [with_copies(c) for c in answer.citations]
        answer.related = [with_copies(c) for c in answer.related]


def newest(chunk: Chunk) -> float:
    """A "latest" question's order among answers about as good as the best: the newest report first (the
    recency weight, floored, cannot tell apart reports that are all a few weeks old); undated ones last."""
    return float(date.fromisoformat(chunk.date).toordinal()) if chunk.date else 0.0


def prefer_story(
    runs: list[list[Hit]], story_runs: list[list[Hit]], story: dict[str, float], boost: float, k: int, rrf_k: int = 60
) -> list[Hit]:
    """The ``k`` best passages of a follow-up: its rankings fused, the story's passages raised by ``boost``.

    ``runs`` are the rankings of the rewritten and the typed question; ``story_runs`` the same searches within
    the story's articles (a passage a run missed ranks after that run's last, in the story search's order). Each
    run gives a passage ``1 / (rrf_k + rank)``; the sums are divided by the best, and a passage of a story
    article gains ``boost`` times its article's weight (`Conversation.story`). A passage of another article is
    kept only when it still ranks above the story's best passage: when it leads by more than the boost.
    """
    scores: dict[str, float] = {}
    hits: dict[str, Hit] = {}
    for i, run in enumerate(runs):
        ranks = {hit.chunk.id: rank for rank, hit in enumerate(run, 1)}
        missed = [hit for hit in (story_runs[i] if i < len(story_runs) else []) if hit.chunk.id not in ranks]
        ranks.update({hit.chunk.id: rank for rank, hit in enumerate(missed, len(run) + 1)})
        for hit in (*run, *missed):
            hits.setdefault(hit.chunk.id, hit)
        for chunk_id, rank in ranks.items():
            scores[chunk_id] = scores.get(chunk_id, 0.0) + 1.0 / (rrf_k + rank)
    if not scores:
        return []
    best = max(scores.values())
    final = {cid: score / best + boost * story.get(hits[cid].chunk.doc_id, 0.0) for cid, score in scores.items()}
    ranked = sorted(final, key=lambda cid: (-final[cid], cid))
    first = next((i for i, cid in enumerate(ranked) if hits[cid].chunk.doc_id in story), None)
    if first is not None:  # below the story's best passage, only the story's passages are read
        ranked = ranked[:first] + [cid for cid in ranked[first:] if hits[cid].chunk.doc_id in story]
    return [replace(hits[cid], score=final[cid]) for cid in ranked[:k]]


def _site(source: str) -> str | None:
    """The site an article came from ("bbc.co.uk" for a page of www.bbc.co.uk), None for a local file (its name,
    "000_02dd03580792acdc.txt", says nothing about who reported it)."""
    from urllib.parse import urlsplit

    host = urlsplit(source).hostname if source.startswith(("http://", "https://")) else None
    return host.removeprefix("www.") if host else None
