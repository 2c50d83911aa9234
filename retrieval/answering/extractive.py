"""The extractive answerer: the fitted selector picks the sentences that answer, quoted exactly, or it declines.

Candidates are the sentences of the best retrieved chunks (a sentence that two overlapping chunks share counts
once). Each gets its features and its probability from the sentence model; the answer model turns the best
ones into the probability that the best sentence answers. The best sentence (and a second close one) become the
answer, each followed by ``[n]``; a sentence that opens with a reference ("these people", "he") brings the
sentence before it. Where the question asks for a short fact, the span that holds it becomes ``Answer.short``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import partial

from retrieval.answering.conflicts import Report, find_conflict, find_update, update_text
from retrieval.answering.features import (
    INDEX,
    REFERRING,
    ArticleSupport,
    Context,
    SentenceView,
    article_support,
    features,
    relative,
    unknown_names,
)
from retrieval.answering.model import Selector
from retrieval.answering.patterns import NUMBER
from retrieval.answering.question import QuestionProfile, profile, with_compounds
from retrieval.answering.reader import SentenceReading
from retrieval.answering.roles import role_names
from retrieval.answering.spans import short_answer
from retrieval.hygiene import suspicious, tainted
from retrieval.prompts import load_prompt
from retrieval.text import sentence_spans, terms
from retrieval.types import Answer, Chunk, Citation, DifferingReport, Hit

Neighbours = Callable[[Chunk], tuple[Chunk | None, Chunk | None]]
# the reader (`retrieval.answering.reader.Reader.read`): question, (title, before, text, sentence spans) per passage
Read = Callable[[str, list[tuple[str, str, str, list[tuple[int, int]]]]], list[list[SentenceReading | None]]]
# a short answer taken from the sentence a quote brings in must stand this close (characters) to a word the question
# uses: "led by Hayat Tahrir al-Sham" for "Who led the offensive?"
NEAR_ASKED = 30
# a name written next to the role asked for ("chief executive Todd Stitzer" for "Who is the chief executive of
# ...?") is the short answer below the model's short threshold, when the answer is more likely right than not
HOLDER_CONFIDENCE = 0.5
# words that change who holds a role: "the shadow foreign secretary" is not "Foreign Secretary Jack Straw"
_QUALIFIERS = frozenset("shadow deputy vice former acting interim assistant junior outgoing incoming".split())
# the reader's span is the fact a report gives when it beats "no answer here" by this much (else the rules')
READER_SPAN_MARGIN = 0.0
CALENDAR = frozenset(
    terms(
        "Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April May June July August "
        "September October November December"
    )
)
# a short answer is a fact, not a clause: a longer span of the reader's is left to the quote
MAX_SHORT_WORDS = 8
# a report answers (for "latest", conflicts and updates) when the reader gives its sentence at least this
# probability (`Settings.report_probability`)
REPORT_PROBABILITY = 0.5


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


class ExtractiveAnswerer:
    """Scores the sentences of the top chunks with the fitted selector; cites the best, declines when unsure."""

    def __init__(
        self,
        context: Context,
        neighbours: Neighbours,
        selector: Selector,
        threshold: float | None = None,
        max_citations: int = 3,
        chunks_considered: int = 5,
        conflicts: tuple[float, float] | None = (4.0, 0.0),
        reader: Read | None = None,
        report_probability: float = REPORT_PROBABILITY,
        reader_trust: float | None = None,
        reader_floor: float | None = None,
        report_margin: float | None = None,
    ) -> None:
        self.context = context
        self.reader_trust = reader_trust  # a reader logit from which a sentence answers though words are missing
        self.reader_floor = reader_floor  # below this reader logit for every candidate, nothing answers
        self.report_margin = report_margin  # a report answers when the reader's span margin reaches this, too
        self.reader = reader
        self.report_probability = report_probability  # a report answers from this reader probability
        self.neighbours = neighbours
        self.selector = selector
        self.threshold = selector.threshold if threshold is None else threshold
        self.max_citations = max_citations
        self.chunks_considered = chunks_considered
        self.conflicts = conflicts  # (plausible logit gap, days apart) for differing reports; None: off

    # ---- candidates -----------------------------------------------------------------------------
    def candidates(self, question: QuestionProfile, hits: list[Hit], similarities: dict[str, float]) -> list[Candidate]:
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

    def score(
        self, question: str, hits: list[Hit], similarities: dict[str, float]
    ) -> tuple[QuestionProfile, list[Candidate], float]:
        """The question's profile, its candidates best first (scored), and the answer probability."""
        asked = with_compounds(profile(question), self.context.known)
        cands = self.candidates(asked, hits, similarities)
        if not cands:
            return asked, [], 0.0
        logits = self.selector.sentence.logits([c.features for c in cands])
        top = float(max(logits))
        total = sum(_exp(float(x) - top) for x in logits)
        for cand, logit in zip(cands, logits, strict=True):
            cand.logit = float(logit)
            cand.probability = _exp(cand.logit - top) / total  # the share of the answer among the candidates
        cands.sort(key=lambda c: (-c.logit, c.rank, c.start))
        support = self._support(asked, cands[0])
        if support.terms == 0.0 and not self._trusted(cands[0]):
            return asked, cands, 0.0  # the article shares no word with the question: nothing in it answers
        reader_top = max(c.features[INDEX["reader"]] for c in cands)
        row = self.selector.answer_features([c.logit for c in cands], cands[0].features, support, reader_top)
        return asked, cands, self.selector.answer_probability(row)

    def _trusted(self, cand: Candidate) -> bool:
        """Whether the reader is sure enough of ``cand`` to answer though the question's words are missing."""
        reading = cand.reading
        return self.reader_trust is not None and reading is not None and reading.logit >= self.reader_trust

    def _unread(self, cands: list[Candidate]) -> bool:
        """Whether the reader gives every candidate a logit below the floor (no sentence answers)."""
        if self.reader_floor is None:
            return False
        logits = [c.reading.logit for c in cands if c.reading is not None]
        return bool(logits) and max(logits) < self.reader_floor

    def _support(self, asked: QuestionProfile, best: Candidate) -> ArticleSupport:
        """How much of the question the best candidate's whole article holds (and a year it lacks)."""
        if self.context.article_terms is None:
            return ArticleSupport(1.0, 1.0, 0.0)
        chunk = best.hit.chunk
        return article_support(asked, self.context.article_terms(chunk.doc_id), self.context, chunk.date)

    # ---- the answer -----------------------------------------------------------------------------
    def answer(
        self,
        question: str,
        hits: list[Hit],
        similarities: dict[str, float] | None = None,
        prefer: Callable[[Chunk], float] | None = None,
    ) -> Answer:
        """An `Answer` from ``hits``; ``similarities`` gives each chunk's cosine similarity to the question.

        ``prefer(chunk)`` (higher for newer reports in "latest" questions: `retrieval.asking.newest`) orders the
        candidates that answer about as well as the best one (within the plausible gap): the preferred comes first.
        """
        similarities = similarities or {h.chunk.id: h.dense_score or 0.0 for h in hits}
        asked, cands, confidence = self.score(question, hits, similarities)
        if prefer is not None and cands:  # "latest": the newest of the candidates that answer about as well
            gap = self.conflicts[0] if self.conflicts is not None else 0.0
            # the newest of those that answer, not one that merely repeats the question's words
            plausible = [
                c for c in cands if c.logit >= cands[0].logit - gap and (c is cands[0] or self._answers(c, asked))
            ]
            rest = [c for c in cands if all(c is not p for p in plausible)]
            plausible.sort(key=lambda c: (-prefer(c.hit.chunk), -c.logit))
            cands = plausible + rest
        if cands and cands[0].features[INDEX["unknown_names"]] > 0 and not self._trusted(cands[0]):
            # a question about a name or figure that no indexed article mentions: the articles cannot answer it
            confidence = min(confidence, self.threshold / 2)
        if cands and self._unread(cands):  # the reader finds no sentence that answers: a near miss
            confidence = min(confidence, self.threshold / 2)
        if not cands or confidence < self.threshold:
            return self._decline(question, cands, confidence)
        if self.conflicts is not None:
            reports = find_conflict(
                asked,
                cands,
                *self.conflicts,
                value_of=self._value_of(asked),
                answers=partial(self._answers, asked=asked),
            )
            if reports:
                return self._differing(question, reports, confidence)
            moved = find_update(
                asked,
                cands,
                self.conflicts[0],
                value_of=self._value_of(asked),
                answers=partial(self._answers, asked=asked),
            )
            if moved:
                return self._updated(question, asked, moved, confidence)
        best = cands[0]
        picked = [best]
        for cand in cands[1:]:
            if len(picked) >= min(2, self.max_citations):
                break
            if cand.probability >= self.selector.second_share * best.probability and not _overlaps(cand, picked):
                picked.append(cand)
        spans = [self._with_antecedent(c) for c in picked]
        if asked.asks_figure and not any(
            _FIGURE.search(chunk.text[s - chunk.start : e - chunk.start]) for chunk, s, e, _ in spans
        ):
            # "How many Iranians were evacuated?" against a passage that gives no number: it does not answer
            return self._decline(question, cands, confidence)
        citations, parts = [], []
        for n, (chunk, start, end, _cand) in enumerate(_merge(spans), 1):
            citation = Citation.of(n, chunk, start, end, _cand.probability)
            citations.append(citation)
            parts.append(f"{' '.join(citation.quote.split())} [{n}]")
        short = self._reader_short(asked, best)
        if short is None and (
            confidence >= self.selector.short_threshold or (confidence >= HOLDER_CONFIDENCE and _holder(asked, best))
        ):
            short = short_answer(asked, best.view.text)
            host, start, _end, _ = spans[0]
            if short is None and start < best.start:  # the quote opens with the sentence "That" refers to:
                before = host.text[start - host.start : best.start - host.start]  # a fact next to a word asked
                short = short_answer(asked, before, near=NEAR_ASKED)
        return Answer(
            question=question,
            answer=" ".join(parts),
            found=True,
            citations=citations,
            short=short,
            confidence=round(confidence, 4),
        )

    def _differing(self, question: str, reports: list[Report], confidence: float) -> Answer:
        """ "Reports differ: 41 (Reuters, 2024-12-20) [1]; 12 (BBC, 2024-12-18) [2]", each report cited."""
        citations, parts, differing = [], [], []
        for n, report in enumerate(reports, 1):
            cand = report.candidate
            assert isinstance(cand, Candidate)
            chunk, start, end, _ = self._with_antecedent(cand)
            citations.append(Citation.of(n, chunk, start, end, cand.probability))
            where = ", ".join(x for x in (report.publisher, report.date) if x)
            parts.append(f"{report.value} ({where}) [{n}]")
            differing.append(DifferingReport(report.value, n, report.publisher, report.date))
        return Answer(
            question=question,
            answer="Reports differ: " + "; ".join(parts),
            found=True,
            citations=citations,
            confidence=round(confidence, 4),
            conflict=differing,
        )

    def _value_of(self, asked: QuestionProfile) -> Callable[[object], str | None]:
        """The fact a candidate gives: the reader's span where it is sure of one, else the rules' short answer."""

        def value(cand: object) -> str | None:
            assert isinstance(cand, Candidate)
            reading = cand.reading
            if reading is not None and reading.span is not None and reading.span_margin >= READER_SPAN_MARGIN:
                start, end = reading.span
                chunk = cand.hit.chunk
                return chunk.text[start:end].strip(" ,.;:") or None
            return short_answer(asked, cand.view.text)

        return value

    def _reader_short(self, asked: QuestionProfile, best: Candidate) -> str | None:
        """The reader's span in the best sentence as the short answer, when the selector's policy takes it (its
        span beats "no answer here" by ``short_margin``) and the question asks for a short fact."""
        margin = self.selector.short_margin
        reading = best.reading
        if margin is None or reading is None or reading.span is None or asked.kind not in self.selector.short_kinds:
            return None
        if reading.span_margin < margin:
            return None
        start, end = reading.span
        text = best.hit.chunk.text[start:end].strip(" ,.;:\"'“”‘’")
        return text if 0 < len(text.split()) <= MAX_SHORT_WORDS else None

    def _answers(self, cand: object, asked: QuestionProfile | None = None) -> bool:
        """A report of the fact asked for: it holds every name of the question (in its sentence, the one before
        or its title: another town's mayor is no report of this one's; days and months are no names: "on Tuesday
        18 March" is when, not whom), and the reader says it answers (the sentence's probability, or a span of the
        value asked for)."""
        assert isinstance(cand, Candidate)
        names = asked.name_terms - CALENDAR if asked is not None else frozenset()
        view = cand.view
        if names and not names <= set(terms(f"{view.title} {view.before} {view.text}")):
            return False
        reading = cand.reading
        if reading is None or reading.probability >= self.report_probability:
            return True
        # or the reader finds the value asked for in it ("the death toll rose to 27" for "how many died")
        return self.report_margin is not None and reading.span is not None and reading.span_margin >= self.report_margin

    def _updated(self, question: str, asked: QuestionProfile, reports: list[Report], confidence: float) -> Answer:
        """ "38 [1], up from 23 [2] and 9 [3] in earlier reports": the newest report first, each cited."""
        citations, updates = [], []
        for n, report in enumerate(reports, 1):
            cand = report.candidate
            assert isinstance(cand, Candidate)
            chunk, start, end, _ = self._with_antecedent(cand)
            citations.append(Citation.of(n, chunk, start, end, cand.probability))
            updates.append(DifferingReport(report.value, n, report.publisher, report.date))
        return Answer(
            question=question,
            answer=update_text(reports, asked.kind),
            found=True,
            citations=citations,
            short=reports[0].value,
            confidence=round(confidence, 4),
            updates=updates,
        )

    def _with_antecedent(self, cand: Candidate) -> tuple[Chunk, int, int, Candidate]:
        """The sentence's span, extended back over the previous sentence when it opens with a reference."""
        chunk = cand.hit.chunk
        if not REFERRING.match(cand.view.text):
            return chunk, cand.start, cand.end, cand
        host = chunk
        if cand.position == 0:
            previous, _ = self.neighbours(chunk)
            if previous is None or previous.end < cand.end:
                return chunk, cand.start, cand.end, cand
            host = previous
        spans = [(host.start + s, host.start + e) for s, e in sentence_spans(host.text)]
        before = [(s, e) for s, e in spans if e <= cand.start]
        if not before or suspicious(host.text[before[-1][0] - host.start : before[-1][1] - host.start]):
            return chunk, cand.start, cand.end, cand  # words to an AI are never brought in as the antecedent
        return host, before[-1][0], cand.end, cand

    def _decline(self, question: str, cands: list[Candidate], confidence: float) -> Answer:
        related: list[Citation] = []
        seen: set[str] = set()
        for cand in cands:
            chunk = cand.hit.chunk
            if chunk.doc_id in seen or len(related) >= 2:
                continue
            seen.add(chunk.doc_id)
            related.append(Citation.of(len(related) + 1, chunk, cand.start, cand.end, cand.probability))
        return Answer(
            question=question,
            answer=load_prompt("decline"),
            found=False,
            related=related,
            confidence=round(confidence, 4),
        )


