"""Soak: the Telegram bot under a steady mixed load for N minutes; prints throughput, reply times, errors, memory.

The real PTB `Application` and a real `Newsbot` (ONNX backend: no torch in this process) on the seed article
plus ``--articles`` BBC articles, polling the Bot API stand-in on 127.0.0.1. ``--users`` simulated users ask
all the time: each session is a new chat that asks a question and its follow-ups (benchmarks/dialogues), or
single questions (benchmarks/questions/bbc.jsonl, seeds/eval), votes 👍/👎 on some answers, sometimes lists
/sources and pages on, and thinks a few seconds between messages. Halfway through, an admin uploads a JSONL
document of held-out BBC articles, which the bot ingests while answering.

Every minute it prints answers so far, answers/s, resident memory (VmRSS) and the sizes of the bot's bounded
structures; at the end: answers/s, reply time p50/p95/max, errors, and memory at start, middle and end.

    python benchmarks/soak.py [--minutes 10] [--articles 300] [--users 24]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import random
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

from ingest_throughput import DEFAULT_CORPUS, pick_files
from pydantic import SecretStr

from bot.console import RedactingFormatter
from bot.telegram.access import MAX_USERS
from bot.telegram.app import build_application
from bot.telegram.handlers import CONVERSATION_AGE, KEPT_ANSWERS, MAX_CHATS, texts
from retrieval.core.settings import Settings
from retrieval.newsbot import Newsbot
from tests.bot.telegram.standin import BotApiStandin

ADMIN = 999
UPLOADED = 40  # held-out BBC articles in the mid-run upload
REPLY_TIMEOUT = 180.0


def rss_mb() -> float:
    """Resident memory of this process (the bot, the stand-in and the load driver) in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round((len(ordered) - 1) * p / 100))] if ordered else float("nan")


@dataclass
class Reply:
    """Something the bot did in a chat: a message sent or edited, or a button press answered."""

    kind: str  # "send", "edit" or "toast"
    text: str
    markup: Any
    message_id: int | None


class SoakStandin(BotApiStandin):
    """The stand-in, forgetting what it served (its record would grow for the whole run) and handing each reply
    to the simulated user of that chat."""

    def __init__(self) -> None:
        super().__init__()
        self.inbox: dict[int, asyncio.Queue[Reply]] = {}
        self.refused: Counter[str] = Counter()  # method -> 4xx answers
        self._query_chat: dict[str, int] = {}

    async def _handle(self, request: Any) -> Any:
        response = await super()._handle(request)
        if response.status >= 400:
            self.refused[request.match_info["method"]] += 1
        self.records.clear()
        return response

    def _deliver(self, chat_id: int, reply: Reply) -> None:
        queue = self.inbox.get(chat_id)
        if queue is not None:
            queue.put_nowait(reply)

    def _m_sendMessage(self, p: dict[str, Any]) -> dict[str, Any]:
        message = super()._m_sendMessage(p)
        if len(self._shown) > 1000:
            self._shown.clear()
        self._deliver(int(p["chat_id"]), Reply("send", str(p["text"]), p.get("reply_markup"), message["message_id"]))
        return message

    def _m_editMessageText(self, p: dict[str, Any]) -> dict[str, Any]:
        message = super()._m_editMessageText(p)
        self._deliver(int(p["chat_id"]), Reply("edit", str(p["text"]), p.get("reply_markup"), message["message_id"]))
        return message

    def _m_answerCallbackQuery(self, p: dict[str, Any]) -> bool:
        chat = self._query_chat.pop(str(p.get("callback_query_id")), None)
        if chat is not None:
            self._deliver(chat, Reply("toast", str(p.get("text") or ""), None, None))
        return True

    def press(self, chat_id: int, message_id: int, data: str) -> None:
        update = self.queue_callback_query(chat_id, chat_id, message_id, data)
        self._query_chat[update["callback_query"]["id"]] = chat_id

    def open_chat(self, chat_id: int) -> asyncio.Queue[Reply]:
        return self.inbox.setdefault(chat_id, asyncio.Queue())

    def close_chat(self, chat_id: int) -> None:
        self.inbox.pop(chat_id, None)
        self._message_ids.pop(chat_id, None)


@dataclass
class Tally:
    """What the simulated users saw."""

    reply_times: list[float] = field(default_factory=list)
    answered: int = 0
    follow_ups: int = 0
    slowed: int = 0
    other_replies: Counter[str] = field(default_factory=Counter)
    error_replies: int = 0
    timeouts: int = 0
    votes: int = 0
    vote_acks: int = 0
    sources_pages: int = 0
    sessions: int = 0


