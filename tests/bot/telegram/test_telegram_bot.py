"""The real PTB `Application` polling a Bot API stand-in on 127.0.0.1: what users of the bot would see."""

from __future__ import annotations

import contextlib
import json
import logging
import time

import pytest
from pydantic import SecretStr

from bot.console import RedactingFormatter
from bot.telegram.app import build_application
from tests.bot.telegram.html_check import check_telegram_html
from tests.conftest import CARMAKERS

pytestmark = pytest.mark.asyncio

USER, OTHER, ADMIN = 1001, 1002, 1003
GROUP = -100500


@contextlib.asynccontextmanager
async def running_bot(standin, newsbot, **overrides):
    """Build the bot exactly as `newsbot bot` does, pointed at the stand-in, and poll until the test ends."""
    settings = newsbot.settings.model_copy(update={"telegram_token": SecretStr(standin.token), **overrides})
    newsbot.settings = settings
    app = build_application(settings.model_copy(update={"telegram_api_url": standin.url}), newsbot)
    async with app:
        await app.start()
        await app.updater.start_polling(poll_interval=0.0, timeout=1)
        try:
            yield app
        finally:
            await app.updater.stop()
            await app.stop()


def _replies(standin, chat_id):
    return [c for c in standin.calls("sendMessage") if int(c.params["chat_id"]) == chat_id]


def _has_votes(call) -> bool:
    markup = call.params.get("reply_markup")
    return bool(markup) and "fb:" in (markup if isinstance(markup, str) else json.dumps(markup))


async def _reply_to(standin, chat_id, text, timeout=60, answer=None, **kwargs):
    """Queue a message and wait for the bot's reply to it.

    An answer (``answer=True``, the default for anything but a /command other than /ask) ends with the message
    that carries the vote buttons, so a split answer is waited for whole; any other reply is one message.
    """
    if answer is None:
        answer = not text.startswith("/") or text.startswith("/ask")
    before = len(_replies(standin, chat_id))
    standin.queue_message(chat_id, text, **kwargs)

    def done(call) -> bool:
        if int(call.params["chat_id"]) != chat_id or len(_replies(standin, chat_id)) <= before:
            return False
        return _has_votes(call) if answer else True

    await standin.wait_for("sendMessage", lambda c: done(c) and c not in _replies(standin, chat_id)[:before],
                           timeout=timeout)
    return _replies(standin, chat_id)[before:]


async def test_telegram_start_says_what_the_bot_knows(standin, seeded):
    async with running_bot(standin, seeded):
        (reply,) = await _reply_to(standin, USER, "/start", user_id=USER)
    assert "1 news article" in reply.params["text"] and "2024-12-20" in reply.params["text"]
    assert "1 news articles" not in reply.params["text"]  # the count agrees with its noun
    check_telegram_html(reply.params["text"])


async def test_telegram_question_gets_cited_html_answer_with_typing_and_votes(standin, seeded):
    async with running_bot(standin, seeded):
        replies = await _reply_to(standin, USER, "who evacuated via Khmeimim?", user_id=USER)
    text = "".join(r.params["text"] for r in replies)
    for r in replies:
        check_telegram_html(r.params["text"])
        assert r.params.get("parse_mode") == "HTML"
    assert "pilgrims" in text and "[1]" in text and "Khmeimim Air Base" in text
    assert standin.calls("sendChatAction") and standin.calls("sendChatAction")[0].params["action"] == "typing"
    markup = json.loads(replies[-1].params["reply_markup"]) if isinstance(replies[-1].params["reply_markup"], str) \
        else replies[-1].params["reply_markup"]
    labels = [b["text"] for row in markup["inline_keyboard"] for b in row]
    assert labels == ["👍", "👎"]


