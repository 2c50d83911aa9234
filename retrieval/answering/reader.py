"""The sentence reader: a small transformer trained here that reads a passage for a question.

It reads ``[CLS] question [SEP] title [SEP] sentence before [SEP] passage [SEP]`` and gives, for every token,
three numbers: a start and an end score for the answer's span, and a sentence score. A sentence's logit is the
mean of its tokens' sentence scores (the probability, after a sigmoid, that the sentence holds the answer); the
short answer is the best span inside the sentence, and ``[CLS]`` is the "no answer here" span. One pass reads all
the sentences of a passage, each with the others as context, so a question reads the top passages in a handful
of passes.

The model is initialised from the bundled all-MiniLM-L6-v2 and fine-tuned on public question-answering data (SQuAD
1.1 and 2.0 dev, SQuADShifts, QED, COVID-QA, SelQA; see docs/answering.md for credits and licences) and the BBC
question set's train split by ``benchmarks/reader/train.py``. It ships in the package as an int8 ONNX file with
its tokenizer and runs with onnxruntime: no torch at answer time, nothing downloaded.

`encode` is shared by training and answering, so that both see the same tokens.
"""

from __future__ import annotations

import json
import math
import os
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from retrieval.core.errors import NewsbotError

MODEL_FILE = "reader-int8.onnx"
TOKENIZER_FILE = "reader-tokenizer.json"
INFO_FILE = "reader.json"
MAX_QUESTION = 48  # tokens
MAX_TITLE = 24
MAX_BEFORE = 32
MAX_TOKENS = 256  # the whole input
MAX_SPAN = 24  # tokens of a short answer
CLS, SEP, PAD = "[CLS]", "[SEP]", "[PAD]"


@dataclass(frozen=True)
class Encoded:
    """One input: ids, segment ids, and for each token its sentence (-1: not passage) and passage offsets."""

    ids: list[int]
    types: list[int]
    sentence: list[int]
    offsets: list[tuple[int, int]]  # character offsets in the passage (0, 0 outside it)


@dataclass(frozen=True)
class SentenceReading:
    """What the reader says of one sentence: its logit, and its best span with the span's margin over no answer."""

    logit: float
    span: tuple[int, int] | None  # character offsets in the passage
    span_score: float  # start + end score of the span
    null_score: float  # start + end score of [CLS] for this passage

    @property
    def probability(self) -> float:
        return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, self.logit))))

    @property
    def span_margin(self) -> float:
        return self.span_score - self.null_score


def encode(
    tokenizer: Any,
    question: str,
    title: str,
    before: str,
    passage: str,
    sentences: Sequence[tuple[int, int]],
    max_passage: int = MAX_TOKENS,
) -> Encoded:
    """The reader's input for ``passage`` split into ``sentences`` (character spans), cut to fit."""
    cls_id, sep_id = tokenizer.token_to_id(CLS), tokenizer.token_to_id(SEP)
    q = tokenizer.encode(question, add_special_tokens=False).ids[:MAX_QUESTION]
    t = tokenizer.encode(title, add_special_tokens=False).ids[:MAX_TITLE] if title else []
    b = tokenizer.encode(before, add_special_tokens=False).ids[-MAX_BEFORE:] if before else []
    ids = [cls_id, *q, sep_id]
    types = [0] * len(ids)
    for piece in (t, b):
        if piece:
            ids += [*piece, sep_id]
    types += [1] * (len(ids) - len(types))
    sentence = [-1] * len(ids)
    offsets = [(0, 0)] * len(ids)
    room = min(max_passage, MAX_TOKENS - len(ids) - 1)
    p = tokenizer.encode(passage, add_special_tokens=False)
    which = _sentence_of(p.offsets, sentences)
    for tid, off, s in zip(p.ids[:room], p.offsets[:room], which[:room], strict=False):
        ids.append(tid)
        types.append(1)
        sentence.append(s)
        offsets.append((int(off[0]), int(off[1])))
    ids.append(sep_id)
    types.append(1)
    sentence.append(-1)
    offsets.append((0, 0))
    return Encoded(ids, types, sentence, offsets)


