"""Soft word matching: "sacked" meets "dismissed" through the embedding model's own input word vectors.

The first layer of the sentence-transformers model maps each word piece to a vector; words that mean the same
have close vectors (cosine 0.3 to 0.7 for "sacked"/"dismissed", "talks"/"negotiations", "film"/"movie"; about 0 for
unrelated words). Reading that matrix from the model's safetensors file costs about 0.1 s and 23 MB (kept as
float16) and no extra download; a model without one simply gives no soft matches.
"""

from __future__ import annotations

import logging
import re
import threading
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

from retrieval.core.text import STOPWORDS

log = logging.getLogger("newsbot.answer")
_WORD = re.compile(r"[a-z][a-z'-]+")
MIN_COSINE = 0.25  # below this, two words are unrelated
EMBEDDING_KEYS = ("embeddings.word_embeddings.weight", "0.auto_model.embeddings.word_embeddings.weight")


def content_words(text: str) -> list[str]:
    """Lower-cased words of ``text`` that carry meaning (no stopwords, no one-letter words), in order, unique."""
    return list(dict.fromkeys(w for w in _WORD.findall(text.lower()) if w not in STOPWORDS and len(w) > 2))


class WordVectors:
    """Unit vectors of words (mean of their word pieces' input embeddings), cached per word."""

    def __init__(self, matrix: Any, tokenizer: Any) -> None:
        self._matrix = matrix  # float16, rows normalised
        self._tokenizer = tokenizer
        self._lock = threading.Lock()

    @classmethod
    def from_model_dir(cls, folder: str | Path) -> WordVectors | None:
        """The vectors of the model in ``folder``; None (and a debug line) when it has none we can read."""
        import numpy as np

        folder = Path(folder)
        weights, vocab = folder / "model.safetensors", folder / "tokenizer.json"
        if not weights.is_file() or not vocab.is_file():
            log.debug("no word vectors in %s: soft matching is off", folder)
            return None
        try:
            from safetensors import safe_open
            from tokenizers import Tokenizer

            with safe_open(str(weights), framework="numpy") as fh:
                key = next((k for k in EMBEDDING_KEYS if k in fh.keys()), None)  # noqa: SIM118 - safe_open has no __contains__
                if key is None:
                    return None
                matrix = fh.get_tensor(key).astype(np.float32)
            matrix /= np.maximum(np.linalg.norm(matrix, axis=1, keepdims=True), 1e-6)
            tokenizer = Tokenizer.from_file(str(vocab))
            tokenizer.no_padding()
            tokenizer.no_truncation()
        except (OSError, ValueError, KeyError, ImportError) as exc:
            log.debug("cannot read word vectors from %s (%s): soft matching is off", folder, exc)
            return None
        return cls(matrix.astype(np.float16), tokenizer)

    def vector(self, word: str) -> Any:
        return self._vector(word)

    @cached_property
    def words(self) -> dict[str, int]:
        """The whole lower-case words of the model's vocabulary (about 20,000 English words for the bundled model),
        each with how common it is (higher: commoner; a word-piece vocabulary lists them about most common first).
        A word outside it and the articles is likely misspelt."""
        with self._lock:
            vocab = self._tokenizer.get_vocab()
        return {
            w: len(vocab) - i
            for t, i in vocab.items()
            if (w := t.lstrip("▁Ġ")).isalpha() and w.islower() and len(w) > 1
        }

    @lru_cache(maxsize=50_000)  # noqa: B019 - one instance per process; words repeat across questions
    def _vector(self, word: str) -> Any:
        import numpy as np

        with self._lock:  # the tokenizer is not safe to share between threads
            ids = self._tokenizer.encode(word, add_special_tokens=False).ids
        if not ids:
            return None
        v = self._matrix[ids].astype(np.float32).mean(axis=0)
        norm = float(np.linalg.norm(v))
        return v / norm if norm else None

    def best_match(self, word: str, candidates: list[str]) -> float:
        """The highest cosine between ``word`` and any of ``candidates`` (0 when none is related)."""
        import numpy as np

        v = self._vector(word)
        vectors = [c for c in (self._vector(w) for w in candidates) if c is not None]
        if v is None or not vectors:
            return 0.0
        best = float(np.max(np.stack(vectors) @ v))
        return best if best >= MIN_COSINE else 0.0