async def test_telegram_follow_up_uses_the_conversation_and_reset_forgets_it(standin, seeded):
    async with running_bot(standin, seeded):
        await _reply_to(standin, USER, "When did the Assad government fall?", user_id=USER)
        follow = await _reply_to(standin, USER, "Where was their stronghold?", user_id=USER)
        assert "Idlib" in "".join(r.params["text"] for r in follow)
        (done,) = await _reply_to(standin, USER, "/reset", user_id=USER)
        assert "forgot" in done.params["text"]


async def test_telegram_follow_up_with_a_definite_description_stays_on_the_story(standin, newsbot):
    """Two carmakers: "the carmaker" in a follow-up means the one the chat is about, as in `newsbot chat`."""
    newsbot.ingest([CARMAKERS])
    async with running_bot(standin, newsbot):
        await _reply_to(standin, USER, "Why did Renault cut its profit forecast?", user_id=USER)
        follow = await _reply_to(standin, USER, "How far did the carmaker's shares fall?", user_id=USER)
        boss = await _reply_to(standin, USER, "Who runs the company?", user_id=USER)
        other = await _reply_to(standin, OTHER, "How far did the carmaker's shares fall?", user_id=OTHER)
    text = "".join(r.params["text"] for r in follow)
    assert "7.2%" in text and "3.1%" not in text
    assert "Searched: How far did Renault's shares fall?" in text
    assert "Anne Lefevre" in "".join(r.params["text"] for r in boss)
    assert "3.1%" in "".join(r.params["text"] for r in other)  # another chat has no story: the other carmaker
    for reply in (*follow, *boss):
        check_telegram_html(reply.params["text"])


async def test_telegram_latest_news_lists_the_newest_stories(standin, seeded):
    async with running_bot(standin, seeded):
        replies = await _reply_to(standin, USER, "What's the latest news?", user_id=USER)
        about = await _reply_to(standin, USER, "Any news about Khmeimim?", user_id=USER)
    text = "".join(r.params["text"] for r in replies)
    assert "<b>The newest stories, 20 December 2024:</b>" in text and "[1]" in text and "do not answer" not in text
    text = "".join(r.params["text"] for r in about)
    assert "<b>The newest stories about Khmeimim, 20 December 2024:</b>" in text and "Khmeimim Air Base" in text
    for r in (*replies, *about):
        check_telegram_html(r.params["text"])


async def test_telegram_decline_is_plain(standin, seeded):
    async with running_bot(standin, seeded):
        replies = await _reply_to(standin, USER, "What is the capital of France?", user_id=USER)
        misspelt = await _reply_to(standin, USER, "who evacuated via Kmeimim?", user_id=USER)
        hello = await _reply_to(standin, USER, "hi", user_id=USER)
    assert "do not answer" in replies[0].params["text"]
    text = "".join(r.params["text"] for r in misspelt)
    assert "do not answer" in text and "Did you mean: <b>who evacuated via Khmeimim?</b>" in text
    check_telegram_html(text)
    greeting = "".join(r.params["text"] for r in hello)  # a greeting is answered, not declined with passages
    assert "Ask me about the news" in greeting and "do not answer" not in greeting and "Related" not in greeting


async def test_telegram_did_you_mean_is_one_tap_away(standin, seeded):
    async with running_bot(standin, seeded):
        replies = await _reply_to(standin, USER, "who evacuated via Kmeimim?", user_id=USER)
        markup = replies[-1].params["reply_markup"]
        markup = json.loads(markup) if isinstance(markup, str) else markup
        (retry,) = markup["inline_keyboard"][0]  # above the votes
        assert retry["text"] == "🔎 who evacuated via Khmeimim?"
        standin.queue_callback_query(USER, USER, replies[-1].result["message_id"], retry["callback_data"])
        answered = await standin.wait_for("sendMessage", lambda c: "pilgrims" in c.params["text"], timeout=60)
    assert "Khmeimim Air Base" in answered.params["text"]
    check_telegram_html(answered.params["text"])


