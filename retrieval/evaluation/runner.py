"""Run a question set through retrieval and the answerer, per retrieval mode, and build the report."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

from retrieval.core.settings import Settings
from retrieval.core.types import Hit
from retrieval.evaluation.formats import EvalQuestion, EvalSet
from retrieval.evaluation.metrics import QuestionResult, contains_answer, normalize, summarize

RANK_DEPTH = 10  # hit@10 and mrr@10 need the first ten chunks
ANSWER_DEPTH = 8  # the answerer reads the same number of chunks as `ask`
Progress = Callable[[str, int, int], None]


def eval_settings(settings: Settings, key: str) -> Settings:
    """Settings for an evaluation index of its own, so evaluating never mixes with the user's articles."""
    digest = hashlib.sha256(key.encode()).hexdigest()[:12]
    return settings.model_copy(update={"collection": f"eval-{digest}"})


def embedding_key(settings: Settings) -> str:
    """What makes vectors and passages differ: the model (int8 or not) and the chunking settings."""
    from retrieval.search.embeddings import model_identity

    s = settings
    int8 = "+int8" if s.embedding_backend == "onnx-int8" else ""
    chunking = f"{s.chunk_tokens}|{s.chunk_overlap_sentences}|title-{s.chunk_title}"
    return f"{model_identity(s.embedding_model)}{int8}|{chunking}"


def corpus_key(evalset: EvalSet, corpus: Path | None, questions_path: Path) -> str | None:
    """What identifies the evaluation index: the corpus folder, or the question file that holds passages."""
    if corpus is not None:
        return f"dir:{corpus.resolve()}"
    if evalset.documents is not None:
        return f"file:{hashlib.sha256(questions_path.read_bytes()).hexdigest()}"
    return None


class Relevance:
    """Decides whether a retrieved chunk is relevant to a question."""

    def __init__(self, corpus: Path | None) -> None:
        self.corpus = corpus.resolve() if corpus else None

    def __call__(self, question: EvalQuestion, hit: Hit, files: dict[str, tuple[str, ...]]) -> bool:
        """``files``: per indexed article, its file and the sources of the reprints grouped under it."""
        chunk = hit.chunk
        if question.sources:
            names = {chunk.doc_id, chunk.source, chunk.url or "", *files.get(chunk.doc_id, ())}
            for name in list(names):
                if self.corpus and name.startswith(str(self.corpus) + "/"):
                    names.add(name[len(str(self.corpus)) + 1 :])
            return any(src in names or any(n.endswith("/" + src) for n in names if n) for src in question.sources)
        if question.answerable:
            return contains_answer(chunk.text, question.answers)
        return False


def first_rank(flags: list[bool]) -> int | None:
    return next((i for i, flag in enumerate(flags, 1) if flag), None)


def run_eval(
    newsbot: Any,
    evalset: EvalSet,
    modes: list[str],
    k: int = 5,
    corpus: Path | None = None,
    progress: Progress | None = None,
    answerer: str | None = None,
) -> dict[str, Any]:
    """Evaluate every question in every mode; returns the report (default mode's figures at the top level).

    ``answerer`` is "extractive", "llm" or None (the settings decide); the report names the one that ran and
    counts the answers each answerer produced (an LLM answer replaced by the extractive one is a fallback).
    """
    from retrieval.llm import resolve_answerer

    chosen = resolve_answerer(answerer, newsbot.settings.llm)
    produced: dict[str, int] = {}
    relevance = Relevance(corpus)
    files = _files_and_copies(newsbot)
    per_mode: dict[str, list[QuestionResult]] = {mode: [] for mode in modes}
    rows: list[dict[str, Any]] = []
    total = len(evalset.questions) * len(modes)
    done = 0
    for question in evalset.questions:
        for mode in modes:
            result, by = _one(newsbot, question, mode, relevance, files, chosen)
            produced[by] = produced.get(by, 0) + 1
            per_mode[mode].append(result)
            rows.append(asdict(result))
            done += 1
            if progress:
                progress("questions", done, total)
    primary = newsbot.settings.retrieval_mode if newsbot.settings.retrieval_mode in modes else modes[0]
    report: dict[str, Any] = dict(summarize(per_mode[primary]))
    report["mode"] = primary
    report["k"] = k
    report["answerer"] = chosen
    report["answers_by"] = produced
    report["format"] = evalset.format
    if len(modes) > 1:
        report["modes"] = {mode: summarize(results) for mode, results in per_mode.items()}
    report["questions"] = rows
    return report


def _files_and_copies(newsbot: Any) -> dict[str, tuple[str, ...]]:
    """Each indexed article's file, then the sources of its reprints: a question about a reprint (a corpus
    that holds the same story twice) is answered from the article its group is indexed under."""
    files = {doc_id: info.file for doc_id, info in newsbot.index.view.documents.all_files().items()}
    copies = newsbot.reprints.copies_of(files) if newsbot.reprints is not None else {}
    return {doc_id: (file, *(c.source for c in copies.get(doc_id, []))) for doc_id, file in files.items()}


def _one(
    newsbot: Any,
    question: EvalQuestion,
    mode: str,
    relevance: Relevance,
    files: dict[str, tuple[str, ...]],
    answerer: str,
) -> tuple[QuestionResult, str]:
    from retrieval.asking.query import Query

    started = time.perf_counter()
    try:
        # the question flow `ask` runs (time words, recency, conflicts), ten chunks deep for hit@10
        query = Query(question.question, mode=mode, answerer=answerer, reference=_asked_on(question))
        got = newsbot.asker.retrieve(query, depth=RANK_DEPTH)
        hits = got.hits
        flags = [relevance(question, hit, files) for hit in hits]
        got.hits = hits[:ANSWER_DEPTH]
        answer = newsbot.asker.answer_retrieved(got, query)
        seconds = time.perf_counter() - started
        relevant_docs = {h.chunk.doc_id for h, f in zip(hits, flags, strict=False) if f}
        citations = [
            {
                "n": c.n,
                "quote": c.quote,
                "source": c.source,
                "date": c.date,
                "relevant": c.doc_id in relevant_docs or _quote_relevant(question, c.quote, c.doc_id, relevance),
            }
            for c in answer.citations
        ]
        return QuestionResult(
            id=question.id,
            question=question.question,
            expected=question.answers,
            answer=answer.answer,
            found=answer.found,
            rank=first_rank(flags),
            citations=citations,
            seconds=seconds,
            answerable=question.answerable,
            mode=mode,
            short=answer.short,
            kind=question.meta.get("type"),
            expected_range=question.meta.get("expected_range"),
            conflict_expected=question.meta.get("conflict"),
            conflict=bool(answer.conflict),
        ), answer.answerer
    except Exception as exc:  # noqa: BLE001 - one broken question must not stop the evaluation
        return QuestionResult(
            id=question.id,
            question=question.question,
            expected=question.answers,
            answer="",
            found=False,
            rank=None,
            citations=[],
            seconds=time.perf_counter() - started,
            answerable=question.answerable,
            mode=mode,
            error=f"{exc.__class__.__name__}: {exc}",
        ), "error"


def _quote_relevant(question: EvalQuestion, quote: str, doc_id: str, relevance: Relevance) -> bool:
    if question.sources:
        return doc_id in question.sources
    return question.answerable and bool(normalize(quote)) and contains_answer(quote, question.answers)


def _asked_on(question: EvalQuestion) -> Any:
    """The day a question was asked (``asked_on`` in the question file), for its time words; else None."""
    from datetime import date

    value = question.meta.get("asked_on")
    try:
        return date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None
