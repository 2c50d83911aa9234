"""Conflicting reports: different outlets giving different values for the same fact at about the same time.

The answerer's best candidates that answer the question (a score within a gap of the best one's) are read for
the fact the question asks for (`spans.short_answer`: a figure, a date, a name, a place). When two articles from
different outlets give different values and were published within ``window_days`` of each other, the reports
differ: the answer says so and quotes each, newest first. A report with no date or no known outlet is never
part of a conflict (an undated archive is not a dispute). An article that corrects itself is one article, not a
conflict; the same outlet updating its figure days later is news moving on, not a conflict.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from retrieval.answering.patterns import figure_key
from retrieval.answering.question import QuestionProfile
from retrieval.answering.spans import SHORT_KINDS, short_answer


@dataclass(frozen=True)
class Report:
    """One article's value for the asked fact."""

    value: str
    doc_id: str
    publisher: str
    date: str | None
    candidate: object  # the answerer's candidate (its sentence is what gets quoted)


def normalized(value: str, kind: str) -> str:
    """Values compare by their figure ("41" and "41 people"), or case- and space-insensitively."""
    if kind == "how_many":
        return figure_key(value)
    return " ".join(value.lower().split())


def _days_apart(a: str | None, b: str | None) -> float:
    if not a or not b:
        return float("inf")  # an undated report cannot be placed beside another: an archive is not a dispute
    return abs((date.fromisoformat(a) - date.fromisoformat(b)).days)


def find_conflict(
    asked: QuestionProfile, candidates: list, gap: float, window_days: float, max_reports: int = 4
) -> list[Report]:
    """Reports that disagree (newest first), or [] when the top candidates agree or cannot be compared.

    ``candidates`` are the answerer's, best first, each with ``logit`` (the sentence model's score),
    ``view.text`` and ``hit.chunk`` (doc_id, publisher, source, date); those within ``gap`` of the best answer too.
    """
    if asked.kind not in SHORT_KINDS or not candidates:
        return []
    best = candidates[0].logit
    reports: list[Report] = []
    seen_docs: set[str] = set()
    for cand in candidates:
        if cand.logit < best - gap or len(reports) >= max_reports:
            break
        chunk = cand.hit.chunk
        if chunk.doc_id in seen_docs:
            continue
        value = short_answer(asked, cand.view.text)
        if not value:
            continue
        seen_docs.add(chunk.doc_id)
        if not chunk.publisher:  # who reported it is unknown: it cannot be one outlet disagreeing with another
            if not reports:
                return []  # the best answer's outlet is unknown: nothing to set against it
            continue
        reports.append(Report(value, chunk.doc_id, chunk.publisher, chunk.date, cand))
    if len(reports) < 2:
        return []
    first = reports[0]
    differing = [
        r
        for r in reports[1:]
        if normalized(r.value, asked.kind) != normalized(first.value, asked.kind)
        and r.publisher != first.publisher
        and _days_apart(r.date, first.date) <= window_days
    ]
    if not differing:
        return []
    chosen = [first, *differing[: max_reports - 1]]
    chosen.sort(key=lambda r: r.date or "", reverse=True)  # newest first
    return chosen
