"""The index: Chroma (vectors) and the passage store (SQLite: text, metadata, FTS5 keywords), kept in step.

- `chroma`: the client from the settings and the one collection used through it (and its tombstones);
- `lock`: one writer per data directory;
- `passages`: `PassageStore`, every passage with its keyword index and term counts, written incrementally; one
  part per job (``store.db``, ``.writer``, ``.passages``, ``.documents``, ``.keywords``), a module each;
- `chunks`: a passage as Chroma stores it (id, metadata);
- `index`: `Index`, the coordinator (stamp, write sequence numbers, when to catch up, reading, writing);
- `catch_up`: bringing a passage store in step with Chroma (deletes begun, tombstones, newer rows, a first fill);
- `reprints`, `signatures`: reprint groups and their MinHash signatures.

May import: ``core``.
"""

from __future__ import annotations

from retrieval.store.index import Index
from retrieval.store.passages import FileInfo, PassageStore, chunk_id

__all__ = ["FileInfo", "Index", "PassageStore", "chunk_id"]
