"""The question flow, one path for every answer, in four steps:

    understand (clean, follow-up, time words)  ->  retrieve (embed, search)  ->  answer (the answerer the intent
    names: small talk, language, news overview, news about, extractive or LLM)  ->  finish (stamps, reprints,
    dates, "Did you mean", the conversation)

`Asker.stream(query)` returns an `AnswerStream`: the LLM's text deltas as it writes them (none for the other
answerers), then the finished `Answer`. ``ask`` is ``stream(query).result()``; there is no second path.

A follow-up (`retrieval.asking.conversation`) is searched twice, rewritten and as the user typed it, and the
passages of the story's articles (those the last answers cited) are searched too; `prefer_story` fuses the
rankings and raises the story's passages by a bounded boost (`Settings.story_boost`), so another article wins only
when it is clearly better.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

from retrieval.asking.answer import Answering
from retrieval.asking.finish import Finisher
from retrieval.asking.query import AnswerStream, Parts, Query, clean_question
from retrieval.asking.retrieve import Retrieved, Retriever
from retrieval.asking.understand import understand
from retrieval.core.types import Answer


class Asker:
    """Runs a `Query` through the four steps against the product's `Parts`."""

    def __init__(self, parts: Parts, clock: Callable[[], float] = time.perf_counter) -> None:
        self.parts = parts
        self.clock = clock
        self.retriever = Retriever(parts, clock)
        self.answering = Answering(parts)
        self.finish = Finisher(parts, clock)

    def stream(self, query: Query) -> AnswerStream:
        """The answer to ``query`` as a stream; a bad question or answerer raises here, before any item."""
        from retrieval.llm import resolve_answerer

        resolve_answerer(query.answerer, self.parts.settings.llm)
        clean_question(query.question, self.parts.settings.max_question_chars)
        return AnswerStream(self._events(query))

    def _events(self, query: Query) -> Iterator[str | Answer]:
        got = self.retrieve(query)
        started = self.clock()
        stream = self.answering(got, query)
        try:
            yield from stream
        finally:
            stream.close()
        yield self.finish(stream.result(), got, query.conversation, started)

    def retrieve(self, query: Query, depth: int | None = None) -> Retrieved:
        """Understand and retrieve ``query`` (``depth``: chunks to return; default: what the answerer reads)."""
        started = self.clock()
        return self.retriever(understand(self.parts, query), query, depth, started)

    def answer_retrieved(self, got: Retrieved, query: Query) -> Answer:
        """The answer to already retrieved ``got`` (the evaluation scores retrieval and answers apart)."""
        started = self.clock()
        return self.finish(self.answering(got, query).result(), got, query.conversation, started)
