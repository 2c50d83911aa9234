"""A Bot API stand-in on 127.0.0.1 that speaks Telegram's HTTP protocol, for the real PTB `Application`.

It answers ``POST /bot<TOKEN>/<method>`` (form, multipart or JSON) with ``{"ok": true, "result": ...}`` or
Telegram's error shape, long-polls ``getUpdates`` with real offset semantics, serves files at
``/file/bot<TOKEN>/<path>``, validates HTML messages as Telegram does, and records every call.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.bot.telegram.html_check import TelegramHtmlError, check_telegram_html

TOKEN = "123456789:AAE_stand-in_token_for_tests_0123456789"
_JSON_FIELDS = {"reply_markup", "reply_parameters", "link_preview_options", "allowed_updates", "commands",
                "entities", "scope"}


@dataclass
class Call:
    """One request the bot made."""

    method: str
    params: dict[str, Any]
    result: Any = None
    error: str | None = None
    time: float = field(default_factory=time.monotonic)


def _utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


class BotApiStandin:
    """The stand-in server. Start with ``await start()``, stop with ``await stop()``."""

    def __init__(self, token: str = TOKEN, username: str = "newsbot_test_bot") -> None:
        self.token = token
        self.bot_id = int(token.split(":")[0])
        self.bot_username = username
        self.url = ""
        self.records: list[Call] = []
        self.updates: list[dict[str, Any]] = []
        self.files: dict[str, tuple[str, bytes]] = {}
        self.webhook: dict[str, Any] = {"url": ""}
        self._update_ids = itertools.count(1)
        self._message_ids: dict[int, itertools.count] = {}
        self._new_update = asyncio.Event()
        self._new_call = asyncio.Event()
        self._failures: dict[str, list[int]] = {}  # method -> retry_after values for the next calls
        self._stored_sizes: dict[str, int] = {}
        self.deleted: set[tuple[int, int]] = set()  # (chat_id, message_id) of messages users deleted
        self._shown: dict[tuple[int, int], tuple[str, Any]] = {}  # the bot's messages: text and markup
        self._runner: web.AppRunner | None = None

    # ---- server ---------------------------------------------------------------------------------
    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        app.router.add_get("/file/bot{token}/{path:.*}", self._file)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}"

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _params(self, request: web.Request) -> dict[str, Any]:
        params: dict[str, Any] = dict(request.query)
        if request.content_type == "application/json":
            params.update(await request.json())
        elif request.can_read_body:
            form = await request.post()
            for key, value in form.items():
                params[key] = value if isinstance(value, str) else getattr(value, "file", value)
        for key in list(params):
            if key in _JSON_FIELDS and isinstance(params[key], str):
                try:
                    params[key] = json.loads(params[key])
                except json.JSONDecodeError:
                    pass
        return params

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        if request.match_info["token"] != self.token:
            return web.json_response({"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401)
        params = await self._params(request)
        call = Call(method, params)
        self.records.append(call)
        try:
            pending = self._failures.get(method)
            if pending:
                retry = pending.pop(0)
                call.error = f"429 retry after {retry}"
                return web.json_response({"ok": False, "error_code": 429, "description":
                                          f"Too Many Requests: retry after {retry}",
                                          "parameters": {"retry_after": retry}}, status=429)
            handler = getattr(self, f"_m_{method}", None)
            if handler is None:
                call.error = "404"
                return web.json_response({"ok": False, "error_code": 404, "description": "Not Found"}, status=404)
            result = handler(params)
            if asyncio.iscoroutine(result):
                result = await result
            call.result = result
            return web.json_response({"ok": True, "result": result})
        except _BadRequest as exc:
            call.error = str(exc)
            return web.json_response({"ok": False, "error_code": 400, "description": f"Bad Request: {exc}"},
                                     status=400)
        finally:
            self._new_call.set()

    async def _file(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.Response(status=401)
        for path, data in self.files.values():
            if path == request.match_info["path"]:
                return web.Response(body=data)
        return web.Response(status=404)

    # ---- Bot API methods ------------------------------------------------------------------------
    def _me(self) -> dict[str, Any]:
        return {"id": self.bot_id, "is_bot": True, "first_name": "newsbot", "username": self.bot_username,
                "can_join_groups": True, "can_read_all_group_messages": False, "supports_inline_queries": False}

    def _m_getMe(self, p: dict[str, Any]) -> dict[str, Any]:
        return self._me()

    async def _m_getUpdates(self, p: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(p.get("offset") or 0)
        if offset:
            self.updates = [u for u in self.updates if u["update_id"] >= offset]
        deadline = time.monotonic() + float(p.get("timeout") or 0)
        while not self.updates and time.monotonic() < deadline:
            self._new_update.clear()
            try:
                await asyncio.wait_for(self._new_update.wait(), max(0.01, deadline - time.monotonic()))
            except asyncio.TimeoutError:
                break
        return self.updates[: int(p.get("limit") or 100)]

    def _m_deleteWebhook(self, p: dict[str, Any]) -> bool:
        self.webhook = {"url": ""}
        return True

    def _m_setWebhook(self, p: dict[str, Any]) -> bool:
        self.webhook = {"url": p.get("url", ""), "secret_token": p.get("secret_token")}
        return True

    def _m_getWebhookInfo(self, p: dict[str, Any]) -> dict[str, Any]:
        return {"url": self.webhook.get("url", ""), "has_custom_certificate": False, "pending_update_count": 0}

    def _m_setMyCommands(self, p: dict[str, Any]) -> bool:
        return True

    def _m_getMyCommands(self, p: dict[str, Any]) -> list[Any]:
        return []

    def _chat(self, chat_id: int) -> dict[str, Any]:
        if chat_id < 0:
            return {"id": chat_id, "type": "supergroup", "title": "Test group"}
        return {"id": chat_id, "type": "private", "first_name": "User"}

    def _next_id(self, chat_id: int) -> int:
        return next(self._message_ids.setdefault(chat_id, itertools.count(1)))

    def _bot_message(self, p: dict[str, Any], text: str) -> dict[str, Any]:
        chat_id = int(p["chat_id"])
        message: dict[str, Any] = {"message_id": self._next_id(chat_id), "date": int(time.time()),
                                   "chat": self._chat(chat_id), "from": self._me(), "text": text}
        reply = p.get("reply_parameters") or ({"message_id": p["reply_to_message_id"]}
                                              if p.get("reply_to_message_id") else None)
        if reply and (chat_id, int(reply["message_id"])) in self.deleted:
            if not (reply.get("allow_sending_without_reply") or p.get("allow_sending_without_reply")):
                raise _BadRequest("message to be replied not found")
            reply = None
        if reply:
            message["reply_to_message"] = {"message_id": int(reply["message_id"]), "date": int(time.time()),
                                           "chat": self._chat(chat_id), "text": "…"}
        if p.get("reply_markup"):
            message["reply_markup"] = p["reply_markup"]
        return message

    def _checked_text(self, p: dict[str, Any]) -> str:
        text = str(p.get("text", ""))
        if not text.strip():
            raise _BadRequest("message text is empty")
        if p.get("parse_mode") == "HTML":
            try:
                visible = check_telegram_html(text)
            except TelegramHtmlError as exc:
                if "too long" in str(exc):
                    raise _BadRequest("message is too long") from None
                raise _BadRequest(f"can't parse entities: {exc}") from None
        else:
            visible = text
        if _utf16(visible) > 4096:
            raise _BadRequest("message is too long")
        return visible

    def _m_sendMessage(self, p: dict[str, Any]) -> dict[str, Any]:
        message = self._bot_message(p, self._checked_text(p))
        self._shown[(int(p["chat_id"]), message["message_id"])] = (str(p["text"]), p.get("reply_markup"))
        return message

    def _m_editMessageText(self, p: dict[str, Any]) -> dict[str, Any]:
        key = (int(p["chat_id"]), int(p["message_id"]))
        if self._shown.get(key) == (str(p.get("text")), p.get("reply_markup")):
            raise _BadRequest("message is not modified: specified new message content and reply markup are "
                              "exactly the same as a current content and reply markup of the message")
        message = self._bot_message({**p, "reply_parameters": None}, self._checked_text(p))
        message["message_id"] = int(p["message_id"])
        message["edit_date"] = int(time.time())
        self._shown[key] = (str(p["text"]), p.get("reply_markup"))
        return message

    def _m_editMessageReplyMarkup(self, p: dict[str, Any]) -> dict[str, Any]:
        return {"message_id": int(p["message_id"]), "date": int(time.time()),
                "chat": self._chat(int(p["chat_id"])), "text": "…"}

    def _m_sendChatAction(self, p: dict[str, Any]) -> bool:
        return True

    def _m_answerInlineQuery(self, p: dict[str, Any]) -> bool:
        results = p.get("results")
        if isinstance(results, str):
            results = json.loads(results)
        if not isinstance(results, list) or len(results) > 50:
            raise _BadRequest("Bad Request: results must be a list of at most 50")
        for result in results:
            content = result.get("input_message_content") or {}
            self._checked_text({"text": content.get("message_text", ""), "parse_mode": content.get("parse_mode")})
        return True

    def _m_answerCallbackQuery(self, p: dict[str, Any]) -> bool:
        return True

    def _m_deleteMessage(self, p: dict[str, Any]) -> bool:
        return True

    def _m_getFile(self, p: dict[str, Any]) -> dict[str, Any]:
        file_id = str(p.get("file_id"))
        if file_id not in self.files:
            raise _BadRequest("invalid file_id")
        path, data = self.files[file_id]
        return {"file_id": file_id, "file_unique_id": f"u{file_id}", "file_path": path,
                "file_size": self._stored_sizes.get(file_id, len(data))}

    # ---- what tests queue -----------------------------------------------------------------------
    def _push(self, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
        update = {"update_id": next(self._update_ids), kind: payload}
        self.updates.append(update)
        self._new_update.set()
        return update

    def _user(self, user_id: int) -> dict[str, Any]:
        return {"id": user_id, "is_bot": False, "first_name": f"User{user_id}", "language_code": "en"}

    def _incoming(self, chat_id: int, user_id: int, chat_type: str) -> dict[str, Any]:
        chat = {"id": chat_id, "type": chat_type}
        chat.update({"title": "Test group"} if chat_type != "private" else {"first_name": f"User{user_id}"})
        return {"message_id": self._next_id(chat_id), "date": int(time.time()), "chat": chat,
                "from": self._user(user_id)}

    @staticmethod
    def _entities(text: str) -> list[dict[str, Any]]:
        entities = []
        command = re.match(r"/\w+(@\w+)?", text)
        if command:
            entities.append({"type": "bot_command", "offset": 0, "length": _utf16(command.group())})
        for match in re.finditer(r"(?<![\w/])@\w+", text):
            entities.append({"type": "mention", "offset": _utf16(text[: match.start()]),
                             "length": _utf16(match.group())})
        return entities

    def queue_message(self, chat_id: int, text: str, user_id: int | None = None, chat_type: str | None = None,
                      reply_to: dict[str, Any] | None = None) -> dict[str, Any]:
        """A text message from a user (entities for /commands and @mentions computed in UTF-16 units)."""
        message = self._incoming(chat_id, user_id or chat_id, chat_type or ("private" if chat_id > 0 else
                                                                            "supergroup"))
        message["text"] = text
        if entities := self._entities(text):
            message["entities"] = entities
        if reply_to:
            message["reply_to_message"] = reply_to
        return self._push("message", message)

    def queue_inline_query(self, user_id: int, query: str) -> dict[str, Any]:
        """``@bot query`` typed by a user in any chat."""
        return self._push("inline_query", {"id": str(next(self._update_ids) * 7919), "from": self._user(user_id),
                                            "query": query, "offset": "", "chat_type": "sender"})

    def queue_channel_post(self, chat_id: int, text: str, title: str, username: str | None = None,
                           message_id: int | None = None, edited: bool = False) -> dict[str, Any]:
        """A post in a channel the bot administers (``edited``: a new version of post ``message_id``)."""
        chat: dict[str, Any] = {"id": chat_id, "type": "channel", "title": title}
        if username:
            chat["username"] = username
        post = {"message_id": message_id or self._next_id(chat_id), "date": int(time.time()), "chat": chat,
                "text": text, "sender_chat": chat}
        if edited:
            post["edit_date"] = int(time.time())
        return self._push("edited_channel_post" if edited else "channel_post", post)

    def queue_edited_message(self, chat_id: int, text: str, user_id: int | None = None,
                             message_id: int | None = None) -> dict[str, Any]:
        """The user edited a message (``message_id``: one they sent before; default: a new id)."""
        message = self._incoming(chat_id, user_id or chat_id, "private" if chat_id > 0 else "supergroup")
        if message_id is not None:
            message["message_id"] = message_id
        message.update(text=text, edit_date=int(time.time()))
        return self._push("edited_message", message)

    def delete_user_message(self, chat_id: int, message_id: int) -> None:
        """The user deleted their message: Telegram sends no update, but replies to it are refused from now on."""
        self.deleted.add((chat_id, message_id))

    def queue_callback_query(self, chat_id: int, user_id: int, message_id: int, data: str) -> dict[str, Any]:
        """A press on an inline button under the bot's message ``message_id``."""
        message = {"message_id": message_id, "date": int(time.time()), "chat": self._chat(chat_id),
                   "from": self._me(), "text": "…"}
        return self._push("callback_query", {"id": str(next(self._update_ids)), "from": self._user(user_id),
                                             "chat_instance": str(chat_id), "data": data, "message": message})

    def queue_document(self, chat_id: int, user_id: int, file_name: str, content: bytes,
                       mime_type: str = "text/plain", file_size: int | None = None,
                       stored_size: int | None = None) -> dict[str, Any]:
        """A document; ``file_size`` may lie about its size in the message, ``stored_size`` in getFile's answer."""
        file_id = f"doc{len(self.files) + 1}"
        if stored_size is not None:
            self._stored_sizes[file_id] = stored_size
        self.files[file_id] = (f"documents/{file_id}.bin", content)
        message = self._incoming(chat_id, user_id, "private" if chat_id > 0 else "supergroup")
        message["document"] = {"file_id": file_id, "file_unique_id": f"u{file_id}", "file_name": file_name,
                               "mime_type": mime_type, "file_size": len(content) if file_size is None else file_size}
        return self._push("message", message)

    def queue_sticker(self, chat_id: int, user_id: int) -> dict[str, Any]:
        message = self._incoming(chat_id, user_id, "private")
        message["sticker"] = {"file_id": "st1", "file_unique_id": "ust1", "type": "regular", "width": 512,
                              "height": 512, "is_animated": False, "is_video": False}
        return self._push("message", message)

    def queue_photo(self, chat_id: int, user_id: int) -> dict[str, Any]:
        message = self._incoming(chat_id, user_id, "private")
        message["photo"] = [{"file_id": "ph1", "file_unique_id": "uph1", "width": 90, "height": 90}]
        return self._push("message", message)

    def queue_voice(self, chat_id: int, user_id: int) -> dict[str, Any]:
        message = self._incoming(chat_id, user_id, "private")
        message["voice"] = {"file_id": "vo1", "file_unique_id": "uvo1", "duration": 3}
        return self._push("message", message)

    def fail_next(self, method: str, times: int = 1, retry_after: int = 1) -> None:
        """Answer the next ``times`` calls of ``method`` with 429 Too Many Requests (flood control)."""
        self._failures.setdefault(method, []).extend([retry_after] * times)

    # ---- what tests inspect ---------------------------------------------------------------------
    def calls(self, method: str | None = None) -> list[Call]:
        return [c for c in self.records if method is None or c.method == method]

    def sent_texts(self, chat_id: int) -> list[str]:
        return [str(c.params.get("text")) for c in self.calls("sendMessage")
                if int(c.params["chat_id"]) == chat_id and c.error is None]

    async def wait_for(self, method: str, predicate: Callable[[Call], bool] | None = None,
                       timeout: float = 10) -> Call:
        """The first recorded successful call of ``method`` matching ``predicate``, waiting up to ``timeout`` s."""
        deadline = time.monotonic() + timeout
        while True:
            for call in self.calls(method):
                if call.error is None and (predicate is None or predicate(call)):
                    return call
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"no {method} call matched within {timeout} s")
            self._new_call.clear()
            try:
                await asyncio.wait_for(self._new_call.wait(), min(remaining, 0.5))
            except asyncio.TimeoutError:
                pass


class _BadRequest(Exception):
    pass
