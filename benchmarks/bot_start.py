"""How fast `newsbot bot` starts answering, and how much memory it holds, on a given index, per encoder backend.

    PYTHONPATH=. python benchmarks/bot_start.py --data-dir /path/to/bbc-index [--backends auto,torch] [--runs 3]

Starts the Bot API stand-in (tests/bot/telegram/standin.py) on 127.0.0.1, then runs `newsbot bot` as a new
process pointed at it (NEWSBOT_TELEGRAM_API_URL). A question is queued before the process starts; the figure is
the time from launching the process to the stand-in receiving the answer, and the process's resident memory
(VmRSS) right after it, then after 20 more questions. ``auto`` answers with the ONNX encoder; ``torch`` with
sentence-transformers. The index is opened as it is (build it first with `newsbot ingest`).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.bot.telegram.standin import BotApiStandin

USER = 4242
QUESTIONS = ["How much did Time Warner's quarterly profit rise?", "Who won the men's singles at the Australian Open?",
             "Why did the dollar fall against the euro?", "Who is the England rugby coach?",
             "What did Gordon Brown say about economic growth?"]


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def one_run(data_dir: Path, backend: str) -> tuple[float, float, float]:
    standin = BotApiStandin()
    await standin.start()
    try:
        env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSBOT_")}
        env.update(NEWSBOT_DATA_DIR=str(data_dir), NEWSBOT_TELEGRAM_TOKEN=standin.token,
                   NEWSBOT_TELEGRAM_API_URL=standin.url, NEWSBOT_EMBEDDING_BACKEND=backend,
                   NEWSBOT_TELEGRAM_RATE_LIMIT="0", PYTHONPATH=str(ROOT), HF_HUB_OFFLINE="1")
        standin.queue_message(USER, QUESTIONS[0], user_id=USER)
        started = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-m", "bot", "bot"], env=env, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        try:
            await standin.wait_for("sendMessage", lambda c: int(c.params["chat_id"]) == USER, timeout=300)
            first = time.perf_counter() - started
            after_first = rss_mb(proc.pid)
            for i in range(20):
                before = len(standin.calls("sendMessage"))
                standin.queue_message(USER, QUESTIONS[i % len(QUESTIONS)] + " " * i, user_id=USER)
                await standin.wait_for("sendMessage", lambda c, b=before: len(standin.calls("sendMessage")) > b,
                                       timeout=120)
            return first, after_first, rss_mb(proc.pid)
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    finally:
        await standin.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--backends", default="auto,torch")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print(f"index: {args.data_dir}; load average {os.getloadavg()[0]:.2f}", flush=True)
    for backend in args.backends.split(","):
        runs = [asyncio.run(one_run(args.data_dir, backend)) for _ in range(args.runs)]
        firsts = [r[0] for r in runs]
        print(f"{backend:<6} start to first answer: median {statistics.median(firsts):.2f} s (min {min(firsts):.2f}, "
              f"max {max(firsts):.2f}); resident memory after it {statistics.median(r[1] for r in runs):.0f} MB, "
              f"after 20 more questions {statistics.median(r[2] for r in runs):.0f} MB", flush=True)
    print(f"load average at the end {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
