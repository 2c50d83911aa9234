"""Retrieve for the BBC question set's train and dev questions and save what the reader would read.

    PYTHONPATH=. python benchmarks/reader/dump_hits.py [--data-dir DIR] [--out CACHE/bbc_hits.jsonl]

For every question of the train and dev splits (never test): the top chunks that hybrid retrieval returns, as
`ask` does, each with its title, text, article offsets and the last sentence of the chunk before it (the
context the reader sees). The BBC texts stay outside the repository: the file goes to the reader's cache folder
(``NEWSBOT_READER_CACHE``, default ``~/.cache/newsbot-reader``), never into the project.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from benchmarks.reader.common import CACHE, previous_sentence
from retrieval.core.settings import Settings
from retrieval.evaluation.formats import load
from retrieval.evaluation.runner import corpus_key, embedding_key, eval_settings
from retrieval.newsbot import Newsbot

DEFAULT_CORPUS = ROOT.parent / "shared" / "corpora" / "bbc"
DEFAULT_QUESTIONS = ROOT / "benchmarks" / "questions" / "bbc_large.jsonl"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=Path.home() / ".local/share/newsbot")
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--questions", type=Path, default=DEFAULT_QUESTIONS)
    parser.add_argument("--out", type=Path, default=CACHE / "bbc_hits.jsonl")
    parser.add_argument("--k", type=int, default=8)
    args = parser.parse_args(argv)

    settings = Settings(_env_file=None, data_dir=args.data_dir)
    evalset = load(args.questions)
    key = corpus_key(evalset, args.corpus, args.questions) + "|" + embedding_key(settings)
    bot = Newsbot(eval_settings(settings, key))
    report = bot.ingest([args.corpus])
    print(f"index: {len(report.added)} added, {len(report.unchanged)} already indexed", flush=True)
    table = bot.index.view.passages
    started = time.perf_counter()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    rows = [q for q in evalset.questions if q.split in ("train", "dev")]
    with args.out.open("w", encoding="utf-8") as out:
        for q in rows:
            hits = bot.search(q.question, k=args.k)
            chunks = []
            for hit in hits:
                c = hit.chunk
                before, _ = table.neighbours(c)
                chunks.append({"id": c.id, "doc_id": c.doc_id, "source": c.source, "title": c.title, "text": c.text,
                               "start": c.start, "index": c.index,
                               "before": previous_sentence(before.text) if before is not None else ""})
            out.write(json.dumps({"id": q.id, "question": q.question, "answers": q.answers, "split": q.split,
                                  "sources": list(q.sources), "answerable": q.answerable, "chunks": chunks}) + "\n")
    print(f"wrote {len(rows)} questions to {args.out} in {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