def _sentence_of(offsets: Sequence[tuple[int, int]], sentences: Sequence[tuple[int, int]]) -> list[int]:
    """The sentence each token falls in (by its start), -1 between sentences."""
    out, i = [], 0
    for start, _end in offsets:
        while i < len(sentences) and start >= sentences[i][1]:
            i += 1
        out.append(i if i < len(sentences) and start >= sentences[i][0] else -1)
    return out


def read_outputs(encoded: Encoded, scores: Any, n_sentences: int) -> list[SentenceReading | None]:
    """Per sentence of the passage: its reading from the model's per-token ``scores`` (tokens x 3), or None
    when the input was cut before it."""
    import numpy as np

    scores = np.asarray(scores, dtype=np.float64)
    start, end, sent = scores[:, 0], scores[:, 1], scores[:, 2]
    null = float(start[0] + end[0])
    which = np.asarray(encoded.sentence)
    out: list[SentenceReading | None] = []
    for s in range(n_sentences):
        positions = np.flatnonzero(which == s)
        if not len(positions):
            out.append(None)
            continue
        logit = float(sent[positions].mean())
        pair = start[positions][:, None] + end[positions][None, :]
        i, j = np.indices(pair.shape)
        pair[(j < i) | (j - i >= MAX_SPAN)] = -np.inf
        a, b = np.unravel_index(int(np.argmax(pair)), pair.shape)
        span = (encoded.offsets[positions[a]][0], encoded.offsets[positions[b]][1])
        out.append(SentenceReading(logit, span, float(pair[a, b]), null))
    return out


class Reader:
    """The shipped reader model run with onnxruntime: ``read(question, passages)``."""

    def __init__(self, model_file: Path, tokenizer_file: Path, info: dict[str, Any], threads: int | None = None):
        import onnxruntime as ort
        from tokenizers import Tokenizer

        self.info = info
        self.tokenizer = Tokenizer.from_file(str(tokenizer_file))
        self.tokenizer.no_padding()
        self.tokenizer.no_truncation()
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads or min(4, os.cpu_count() or 1)
        options.inter_op_num_threads = 1
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        self.session = ort.InferenceSession(str(model_file), options, providers=["CPUExecutionProvider"])
        self._lock = threading.Lock()

    @classmethod
    def load(cls, folder: Path | None = None, threads: int | None = None) -> Reader:
        """The reader shipped in the package (or the one in ``folder``)."""
        try:
            if folder is None:
                base = resources.files("retrieval.answering").joinpath("models")
                with resources.as_file(base) as path:
                    return cls._from(Path(path), threads)
            return cls._from(folder, threads)
        except (OSError, ValueError, KeyError) as exc:
            raise NewsbotError(f"cannot load the sentence reader ({exc}); reinstall newsbot") from None

    @classmethod
    def _from(cls, folder: Path, threads: int | None) -> Reader:
        info = json.loads((folder / INFO_FILE).read_text(encoding="utf-8"))
        return cls(folder / info.get("model", MODEL_FILE), folder / TOKENIZER_FILE, info, threads)

    def read(
        self,
        question: str,
        passages: Sequence[tuple[str, str, str, Sequence[tuple[int, int]]]],
    ) -> list[list[SentenceReading | None]]:
        """For each ``(title, before, text, sentence spans)``: the reading of each of its sentences.

        Each passage is run alone: the int8 model quantises its activations with one scale for the whole input
        (onnxruntime's dynamic quantisation), so in a batch a passage's scores would depend on the other passages
        and on the padding (up to a logit apart). Alone, a passage reads the same whatever else was retrieved.
        """
        import numpy as np

        if not passages:
            return []
        with self._lock:
            encoded = [encode(self.tokenizer, question, t, b, p, s) for t, b, p, s in passages]
        out = []
        for e, (_, _, _, spans) in zip(encoded, passages, strict=True):
            ids = np.asarray([e.ids], dtype=np.int64)
            feed = {"input_ids": ids, "attention_mask": np.ones_like(ids), "token_type_ids": np.asarray([e.types])}
            (scores,) = self.session.run(None, feed)
            out.append(read_outputs(e, scores[0], len(spans)))
        return out
