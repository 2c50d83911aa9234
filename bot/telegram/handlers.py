"""Telegram handlers: parse the update, call the core off the event loop, render its `Answer` as HTML."""

from __future__ import annotations

import asyncio
import contextlib
import html
import json
import logging
import os
import re
import secrets
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, LinkPreviewOptions, Message, ReplyParameters, Update
from telegram.constants import ChatAction, ChatType, MessageEntityType, ParseMode
from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import ContextTypes

from bot.telegram.bounded import ChatLocks, RecentMap
from bot.telegram.gate import IndexGate
from bot.telegram.render import render_answer, render_sources
from retrieval.core.errors import InputError, NewsbotError
from retrieval.core.prompts import load_prompt, render_prompt
from retrieval.core.types import Answer
from retrieval.core.wording import counted

log = logging.getLogger("newsbot.telegram")
T = TypeVar("T")
UPLOAD_SUFFIXES = {".txt", ".md", ".markdown", ".html", ".htm", ".json", ".jsonl"}
SOURCES_PER_PAGE = 10
KEPT_ANSWERS = 2000  # answers remembered for 👍/👎 votes ...
ANSWER_AGE = 24 * 3600  # ... for a day
MAX_CHATS = 10_000  # conversations and hint timers kept at once
CONVERSATION_AGE = 3600  # a conversation idle for an hour is forgotten: a new question starts afresh
HINT_EVERY = 60  # "I only read text" and the like: at most once a minute per chat
MAX_NAME = 60  # characters kept of an uploaded file's name (at most 4 bytes each: under 255 bytes)
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)
STREAM_EDIT_SECONDS = 1.5  # Telegram allows about one edit per second per chat


@lru_cache(maxsize=1)
def texts() -> dict[str, str]:
    """Short user-facing texts (prompts/telegram_texts.json)."""
    return json.loads(load_prompt("telegram_texts.json"))


@dataclass
class Remembered:
    """An answer shown in a chat, kept for its 👍/👎 buttons, with each voter's last vote."""

    chat_id: int
    answer: Answer
    votes: dict[int, str] = field(default_factory=dict)


