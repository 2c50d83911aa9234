"""Reprint groups: one article of a syndicated story is indexed and cited; its copies are kept as its sources.

`ReprintStore` is a SQLite file in the data directory (``reprints.sqlite3``, schema version in ``user_version``)
beside the index, one per collection (`store_file`). It holds the MinHash signature of every indexed article with
its LSH band keys and exact-text digest (indexed columns: a new article's candidates are found by lookup, so
matching costs what it touches, not the archive), and every copy that was not indexed: its leader, title, source,
link, date and its whole text, so that removing a leader promotes a copy instead of losing the story. A reindex
leaves it alone.

`ReprintGroups` is what ingest uses: ``match`` an article against the indexed ones (and the ones admitted earlier
in the same run); a match is recorded as a copy and never reaches the encoder.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path

from retrieval.core.errors import DataDirError
from retrieval.core.types import Article, Reported

SCHEMA_VERSION = 2
FILE = "reprints.sqlite3"


def store_file(collection: str, default: str) -> str:
    """The reprint store of one collection of the data directory: ``reprints.sqlite3`` for the ``default``
    collection, ``reprints-<collection>.sqlite3`` for another (an evaluation index), so that indexing one
    collection never forgets the signatures of another's articles (its copies would then be indexed as articles
    of their own)."""
    return FILE if collection == default else f"reprints-{collection}.sqlite3"


@dataclass(frozen=True)
class Copy:
    """An article that reprints an indexed one (its leader)."""

    doc_id: str
    leader: str
    title: str
    source: str
    url: str | None
    date: str | None
    similarity: float


class ReprintStore:
    """Signatures of indexed articles and the copies grouped under them, in one SQLite file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(str(path), check_same_thread=False, timeout=30)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._migrate()
        except sqlite3.DatabaseError as exc:
            raise DataDirError(
                f"cannot open the reprint groups in {path} ({exc}); move the file away to start "
                "again (grouping restarts empty)"
            ) from None

    def _migrate(self) -> None:
        version = self._db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise DataDirError(f"{self.path} was written by a newer newsbot (schema {version}); upgrade newsbot")
        if version < 1:
            with self._db:
                self._db.execute("CREATE TABLE IF NOT EXISTS signatures (doc_id TEXT PRIMARY KEY, signature BLOB)")
                self._db.execute(
                    "CREATE TABLE IF NOT EXISTS copies (doc_id TEXT PRIMARY KEY, leader TEXT NOT NULL, "
                    "similarity REAL, article TEXT NOT NULL)"
                )
                self._db.execute("CREATE INDEX IF NOT EXISTS copies_leader ON copies (leader)")
                self._db.execute("PRAGMA user_version = 1")
        if version < 2:  # band keys and digests beside the signatures (filled from the stored signatures)
            with self._db:
                self._db.execute("CREATE TABLE IF NOT EXISTS bands (key BLOB NOT NULL, doc_id TEXT NOT NULL)")
                self._db.execute("CREATE INDEX IF NOT EXISTS bands_key ON bands (key)")
                self._db.execute("CREATE INDEX IF NOT EXISTS bands_doc ON bands (doc_id)")
                self._db.execute("CREATE TABLE IF NOT EXISTS digests (digest BLOB NOT NULL, doc_id TEXT PRIMARY KEY)")
                self._db.execute("CREATE INDEX IF NOT EXISTS digests_digest ON digests (digest)")
                rows = self._db.execute("SELECT doc_id, signature FROM signatures").fetchall()
                for doc_id, raw in rows:
                    self._index_signature(doc_id, raw)
                self._db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    def close(self) -> None:
        self._db.close()

    def signatures(self, doc_ids: Iterable[str] | None = None) -> list[tuple[str, bytes]]:
        """(doc_id, signature) of ``doc_ids`` (all when None), in the order they were added."""
        with self._lock:
            if doc_ids is None:
                return list(self._db.execute("SELECT doc_id, signature FROM signatures ORDER BY rowid"))
            ids = sorted(set(doc_ids))
            if not ids:
                return []
            marks = ",".join("?" * len(ids))
            return list(
                self._db.execute(
                    f"SELECT doc_id, signature FROM signatures WHERE doc_id IN ({marks}) ORDER BY rowid", ids
                )
            )

    def add_signature(self, doc_id: str, signature: bytes) -> None:
        with self._lock, self._db:
            self._db.execute("DELETE FROM bands WHERE doc_id = ?", (doc_id,))
            self._db.execute("INSERT OR REPLACE INTO signatures VALUES (?, ?)", (doc_id, signature))
            self._index_signature(doc_id, signature)

    def _index_signature(self, doc_id: str, raw: bytes) -> None:
        """The band keys and digest of one signature (inside a transaction)."""
        from retrieval.store.signatures import Signature, band_keys

        sig = Signature.from_bytes(raw)
        self._db.executemany("INSERT INTO bands VALUES (?, ?)", [(key, doc_id) for key in band_keys(sig)])
        self._db.execute("INSERT OR REPLACE INTO digests VALUES (?, ?)", (sig.digest, doc_id))

    def candidates(self, raw: bytes) -> list[str]:
        """Articles that share an LSH band or the exact-text digest with the signature ``raw``, oldest first."""
        from retrieval.store.signatures import Signature, band_keys

        sig = Signature.from_bytes(raw)
        keys = band_keys(sig)
        marks = ",".join("?" * len(keys))
        with self._lock:
            found = {d for (d,) in self._db.execute(f"SELECT doc_id FROM bands WHERE key IN ({marks})", keys)}
            found |= {d for (d,) in self._db.execute("SELECT doc_id FROM digests WHERE digest = ?", (sig.digest,))}
        return [doc_id for doc_id, _ in self.signatures(found)]

    def forget(self, doc_ids: Iterable[str]) -> None:
        """Drop the signatures of articles that left the index (their copies stay until promoted or removed)."""
        rows = [(d,) for d in doc_ids]
        with self._lock, self._db:
            for table in ("signatures", "bands", "digests"):
                self._db.executemany(f"DELETE FROM {table} WHERE doc_id = ?", rows)

    def record_copy(self, article: Article, leader: str, similarity: float) -> None:
        with self._lock, self._db:
            self._db.execute(
                "INSERT OR REPLACE INTO copies VALUES (?, ?, ?, ?)",
                (article.id, leader, similarity, json.dumps(asdict(article), ensure_ascii=False)),
            )

    def copy_source(self, doc_id: str) -> str | None:
        """The source of the copy stored under ``doc_id``, or None."""
        with self._lock:
            row = self._db.execute("SELECT article FROM copies WHERE doc_id = ?", (doc_id,)).fetchone()
        return str(json.loads(row[0])["source"]) if row else None

    def copies_of(self, leaders: Iterable[str]) -> dict[str, list[Copy]]:
        """The copies grouped under each of ``leaders``, oldest report first."""
        wanted = list(dict.fromkeys(leaders))
        out: dict[str, list[Copy]] = {}
        if not wanted:
            return out
        marks = ",".join("?" * len(wanted))
        with self._lock:
            rows = list(
                self._db.execute(
                    f"SELECT doc_id, leader, similarity, article FROM copies WHERE leader IN ({marks})", wanted
                )
            )
        for doc_id, leader, similarity, raw in rows:
            article = json.loads(raw)
            out.setdefault(leader, []).append(
                Copy(
                    doc_id,
                    leader,
                    article["title"],
                    article["source"],
                    article.get("url"),
                    article.get("date"),
                    float(similarity or 0.0),
                )
            )
        for copies in out.values():
            copies.sort(key=lambda c: (c.date or "", c.source))
        return out

    def reports_of(self, leaders: Mapping[str, str]) -> dict[str, tuple[Reported, ...]]:
        """The other outlets' reports of each leader (doc id -> its source), oldest first: its copies, less any from
        the leader's own source (a copy recorded so, before moved files were told from copies, is the article
        itself). Citations ("also reported by N others") and the listing of sources both count these."""
        copies = self.copies_of(leaders)
        reports = {
            leader: tuple(Reported(c.title, c.source, c.url, c.date) for c in found if c.source != leaders[leader])
            for leader, found in copies.items()
        }
        return {leader: also for leader, also in reports.items() if also}

    def promote(self, leader: str) -> Article | None:
        """The leader left the index: its first copy becomes the leader of the others; returns it to be indexed."""
        with self._lock, self._db:
            rows = list(
                self._db.execute("SELECT doc_id, article FROM copies WHERE leader = ? ORDER BY doc_id", (leader,))
            )
            if not rows:
                return None
            new_leader, raw = rows[0]
            self._db.execute("DELETE FROM copies WHERE doc_id = ?", (new_leader,))
            self._db.execute("UPDATE copies SET leader = ? WHERE leader = ?", (new_leader, leader))
        return Article(**json.loads(raw))

    def remove_copies(self, doc_ids: Iterable[str]) -> list[str]:
        """Take copies out by id (``sources remove`` of a copy); returns those that were copies."""
        ids = list(doc_ids)
        with self._lock, self._db:
            found = (
                [
                    d
                    for (d,) in self._db.execute(
                        f"SELECT doc_id FROM copies WHERE doc_id IN ({','.join('?' * len(ids))})", ids
                    )
                ]
                if ids
                else []
            )
            self._db.executemany("DELETE FROM copies WHERE doc_id = ?", [(d,) for d in found])
        return found

    def find(self, targets: Iterable[str]) -> list[str]:
        """Copies named by document id, source or link."""
        wanted = set(targets)
        with self._lock:
            rows = list(self._db.execute("SELECT doc_id, article FROM copies"))
        out = []
        for doc_id, raw in rows:
            article = json.loads(raw)
            if wanted & {doc_id, article.get("source"), article.get("url")}:
                out.append(doc_id)
        return out

    def titles(self) -> dict[str, str]:
        """Every grouped copy's id and title."""
        with self._lock:
            rows = list(self._db.execute("SELECT doc_id, article FROM copies"))
        return {doc_id: str(json.loads(raw)["title"]) for doc_id, raw in rows}

    def has_url(self, url: str) -> bool:
        """True when a grouped copy has ``url`` as its link or source."""
        with self._lock:
            rows = list(self._db.execute("SELECT article FROM copies"))
        return any(url in (a.get("url"), a.get("source")) for a in (json.loads(r[0]) for r in rows))

    def copy_count(self) -> int:
        with self._lock:
            return int(self._db.execute("SELECT COUNT(*) FROM copies").fetchone()[0])


