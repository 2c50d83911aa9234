"""A transcript of the news companion: a real `newsbot bot` process against the Bot API stand-in on 127.0.0.1.

An inline query answered and one declined, `/follow`, an article ingested by another `newsbot ingest` process
and the alert that arrives, then `/digest`. Everything runs in a temporary data directory.

    PYTHONPATH=. python benchmarks/companion_transcript.py
"""

import asyncio
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests.bot.telegram.standin import BotApiStandin

USER = 4242
TODAY = time.strftime("%Y-%m-%d")


def article(folder, name, title, source, body):
    p = folder / name
    p.write_text(f"Title: {title}\nDate: {TODAY}\nSource: {source}\n\n{body}")
    return p


async def next_call(s, method, n, timeout=60):
    """The (n+1)-th call of ``method``, waiting for it."""
    await s.wait_for(method, lambda c: len(s.calls(method)) > n, timeout=timeout)
    return s.calls(method)[n]


def show(call):
    p = call.params
    if call.method == "answerInlineQuery":
        res = p["results"]
        res = json.loads(res) if isinstance(res, str) else res
        print(f"<- answerInlineQuery: {len(res)} result(s)")
        for r in res:
            msg = r.get("input_message_content", {}).get("message_text", "")
            print(f"   * title: {r.get('title')!r}\n     description: {r.get('description')!r}")
            print(f"     message sent: {msg!r}")
    else:
        print(f"<- {call.method} to {p.get('chat_id')}:\n   " + str(p.get("text")).replace("\n", "\n   "))


async def main():
    work = Path(tempfile.mkdtemp(prefix="t17-"))
    data = work / "data"
    news = work / "news"
    news.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSBOT_")}
    s = BotApiStandin()
    await s.start()
    env.update(
        NEWSBOT_DATA_DIR=str(data),
        PYTHONPATH=str(ROOT),
        HF_HUB_OFFLINE="1",
        NEWSBOT_TELEGRAM_TOKEN=s.token,
        NEWSBOT_TELEGRAM_API_URL=s.url,
        NEWSBOT_TELEGRAM_WATCH_SECONDS="2",
    )
    first = article(
        news,
        "pier.txt",
        "Dunmere pier reopens",
        "Coast Herald",
        "Dunmere's Victorian pier reopened on Saturday after a two-year restoration costing 4.2 million pounds. "
        "The council said 3,000 visitors walked its length on the first day.",
    )
    print(f"$ newsbot ingest {first.name}")
    r = subprocess.run(
        [sys.executable, "-m", "bot", "ingest", str(first)], env=env, capture_output=True, text=True, cwd=work
    )
    print("  " + (r.stdout + r.stderr).strip().replace("\n", "\n  "))
    bot = subprocess.Popen(
        [sys.executable, "-m", "bot", "bot"],
        env=env,
        cwd=work,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        await s.wait_for("getUpdates", timeout=120)
        print("\n-> inline query from user 4242: '@newsbot_test_bot how much did the Dunmere pier restoration cost'")
        s.queue_inline_query(USER, "how much did the Dunmere pier restoration cost")
        show(await s.wait_for("answerInlineQuery", timeout=60))
        print("\n-> inline query: '@newsbot_test_bot who won the Eurovision song contest'")
        s.queue_inline_query(USER, "who won the Eurovision song contest")
        show(await next_call(s, "answerInlineQuery", 1))
        print("\n-> message: /follow Holm Island ferry")
        n = len(s.calls("sendMessage"))
        s.queue_message(USER, "/follow Holm Island ferry", user_id=USER)
        show(await next_call(s, "sendMessage", n))
        await asyncio.sleep(3)
        ferry = article(
            news,
            "ferry.txt",
            "Holm Island ferry resumes",
            "Isles Post",
            "The ferry between Dunmere and Holm Island resumed on Friday after three weeks of storm repairs, "
            "the operator Norrsund Lines said. The first boat carried 212 passengers.",
        )
        budget = article(
            news,
            "budget.txt",
            "Council budget passed",
            "Coast Herald",
            "Dunmere council passed its budget on Thursday with more spending on libraries.",
        )
        print(f"\n$ newsbot ingest {ferry.name} {budget.name}    (another process, while the bot runs)")
        r = await asyncio.to_thread(
            subprocess.run,
            [sys.executable, "-m", "bot", "ingest", str(ferry), str(budget)],
            env=env,
            capture_output=True,
            text=True,
            cwd=work,
        )
        print("  " + (r.stdout + r.stderr).strip().replace("\n", "\n  "))
        show(await s.wait_for("sendMessage", lambda c: "🔔" in str(c.params.get("text")), timeout=60))
        print("\n-> message: /digest")
        n = len(s.calls("sendMessage"))
        s.queue_message(USER, "/digest", user_id=USER)
        show(await next_call(s, "sendMessage", n))
        print(f"\nalerts sent in all: {sum('🔔' in str(c.params.get('text')) for c in s.calls('sendMessage'))}")
    finally:
        bot.terminate()
        bot.wait(timeout=30)
        await s.stop()
        shutil.rmtree(work, ignore_errors=True)


asyncio.run(main())
