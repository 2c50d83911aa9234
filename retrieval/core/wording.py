"""Counts that agree with their nouns, in every text a user reads: "1 article", "2 articles", "1 story"."""

from __future__ import annotations

import re


def plural(noun: str) -> str:
    """The plural of ``noun`` (its last word): "story" -> "stories", "match" -> "matches", "new article" -> "new
    articles". Irregular ones are passed to `counted` by the caller."""
    if re.search(r"[^aeiou]y$", noun):
        return noun[:-1] + "ies"
    if re.search(r"(?:s|x|z|ch|sh)$", noun):
        return noun + "es"
    return noun + "s"


def counted(n: int, noun: str, plural_form: str | None = None) -> str:
    """``n`` and ``noun`` agreeing: "1 article", "0 articles", "3 stories" (``plural_form`` when it is irregular)."""
    return f"{n} {noun if n == 1 else plural_form or plural(noun)}"