async def test_telegram_vote_is_acknowledged_and_stored_with_hashed_chat(standin, seeded):
    async with running_bot(standin, seeded):
        replies = await _reply_to(standin, USER, "who evacuated via Khmeimim?", user_id=USER)
        markup = replies[-1].params["reply_markup"]
        markup = json.loads(markup) if isinstance(markup, str) else markup
        up = markup["inline_keyboard"][0][0]["callback_data"]
        message_id = replies[-1].result["message_id"]
        standin.queue_callback_query(USER, USER, message_id, up)
        await standin.wait_for("answerCallbackQuery", timeout=20)
    assert "Thanks" in standin.calls("answerCallbackQuery")[0].params.get("text", "")
    from bot.telegram.store import BotStore

    rows = BotStore(seeded.settings.data_dir).votes()
    assert rows[0]["vote"] == "up" and "pilgrims" in rows[0]["answer"] and rows[0]["citations"]
    assert str(USER) not in json.dumps(rows[0])


async def test_telegram_group_answers_only_when_mentioned_replied_or_asked(standin, seeded):
    async with running_bot(standin, seeded):
        standin.queue_message(GROUP, "who evacuated via Khmeimim?", user_id=USER, chat_type="supergroup")
        mentioned = await _reply_to(standin, GROUP, f"@{standin.bot_username} who evacuated via Khmeimim?",
                                    user_id=USER, chat_type="supergroup")
        assert "pilgrims" in mentioned[0].params["text"]
        assert _replies(standin, GROUP) == mentioned  # the plain message, handled first, got no reply
        asked = await _reply_to(standin, GROUP, "/ask where was the stronghold of the groups?", user_id=OTHER,
                                chat_type="supergroup")
        assert "Idlib" in asked[0].params["text"]


async def test_telegram_allowlist_refuses_others_politely_once(standin, seeded):
    async with running_bot(standin, seeded, telegram_allowed_users=[USER]):
        (refusal,) = await _reply_to(standin, OTHER, "who evacuated via Khmeimim?", user_id=OTHER, answer=False)
        standin.queue_message(OTHER, "hello again?", user_id=OTHER)
        allowed = await _reply_to(standin, USER, "who evacuated via Khmeimim?", user_id=USER)
    assert "private" in refusal.params["text"]
    assert len(_replies(standin, OTHER)) == 1
    assert "pilgrims" in allowed[0].params["text"]


async def test_telegram_rate_limit_says_slow_down(standin, seeded):
    async with running_bot(standin, seeded, telegram_rate_limit=2):
        for _ in range(2):
            await _reply_to(standin, USER, "When did the Assad government fall?", user_id=USER)
        (slow,) = await _reply_to(standin, USER, "Where was the stronghold?", user_id=USER, answer=False)
    assert "Slow down" in slow.params["text"]


async def test_telegram_admin_document_is_ingested_and_others_refused(standin, seeded):
    article = b"Title: Harbour reopens\nDate: 2025-02-01\n\nThe harbour of Tartus reopened to ships on Monday."
    async with running_bot(standin, seeded, telegram_admins=[ADMIN]):
        standin.queue_document(OTHER, OTHER, "news.txt", article, "text/plain")
        await standin.wait_for("sendMessage", lambda c: int(c.params["chat_id"]) == OTHER, timeout=20)
        standin.queue_document(ADMIN, ADMIN, "news.txt", article, "text/plain")
        await standin.wait_for("sendMessage", lambda c: "Indexed news.txt" in c.params.get("text", ""), timeout=60)
        answer = await _reply_to(standin, ADMIN, "When did the harbour of Tartus reopen?", user_id=ADMIN)
    assert "admins" in _replies(standin, OTHER)[0].params["text"]
    assert "added 1" in next(c.params["text"] for c in _replies(standin, ADMIN) if "Indexed" in c.params["text"])
    assert "Monday" in answer[0].params["text"]


