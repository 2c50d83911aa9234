"""The real PTB `Application` under abuse, against the Bot API stand-in: floods, crowds, huge messages, lying
documents, forged buttons, questions edited or deleted mid-answer. The bot keeps answering, says one polite
thing, logs no error, and never logs its token.
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import threading

import pytest

from bot.console import configure_logging
from tests.bot.telegram.test_telegram_bot import _has_votes, _replies, _reply_to, running_bot

pytestmark = pytest.mark.asyncio

USER, OTHER, ADMIN = 2001, 2002, 2003
ARTICLE = b"Title: Harbour reopens\nDate: 2025-02-01\n\nThe harbour of Tartus reopened to ships on Monday."
QUIET = ("httpx", "httpcore", "chromadb", "sentence_transformers", "transformers", "urllib3", "bm25s", "trafilatura",
         "htmldate", "courlan")


class BotLog:
    """What `newsbot bot` would print on stderr (its own logging setup, verbose, without the token redaction)."""

    def __init__(self) -> None:
        self.stream = io.StringIO()
        self.records: list[logging.LogRecord] = []

    def errors(self) -> list[str]:
        return [f"{r.name}: {r.getMessage()}" for r in self.records if r.levelno >= logging.ERROR]

    def text(self) -> str:
        return self.stream.getvalue()


@pytest.fixture
def bot_log(standin):
    """The bot's log for the test; afterwards, checks that nothing logged holds the token."""
    root = logging.getLogger()
    saved = root.handlers[:], root.level, {name: logging.getLogger(name).level for name in QUIET}
    configure_logging(verbose=True, secrets=[])  # the bot's own setup, with nothing redacted
    log = BotLog()
    (handler,) = root.handlers
    handler.setStream(log.stream)  # type: ignore[attr-defined]
    collect = logging.Handler()
    collect.emit = log.records.append  # type: ignore[method-assign]
    root.addHandler(collect)
    try:
        yield log
    finally:
        root.handlers[:] = saved[0]
        root.setLevel(saved[1])
        for name, level in saved[2].items():
            logging.getLogger(name).setLevel(level)
    secret = standin.token.split(":")[1]
    assert "Application started" in log.text()  # the capture saw the bot's log
    assert secret not in log.text()
    assert all(secret not in r.getMessage() for r in log.records)


def _answers(standin, chat_id):
    """The bot's answers in ``chat_id`` (the message of each answer that carries the vote buttons)."""
    return [c for c in _replies(standin, chat_id) if c.error is None and _has_votes(c)]


def _markup(call):
    markup = call.params.get("reply_markup")
    return json.loads(markup) if isinstance(markup, str) else markup


@contextlib.contextmanager
def busy_workers(app):
    """Hold every worker of the bot's executor, so a question waits mid-answer until the block ends."""
    state = app.bot_data["state"]
    release = threading.Event()
    holding = [state.executor.submit(release.wait) for _ in range(state.executor._max_workers)]
    try:
        yield
    finally:
        release.set()
        for future in holding:
            future.result()


async def test_flood_from_one_user_is_slowed_once_while_another_user_is_answered(standin, seeded, bot_log):
    async with running_bot(standin, seeded, telegram_rate_limit=10) as app:
        for i in range(200):
            standin.queue_message(USER, f"who evacuated via Khmeimim? ({i})", user_id=USER)
        other = await _reply_to(standin, OTHER, "When did the Assad government fall?", user_id=OTHER)
        flood_answered_then = len(_answers(standin, USER))
        await _reply_to(standin, USER, "/help", user_id=USER)  # every flood message has been read by now
        for n in range(1, 11):
            await standin.wait_for("sendMessage", lambda c, n=n: len(_answers(standin, USER)) >= n, timeout=120)
        state = app.bot_data["state"]
        assert len(state.chat_locks) == 0  # nothing left waiting in the flooded chat
    assert _has_votes(other[-1])
    assert flood_answered_then < 10  # the other user did not wait for the flood to be worked off
    assert len(_answers(standin, USER)) == 10  # the rate limit: 10 questions a minute
    slow = [c for c in _replies(standin, USER) if "Slow down" in str(c.params.get("text"))]
    assert len(slow) == 1  # told once, not 190 times
    assert bot_log.errors() == []


