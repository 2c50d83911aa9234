"""The lexical view of the index: bm25s over the same chunks Chroma holds, saved with their version stamp."""

from __future__ import annotations

import json
import logging
import math
import os
import shutil
import tempfile
from collections.abc import Iterable
from dataclasses import asdict
from pathlib import Path
from typing import Any

from retrieval.text import terms
from retrieval.types import Chunk

STAMP_FILE = "stamp.json"
CHUNKS_FILE = "chunks.jsonl"
DF_FILE = "df.json"
FILES_FILE = "files.json"
IDF_PRIOR = 50


class Bm25View:
    """BM25 scores over chunks (title + text), plus the chunk and file tables the rest of the core reads.

    ``files`` maps each doc_id to the file it was read from and its content hash (what incremental ingest
    compares), so that neither needs a pass over Chroma's metadata.
    """

    def __init__(self, chunks: list[Chunk], stamp: str, retriever: Any = None,
                 df: dict[str, int] | None = None, files: dict[str, dict[str, str]] | None = None) -> None:
        self.chunks = chunks
        self.stamp = stamp
        self.files: dict[str, dict[str, str]] = files if files is not None else {}
        self.position = {chunk.id: i for i, chunk in enumerate(chunks)}
        self.df: dict[str, int] = df if df is not None else {}
        self._retriever = retriever if retriever is not None else self._index(chunks)

    def _index(self, chunks: list[Chunk]) -> Any:
        if not chunks:
            return None
        import bm25s

        logging.getLogger("bm25s").setLevel(logging.WARNING)
        retriever = bm25s.BM25()
        titles: dict[str, list[str]] = {}
        corpus = []
        self.df = {}
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
        count = self.df.get(term, 0)
        return math.log((len(self.chunks) + IDF_PRIOR) / (count + 0.5))

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
        """Write atomically: into a new folder, then swing the ``folder`` symlink to it in one rename.

        A reader resolves the link once and reads a folder nobody writes to; a half-written view is never
        read back. The previous folder is kept (a reader may still be in it); older ones are removed.
        """
        folder.parent.mkdir(parents=True, exist_ok=True)
        new = Path(tempfile.mkdtemp(prefix=f".{folder.name}-", dir=folder.parent))
        try:
            if self._retriever is not None:
                self._retriever.save(str(new / "index"), show_progress=False)
            with open(new / CHUNKS_FILE, "w", encoding="utf-8") as fh:
                for chunk in self.chunks:
                    fh.write(json.dumps(asdict(chunk), ensure_ascii=False) + "\n")
            (new / DF_FILE).write_text(json.dumps(self.df, ensure_ascii=False))
            (new / FILES_FILE).write_text(json.dumps(self.files, ensure_ascii=False))
            (new / STAMP_FILE).write_text(json.dumps({"stamp": self.stamp, "chunks": len(self.chunks)}))
            previous = folder.resolve() if folder.is_symlink() else None
            if folder.exists() and not folder.is_symlink():  # the layout before views were linked
                shutil.rmtree(folder, ignore_errors=True)
            link = folder.with_name(f".{folder.name}.link-{os.getpid()}")
            link.unlink(missing_ok=True)
            os.symlink(new.name, link)
            os.replace(link, folder)
        except BaseException:
            shutil.rmtree(new, ignore_errors=True)
            raise
        for old in folder.parent.glob(f".{folder.name}-*"):
            if old.is_dir() and old.name not in (new.name, previous.name if previous else ""):
                shutil.rmtree(old, ignore_errors=True)

    @classmethod
    def load(cls, folder: Path, stamp: str) -> Bm25View | None:
        """The saved view if it carries ``stamp`` and reads back whole; None means rebuild it."""
        try:
            real = folder.resolve(strict=True)
            saved = json.loads((real / STAMP_FILE).read_text())
            if saved.get("stamp") != stamp:
                return None
            with open(real / CHUNKS_FILE, encoding="utf-8") as fh:
                chunks = [Chunk(**json.loads(line)) for line in fh if line.strip()]
            if len(chunks) != saved.get("chunks"):
                return None
            retriever = None
            if chunks:
                import bm25s

                retriever = bm25s.BM25.load(str(real / "index"))
            df = json.loads((real / DF_FILE).read_text(encoding="utf-8"))
            files = json.loads((real / FILES_FILE).read_text(encoding="utf-8"))
            return cls(chunks, stamp, retriever, df, files)
        except (OSError, ValueError, TypeError, KeyError):
            return None


def _to_ids(corpus: Iterable[list[str]]) -> tuple[list[list[int]], dict[str, int]]:
    vocab: dict[str, int] = {}
    ids = [[vocab.setdefault(t, len(vocab)) for t in doc] for doc in corpus]
    return ids, vocab
