"""Reindex: re-chunk and re-embed every article with the current settings, texts read back from the index.

The articles are first saved to ``reindex-backup.jsonl`` in the data directory (written whole, then renamed
into place). A reindex that was interrupted left that file: the next one takes its articles from it (plus any
article ingested since), so nothing is lost.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING

from retrieval.core.types import Article, IngestReport
from retrieval.ingest.ingestor import ProgressFn

if TYPE_CHECKING:
    from retrieval.core.settings import Settings
    from retrieval.search.embeddings import Embedder
    from retrieval.store import Index

BACKUP = "reindex-backup.jsonl"


class ArticleBackup:
    """The articles of an index in one JSONL file: (article, file key) per line, replaced atomically."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def read(self) -> dict[str, tuple[Article, str]]:
        if not self.path.exists():
            return {}
        out: dict[str, tuple[Article, str]] = {}
        with open(self.path, encoding="utf-8") as fh:
            for row in map(json.loads, fh):
                article = Article(**row["article"])
                out[article.id] = (article, row["file"])
        return out

    def write(self, articles: dict[str, tuple[Article, str]]) -> None:
        tmp = self.path.with_suffix(".tmp")
        with open(tmp, "w", encoding="utf-8") as fh:
            for article, file_key in articles.values():
                fh.write(json.dumps({"article": asdict(article), "file": file_key}, ensure_ascii=False) + "\n")
        tmp.replace(self.path)

    def remove(self) -> None:
        self.path.unlink(missing_ok=True)


def reindex(index: Index, embedder: Embedder, settings: Settings, progress: ProgressFn | None = None) -> IngestReport:
    """Rebuild ``index`` (opened without the model check) from its own articles; see the module docstring."""
    from retrieval.ingest.pipeline import run_pipeline

    started = time.perf_counter()
    backup = ArticleBackup(settings.data_dir / BACKUP)
    with index.writing():
        articles = backup.read()
        incomplete = index.view.documents.incomplete_documents()
        for article, file_key in index.view.documents.articles():
            if article.id not in articles and article.id not in incomplete:
                articles[article.id] = (article, file_key)
        backup.write(articles)
        index.reset()
        chunks = run_pipeline(
            list(articles.values()),
            embedder,
            index,
            chunk_tokens=settings.chunk_tokens,
            overlap_sentences=settings.chunk_overlap_sentences,
            title_place=settings.chunk_title,
            begin=lambda: None,
            progress=progress,
            group=settings.ingest_group,
        )
    backup.remove()
    return IngestReport(
        added=[a.source for a, _ in articles.values()], chunks=chunks, seconds=time.perf_counter() - started
    )
