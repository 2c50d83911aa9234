"""`newsbot chat`: talk to newsbot in the terminal, with follow-up questions."""

from __future__ import annotations

import argparse
import sys
from typing import Any


def register(sub: Any) -> None:
    p = sub.add_parser(
        "chat",
        help="a conversation in the terminal (follow-ups understood)",
        description="Interactive chat with line editing and history. When stdin is not a terminal, reads one "
        "question per line and prints plain text (or JSON with --json), keeping the conversation.",
        epilog='Example: printf "When did the Assad government fall?\\nWhere was their stronghold?\\n" | newsbot chat',
    )
    p.add_argument("--json", action="store_true", help="piped mode: one JSON object per answer")
    p.set_defaults(run=run)


def run(args: argparse.Namespace, settings: Any) -> int:
    from bot.chat import run_interactive, run_piped
    from bot.console import notice
    from bot.extras import require
    from retrieval.newsbot import Newsbot

    newsbot = Newsbot(settings, notice=notice)
    newsbot.prepare_fast_encoder()  # the one-time ONNX export, with its progress line
    newsbot.index  # noqa: B018 - a missing, locked or mismatched index is reported once, before any question
    if not sys.stdin.isatty():
        return run_piped(newsbot, sys.stdin, sys.stdout, args.json)
    require("chat")
    return run_interactive(newsbot, settings.data_dir / "chat_history")
