"""Reciprocal-rank fusion on hand-built rankings."""

from __future__ import annotations

import pytest

from retrieval.search.fusion import rrf


def test_item_ranked_well_by_both_wins():
    fused = rrf([["a", "b", "c"], ["b", "c", "a"]], k=60)
    assert [item for item, _ in fused] == ["b", "a", "c"]
    assert fused[0][1] == pytest.approx(1 / 62 + 1 / 61)


def test_weights_tilt_the_fusion_and_ties_keep_first_seen_order():
    assert [i for i, _ in rrf([["a"], ["b"]], weights=[1.0, 2.0])] == ["b", "a"]
    assert [i for i, _ in rrf([["a"], ["b"]])] == ["a", "b"]


def test_one_weight_per_ranking():
    with pytest.raises(ValueError):
        rrf([["a"]], weights=[1.0, 2.0])
