"""BM25 over the indexed chunks (title + text, stemmed terms): a scorer and nothing else."""

from __future__ import annotations

import logging
import math
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from retrieval.text import terms
from retrieval.types import Chunk

IDF_PRIOR = 50  # chunks without a term assumed beside the collection: idf stays sane in tiny collections


class Bm25Scorer:
    """bm25s scores of every chunk for a query, plus the document frequencies the answerer weighs terms by.

    ``chunks`` is the order scores come back in (the chunk table's order).
    """

    def __init__(self, chunks: list[Chunk], retriever: Any = None, df: dict[str, int] | None = None) -> None:
        self.chunks = chunks
        self.df: dict[str, int] = df if df is not None else {}
        self._retriever = retriever if retriever is not None or df is not None else self._build(chunks)

    def _build(self, chunks: list[Chunk]) -> Any:
        if not chunks:
            return None
        import bm25s

        logging.getLogger("bm25s").setLevel(logging.WARNING)
        retriever = bm25s.BM25()
        titles: dict[str, list[str]] = {}
        corpus = []
        for c in chunks:
            body = terms(c.text)
            for term in set(body):  # df over the text only: titles repeat in every chunk of an article
                self.df[term] = self.df.get(term, 0) + 1
            title = titles.get(c.title)
            if title is None:
                title = titles[c.title] = terms(c.title)
            corpus.append(title + body or ["_empty_"])
        retriever.index(bm25s.tokenization.Tokenized(*_to_ids(corpus)), show_progress=False)
        return retriever

    def idf(self, term: str) -> float:
        """Idf of ``term`` over the chunks, smoothed by a prior of 50 chunks without it (tiny collections)."""
        return math.log((len(self.chunks) + IDF_PRIOR) / (self.df.get(term, 0) + 0.5))

    def known(self, term: str) -> bool:
        """True when some chunk's text holds ``term``."""
        return term in self.df

    def search(self, query: str, n: int, allowed: set[str] | None = None) -> list[tuple[Chunk, float]]:
        """The ``n`` best chunks for ``query`` (only chunks of ``allowed`` documents when given)."""
        if self._retriever is None or n <= 0:
            return []
        import numpy as np

        vocab = self._retriever.vocab_dict
        query_terms = [t for t in terms(query) if t in vocab]
        if not query_terms:
            return []
        mask = None
        if allowed is not None:
            mask = np.array([1.0 if c.doc_id in allowed else 0.0 for c in self.chunks], dtype=np.float32)
            if not mask.any():
                return []
        # scores of every chunk, then the top k: bm25s's `retrieve` adds a thread pool and a progress bar per call
        scores = self._retriever.get_scores(query_terms, weight_mask=mask)
        k = min(n, len(scores))
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.lexsort((top, -scores[top]))]  # best first; ties in index order (deterministic)
        return [(self.chunks[int(i)], float(scores[i])) for i in top if scores[i] > 0]

    def save(self, folder: Path) -> None:
        """Write the bm25s index into ``folder`` (the caller writes the chunks and df beside it)."""
        if self._retriever is not None:
            self._retriever.save(str(folder / "index"), show_progress=False)

    @classmethod
    def load(cls, folder: Path, chunks: list[Chunk], df: dict[str, int]) -> Bm25Scorer:
        retriever = None
        if chunks:
            import bm25s

            retriever = bm25s.BM25.load(str(folder / "index"))
        return cls(chunks, retriever, df)


def _to_ids(corpus: Iterable[list[str]]) -> tuple[list[list[int]], dict[str, int]]:
    vocab: dict[str, int] = {}
    ids = [[vocab.setdefault(t, len(vocab)) for t in doc] for doc in corpus]
    return ids, vocab
