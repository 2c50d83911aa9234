"""Answer latency over the BBC index: warm p50/p95 next to the query embedding alone, cold `newsbot ask`, memory.

    PYTHONPATH=. python benchmarks/query_latency.py --data-dir /tmp/bbc-index [--backend torch|onnx] [--rounds 3]

With an empty or missing ``--data-dir`` the BBC corpus is ingested into it first. The warm figures come from a
separate process (so its memory is a serving bot's, not this script's): it loads the model and the index,
answers every question once, then times ``Newsbot.ask`` (retrieval + extractive answer) and, on the same
questions, ``embed_query`` alone. The cold figure is the wall time of ``newsbot ask`` as a new process.
Questions come from benchmarks/questions/bbc.jsonl when it exists, else from the 20 below (speed only).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = next((p / "shared" / "corpora" / "bbc" for p in ROOT.parents
                       if (p / "shared" / "corpora" / "bbc").is_dir()), ROOT.parent / "shared" / "corpora" / "bbc")
QUESTIONS = [
    "How much did Time Warner's quarterly profit rise?",
    "Who won the men's singles at the Australian Open?",
    "Which film won best picture at the Oscars?",
    "What did Gordon Brown say about economic growth in his budget?",
    "Why did the dollar fall against the euro?",
    "Who is the manager of Chelsea?",
    "When will the general election be held?",
    "What are the government's plans for identity cards?",
    "How many PlayStation Portable consoles were sold in Japan?",
    "Which bands won at the Brit Awards?",
    "What happened at the Yukos auction?",
    "How much spam email is sent every day?",
    "Who is the England rugby coach?",
    "What did the report say about broadband take-up in the UK?",
    "Why did oil prices rise?",
    "Which city is bidding to host the 2012 Olympics?",
    "How fast did the Chinese economy grow?",
    "What did the Conservatives promise on immigration?",
    "Which mobile phone maker increased its sales?",
    "Who was named best actress?",
]


def questions() -> list[str]:
    path = ROOT / "benchmarks" / "questions" / "bbc.jsonl"
    if path.is_file():
        with open(path, encoding="utf-8") as fh:
            return [json.loads(line)["question"] for line in fh if line.strip()]
    return QUESTIONS


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def warm(args: argparse.Namespace) -> None:
    """The child process: a warm bot's latencies and memory, printed as one JSON line."""
    from retrieval.core.settings import Settings
    from retrieval.newsbot import Newsbot

    settings = Settings(_env_file=None, data_dir=args.data_dir, embedding_backend=args.backend)
    bot = Newsbot(settings)
    t0 = time.perf_counter()
    bot.warm_up()
    warm_up_s = time.perf_counter() - t0
    qs = questions()
    found = sum(bot.ask(q).found for q in qs)  # every path warm once
    total, embed, parts = [], [], {"embed": [], "search": [], "answer": []}
    for _ in range(args.rounds):
        for q in qs:
            t = time.perf_counter()
            answer = bot.ask(q)
            total.append(time.perf_counter() - t)
            for key in parts:
                parts[key].append(answer.timings.get(key, 0.0))
    for _ in range(args.rounds):
        for q in qs:
            t = time.perf_counter()
            bot.embedder.embed_query(q)
            embed.append(time.perf_counter() - t)
    status = Path("/proc/self/status").read_text()
    mem = {k: int(line.split()[1]) / 1024 for line in status.splitlines()
           for k in ("VmRSS", "VmHWM") if line.startswith(k + ":")}
    print(json.dumps({"warm_up": warm_up_s, "total": total, "embed": embed, "found": found, "n": len(qs),
                      "parts": {k: statistics.median(v) for k, v in parts.items()}, "mem": mem,
                      "chunks": len(bot.index.view)}))


