"""The candidates an answer is chosen from: every distinct sentence of the top retrieved chunks (words addressed
to an AI never), each with the sentences around it, what the reader says of it, and its features."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

from retrieval.answering.features import (
    INDEX,
    REFERRING,
    Context,
    SentenceView,
    features,
    relative,
    unknown_names,
)
from retrieval.answering.question import QuestionProfile
from retrieval.answering.reader import SentenceReading
from retrieval.core.hygiene import tainted
from retrieval.core.text import sentence_spans
from retrieval.core.types import Chunk, Hit

Neighbours = Callable[[Chunk], tuple[Chunk | None, Chunk | None]]
# the reader (`retrieval.answering.reader.Reader.read`): question, (title, before, text, sentence spans) per passage
Read = Callable[[str, list[tuple[str, str, str, list[tuple[int, int]]]]], list[list[SentenceReading | None]]]


@dataclass
class Candidate:
    """One sentence of a retrieved chunk, with its article offsets, features and probability."""

    hit: Hit
    rank: int  # of its chunk, 1-based
    start: int  # offsets in the article
    end: int
    position: int  # index of the sentence within its chunk
    view: SentenceView
    features: list[float] = field(default_factory=list)
    logit: float = 0.0
    probability: float = 0.0
    reading: SentenceReading | None = None  # what the sentence reader says of it (None: no reader)


class CandidateFinder:
    """Finds the candidate sentences of a question's top chunks, read and with their features."""

    def __init__(
        self, context: Context, neighbours: Neighbours, reader: Read | None = None, chunks_considered: int = 5
    ) -> None:
        self.context = context
        self.neighbours = neighbours
        self.reader = reader
        self.chunks_considered = chunks_considered

    def __call__(self, question: QuestionProfile, hits: list[Hit], similarities: dict[str, float]) -> list[Candidate]:
        """Every distinct sentence of the top chunks, with its features (not yet scored)."""
        unknown = unknown_names(question, self.context.known)
        seen: set[tuple[str, int]] = set()
        out: list[Candidate] = []
        top = hits[: self.chunks_considered]
        split = [sentence_spans(hit.chunk.text) for hit in top]
        edges = [self._edges(hit.chunk, spans) for hit, spans in zip(top, split, strict=True)]
        readings, leads = self._read(question.text, top, split, edges)
        for rank, (hit, spans, (before_chunk, after_chunk, _start), read) in enumerate(
            zip(top, split, edges, readings, strict=True), 1
        ):
            chunk = hit.chunk
            texts = [chunk.text[s:e] for s, e in spans]
            never = tainted(chunk.text, spans, before_chunk)
            for position, (s, e) in enumerate(spans):
                key = (chunk.doc_id, chunk.start + s)
                if key in seen or position in never:  # words to an AI (and what they go on to say) are never quoted
                    continue
                seen.add(key)
                view = SentenceView(
                    text=texts[position],
                    before=texts[position - 1] if position else before_chunk,
                    after=texts[position + 1] if position + 1 < len(texts) else after_chunk,
                    title=chunk.title,
                    chunk_rank=rank,
                    chunk_similarity=similarities.get(chunk.id, 0.0),
                    in_dense=hit.dense_rank is not None,
                    in_bm25=hit.bm25_rank is not None,
                    position=position,
                    sentences_in_chunk=len(spans),
                    article_start=chunk.index == 0 and position == 0,
                )
                cand = Candidate(hit, rank, chunk.start + s, chunk.start + e, position, view, reading=read[position])
                cand.features = features(question, view, self.context, unknown, cand.reading)
                out.append(cand)
        _credit_leads(out, leads)
        relative(question, [c.view.text for c in out], [c.features for c in out], self.context)
        return out

    def _read(
        self, question: str, top: list[Hit], split: list[list[tuple[int, int]]], edges: list[tuple[str, str, int]]
    ) -> tuple[list[list[SentenceReading | None]], list[tuple[Hit, int, SentenceReading | None]]]:
        """What the reader says of each sentence of the top chunks; each chunk is read with the sentence before
        it as its first sentence (an answer may sit in the sentence a chunk's first one refers to: "these people
        included ..." / "All these people were transported ... through Khmeimim"), whose reading is returned
        apart: (hit, that sentence's article offset, its reading)."""
        if self.reader is None or not top:
            return [[None] * len(spans) for spans in split], []
        passages = []
        for hit, spans, (before, _after, _start) in zip(top, split, edges, strict=True):
            shift = len(before) + 1 if before else 0
            text = f"{before} {hit.chunk.text}" if before else hit.chunk.text
            lead = [(0, len(before))] if before else []
            passages.append((hit.chunk.title, "", text, lead + [(s + shift, e + shift) for s, e in spans]))
        read = self.reader(question, passages)
        readings, leads = [], []
        for hit, (before, _after, start), got in zip(top, edges, read, strict=True):
            shift = len(before) + 1 if before else 0
            own = got[1:] if before else got
            readings.append([_shifted(r, -shift) for r in own])
            if before:
                leads.append((hit, start, got[0]))
        return readings, leads

    def _edges(self, chunk: Chunk, spans: list[tuple[int, int]]) -> tuple[str, str, int]:
        """The sentences just before and after ``chunk`` in its article (from the neighbouring chunks), and the
        article offset where the one before starts."""
        previous, following = self.neighbours(chunk)
        before = after = ""
        start = -1
        if previous is not None:
            prev_spans = [(s, e) for s, e in sentence_spans(previous.text) if previous.start + e <= chunk.start]
            if prev_spans:
                s, e = prev_spans[-1]
                before = previous.text[s:e]
                start = previous.start + s
        if following is not None:
            next_spans = [(s, e) for s, e in sentence_spans(following.text) if following.start + s >= chunk.end]
            if next_spans:
                s, e = next_spans[0]
                after = following.text[s:e]
        return before, after, start


def _shifted(reading: SentenceReading | None, shift: int) -> SentenceReading | None:
    """``reading`` with its span moved by ``shift`` characters."""
    if reading is None or reading.span is None or not shift:
        return reading
    return replace(reading, span=(reading.span[0] + shift, reading.span[1] + shift))


def _credit_leads(cands: list[Candidate], leads: list[tuple[Hit, int, SentenceReading | None]]) -> None:
    """Give the reading of a sentence read before a chunk to that sentence's candidate when it reads better there
    (its span moved into its own chunk); when the sentence is no candidate, to the chunk's first sentence if that
    one refers back to it (its quote brings the sentence in), without a span (the rules find the short answer)."""
    by_key = {(c.hit.chunk.doc_id, c.start): c for c in cands}
    for hit, start, reading in leads:
        if reading is None:
            continue
        chunk = hit.chunk
        target = by_key.get((chunk.doc_id, start))
        if target is not None:
            moved = _shifted(reading, start - target.hit.chunk.start)
        else:
            first = next((c for c in cands if c.hit.chunk.id == chunk.id and c.position == 0), None)
            if first is None or not REFERRING.match(first.view.text):
                continue
            target, moved = first, replace(reading, span=None)
        if target.reading is None or reading.logit > target.reading.logit:
            target.reading = moved
            target.features[INDEX["reader"]] = reading.logit
            target.features[INDEX["reader_span"]] = max(-20.0, min(20.0, reading.span_margin))
