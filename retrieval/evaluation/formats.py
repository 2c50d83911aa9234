"""Question sets: newsbot's own JSONL, the RGB benchmark's JSONL, and SQuAD v1.1/v2.0 JSON."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from retrieval.core.articles import make_article
from retrieval.core.types import Article

FORMATS = ("jsonl", "rgb", "squad")


@dataclass
class EvalQuestion:
    """One question. ``answers``: parts, each a list of accepted variants; empty = the right move is to decline."""

    id: str
    question: str
    answers: list[list[str]]
    sources: list[str] = field(default_factory=list)
    split: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def answerable(self) -> bool:
        return bool(self.answers)


@dataclass
class EvalSet:
    """Questions, and the documents they come with (None: the corpus is a folder or the current index)."""

    questions: list[EvalQuestion]
    documents: list[Article] | None
    format: str


def _parts(value: Any) -> list[list[str]]:
    """ "x" -> [["x"]]; ["x", "y"] -> [["x", "y"]] (variants); [["x"], ["y", "z"]] -> two parts."""
    if value is None or value == "" or value == []:
        return []
    if isinstance(value, str):
        return [[value]]
    if isinstance(value, list) and all(isinstance(v, list) for v in value):
        return [[str(x) for x in part if str(x).strip()] for part in value if part]
    if isinstance(value, list):
        return [[str(v) for v in value if str(v).strip()]]
    return [[str(value)]]


def _lines(path: Path) -> list[tuple[int, dict[str, Any]]]:
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ValueError(f"{path}: line {number}: malformed JSON ({exc.msg})") from None
        if not isinstance(row, dict):
            raise ValueError(f"{path}: line {number}: expected a JSON object")
        rows.append((number, row))
    return rows


def load_jsonl(path: Path) -> EvalSet:
    """newsbot's format: ``{"id", "question", "answers": [...], "sources": [...], "split"?}`` per line."""
    questions = []
    for number, row in _lines(path):
        if not str(row.get("question", "")).strip():
            raise ValueError(f"{path}: line {number}: no question")
        questions.append(
            EvalQuestion(
                id=str(row.get("id", f"line-{number}")),
                question=str(row["question"]),
                answers=_parts(row.get("answers", [])),
                sources=[str(s) for s in row.get("sources", [])],
                split=row.get("split"),
                meta={k: v for k, v in row.items() if k not in ("id", "question", "answers", "sources", "split")},
            )
        )
    return EvalSet(questions, None, "jsonl")


def _passage(text: str, kind: str) -> Article:
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:8]
    words = text.split()
    title = " ".join(words[:8]) + ("…" if len(words) > 8 else "")
    return make_article(text, f"{kind}:passage-{digest}", title=title)


def load_rgb(path: Path, counterfactual: bool = False) -> EvalSet:
    """RGB (Chen et al., 2023): ``id, query, answer, positive, negative`` (+ ``positive_wrong, fakeanswer``)."""
    documents: dict[str, Article] = {}
    questions = []

    def add(text: str, kind: str) -> str:
        article = _passage(text, kind)
        documents.setdefault(article.id, article)
        return article.id

    for number, row in _lines(path):
        if "query" not in row:
            raise ValueError(f"{path}: line {number}: an RGB row needs a 'query'")
        positives = [add(p, "rgb") for p in row.get("positive", []) if str(p).strip()]
        for passage in row.get("negative", []):
            if str(passage).strip():
                add(passage, "rgb")
        meta: dict[str, Any] = {}
        if counterfactual:
            for passage in row.get("positive_wrong", []):
                if str(passage).strip():
                    add(passage, "rgb-counterfactual")
            if row.get("fakeanswer"):
                meta["fakeanswer"] = row["fakeanswer"]
        questions.append(
            EvalQuestion(
                id=str(row.get("id", number)),
                question=str(row["query"]),
                answers=_parts(row.get("answer")),
                sources=positives,
                meta=meta,
            )
        )
    return EvalSet(questions, list(documents.values()), "rgb")


def load_squad(path: Path) -> EvalSet:
    """SQuAD v1.1 / v2.0: contexts become documents; ``is_impossible`` questions expect a decline."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path}: malformed JSON at line {exc.lineno} ({exc.msg})") from None
    if not isinstance(data, dict) or not isinstance(data.get("data"), list):
        raise ValueError(f"{path}: not a SQuAD file (no 'data' list)")
    documents: dict[str, Article] = {}
    questions: list[EvalQuestion] = []
    for entry in data["data"]:
        title = str(entry.get("title", "untitled")).replace("_", " ")
        for n, paragraph in enumerate(entry.get("paragraphs", [])):
            article = make_article(paragraph["context"], f"squad:{title}#{n}", title=title)
            documents.setdefault(article.id, article)
            for qa in paragraph.get("qas", []):
                impossible = bool(qa.get("is_impossible"))
                texts = [] if impossible else list(dict.fromkeys(a["text"] for a in qa.get("answers", [])))
                questions.append(
                    EvalQuestion(
                        id=str(qa.get("id", len(questions))),
                        question=str(qa["question"]),
                        answers=[texts] if texts else [],
                        sources=[] if impossible else [article.id],
                    )
                )
    return EvalSet(questions, list(documents.values()), "squad")


def guess_format(path: Path) -> str:
    head = path.read_text(encoding="utf-8", errors="replace")[:4096].lstrip()
    if head.startswith("{") and '"data"' in head and "\n{" not in head[:200]:
        try:
            json.loads(path.read_text(encoding="utf-8"))
            return "squad"
        except json.JSONDecodeError:
            pass
    first = head.splitlines()[0] if head else ""
    return "rgb" if '"query"' in first and '"positive"' in first else "jsonl"


def load(path: Path, fmt: str | None = None, counterfactual: bool = False) -> EvalSet:
    """Load a question set in ``fmt`` (guessed from the content when None)."""
    path = Path(path)
    fmt = fmt or guess_format(path)
    if fmt == "jsonl":
        return load_jsonl(path)
    if fmt == "rgb":
        return load_rgb(path, counterfactual)
    if fmt == "squad":
        return load_squad(path)
    raise ValueError(f"unknown question format {fmt!r}; expected one of {', '.join(FORMATS)}")