def cold(args: argparse.Namespace, backend: str, question: str) -> tuple[float, dict]:
    env = dict(os.environ, PYTHONPATH=str(ROOT), NEWSBOT_DATA_DIR=str(args.data_dir), HF_HUB_OFFLINE="1",
               NEWSBOT_EMBEDDING_BACKEND=backend)
    t = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "bot", "ask", "--json", question], env=env, capture_output=True,
                          text=True)
    wall = time.perf_counter() - t
    if done.returncode != 0:
        raise SystemExit(f"newsbot ask failed: {done.stderr}")
    return wall, json.loads(done.stdout)["timings"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", type=Path, required=True, help="the BBC index (built here when empty)")
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--backend", default="torch", choices=["torch", "onnx", "onnx-int8"])
    parser.add_argument("--rounds", type=int, default=3, help="timed passes over the questions")
    parser.add_argument("--cold-runs", type=int, default=3)
    parser.add_argument("--cold-backends", default="torch,onnx", help="backends to time `newsbot ask` with")
    parser.add_argument("--child-warm", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    if args.child_warm:
        warm(args)
        return 0

    from retrieval.core.settings import Settings

    settings = Settings(_env_file=None, data_dir=args.data_dir, embedding_backend=args.backend)
    if not (settings.passages_dir / f"{settings.collection}.sqlite3").exists():
        from retrieval.newsbot import Newsbot

        print(f"indexing {args.corpus} into {args.data_dir} first ...", flush=True)
        report = Newsbot(settings).ingest([args.corpus])
        print(f"  {len(report.added)} articles, {report.chunks} chunks in {report.seconds:.0f} s", flush=True)

    child = subprocess.run([sys.executable, __file__, "--child-warm", "--data-dir", str(args.data_dir),
                            "--backend", args.backend, "--rounds", str(args.rounds)],
                           env=dict(os.environ, PYTHONPATH=str(ROOT)), capture_output=True, text=True)
    if child.returncode != 0:
        raise SystemExit(child.stderr)
    w = json.loads(child.stdout.strip().splitlines()[-1])
    p50, p95, e50 = pct(w["total"], 0.5), pct(w["total"], 0.95), pct(w["embed"], 0.5)
    print(f"index: {w['chunks']} chunks; {w['n']} questions x {args.rounds} rounds; backend {args.backend}; "
          f"{w['found']}/{w['n']} answered (not declined)")
    print(f"warm answer (retrieval + answer): p50 {p50 * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms")
    print(f"query embedding alone:            p50 {e50 * 1000:.1f} ms, p95 {pct(w['embed'], 0.95) * 1000:.1f} ms")
    print(f"warm p50 / embedding p50: {p50 / e50:.2f} (budget: at most 3)")
    parts = w["parts"]
    print(f"  median parts of a warm answer: embed {parts['embed'] * 1000:.1f} ms, search "
          f"{parts['search'] * 1000:.1f} ms, answer {parts['answer'] * 1000:.1f} ms")
    print(f"warm bot: start-up (model + index) {w['warm_up']:.1f} s; resident memory {w['mem']['VmRSS']:.0f} MB "
          f"(peak {w['mem']['VmHWM']:.0f} MB)")

    qs = questions()
    for backend in [b for b in args.cold_backends.split(",") if b]:
        runs = [cold(args, backend, qs[i % len(qs)]) for i in range(args.cold_runs)]
        walls = sorted(r[0] for r in runs)
        inner = runs[0][1]
        print(f"cold `newsbot ask` ({backend}): median {statistics.median(walls):.2f} s over {len(walls)} runs "
              f"(min {walls[0]:.2f}); inside ask: open the index {inner.get('prepare', 0):.2f} s, import and load "
              f"the model {inner.get('load_model', 0):.2f} s, embed {inner.get('embed', 0):.3f} s, search "
              f"{inner.get('search', 0):.3f} s, answer {inner.get('answer', 0):.3f} s; the rest is Python start-up "
              "and imports")
    t = time.perf_counter()
    code = ("import sys, contextlib, io\nfrom bot.cli import build_parser\n"
            "with contextlib.redirect_stdout(io.StringIO()):\n"
            "    try: build_parser().parse_args(['--help'])\n    except SystemExit: pass\n"
            "print(sorted(m for m in ('torch', 'sentence_transformers', 'chromadb', 'onnxruntime') if m in sys.modules))")
    helped = subprocess.run([sys.executable, "-c", code], env=dict(os.environ, PYTHONPATH=str(ROOT)),
                            capture_output=True, text=True)
    print(f"`newsbot --help`: {time.perf_counter() - t:.2f} s, heavy modules imported: {helped.stdout.strip()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
