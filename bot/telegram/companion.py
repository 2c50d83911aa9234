"""The bot as a news companion: inline answers in any chat, topic alerts, daily digests, time zones.

State that must survive a restart (topics, digest times, time zones, alerts sent, the inline cache) lives in the
bot's SQLite store (`bot.telegram.store.BotStore`); the matching of new articles to topics is the core's
(`retrieval.news.alerts.TopicMatcher`).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import html
import logging
import re
import time
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from telegram import InlineQueryResultArticle, InputTextMessageContent, LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot.telegram.handlers import _admit, state, texts
from bot.telegram.render import LIMIT, render_answer
from retrieval.core.errors import InputError, NewsbotError
from retrieval.core.types import Answer
from retrieval.core.wording import counted

log = logging.getLogger("newsbot.telegram")
INLINE_SECONDS = 4.0  # Telegram drops an inline answer after about 10 s; answer from the cache or say "thinking"
INLINE_CACHE_SECONDS = 300.0
ALERTS_PER_HOUR = 5
DIGEST_STORIES = 5
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


# ---- inline mode ---------------------------------------------------------------------------------
def inline_key(text: str) -> str:
    """Queries that differ only in case, spacing or final punctuation share one cached answer."""
    return hashlib.sha256(" ".join(text.lower().split()).strip(" ?!.").encode()).hexdigest()[:24]


def inline_payload(answer: Answer) -> dict[str, Any]:
    """What an inline result shows and sends: a title, a one-line description and the message (HTML)."""
    messages = render_answer(answer)
    message = messages[0] if messages else html.escape(answer.answer)
    if len(messages) > 1:
        message += "\n…"
    first = answer.citations[0] if answer.citations else None
    title = answer.short or (first.quote if first else answer.answer)
    return {
        "title": " ".join(title.split())[:120] or "newsbot",
        "description": (f"{first.title} · {first.date or ''}" if first else answer.answer)[:200],
        "message": message[: LIMIT - 2],
    }


def _result(payload: dict[str, Any], key: str) -> InlineQueryResultArticle:
    return InlineQueryResultArticle(
        id=key[:64],
        title=payload["title"],
        description=payload["description"],
        input_message_content=InputTextMessageContent(
            payload["message"], parse_mode=ParseMode.HTML, link_preview_options=NO_PREVIEW
        ),
    )


def _note(title: str, text: str, key: str) -> InlineQueryResultArticle:
    return InlineQueryResultArticle(id=key[:64], title=title, input_message_content=InputTextMessageContent(text))


async def inline_query(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """``@bot question`` in any chat: the answer with its citation as one result (cached a few minutes)."""
    query = update.inline_query
    if query is None:
        return
    text = query.query.strip()
    st = state(context)
    user = query.from_user
    if not text:
        await query.answer([], cache_time=300)
        return
    if not st.access.allowed(user.id if user else None, None):
        await query.answer(
            [_note(texts()["inline_not_allowed"], texts()["not_allowed"], "refused")], cache_time=60, is_personal=True
        )
        return
    key = inline_key(text)
    payload = await st.run(st.store.cached, key)
    if payload is None:
        if not st.limiter.allow(user.id if user else 0):
            await query.answer(
                [_note(texts()["inline_slow_down"], texts()["inline_slow_down"], "slow")],
                cache_time=0,
                is_personal=True,
            )
            return
        payload = await _answer_in_time(st, text, key)
    if payload is None:  # still computing: the next keystroke (or the same query again) finds it cached
        await query.answer(
            [_note(texts()["inline_thinking"], texts()["inline_thinking"], "thinking")], cache_time=0, is_personal=True
        )
        return
    try:
        await query.answer([_result(payload, key)], cache_time=int(INLINE_CACHE_SECONDS))
    except TelegramError as exc:  # the query expired while we answered: the cache serves the next one
        log.info("inline answer not delivered: %s", exc)


async def _answer_in_time(st: Any, text: str, key: str) -> dict[str, Any] | None:
    """The payload if the core answers within `INLINE_SECONDS`; otherwise None, and the cache gets it later."""

    def compute() -> dict[str, Any] | None:
        try:
            answer = st.newsbot.ask(text)
        except InputError as exc:
            return {"title": str(exc), "description": "", "message": html.escape(str(exc))}
        payload = inline_payload(answer)
        st.store.cache(key, payload, INLINE_CACHE_SECONDS)
        return payload

    task = asyncio.ensure_future(st.run(compute))
    try:
        return await asyncio.wait_for(asyncio.shield(task), INLINE_SECONDS)
    except asyncio.TimeoutError:
        task.add_done_callback(lambda t: t.exception())  # finishes in the background and fills the cache
        return None


# ---- topics and alerts ---------------------------------------------------------------------------
async def follow(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/follow TOPIC: alert this chat when a new article is about the topic."""
    message, chat = update.effective_message, update.effective_chat
    if message is None or chat is None or not await _admit(update, context):
        return
    topic = " ".join(" ".join(context.args or []).split())[:100]
    if not topic:
        await message.reply_text(texts()["follow_usage"])
        return
    st = state(context)
    added = await st.run(st.store.follow, chat.id, topic)
    await message.reply_text(texts()["follow_done" if added else "follow_again"].format(topic=topic))