class Load:
    """Simulated users against the stand-in."""

    def __init__(
        self, standin: SoakStandin, sessions: tuple[list[list[str]], list[list[str]]], error_text: str, seed: int = 7
    ) -> None:
        self.standin = standin
        self.dialogues, self.singles = sessions
        self.error_text = error_text
        self.rng = random.Random(seed)
        self.tally = Tally()
        self.next_chat = 100_000
        self.stop = asyncio.Event()

    async def _next(self, queue: asyncio.Queue[Reply], deadline: float) -> Reply | None:
        try:
            return await asyncio.wait_for(queue.get(), max(0.01, deadline - time.monotonic()))
        except asyncio.TimeoutError:
            return None

    async def ask(self, chat: int, queue: asyncio.Queue[Reply], text: str) -> Reply | None:
        """Send ``text``; the answer's last message (the one with the vote buttons), or None."""
        started = time.monotonic()
        self.standin.queue_message(chat, text, user_id=chat)
        deadline = started + REPLY_TIMEOUT
        while True:
            reply = await self._next(queue, deadline)
            if reply is None:
                self.tally.timeouts += 1
                return None
            if reply.kind != "send":
                continue
            if reply.markup and "fb:" in json.dumps(reply.markup):
                self.tally.reply_times.append(time.monotonic() - started)
                self.tally.answered += 1
                return reply
            if reply.text.startswith("Slow down"):
                self.tally.slowed += 1
                return None
            if reply.text == self.error_text:
                self.tally.error_replies += 1
                return None
            if reply.text.startswith("The question"):  # refused as a question (too long, empty)
                self.tally.other_replies[reply.text[:40]] += 1
                return None
            # anything else is an early part of an answer split over several messages: the buttons come last

    async def vote(self, chat: int, queue: asyncio.Queue[Reply], answer: Reply) -> None:
        up, down = [b["callback_data"] for b in answer.markup["inline_keyboard"][0]]
        self.standin.press(chat, answer.message_id or 0, self.rng.choice([up, up, down]))
        self.tally.votes += 1
        deadline = time.monotonic() + REPLY_TIMEOUT
        while (reply := await self._next(queue, deadline)) is not None:
            if reply.kind == "toast":
                self.tally.vote_acks += 1
                return
        self.tally.timeouts += 1

    async def sources(self, chat: int, queue: asyncio.Queue[Reply]) -> None:
        self.standin.queue_message(chat, "/sources", user_id=chat)
        deadline = time.monotonic() + REPLY_TIMEOUT
        listing = await self._next(queue, deadline)
        if listing is None:
            self.tally.timeouts += 1
            return
        self.tally.sources_pages += 1
        buttons = [b for row in (listing.markup or {}).get("inline_keyboard", []) for b in row]
        if buttons and listing.message_id:
            self.standin.press(chat, listing.message_id, buttons[-1]["callback_data"])
            while (reply := await self._next(queue, deadline)) is not None:
                if reply.kind == "edit":
                    self.tally.sources_pages += 1
                    return
            self.tally.timeouts += 1

    async def user(self) -> None:
        """One simulated user slot: session after session, each in a new chat, until told to stop."""
        while not self.stop.is_set():
            chat = self.next_chat
            self.next_chat += 1
            queue = self.standin.open_chat(chat)
            self.tally.sessions += 1
            try:
                pool = self.dialogues if self.dialogues and self.rng.random() < 0.5 else self.singles
                for i, question in enumerate(self.rng.choice(pool)):
                    if self.stop.is_set():
                        break
                    answer = await self.ask(chat, queue, question)
                    self.tally.follow_ups += i > 0
                    if answer is not None and self.rng.random() < 0.4:
                        await self.vote(chat, queue, answer)
                    await asyncio.sleep(self.rng.uniform(3, 8))  # reading and typing
                if self.rng.random() < 0.15 and not self.stop.is_set():
                    await self.sources(chat, queue)
            finally:
                self.standin.close_chat(chat)


def question_sessions(indexed: set[str]) -> tuple[list[list[str]], list[list[str]]]:
    """Dialogues (a question and its follow-ups) and single questions, preferring indexed articles."""

    def rows(path: Path) -> list[dict[str, Any]]:
        return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]

    def known(sources: list[str]) -> bool:
        return all(s in indexed for s in sources)

    dialogues = [
        [t["question"] for t in d["turns"]]
        for d in rows(ROOT / "benchmarks" / "dialogues" / "bbc_dialogues.jsonl")
        if known(d["turns"][0]["sources"])
    ]
    singles = [[q["question"]] for q in rows(ROOT / "benchmarks" / "questions" / "bbc.jsonl") if known(q["sources"])]
    seed = [[q["question"]] for q in rows(ROOT / "seeds" / "eval" / "questions.jsonl")]
    return dialogues, singles + seed + [["What is the capital of France?"]]  # and one the bot should decline