class ReprintGroups:
    """Matches new articles against indexed ones; a match is stored as a copy of its leader, not indexed.

    ``indexed(doc_ids)`` says which of ``doc_ids`` are indexed whole (the passage store): a signature whose
    article left the index is forgotten when it turns up as a candidate."""

    def __init__(self, store: ReprintStore, indexed: Callable[[Iterable[str]], set[str]], threshold: float) -> None:
        self.store = store
        self.indexed = indexed
        self.threshold = threshold
        self.admitted: set[str] = set()  # articles admitted in this run (indexed when the run ends)

    def same_text(self, article: Article) -> None:
        """``article`` has the very text of an indexed one but comes from another source (an outlet running a
        wire story word for word): it is kept as a copy of it, under an id of its own."""
        self.store.record_copy(_own_id(article), article.id, 1.0)

    def match(self, article: Article, exclude: set[str]) -> tuple[str, float] | None:
        """The indexed (or earlier admitted) article that ``article`` reprints, ignoring ``exclude``; else
        ``article`` joins the matcher and None is returned."""
        from retrieval.store.signatures import Signature, signature

        sig = signature(f"{article.title}\n\n{article.text}")
        skip = exclude | {article.id}
        candidates = [d for d in self.store.candidates(sig.to_bytes()) if d not in skip]
        live = self.indexed(candidates) | (self.admitted & set(candidates))
        stale = [d for d in candidates if d not in live]
        if stale:  # articles removed, or a write that never finished
            self.store.forget(stale)
        scored = [(doc_id, sig.jaccard(Signature.from_bytes(raw))) for doc_id, raw in self.store.signatures(live)]
        matches = sorted(((d, s) for d, s in scored if s >= self.threshold), key=lambda m: -m[1])
        if matches:
            doc_id, similarity = matches[0]
            earlier = self.store.copy_source(article.id)
            copy = article if earlier in (None, article.source) else _own_id(article)  # two outlets, one text
            self.store.record_copy(copy, doc_id, similarity)
            return doc_id, similarity
        self.store.add_signature(article.id, sig.to_bytes())
        self.admitted.add(article.id)
        return None


def _own_id(article: Article) -> Article:
    """``article`` under an id that also names its source: the same text from two outlets is two copies."""
    import hashlib
    from dataclasses import replace

    own = hashlib.sha256(article.source.encode("utf-8")).hexdigest()[:8]
    return replace(article, id=f"{article.id}~{own}")
