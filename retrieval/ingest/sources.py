"""What an ingest reads: each source is a file key (a resolved path or a URL) with a loader that returns its
articles; a loader's failure is that source's one-line error, never the batch's."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from retrieval.core.types import Article
from retrieval.ingest.documents import LoadedFile, iter_files, load_file

if TYPE_CHECKING:
    from retrieval.core.settings import Settings


@dataclass(frozen=True)
class Source:
    """One thing to read: a file key (resolved path or URL) and how to load its articles."""

    key: str
    load: Callable[[], LoadedFile]


def file_sources(paths: Iterable[Path], settings: Settings, label: Callable[[Path], str] | None = None) -> list[Source]:
    """A `Source` per file below ``paths`` (newsbot's own data directory excluded); missing paths fail."""
    max_bytes = int(settings.max_file_mb * 1_000_000)
    out = []
    for path, error in iter_files(list(paths), exclude=settings.data_dir):
        if error:
            out.append(Source(str(path), _failed(str(path), error)))
            continue
        out.append(Source(_file_key(path), _file_loader(path, max_bytes, label)))
    return out


def article_sources(articles: Iterable[Article]) -> list[Source]:
    """A `Source` per distinct ``article.source`` (articles parsed elsewhere: feeds, evaluation corpora)."""
    grouped: dict[str, list[Article]] = {}
    for article in articles:
        grouped.setdefault(article.source, []).append(article)
    return [Source(key, _given(key, items)) for key, items in grouped.items()]


def _file_key(path: Path) -> str:
    try:
        return str(path.resolve())
    except (OSError, RuntimeError):  # a symlink loop
        return str(path.absolute())


def _file_loader(path: Path, max_bytes: int, label: Callable[[Path], str] | None) -> Callable[[], LoadedFile]:
    return lambda: load_file(path, max_bytes, display=str(path), source=label(path) if label else None)


def safe_load(source: Source) -> LoadedFile:
    """The source's articles; any failure of its loader is that source's one-line error, never the batch's."""
    try:
        return source.load()
    except Exception as exc:  # noqa: BLE001 - one bad source must not cost the rest of the batch
        return LoadedFile(source.key, [], f"cannot read ({exc.__class__.__name__}: {str(exc)[:160]})")


def _failed(name: str, error: str) -> Callable[[], LoadedFile]:
    return lambda: LoadedFile(name, [], error)


def _given(name: str, articles: list[Article]) -> Callable[[], LoadedFile]:
    return lambda: LoadedFile(name, articles)
