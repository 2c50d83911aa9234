"""The bundled seed articles, installed with the package so that a fresh install can answer at once."""

from __future__ import annotations

from pathlib import Path


def seed_files() -> list[Path]:
    """The seed article files shipped with newsbot."""
    folder = Path(__file__).parent
    return sorted(p for p in folder.iterdir() if p.suffix in (".txt", ".md", ".json", ".jsonl", ".html"))


def eval_questions() -> Path:
    """The question set about the seed articles."""
    return Path(__file__).parent / "eval" / "questions.jsonl"
