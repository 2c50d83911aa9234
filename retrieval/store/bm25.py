"""BM25 over the indexed chunks (title + text, stemmed terms): a scorer and nothing else.

bm25s builds the index; a saved index is read back and scored with numpy alone (`Bm25Matrix`), so a process
that only answers never imports bm25s and the scipy it pulls in (about 0.2 s of a bot's start).
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from retrieval.core.text import terms
from retrieval.core.types import Chunk

IDF_PRIOR = 50  # chunks without a term assumed beside the collection: idf stays sane in tiny collections


class Bm25Scorer:
    """bm25s scores of every chunk for a query, plus the document frequencies the answerer weighs terms by.

    ``chunks`` is the order scores come back in (the chunk table's order).
    """

    def __init__(self, chunks: list[Chunk], matrix: Bm25Matrix | None = None, df: dict[str, int] | None = None) -> None:
        self.chunks = chunks
        self.df: dict[str, int] = df if df is not None else {}
        self._title_terms: set[str] | None = None
        self._matrix = matrix if matrix is not None or df is not None else self._build(chunks)

    def _build(self, chunks: list[Chunk]) -> Bm25Matrix | None:
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
        return Bm25Matrix.from_bm25s(retriever)

    def idf(self, term: str) -> float:
        """Idf of ``term`` over the chunks, smoothed by a prior of 50 chunks without it (tiny collections)."""
        return math.log((len(self.chunks) + IDF_PRIOR) / (self.df.get(term, 0) + 0.5))

    def known(self, term: str) -> bool:
        """True when some chunk's text or some article's title holds ``term`` (a name may stand only in a title)."""
        if term in self.df:
            return True
        if self._title_terms is None:
            self._title_terms = {t for title in {c.title for c in self.chunks} for t in terms(title)}
        return term in self._title_terms

    def search(self, query: str, n: int, allowed: set[str] | None = None) -> list[tuple[Chunk, float]]:
        """The ``n`` best chunks for ``query`` (only chunks of ``allowed`` documents when given)."""
        if self._matrix is None or n <= 0:
            return []
        import numpy as np

        vocab = self._matrix.vocab_dict
        query_terms = [t for t in terms(query) if t in vocab]
        if not query_terms:
            return []
        mask = None
        if allowed is not None:
            mask = np.array([1.0 if c.doc_id in allowed else 0.0 for c in self.chunks], dtype=np.float32)
            if not mask.any():
                return []
        # scores of every chunk, then the top k: bm25s's `retrieve` adds a thread pool and a progress bar per call
        scores = self._matrix.get_scores(query_terms, weight_mask=mask)
        k = min(n, len(scores))
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.lexsort((top, -scores[top]))]  # best first; ties in index order (deterministic)
        return [(self.chunks[int(i)], float(scores[i])) for i in top if scores[i] > 0]

    def save(self, folder: Path) -> None:
        """Write the index into ``folder`` in bm25s's layout (the caller writes the chunks and df beside it)."""
        if self._matrix is not None:
            self._matrix.save(folder / "index")

    @classmethod
    def load(cls, folder: Path, chunks: list[Chunk], df: dict[str, int]) -> Bm25Scorer:
        return cls(chunks, Bm25Matrix.load(folder / "index") if chunks else None, df)


class Bm25Matrix:
    """A built BM25 index as bm25s keeps it (per term, the chunks holding it and their scores, CSC arrays),
    scored the way bm25s scores it (the sum of the query terms' columns), with numpy only."""

    FILES = ("data", "indices", "indptr")

    def __init__(self, vocab: dict[str, int], arrays: dict[str, Any], params: dict[str, Any]) -> None:
        self.vocab_dict = vocab
        self.arrays = arrays
        self.params = params

    @classmethod
    def from_bm25s(cls, retriever: Any) -> Bm25Matrix:
        import bm25s

        if retriever.method in retriever.methods_requiring_nonoccurrence:  # never chosen here; kept honest
            raise ValueError(f"BM25 variant {retriever.method!r} is not supported")
        params = {
            name: getattr(retriever, name)
            for name in ("k1", "b", "delta", "method", "idf_method", "dtype", "int_dtype")
        }
        params.update(num_docs=retriever.scores["num_docs"], version=bm25s.__version__, backend="numpy")
        return cls(dict(retriever.vocab_dict), {name: retriever.scores[name] for name in cls.FILES}, params)

    def get_scores(self, query_terms: list[str], weight_mask: Any = None) -> Any:
        """Every chunk's score for the terms (unknown terms are skipped), times ``weight_mask`` when given."""
        import numpy as np

        data, indices, indptr = (self.arrays[name] for name in self.FILES)
        scores = np.zeros(int(self.params["num_docs"]), dtype=np.dtype(self.params.get("dtype", "float32")))
        for term in query_terms:
            token = self.vocab_dict.get(term)
            if token is not None:
                start, end = indptr[token], indptr[token + 1]
                np.add.at(scores, indices[start:end], data[start:end])
        if weight_mask is not None:
            scores *= weight_mask
        return scores

    def save(self, folder: Path) -> None:
        import numpy as np

        folder.mkdir(parents=True, exist_ok=True)
        for name in self.FILES:
            np.save(folder / f"{name}.csc.index.npy", self.arrays[name], allow_pickle=False)
        (folder / "vocab.index.json").write_text(json.dumps(self.vocab_dict, ensure_ascii=False), encoding="utf-8")
        (folder / "params.index.json").write_text(json.dumps(self.params, indent=4), encoding="utf-8")

    @classmethod
    def load(cls, folder: Path) -> Bm25Matrix:
        """A saved index; ValueError when it is one this scorer cannot read (the caller rebuilds it)."""
        import numpy as np

        params = json.loads((folder / "params.index.json").read_text(encoding="utf-8"))
        if params.get("method") not in ("lucene", "robertson", "atire"):
            raise ValueError(f"BM25 variant {params.get('method')!r} is not supported")
        vocab = json.loads((folder / "vocab.index.json").read_text(encoding="utf-8"))
        arrays = {name: np.load(folder / f"{name}.csc.index.npy", allow_pickle=False) for name in cls.FILES}
        return cls(vocab, arrays, params)


def _to_ids(corpus: Iterable[list[str]]) -> tuple[list[list[int]], dict[str, int]]:
    vocab: dict[str, int] = {}
    ids = [[vocab.setdefault(t, len(vocab)) for t in doc] for doc in corpus]
    return ids, vocab