def export_onnx(cache: Path) -> None:
    """Export the bundled model for the onnx backend once, in a child process (torch stays out of this one)."""
    if list(cache.rglob("model.onnx")):
        return
    code = (
        "from pathlib import Path; from retrieval.search.embeddings import Embedder; "
        f"Embedder(backend='onnx', cache_dir=Path({str(cache)!r})).embed_query('warm up')"
    )
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, env={**os.environ, "PYTHONPATH": str(ROOT)})


class LogCount(logging.Handler):
    """Counts warnings and errors of the bot and of the stand-in apart; keeps the first few (the token redacted)."""

    def __init__(self, token: str) -> None:
        super().__init__(logging.WARNING)
        self.setFormatter(RedactingFormatter("%(levelname)s %(name)s: %(message)s", [token]))
        self.levels: Counter[str] = Counter()
        self.first: list[str] = []
        self.started = time.monotonic()

    def emit(self, record: logging.LogRecord) -> None:
        side = "stand-in" if record.name.startswith("aiohttp") else "bot"
        self.levels[f"{side} {record.levelname}"] += 1
        if sum(line.startswith(f"{side}:") for line in self.first) < 3:
            lines = self.format(record).splitlines()
            tail = " | ".join(line.strip() for line in lines[-3:]) if len(lines) > 1 else ""
            self.first.append(f"{side}: [{time.monotonic() - self.started:.0f} s] {lines[0]} {tail}".strip())


