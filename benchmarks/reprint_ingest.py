"""What grouping reprints saves at ingest: the same corpus with wire reprints, grouped and not grouped.

    PYTHONPATH=. python benchmarks/reprint_ingest.py [--articles 300] [--reprints 150] [--backend torch]

Builds a corpus in a temporary folder: ``--articles`` BBC articles plus ``--reprints`` wire-style reprints of
some of them (a new headline, a byline, a footer, a paragraph dropped or swapped, 3-5% of words changed: the
generator of benchmarks/reprints.py). Ingests it twice into fresh data directories, with NEWSBOT_GROUP_REPRINTS
on and off, and prints seconds, passages embedded and the groups found (how many reprints were grouped, and
whether each was grouped under the article it reprints). Run it alone on the machine.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from reprints import DEFAULT_CORPUS, SEED, load_corpus, reprint

from retrieval.core.settings import Settings
from retrieval.newsbot import Newsbot


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--articles", type=int, default=300)
    parser.add_argument("--reprints", type=int, default=150)
    parser.add_argument("--backend", default="torch", choices=["torch", "onnx"])
    args = parser.parse_args()
    rng = random.Random(SEED)
    docs = rng.sample(load_corpus(args.corpus), args.articles)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "corpus"
        folder.mkdir()
        for i, doc in enumerate(docs):
            (folder / f"a{i:04d}.txt").write_text(doc.title + "\n\n" + "\n\n".join(doc.paragraphs), encoding="utf-8")
        originals = {}
        for j, i in enumerate(rng.sample(range(len(docs)), args.reprints)):
            name = f"r{j:04d}.txt"
            (folder / name).write_text(reprint(docs[i], rng), encoding="utf-8")
            originals[name] = f"a{i:04d}.txt"
        rows = []
        for grouped in (True, False):
            settings = Settings(_env_file=None, data_dir=Path(tmp) / f"data-{grouped}", group_reprints=grouped,
                                embedding_backend=args.backend)
            with Newsbot(settings) as bot:
                bot.embedder.embed_query("warm up")  # the model's load is not part of the comparison
                started = time.perf_counter()
                report = bot.ingest([folder])
                seconds = time.perf_counter() - started
                titles = {s.title: Path(s.source).name for s in bot.sources()}
            rows.append((grouped, seconds, report))
            if grouped:
                right = sum(1 for source, leader in report.reprints
                            if titles.get(leader) == originals.get(Path(source).name))
                print(f"grouped: {len(report.reprints)} of {args.reprints} reprints grouped, {right} under the "
                      f"article they reprint; {sum(1 for s, _ in report.reprints if Path(s).name.startswith('a'))}"
                      " originals grouped under another article", flush=True)
        for grouped, seconds, report in rows:
            print(f"group_reprints={grouped!s:<5}: {len(report.added)} articles indexed, {report.chunks} passages "
                  f"embedded, {seconds:.1f} s")
        saved = rows[1][1] - rows[0][1]
        print(f"saved {saved:.1f} s ({saved / rows[1][1]:.0%}) and {rows[1][2].chunks - rows[0][2].chunks} passages")
    return 0


if __name__ == "__main__":
    sys.exit(main())
