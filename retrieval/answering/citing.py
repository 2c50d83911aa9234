"""Turning chosen candidates into what the user reads: each quote exact, extended back over the sentence it
refers to, joined when they touch, numbered as citations; a decline with the closest passages; reports that
differ; a developing story's values newest first."""

from __future__ import annotations

from retrieval.answering.candidates import Candidate, Neighbours
from retrieval.answering.conflicts import Report, update_text
from retrieval.answering.features import REFERRING
from retrieval.answering.question import QuestionProfile
from retrieval.core.hygiene import suspicious
from retrieval.core.prompts import load_prompt
from retrieval.core.text import sentence_spans
from retrieval.core.types import Answer, Chunk, Citation, DifferingReport

Span = tuple[Chunk, int, int, Candidate]  # the chunk that holds a quote, its article offsets, its candidate


class Citer:
    """Quotes, citations and the answers made of them."""

    def __init__(self, neighbours: Neighbours) -> None:
        self.neighbours = neighbours

    def with_antecedent(self, cand: Candidate) -> tuple[Chunk, int, int, Candidate]:
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

    def decline(self, question: str, cands: list[Candidate], confidence: float) -> Answer:
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

    def differing(self, question: str, reports: list[Report], confidence: float) -> Answer:
        """ "Reports differ: 41 (Reuters, 2024-12-20) [1]; 12 (BBC, 2024-12-18) [2]", each report cited."""
        citations, parts, differing = [], [], []
        for n, report in enumerate(reports, 1):
            cand = report.candidate
            assert isinstance(cand, Candidate)
            chunk, start, end, _ = self.with_antecedent(cand)
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

    def updated(self, question: str, asked: QuestionProfile, reports: list[Report], confidence: float) -> Answer:
        """ "38 [1], up from 23 [2] and 9 [3] in earlier reports": the newest report first, each cited."""
        citations, updates = [], []
        for n, report in enumerate(reports, 1):
            cand = report.candidate
            assert isinstance(cand, Candidate)
            chunk, start, end, _ = self.with_antecedent(cand)
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


def overlaps(cand: Candidate, picked: list[Candidate]) -> bool:
    return any(
        p.hit.chunk.doc_id == cand.hit.chunk.doc_id and p.start < cand.end and cand.start < p.end for p in picked
    )


def merge(spans: list[tuple[Chunk, int, int, Candidate]]) -> list[tuple[Chunk, int, int, Candidate]]:
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


def cited(spans: list[Span]) -> tuple[list[Citation], list[str]]:
    """The citations of the quoted ``spans`` (touching ones joined) and the answer's parts ("quote [n]")."""
    citations, parts = [], []
    for n, (chunk, start, end, cand) in enumerate(merge(spans), 1):
        citation = Citation.of(n, chunk, start, end, cand.probability)
        citations.append(citation)
        parts.append(f"{' '.join(citation.quote.split())} [{n}]")
    return citations, parts
