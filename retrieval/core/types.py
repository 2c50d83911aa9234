"""The plain values that cross every boundary: articles, chunks, hits, citations, answers."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class Article:
    """One parsed news article. ``id`` derives from the content hash and the source."""

    id: str
    title: str
    text: str
    source: str  # file path (relative to what was ingested, or absolute) or URL
    date: str | None = None  # ISO YYYY-MM-DD
    url: str | None = None
    content_hash: str = ""
    publisher: str | None = None  # the outlet that published it ("Reuters", a Telegram channel's title)
    # the character of the file's decoded text where ``text`` begins (a byte-order mark is not counted); None when
    # the text is no contiguous part of the file (HTML, JSON, feed items, a file with Windows line ends)
    file_offset: int | None = None


@dataclass(frozen=True)
class Chunk:
    """A span of an article that fits the embedding model; ``text == article.text[start:end]``."""

    id: str
    doc_id: str
    index: int
    text: str
    start: int
    end: int
    title: str
    source: str
    date: str | None = None
    url: str | None = None
    n_chunks: int = 0
    publisher: str | None = None
    file_offset: int | None = None  # where the article's text begins in its file (see `Article.file_offset`)


@dataclass(frozen=True)
class Hit:
    """A retrieved chunk with its fused score and the ranks each retriever gave it (1-based, None = absent)."""

    chunk: Chunk
    score: float
    dense_rank: int | None = None
    bm25_rank: int | None = None
    dense_score: float | None = None


@dataclass(frozen=True)
class Reported:
    """Another outlet's copy of a cited story (a reprint grouped under the cited article)."""

    title: str
    source: str
    url: str | None = None
    date: str | None = None


@dataclass(frozen=True)
class Citation:
    """A numbered citation: an exact quote from one article."""

    n: int
    doc_id: str
    title: str
    date: str | None
    source: str
    quote: str
    score: float
    url: str | None = None
    start: int = 0  # character offsets of the quote in the article's text (its body: no title or header lines)
    end: int = 0
    chunk_id: str = ""
    before: str = ""  # the text of the passage just before the quote (at most one sentence), for context
    after: str = ""  # ... and just after it: a reader sees the quote inside its passage, marked
    also: tuple[Reported, ...] = ()  # the same story as reprinted by other outlets ("also reported by N others")
    publisher: str | None = None  # the outlet that published the cited article
    # character offsets of the quote in the file it was read from (``source``); None when the article is no
    # contiguous part of its file (HTML, JSON, feeds, Windows line ends) or was indexed before they were recorded
    file_start: int | None = None
    file_end: int | None = None

    @classmethod
    def of(cls, n: int, chunk: Chunk, start: int, end: int, score: float) -> Citation:
        """Citation ``n`` quoting ``chunk`` from article offset ``start`` to ``end`` (the one place they are built)."""
        from retrieval.core.text import sentence_spans

        lo, hi = start - chunk.start, end - chunk.start
        spans = sentence_spans(chunk.text)
        before = [s for s, e in spans if e <= lo]
        after = [e for s, e in spans if s >= hi]
        return cls(
            n=n,
            doc_id=chunk.doc_id,
            title=chunk.title,
            date=chunk.date,
            source=chunk.source,
            quote=chunk.text[start - chunk.start : end - chunk.start],
            score=round(score, 4),
            url=chunk.url,
            start=start,
            end=end,
            chunk_id=chunk.id,
            publisher=chunk.publisher,
            file_start=None if chunk.file_offset is None else chunk.file_offset + start,
            file_end=None if chunk.file_offset is None else chunk.file_offset + end,
            before=_shown(chunk.text[before[-1] : lo] if before else ""),
            after=_shown(chunk.text[hi : after[0]] if after else ""),
        )


def _shown(context: str) -> str:
    """A quote's surrounding text as shown, or "" when it speaks to an AI."""
    from retrieval.core.hygiene import suspicious

    return "" if suspicious(context) else context


@dataclass(frozen=True)
class DifferingReport:
    """One side of conflicting reports: the value an outlet gave, under citation ``n``."""

    value: str
    n: int
    publisher: str
    date: str | None


@dataclass
class Answer:
    """What every adapter renders: the Telegram user sees the same value ``ask --json`` prints."""

    question: str
    answer: str
    found: bool
    citations: list[Citation] = field(default_factory=list)
    related: list[Citation] = field(default_factory=list)  # closest passages when declining
    searched: str | None = None  # the self-contained question actually searched (follow-ups)
    # "extractive", "llm", "extractive-fallback" (the LLM was asked and failed), "overview" (the newest stories, or
    # those about a subject), "smalltalk" (a reply to "hi", "thanks", "help": nothing quoted) or "language" (a
    # question in a language the articles are not written in)
    answerer: str = "extractive"
    fallback_reason: str | None = None  # why the LLM's answer was replaced (extractive-fallback only)
    short: str | None = None  # the short fact asked for ("Hayat Tahrir al-Sham", "December 8"), inside citation 1
    confidence: float | None = None  # probability that the answer answers (the extractive selector's)
    time: str | None = None  # the time the question was understood to ask about ("2024-12-13 to 2024-12-20")
    when: str | None = None  # the date of what is quoted, said first ("On 20 December 2024, IRNA reported")
    conflict: list[DifferingReport] = field(default_factory=list)  # reports that differ, newest first
    updates: list[DifferingReport] = field(default_factory=list)  # a developing story's values, newest first
    suggestion: str | None = None  # with a decline: the question with a word no article uses as they spell it
    timings: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class SourceInfo:
    """One indexed document as ``newsbot sources`` lists it."""

    doc_id: str
    title: str
    date: str | None
    source: str
    chunks: int
    url: str | None = None
    publisher: str | None = None
    reprints: int = 0  # copies of this story from other outlets, grouped under it ("also reported by N others")
    also: tuple[Reported, ...] = ()  # those copies: title, source, link, date (as a citation of it lists them)


@dataclass(frozen=True)
class IndexStats:
    """Size and contents of the index, as ``newsbot stats`` shows them."""

    documents: int
    chunks: int
    disk_mb: float
    model: str
    first_date: str | None
    last_date: str | None
    location: str
    collection: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class IngestReport:
    """Summary of one ingest run."""

    added: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)  # articles already indexed from the same file
    # (source, the source that holds the same text): another file of the batch, or an indexed one, has its text
    copies: list[tuple[str, str]] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (source, reason)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # files that are not articles (question sets)
    reprints: list[tuple[str, str]] = field(default_factory=list)  # (source, title of the article it reprints)
    chunks: int = 0
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
