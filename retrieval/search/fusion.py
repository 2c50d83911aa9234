"""Reciprocal-rank fusion of several rankings: pure, and easy to test with hand-built lists."""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import TypeVar

K = TypeVar("K", bound=Hashable)


def rrf(rankings: Sequence[Sequence[K]], weights: Sequence[float] | None = None, k: int = 60) -> list[tuple[K, float]]:
    """Fuse rankings (best first) by weighted reciprocal rank: score(d) = sum w / (k + rank).

    Ties keep the order in which items were first seen, earlier rankings first.
    """
    weights = list(weights) if weights is not None else [1.0] * len(rankings)
    if len(weights) != len(rankings):
        raise ValueError("one weight per ranking")
    scores: dict[K, float] = {}
    for ranking, weight in zip(rankings, weights, strict=True):
        for rank, item in enumerate(ranking, 1):
            scores[item] = scores.get(item, 0.0) + weight / (k + rank)
    order = {item: i for i, item in enumerate(scores)}
    return sorted(scores.items(), key=lambda pair: (-pair[1], order[pair[0]]))