class BotState:
    """Everything the handlers share, kept in ``application.bot_data["state"]``; every per-chat part is bounded."""

    def __init__(
        self,
        newsbot: Any,
        access: Any,
        limiter: Any,
        store: Any,
        executor: Any,
        max_upload_mb: float,
        history_turns: int,
    ) -> None:
        from retrieval.asking.conversation import Conversations

        self.newsbot = newsbot
        self.access = access
        self.limiter = limiter
        self.store = store  # the SQLite state: votes, topics, digests, inline cache (`bot.telegram.store`)
        self.executor = executor
        self.max_upload_mb = max_upload_mb
        self.conversations = Conversations(
            max_turns=history_turns, max_conversations=MAX_CHATS, max_age=CONVERSATION_AGE
        )
        self.chat_locks = ChatLocks()
        self.gate = IndexGate()
        self.answers: RecentMap[str, Remembered] = RecentMap(KEPT_ANSWERS, ANSWER_AGE)
        self.hinted: RecentMap[tuple[int, str], bool] = RecentMap(MAX_CHATS, HINT_EVERY)

    def remember(self, chat_id: int, answer: Answer) -> str:
        key = secrets.token_urlsafe(8)
        self.answers.put(key, Remembered(chat_id, answer))
        return key

    def first_hint(self, chat_id: int, kind: str) -> bool:
        """True when ``chat_id`` was not given the hint ``kind`` in the last minute (and now counts as hinted)."""
        if self.hinted.peek((chat_id, kind)) is not None:
            return False
        self.hinted.put((chat_id, kind), True)
        return True

    def sizes(self) -> dict[str, int]:
        """How many entries each bounded structure holds (for the soak benchmark and logs)."""
        return {
            "conversations": len(self.conversations),
            "rate_limit_users": len(self.limiter),
            "chat_locks": len(self.chat_locks),
            "answers": len(self.answers),
            "hinted_chats": len(self.hinted),
            "refused_users": len(self.access.refused),
        }

    async def run(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run a read of the core (a question, a listing) in the executor, alongside other reads (`IndexGate`)."""
        return await self.run_outside(self.gate.reading(fn), *args, **kwargs)

    async def run_writing(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run a write to the index (an ingest) in the executor, alone."""
        return await self.run_outside(self.gate.writing(fn), *args, **kwargs)

    async def run_outside(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run blocking work in the executor (not through the gate) so the event loop keeps serving other chats."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.executor, lambda: fn(*args, **kwargs))

    def feeds(self) -> Any:
        """The core's feed follower, its index reads and writes going through the gate (fetching does not).

        Wrapped once per follower: wrapping again would nest the gate's exclusive section in itself.
        """
        follower = self.newsbot.feeds
        if getattr(follower, "_gated", None) is not self.gate:
            follower.index_articles = self.gate.writing(follower.index_articles)
            follower.is_known = self.gate.reading(follower.is_known)
            follower._gated = self.gate
        return follower


def state(context: ContextTypes.DEFAULT_TYPE) -> BotState:
    return context.application.bot_data["state"]


# ---- commands -----------------------------------------------------------------------------------
async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Greet the user and say what the bot knows."""
    await _reply_prompt(update, context, "telegram_start")


async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Explain how to ask."""
    await _reply_prompt(update, context, "telegram_help")


async def _reply_prompt(update: Update, context: ContextTypes.DEFAULT_TYPE, name: str) -> None:
    message = update.effective_message
    if message is None or not await _admit(update, context):
        return
    st = state(context)
    overview = await st.run(_overview, st.newsbot)
    await message.reply_html(render_prompt(name, **overview), link_preview_options=NO_PREVIEW)


def _overview(newsbot: Any) -> dict[str, Any]:
    sources = newsbot.sources()
    dates = sorted(s.date for s in sources if s.date)
    span = f"{dates[0]} to {dates[-1]}" if dates else "undated"
    return {"articles": counted(len(sources), "news article"), "date_range": span}


async def reset(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Forget this chat's conversation."""
    message = update.effective_message
    if message is None or update.effective_chat is None or not await _admit(update, context):
        return
    state(context).conversations.reset(update.effective_chat.id)
    await message.reply_text(texts()["reset"])


async def sources(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """List indexed articles, paged with inline buttons."""
    message = update.effective_message
    if message is None or not await _admit(update, context):
        return
    text, markup = await _sources_page(context, 0)
    await message.reply_html(text, reply_markup=markup, link_preview_options=NO_PREVIEW)


async def _sources_page(context: ContextTypes.DEFAULT_TYPE, page: int) -> tuple[str, InlineKeyboardMarkup | None]:
    st = state(context)
    items = await st.run(st.newsbot.sources)
    if not items:
        return texts()["empty_sources"], None
    text, has_prev, has_next = render_sources(items, page, SOURCES_PER_PAGE)
    buttons = []
    if has_prev:
        buttons.append(InlineKeyboardButton("◀ Previous", callback_data=f"src:{page - 1}"))
    if has_next:
        buttons.append(InlineKeyboardButton("Next ▶", callback_data=f"src:{page + 1}"))
    return text, InlineKeyboardMarkup([buttons]) if buttons else None


async def ask_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/ask QUESTION: works in private chats and groups alike."""
    message = update.effective_message
    if message is None or not await _admit(update, context):
        return
    question = " ".join(context.args or [])
    if not question.strip():
        await message.reply_text(texts()["ask_usage"])
        return
    await _answer(update, context, question)


# ---- questions ----------------------------------------------------------------------------------
async def question(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Any text message is a question (in groups: only when the bot is mentioned or replied to)."""
    message = update.effective_message
    if message is None or not message.text:
        return
    text = message.text
    if message.chat.type in (ChatType.GROUP, ChatType.SUPERGROUP):
        stripped = _addressed_to_bot(message, context.bot.username, context.bot.id)
        if stripped is None:
            return
        text = stripped
    await _answer(update, context, text)


def _addressed_to_bot(message: Message, username: str | None, bot_id: int) -> str | None:
    """The question without the @mention when the bot is mentioned or replied to; otherwise None."""
    text = message.text or ""
    if (
        message.reply_to_message
        and message.reply_to_message.from_user
        and message.reply_to_message.from_user.id == bot_id
    ):
        return text
    mention = f"@{username}".lower() if username else None
    for _entity, value in message.parse_entities([MessageEntityType.MENTION]).items():
        if mention and value.lower() == mention:
            return " ".join(re.sub(re.escape(value), " ", text, flags=re.IGNORECASE).split())
    return None


async def _answer(update: Update, context: ContextTypes.DEFAULT_TYPE, text: str) -> None:
    message = update.effective_message
    chat = update.effective_chat
    user = update.effective_user
    if message is None or chat is None or not await _admit(update, context):
        return
    st = state(context)
    user_key = user.id if user else chat.id
    if not st.limiter.allow(user_key):
        if st.limiter.first_refusal(user_key):  # told once per burst: a flood gets one reply, not hundreds
            await message.reply_text(texts()["slow_down"].format(seconds=st.limiter.retry_in(user_key)))
        return
    placeholder: Message | None = None
    async with st.chat_locks.hold(chat.id), _typing(context, chat.id):  # one typing loop per chat, not per message
        conversation = st.conversations.get(chat.id)
        try:
            if st.newsbot.settings.llm:
                answer, placeholder = await _stream(context, st, message, text, conversation)
            else:
                answer = await st.run(st.newsbot.ask, text, conversation=conversation)
        except InputError as exc:
            reason = str(exc) or "that question cannot be asked"
            await message.reply_text(f"{reason[0].upper()}{reason[1:]}.")
            return
    key = st.remember(chat.id, answer)
    rows = [
        [
            InlineKeyboardButton("👍", callback_data=f"fb:{key}:up"),
            InlineKeyboardButton("👎", callback_data=f"fb:{key}:down"),
        ]
    ]
    if answer.suggestion:  # "Did you mean ...?": one tap asks it
        rows.insert(0, [InlineKeyboardButton(_button_text(answer.suggestion), callback_data=f"retry:{key}")])
    votes = InlineKeyboardMarkup(rows)
    parts = render_answer(answer)
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        if i == 0 and placeholder is not None:  # the streamed draft becomes the checked answer
            await placeholder.edit_text(
                part, parse_mode=ParseMode.HTML, link_preview_options=NO_PREVIEW, reply_markup=votes if last else None
            )
            continue
        await context.bot.send_message(
            chat.id,
            part,
            parse_mode=ParseMode.HTML,
            link_preview_options=NO_PREVIEW,
            reply_parameters=ReplyParameters(message.message_id) if i == 0 else None,
            reply_markup=votes if last else None,
        )


async def _stream(
    context: ContextTypes.DEFAULT_TYPE, st: BotState, message: Message, text: str, conversation: Any
) -> tuple[Answer, Message | None]:
    """Show the LLM's draft as it is written (one message, edited at most every 1.5 s), return the checked answer."""
    from retrieval.llm import aiter_in_thread

    draft, shown, placeholder, last_edit = "", "", None, 0.0
    answers = st.newsbot.ask_stream(text, conversation=conversation)
    async for delta in aiter_in_thread(_read_through(st.gate, answers), st.executor):
        draft += delta
        now = asyncio.get_running_loop().time()
        if now - last_edit < STREAM_EDIT_SECONDS or not draft.strip() or draft == shown:
            continue
        preview = html.escape(draft[-3500:], quote=False) + " …"
        with contextlib.suppress(TelegramError):  # a draft edit may be refused (flood control): the final edit wins
            if placeholder is None:
                placeholder = await message.reply_html(preview, link_preview_options=NO_PREVIEW)
            else:
                await placeholder.edit_text(preview, parse_mode=ParseMode.HTML, link_preview_options=NO_PREVIEW)
        shown, last_edit = draft, now
    if answers.answer is None:
        raise NewsbotError("the answer stream ended without an answer")
    return answers.answer, placeholder


def _read_through(gate: IndexGate, items: Iterable[T]) -> Iterator[T]:
    """``items`` iterated under the gate's shared side (a stream reads the index in its first step)."""
    with gate.shared():
        yield from items


@contextlib.asynccontextmanager
async def _typing(context: ContextTypes.DEFAULT_TYPE, chat_id: int) -> AsyncIterator[None]:
    """Show "typing…" now and every 4 s until the block ends."""

    async def keep_typing() -> None:
        while True:
            with contextlib.suppress(Exception):
                await context.bot.send_chat_action(chat_id, ChatAction.TYPING)
            await asyncio.sleep(4)

    task = asyncio.create_task(keep_typing())
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


# ---- buttons ------------------------------------------------------------------------------------
async def button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """👍/👎 votes, "Did you mean ...?" and sources paging; a button we never issued gets a polite toast."""
    query = update.callback_query
    if query is None:
        return
    st = state(context)
    user = update.effective_user
    chat = update.effective_chat
    if not st.access.allowed(user.id if user else None, chat.id if chat else None):
        await _toast(query, texts()["not_allowed"])
        return
    kind, _, rest = (query.data or "").partition(":")
    page = int(rest) if kind == "src" and rest.isascii() and rest.isdigit() and len(rest) <= 6 else None
    if page is not None:
        await _toast(query, None)  # answered first: the page may wait for a free worker
        text, markup = await _sources_page(context, page)
        if query.message is not None:
            try:
                await query.edit_message_text(
                    text, parse_mode=ParseMode.HTML, reply_markup=markup, link_preview_options=NO_PREVIEW
                )
            except BadRequest as exc:  # the same page again (a double press): nothing to change
                if "not modified" not in str(exc).lower():
                    raise
        return
    if kind == "retry":  # "Did you mean ...?" pressed: ask the suggested question in this chat
        remembered = st.answers.get(rest)
        if remembered is None or not remembered.answer.suggestion:
            await _toast(query, texts()["button_unknown"])
            return
        await _toast(query, None)
        await _answer(update, context, remembered.answer.suggestion)
        return
    if kind == "fb":
        key, _, vote = rest.partition(":")
        remembered = st.answers.get(key)
        if remembered is None or vote not in ("up", "down"):
            await _toast(query, texts()["vote_expired"])
            return
        voter = user.id if user else 0
        if remembered.votes.get(voter) == vote:  # pressing the same button again stores nothing new
            await _toast(query, texts()["vote_repeated"])
            return
        remembered.votes[voter] = vote
        await _toast(query, texts()["thanks_up" if vote == "up" else "thanks_down"])
        await st.run_outside(st.store.record, remembered.chat_id, remembered.answer, vote)
        return
    await _toast(query, texts()["button_unknown"])


def _button_text(question: str, limit: int = 60) -> str:
    """ "🔎 who evacuated via Khmeimim?", shortened to fit a button."""
    return "🔎 " + (question if len(question) <= limit else question[: limit - 1].rstrip() + "…")


async def _toast(query: Any, text: str | None) -> None:
    """Answer a button press; a press Telegram no longer waits for (too old) needs no answer."""
    try:
        await query.answer(text)
    except BadRequest as exc:
        log.info("button press not answered: %s", exc)


# ---- documents and other messages ---------------------------------------------------------------
async def document(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Admins may send an article file to index it; everyone else is refused."""
    message = update.effective_message
    if message is None or message.document is None or not await _admit(update, context):
        return
    st = state(context)
    user = update.effective_user
    doc = message.document
    if not st.access.is_admin(user.id if user else None):
        await message.reply_text(texts()["upload_not_admin"])
        return
    name = upload_name(doc.file_name)
    if name is None:
        await message.reply_text(texts()["upload_bad_type"])
        return
    limit = int(st.max_upload_mb * 1_000_000)
    if not await _size_ok(message, doc.file_size, limit):  # what the message claims ...
        return
    await message.reply_text(texts()["upload_started"].format(name=name))
    telegram_file = await doc.get_file()
    if not await _size_ok(message, telegram_file.file_size, limit):  # ... what Telegram stores ...
        return
    folder = st.newsbot.settings.data_dir / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    partial = folder / f".{secrets.token_hex(8)}.part"
    try:
        await telegram_file.download_to_drive(partial)
        if not await _size_ok(message, partial.stat().st_size, limit):  # ... and what arrived
            return
        target = folder / name
        os.replace(partial, target)  # replaces a link of that name, never writes through it
    finally:
        partial.unlink(missing_ok=True)
    async with _typing(context, message.chat.id):
        report = await st.run_writing(st.newsbot.ingest, [target])
    lines = [
        f"Indexed {name}: added {len(report.added)}, unchanged {len(report.unchanged)}, "
        f"copies {len(report.copies)}, replaced {len(report.replaced)}, failed {len(report.failed)}."
    ]
    lines += [f"• {Path(src).name}: same text as {Path(other).name}" for src, other in report.copies]
    lines += [f"• {Path(src).name}: {reason}" for src, reason in report.failed]
    await message.reply_text("\n".join(lines))
    hook = context.application.bot_data.get("on_new_articles")
    if hook is not None and (report.added or report.replaced):
        await hook(context, [*report.added, *report.replaced])


def upload_name(file_name: str | None) -> str | None:
    """A safe file name for an upload (no folders, no odd characters, a known suffix), or None to refuse it."""
    base = re.split(r"[/\\]", file_name or "upload.txt")[-1]
    stem, dot, suffix = base.rpartition(".")
    if not dot or f".{suffix.lower()}" not in UPLOAD_SUFFIXES:
        return None
    stem = re.sub(r"[^\w\-]+", "_", stem).strip("_.")[:MAX_NAME] or "upload"
    return f"{stem}.{suffix.lower()}"


async def _size_ok(message: Message, size: int | None, limit: int) -> bool:
    """False (after telling the admin) when ``size`` is over ``limit`` bytes; an unknown size passes."""
    if not size or size <= limit:
        return True
    await message.reply_text(texts()["upload_too_large"].format(size_mb=size / 1e6, limit_mb=limit / 1e6))
    return False


async def media_hint(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Stickers, photos, voice: say that only text is read (at most once a minute per chat)."""
    message = update.effective_message
    if (
        message is not None
        and message.chat.type == ChatType.PRIVATE
        and state(context).first_hint(message.chat.id, "media")
    ):
        await message.reply_text(texts()["media_hint"])


async def edited_hint(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Edited messages are not re-answered (the hint comes at most once a minute per chat)."""
    message = update.edited_message
    if (
        message is not None
        and message.chat.type == ChatType.PRIVATE
        and state(context).first_hint(message.chat.id, "edited")
    ):
        await message.reply_text(texts()["edited_hint"])


# ---- access and errors --------------------------------------------------------------------------
async def _admit(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    """Allowlist check; a refused user is told once."""
    st = state(context)
    user = update.effective_user
    chat = update.effective_chat
    if st.access.allowed(user.id if user else None, chat.id if chat else None):
        return True
    message = update.effective_message
    if message is not None and st.access.first_refusal(user.id if user else None):
        await message.reply_text(texts()["not_allowed"])
    return False


async def error_handler(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log the failure (the log formatter hides the token) and tell the user in one line."""
    error = context.error
    if isinstance(error, NewsbotError):
        log.error("update failed: %s", error)
    elif isinstance(error, TelegramError):  # Telegram refused a call (a blocked bot, a vanished message): one line
        log.warning("update failed: Telegram said: %s", error)
    else:
        log.error("update failed", exc_info=error)
    if isinstance(error, Forbidden):  # the user blocked the bot: nobody to tell
        return
    if isinstance(update, Update) and update.effective_message is not None:
        with contextlib.suppress(Exception):
            await update.effective_message.reply_text(texts()["error"])
