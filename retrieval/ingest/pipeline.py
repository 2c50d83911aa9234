"""The ingest pipeline: read and chunk, embed, write, with the three stages overlapping.

    reader thread ──> chunks of whole articles ──> main thread: encode ──> writer thread: Chroma upsert

The encoder is the floor (all but a few percent of the time on a CPU), so the other stages run beside it: a
reader thread parses files and chunks articles ahead of the encoder (bounded queue), and a writer thread
upserts each encoded group into Chroma while the next group encodes. Groups hold whole articles (about
``group`` chunks, sorted by length inside the encoder) so that every upsert leaves each article complete or
absent; an interrupted run is completed by the next one.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from retrieval.core.errors import TimeLimitError
from retrieval.core.types import Article, Chunk

if TYPE_CHECKING:
    from retrieval.ingest.chunking import Tick, TitlePlace
    from retrieval.search.embeddings import Embedder
    from retrieval.store import Index

log = logging.getLogger("newsbot.ingest")
ProgressFn = Callable[[str, int, int], None]
_END = object()
GROUP = 512
FIRST_GROUP = 32  # the encoder starts on a small group while the reader fills the next ones
SPLIT_PROGRESS_CHARS = 200_000  # an article this long shows its splitting on the progress bar ("splitting")


@dataclass
class _Group:
    chunks: list[Chunk] = field(default_factory=list)
    files: dict[str, tuple[str, str]] = field(default_factory=dict)


class _Stage(threading.Thread):
    """A daemon thread that remembers the exception it died of."""

    def __init__(self, target: Callable[[], None], name: str) -> None:
        super().__init__(name=name, daemon=True)
        self._work = target
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            self._work()
        except BaseException as exc:  # noqa: BLE001 - handed to the main thread, which raises it
            self.error = exc


class Channel:
    """A bounded queue between two stages: ``put`` gives up when the run stops or its consumer died, ``get``
    returns the end marker when its producer died (the dead stage's error is raised by the caller)."""

    def __init__(self, stop: threading.Event, size: int) -> None:
        self.stop = stop
        self.queue: queue.Queue[Any] = queue.Queue(maxsize=size)

    def put(self, item: Any, consumer: threading.Thread | None = None) -> bool:
        while not self.stop.is_set() and (consumer is None or consumer.is_alive()):
            try:
                self.queue.put(item, timeout=0.2)
                return True
            except queue.Full:
                continue
        return False

    def get(self, producer: threading.Thread) -> Any:
        while True:
            try:
                return self.queue.get(timeout=0.2)
            except queue.Empty:
                if not producer.is_alive() and self.queue.empty():
                    return _END


@dataclass(frozen=True)
class Splitting:
    """How an article becomes passages: the token budget, the overlap, the title's place, and the time limit."""

    count_tokens: Callable[[list[str]], list[int]]
    max_tokens: int
    overlap_sentences: int
    title_place: TitlePlace
    time_limit: float | None = None  # seconds from asking for an article to its passages
    clock: Callable[[], float] = time.monotonic
    progress: ProgressFn | None = None
    on_error: Callable[[Article, str], None] | None = None  # an article that cannot be split; None: raise

    def chunks(self, article: Article, asked: float) -> list[Chunk] | None:
        """The article's passages, or None when it failed (handed to ``on_error``)."""
        from retrieval.ingest.chunking import chunk_article

        try:
            chunks = chunk_article(
                article,
                self.count_tokens,
                self.max_tokens,
                self.overlap_sentences,
                self.title_place,
                self._watch(article, asked),
            )
            if self.progress and len(article.text) >= SPLIT_PROGRESS_CHARS:
                self.progress("splitting", len(article.text), len(article.text))
            return chunks
        except TimeLimitError as exc:
            if self.on_error is None:
                raise
            self.on_error(article, str(exc))
        except Exception as exc:
            if self.on_error is None:
                raise
            self.on_error(article, f"cannot split into passages ({exc.__class__.__name__}: {str(exc)[:120]})")
        return None

    def _watch(self, article: Article, asked: float) -> Tick:
        """The chunker's tick for ``article``: stop it past the time limit, show a long one's progress."""
        size = len(article.text)

        def tick(done: int) -> None:
            if self.time_limit is not None and self.clock() - asked > self.time_limit:
                raise TimeLimitError(
                    f"took longer than {self.time_limit:.0f} s to read and split into passages; skipped"
                )
            if self.progress and size >= SPLIT_PROGRESS_CHARS:
                self.progress("splitting", done, size)

        return tick


class ArticleReader(_Stage):
    """The reader thread: asks for articles (a file is read as it is asked for), splits them, and hands groups
    of whole articles to the encoder, small first so that the encoder never waits for a full first group."""

    def __init__(self, articles: Iterable[tuple[Article, str]], splitting: Splitting, out: Channel, group: int) -> None:
        super().__init__(self._read, "newsbot-reader")
        self.articles = articles
        self.splitting = splitting
        self.out = out
        self.group = group
        self.chunks = 0  # passages made so far

    def _read(self) -> None:
        stop, out = self.out.stop, self.out
        current = _Group()
        size = min(FIRST_GROUP, self.group)  # doubles up to ``group``
        items = iter(self.articles)
        try:
            while not stop.is_set():
                asked = self.splitting.clock()
                item = next(items, None)
                if item is None or stop.is_set():
                    break
                article, file_key = item
                chunks = self.splitting.chunks(article, asked)
                if not chunks:
                    continue
                current.chunks.extend(chunks)
                current.files[article.id] = (file_key, article.content_hash)
                self.chunks += len(chunks)
                if len(current.chunks) >= size:
                    if not out.put(current):
                        return
                    current = _Group()
                    size = min(size * 2, self.group)
            if stop.is_set() or (current.chunks and not out.put(current)):
                return
        finally:
            out.put(_END)


class ChunkWriter(_Stage):
    """The writer thread: upserts each encoded group; documents left half-written by a killed run are deleted
    right before their new passages are written."""

    def __init__(self, index: Index, inbox: Channel, replace: set[str] | frozenset[str]) -> None:
        super().__init__(self._write, "newsbot-writer")
        self.index = index
        self.inbox = inbox
        self.replace = replace

    def _write(self) -> None:
        while True:
            item = self.inbox.queue.get()
            if item is _END:
                return
            chunks, vectors, files = item
            redo = sorted({c.doc_id for c in chunks} & self.replace)
            if redo:
                self.index.delete_documents(redo)
            self.index.upsert(chunks, vectors, files)
            log.info("wrote %d chunks of %d articles", len(chunks), len(files))


def run_pipeline(
    articles: Iterable[tuple[Article, str]],
    embedder: Embedder,
    index: Index,
    *,
    chunk_tokens: int,
    overlap_sentences: int,
    title_place: TitlePlace = "passage",
    begin: Callable[[], None],
    replace: set[str] | frozenset[str] = frozenset(),
    progress: ProgressFn | None = None,
    group: int = GROUP,
    on_error: Callable[[Article, str], None] | None = None,
    time_limit: float | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> int:
    """Chunk, embed and upsert ``articles`` ((article, file key) pairs); returns the number of chunks.

    ``articles`` is consumed in a reader thread (it may read files as it goes). ``begin()`` runs in the
    calling thread just before the first write. An article that cannot be chunked is handed to
    ``on_error(article, reason)`` and left out; the others go on. Documents in ``replace`` have chunks from an
    interrupted write: they are deleted right before their new chunks are written. ``title_place`` says whether
    the encoder sees each chunk's title (see `retrieval.ingest.chunking.embedded_text`); identical embedded texts in
    one group (a repeated boilerplate line, a one-sentence article reprinted) are encoded once.

    With a ``time_limit``, each article must be read and split within that many seconds (by ``clock``) of the
    reader asking ``articles`` for it: for the first article of a file this includes reading the file. One
    that takes longer goes to ``on_error`` ("took longer than ..."), and the run goes on.
    """
    from retrieval.ingest.chunking import embedded_text

    stop = threading.Event()
    groups, writes = Channel(stop, 2), Channel(stop, 1)
    splitting = Splitting(
        embedder.count_tokens,
        min(chunk_tokens, embedder.max_tokens),
        overlap_sentences,
        title_place,
        time_limit,
        clock,
        progress,
        on_error,
    )
    reader = ArticleReader(articles, splitting, groups, group)
    writer = ChunkWriter(index, writes, replace)
    encoded = [0]  # chunks encoded so far, reported batch by batch

    def count(n: int) -> None:
        encoded[0] += n
        if progress:
            progress("embedding", encoded[0], reader.chunks)

    reader.start()
    started = False
    done = 0
    try:
        while (item := groups.get(reader)) is not _END:
            if not started:
                begin()
                writer.start()
                started = True
            texts = [embedded_text(c.title, c.text, title_place) for c in item.chunks]
            vectors = encode_distinct(texts, embedder, count)
            if not writes.put((item.chunks, vectors, item.files), writer):
                break
            done += len(item.chunks)
        if started:
            writes.put(_END, writer)
            writer.join()
    except BaseException:
        stop.set()
        raise
    finally:
        stop.set()
        reader.join(timeout=5)
    for stage in (reader, writer):
        if stage.error is not None:
            raise stage.error
    return done


def encode_distinct(texts: list[str], embedder: Embedder, progress: Callable[[int], None] | None = None) -> Any:
    """Vectors of ``texts`` (a numpy array in input order), each distinct text encoded once."""
    rows: dict[str, int] = {}
    where = [rows.setdefault(text, len(rows)) for text in texts]
    if len(rows) == len(texts):
        return embedder.encode_array(texts, progress)
    vectors = embedder.encode_array(list(rows), progress)
    if progress:
        progress(len(texts) - len(rows))  # the repeats are done too
    return vectors[where]