async def run(args: argparse.Namespace) -> None:
    files = pick_files(args.corpus, args.articles + UPLOADED)
    indexed_files, held_out = files[: args.articles], files[args.articles :]
    cache = args.onnx_cache
    t = time.monotonic()
    export_onnx(cache)
    print(f"onnx model ready in {time.monotonic() - t:.1f} s ({cache})", flush=True)

    with tempfile.TemporaryDirectory(prefix="newsbot-soak-") as tmp:
        data = Path(tmp) / "data"
        data.mkdir()
        (data / "onnx").symlink_to(cache.resolve(), target_is_directory=True)
        standin = SoakStandin()
        await standin.start()
        settings = Settings(
            _env_file=None,
            data_dir=data,
            telegram_token=SecretStr(standin.token),
            telegram_admins=[ADMIN],
            embedding_backend="onnx",
        )
        newsbot = Newsbot(settings)
        t = time.monotonic()
        newsbot.ingest([ROOT / "seeds" / "000_02dd03580792acdc.txt"], label=lambda p: f"seeds/{p.name}")
        report = newsbot.ingest(indexed_files, label=lambda p: f"{p.parent.name}/{p.name}")
        newsbot.warm_up()
        print(f"indexed the seed and {len(report.added)} BBC articles in {time.monotonic() - t:.1f} s", flush=True)
        upload = "\n".join(
            json.dumps(
                {"title": p.read_text().split("\n", 1)[0].strip(), "text": p.read_text().split("\n", 1)[1].strip()}
            )
            for p in held_out
        )

        log_count = LogCount(standin.token)
        logging.getLogger().addHandler(log_count)
        stopping: list[float] = []
        app = build_application(settings.model_copy(update={"telegram_api_url": standin.url}), newsbot)
        state = app.bot_data["state"]
        load = Load(standin, question_sessions({f"{p.parent.name}/{p.name}" for p in indexed_files}), texts()["error"])
        duration = args.minutes * 60
        samples: list[tuple[float, float, dict[str, int]]] = []
        ingest_note: list[str] = []

        def sizes() -> dict[str, int]:
            return {**state.sizes(), "ptb_chat_data": len(app.chat_data), "ptb_user_data": len(app.user_data)}

        async def admin_upload() -> None:
            await asyncio.sleep(duration / 2)
            queue = standin.open_chat(ADMIN)
            started = time.monotonic()
            standin.queue_document(ADMIN, ADMIN, "bbc-held-out.jsonl", upload.encode(), "application/json")
            while (reply := await asyncio.wait_for(queue.get(), 600)) is not None:
                if reply.text.startswith("Indexed"):
                    ingest_note.append(
                        f"{reply.text.splitlines()[0]} ({len(upload) / 1e3:.0f} KB, "
                        f"{time.monotonic() - started:.1f} s while answering)"
                    )
                    print(f"  [{time.monotonic() - t0:5.0f} s] admin upload: {ingest_note[-1]}", flush=True)
                    return

        async def monitor() -> None:
            last_answers, last_t = 0, time.monotonic()
            while True:
                await asyncio.sleep(10)
                now = time.monotonic()
                samples.append((now - t0, rss_mb(), sizes()))
                if len(samples) % 6 == 0:
                    rate = (load.tally.answered - last_answers) / (now - last_t)
                    last_answers, last_t = load.tally.answered, now
                    print(
                        f"  [{now - t0:5.0f} s] answers {load.tally.answered:5d} ({rate:.2f}/s last minute), "
                        f"RSS {samples[-1][1]:6.1f} MB, {samples[-1][2]}",
                        flush=True,
                    )

        async with app:
            await app.start()
            await app.updater.start_polling(poll_interval=0.0, timeout=1)
            start_rss, start_sizes = rss_mb(), sizes()
            print(f"start: RSS {start_rss:.1f} MB (model and index loaded, bot polling), {start_sizes}", flush=True)
            t0 = time.monotonic()
            watcher = asyncio.create_task(monitor())
            uploader = asyncio.create_task(admin_upload())
            users = [asyncio.create_task(load.user()) for _ in range(args.users)]
            await asyncio.sleep(duration)
            load.stop.set()
            elapsed = time.monotonic() - t0
            stopping.append(time.monotonic() - log_count.started)
            done, pending = await asyncio.wait(users, timeout=REPLY_TIMEOUT)
            for task in [*pending, watcher, uploader]:
                task.cancel()
            end_rss, end_sizes = rss_mb(), sizes()
            await app.updater.stop()
            await app.stop()
        await standin.stop()
        newsbot.close()

    tally = load.tally
    middle = min(samples, key=lambda s: abs(s[0] - duration / 2)) if samples else (0.0, float("nan"), {})
    print(
        f"\nsoak: {args.minutes:g} min, {args.users} users, {len(files) - UPLOADED} + {UPLOADED} uploaded articles, "
        f"{tally.sessions} chats"
    )
    print(
        f"answers {tally.answered} in {elapsed:.0f} s: {tally.answered / elapsed:.2f} answers/s "
        f"({tally.follow_ups} follow-ups asked); reply time p50 {percentile(tally.reply_times, 50):.2f} s, "
        f"p95 {percentile(tally.reply_times, 95):.2f} s, max {max(tally.reply_times, default=float('nan')):.2f} s"
    )
    print(
        f"votes {tally.votes} (acknowledged {tally.vote_acks}), /sources pages {tally.sources_pages}, "
        f"slow-downs {tally.slowed}, other replies {dict(tally.other_replies)}"
    )
    print(
        f"errors: error replies {tally.error_replies}, timeouts {tally.timeouts}, "
        f"Bot API calls refused {dict(standin.refused)}, log {dict(log_count.levels)}"
    )
    for line in log_count.first:
        print(f"  {line}")
    print(f"  (load stopped at {stopping[0]:.0f} s of the log's clock)")
    print(f"admin upload: {ingest_note[0] if ingest_note else 'did not finish'}")
    print(
        f"memory (VmRSS): start {start_rss:.1f} MB, middle ({middle[0]:.0f} s) {middle[1]:.1f} MB, "
        f"end {end_rss:.1f} MB, max {max((s[1] for s in samples), default=float('nan')):.1f} MB"
    )
    print(f"bounded structures: start {start_sizes}\n                    end   {end_sizes}")
    print(
        f"their caps: conversations and hinted chats {MAX_CHATS} (idle {CONVERSATION_AGE} s), answers "
        f"{KEPT_ANSWERS} (a day), rate-limit users and refused users {MAX_USERS} (idle 60 s / a day), chat locks: "
        f"only while in use"
    )
    print(f"torch imported in this process: {'torch' in sys.modules}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--articles", type=int, default=300, help="BBC articles indexed before the run")
    parser.add_argument("--users", type=int, default=40, help="simulated users asking at once")
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument(
        "--onnx-cache",
        type=Path,
        default=Path(tempfile.gettempdir()) / "newsbot-soak-onnx",
        help="where the exported ONNX model is kept between runs",
    )
    args = parser.parse_args()
    logging.getLogger().setLevel(logging.WARNING)
    for name in ("httpx", "httpcore"):
        logging.getLogger(name).setLevel(logging.WARNING)
    asyncio.run(run(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
