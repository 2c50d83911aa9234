"""Chunking chosen by measurement: passage size x overlap x title place, on the BBC corpus and bbc_large.jsonl.

For every setting (passage tokens, overlap none / one sentence, title embedded with each passage / kept in
metadata only) the corpus is indexed once into its own data directory under ``--work-dir`` and the chosen
split of the question set is run through hybrid retrieval and the shipped answer selector
(`retrieval.evaluation.runner.run_eval`, as `newsbot eval --corpus` does). Reported per setting: hit@1, hit@5,
MRR@10, answer accuracy, false refusal rate, passages per article, ingest seconds and index size on disk.

Embeddings are cached across settings in ``WORK_DIR/embedding-cache.sqlite``, keyed by the hash of the model
and the embedded text (the first passage of an article is the same with and without overlap, a short article
is one passage at any size). The ingest cost of a setting is therefore measured apart, fresh: ``newsbot
ingest`` of a fixed sample of ``--sample`` articles (round-robin over the categories) into an empty data
directory with the uncached encoder (model already loaded), scaled to the corpus. Load averages are recorded
next to each timing (the machine is shared).

Results are kept in ``WORK_DIR/results-SPLIT[TAG].json`` (a re-run skips settings already measured: ``--force``).

    PYTHONPATH=. python benchmarks/chunking_sweep.py --work-dir /tmp/sweep [--split dev] [--plot sweep.png]
        [--only 128-ov1-title,192-ov0-meta,lc600] [--no-timing] [--mode hybrid] [--corpus ../shared/corpora/bbc]
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import itertools
import json
import os
import shutil
import sqlite3
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.ingest_throughput import DEFAULT_CORPUS, pick_files

DEFAULT_QUESTIONS = ROOT / "benchmarks" / "questions" / "bbc_large.jsonl"
SIZES = (96, 128, 192, 256)
OVERLAPS = (0, 1)
TITLES = ("passage", "metadata")
TODAY = "128-ov1-title"  # the shipped setting before this sweep
# The plain LangChain pipeline's chunking (`benchmarks/langchain_baseline.py`: 600-character recursive splitting,
# no overlap, the title embedded with no passage) put through newsbot's retrieval and answerer: ``--only lc600``.
LANGCHAIN = "lc600"


def setting_name(tokens: int, overlap: int, title: str) -> str:
    return f"{tokens}-ov{overlap}-{'title' if title == 'passage' else 'meta'}"


def parse_name(name: str) -> tuple[int, int, str]:
    if name == LANGCHAIN:  # the token budget is not used by its chunker; 256 keeps the settings valid
        return 256, 0, "metadata"
    tokens, overlap, title = name.split("-")
    return int(tokens), int(overlap[2:]), "passage" if title == "title" else "metadata"


class CachedEmbedder:
    """An `Embedder` whose passage vectors come from an SQLite cache keyed by the hash of (model, text)."""

    def __init__(self, base: Any, path: Path) -> None:
        self.base = base
        self.db = sqlite3.connect(path)
        self.db.execute("CREATE TABLE IF NOT EXISTS vectors (key BLOB PRIMARY KEY, vector BLOB NOT NULL)")
        self.hits = 0
        self.misses = 0

    def __getattr__(self, name: str) -> Any:  # everything else (name, count_tokens, embed_query, ...) is the base's
        return getattr(self.base, name)

    def _key(self, text: str) -> bytes:
        return hashlib.sha256(f"{self.base.name}\0{text}".encode()).digest()

    def encode_array(self, texts: list[str], progress: Any = None) -> Any:
        import numpy as np

        keys = [self._key(t) for t in texts]
        found: dict[bytes, Any] = {}
        for start in range(0, len(keys), 500):
            part = keys[start : start + 500]
            rows = self.db.execute(
                f"SELECT key, vector FROM vectors WHERE key IN ({','.join('?' * len(part))})", part
            ).fetchall()
            found.update((k, np.frombuffer(v, dtype=np.float32)) for k, v in rows)
        missing = [i for i, k in enumerate(keys) if k not in found]
        self.hits += len(texts) - len(missing)
        self.misses += len(missing)
        if progress and len(texts) > len(missing):
            progress(len(texts) - len(missing))
        if missing:
            fresh = self.base.encode_array([texts[i] for i in missing], progress)
            self.db.executemany(
                "INSERT OR REPLACE INTO vectors VALUES (?, ?)",
                [(keys[i], fresh[j].astype(np.float32).tobytes()) for j, i in enumerate(missing)],
            )
            self.db.commit()
            found.update((keys[i], fresh[j]) for j, i in enumerate(missing))
        return np.stack([found[k] for k in keys]).astype(np.float32)

    def encode(self, texts: list[str], progress: Any = None) -> list[list[float]]:
        return self.encode_array(texts, progress).tolist()


@contextlib.contextmanager
def chunker(name: str) -> Iterator[None]:
    """For `LANGCHAIN`, newsbot's ingest chunks with the LangChain pipeline's splitter while inside."""
    if name != LANGCHAIN:
        yield
        return
    import retrieval.ingest.chunking
    from benchmarks.langchain_baseline import langchain_chunks

    shipped = retrieval.ingest.chunking.chunk_article
    retrieval.ingest.chunking.chunk_article = langchain_chunks  # type: ignore[assignment]
    try:
        yield
    finally:
        retrieval.ingest.chunking.chunk_article = shipped


def folder_mb(folder: Path) -> float:
    return round(sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 1e6, 1)


def load() -> str:
    return "/".join(f"{x:.2f}" for x in os.getloadavg())


def settings_for(data_dir: Path, tokens: int, overlap: int, title: str) -> Any:
    from retrieval.core.settings import Settings

    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        data_dir=data_dir,
        chunk_tokens=tokens,
        chunk_overlap_sentences=overlap,
        chunk_title=title,  # type: ignore[arg-type]
        retrieval_mode="hybrid",
    )


def time_fresh_ingest(base: Any, files: list[Path], tokens: int, overlap: int, title: str) -> dict[str, Any]:
    """Ingest ``files`` into an empty temporary data directory with the uncached encoder."""
    from retrieval.newsbot import Newsbot

    with tempfile.TemporaryDirectory(prefix="sweep-timing-") as tmp:
        before = load()
        bot = Newsbot(settings_for(Path(tmp), tokens, overlap, title), embedder=base)
        started, cpu = time.perf_counter(), time.process_time()
        report = bot.ingest(files)
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        bot.close()
    return {
        "seconds": seconds,
        "cpu_seconds": cpu,
        "articles": len(report.added),
        "chunks": report.chunks,
        "load": f"{before} -> {load()}",
    }


def embedded_tokens(bot: Any, title: str) -> int:
    """Tokens the encoder sees for the whole index (a cost that does not depend on the machine's load)."""
    from retrieval.ingest.chunking import embedded_text

    texts = [embedded_text(c.title, c.text, title) for c in bot.index.view.passages.iter_passages()]  # type: ignore[arg-type]
    return sum(bot.embedder.count_tokens(texts))


def measure(
    name: str, args: argparse.Namespace, base: Any, cache: CachedEmbedder, evalset: Any, sample: list[Path]
) -> dict[str, Any]:
    with chunker(name):
        return measure_setting(name, args, base, cache, evalset, sample)


def measure_setting(
    name: str, args: argparse.Namespace, base: Any, cache: CachedEmbedder, evalset: Any, sample: list[Path]
) -> dict[str, Any]:
    from retrieval.evaluation.runner import run_eval
    from retrieval.newsbot import Newsbot

    tokens, overlap, title = parse_name(name)
    data_dir = args.work_dir / name
    row: dict[str, Any] = {
        "setting": name,
        "tokens": 0 if name == LANGCHAIN else tokens,  # 0: passages of 600 characters, not a token budget
        "overlap": overlap,
        "title": title,
    }
    if not args.no_timing:
        timing = time_fresh_ingest(base, sample, tokens, overlap, title)
        row["sample"] = timing
        print(
            f"  fresh ingest of {timing['articles']} articles: {timing['seconds']:.1f} s, CPU "
            f"{timing['cpu_seconds']:.1f} s (load {timing['load']})",
            flush=True,
        )
    bot = Newsbot(settings_for(data_dir, tokens, overlap, title), embedder=cache)
    hits, misses = cache.hits, cache.misses
    report = bot.ingest([args.corpus])
    articles = len(report.added) + len(report.unchanged)
    chunks = len(bot.index.view)
    tokens_total = embedded_tokens(bot, title)
    print(
        f"  index: {articles} articles, {chunks} passages ({report.seconds:.0f} s with the cache: "
        f"{cache.hits - hits} cached, {cache.misses - misses} encoded)",
        flush=True,
    )
    started = time.perf_counter()
    result = run_eval(bot, evalset, [args.mode], k=5, corpus=args.corpus)
    bot.close()
    row.update(
        {
            key: result[key]
            for key in (
                "hit@1",
                "hit@5",
                "mrr@10",
                "answer_accuracy",
                "false_refusal_rate",
                "refusal_accuracy",
                "short_exact_match",
                "answer_words",
                "citation_precision",
            )
        }
    )
    from retrieval.evaluation.metrics import contains_answer

    row["per_question"] = {  # for paired comparisons between settings: [rank, answered, answered right]
        q["id"]: [
            q["rank"],
            q["found"],
            bool(q["found"] and q["answerable"] and contains_answer(q["answer"], q["expected"])),
        ]
        for q in result["questions"]
    }
    row.update(
        {
            "questions": result["counts"]["questions"],
            "articles": articles,
            "passages": chunks,
            "passages_per_article": chunks / max(articles, 1),
            "tokens_per_article": tokens_total / max(articles, 1),
            "index_mb": folder_mb(data_dir),
            "eval_seconds": round(time.perf_counter() - started, 1),
        }
    )
    if "sample" in row:
        scale_to_corpus(row)
    return row


def fill_tokens(results: dict[str, Any], work_dir: Path, base: Any) -> None:
    """Tokens per article for rows measured before it was recorded (from the setting's kept index)."""
    from retrieval.newsbot import Newsbot

    for name, row in results.items():
        if "tokens_per_article" not in row and (work_dir / name).is_dir():
            tokens, overlap, title = parse_name(name)
            with Newsbot(settings_for(work_dir / name, tokens, overlap, title), embedder=base) as bot:
                row["tokens_per_article"] = embedded_tokens(bot, title) / max(row["articles"], 1)


def scale_to_corpus(row: dict[str, Any]) -> None:
    """Ingest wall and CPU seconds of the whole corpus, from the timed sample."""
    sample = row["sample"]
    scale = row["articles"] / max(sample["articles"], 1)
    row["ingest_seconds"] = sample["seconds"] * scale
    if "cpu_seconds" in sample:
        row["ingest_cpu_seconds"] = sample["cpu_seconds"] * scale


def retime(names: list[str], results: dict[str, Any], rounds: int, base: Any, sample: list[Path]) -> None:
    """Time the fresh sample ingest of each setting ``rounds`` times, interleaved; keep the fastest."""
    runs: dict[str, list[dict[str, Any]]] = {name: [] for name in names}
    for r in range(rounds):
        for name in names[r % len(names) :] + names[: r % len(names)]:
            with chunker(name):
                timing = time_fresh_ingest(base, sample, *parse_name(name))
            runs[name].append(timing)
            print(f"  round {r + 1} {name}: {timing['seconds']:.1f} s (load {timing['load']})", flush=True)
    for name, timings in runs.items():
        row = results[name]
        best = min(timings, key=lambda t: t["seconds"])
        row["sample"] = dict(best, cpu_seconds=min(t["cpu_seconds"] for t in timings))
        row["sample_runs"] = [(round(t["seconds"], 2), round(t["cpu_seconds"], 2), t["load"]) for t in timings]
        scale_to_corpus(row)


COSTS = {
    "ingest_seconds": "ingest wall seconds, whole corpus (fresh, scaled from the timed sample)",
    "ingest_cpu_seconds": "ingest CPU seconds, whole corpus (fresh, scaled from the timed sample)",
    "tokens_per_article": "tokens embedded per article",
}


def pareto(rows: list[dict[str, Any]], quality: str, cost: str) -> set[str]:
    """Settings no other setting beats on both ``quality`` (higher) and ``cost`` (lower)."""
    known = [r for r in rows if r.get(cost) is not None and r.get(quality) is not None]
    front = set()
    for r in known:
        dominated = any(
            o[cost] <= r[cost] and o[quality] >= r[quality] and (o[cost] < r[cost] or o[quality] > r[quality])
            for o in known
        )
        if not dominated:
            front.add(r["setting"])
    return front


def paired(row: dict[str, Any], reference: dict[str, Any] | None) -> str:
    """Questions answered right here and wrong in ``reference``, and the other way round ("+3/-1")."""
    if not reference or "per_question" not in row or "per_question" not in reference:
        return "-"
    mine, ref = row["per_question"], reference["per_question"]
    won = sum(1 for q, v in mine.items() if q in ref and v[2] and not ref[q][2])
    lost = sum(1 for q, v in mine.items() if q in ref and ref[q][2] and not v[2])
    return f"+{won}/-{lost}"


def table(rows: list[dict[str, Any]], split: str, cost: str) -> str:
    front = pareto(rows, "answer_accuracy", cost)
    today = next((r for r in rows if r["setting"] == TODAY), None)

    def f(value: Any, digits: int = 3) -> str:
        return "-" if value is None else f"{value:.{digits}f}"

    lines = [
        f"| setting ({split}) | tokens | overlap | title | hit@1 | hit@5 | MRR@10 | answer acc. | false refusals "
        "| vs today | passages/article | tokens/article | ingest s | ingest CPU s | index MB | front |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in sorted(rows, key=lambda r: (r["setting"] == LANGCHAIN, r["tokens"], r["overlap"], r["title"])):
        lines.append(
            f"| {r['setting']}{' (today)' if r['setting'] == TODAY else ''} | "
            f"{'600 chars' if r['setting'] == LANGCHAIN else r['tokens']} | "
            f"{'1 sentence' if r['overlap'] else 'none'} | {r['title']} | {f(r['hit@1'])} | {f(r['hit@5'])} | "
            f"{f(r['mrr@10'])} | {f(r['answer_accuracy'])} | {f(r['false_refusal_rate'])} | {paired(r, today)} | "
            f"{r['passages_per_article']:.2f} | {f(r.get('tokens_per_article'), 0)} | "
            f"{f(r.get('ingest_seconds'), 0)} | {f(r.get('ingest_cpu_seconds'), 0)} | {r['index_mb']:.0f} | "
            f"{'*' if r['setting'] in front else ''} |"
        )
    return "\n".join(lines) + (
        f"\n\nvs today: questions answered right with this setting and wrong with {TODAY}, and the other way "
        f"round.\nfront: the Pareto front of answer accuracy against {COSTS[cost]}."
    )


def plot(rows: list[dict[str, Any]], path: Path, split: str, cost: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    known = [r for r in rows if r.get(cost) is not None]
    fig, axes = plt.subplots(1, 2, figsize=(13, 5.5))
    for ax, quality, label in ((axes[0], "answer_accuracy", "answer accuracy"), (axes[1], "mrr@10", "MRR@10")):
        front = pareto(known, quality, cost)
        for r in known:
            marker = "*" if r["setting"] == LANGCHAIN else "o" if r["title"] == "passage" else "^"
            color = "tab:blue" if r["overlap"] else "tab:orange"
            edge = "black" if r["setting"] in front else "none"
            ax.scatter(r[cost], r[quality], marker=marker, c=color, edgecolors=edge, s=30 + r["tokens"] / 2)
            ax.annotate(r["setting"], (r[cost], r[quality]), fontsize=7, xytext=(4, 3), textcoords="offset points")
        line = sorted((r for r in known if r["setting"] in front), key=lambda r: r[cost])
        ax.plot([r[cost] for r in line], [r[quality] for r in line], "k--", lw=0.8)
        ax.set_xlabel(COSTS[cost])
        ax.set_ylabel(f"{label} ({split})")
        ax.grid(alpha=0.3)
    handles = [
        plt.Line2D([], [], marker="o", ls="", c="gray", label="title in passage"),
        plt.Line2D([], [], marker="^", ls="", c="gray", label="title in metadata"),
        plt.Line2D([], [], marker="*", ls="", c="gray", label="LangChain's 600-character passages"),
        plt.Line2D([], [], marker="s", ls="", c="tab:blue", label="one sentence overlap"),
        plt.Line2D([], [], marker="s", ls="", c="tab:orange", label="no overlap"),
        plt.Line2D([], [], ls="--", c="k", label="Pareto front (black edge)"),
    ]
    axes[0].legend(handles=handles, fontsize=8, loc="lower right")
    fig.suptitle(
        f"Chunking sweep on the BBC corpus, bbc_large {split} split (hybrid, shipped selector); "
        "marker size grows with passage tokens"
    )
    fig.tight_layout()
    fig.savefig(path, dpi=120)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--work-dir", type=Path, required=True, help="data directories, cache and results")
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--questions", type=Path, default=DEFAULT_QUESTIONS)
    parser.add_argument("--split", default="dev", help="question split to report (choose on dev)")
    parser.add_argument("--tag", default="", help="results file suffix, e.g. -refit after re-fitting the selector")
    parser.add_argument("--only", help="comma-separated settings, e.g. 128-ov1-title,192-ov0-meta")
    parser.add_argument("--sample", type=int, default=300, help="articles in the timed fresh ingest")
    parser.add_argument("--no-timing", action="store_true", help="skip the timed fresh ingest")
    parser.add_argument(
        "--mode",
        choices=("hybrid", "dense", "bm25"),
        default="hybrid",
        help="retrieval mode of the evaluation (dense: as a plain LangChain pipeline retrieves; give a --tag)",
    )
    parser.add_argument(
        "--retime",
        type=int,
        metavar="R",
        default=0,
        help="only time the fresh sample ingest again, R rounds over the settings already measured "
        "(interleaved, the fastest round kept): for a quieter machine than during the sweep",
    )
    parser.add_argument("--force", action="store_true", help="measure settings already in the results again")
    parser.add_argument("--drop-indexes", action="store_true", help="delete each setting's data directory after it")
    parser.add_argument("--plot", type=Path, help="write quality against ingest cost as a PNG")
    parser.add_argument("--json", type=Path, help="also write the rows to this file")
    parser.add_argument(
        "--cost",
        choices=sorted(COSTS),
        default="ingest_cpu_seconds",
        help="the cost axis of the Pareto front and the plot (default: CPU seconds, which the "
        "load of a shared machine disturbs less than wall seconds)",
    )
    args = parser.parse_args(argv)
    if not args.corpus.is_dir():
        parser.error(f"no corpus folder at {args.corpus}")

    from retrieval.evaluation.formats import load as load_questions
    from retrieval.search.embeddings import Embedder

    names = [setting_name(*s) for s in itertools.product(SIZES, OVERLAPS, TITLES)]
    names.remove(TODAY)
    names.insert(0, TODAY)  # today's setting first: the reference is measured even if the run stops early
    if args.only:
        names = [n.strip() for n in args.only.split(",") if n.strip()]
    args.work_dir.mkdir(parents=True, exist_ok=True)
    results_path = args.work_dir / f"results-{args.split}{args.tag}.json"
    results: dict[str, Any] = json.loads(results_path.read_text()) if results_path.exists() else {}

    evalset = load_questions(args.questions)
    evalset.questions = [q for q in evalset.questions if q.split == args.split]
    base = Embedder()
    base.embed_query("warm up")
    cache = CachedEmbedder(base, args.work_dir / "embedding-cache.sqlite")
    sample = pick_files(args.corpus, args.sample)
    if not args.no_timing:  # one-off costs (imports, Chroma's first client) must not land on the first setting
        time_fresh_ingest(base, sample[:10], 128, 1, "passage")
    print(f"{len(names)} settings, {len(evalset.questions)} {args.split} questions, load {load()}", flush=True)
    if args.retime:
        retime([n for n in names if n in results], results, args.retime, base, sample)
        results_path.write_text(json.dumps(results, indent=1))
    for name in [] if args.retime else names:
        if name in results and not args.force:
            continue
        print(f"{name}:", flush=True)
        row = measure(name, args, base, cache, evalset, sample)
        if args.no_timing and name in results:  # keep the timing measured before
            for key in ("sample", "sample_runs", "ingest_seconds", "ingest_cpu_seconds"):
                if key in results[name]:
                    row[key] = results[name][key]
        results[name] = row
        results_path.write_text(json.dumps(results, indent=1))
        print(
            f"  hit@1 {row['hit@1']:.3f} hit@5 {row['hit@5']:.3f} mrr@10 {row['mrr@10']:.3f} answer accuracy "
            f"{row['answer_accuracy']:.3f} false refusals {row['false_refusal_rate']:.3f}, "
            f"{row['passages_per_article']:.2f} passages/article, {row['index_mb']:.0f} MB",
            flush=True,
        )
        if args.drop_indexes:
            shutil.rmtree(args.work_dir / name, ignore_errors=True)
    fill_tokens(results, args.work_dir, base)
    results_path.write_text(json.dumps(results, indent=1))
    rows = [results[n] for n in names if n in results] if args.only else list(results.values())
    print(table(rows, args.split, args.cost))
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1))
    if args.plot:
        plot(rows, args.plot, args.split, args.cost)
        print(f"plot written to {args.plot}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
