"""👍/👎 votes as JSONL in the data directory; chat ids are hashed with a per-install salt, never stored."""

from __future__ import annotations

import hashlib
import json
import secrets
import threading
import time
from pathlib import Path
from typing import Any

from retrieval.types import Answer


class FeedbackLog:
    """Appends one JSON object per vote to ``feedback.jsonl``."""

    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / "feedback.jsonl"
        self._salt_path = data_dir / "feedback.salt"
        self._lock = threading.Lock()
        self._salt: str | None = None

    def _hash(self, value: int) -> str:
        if self._salt is None:
            self._salt_path.parent.mkdir(parents=True, exist_ok=True)
            if not self._salt_path.exists():
                self._salt_path.write_text(secrets.token_hex(16))
            self._salt = self._salt_path.read_text().strip()
        return hashlib.sha256(f"{self._salt}:{value}".encode()).hexdigest()[:16]

    def record(self, chat_id: int, answer: Answer, vote: str) -> dict[str, Any]:
        """Store a vote ("up" or "down") on ``answer``; returns the stored row."""
        row = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "chat": self._hash(chat_id),
            "vote": vote,
            "question": answer.question,
            "searched": answer.searched,
            "found": answer.found,
            "answer": answer.answer,
            "answerer": answer.answerer,
            "citations": [
                {"n": c.n, "doc_id": c.doc_id, "title": c.title, "source": c.source, "quote": c.quote}
                for c in answer.citations
            ],
        }
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with open(self.path, "a", encoding="utf-8") as fh:
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")
        return row
