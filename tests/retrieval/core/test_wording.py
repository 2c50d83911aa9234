"""Counts agree with their nouns: "1 article", never "1 articles"."""

from __future__ import annotations

from retrieval.core.wording import counted


def test_one_is_singular_and_any_other_count_plural():
    assert [counted(n, "article") for n in (0, 1, 2)] == ["0 articles", "1 article", "2 articles"]
    assert [counted(n, "story") for n in (1, 3)] == ["1 story", "3 stories"]
    assert [counted(n, "match") for n in (1, 2)] == ["1 match", "2 matches"]
    assert counted(2, "day") == "2 days" and counted(2, "new article") == "2 new articles"
    assert counted(2, "person", "people") == "2 people"
