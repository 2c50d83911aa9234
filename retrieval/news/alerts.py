"""Topic alerts' matching: is a newly indexed article about a followed topic (a short phrase)?

`TopicMatcher(newsbot).match(topic, doc_ids)` scores each article with the retrieval signals the answers use:
the topic's embedding against the article's chunk vectors (cosine, from Chroma), and the topic's idf-weighted
term coverage in the article's title and text (the BM25 view's idf). A small logistic model turns them into a
probability; its weights and the threshold were chosen on the dev topics of ``benchmarks/alerts/topics.jsonl``
by ``benchmarks/alert_threshold.py`` and live in ``alerts.json`` beside this module. A match carries the
article's best sentence for the topic and its title, date, publisher and link, read from the chunk table.

Article data (chunks, vectors, term counts) is read once per call, so one call for many topics
(`match_topics`) costs one Chroma read; a topic's embedding is computed once per matcher.
"""

from __future__ import annotations

import json
import math
import threading
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from retrieval.core.errors import InputError, NewsbotError
from retrieval.core.text import sentence_spans, terms
from retrieval.core.types import Chunk
from retrieval.store.passages import chunk_id

if TYPE_CHECKING:
    from retrieval.answering.model import Logistic
    from retrieval.search.embeddings import Embedder
    from retrieval.store import Index

WEIGHTS_FILE = "alerts.json"
MAX_TOPIC_CHARS = 100
LEAD_BONUS = 0.1  # the article's first sentence wins a near tie
QUOTES = "\"'“‘"
QUOTE_PENALTY = 0.1  # a quotation out of context makes a poor alert line
MIN_SENTENCE_WORDS = 5
SENTENCE_TERM_WEIGHT = 0.5  # a sentence's topic-term coverage counts this much beside its cosine
TOPIC_CACHE = 1024
READ_BATCH = 2000  # chunk vectors per Chroma read
FEATURES = (
    "max_sim",  # best chunk's cosine to the topic
    "lead_sim",  # the first chunk's (title and lead) cosine
    "mean_sim",  # mean cosine over the article's chunks
    "title_cov",  # idf-weighted share of the topic's terms in the title
    "text_cov",  # ... in the whole article
    "lead_cov",  # ... in the title and first chunk
    "mentions",  # log(1 + idf-weighted mean count of the topic's terms in the text)
    "rate",  # topic-term occurrences per 100 terms of text
    "chunk_share",  # share of chunks holding at least half of the topic's weight
    "phrase",  # log(1 + times the topic's terms occur together, in order)
)


@dataclass(frozen=True)
class TopicMatch:
    """A new article about a followed topic: what an alert shows."""

    topic: str
    doc_id: str
    score: float  # probability that the article is about the topic (matched when >= the threshold)
    sentence: str  # the article's sentence that best speaks of the topic
    title: str
    date: str | None
    publisher: str | None
    url: str | None
    source: str  # the file path or URL the article came from


@dataclass
class ArticleData:
    """What matching reads of one article, whatever the topic."""

    doc_id: str
    chunks: list[Chunk]
    vectors: Any  # (chunks, dim) float32, unit rows
    title_terms: frozenset[str]
    lead_terms: frozenset[str]
    chunk_terms: list[frozenset[str]]
    sequence: list[str]  # the article text's terms in order (overlaps between chunks counted once)
    counts: Counter[str] = field(default_factory=Counter)


@dataclass(frozen=True)
class Topic:
    """A followed topic, prepared: its text, vector, terms and their idf weights."""

    text: str
    vector: Any  # (dim,) float32
    terms: tuple[str, ...]  # unique, in order
    sequence: tuple[str, ...]  # as written (for phrase matching)
    weights: tuple[float, ...]


class Parts(Protocol):
    """What matching needs of the product (`Newsbot` has it)."""

    @property
    def index(self) -> Index: ...

    @property
    def embedder(self) -> Embedder: ...


@dataclass(frozen=True)
class AlertModel:
    """The fitted logistic model and the threshold chosen on the dev topics."""

    model: Logistic
    threshold: float
    info: dict[str, Any]

    @classmethod
    def load(cls, path: Path | None = None) -> AlertModel:
        """The model in ``path`` (default: the one shipped beside this module)."""
        from retrieval.answering.model import Logistic

        try:
            if path is None:
                text = resources.files("retrieval.news").joinpath(WEIGHTS_FILE).read_text(encoding="utf-8")
            else:
                text = Path(path).read_text(encoding="utf-8")
            data = json.loads(text)
            model = cls(Logistic.from_dict(data["model"]), float(data["threshold"]), dict(data.get("info", {})))
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise NewsbotError(
                f"cannot read the topic alerts' model ({exc}); re-fit it with benchmarks/alert_threshold.py --fit"
            ) from None
        unknown = [name for name in model.model.names if name not in FEATURES]
        if unknown:
            raise NewsbotError(
                f"the topic alerts' model uses unknown features {unknown}; re-fit it with "
                "benchmarks/alert_threshold.py --fit"
            )
        return model