async def following(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/following: the chat's topics, numbered for /unfollow."""
    message, chat = update.effective_message, update.effective_chat
    if message is None or chat is None or not await _admit(update, context):
        return
    st = state(context)
    topics = await st.run(st.store.topics, chat.id)
    if not topics:
        await message.reply_text(texts()["following_none"])
        return
    lines = [texts()["following_head"]] + [f"{n}. {t.topic}" for n, t in enumerate(topics, 1)]
    await message.reply_text("\n".join(lines))


async def unfollow(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/unfollow N: stop following the chat's N-th topic."""
    message, chat = update.effective_message, update.effective_chat
    if message is None or chat is None or not await _admit(update, context):
        return
    arg = (context.args or [""])[0]
    st = state(context)
    removed = await st.run(st.store.unfollow, chat.id, int(arg)) if arg.isdigit() else None
    await message.reply_text(
        texts()["unfollow_done"].format(topic=removed.topic) if removed else texts()["unfollow_usage"]
    )


def _sources_to_docs(newsbot: Any, sources: list[str]) -> list[str]:
    return newsbot.index.view.documents.of_sources(sources)


async def alert_new_articles(context: ContextTypes.DEFAULT_TYPE, sources: list[str]) -> None:
    """New articles arrived (feeds, channel posts, uploads): alert the chats that follow a matching topic.

    Each chat hears about an article once (a reprint is grouped, never a new article), at most
    `ALERTS_PER_HOUR` alerts an hour; the rest are folded into one "and N more" line.
    """
    st = state(context)
    topics = await st.run(st.store.topics)
    if not topics or not sources:
        return
    await _alert_docs(context, topics, await st.run(_sources_to_docs, st.newsbot, sources))


async def _alert_docs(context: ContextTypes.DEFAULT_TYPE, topics: list[Any], doc_ids: list[str]) -> None:
    st = state(context)
    if not doc_ids:
        return
    matches = await st.run(_match, st, topics, doc_ids)
    for chat_id, found in matches.items():
        await _send_alerts(context, st, chat_id, found)


async def watch_index(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Articles indexed beside the bot (`newsbot ingest` in another process) alert like the bot's own.

    The first run only notes the last write it saw (a sequence number); later runs alert on the articles written
    since
    (an article the bot itself indexed and alerted on is not sent twice: alerts are recorded per chat).
    """
    st = state(context)
    seen: int | None = context.application.bot_data.get("indexed_seq")
    store = await st.run(lambda: st.newsbot.index.view)
    context.application.bot_data["indexed_seq"] = await st.run(lambda: store.db.last_seq)
    if seen is None:
        return
    appeared = await st.run(store.documents.documents_since, seen)
    if appeared:
        topics = await st.run(st.store.topics)
        if topics:
            await _alert_docs(context, topics, appeared)


def schedule_index_watch(app: Any, seconds: float) -> None:
    """Look for articles indexed by other processes every ``seconds`` (0: never)."""
    if seconds > 0 and app.job_queue is not None:
        app.job_queue.run_repeating(watch_index, interval=seconds, first=0, name="watch-index")


def _match(st: Any, topics: list[Any], doc_ids: list[str]) -> dict[int, list[tuple[str, Any]]]:
    from retrieval.news.alerts import TopicMatcher

    matcher = TopicMatcher(st.newsbot)
    out: dict[int, list[tuple[str, Any]]] = {}
    for topic in topics:
        for match in matcher.match(topic.topic, doc_ids):
            if st.store.mark_alerted(topic.chat_id, match.doc_id, topic.topic):
                out.setdefault(topic.chat_id, []).append((topic.topic, match))
    return out


async def _send_alerts(context: ContextTypes.DEFAULT_TYPE, st: Any, chat_id: int, found: list[tuple[str, Any]]) -> None:
    sent = await st.run(st.store.alerts_since, chat_id, time.time() - 3600)
    room = max(0, ALERTS_PER_HOUR - (sent - len(found)))
    for topic, match in found[:room]:
        with _suppress():
            await context.bot.send_message(
                chat_id, alert_html(topic, match), parse_mode=ParseMode.HTML, link_preview_options=NO_PREVIEW
            )
    rest = found[room:]
    if rest:
        with _suppress():
            await context.bot.send_message(
                chat_id,
                texts()["alerts_more"].format(
                    more=counted(len(rest), "more new article"), topics=", ".join(sorted({t for t, _ in rest}))
                ),
            )


def alert_html(topic: str, match: Any) -> str:
    """One alert: the topic, the title (linked), date and outlet, and the article's best sentence."""
    title = html.escape(match.title)
    url = match.url if match.url and re.match(r"https?://[^\s\"<>]+$", match.url) else None
    head = f'<a href="{html.escape(url, quote=True)}">{title}</a>' if url else f"<b>{title}</b>"
    meta = " · ".join(html.escape(x) for x in (match.date, match.publisher) if x)
    return (
        f"🔔 <i>{html.escape(topic)}</i>\n{head}" + (f"\n{meta}" if meta else "") + f"\n{html.escape(match.sentence)}"
    )


class _suppress:
    """Sending to a chat that blocked the bot must not stop the others."""

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: Any, exc: Any, tb: Any) -> bool:
        if isinstance(exc, TelegramError):
            log.info("alert not delivered: %s", exc)
            return True
        return False


# ---- digests and time zones ----------------------------------------------------------------------
def digest_stories(newsbot: Any, day: dt.date, count: int = DIGEST_STORIES) -> tuple[str, list[dict[str, Any]]]:
    """The day's top stories, most widely reported first (an article and its reprints count as one story).

    Falls back to the newest day with articles when ``day`` has none; returns that day and the stories.
    """
    from retrieval.answering.overview import top_stories

    store = newsbot.reprints
    copies_of = store.copies_of if store is not None else None
    found = top_stories(
        newsbot.index.view.passages.newest_firsts(day.isoformat(), days=1),
        copies_of,
        day.isoformat(),
        count=count,
        one_day=True,
    )
    if not found:
        return day.isoformat(), []
    stories = [
        {
            "title": s.chunk.title,
            "url": s.chunk.url,
            "publisher": s.chunk.publisher,
            "sentence": s.sentence,
            "sources": 1 + len(s.copies),
            "links": [c.url for c in s.copies if c.url][:3],
        }
        for s in found
    ]
    return str(found[0].chunk.date), stories


def digest_html(day: str, stories: list[dict[str, Any]]) -> str:
    if not stories:
        return texts()["digest_empty"]
    lines = [texts()["digest_head"].format(day=day)]
    for n, s in enumerate(stories, 1):
        url = s["url"] if s["url"] and re.match(r"https?://[^\s\"<>]+$", s["url"]) else None
        title = html.escape(s["title"])
        head = f'<a href="{html.escape(url, quote=True)}">{title}</a>' if url else f"<b>{title}</b>"
        reported = f" · {s['sources']} sources" if s["sources"] > 1 else ""
        outlet = f" · {html.escape(s['publisher'])}" if s.get("publisher") else ""
        lines.append(f"{n}. {head}{outlet}{reported}\n{html.escape(s['sentence'][:300])}")
    return "\n\n".join(lines)[: LIMIT - 10]


async def send_digest(context: ContextTypes.DEFAULT_TYPE, chat_id: int) -> None:
    st = state(context)
    zone = await st.run(st.store.timezone, chat_id)
    today = dt.datetime.now(ZoneInfo(zone)).date()
    day, stories = await st.run(digest_stories, st.newsbot, today)
    with _suppress():
        await context.bot.send_message(
            chat_id, digest_html(day, stories), parse_mode=ParseMode.HTML, link_preview_options=NO_PREVIEW
        )


async def _digest_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    job = context.job
    if job is not None and isinstance(job.data, int):
        await send_digest(context, job.data)


def schedule_digest(app: Any, chat_id: int, at: str | None, zone: str) -> None:
    """(Re)schedule the chat's daily digest at ``at`` ("HH:MM") in its time zone; None removes it."""
    if app.job_queue is None:
        return
    for job in app.job_queue.get_jobs_by_name(f"digest-{chat_id}"):
        job.schedule_removal()
    if at is None:
        return
    hours, minutes = (int(x) for x in at.split(":"))
    app.job_queue.run_daily(
        _digest_job, dt.time(hours, minutes, tzinfo=ZoneInfo(zone)), data=chat_id, name=f"digest-{chat_id}"
    )


def schedule_all_digests(app: Any) -> None:
    """At start: every digest the store remembers is scheduled again."""
    st = app.bot_data["state"]
    for chat_id, at, zone in st.store.digests():
        try:
            schedule_digest(app, chat_id, at, zone)
        except (ValueError, ZoneInfoNotFoundError) as exc:
            log.warning("digest of chat %s not scheduled: %s", chat_id, exc)


async def digest(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/digest: today's top stories; /digest daily HH:MM schedules it; /digest off stops it."""
    message, chat = update.effective_message, update.effective_chat
    if message is None or chat is None or not await _admit(update, context):
        return
    st = state(context)
    args = [a.lower() for a in (context.args or [])]
    if not args:
        await send_digest(context, chat.id)
        return
    if args == ["off"]:
        await st.run(st.store.set_digest, chat.id, None)
        schedule_digest(context.application, chat.id, None, "UTC")
        await message.reply_text(texts()["digest_off"])
        return
    if len(args) == 2 and args[0] == "daily" and re.fullmatch(r"([01]?\d|2[0-3]):[0-5]\d", args[1]):
        at = f"{int(args[1].split(':')[0]):02d}:{args[1].split(':')[1]}"
        zone = await st.run(st.store.timezone, chat.id)
        await st.run(st.store.set_digest, chat.id, at)
        schedule_digest(context.application, chat.id, at, zone)
        await message.reply_text(texts()["digest_scheduled"].format(at=at, zone=zone))
        return
    await message.reply_text(texts()["digest_usage"])


async def timezone(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/timezone Europe/Berlin: the chat's time zone for digests."""
    message, chat = update.effective_message, update.effective_chat
    if message is None or chat is None or not await _admit(update, context):
        return
    zone = (context.args or [""])[0]
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        await message.reply_text(texts()["timezone_usage"])
        return
    st = state(context)
    await st.run(st.store.set_timezone, chat.id, zone)
    digests = {c: at for c, at, _ in await st.run(st.store.digests)}
    if chat.id in digests:
        schedule_digest(context.application, chat.id, digests[chat.id], zone)
    await message.reply_text(texts()["timezone_done"].format(zone=zone))


__all__ = ["NewsbotError"]
