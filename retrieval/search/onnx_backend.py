"""The embedding model through onnxruntime: exported locally once, cached, run without torch.

sentence-transformers' own ONNX backend needs optimum, which cannot be installed next to
sentence-transformers 6 / transformers 5. So the model is exported here with ``torch.onnx.export`` (the
transformer, mean pooling and normalisation in one graph), optionally quantised to int8 with onnxruntime's
dynamic quantisation, and cached in ``DATA_DIR/onnx/``. Running it needs only onnxruntime, tokenizers and
numpy: a process that embeds with ONNX never imports torch (a much faster cold start).

Only mean-pooling sentence-transformers models with a ``tokenizer.json`` are supported (the bundled
all-MiniLM-L6-v2 is one).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import logging
import os
import tempfile
import threading
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from retrieval.core.errors import NewsbotError

log = logging.getLogger("newsbot.onnx")
OPSET = 17
BACKENDS = ("onnx", "onnx-int8")


def _check_model_folder(location: str) -> Path:
    folder = Path(location)
    if not (folder / "tokenizer.json").is_file() or not (folder / "config.json").is_file():
        raise NewsbotError(
            f"the ONNX backend needs a local sentence-transformers model folder with tokenizer.json: {location!r}; "
            "use NEWSBOT_EMBEDDING_BACKEND=torch for this model"
        )
    pooling = folder / "1_Pooling" / "config.json"
    if pooling.is_file() and not json.loads(pooling.read_text()).get("pooling_mode_mean_tokens", False):
        raise NewsbotError("the ONNX backend supports mean-pooling models only; use NEWSBOT_EMBEDDING_BACKEND=torch")
    return folder


def max_seq_length(location: str, default: int = 256) -> int:
    """The model's sequence limit from ``sentence_bert_config.json`` (no model load)."""
    try:
        return int(json.loads((Path(location) / "sentence_bert_config.json").read_text())["max_seq_length"])
    except (OSError, ValueError, KeyError, TypeError):
        return default


def model_fingerprint(location: str) -> str:
    """A short digest of the model's weights file names, sizes and times: a changed model gets a new export."""
    folder = Path(location)
    parts = []
    for p in sorted(folder.glob("*")):
        if p.is_file() and p.suffix in (".safetensors", ".bin", ".json"):
            st = p.stat()
            parts.append(f"{p.name}:{st.st_size}:{int(st.st_mtime)}")
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:12]


EXPORT_NOTICE = "Exporting the embedding model to ONNX (once, a few seconds)…"


def is_exported(location: str, backend: str, cache_dir: Path) -> bool:
    """True when the export for ``location`` and ``backend`` is already in ``cache_dir``."""
    try:
        folder = cache_dir / f"{Path(location).name}-{model_fingerprint(location)}"
    except (OSError, NewsbotError):
        return False
    return (folder / ("model.onnx" if backend == "onnx" else "model-int8.onnx")).is_file()


def exported_model(location: str, backend: str, cache_dir: Path) -> Path:
    """The cached ONNX file for ``location`` and ``backend``, exporting (and quantising) it on first use."""
    if backend not in BACKENDS:
        raise NewsbotError(f"unknown ONNX backend {backend!r}; expected one of {', '.join(BACKENDS)}")
    _check_model_folder(location)
    folder = cache_dir / f"{Path(location).name}-{model_fingerprint(location)}"
    fp32 = folder / "model.onnx"
    target = fp32 if backend == "onnx" else folder / "model-int8.onnx"
    if target.is_file():
        return target
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / ".export.lock", "a+") as lock:  # two processes exporting at once: one waits
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not fp32.is_file():
            log.info("exporting the embedding model to ONNX in %s (once)", folder)
            _atomic(fp32, lambda tmp: export(location, tmp))
        if target != fp32 and not target.is_file():
            _atomic(target, lambda tmp: quantize(fp32, tmp))
    return target


def _atomic(target: Path, write: Any) -> None:
    fd, name = tempfile.mkstemp(prefix=".tmp-", suffix=".onnx", dir=target.parent)
    os.close(fd)
    try:
        write(Path(name))
        os.replace(name, target)
    finally:
        if os.path.exists(name):
            os.unlink(name)


def export(location: str, out: Path) -> None:
    """Export transformer + mean pooling + L2 normalisation as one ONNX graph (needs torch + transformers)."""
    import torch
    from transformers import AutoModel

    class Sentence(torch.nn.Module):
        def __init__(self, model: Any) -> None:
            super().__init__()
            self.model = model

        def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
            hidden = self.model(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(pooled, p=2, dim=1)

    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()  # transformers draws a "Loading weights" bar on stderr otherwise
    model = Sentence(AutoModel.from_pretrained(location)).eval()
    ids = torch.ones((2, 16), dtype=torch.long)
    with torch.no_grad(), _quiet():
        torch.onnx.export(
            model,
            (ids, torch.ones_like(ids), torch.zeros_like(ids)),
            str(out),
            dynamo=False,
            input_names=["input_ids", "attention_mask", "token_type_ids"],
            output_names=["embedding"],
            dynamic_axes={
                "input_ids": {0: "batch", 1: "seq"},
                "attention_mask": {0: "batch", 1: "seq"},
                "token_type_ids": {0: "batch", 1: "seq"},
                "embedding": {0: "batch"},
            },
            opset_version=OPSET,
        )


def quantize(fp32: Path, out: Path) -> None:
    """Dynamic int8 quantisation of the weights (activations stay float): onnxruntime's quantiser."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    with _quiet():
        quantize_dynamic(str(fp32), str(out), weight_type=QuantType.QInt8)


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """Silence the exporter's tracer warnings and the quantiser's root-logger advice: noise to a user."""
    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        root.setLevel(level)


class OnnxEncoder:
    """Tokenizer + onnxruntime session: ``encode(texts) -> float32 array`` of normalised embeddings."""

    def __init__(self, location: str, model_file: Path, threads: int | None = None) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        self.max_seq_length = max_seq_length(location)
        self.tokenizer = Tokenizer.from_file(str(Path(location) / "tokenizer.json"))
        self.tokenizer.enable_truncation(self.max_seq_length)
        pad = self.tokenizer.padding or {}
        self.tokenizer.enable_padding(pad_id=pad.get("pad_id", 0), pad_token=pad.get("pad_token", "[PAD]"))
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads or (os.cpu_count() or 1)
        options.inter_op_num_threads = 1
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        self.session = ort.InferenceSession(str(model_file), options, providers=["CPUExecutionProvider"])
        self._inputs = {i.name for i in self.session.get_inputs()}
        self._lock = threading.Lock()  # the tokenizer's padding state is not shared safely between threads

    def encode(self, texts: list[str]) -> Any:
        import numpy as np

        with self._lock:
            encoded = self.tokenizer.encode_batch(texts)
        feed = {
            "input_ids": np.array([e.ids for e in encoded], dtype=np.int64),
            "attention_mask": np.array([e.attention_mask for e in encoded], dtype=np.int64),
            "token_type_ids": np.array([e.type_ids for e in encoded], dtype=np.int64),
        }
        return self.session.run(None, {k: v for k, v in feed.items() if k in self._inputs})[0]
