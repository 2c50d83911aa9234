"""Questions about the news itself, not about a story ("What's the latest news?", "What happened yesterday?"):
the newest stories in the time asked for, each cited with its opening sentence (and a day's top stories for the
Telegram digest)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from retrieval.text import sentence_spans, terms
from retrieval.types import Answer, Chunk, Citation

STORIES = 5  # stories an overview answer cites
# a question made of these words alone (and time words, which are read apart) asks for the news, not for a story
_NEWS_WORDS = frozenset(
    terms(
        "news latest newest new recent recently happen happened happening going headlines headline stories story top "
        "main today tonight yesterday week weekend anything else tell show give update updates summary summarise "
        "summarize summarised summarized brief briefing digest overview roundup round article articles about"
    )
)


def asks_for_news(question: str) -> bool:
    """``question`` names no subject of its own: "What's the latest news?", "What happened?", "Any news today?"."""
    words = set(terms(question))
    return bool(words) and words <= _NEWS_WORDS


@dataclass(frozen=True)
class Story:
    """One article of the news: its first passage, its opening sentence (article offsets), its reprints."""

    chunk: Chunk
    start: int
    end: int
    copies: list[Any] = field(default_factory=list)  # `retrieval.store.reprints.Copy` of other outlets

    @property
    def sentence(self) -> str:
        return self.chunk.text[self.start - self.chunk.start : self.end - self.chunk.start]


def top_stories(
    chunks: Iterable[Chunk],
    copies_of: Callable[[list[str]], dict[str, list[Any]]] | None,
    until: str,
    since: str | None = None,
    count: int = STORIES,
    one_day: bool = False,
) -> list[Story]:
    """The ``count`` newest dated articles between ``since`` and ``until`` (ISO dates, inclusive), newest day
    first and, within a day, the most widely reported first (an article and its reprints are one story); with
    ``one_day``, only those of the newest day that has any (a daily digest)."""
    firsts = [c for c in chunks if c.index == 0 and c.date and c.date <= until and (since is None or c.date >= since)]
    if one_day and firsts:
        newest = max(str(c.date) for c in firsts)
        firsts = [c for c in firsts if c.date == newest]
    copies = copies_of([c.doc_id for c in firsts]) if copies_of is not None and firsts else {}
    stories = [Story(c, *_opening(c), copies=copies.get(c.doc_id, [])) for c in firsts]
    stories.sort(key=lambda s: (-date.fromisoformat(str(s.chunk.date)).toordinal(), -len(s.copies), s.chunk.title))
    return stories[:count]


def undated_stories(
    chunks: Iterable[Chunk], copies_of: Callable[[list[str]], dict[str, list[Any]]] | None, count: int = STORIES
) -> list[Story]:
    """``count`` stories of a collection without dates (an archive): the most widely reported first, then by
    title; which is newest cannot be told."""
    firsts = [c for c in chunks if c.index == 0]
    copies = copies_of([c.doc_id for c in firsts]) if copies_of is not None and firsts else {}
    stories = [Story(c, *_opening(c), copies=copies.get(c.doc_id, [])) for c in firsts]
    stories.sort(key=lambda s: (-len(s.copies), s.chunk.title))
    return stories[:count]


def undated_answer(question: str, stories: list[Story], total: int) -> Answer:
    """The answer to "What's the latest news?" over articles without dates: says so, and lists some stories."""
    citations = [Citation.of(n, s.chunk, s.start, s.end, 1.0) for n, s in enumerate(stories, 1)]
    some = f"{len(stories)} of the {total}" if total > len(stories) else f"the {total}"
    text = f"The articles I have carry no dates, so I cannot tell which are the latest; {some} stories I have:"
    return Answer(question=question, answer=text, found=True, citations=citations, answerer="overview")


def overview_answer(question: str, stories: list[Story], note: str = "") -> Answer:
    """The answer listing ``stories`` (newest first), each cited with its opening sentence; ``note`` opens it."""
    citations = [Citation.of(n, s.chunk, s.start, s.end, 1.0) for n, s in enumerate(stories, 1)]
    days = sorted(date.fromisoformat(str(s.chunk.date)) for s in stories)
    span = _day(days[0]) if days[0] == days[-1] else f"{_day(days[0])} to {_day(days[-1])}"
    text = f"{note}the newest stories, {span}:" if note else f"The newest stories, {span}:"
    return Answer(question=question, answer=text, found=True, citations=citations, answerer="overview")


def _day(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def _opening(chunk: Chunk) -> tuple[int, int]:
    """The article offsets of the first sentence of ``chunk``."""
    spans = sentence_spans(chunk.text)
    start, end = spans[0] if spans else (0, min(len(chunk.text), 200))
    return chunk.start + start, chunk.start + end
