"""Hybrid retrieval: dense (Chroma) and BM25 rankings fused by RRF, with date and source filters."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from retrieval.core.types import Chunk, Hit
from retrieval.search.fusion import rrf

if TYPE_CHECKING:
    from retrieval.search.embeddings import Embedder
    from retrieval.store import Index

MODES = ("hybrid", "dense", "bm25")


@dataclass(frozen=True)
class Filters:
    """Restrict a search to articles dated within [since, until] (ISO dates), whose source matches, and/or among
    ``doc_ids`` (the articles of a conversation's story)."""

    since: str | None = None
    until: str | None = None
    source: str | None = None
    doc_ids: frozenset[str] | None = None

    def __bool__(self) -> bool:
        return bool(self.since or self.until or self.source or self.doc_ids is not None)

    def allows(self, chunk: Chunk) -> bool:
        if self.doc_ids is not None and chunk.doc_id not in self.doc_ids:
            return False
        if self.since and (not chunk.date or chunk.date < self.since):
            return False
        if self.until and (not chunk.date or chunk.date > self.until):
            return False
        if self.source:
            needle = self.source.lower()
            return needle in chunk.source.lower() or needle in (chunk.url or "").lower() or needle == chunk.doc_id
        return True


class Searcher:
    """Runs one retrieval mode over an `Index`; ``embedder`` embeds queries given without a vector."""

    def __init__(
        self,
        index: Index,
        embedder: Embedder,
        candidates: int = 30,
        rrf_k: int = 60,
        weights: tuple[float, float] = (1.0, 1.0),
    ) -> None:
        self.index = index
        self.embedder = embedder
        self.candidates = candidates
        self.rrf_k = rrf_k
        self.weights = weights

    def search(
        self,
        query: str,
        k: int = 5,
        mode: str = "hybrid",
        filters: Filters | None = None,
        vector: list[float] | None = None,
    ) -> list[Hit]:
        """The ``k`` best chunks for ``query``; ``vector`` may carry a precomputed query embedding."""
        if mode not in MODES:
            raise ValueError(f"unknown retrieval mode {mode!r}; expected one of {', '.join(MODES)}")
        allowed = None  # dates are filtered by the stores themselves; a source or a story names the articles
        since, until = (filters.since, filters.until) if filters else (None, None)
        if filters and (filters.source or filters.doc_ids is not None):
            if filters.source:
                allowed = self.index.view.documents.doc_ids_where(since, until, filters.source)
                if filters.doc_ids is not None:
                    allowed &= filters.doc_ids
            else:
                allowed = set(filters.doc_ids or ())
            if not allowed:
                return []
        n = max(self.candidates, k)
        dense: list[tuple[Chunk, float]] = []
        lexical: list[tuple[Chunk, float]] = []
        if mode in ("hybrid", "dense"):
            if vector is None:
                vector = self.embedder.embed_query(query)
            dense = self.index.dense_search(vector, n, allowed, since, until)
        if mode in ("hybrid", "bm25"):
            lexical = self.index.view.keywords.search(query, n, allowed, since, until)
        dense_rank = {c.id: i for i, (c, _) in enumerate(dense, 1)}
        dense_score = {c.id: s for c, s in dense}
        bm25_rank = {c.id: i for i, (c, _) in enumerate(lexical, 1)}
        chunks = {c.id: c for c, _ in lexical} | {c.id: c for c, _ in dense}
        ranked: list[tuple[str, float]]
        if mode == "dense":
            ranked = [(c.id, s) for c, s in dense]
        elif mode == "bm25":
            ranked = [(c.id, s) for c, s in lexical]
        else:
            ranked = rrf([[c.id for c, _ in dense], [c.id for c, _ in lexical]], self.weights, self.rrf_k)
        return [
            Hit(chunks[cid], float(score), dense_rank.get(cid), bm25_rank.get(cid), dense_score.get(cid))
            for cid, score in ranked[:k]
        ]
