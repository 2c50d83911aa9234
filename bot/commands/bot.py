"""`newsbot bot`: run the Telegram bot (long polling, or a webhook behind a reverse proxy)."""

from __future__ import annotations

import argparse
from typing import Any


def register(sub: Any) -> None:
    p = sub.add_parser(
        "bot",
        help="run the Telegram bot",
        description="Run the Telegram bot with the token in NEWSBOT_TELEGRAM_TOKEN. Long polling by default; "
        "--webhook-url makes it serve a webhook instead (put it behind a TLS reverse proxy).",
        epilog="Example: newsbot bot   |   newsbot bot --webhook-url https://bot.example.org/tg --port 8443",
    )
    p.add_argument("--webhook-url", help="public https URL Telegram posts updates to")
    p.add_argument("--listen", default="127.0.0.1", help="address the webhook server binds (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8443, help="port of the webhook server (default 8443)")
    p.add_argument("--secret-token", help="webhook secret (default NEWSBOT_TELEGRAM_WEBHOOK_SECRET)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace, settings: Any) -> int:
    from bot.console import configure_logging, notice
    from bot.extras import require

    require("telegram")
    from bot.telegram.app import check_token
    from bot.telegram.app import run as run_bot
    from retrieval.newsbot import Newsbot

    token = check_token(settings)
    configure_logging(verbose=True, secrets=[token])
    secret = args.secret_token or (
        settings.telegram_webhook_secret.get_secret_value() if settings.telegram_webhook_secret else None
    )
    if args.webhook_url and not secret:
        notice(
            "warning: no webhook secret set (NEWSBOT_TELEGRAM_WEBHOOK_SECRET); anyone who finds the URL can "
            "post updates"
        )
    notice("Loading the model and the index…")
    newsbot = Newsbot(settings, notice=notice)
    newsbot.prepare_fast_encoder()  # the one-time ONNX export, with its progress line
    newsbot.ensure_seeded()
    run_bot(settings, newsbot, webhook_url=args.webhook_url, listen=args.listen, port=args.port, secret_token=secret)
    return 0
