"""Tantivy against SQLite FTS5 as newsbot's keyword index: build, add, delete, query, memory, disk.

    PYTHONPATH=. python benchmarks/keyword_engines.py [--passages 100000] [--queries 200]

Both index the same stemmed terms newsbot's BM25 reads today (`retrieval.core.text.terms` of title + text), one row
per passage, so the comparison is of engines, not of tokenisers. The passages are synthetic articles of real BBC
sentences (benchmarks/growth_corpus.py), four sentences a passage; the queries are the BBC question set's
questions. For each engine: the bulk build, adding 100 articles (about 300 passages) and committing, deleting
them again, a reader process seeing new rows (time from the writer's commit), query p50/p95 for the top 50, the
resident memory of a process that opened the index and ran the queries, and the disk size. Today's numpy
BM25 (bm25s over every passage, as `retrieval.store.bm25` did before) is measured beside them: it was rebuilt
whole at every write.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.growth_corpus import articles

QUESTIONS = ROOT / "benchmarks" / "questions" / "bbc_large.jsonl"


def passages(n_passages: int, seed: int = 7, first: int = 0):
    """(row, doc, terms) of synthetic passages: four sentences each, numbered from ``first``."""
    from retrieval.core.text import sentence_spans, terms

    row = first
    for art in articles(10**9, seed=seed):
        spans = sentence_spans(art.text)
        title_terms = " ".join(terms(art.title))
        for i in range(0, len(spans), 4):
            text = art.text[spans[i][0] : spans[min(i + 4, len(spans)) - 1][1]]
            yield row, f"d{seed}-{art.number}", f"{title_terms} {' '.join(terms(text))}".strip()
            row += 1
            if row - first >= n_passages:
                return


def query_terms(limit: int) -> list[list[str]]:
    from retrieval.core.text import terms

    out = []
    for line in QUESTIONS.open(encoding="utf-8"):
        out.append(terms(json.loads(line)["question"]))
        if len(out) >= limit:
            break
    return [q for q in out if q]


class Fts5:
    name = "SQLite FTS5"

    def __init__(self, folder: Path) -> None:
        import sqlite3

        self.path = folder / "fts.sqlite3"
        self.db = sqlite3.connect(self.path, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute(
            "CREATE VIRTUAL TABLE IF NOT EXISTS fts USING fts5(terms, content='', "
            "tokenize=\"unicode61 remove_diacritics 0 tokenchars '.''’'\")"
        )
        self.db.execute("CREATE TABLE IF NOT EXISTS rows (row INTEGER PRIMARY KEY, doc TEXT, terms TEXT)")
        self.db.execute("CREATE INDEX IF NOT EXISTS rows_doc ON rows(doc)")

    def add(self, rows) -> None:
        self.db.execute("BEGIN")
        for row, doc, terms in rows:
            self.db.execute("INSERT INTO fts(rowid, terms) VALUES (?, ?)", (row, terms))
            self.db.execute("INSERT INTO rows VALUES (?, ?, ?)", (row, doc, terms))
        self.db.execute("COMMIT")

    def delete(self, docs: list[str]) -> None:
        self.db.execute("BEGIN")
        for doc in docs:
            for row, terms in self.db.execute("SELECT row, terms FROM rows WHERE doc = ?", (doc,)).fetchall():
                self.db.execute("INSERT INTO fts(fts, rowid, terms) VALUES ('delete', ?, ?)", (row, terms))
            self.db.execute("DELETE FROM rows WHERE doc = ?", (doc,))
        self.db.execute("COMMIT")

    def search(self, q: list[str], k: int = 50) -> list[int]:
        match = " OR ".join('"' + t.replace('"', "") + '"' for t in q)
        return [r for (r,) in self.db.execute(
            "SELECT rowid FROM fts WHERE fts MATCH ? ORDER BY bm25(fts) LIMIT ?", (match, k))]

    def size(self) -> int:
        return sum(p.stat().st_size for p in self.path.parent.glob("fts.sqlite3*"))


class Tantivy:
    name = "Tantivy"

    def __init__(self, folder: Path) -> None:
        import tantivy

        self.folder = folder / "tantivy"
        self.folder.mkdir(exist_ok=True)
        sb = tantivy.SchemaBuilder()
        sb.add_unsigned_field("row", stored=True, indexed=True, fast=True)
        sb.add_text_field("doc", stored=False, tokenizer_name="raw")
        sb.add_text_field("terms", stored=False, tokenizer_name="whitespace", index_option="freq")
        self.tantivy = tantivy
        self.index = tantivy.Index(sb.build(), path=str(self.folder))
        self._writer = None

    @property
    def writer(self):
        if self._writer is None:
            self._writer = self.index.writer(heap_size=100_000_000, num_threads=1)
        return self._writer

    def add(self, rows) -> None:
        for row, doc, terms in rows:
            d = self.tantivy.Document()
            d.add_unsigned("row", row)
            d.add_text("doc", doc)
            d.add_text("terms", terms)
            self.writer.add_document(d)
        self.writer.commit()
        self.writer.wait_merging_threads()
        self._writer = None
        self.index.reload()

    def delete(self, docs: list[str]) -> None:
        for doc in docs:
            self.writer.delete_documents_by_term("doc", doc)
        self.writer.commit()
        self.writer.wait_merging_threads()
        self._writer = None
        self.index.reload()

    def search(self, q: list[str], k: int = 50) -> list[int]:
        searcher = self.index.searcher()
        query = self.index.parse_query_lenient(" ".join(q), ["terms"])[0]
        return [searcher.doc(addr)["row"][0] for _, addr in searcher.search(query, k).hits]

    def size(self) -> int:
        return sum(p.stat().st_size for p in self.folder.rglob("*") if p.is_file())


ENGINES = {"fts5": Fts5, "tantivy": Tantivy}


def reader_probe(engine: str, folder: str, queries: str) -> None:
    """In a process of its own: open the index, run the queries, print p50/p95 (ms) and peak RSS (MB)."""
    qs = json.loads(Path(queries).read_text())
    index = ENGINES[engine](Path(folder))
    times = []
    for q in qs:
        t = time.perf_counter()
        index.search(q)
        times.append((time.perf_counter() - t) * 1000)
    times.sort()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"p50": statistics.median(times), "p95": times[int(0.95 * (len(times) - 1))], "rss": rss}))


def pickup(engine: str, folder: Path, marker_row: int) -> float:
    """Seconds from a writer's commit until a reader process finds the new row (its unique term)."""
    code = (
        "import sys, time; sys.path.insert(0, sys.argv[1]);"
        "from benchmarks.keyword_engines import ENGINES; from pathlib import Path;"
        "ix = ENGINES[sys.argv[2]](Path(sys.argv[3])); print('ready', flush=True);"
        "import select;"
        "line = sys.stdin.readline();"
        "t0 = time.time()\n"
        "while True:\n"
        "    reload = getattr(getattr(ix, 'index', None), 'reload', None)\n"
        "    if reload: reload()\n"
        "    if ix.search(['zzmarker" + str(marker_row) + "']): break\n"
        "    time.sleep(0.01)\n"
        "print(time.time(), flush=True)"
    )
    proc = subprocess.Popen([sys.executable, "-c", code, str(ROOT), engine, str(folder)], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdin is not None
    proc.stdout.readline()
    writer = ENGINES[engine](folder)
    proc.stdin.write("go\n")
    proc.stdin.flush()
    writer.add([(marker_row, "marker", f"zzmarker{marker_row}")])
    committed = time.time()
    seen = float(proc.stdout.readline())
    proc.wait()
    return max(0.0, seen - committed)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--passages", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--engines", default="fts5,tantivy")
    parser.add_argument("--probe", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.probe:
        reader_probe(*args.probe)
        return 0
    started = time.perf_counter()
    rows = list(passages(args.passages))
    new = list(passages(300, seed=99, first=10**8))
    new_docs = sorted({doc for _, doc, _ in new})
    qs = query_terms(args.queries)
    print(f"{len(rows)} passages, {len(new)} new passages of {len(new_docs)} articles, {len(qs)} queries "
          f"(terms in {time.perf_counter() - started:.0f} s)", flush=True)
    results = {}
    for name in args.engines.split(","):
        folder = Path(tempfile.mkdtemp(prefix=f"kw-{name}-"))
        try:
            engine = ENGINES[name](folder)
            t = time.perf_counter()
            engine.add(rows)
            build = time.perf_counter() - t
            t = time.perf_counter()
            engine.add(new)
            add = time.perf_counter() - t
            t = time.perf_counter()
            engine.delete(new_docs)
            delete = time.perf_counter() - t
            seen = pickup(name, folder, 10**9)
            qfile = folder / "queries.json"
            qfile.write_text(json.dumps(qs))
            probe = subprocess.run([sys.executable, __file__, "--probe", name, str(folder), str(qfile)],
                                   capture_output=True, text=True, check=True)
            reading = json.loads(probe.stdout.strip().splitlines()[-1])
            results[name] = {"build_s": build, "add_100_articles_s": add, "delete_100_articles_s": delete,
                             "reader_sees_new_s": seen, "query_p50_ms": reading["p50"], "query_p95_ms": reading["p95"],
                             "reader_rss_mb": reading["rss"], "disk_mb": engine.size() / 1e6}
            print(f"{ENGINES[name].name}: " + ", ".join(f"{k} {v:.3f}" for k, v in results[name].items()), flush=True)
        finally:
            shutil.rmtree(folder, ignore_errors=True)
    try:
        bm25 = rebuild_bm25(rows)
        print("bm25s rebuilt whole (before): " + ", ".join(f"{k} {v:.3f}" for k, v in bm25.items()))
    except ImportError:
        print("bm25s is not installed: the whole rebuild of before is not measured")
    print(json.dumps(results))
    return 0


def rebuild_bm25(rows) -> dict[str, float]:
    """Today's keyword view: bm25s over every passage, built again at each write."""
    import bm25s

    t = time.perf_counter()
    vocab: dict[str, int] = {}
    ids = [[vocab.setdefault(term, len(vocab)) for term in terms.split()] for _, _, terms in rows]
    retriever = bm25s.BM25()
    retriever.index(bm25s.tokenization.Tokenized(ids, vocab), show_progress=False)
    return {"rebuild_s": time.perf_counter() - t, "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


if __name__ == "__main__":
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    sys.exit(main())
