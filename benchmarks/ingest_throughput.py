"""Ingest throughput against the raw encoder, on the same chunk texts, in one run.

Indexes the BBC corpus (or ``--limit N`` articles of it, taken round-robin over its categories) into a
temporary data directory with ``Newsbot.ingest``, then times ``SentenceTransformer.encode`` alone on exactly
the chunk texts the index holds (title + passage, as embedded). Prints chunks/s and tokens/s for both and
``ratio: X.XX`` (ingest rate / raw encode rate), then the time of a no-change re-run, in this process and as a
new ``newsbot ingest`` process.

    PYTHONPATH=. python benchmarks/ingest_throughput.py [--limit 300] [--backend torch|onnx|onnx-int8]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# ../shared/corpora/bbc next to the checkout (or next to a folder holding it, as worktrees are)
DEFAULT_CORPUS = next((p / "shared" / "corpora" / "bbc" for p in ROOT.parents
                       if (p / "shared" / "corpora" / "bbc").is_dir()), ROOT.parent / "shared" / "corpora" / "bbc")


def pick_files(corpus: Path, limit: int | None) -> list[Path]:
    """All articles, or ``limit`` of them round-robin over the category folders (a representative mix)."""
    folders = sorted(p for p in corpus.iterdir() if p.is_dir())
    lists = [sorted(f.glob("*.txt")) for f in folders] or [sorted(corpus.glob("*.txt"))]
    picked: list[Path] = []
    i = 0
    while any(i < len(lst) for lst in lists) and (limit is None or len(picked) < limit):
        for lst in lists:
            if i < len(lst) and (limit is None or len(picked) < limit):
                picked.append(lst[i])
        i += 1
    return picked


def link_corpus(files: list[Path], corpus: Path, into: Path) -> Path:
    """A folder of symlinks to ``files`` (keeps the corpus layout; the index records the real paths)."""
    for f in files:
        target = into / f.relative_to(corpus)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.symlink_to(f)
    return into


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--limit", type=int, default=None, help="index only N articles")
    parser.add_argument("--backend", default="torch", choices=["torch", "onnx", "onnx-int8"])
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--data-dir", type=Path, default=None, help="keep the index here (default: temporary)")
    parser.add_argument("--no-rerun", action="store_true", help="skip the no-change re-run")
    args = parser.parse_args()
    if not args.corpus.is_dir():
        print(f"no corpus at {args.corpus}", file=sys.stderr)
        return 1
    os.environ.setdefault("HF_HUB_OFFLINE", "1")

    from retrieval.core.settings import Settings
    from retrieval.ingest.chunking import embedded_text
    from retrieval.newsbot import Newsbot
    from retrieval.search.embeddings import Embedder

    files = pick_files(args.corpus, args.limit)
    with tempfile.TemporaryDirectory(prefix="newsbot-bench-") as tmp:
        data_dir = args.data_dir or Path(tmp) / "data"
        source = args.corpus if args.limit is None else link_corpus(files, args.corpus, Path(tmp) / "corpus")
        settings = Settings(_env_file=None, data_dir=data_dir, embedding_backend=args.backend,
                            embedding_batch_size=args.batch_size)
        embedder = Embedder(settings.embedding_model, settings.embedding_batch_size, settings.embedding_backend)
        embedder.embed_query("warm up")  # the model is loaded before either clock starts
        print(f"corpus: {source} ({len(files)} articles), backend {args.backend}, batch {args.batch_size}, "
              f"torch threads {_torch_threads()}, {os.cpu_count()} cpus", flush=True)

        # the chunk texts, computed as ingest computes them (checked against the index afterwards)
        from retrieval.ingest.chunking import chunk_article
        from retrieval.ingest.documents import iter_files, load_file

        seen: set[str] = set()
        texts = []
        for path, _ in iter_files([source]):
            for article in load_file(path, 10**9).articles:
                if article.id not in seen:
                    seen.add(article.id)
                    texts.extend(embedded_text(c.title, c.text, settings.chunk_title) for c in chunk_article(
                        article, embedder.count_tokens, min(settings.chunk_tokens, embedder.max_tokens),
                        settings.chunk_overlap_sentences, settings.chunk_title))
        tokens = _tokens(embedder, texts)

        # the raw encoder runs on half the texts before ingest and the other half after: the machine is
        # shared, and a load change during the run then weighs on both figures alike
        load_start = _loadavg()
        cpu0 = time.process_time()
        raw_before = _raw_encode(embedder, texts[0::2], args)
        cpu_raw = time.process_time() - cpu0
        bot = Newsbot(settings, embedder=embedder)
        marks: dict[str, float] = {}

        def progress(stage: str, done: int, total: int) -> None:
            marks.setdefault(stage + " first", time.perf_counter())
            marks[stage + " last"] = time.perf_counter()

        t0, cpu0 = time.perf_counter(), time.process_time()
        report = bot.ingest([source], progress=progress)
        ingest_s, cpu_ingest = time.perf_counter() - t0, time.process_time() - cpu0
        cpu0 = time.process_time()
        raw_after = _raw_encode(embedder, texts[1::2], args)
        cpu_raw += time.process_time() - cpu0
        raw_s = raw_before + raw_after

        indexed = sorted(embedded_text(c.title, c.text, settings.chunk_title) for c in bot.index.view.passages.iter_passages())
        if indexed != sorted(texts):
            print(f"warning: the index holds {len(indexed)} chunks, the benchmark chunked {len(texts)} "
                  "(texts differ)", file=sys.stderr)
        n = len(indexed)
        print(f"ingest: {len(report.added)} articles, {n} chunks, {tokens} tokens in {ingest_s:.1f} s: "
              f"{n / ingest_s:.1f} chunks/s, {tokens / ingest_s:.0f} tokens/s", flush=True)
        if "embedding first" in marks:
            print(f"  first vectors after {marks['embedding first'] - t0:.1f} s; reading done after "
                  f"{marks.get('reading last', t0) - t0:.1f} s; last vectors at {marks['embedding last'] - t0:.1f} s; "
                  f"finish (BM25, stamp) {t0 + ingest_s - marks['embedding last']:.1f} s", flush=True)
        label = "SentenceTransformer.encode" if args.backend == "torch" else f"{args.backend} encoder alone"
        print(f"raw encode ({label}, same {len(texts)} texts, batch {args.batch_size}): {raw_s:.1f} s: "
              f"{len(texts) / raw_s:.1f} chunks/s, {tokens / raw_s:.0f} tokens/s (half before ingest "
              f"{len(texts[0::2]) / raw_before:.1f} chunks/s, half after {len(texts[1::2]) / raw_after:.1f})", flush=True)
        print(f"ratio: {(n / ingest_s) / (len(texts) / raw_s):.2f}", flush=True)
        print(f"  CPU seconds (all threads of this process): ingest {cpu_ingest:.0f}, raw encode {cpu_raw:.0f}; "
              f"CPU ratio {cpu_raw / cpu_ingest:.2f}; load average at start {load_start}, at end {_loadavg()} "
              "(other processes share the machine)", flush=True)

        if not args.no_rerun:
            t0 = time.perf_counter()
            again = Newsbot(settings, embedder=Embedder(settings.embedding_model)).ingest([source])
            rerun_s = time.perf_counter() - t0
            print(f"no-change re-run (same process, fresh Newsbot): {rerun_s:.2f} s, {len(again.unchanged)} "
                  f"unchanged, {len(again.added)} added", flush=True)
            env = dict(os.environ, NEWSBOT_DATA_DIR=str(data_dir), PYTHONPATH=str(ROOT),
                       NEWSBOT_EMBEDDING_BACKEND=args.backend)
            t0 = time.perf_counter()
            done = subprocess.run([sys.executable, "-m", "bot", "ingest", "--no-progress", str(source)], env=env,
                                  capture_output=True, text=True)
            cli_s = time.perf_counter() - t0
            print(f"no-change re-run (new `newsbot ingest` process): {cli_s:.2f} s; {done.stderr.strip()}",
                  flush=True)
        stats = bot.stats()
        print(f"index: {stats.documents} documents, {stats.chunks} chunks, {stats.disk_mb} MB", flush=True)
    return 0


def _raw_encode(embedder, texts: list[str], args: argparse.Namespace) -> float:
    """Seconds the encoder alone takes on ``texts`` (sentence-transformers' own encode for torch)."""
    t0 = time.perf_counter()
    if args.backend == "torch":
        embedder.model.encode(texts, batch_size=args.batch_size, normalize_embeddings=True, convert_to_numpy=True,
                              show_progress_bar=False)
    else:
        embedder.encode_array(texts)  # the ONNX session on length-sorted batches, nothing else
    return time.perf_counter() - t0


def _loadavg() -> str:
    try:
        return Path("/proc/loadavg").read_text().split()[0]
    except OSError:
        return "?"


def _tokens(embedder, texts: list[str]) -> int:
    """Tokens the encoder sees: the model's tokenizer with special tokens, truncated to its sequence limit."""
    limit = embedder.max_tokens + 2
    return sum(min(n + 2, limit) for n in embedder.count_tokens(texts))


def _torch_threads() -> int | str:
    if "torch" not in sys.modules:
        return "-"
    import torch

    return torch.get_num_threads()


if __name__ == "__main__":
    sys.exit(main())
