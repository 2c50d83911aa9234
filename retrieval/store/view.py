"""The saved view of the index: chunk table and BM25 scorer under the version stamp they were built from.

A view is written atomically (a new folder, then one rename of a symlink) and read back only when it carries
the stamp the caller expects; anything else means "rebuild it from Chroma".
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from dataclasses import asdict
from pathlib import Path

from retrieval.core.types import Chunk
from retrieval.store.bm25 import Bm25Scorer
from retrieval.store.chunks import ChunkTable, FileInfo

STAMP_FILE = "stamp.json"
CHUNKS_FILE = "chunks.jsonl"
DF_FILE = "df.json"
FILES_FILE = "files.json"


class IndexView:
    """What a process reads between two writes: the chunk table and BM25, both for one ``stamp``."""

    def __init__(self, table: ChunkTable, stamp: str, bm25: Bm25Scorer | None = None) -> None:
        self.table = table
        self.stamp = stamp
        self.bm25 = bm25 if bm25 is not None else Bm25Scorer(table.chunks)

    def save(self, folder: Path) -> None:
        """Write atomically: into a new folder, then swing the ``folder`` symlink to it in one rename.

        A reader resolves the link once and reads a folder nobody writes to; a half-written view is never
        read back. The previous folder is kept (a reader may still be in it); older ones are removed.
        """
        folder.parent.mkdir(parents=True, exist_ok=True)
        new = Path(tempfile.mkdtemp(prefix=f".{folder.name}-", dir=folder.parent))
        try:
            self.bm25.save(new)
            with open(new / CHUNKS_FILE, "w", encoding="utf-8") as fh:
                for chunk in self.table.chunks:
                    fh.write(json.dumps(asdict(chunk), ensure_ascii=False) + "\n")
            (new / DF_FILE).write_text(json.dumps(self.bm25.df, ensure_ascii=False), encoding="utf-8")
            files = {d: asdict(info) for d, info in self.table.files.items()}
            (new / FILES_FILE).write_text(json.dumps(files, ensure_ascii=False), encoding="utf-8")
            (new / STAMP_FILE).write_text(json.dumps({"stamp": self.stamp, "chunks": len(self.table)}))
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
    def load(cls, folder: Path, stamp: str) -> IndexView | None:
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
            df = json.loads((real / DF_FILE).read_text(encoding="utf-8"))
            raw_files = json.loads((real / FILES_FILE).read_text(encoding="utf-8"))
            files = {d: FileInfo(**info) for d, info in raw_files.items()}
            return cls(ChunkTable(chunks, files), stamp, Bm25Scorer.load(real, chunks, df))
        except (OSError, ValueError, TypeError, KeyError):
            return None
