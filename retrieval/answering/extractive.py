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
from functools import partial

from retrieval.answering.candidates import Candidate, CandidateFinder, Neighbours, Read
from retrieval.answering.citing import Citer, cited, overlaps
from retrieval.answering.conflicts import find_conflict, find_update
from retrieval.answering.features import (
    INDEX,
    ArticleSupport,
    Context,
    article_support,
)
from retrieval.answering.model import Selector
from retrieval.answering.patterns import NUMBER
from retrieval.answering.question import QuestionProfile, profile, with_compounds
from retrieval.answering.roles import role_names
from retrieval.answering.spans import short_answer
from retrieval.core.text import terms
from retrieval.core.types import Answer, Chunk, Hit

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
        self.reader = reader
        self.find = CandidateFinder(context, neighbours, reader, chunks_considered)
        self.cite = Citer(neighbours)
        self.report_probability = report_probability  # a report answers from this reader probability
        self.reader_trust = reader_trust  # a reader logit from which a sentence answers though words are missing
        self.reader_floor = reader_floor  # below this reader logit for every candidate, nothing answers
        self.report_margin = report_margin  # a report answers when the reader's span margin reaches this, too
        self.neighbours = neighbours
        self.selector = selector
        self.threshold = selector.threshold if threshold is None else threshold
        self.max_citations = max_citations
        self.chunks_considered = chunks_considered
        self.conflicts = conflicts  # (plausible logit gap, days apart) for differing reports; None: off

    # ---- candidates -----------------------------------------------------------------------------
    def candidates(self, question: QuestionProfile, hits: list[Hit], similarities: dict[str, float]) -> list[Candidate]:
        """Every distinct sentence of the top chunks, with its features (not yet scored)."""
        return self.find(question, hits, similarities)

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

        ``prefer(chunk)`` (higher for newer reports in "latest" questions: `retrieval.asking.answer.newest`) orders the
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
            return self.cite.decline(question, cands, confidence)
        if self.conflicts is not None:
            reports = find_conflict(
                asked,
                cands,
                *self.conflicts,
                value_of=self._value_of(asked),
                answers=partial(self._answers, asked=asked),
            )
            if reports:
                return self.cite.differing(question, reports, confidence)
            moved = find_update(
                asked,
                cands,
                self.conflicts[0],
                value_of=self._value_of(asked),
                answers=partial(self._answers, asked=asked),
            )
            if moved:
                return self.cite.updated(question, asked, moved, confidence)
        best = cands[0]
        picked = [best]
        for cand in cands[1:]:
            if len(picked) >= min(2, self.max_citations):
                break
            if cand.probability >= self.selector.second_share * best.probability and not overlaps(cand, picked):
                picked.append(cand)
        spans = [self.cite.with_antecedent(c) for c in picked]
        if asked.asks_figure and not any(
            _FIGURE.search(chunk.text[s - chunk.start : e - chunk.start]) for chunk, s, e, _ in spans
        ):
            # "How many Iranians were evacuated?" against a passage that gives no number: it does not answer
            return self.cite.decline(question, cands, confidence)
        citations, parts = cited(spans)
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


# a figure of any kind: digits, number words ("three", "half") and counts without a number ("hundreds", "twice")
_FIGURE = re.compile(
    rf"{NUMBER.pattern}|\b(?:twice|dozens|scores|hundreds|thousands|millions|billions)\b", re.IGNORECASE
)


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
