"""A year of news: what adding articles, reading them and asking cost as the archive grows to a million passages.

    PYTHONPATH=. python benchmarks/growth.py --data-dir /tmp/growth [--sizes 10000,100000,1000000]
        [--json docs/growth.json] [--plot docs/growth.png]

The archive is built up to each size in turn (cumulatively) from synthetic articles of real BBC sentences, dated
over one year (benchmarks/growth_corpus.py), through newsbot's own ingest (`Newsbot.ingest_articles`: the plan,
reprint grouping, chunking, the stores). **The vectors are random unit vectors at every size** (an encoder that
hashes each text to a vector): the run measures the index, not the encoder, whose cost per article does not
depend on the archive (docs/scale.md gives it). At each size:

- **add 100**: wall and CPU seconds to ingest 100 new articles (encoder excluded: random vectors);
- **reader sees**: seconds from that ingest's end until another process, open on the index all along, finds
  one of the new articles (its search has a word only they hold);
- **query p50 / p95**: hybrid search (dense + keywords, fused) in a serving process, the query's vector given
  (the query embedding excluded), over the BBC question set's questions;
- **serving RSS**: that process's resident memory after the queries;
- **disk**: the data directory's size;
- **cold ask**: wall time of ``newsbot ask`` as a new process (real encoder and reader, ONNX).

Run it on the code before a change and after (same sizes, same seed) to compare; nothing else should run.

Server mode: with ``NEWSBOT_CHROMA_URL`` set (a `chroma run` on loopback) the vectors go to the server, and with
``GROWTH_READERS=2`` two reader processes, each with a passage store of its own, wait for the new articles
(the slower one is reported): two bots and a refresh job sharing one server.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

QUESTIONS = ROOT / "benchmarks" / "questions" / "bbc_large.jsonl"
DIM = 384
BATCH = 2000  # articles per ingest call while building
READERS = int(os.environ.get("GROWTH_READERS", "1"))  # processes that wait for the new articles (the slowest counts)


def random_encoder():
    """An `Embedder` whose vectors are random unit vectors seeded by each text (same text, same vector); it counts
    tokens with the real tokenizer and reports the real model's name, so the CLI opens the index it built."""
    import numpy as np

    from retrieval.search.embeddings import Embedder

    class RandomEncoder(Embedder):
        @property
        def model(self) -> Any:
            return self

        def encode_array(self, texts: list[str], progress: Any = None) -> Any:
            out = np.empty((len(texts), DIM), dtype=np.float32)
            for i, text in enumerate(texts):
                seed = int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "little")
                v = np.random.default_rng(seed).standard_normal(DIM).astype(np.float32)
                out[i] = v / np.linalg.norm(v)
            if progress:
                progress(len(texts))
            return out

        def embed_query(self, text: str) -> list[float]:
            return self.encode_array([text])[0].tolist()

    return RandomEncoder()


def articles(first: int, count: int, seed: int = 7, marker: str | None = None):
    """``count`` synthetic articles numbered from ``first`` (a marker word in each, for the reader to find)."""
    from benchmarks.growth_corpus import articles as synthetic
    from retrieval.core.articles import make_article

    for art in synthetic(first + count, seed=seed):
        if art.number < first:
            continue
        text = f"{art.text} {marker}." if marker else art.text
        yield make_article(text, f"growth://{seed}/{art.number}", title=art.title, date=art.date,
                           publisher=("Wire", "Herald", "Courier", "Ledger")[art.number % 4])


def settings_for(data_dir: Path):
    from retrieval.core.settings import Settings

    return Settings(_env_file=None, data_dir=data_dir, embedding_backend="onnx", group_reprints=True)