# a figure of any kind: digits, number words ("three", "half") and counts without a number ("hundreds", "twice")
_FIGURE = re.compile(
    rf"{NUMBER.pattern}|\b(?:twice|dozens|scores|hundreds|thousands|millions|billions)\b", re.IGNORECASE
)


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


def _holder(asked: QuestionProfile, best: Candidate) -> bool:
    """The best sentence names the holder of the role asked for, with the question's qualifiers ("shadow")."""
    sentence = best.view.text
    qualifiers = asked.words & _QUALIFIERS
    return (
        bool(asked.role)
        and qualifiers <= {w.lower() for w in re.findall(r"[\w-]+", sentence)}
        and bool(role_names(sentence, asked.role, asked.words))
    )


def _exp(x: float) -> float:
    import math

    return math.exp(max(-700.0, min(700.0, x)))


def _overlaps(cand: Candidate, picked: list[Candidate]) -> bool:
    return any(
        p.hit.chunk.doc_id == cand.hit.chunk.doc_id and p.start < cand.end and cand.start < p.end for p in picked
    )


def _merge(spans: list[tuple[Chunk, int, int, Candidate]]) -> list[tuple[Chunk, int, int, Candidate]]:
    """Join spans of one article that overlap or touch, when one chunk holds them both; keep article order."""
    out: list[tuple[Chunk, int, int, Candidate]] = []
    for chunk, start, end, cand in spans:
        for i, (c2, s2, e2, cand2) in enumerate(out):
            if c2.doc_id != chunk.doc_id:
                continue
            lo, hi = min(start, s2), max(end, e2)
            gap = chunk.text[min(e2, end) - chunk.start : max(s2, start) - chunk.start] if c2.id == chunk.id else "x"
            if (start <= e2 and s2 <= end) or (c2.id == chunk.id and not gap.strip()):
                host = chunk if chunk.start <= lo and chunk.end >= hi else c2
                if host.start <= lo and host.end >= hi:
                    out[i] = (host, lo, hi, cand2 if cand2.probability >= cand.probability else cand)
                    break
        else:
            out.append((chunk, start, end, cand))
    return out
