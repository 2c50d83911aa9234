"""Step 2 of a question, retrieve: embed what is searched and find its passages (a follow-up on its story, a
"latest" question newest first, time words that name an empty range widened to every date)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date
from typing import TYPE_CHECKING

from retrieval.asking.conversation import FollowUp
from retrieval.asking.query import Parts, Query
from retrieval.asking.understand import Understood
from retrieval.core.types import Chunk, Hit
from retrieval.search.searcher import Filters

if TYPE_CHECKING:
    from retrieval.asking.timewords import TimeScope

MIN_CANDIDATES = 8  # chunks the answerer reads, whatever the number of citations asked for
RECENCY_POOL = 3  # a "latest" question re-ranks this many times more chunks by date


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
    reference: date = field(default_factory=date.today)  # the day time words count from


class Retriever:
    """Embeds and searches an understood question."""

    def __init__(self, parts: Parts, clock: Callable[[], float] = time.perf_counter) -> None:
        self.parts = parts
        self.clock = clock

    def __call__(
        self, understood: Understood, query: Query, depth: int | None = None, started: float = 0.0
    ) -> Retrieved:
        """The passages for ``understood``; ``depth``: how many (default: what the answerer reads)."""
        parts, follow, scope = self.parts, understood.follow, understood.scope
        t1 = self.clock()
        parts.embedder.model  # noqa: B018 - importing and loading the model is timed apart from embedding
        t_loaded = self.clock()
        text = understood.search_text  # time words are not search terms
        vector = parts.embedder.embed_query(text)
        t2 = self.clock()
        depth = depth or max(MIN_CANDIDATES, query.k or 0)
        wide = depth * RECENCY_POOL if scope is not None and scope.recency else depth
        hits = self._search(follow, text, vector, wide, query, understood.filters)
        if scope is not None and scope.recency:
            hits = self.newest_first(hits, understood.reference)[:depth]
        widened = not hits and understood.filters is not query.filters
        if widened:  # "on Friday" often echoes the article's own words: with nothing in that range, search all dates
            text = follow.searched
            vector = parts.embedder.embed_query(text)
            hits = self._search(follow, text, vector, depth, query, query.filters)
        t3 = self.clock()
        timings = {
            "start": started,
            "prepare": t1 - started,
            "load_model": t_loaded - t1,
            "embed": t2 - t_loaded,
            "search": t3 - t2,
        }
        undated = scope is not None and parts.index.view.passages.newest_date is None
        return Retrieved(
            understood.question,
            follow.searched,
            vector,
            hits,
            timings,
            scope,
            widened,
            follow.fresh,
            undated,
            understood.filters,
            understood.reference,
        )

    def _search(
        self, follow: FollowUp, text: str, vector: list[float], k: int, query: Query, filters: Filters
    ) -> list[Hit]:
        if follow.fresh:
            return self.parts.search(text, k=k, mode=query.mode, filters=filters, vector=vector)
        return self._on_story(follow, text, vector, k, query, filters)

    def _on_story(
        self, follow: FollowUp, text: str, vector: list[float], k: int, query: Query, filters: Filters
    ) -> list[Hit]:
        """A follow-up's passages: the rewritten and the typed question, each also within the story's articles."""
        parts = self.parts
        depth = max(k, parts.settings.candidates)
        texts = [(text, vector)]
        if follow.question != follow.searched:
            texts.append((follow.question, parts.embedder.embed_query(follow.question)))
        runs, story_runs = [], []
        within = replace(filters, doc_ids=frozenset(follow.story)) if follow.story else None
        for words, words_vector in texts:
            runs.append(parts.search(words, k=depth, mode=query.mode, filters=filters, vector=words_vector))
            if within is not None:
                story_runs.append(parts.search(words, k=depth, mode=query.mode, filters=within, vector=words_vector))
        return prefer_story(runs, story_runs, follow.story, parts.settings.story_boost, k, parts.settings.rrf_k)

    def recency(self, reference: date) -> Callable[[Chunk], float]:
        """A chunk's bounded recency weight (`retrieval.asking.timewords.recency_weight`) for "latest" questions."""
        from retrieval.asking.timewords import recency_weight

        settings = self.parts.settings

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


def similarities(parts: Parts, hits: list[Hit], vector: list[float] | None) -> dict[str, float]:
    """Cosine similarity of each hit to the question, from Chroma's vectors for hits BM25 alone found."""
    sims = {h.chunk.id: h.dense_score for h in hits if h.dense_score is not None}
    missing = [h.chunk.id for h in hits if h.dense_score is None]
    if missing and vector is not None:
        sims.update(parts.index.similarities(missing, vector))
    return {k: float(v) for k, v in sims.items() if v is not None}


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
