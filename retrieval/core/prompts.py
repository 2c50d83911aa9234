"""Load user-facing texts and LLM prompts from the `prompts` package by name."""

from __future__ import annotations

from functools import cache
from importlib import resources


@cache
def load_prompt(name: str) -> str:
    """The text of ``prompts/<name>`` (``.txt``, ``.md`` or ``.html`` tried in turn), without the final newline."""
    folder = resources.files("prompts")
    for suffix in ("", ".txt", ".md", ".html"):
        candidate = folder / f"{name}{suffix}"
        if candidate.is_file():
            return candidate.read_text(encoding="utf-8").rstrip("\n")
    raise FileNotFoundError(f"no prompt named {name!r} in the prompts package")


def render_prompt(name: str, **values: object) -> str:
    """``load_prompt(name)`` with ``{placeholders}`` filled in."""
    return load_prompt(name).format(**values)
