"""Questions about the news itself, not about a story ("What's the latest news?", "What happened yesterday?"):
the newest stories in the time asked for, each cited with its opening sentence (and a day's top stories for the
Telegram digest)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from retrieval.core.text import STOPWORDS, sentence_spans, terms
from retrieval.core.types import Answer, Chunk, Citation, Hit
from retrieval.core.wording import counted

STORIES = 5  # stories an overview answer cites
# a question made of these words alone (and time words, which are read apart) asks for the news, not for a story
_NEWS_WORDS = frozenset(
    terms(
        "news latest newest new recent recently happen happened happening going headlines headline stories story top "
        "main today tonight yesterday week weekend anything else tell show give update updates summary summarise "
        "summarize summarised summarized brief briefing digest overview roundup round article articles about"
    )
)


_RECENT = frozenset(terms("latest newest recent recently"))
# "latest news on Yukos", "Any updates about the Airbus deal?", "What's the latest on Syria?", "What's new with Apple?"
_ABOUT = (
    re.compile(
        r"^\s*(?:(?:what(?:'s| is| are)|any|give me|show me|tell me|get me)\s+)?(?:(?:the|some|any)\s+)?"
        r"(?:(?:latest|newest|recent|new|top|main)\s+)?(?:news|headlines|stories|updates?|developments)\s+"
        r"(?:on|about|regarding|concerning|for|with)\s+(?P<subject>.+?)[\s?.!]*$",
        re.IGNORECASE,
    ),
    re.compile(r"^\s*(?:what(?:'s| is)\s+)?(?:the\s+)?latest\s+(?:on|about|with)\s+(?P<subject>.+?)[\s?.!]*$", re.I),
    re.compile(r"^\s*(?:what(?:'s| is)|anything)\s+new\s+(?:with|on|about)\s+(?P<subject>.+?)[\s?.!]*$", re.I),
    re.compile(
        r"^\s*(?:what(?:'s| is)\s+(?:happening|going on)\s+(?:with|in|at)|(?:please\s+)?tell me (?:more )?about)\s+"
        r"(?!(?:how|why|what|who|whom|when|where|which|whether|if)\b)(?P<subject>.+?)[\s?.!]*$",
        re.IGNORECASE,
    ),
    # "Yukos news", "Airbus latest": a few words and a news word, as typed into a search box
    re.compile(
        r"^\s*(?!(?:how|why|what|who|whom|when|where|which|is|are|was|were|did|does|do|can|will|any|the)\b)"
        r"(?P<subject>[\w'’.&-]+(?:\s+[\w'’.&-]+){0,3}?)\s+(?:news|latest|headlines|updates)[\s?.!]*$",
        re.IGNORECASE,
    ),
)


def news_subject(question: str, time_words: Iterable[str] = ()) -> str | None:
    """What a request for the news about something is about ("latest news on Yukos" -> "Yukos"), or None for any
    other question; ``time_words`` ("this week") are not part of the subject."""
    for words in time_words:  # "latest" stays: it is how the request is put
        if not set(terms(words)) <= _RECENT:
            question = re.sub(rf"\b{re.escape(words)}\b", " ", question, flags=re.IGNORECASE)
    for pattern in _ABOUT:
        found = pattern.match(" ".join(question.split()))
        if found:
            subject = found["subject"].strip(" ,;:")
            return subject if set(terms(subject)) - _NEWS_WORDS else None
    return None


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


class Subject:
    """What a request for the news is about: its names, matched as written ("Mars" is not "marred"), and its other
    words, matched as search terms ("deal" in "the Airbus deal" holds for "deals")."""

    def __init__(self, subject: str) -> None:
        names = [w for w in re.findall(r"[\w'’&.-]*\w", subject) if w[:1].isupper() and w.lower() not in STOPWORDS]
        self.names = [re.compile(rf"(?<![\w-]){re.escape(n)}(?![\w-])") for n in names]
        self.words = set(terms(" ".join(w for w in subject.split() if w not in names))) - _NEWS_WORDS

    def __bool__(self) -> bool:
        return bool(self.names or self.words)

    def named_in(self, text: str) -> bool:
        return all(n.search(text) for n in self.names)

    def held_by(self, text: str) -> bool:
        return self.named_in(text) and self.words <= set(terms(text))


def stories_about(
    subject: str,
    hits: list[Hit],
    first_chunk: Callable[[str], Chunk | None],
    copies_of: Callable[[list[str]], dict[str, list[Any]]] | None,
    count: int = STORIES,
) -> list[Story]:
    """The articles among ``hits`` about ``subject``, newest first (undated ones after, as retrieval ranked them).

    An article is about the subject when its title and retrieved passages hold every name and word of it ("Airbus"
    and "deal" for "the Airbus deal"). Each is cited with its first retrieved sentence that does, else its first
    that holds the names, else its opening sentence."""
    about_what = Subject(subject)
    if not about_what:
        return []
    passages: dict[str, list[Chunk]] = {}
    for hit in hits:
        passages.setdefault(hit.chunk.doc_id, []).append(hit.chunk)
    about = []
    for rank, (doc_id, chunks) in enumerate(passages.items()):
        first = first_chunk(doc_id)
        if first is not None and about_what.held_by("\n".join([chunks[0].title, *(c.text for c in chunks)])):
            about.append((rank, first, sorted(chunks, key=lambda c: c.index)))
    copies = copies_of([first.doc_id for _, first, _ in about]) if copies_of is not None and about else {}
    stories = [
        Story(*_mentioning(chunks, about_what, first), copies=copies.get(first.doc_id, []))
        for _, first, chunks in about
    ]
    order = {story.chunk.doc_id: rank for story, (rank, _, _) in zip(stories, about, strict=True)}
    stories.sort(key=lambda s: (-_ordinal(s.chunk.date), order[s.chunk.doc_id]))
    return stories[:count]


def about_answer(question: str, subject: str, stories: list[Story]) -> Answer:
    """The answer listing the stories about ``subject``, each cited with the sentence that names it."""
    citations = [Citation.of(n, s.chunk, s.start, s.end, 1.0) for n, s in enumerate(stories, 1)]
    days = sorted(date.fromisoformat(str(s.chunk.date)) for s in stories if s.chunk.date)
    if not days:
        text = f"Stories about {subject} (the articles carry no dates, so the closest matches come first):"
    elif len(days) < len(stories):
        text = f"Stories about {subject}, the dated ones newest first:"
    else:
        span = _day(days[0]) if days[0] == days[-1] else f"{_day(days[0])} to {_day(days[-1])}"
        text = f"The newest stories about {subject}, {span}:"
    return Answer(question=question, answer=text, found=True, citations=citations, answerer="overview")


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
    some = (
        f"{len(stories)} of the {counted(total, 'story')}" if total > len(stories) else f"the {counted(total, 'story')}"
    )
    text = f"The articles I have carry no dates, so I cannot tell which are the latest; {some} I have:"
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


def _ordinal(day: str | None) -> int:
    return date.fromisoformat(day).toordinal() if day else 0


def _mentioning(chunks: list[Chunk], subject: Subject, first: Chunk) -> tuple[Chunk, int, int]:
    """The first sentence of ``chunks`` that holds all of ``subject`` (its passage and article offsets), else the
    first that holds its names, else the article's opening sentence (``first`` is its first passage)."""
    for holds in (subject.held_by, subject.named_in):
        for chunk in chunks:
            for start, end in sentence_spans(chunk.text):
                if holds(chunk.text[start:end]):
                    return chunk, chunk.start + start, chunk.start + end
    return first, *_opening(first)


def _opening(chunk: Chunk) -> tuple[int, int]:
    """The article offsets of the first sentence of ``chunk``."""
    spans = sentence_spans(chunk.text)
    start, end = spans[0] if spans else (0, min(len(chunk.text), 200))
    return chunk.start + start, chunk.start + end
