"""Telegram under load: N chats ask at once through the Bot API stand-in; prints answers/s and reply times.

Also prints the transcript of one chat (/start, a question, a follow-up, a 👍 vote, /reset) from the
stand-in's record. Usage: python benchmarks/telegram_load.py [--chats 20] [--rounds 2]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pydantic import SecretStr

from bot.telegram.app import build_application
from retrieval.core.settings import Settings
from retrieval.newsbot import Newsbot
from tests.bot.telegram.standin import BotApiStandin

QUESTIONS = ["who evacuated via Khmeimim?", "When did the Assad government fall?", "Where was the stronghold?",
             "Which group led the armed groups?", "How does Iran prefer to exchange opinions?"]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round((len(ordered) - 1) * p / 100))]


async def run(chats: int, rounds: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        standin = BotApiStandin()
        await standin.start()
        settings = Settings(_env_file=None, data_dir=Path(tmp), telegram_token=SecretStr(standin.token),
                            telegram_rate_limit=0)
        newsbot = Newsbot(settings)
        newsbot.ingest([ROOT / "seeds"])
        newsbot.warm_up()
        app = build_application(settings.model_copy(update={"telegram_api_url": standin.url}), newsbot)
        async with app:
            await app.start()
            await app.updater.start_polling(poll_interval=0.0, timeout=1)
            await transcript(standin)
            waits = []
            started = time.monotonic()
            for r in range(rounds):
                sent = {}
                for chat in range(2000, 2000 + chats):
                    standin.queue_message(chat, QUESTIONS[(chat + r) % len(QUESTIONS)], user_id=chat)
                    sent[chat] = time.monotonic()
                for chat, at in sent.items():
                    call = await standin.wait_for("sendMessage", lambda c, chat=chat, at=at: int(
                        c.params["chat_id"]) == chat and c.time >= at, timeout=300)
                    waits.append(call.time - at)
            elapsed = time.monotonic() - started
            await app.updater.stop()
            await app.stop()
        await standin.stop()
    print(f"\n{chats} chats x {rounds} rounds = {len(waits)} answers in {elapsed:.1f} s: "
          f"{len(waits) / elapsed:.2f} answers/s; reply time p50 {percentile(waits, 50):.2f} s, "
          f"p95 {percentile(waits, 95):.2f} s, max {max(waits):.2f} s")


async def transcript(standin: BotApiStandin) -> None:
    chat = 1001
    print("transcript of one chat (from the stand-in's record):")
    for text in ("/start", "who evacuated via Khmeimim?", "How were they transported?"):
        before = len(standin.calls("sendMessage"))
        standin.queue_message(chat, text, user_id=chat)
        print(f"\nuser> {text}")
        await standin.wait_for("sendMessage", lambda c: int(c.params["chat_id"]) == chat and
                               standin.calls("sendMessage").index(c) >= before, timeout=60)
        await asyncio.sleep(0.5)
        for call in standin.calls("sendMessage")[before:]:
            print(f"bot>  {call.params['text']}")
            if call.params.get("reply_markup"):
                buttons = [b["text"] for row in call.params["reply_markup"]["inline_keyboard"] for b in row]
                print(f"      [buttons: {' '.join(buttons)}]")
    last = standin.calls("sendMessage")[-1]
    vote = last.params["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    standin.queue_callback_query(chat, chat, last.result["message_id"], vote)
    ack = await standin.wait_for("answerCallbackQuery", timeout=30)
    print(f"\nuser> presses 👍\nbot>  (toast) {ack.params.get('text')}")
    before = len(standin.calls("sendMessage"))
    standin.queue_message(chat, "/reset", user_id=chat)
    reply = await standin.wait_for("sendMessage", lambda c: standin.calls("sendMessage").index(c) >= before)
    print(f"\nuser> /reset\nbot>  {reply.params['text']}")
    print("\nmethods called:", json.dumps(sorted({c.method for c in standin.calls()})))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chats", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    asyncio.run(run(args.chats, args.rounds))
    return 0


if __name__ == "__main__":
    sys.exit(main())
