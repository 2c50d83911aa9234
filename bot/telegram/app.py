"""Build and run the python-telegram-bot `Application` around one `Newsbot`."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from telegram import BotCommand, Update
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    Defaults,
    InlineQueryHandler,
    MessageHandler,
    filters,
)

from bot.telegram import companion, handlers, news
from bot.telegram.access import Access, RateLimiter
from bot.telegram.store import BotStore
from retrieval.core.errors import NewsbotError
from retrieval.core.settings import Settings

TOKEN_FORMAT = re.compile(r"^\d{5,20}:[A-Za-z0-9_-]{30,}$")
COMMANDS = [
    ("ask", "ask a question"),
    ("sources", "the articles I know"),
    ("reset", "forget this conversation"),
    ("help", "how to ask"),
]


def check_token(settings: Settings) -> str:
    """The bot token, or one clear line saying what is wrong (never echoing the token)."""
    if settings.telegram_token is None or not settings.telegram_token.get_secret_value().strip():
        raise NewsbotError(
            "NEWSBOT_TELEGRAM_TOKEN is not set: create a bot with @BotFather and put its token in "
            ".env (see .env.example)"
        )
    token = settings.telegram_token.get_secret_value().strip()
    if not TOKEN_FORMAT.match(token):
        raise NewsbotError(
            "NEWSBOT_TELEGRAM_TOKEN is malformed: expected digits, a colon and the secret, as @BotFather gives it"
        )
    return token


def build_application(settings: Settings, newsbot: Any, workers: int = 2) -> Application:
    """The `Application` with every handler, talking to NEWSBOT_TELEGRAM_API_URL (default: Telegram's servers)."""
    token = check_token(settings)
    builder = (
        ApplicationBuilder()
        .token(token)
        .concurrent_updates(True)
        .defaults(Defaults(allow_sending_without_reply=True))  # a question deleted mid-answer still gets its answer
        .rate_limiter(AIORateLimiter(max_retries=3))
        .post_init(_post_init)
    )
    if settings.telegram_api_url:  # a self-hosted telegram-bot-api server (bigger uploads), or a test stand-in
        builder = builder.base_url(settings.telegram_api_url.rstrip("/") + "/bot")
        builder = builder.base_file_url(
            (settings.telegram_file_url or settings.telegram_api_url).rstrip("/") + "/file/bot"
        )
    app = builder.build()
    store = BotStore(settings.data_dir)
    app.bot_data["state"] = handlers.BotState(
        newsbot=newsbot,
        access=Access(settings.telegram_allowed_users, settings.telegram_allowed_chats, settings.telegram_admins),
        limiter=RateLimiter(settings.telegram_rate_limit),
        store=store,
        executor=ThreadPoolExecutor(max_workers=workers, thread_name_prefix="newsbot"),
        max_upload_mb=settings.telegram_max_upload_mb,
        history_turns=settings.history_turns,
    )
    app.bot_data["on_new_articles"] = companion.alert_new_articles
    add_handlers(app)
    news.schedule(app, settings.refresh_minutes)
    companion.schedule_index_watch(app, settings.telegram_watch_seconds)
    companion.schedule_all_digests(app)  # a restart keeps every chat's daily digest
    return app


def add_handlers(app: Application) -> None:
    """Commands, questions, buttons, documents, hints, and the error handler."""
    # channel posts first: the handlers below would take them for questions or edits
    app.add_handler(MessageHandler(filters.UpdateType.CHANNEL_POSTS, news.channel_post))
    app.add_handler(CommandHandler("start", handlers.start))
    app.add_handler(CommandHandler("help", handlers.help_command))
    app.add_handler(CommandHandler("reset", handlers.reset))
    app.add_handler(CommandHandler("sources", handlers.sources))
    app.add_handler(CommandHandler("ask", handlers.ask_command))
    app.add_handler(CommandHandler("add", news.add_command, filters=filters.ChatType.PRIVATE))
    app.add_handler(CommandHandler("follow", companion.follow))
    app.add_handler(CommandHandler("following", companion.following))
    app.add_handler(CommandHandler("unfollow", companion.unfollow))
    app.add_handler(CommandHandler("digest", companion.digest))
    app.add_handler(CommandHandler("timezone", companion.timezone))
    app.add_handler(InlineQueryHandler(companion.inline_query))
    app.add_handler(MessageHandler(filters.UpdateType.EDITED, handlers.edited_hint))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, handlers.question))
    app.add_handler(MessageHandler(filters.Document.ALL, handlers.document))
    app.add_handler(
        MessageHandler(
            filters.Sticker.ALL | filters.PHOTO | filters.VOICE | filters.AUDIO | filters.VIDEO | filters.VIDEO_NOTE,
            handlers.media_hint,
        )
    )
    app.add_handler(CallbackQueryHandler(handlers.button))
    app.add_error_handler(handlers.error_handler)


async def _post_init(app: Application) -> None:
    from telegram.error import TelegramError

    try:
        await app.bot.set_my_commands([BotCommand(name, text) for name, text in COMMANDS])
    except TelegramError:  # a cosmetic call: never stop the bot for it
        pass


def run(
    settings: Settings,
    newsbot: Any,
    webhook_url: str | None = None,
    listen: str = "127.0.0.1",
    port: int = 8443,
    secret_token: str | None = None,
) -> None:
    """Load the model, then poll (default) or serve a webhook until interrupted."""
    app = build_application(settings, newsbot)
    newsbot.warm_up()  # the model loads before the first update is read
    if webhook_url:
        from urllib.parse import urlparse

        app.run_webhook(
            listen=listen,
            port=port,
            url_path=urlparse(webhook_url).path.lstrip("/"),
            webhook_url=webhook_url,
            secret_token=secret_token,
            allowed_updates=Update.ALL_TYPES,
        )
    else:
        app.run_polling(allowed_updates=Update.ALL_TYPES)
