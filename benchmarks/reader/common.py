"""What the reader's data, training and evaluation scripts share: the cache folder and small text helpers."""

from __future__ import annotations

import os
from pathlib import Path

from retrieval.core.text import sentence_spans

CACHE = Path(os.environ.get("NEWSBOT_READER_CACHE", Path.home() / ".cache" / "newsbot-reader"))
SHARED = Path(__file__).resolve().parents[3] / "shared"
QA = SHARED / "qa"


def previous_sentence(text: str) -> str:
    """The last sentence of ``text`` (the context a chunk's first sentence leans on)."""
    spans = sentence_spans(text)
    return text[spans[-1][0] : spans[-1][1]] if spans else ""
