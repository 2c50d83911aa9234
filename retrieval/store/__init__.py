"""The index: Chroma (vectors) and the view (chunk table + BM25), kept in step under one version stamp.

- `chroma`: the client from the settings and the one collection used through it;
- `lock`: one writer per data directory;
- `chunks`: the chunk table (`get`, `neighbours`, `chunk_id`), the in-memory mirror of Chroma's rows;
- `bm25`: lexical scores over the same chunks;
- `view`: the table and BM25 saved atomically under their stamp;
- `index`: `Index`, the coordinator (stamp protocol, reading, writing).

May import: ``core``.
"""

from __future__ import annotations

from retrieval.store.chunks import ChunkTable, FileInfo, chunk_id
from retrieval.store.index import Index

__all__ = ["ChunkTable", "FileInfo", "Index", "chunk_id"]