async def test_telegram_oversized_document_is_refused_before_download(standin, seeded):
    async with running_bot(standin, seeded, telegram_admins=[ADMIN], telegram_max_upload_mb=0.001):
        standin.queue_document(ADMIN, ADMIN, "big.txt", b"x" * 5000, "text/plain")
        reply = await standin.wait_for("sendMessage", lambda c: int(c.params["chat_id"]) == ADMIN, timeout=20)
    assert "limit" in reply.params["text"]
    assert standin.calls("getFile") == []


async def test_telegram_stickers_and_edits_get_a_hint(standin, seeded):
    async with running_bot(standin, seeded):
        standin.queue_sticker(USER, USER)
        hint = await standin.wait_for("sendMessage", lambda c: "text" in c.params.get("text", ""), timeout=20)
        standin.queue_edited_message(USER, "edited question", user_id=USER)
        edited = await standin.wait_for("sendMessage", lambda c: "new messages" in c.params.get("text", ""),
                                        timeout=20)
    assert "only read text" in hint.params["text"] and edited


async def test_telegram_long_answer_is_split_under_4096(standin, seeded, tmp_path):
    sentence = "The river flooded the <old> town & its bridges near the 'mill' in spring. "
    (tmp_path / "long.txt").write_text("Title: Floods <b>&amp; bridges\nDate: 2025-03-03\n\n" + sentence * 400)
    seeded.ingest([tmp_path / "long.txt"])
    async with running_bot(standin, seeded, top_k=3):
        replies = await _reply_to(standin, USER, "Did the river flood the old town and its bridges?", user_id=USER)
    for r in replies:
        check_telegram_html(r.params["text"])
        assert len(r.params["text"]) <= 4096


async def test_telegram_token_never_appears_in_logs(standin, seeded, caplog):
    handler = logging.StreamHandler(stream := __import__("io").StringIO())
    handler.setFormatter(RedactingFormatter("%(name)s %(message)s", [standin.token]))
    root = logging.getLogger()
    root.addHandler(handler)
    old = root.level
    root.setLevel(logging.DEBUG)
    try:
        async with running_bot(standin, seeded):
            await _reply_to(standin, USER, "who evacuated via Khmeimim?", user_id=USER)
    finally:
        root.removeHandler(handler)
        root.setLevel(old)
    logged = stream.getvalue()
    assert "getUpdates" in logged or "sendMessage" in logged  # the URLs were logged ...
    assert standin.token not in logged  # ... without the token
    assert standin.token.split(":")[1] not in logged


async def test_telegram_missing_or_malformed_token_is_one_clear_line(seeded):
    from retrieval.core.errors import NewsbotError

    with pytest.raises(NewsbotError, match="NEWSBOT_TELEGRAM_TOKEN is not set"):
        build_application(seeded.settings.model_copy(update={"telegram_token": None}), seeded)
    with pytest.raises(NewsbotError, match="malformed") as info:
        build_application(seeded.settings.model_copy(update={"telegram_token": SecretStr("12345:short")}), seeded)
    assert "short" not in str(info.value)


async def test_telegram_sources_are_paged_with_inline_buttons(standin, seeded, tmp_path):
    for i in range(12):
        (tmp_path / f"a{i}.txt").write_text(f"Title: Story number {i}\nDate: 2025-01-{i + 1:02d}\n\n"
                                            f"Event {i} happened in town {i} on a quiet day.")
    seeded.ingest([tmp_path])
    async with running_bot(standin, seeded):
        (first,) = await _reply_to(standin, USER, "/sources", user_id=USER)
        markup = first.params["reply_markup"]
        (button,) = [b for row in markup["inline_keyboard"] for b in row]
        assert button["text"].startswith("Next")
        standin.queue_callback_query(USER, USER, first.result["message_id"], button["callback_data"])
        edited = await standin.wait_for("editMessageText", timeout=20)
    assert "13 articles" in first.params["text"] and "page 1/2" in first.params["text"]
    assert "page 2/2" in edited.params["text"]
    check_telegram_html(edited.params["text"])