async def test_fifty_users_at_once_each_get_one_answer(standin, seeded, bot_log):
    users = range(3000, 3050)
    questions = ["who evacuated via Khmeimim?", "When did the Assad government fall?", "Where was the stronghold?"]
    async with running_bot(standin, seeded):
        for user in users:
            standin.queue_message(user, questions[user % 3], user_id=user)
        for user in users:
            await standin.wait_for("sendMessage", lambda c, u=user: int(c.params["chat_id"]) == u and _has_votes(c),
                                   timeout=300)
    for user in users:
        assert len(_answers(standin, user)) == 1
    khmeimim = "".join(c.params["text"] for c in _replies(standin, 3000 + (-3000 % 3)))
    assert "pilgrims" in khmeimim
    assert bot_log.errors() == []


@pytest.mark.parametrize("text", [
    ("Who evacuated via Khmeimim and why? " * 120)[:4096],
    ("<b>bold</b> &amp; <a href='x'>link</a> @someone /start " * 80)[:4096],
    "😀" * 2048,  # 4096 UTF-16 units, Telegram's limit
    ("\u202ewho evacuated\u202c مرحبا " * 200)[:4096],  # right-to-left text and overrides
])
async def test_message_of_4096_characters_gets_a_clear_reply(standin, seeded, bot_log, text):
    async with running_bot(standin, seeded):
        (reply,) = await _reply_to(standin, USER, text, user_id=USER, answer=False)
        after = await _reply_to(standin, USER, "who evacuated via Khmeimim?", user_id=USER)
    assert "limit is 1000" in reply.params["text"]
    assert "pilgrims" in after[0].params["text"]
    assert bot_log.errors() == []