def build_to(data_dir: Path, passages: int, state: dict[str, Any]) -> None:
    """Ingest synthetic articles until the index holds at least ``passages`` passages."""
    from retrieval.newsbot import Newsbot

    bot = Newsbot(settings_for(data_dir), embedder=random_encoder(), purpose="ingest")
    try:
        while True:
            have = _passages(bot)
            if have >= passages:
                return
            need = max(1, min(BATCH, int((passages - have) / 5.5) + 1))
            started = time.perf_counter()
            bot.ingest_articles(list(articles(state["next"], need)))
            state["next"] += need
            print(f"  {_passages(bot)} passages ({time.perf_counter() - started:.0f} s for {need} articles)",
                  flush=True)
    finally:
        bot.close()


def _passages(bot: Any) -> int:
    view = bot.index.view
    return len(view) if not hasattr(view, "table") else len(view.table)


READER = r"""
import sys, time, json
sys.path.insert(0, sys.argv[1])
from benchmarks.growth import random_encoder, settings_for
from pathlib import Path
from retrieval.newsbot import Newsbot
bot = Newsbot(settings_for(Path(sys.argv[2])), embedder=random_encoder())
bot.search("warm up", k=1, mode="bm25")
print("ready", flush=True)
sys.stdin.readline()
while not bot.search(sys.argv[3], k=1, mode="bm25"):
    time.sleep(0.02)
print(time.time(), flush=True)
"""

SERVER = r"""
import sys, time, json, statistics, random
sys.path.insert(0, sys.argv[1])
from benchmarks.growth import random_encoder, settings_for
from pathlib import Path
from retrieval.newsbot import Newsbot
questions = json.loads(Path(sys.argv[3]).read_text())
bot = Newsbot(settings_for(Path(sys.argv[2])), embedder=random_encoder())
enc = bot.embedder
vectors = [enc.embed_query(q) for q in questions]
t = time.perf_counter()
bot.search(questions[0], k=8, vector=vectors[0])
first = time.perf_counter() - t
times = []
for q, v in zip(questions, vectors):
    t = time.perf_counter()
    bot.search(q, k=8, vector=v)
    times.append((time.perf_counter() - t) * 1000)
times.sort()
rss = int(next(l for l in open("/proc/self/status") if l.startswith("VmRSS")).split()[1]) / 1024
print(json.dumps({"p50": statistics.median(times), "p95": times[int(0.95 * (len(times) - 1))], "rss": rss,
                  "first_query_s": first}))
"""


def measure(data_dir: Path, size: int, state: dict[str, Any]) -> dict[str, float]:
    from retrieval.newsbot import Newsbot

    marker = f"zzgrowth{size}"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "HF_HUB_OFFLINE": "1", "NEWSBOT_DATA_DIR": str(data_dir)}
    readers = []
    for i in range(max(1, READERS)):  # each with a data directory of its own when the index is a Chroma server
        own = data_dir if not os.environ.get("NEWSBOT_CHROMA_URL") else data_dir.parent / f"reader-{i}"
        readers.append(subprocess.Popen([sys.executable, "-c", READER, str(ROOT), str(own), marker],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env))
    for reader in readers:
        assert reader.stdout is not None
        reader.stdout.readline()
    bot = Newsbot(settings_for(data_dir), embedder=random_encoder(), purpose="ingest")
    new = list(articles(state["next"], 100, marker=marker))
    state["next"] += 100
    for reader in readers:
        assert reader.stdin is not None
        reader.stdin.write("go\n")
        reader.stdin.flush()
    wall, cpu = time.perf_counter(), time.process_time()
    bot.ingest_articles(new)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    done = time.time()
    seen = []
    for reader in readers:
        assert reader.stdout is not None
        seen.append(float(reader.stdout.readline()) - done)
        reader.wait()
    total = _passages(bot)
    bot.close()

    questions = [json.loads(line)["question"] for line in QUESTIONS.open(encoding="utf-8")][:200]
    qfile = data_dir.parent / "growth-questions.json"
    qfile.write_text(json.dumps(questions))
    server = subprocess.run([sys.executable, "-c", SERVER, str(ROOT), str(data_dir), str(qfile)],
                            capture_output=True, text=True, env=env, check=True)
    serving = json.loads(server.stdout.strip().splitlines()[-1])
    cold = []
    for _ in range(2):
        t = time.perf_counter()
        subprocess.run([sys.executable, "-m", "bot", "ask", "Who is the chief executive of the airline?"],
                       cwd=str(ROOT), env={**env, "NEWSBOT_EMBEDDING_BACKEND": "onnx"}, capture_output=True,
                       check=False)
        cold.append(time.perf_counter() - t)
    disk = sum(p.stat().st_size for p in data_dir.rglob("*") if p.is_file()) / 1e6
    return {"passages": total, "add_100_wall_s": wall, "add_100_cpu_s": cpu, "reader_sees_s": max(0.0, *seen),
            "query_p50_ms": serving["p50"], "query_p95_ms": serving["p95"], "serving_rss_mb": serving["rss"],
            "first_query_s": serving["first_query_s"], "disk_mb": disk, "cold_ask_s": min(cold)}


