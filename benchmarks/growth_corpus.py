"""A synthetic news archive of any size made of real BBC sentences, for the growth benchmarks.

Articles are recombined from the sentences of ../shared/corpora/bbc (read from there, never copied into the
project): each takes a real headline and 8 to 14 sentences drawn from articles of one category, with a date
spread over one year. Seeded: the same arguments give the same archive.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

BBC = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "bbc"


@dataclass(frozen=True)
class SyntheticArticle:
    title: str
    text: str
    date: str
    number: int


def bbc_sentences(corpus: Path = BBC) -> dict[str, tuple[list[str], list[str]]]:
    """Per category: its headlines and its sentences."""
    from retrieval.core.text import sentence_spans

    out: dict[str, tuple[list[str], list[str]]] = {}
    for folder in sorted(p for p in corpus.iterdir() if p.is_dir()):
        titles, sentences = [], []
        for path in sorted(folder.glob("*.txt")):
            raw = path.read_bytes().decode("utf-8", errors="replace")
            title, _, body = raw.partition("\n")
            titles.append(title.strip())
            sentences += [body[s:e] for s, e in sentence_spans(body) if len(body[s:e].split()) >= 5]
        out[folder.name] = (titles, sentences)
    return out


def articles(count: int, seed: int = 7, start: date = date(2025, 1, 1), corpus: Path = BBC) -> Iterator[SyntheticArticle]:
    """``count`` synthetic articles, dated over the year from ``start``."""
    rng = random.Random(seed)
    pools = bbc_sentences(corpus)
    categories = sorted(pools)
    for n in range(count):
        titles, sentences = pools[categories[n % len(categories)]]
        body = " ".join(rng.choice(sentences) for _ in range(rng.randint(8, 14)))
        day = start + timedelta(days=rng.randrange(365))
        yield SyntheticArticle(f"{rng.choice(titles)} ({n})", body, day.isoformat(), n)
