"""Fresh news for the bot: followed feeds refreshed on a schedule, channel posts indexed, `/add URL` for admins."""

from __future__ import annotations

import logging
from typing import Any

from telegram import Message, Update
from telegram.ext import ContextTypes

from bot.telegram.handlers import _admit, state, texts
from retrieval.core.errors import InputError, NewsbotError
from retrieval.core.types import Article
from retrieval.core.wording import counted

log = logging.getLogger("newsbot.telegram")


async def refresh_feeds(context: ContextTypes.DEFAULT_TYPE) -> None:
    """A JobQueue job: fetch the followed feeds that are due, in the executor, without blocking answers."""
    st = state(context)
    try:
        report = await st.run_outside(st.feeds().refresh)  # fetching runs beside questions; indexing alone
    except NewsbotError as exc:  # the index is locked by an ingest, say: try again next time
        log.warning("feed refresh skipped: %s", exc)
        return
    if report.feeds:
        log.info(
            "refreshed %s: %s, %d failed",
            counted(len(report.feeds), "feed"),
            counted(report.new_articles, "new article"),
            len(report.failed_feeds),
        )
    for outcome in report.failed_feeds:
        log.warning("feed %s failed: %s", outcome.url, outcome.error)
    hook = context.application.bot_data.get("on_new_articles")
    if hook is not None and report.new_articles:
        await hook(context, [url for outcome in report.feeds for url, _ in outcome.new])


def channel_allowed(message: Message, allowed: list[str]) -> bool:
    """A channel is indexed only when NEWSBOT_TELEGRAM_CHANNELS names it (by id or @username)."""
    chat = message.chat
    names = {str(chat.id)} | ({f"@{chat.username}".lower(), chat.username.lower()} if chat.username else set())
    return any(entry.strip().lower() in names for entry in allowed)


def post_article(message: Message) -> Article | None:
    """The channel post as an article: the channel's title as publisher, the post's date and its t.me link."""
    from retrieval.core.articles import make_article

    text = (message.text or message.caption or "").strip()
    if not text:
        return None
    chat = message.chat
    if chat.username:
        link = f"https://t.me/{chat.username}/{message.message_id}"
    else:  # a private channel: the link works for its members
        link = f"https://t.me/c/{str(chat.id).removeprefix('-100')}/{message.message_id}"
    first, _, rest = text.partition("\n")
    title = first.strip() if rest.strip() and len(first) <= 150 else None
    body = rest.strip() if title else text
    date = message.date.date().isoformat() if message.date else None
    try:
        return make_article(body, link, title=title, date=date, url=link, publisher=chat.title or chat.username)
    except InputError:
        return None


async def channel_post(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Index a post (or an edited post, which replaces its earlier text) of an allowed channel."""
    message = update.channel_post or update.edited_channel_post
    if message is None:
        return
    st = state(context)
    if not channel_allowed(message, st.newsbot.settings.telegram_channels):
        return
    article = post_article(message)
    if article is None:
        return
    report = await st.run_writing(st.newsbot.ingest_articles, [article])
    log.info(
        "channel post %s: added %d, replaced %d, copies %d, reprints %d",
        article.url,
        len(report.added),
        len(report.replaced),
        len(report.copies),
        len(report.reprints),
    )
    hook = context.application.bot_data.get("on_new_articles")
    if hook is not None and (report.added or report.replaced):
        await hook(context, [article.source])


async def add_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/add URL (admins, private chat): follow a feed or sitemap, or index one page."""
    message = update.effective_message
    user = update.effective_user
    if message is None or not await _admit(update, context):
        return
    st = state(context)
    if not st.access.is_admin(user.id if user else None):
        await message.reply_text(texts()["upload_not_admin"])
        return
    url = " ".join(context.args or []).strip()
    if not url.startswith(("http://", "https://")):
        await message.reply_text(texts()["add_usage"])
        return
    try:
        outcome = await st.run_outside(st.feeds().add, url)
    except InputError as exc:
        await message.reply_text(f"{str(exc)[:1].upper()}{str(exc)[1:]}.")
        return
    lines = [
        f"{outcome.name or outcome.url}: {counted(len(outcome.new), 'new article')} indexed"
        + (", following it from now on." if outcome.feed is not None else ".")
    ]
    lines += [f"• {url_}: {reason}" for url_, reason in outcome.failed[:5]]
    if outcome.note:
        lines.append(outcome.note)
    await message.reply_text("\n".join(lines))


def schedule(app: Any, minutes: float) -> None:
    """Refresh followed feeds every ``minutes`` (PTB's JobQueue), the first time shortly after start."""
    if app.job_queue is None:
        log.warning("no job queue (install python-telegram-bot[job-queue]): feeds are not refreshed by the bot")
        return
    app.job_queue.run_repeating(
        refresh_feeds, interval=minutes * 60, first=min(30.0, minutes * 60), name="refresh-feeds"
    )