async def test_documents_that_lie_are_refused_or_ingested_inside_the_uploads_folder(standin, seeded, bot_log,
                                                                                   tmp_path):
    uploads = seeded.settings.data_dir / "uploads"
    cases = [
        ("binary.txt", bytes(range(256)) * 10, {}),  # says text, is binary
        ("photo.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 64, {"mime_type": "image/png"}),
        ("small.txt", b"x" * 5000, {"file_size": 0}),  # says 0 bytes, getFile knows better
        ("tiny.txt", b"y" * 5000, {"file_size": 1, "stored_size": 1}),  # both lie: the download is measured
        ("../../etc/passwd.txt", ARTICLE, {}),
        ("..\\..\\evil.html", b"<html><body><p>The ferry to Latakia sailed on Tuesday.</p></body></html>", {}),
        ("x" * 300 + ".md", b"# Long name\n\nThe mayor of Homs opened a library.", {}),
        ("notes.exe", b"MZ\x90\x00", {}),
        ("", ARTICLE, {}),
    ]
    async with running_bot(standin, seeded, telegram_admins=[ADMIN], telegram_max_upload_mb=0.004):
        for name, content, lies in cases:
            before_replies = len(_replies(standin, ADMIN))
            standin.queue_document(ADMIN, ADMIN, name, content, **lies)

            def finished(call, n=before_replies) -> bool:
                texts = [c.params["text"] for c in _replies(standin, ADMIN)[n:]]
                return any(t.startswith(("Indexed", "I can index", "That file is")) for t in texts)

            await standin.wait_for("sendMessage", finished, timeout=60)
        answer = await _reply_to(standin, ADMIN, "When did the harbour of Tartus reopen?", user_id=ADMIN)
    replies = [c.params["text"] for c in _replies(standin, ADMIN)]
    assert any("Indexed binary.txt" in r and "failed 1" in r and "binary" in r for r in replies)
    assert any("Indexed photo.txt" in r and "failed 1" in r for r in replies)
    assert sum(r.startswith("That file is") for r in replies) == 2
    assert any("Indexed passwd.txt: added 1" in r for r in replies)
    assert any("Indexed evil.html: added 1" in r for r in replies)
    assert any(r.startswith("Indexed " + "x" * 60 + ".md: added 1") for r in replies)
    assert sum(r.startswith("I can index") for r in replies) == 1  # notes.exe
    assert "Monday" in answer[0].params["text"]
    assert not (tmp_path / "etc").exists() and not (seeded.settings.data_dir / "etc").exists()
    for name in ("passwd.txt", "evil.html", "small.txt", "tiny.txt"):
        assert [p.parent for p in tmp_path.rglob(name)] in ([], [uploads])
    assert sorted(p.name for p in uploads.iterdir()) == sorted(
        ["binary.txt", "photo.txt", "passwd.txt", "evil.html", "x" * 60 + ".md", "upload.txt"])
    assert bot_log.errors() == []


async def test_buttons_never_issued_are_answered_politely(standin, seeded, bot_log):
    forged = ["fb:nonsense:up", "fb:", "fb::down", "src:-5", "src:abc", "src:99999999999", "src:٣", "zzz", "",
              "src:0", "src:1"]
    async with running_bot(standin, seeded):
        (listing,) = await _reply_to(standin, USER, "/sources", user_id=USER)
        answer = await _reply_to(standin, USER, "who evacuated via Khmeimim?", user_id=USER)
        up = _markup(answer[-1])["inline_keyboard"][0][0]["callback_data"]
        for data in forged + [up, up]:
            standin.queue_callback_query(USER, USER, listing.result["message_id"], data)
        await standin.wait_for("answerCallbackQuery",
                               lambda c: len(standin.calls("answerCallbackQuery")) >= len(forged) + 2, timeout=60)
        after = await _reply_to(standin, USER, "When did the Assad government fall?", user_id=USER)
    toasts = [c.params.get("text") for c in standin.calls("answerCallbackQuery")]
    assert len(toasts) == len(forged) + 2
    assert toasts.count("This answer is too old to vote on.") == 3
    assert toasts.count("This button no longer works: send your question again.") == 6
    assert "Thanks for the feedback! 👍" in toasts and "Already noted, thanks." in toasts
    from bot.telegram.store import BotStore

    assert len(BotStore(seeded.settings.data_dir).votes()) == 1  # the second press of the same button stored nothing
    assert after and _has_votes(after[-1])
    assert bot_log.errors() == []


async def test_question_edited_mid_answer_is_answered_once_and_the_edit_gets_a_hint(standin, seeded, bot_log):
    async with running_bot(standin, seeded) as app:
        with busy_workers(app):
            asked = standin.queue_message(USER, "who evacuated via Khmeimim?", user_id=USER)
            await standin.wait_for("sendChatAction", lambda c: int(c.params["chat_id"]) == USER)
            standin.queue_edited_message(USER, "who evacuated via Tartus?", user_id=USER,
                                         message_id=asked["message"]["message_id"])
            await standin.wait_for("sendMessage", lambda c: "new messages" in c.params["text"])
        await standin.wait_for("sendMessage", lambda c: int(c.params["chat_id"]) == USER and _has_votes(c), timeout=60)
        await _reply_to(standin, USER, "/help", user_id=USER)
    answers = _answers(standin, USER)
    assert len(answers) == 1 and "pilgrims" in "".join(c.params["text"] for c in _replies(standin, USER))
    assert bot_log.errors() == []


async def test_question_deleted_mid_answer_is_still_answered_once(standin, seeded, bot_log):
    async with running_bot(standin, seeded) as app:
        with busy_workers(app):
            asked = standin.queue_message(USER, "who evacuated via Khmeimim?", user_id=USER)
            await standin.wait_for("sendChatAction", lambda c: int(c.params["chat_id"]) == USER)
            standin.delete_user_message(USER, asked["message"]["message_id"])
        await standin.wait_for("sendMessage", lambda c: int(c.params["chat_id"]) == USER and _has_votes(c), timeout=60)
        await _reply_to(standin, USER, "/help", user_id=USER)
    assert len(_answers(standin, USER)) == 1
    assert "pilgrims" in _replies(standin, USER)[0].params["text"]
    assert [c for c in standin.calls("sendMessage") if c.error] == []
    assert bot_log.errors() == []


async def test_questions_asked_during_an_upload_are_answered_and_the_upload_reports(standin, seeded, bot_log):
    articles = "\n".join(json.dumps({"title": f"Bridge number {i}", "date": "2025-03-01",
                                     "text": f"The town of Alder{i} opened bridge number {i} over the river on "
                                             f"Monday. The bridge cost {i + 2} million and took {i + 1} years."})
                         for i in range(40))
    users = range(4000, 4012)
    async with running_bot(standin, seeded, telegram_admins=[ADMIN]):
        standin.queue_document(ADMIN, ADMIN, "bridges.jsonl", articles.encode(), "application/json")
        await standin.wait_for("sendMessage", lambda c: "Indexing" in c.params["text"], timeout=60)
        for user in users:
            standin.queue_message(user, "who evacuated via Khmeimim?", user_id=user)
        report = await standin.wait_for("sendMessage", lambda c: "Indexed bridges.jsonl" in c.params["text"],
                                        timeout=120)
        for user in users:
            await standin.wait_for("sendMessage", lambda c, u=user: int(c.params["chat_id"]) == u and _has_votes(c),
                                   timeout=120)
        after = await _reply_to(standin, ADMIN, "When did the town of Alder7 open its bridge?", user_id=ADMIN)
    assert "added 40" in report.params["text"] and "failed 0" in report.params["text"]
    for user in users:
        assert "pilgrims" in _replies(standin, user)[0].params["text"]
    assert "Monday" in after[0].params["text"]
    assert bot_log.errors() == []