def plot(series: dict[str, list[dict[str, float]]], path: Path) -> None:
    """One panel per figure, one line per run (label: rows)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    keys = ["add_100_wall_s", "reader_sees_s", "query_p50_ms", "serving_rss_mb", "disk_mb", "cold_ask_s"]
    fig, axes = plt.subplots(2, 3, figsize=(12, 6.5))
    for ax, key in zip(axes.flat, keys, strict=True):
        for label, rows in series.items():
            ax.plot([r["passages"] for r in rows], [r[key] for r in rows], marker="o", label=label)
        ax.set_xscale("log")
        ax.legend(fontsize=8)
        ax.set_title(key.replace("_", " "))
        ax.set_xlabel("passages")
        ax.grid(True, alpha=0.3)
    fig.suptitle("newsbot as the archive grows (random vectors: the index, not the encoder)")
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=Path("/tmp/newsbot-growth"))
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--plot", type=Path)
    parser.add_argument("--label", default="after")
    parser.add_argument("--compare", type=Path, action="append", default=[],
                        help="a --json of another run (before) drawn in the same plot")
    parser.add_argument("--plot-only", action="store_true", help="draw --plot from --json and --compare, no run")
    args = parser.parse_args(argv)
    if args.plot_only:
        runs = [json.loads(p.read_text()) for p in [*args.compare, args.json]]
        plot({r["label"]: r["rows"] for r in runs}, args.plot)
        return 0
    data_dir = args.data_dir / "data"
    data_dir.mkdir(parents=True, exist_ok=True)
    state_file = args.data_dir / "state.json"
    state = json.loads(state_file.read_text()) if state_file.is_file() else {"next": 0}
    rows = []
    for size in (int(s) for s in args.sizes.split(",")):
        started = time.perf_counter()
        print(f"building to {size} passages ...", flush=True)
        build_to(data_dir, size, state)
        state_file.write_text(json.dumps(state))
        print(f"built in {time.perf_counter() - started:.0f} s; measuring", flush=True)
        row = measure(data_dir, size, state)
        state_file.write_text(json.dumps(state))
        rows.append(row)
        print(json.dumps(row), flush=True)
    print("| passages | add 100: wall / CPU s | reader sees s | query p50 / p95 ms | serving RSS MB | disk MB | "
          "cold ask s |")
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['passages']:,} | {r['add_100_wall_s']:.2f} / {r['add_100_cpu_s']:.2f} | {r['reader_sees_s']:.2f} "
              f"| {r['query_p50_ms']:.1f} / {r['query_p95_ms']:.1f} | {r['serving_rss_mb']:.0f} | {r['disk_mb']:.0f} "
              f"| {r['cold_ask_s']:.2f} |")
    if args.json:
        args.json.write_text(json.dumps({"label": args.label, "rows": rows}, indent=1))
    if args.plot:
        runs = [json.loads(p.read_text()) for p in args.compare]
        plot({**{r["label"]: r["rows"] for r in runs}, args.label: rows}, args.plot)
    return 0


if __name__ == "__main__":
    sys.exit(main())