async def test_telegram_flood_control_retry_after_is_respected(standin, seeded):
    standin.fail_next("sendMessage", times=1, retry_after=1)
    async with running_bot(standin, seeded):
        standin.queue_message(USER, "who evacuated via Khmeimim?", user_id=USER)
        delivered = await standin.wait_for("sendMessage", lambda c: "pilgrims" in c.params["text"], timeout=60)
    refused = [c for c in standin.calls("sendMessage") if c.error]
    assert len(refused) == 1 and "429" in refused[0].error
    assert delivered.time - refused[0].time >= 1.0  # it waited as told, then the same message went through
    assert delivered.params["text"] == refused[0].params["text"]


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def test_telegram_webhook_checks_the_secret_token(standin, seeded):
    import aiohttp

    settings = seeded.settings.model_copy(update={"telegram_token": SecretStr(standin.token)})
    seeded.settings = settings
    app = build_application(settings.model_copy(update={"telegram_api_url": standin.url}), seeded)
    port = _free_port()
    url = f"http://127.0.0.1:{port}/telegram"
    update = {"update_id": 99, "message": {"message_id": 5, "date": int(time.time()),
                                           "chat": {"id": USER, "type": "private", "first_name": "U"},
                                           "from": {"id": USER, "is_bot": False, "first_name": "U"},
                                           "text": "who evacuated via Khmeimim?"}}
    async with app:
        await app.start()
        await app.updater.start_webhook(listen="127.0.0.1", port=port, url_path="telegram", webhook_url=url,
                                        secret_token="s3cret-token")
        try:
            assert standin.webhook == {"url": url, "secret_token": "s3cret-token"}
            async with aiohttp.ClientSession() as http:
                async with http.post(url, json=update) as refused:
                    assert refused.status == 403
                async with http.post(url, json=update,
                                     headers={"X-Telegram-Bot-Api-Secret-Token": "wrong"}) as wrong:
                    assert wrong.status == 403
                async with http.post(url, json=update,
                                     headers={"X-Telegram-Bot-Api-Secret-Token": "s3cret-token"}) as accepted:
                    assert accepted.status == 200
            reply = await standin.wait_for("sendMessage", lambda c: int(c.params["chat_id"]) == USER, timeout=60)
            assert len(_replies(standin, USER)) == 1  # the two refused posts were never answered
        finally:
            await app.updater.stop()
            await app.stop()
    assert "pilgrims" in reply.params["text"]


async def test_telegram_llm_answer_streams_a_draft_then_the_checked_answer(standin, seeded):
    from tests.llm import cases
    from tests.llm.openai_standin import OpenAIStandin, Reply

    def slow_well_cited(request):
        reply = cases.well_cited(request)
        return Reply(reply.content, chunk_delay=0.15)

    with OpenAIStandin() as llm:
        llm.reply(slow_well_cited)
        async with running_bot(standin, seeded, llm="openai:standin", llm_base_url=llm.base_url, llm_timeout=20):
            standin.queue_message(USER, "who was evacuated via Khmeimim?", user_id=USER)
            final = await standin.wait_for("editMessageText", lambda c: "Written by the LLM" in c.params["text"],
                                           timeout=90)
    drafts = [c for c in standin.calls("editMessageText") if c is not final] + \
        [c for c in standin.calls("sendMessage") if int(c.params["chat_id"]) == USER]
    assert drafts and drafts[0].params["text"].endswith("…")  # the user saw the answer being written
    check_telegram_html(final.params["text"])
    assert "Khmeimim Air Base" in final.params["text"] and "<b>[1]</b>" in final.params["text"]
    edits = [c.time for c in standin.calls("editMessageText")]
    assert all(b - a >= 1.0 for a, b in zip(edits, edits[1:-1]))  # drafts edited at most about once a second