def clean_topic(topic: str) -> str:
    """The topic with spaces collapsed, or an `InputError` saying why it cannot be followed."""
    cleaned = " ".join("".join(ch for ch in topic if ch.isprintable() or ch.isspace()).split())
    if not cleaned:
        raise InputError("the topic is empty")
    if len(cleaned) > MAX_TOPIC_CHARS:
        raise InputError(f"the topic is {len(cleaned)} characters long; the limit is {MAX_TOPIC_CHARS}")
    return cleaned


class TopicMatcher:
    """Decides which newly indexed articles are about a topic; ``threshold`` defaults to the one chosen on dev."""

    def __init__(self, parts: Parts, threshold: float | None = None, model: AlertModel | None = None) -> None:
        self.parts = parts
        self.model = model or AlertModel.load()
        self.threshold = self.model.threshold if threshold is None else threshold
        self._vectors: dict[str, Any] = {}
        self._lock = threading.Lock()  # the bot's handlers may match from several threads

    # ---- the public calls ----------------------------------------------------------------------
    def match(self, topic: str, doc_ids: Sequence[str]) -> list[TopicMatch]:
        """The articles among ``doc_ids`` about ``topic``, best first; unknown ids are skipped."""
        return self.match_topics([topic], doc_ids)[topic]

    def match_topics(self, topics: Sequence[str], doc_ids: Sequence[str]) -> dict[str, list[TopicMatch]]:
        """`match` for several topics at once (each article is read once): topic -> matches, best first."""
        articles = self.articles(doc_ids)
        out: dict[str, list[TopicMatch]] = {}
        for text in topics:
            topic = self.topic(text)
            found = []
            for article in articles:
                score = self._score(topic, article)
                if score >= self.threshold:
                    found.append(self._match(topic, article, score))
            out[text] = sorted(found, key=lambda m: -m.score)
        return out

    def scores(self, topic: str, doc_ids: Sequence[str]) -> dict[str, float]:
        """The probability that each known article of ``doc_ids`` is about ``topic`` (no threshold)."""
        return self.score_articles(topic, self.articles(doc_ids))

    def score_articles(self, topic: str, articles: Sequence[ArticleData]) -> dict[str, float]:
        """`scores` for articles already read with `articles` (the benchmark reads them once for every topic)."""
        prepared = self.topic(topic)
        return {a.doc_id: self._score(prepared, a) for a in articles}

    def doc_ids_of(self, sources: Sequence[str]) -> list[str]:
        """The indexed articles read from ``sources`` (an `IngestReport`'s ``added`` and ``replaced``), in order."""
        order = {source: i for i, source in enumerate(sources)}
        firsts = self.parts.index.view.passages.firsts(sources=order, newest_first=False)
        return [c.doc_id for c in sorted(firsts, key=lambda c: (order[c.source], c.doc_id))]

    # ---- preparing -----------------------------------------------------------------------------
    def topic(self, text: str) -> Topic:
        """``text`` prepared: its embedding (cached), its terms and their idf in the current index."""
        import numpy as np

        text = clean_topic(text)
        with self._lock:
            vector = self._vectors.get(text)
        if vector is None:
            vector = np.asarray(self.parts.embedder.embed_query(text), dtype=np.float32)
            with self._lock:
                if len(self._vectors) >= TOPIC_CACHE:
                    self._vectors.pop(next(iter(self._vectors)))
                self._vectors[text] = vector
        sequence = tuple(terms(text))
        unique = tuple(dict.fromkeys(sequence))
        idf = self.parts.index.view.keywords.idf
        return Topic(text, vector, unique, sequence, tuple(idf(t) for t in unique))

    def articles(self, doc_ids: Sequence[str]) -> list[ArticleData]:
        """The known articles of ``doc_ids`` (in order, once each) with their chunks, vectors and terms."""
        import numpy as np

        table = self.parts.index.view.passages
        chunks_of: dict[str, list[Chunk]] = {}
        for doc_id in dict.fromkeys(doc_ids):
            chunks: list[Chunk] = []
            while (chunk := table.get(chunk_id(doc_id, len(chunks)))) is not None:
                chunks.append(chunk)
            if chunks:
                chunks_of[doc_id] = chunks
        ids = [c.id for chunks in chunks_of.values() for c in chunks]
        stored: dict[str, Any] = {}
        for start in range(0, len(ids), READ_BATCH):
            stored.update(self.parts.index.chroma.vectors(ids[start : start + READ_BATCH]))
        out = []
        for doc_id, chunks in chunks_of.items():
            chunks = [c for c in chunks if c.id in stored]
            if not chunks:
                continue
            vectors = np.asarray([stored[c.id] for c in chunks], dtype=np.float32)
            out.append(article_data(doc_id, chunks, vectors))
        return out

    # ---- scoring and the alert -----------------------------------------------------------------
    def _score(self, topic: Topic, article: ArticleData) -> float:
        values = signals(topic, article)
        row = [values[name] for name in self.model.model.names]
        return float(self.model.model.probabilities([row])[0])

    def _match(self, topic: Topic, article: ArticleData, score: float) -> TopicMatch:
        first = article.chunks[0]
        return TopicMatch(
            topic=topic.text,
            doc_id=article.doc_id,
            score=round(score, 4),
            sentence=self.best_sentence(topic, article),
            title=first.title,
            date=first.date,
            publisher=first.publisher,
            url=first.url,
            source=first.source,
        )

    def best_sentence(self, topic: Topic, article: ArticleData) -> str:
        """The sentence that best speaks of the topic: its cosine to the topic plus its share of the topic's
        terms, among the sentences of the lead chunk and the chunk nearest the topic; the article's first
        sentence (the lead, which states what the story is) is preferred on a near tie; quotes are not."""
        import numpy as np

        sims = article.vectors @ topic.vector
        chosen = {0, int(np.argmax(sims))}
        candidates: dict[str, float] = {}  # sentence -> its bonus
        for index in sorted(chosen):
            chunk = article.chunks[index]
            for start, end in sentence_spans(chunk.text):
                sentence = " ".join(chunk.text[start:end].split())
                bonus = LEAD_BONUS if index == 0 and not candidates else 0.0
                if sentence[:1] in QUOTES:
                    bonus -= QUOTE_PENALTY
                candidates.setdefault(sentence, bonus)
        sentences = [s for s in candidates if len(s.split()) >= MIN_SENTENCE_WORDS] or list(candidates)
        if not sentences:
            return article.chunks[0].title
        vectors = self.parts.embedder.encode_array(sentences)
        weight = sum(topic.weights) or 1.0

        def score(i: int) -> float:
            found = set(terms(sentences[i]))
            cover = sum(w for t, w in zip(topic.terms, topic.weights, strict=True) if t in found) / weight
            return float(vectors[i] @ topic.vector) + SENTENCE_TERM_WEIGHT * cover + candidates[sentences[i]]

        return sentences[max(range(len(sentences)), key=score)]


