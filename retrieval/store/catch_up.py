"""Bringing a passage store in step with Chroma: the deletes begun, the tombstones of another machine's deletes,
the rows of newer writes (by write sequence number), or, for an empty store, one full read."""

from __future__ import annotations

import logging
import shutil
from collections.abc import Callable, Iterator
from typing import Any

from retrieval.core.settings import Settings
from retrieval.core.types import Chunk
from retrieval.store.chroma import ChromaCollection
from retrieval.store.chunks import chunk_from
from retrieval.store.passages import PassageStore

log = logging.getLogger("newsbot.store")


def repair(store: PassageStore, chroma: ChromaCollection, settings: Settings, stamp: Callable[[], str]) -> None:
    """Apply what Chroma holds and the store lacks: deletes begun, tombstones, rows of newer writes; a local
    store then records the collection's current ``stamp()``."""
    pending = store.writer.pending()
    if pending:
        if not settings.chroma_url:
            chroma.delete_documents(pending)
        store.writer.delete_documents(pending)
    if settings.chroma_url:
        gone, last = chroma.tombstones_after(int(store.db.meta("tombstone_seq", "0") or 0))
        if gone:
            store.writer.delete_documents(gone)
        store.db.set_meta(tombstone_seq=last)
    if not len(store) and store.db.last_seq == 0:
        fill(store, chroma, settings)  # an empty store beside a filled collection: the one full read
    else:
        add_rows(store, chroma.rows(where={"seq": {"$gt": store.db.last_seq}}))
    if not settings.chroma_url:
        store.db.set_meta(stamp=stamp())


def fill(store: PassageStore, chroma: ChromaCollection, settings: Settings) -> None:
    """Every row of the collection into an empty store (and the views an earlier newsbot kept, removed)."""
    log.info("filling the passage store from the vectors' collection (once)")
    add_rows(store, chroma.rows())
    for old in ("bm25", "bm25-server"):  # the views an earlier newsbot rebuilt after every write
        shutil.rmtree(settings.data_dir / old, ignore_errors=True)


def add_rows(store: PassageStore, rows: Iterator[tuple[str, str, dict[str, Any]]]) -> None:
    """Add Chroma rows to ``store`` a page at a time, each under the sequence number it was written with."""
    batch: list[tuple[Chunk, str, str, int]] = []

    def flush() -> None:
        by_seq: dict[int, list[tuple[Chunk, str, str]]] = {}
        for chunk, file, digest, seq in batch:
            by_seq.setdefault(seq, []).append((chunk, file, digest))
        for seq, items in sorted(by_seq.items()):
            store.writer.add([c for c, _, _ in items], {c.doc_id: (f, d) for c, f, d in items}, seq)
        batch.clear()

    for id_, text, meta in rows:
        batch.append(
            (chunk_from(id_, text, meta), meta.get("file", ""), meta.get("hash", ""), int(meta.get("seq", 0) or 0))
        )
        if len(batch) >= 2000:
            flush()
    flush()
