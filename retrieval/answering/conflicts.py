"""Reports of one fact that differ: a conflict between outlets, or a figure that moved as the story developed.

The answerer's best candidates that answer the question (a score within a gap of the best one's) are read for
the fact the question asks for (the reader's span, else `spans.short_answer`: a figure, a date, a name, a
place). Values of different measures are never compared (a head count is not a cost).

- **Conflict** (`find_conflict`): two articles from different outlets give different values and were published
  within ``window_days`` of each other, the later one not saying that the fact changed ("has now burned",
  "bringing the toll to"): the answer says so and quotes each, newest first. A report with no date or no known
  outlet is never part of a conflict (an undated archive is not a dispute); an article that corrects itself is
  one article.
- **Update** (`find_update`): dated reports of different days give different values: the story moved on. The
  newest is the answer, and the earlier values are named ("38, up from 23 and 9 in earlier reports").
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

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


# the later report says the fact moved: a new figure, not a dispute with the earlier one
_CHANGED = re.compile(
    r"\b(?:now|risen|rose|rises|grown|grew|grows|climbed|increased|fallen|fell|dropped|bringing|brought|so far|"
    r"revised|updated|up from|down from|postponed|delayed|moved|brought forward|rescheduled|another|more)\b",
    re.IGNORECASE,
)
_MONEY = re.compile(r"[$£€¥]|\b(?:dollars?|pounds?|euros?|yen|crowns?|francs?|rupees?|cents?|pence|bn|m)\b", re.I)
_PERCENT = re.compile(r"%|\bper\s*cent\b|\bpercent(?:age)?\b", re.IGNORECASE)
ValueOf = Callable[[Any], "str | None"]  # a candidate -> the value it gives


def normalized(value: str, kind: str) -> str:
    """Values compare by their figure ("41" and "41 people"), or case- and space-insensitively."""
    if kind == "how_many":
        return figure_key(value)
    return " ".join(value.lower().split())


def measure(value: str, sentence: str = "") -> str:
    """What a value measures, roughly: "money", "percent" or "plain" (a count, a date, a name)."""
    if _MONEY.search(value):
        return "money"
    if _PERCENT.search(value):
        return "percent"
    if re.fullmatch(r"[\d.,]+", value.strip()) and sentence:  # "4" of "4 million dollars": the words after it
        after = sentence[sentence.find(value) + len(value) :][:24] if value in sentence else ""
        if _MONEY.match(after.strip()) or re.match(
            r"\s*(?:million|billion|thousand)\s+(?:dollars|pounds|euros)", after
        ):
            return "money"
        if _PERCENT.match(after.strip()):
            return "percent"
    return "plain"


def _days_apart(a: str | None, b: str | None) -> float:
    if not a or not b:
        return float("inf")  # an undated report cannot be placed beside another: an archive is not a dispute
    return abs((date.fromisoformat(a) - date.fromisoformat(b)).days)


def _rules_value(asked: QuestionProfile) -> ValueOf:
    return lambda cand: short_answer(asked, cand.view.text)


def find_conflict(
    asked: QuestionProfile,
    candidates: list,
    gap: float,
    window_days: float,
    max_reports: int = 4,
    value_of: ValueOf | None = None,
    answers: Callable[[object], bool] | None = None,
) -> list[Report]:
    """Reports that disagree (newest first), or [] when the top candidates agree or cannot be compared.

    ``candidates`` are the answerer's, best first, each with ``logit`` (the sentence model's score),
    ``view.text`` and ``hit.chunk`` (doc_id, publisher, source, date); those within ``gap`` of the best answer too,
    when ``answers(candidate)`` says so (default: all). ``value_of(candidate)`` reads the fact (default: the rules
    of `spans.short_answer`).
    """
    if asked.kind not in SHORT_KINDS or not candidates:
        return []
    value_of = value_of or _rules_value(asked)
    best = candidates[0].logit
    reports: list[Report] = []
    seen_docs: set[str] = set()
    for cand in candidates:
        if cand.logit < best - gap or len(reports) >= max_reports:
            break
        chunk = cand.hit.chunk
        if chunk.doc_id in seen_docs or (answers is not None and cand is not candidates[0] and not answers(cand)):
            continue
        value = value_of(cand)
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
        and _comparable(first, r)
        and r.publisher != first.publisher
        and _days_apart(r.date, first.date) <= window_days
        and not _moved_on(first, r)
    ]
    if not differing:
        return []
    chosen = [first, *differing[: max_reports - 1]]
    chosen.sort(key=lambda r: r.date or "", reverse=True)  # newest first
    return chosen


def _text(report: Report) -> str:
    return str(getattr(getattr(report.candidate, "view", None), "text", ""))


def _comparable(a: Report, b: Report) -> bool:
    """The two values measure the same kind of thing (not a head count against a cost)."""
    return measure(a.value, _text(a)) == measure(b.value, _text(b))


def _moved_on(a: Report, b: Report) -> bool:
    """Of two reports of different days, the later one says the fact changed ("has now burned 9,300 acres")."""
    if not a.date or not b.date or a.date == b.date:
        return False
    later = a if a.date > b.date else b
    return bool(_CHANGED.search(_text(later)))


def find_update(
    asked: QuestionProfile,
    candidates: list,
    gap: float,
    value_of: ValueOf | None = None,
    answers: Callable[[object], bool] | None = None,
    max_reports: int = 3,
) -> list[Report]:
    """Dated reports of different days that give different values of the fact: newest first, each value once
    (its newest report); [] when the answering reports agree, are undated, or are of one day."""
    if asked.kind not in SHORT_KINDS or not candidates:
        return []
    value_of = value_of or _rules_value(asked)
    best = candidates[0].logit
    by_value: dict[str, Report] = {}
    seen_docs: set[str] = set()
    for cand in candidates:
        if cand.logit < best - gap:
            break
        chunk = cand.hit.chunk
        if chunk.doc_id in seen_docs or not chunk.date or (answers is not None and not answers(cand)):
            continue
        value = value_of(cand)
        if not value:
            continue
        seen_docs.add(chunk.doc_id)
        report = Report(value, chunk.doc_id, chunk.publisher or "", chunk.date, cand)
        key = normalized(value, asked.kind)
        if key not in by_value or (by_value[key].date or "") < chunk.date:
            by_value[key] = report
    reports = sorted(by_value.values(), key=lambda r: r.date or "", reverse=True)
    if len(reports) < 2:
        return []
    newest = reports[0]
    earlier = [r for r in reports[1:] if r.date != newest.date and _comparable(newest, r)]
    return [newest, *earlier[: max_reports - 1]] if earlier else []


def update_text(reports: list[Report], kind: str) -> str:
    """ "38 [1], up from 23 [2] and 9 [3] in earlier reports" (citation numbers in report order); a fact that is
    not a figure: "13 April [1]; an earlier report said 23 March [2]"."""
    newest, earlier = reports[0], reports[1:]
    listed = [f"{r.value} [{n}]" for n, r in enumerate(earlier, 2)]
    joined = listed[0] if len(listed) == 1 else ", ".join(listed[:-1]) + f" and {listed[-1]}"
    reports_word = "an earlier report" if len(earlier) == 1 else "earlier reports"
    try:
        rose = float(figure_key(newest.value)) > float(figure_key(earlier[0].value))
    except ValueError:
        rose = None
    if rose is None or kind == "when":
        return f"{newest.value} [1]; {reports_word} said {joined}"
    return f"{newest.value} [1], {'up' if rose else 'down'} from {joined} in {reports_word}"
