"""`problems`: what disagrees inside the passage store (for tests and `newsbot stats`)."""

from __future__ import annotations

from collections import Counter

from retrieval.store.passages.database import Database


def problems(db: Database) -> list[str]:
    """Rows of the keyword index against the passages, term counts against the passages' texts. Reads
    everything: not for a question's path."""
    out = []
    with db.lock:
        passages = db.conn.execute("SELECT count(*) FROM passages").fetchone()[0]
        indexed = db.conn.execute("SELECT count(*) FROM keywords").fetchone()[0]
        counted: Counter[str] = Counter()
        for (body,) in db.conn.execute("SELECT body_terms FROM passages"):
            counted.update(set(body.split()))
        stored = dict(db.conn.execute("SELECT term, n FROM df"))
    if passages != indexed:
        out.append(f"{passages} passages but {indexed} rows in the keyword index")
    if stored != dict(counted):
        wrong = sorted(set(stored) ^ set(counted) | {t for t in stored if stored[t] != counted.get(t)})
        out.append(f"{len(wrong)} term counts disagree with the passages (e.g. {wrong[:3]})")
    return out
