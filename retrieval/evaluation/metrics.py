"""Evaluation metrics: pure functions over answers and ranks, plus the per-question result and its summary."""

from __future__ import annotations

import re
import string
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

Answers = list[list[str]]  # parts, each a list of accepted variants; [] = unanswerable
_ARTICLES = re.compile(r"\b(a|an|the)\b")
_PUNCT = str.maketrans({ch: " " for ch in string.punctuation + "“”‘’–—…"})


def normalize(text: str) -> str:
    """SQuAD-style: lower case, punctuation and articles removed, whitespace collapsed."""
    return " ".join(_ARTICLES.sub(" ", text.lower().translate(_PUNCT)).split())


def contains_answer(text: str, answers: Answers) -> bool:
    """Every part has a variant that occurs in ``text`` as whole words (after normalising both)."""
    if not answers:
        return False
    haystack = f" {normalize(text)} "
    return all(any(f" {normalize(v)} " in haystack for v in part if normalize(v)) for part in answers)


def short_matches(short: str | None, answers: Answers) -> bool:
    """The short answer equals an accepted variant of every part (after normalising both)."""
    if not short or not answers:
        return False
    return all(any(normalize(short) == normalize(v) for v in part) for part in answers)


_QUOTES_MARKERS = re.compile(r"\[\d+\]")


def _f1(prediction: str, truth: str) -> float:
    pred, gold = normalize(prediction).split(), normalize(truth).split()
    common = sum((Counter(pred) & Counter(gold)).values())
    if not pred or not gold or common == 0:
        return 0.0
    precision, recall = common / len(pred), common / len(gold)
    return 2 * precision * recall / (precision + recall)


def token_f1(prediction: str, answers: Answers, declined: bool = False) -> float:
    """SQuAD token F1, best variant per part, mean over parts. Unanswerable: 1 if declined, else 0."""
    if not answers:
        return 1.0 if declined else 0.0
    if declined:
        return 0.0
    return sum(max(_f1(prediction, v) for v in part) for part in answers) / len(answers)


def first_relevant_rank(relevance: Sequence[bool]) -> int | None:
    """1-based rank of the first relevant item; ties were broken by the order given."""
    return next((i for i, flag in enumerate(relevance, 1) if flag), None)


def hit_at(ranks: Sequence[int | None], k: int) -> float | None:
    """Share of rankings with a relevant item in the top ``k`` (None when there is nothing to count)."""
    if not ranks:
        return None
    return sum(1 for r in ranks if r is not None and r <= k) / len(ranks)


def mrr_at(ranks: Sequence[int | None], k: int = 10) -> float | None:
    """Mean reciprocal rank, counting ranks beyond ``k`` (or none) as 0."""
    if not ranks:
        return None
    return sum(1 / r for r in ranks if r is not None and r <= k) / len(ranks)


def percentile(values: Sequence[float], p: float) -> float | None:
    """Linear-interpolation percentile (numpy's default); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    pos = (len(ordered) - 1) * p / 100
    low = int(pos)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


@dataclass
class QuestionResult:
    """One question in one retrieval mode."""

    id: str
    question: str
    expected: Answers
    answer: str
    found: bool
    rank: int | None
    citations: list[dict[str, Any]] = field(default_factory=list)  # n, quote, source, relevant
    seconds: float = 0.0
    answerable: bool = True
    mode: str = "hybrid"
    error: str | None = None
    short: str | None = None  # the answer's short span, if it gave one
    kind: str | None = None  # the question's type in time-aware sets: "time", "latest", "conflict", "control"
    expected_range: list[str] | None = None  # [since, until] a time question's answer must come from
    conflict_expected: bool | None = None  # the question's reports differ (None: not labelled)
    conflict: bool = False  # the answer said that reports differ


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def summarize(results: Sequence[QuestionResult]) -> dict[str, Any]:
    """The report's figures; each is None when computed over zero questions."""
    answerable = [r for r in results if r.answerable]
    unanswerable = [r for r in results if not r.answerable]
    ranks = [r.rank for r in answerable if r.error is None]
    cited = [c["relevant"] for r in answerable for c in r.citations]
    return {
        "hit@1": hit_at(ranks, 1),
        "hit@3": hit_at(ranks, 3),
        "hit@5": hit_at(ranks, 5),
        "hit@10": hit_at(ranks, 10),
        "mrr@10": mrr_at(ranks, 10),
        "answer_accuracy": _mean(
            [1.0 if r.found and contains_answer(r.answer, r.expected) else 0.0 for r in answerable]
        ),
        "token_f1": _mean([token_f1(r.answer, r.expected, declined=not r.found) for r in answerable]),
        "citation_precision": _mean([1.0 if c else 0.0 for c in cited]),
        "answer_words": _mean([float(len(_QUOTES_MARKERS.sub(" ", r.answer).split())) for r in answerable if r.found]),
        "short_rate": _mean([1.0 if r.found and r.short else 0.0 for r in answerable]),
        "short_exact_match": _mean(
            [1.0 if r.found and short_matches(r.short, r.expected) else 0.0 for r in answerable]
        ),
        "refusal_accuracy": _mean([0.0 if r.found else 1.0 for r in unanswerable]),
        "false_refusal_rate": _mean([0.0 if r.found else 1.0 for r in answerable]),
        "latency_p50": percentile([r.seconds for r in results], 50),
        "latency_p95": percentile([r.seconds for r in results], 95),
        **time_figures(results),
        "counts": {
            "questions": len(results),
            "answerable": len(answerable),
            "unanswerable": len(unanswerable),
            "with_relevance": len(ranks),
            "citations": len(cited),
        },
    }


def _in_range(citations: list[dict[str, Any]], expected: list[str] | None) -> bool:
    if not expected or not citations:
        return bool(citations)
    since, until = expected
    return all(c.get("date") and since <= c["date"] <= until for c in citations)


def time_figures(results: Sequence[QuestionResult]) -> dict[str, Any]:
    """Time-aware figures, over the questions labelled for them (None when a set has no such labels).

    - time_filter_accuracy: "time" questions answered right with every citation inside the expected range;
    - latest_accuracy: "latest" questions answered right (the newest report's value);
    - conflict_precision / conflict_recall: answers flagged "reports differ" against the labels;
    - conflict_flag_rate: the share of all answers flagged (e.g. with RGB's counterfactual passages).
    """
    timed = [r for r in results if r.kind == "time"]
    latest = [r for r in results if r.kind == "latest"]
    labelled = [r for r in results if r.conflict_expected is not None]
    flagged = [r for r in labelled if r.conflict]
    positives = [r for r in labelled if r.conflict_expected]
    right = [r for r in flagged if r.conflict_expected]

    def correct(r: QuestionResult) -> bool:
        return r.found and contains_answer(r.answer, r.expected)

    return {
        "time_filter_accuracy": _mean(
            [1.0 if correct(r) and _in_range(r.citations, r.expected_range) else 0.0 for r in timed]
        ),
        "latest_accuracy": _mean([1.0 if correct(r) else 0.0 for r in latest]),
        "conflict_precision": len(right) / len(flagged) if flagged else (None if not labelled else 0.0),
        "conflict_recall": len(right) / len(positives) if positives else None,
        "conflict_flag_rate": _mean([1.0 if r.conflict else 0.0 for r in results]),
    }