def article_data(doc_id: str, chunks: list[Chunk], vectors: Any) -> ArticleData:
    """An article's matching data from its chunks (in order) and their vectors."""
    text = _article_text(chunks)
    sequence = terms(text)
    chunk_terms = [frozenset(terms(c.text)) for c in chunks]
    title_terms = frozenset(terms(chunks[0].title))
    return ArticleData(
        doc_id=doc_id,
        chunks=chunks,
        vectors=vectors,
        title_terms=title_terms,
        lead_terms=title_terms | chunk_terms[0],
        chunk_terms=chunk_terms,
        sequence=sequence,
        counts=Counter(sequence),
    )


def _article_text(chunks: list[Chunk]) -> str:
    """The article's text from its chunks' offsets (overlapping sentences once)."""
    text = ""
    for chunk in chunks:
        if chunk.start >= len(text):
            text += " " * (chunk.start - len(text)) + chunk.text
        else:
            text = text[: chunk.start] + chunk.text
    return text


def signals(topic: Topic, article: ArticleData) -> dict[str, float]:
    """Every matching signal (`FEATURES`) of ``article`` for ``topic``."""
    sims = article.vectors @ topic.vector
    weight = sum(topic.weights)

    def coverage(found: Callable[[str], bool]) -> float:
        if not weight:
            return 0.0
        return sum(w for t, w in zip(topic.terms, topic.weights, strict=True) if found(t)) / weight

    counts = article.counts
    mean_count = _weighted_count(topic, counts) / weight if weight else 0.0
    occurrences = sum(counts[t] for t in topic.terms)
    return {
        "max_sim": float(sims.max()),
        "lead_sim": float(sims[0]),
        "mean_sim": float(sims.mean()),
        "title_cov": coverage(article.title_terms.__contains__),
        "text_cov": coverage(lambda t: t in counts or t in article.title_terms),
        "lead_cov": coverage(article.lead_terms.__contains__),
        "mentions": math.log1p(mean_count),
        "rate": 100.0 * occurrences / max(1, len(article.sequence)),
        "chunk_share": sum(coverage(found.__contains__) >= 0.5 for found in article.chunk_terms) / len(article.chunks),
        "phrase": math.log1p(_phrase_count(topic.sequence, article.sequence)),
    }


def _weighted_count(topic: Topic, counts: Counter[str]) -> float:
    return sum(w * counts[t] for t, w in zip(topic.terms, topic.weights, strict=True))


def _phrase_count(phrase: tuple[str, ...], sequence: list[str]) -> int:
    """Times the terms of ``phrase`` occur consecutively in ``sequence``."""
    if not phrase:
        return 0
    n = len(phrase)
    first = phrase[0]
    return sum(1 for i, t in enumerate(sequence) if t == first and tuple(sequence[i : i + n]) == phrase)
