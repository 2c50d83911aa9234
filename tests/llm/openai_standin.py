"""A loopback stand-in for an OpenAI-compatible server: ``POST /v1/chat/completions``, plain JSON or streamed
with server-sent events, replying what each test scripts and recording every request.

    with OpenAIStandin() as llm:
        llm.reply(Reply("Pilgrims left via Khmeimim [1]."))          # or llm.reply(lambda request: Reply(...))
        settings = Settings(llm="openai:standin", llm_base_url=llm.base_url)
        ...
        llm.requests[-1].user   # the user message the client sent (passages, question)

It runs aiohttp on 127.0.0.1 in a thread of its own, so a synchronous client in the test (LangChain's
``ChatOpenAI``) or a ``newsbot`` subprocess can talk to it over real HTTP.
"""

from __future__ import annotations

import asyncio
import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web


@dataclass
class Reply:
    """One scripted completion.

    ``content`` is the assistant's text; streamed, it is cut into ``chunks`` (default: word by word).
    ``delay`` seconds pass before the response starts, ``chunk_delay`` between streamed chunks. ``status`` other
    than 200 sends an OpenAI-style error with ``error``. ``raw`` replaces the whole body (plain mode) or the
    list of SSE ``data:`` payloads (stream mode) to send malformed responses.
    """

    content: str = ""
    delay: float = 0.0
    chunk_delay: float = 0.0
    status: int = 200
    error: str = "scripted error"
    raw: str | list[str] | None = None
    chunks: list[str] | None = None


@dataclass
class Recorded:
    """One request the stand-in received."""

    path: str
    headers: dict[str, str]
    body: dict[str, Any]

    @property
    def messages(self) -> list[dict[str, Any]]:
        return list(self.body.get("messages", []))

    def _content(self, role: str) -> str:
        for message in self.messages:
            if message.get("role") == role:
                content = message.get("content")
                if isinstance(content, list):
                    return "".join(part.get("text", "") for part in content if isinstance(part, dict))
                return str(content or "")
        return ""

    @property
    def system(self) -> str:
        return self._content("system")

    @property
    def user(self) -> str:
        return self._content("user")

    @property
    def stream(self) -> bool:
        return bool(self.body.get("stream"))

    def passages(self) -> dict[int, str]:
        """The fenced passages of the user message by number: ``{1: "Article: ...\\n\\ntext"}``."""
        found = re.findall(r"<<<PASSAGE (\d+) (\w+)>>>\n(.*?)\n<<<END PASSAGE \1 \2>>>", self.user, re.DOTALL)
        return {int(n): text for n, _, text in found}

    def passage_with(self, words: str) -> int:
        """The number of the first passage whose text contains ``words`` (case-insensitive)."""
        for n, text in sorted(self.passages().items()):
            if words.lower() in text.lower():
                return n
        raise AssertionError(f"no passage contains {words!r}; passages: {sorted(self.passages())}")


Responder = Callable[[Recorded], Reply]


@dataclass
class OpenAIStandin:
    """The server; use it as a context manager (``start``/``stop``)."""

    host: str = "127.0.0.1"
    requests: list[Recorded] = field(default_factory=list)
    _responder: Responder = field(default=lambda request: Reply("NOT IN THE ARTICLES"))
    _loop: asyncio.AbstractEventLoop | None = None
    _thread: threading.Thread | None = None
    _runner: web.AppRunner | None = None
    _stopping: asyncio.Event | None = None
    port: int = 0

    # ---- scripting ---------------------------------------------------------------------------------
    def reply(self, reply: Reply | Responder) -> None:
        """Answer every following request with ``reply`` (or what ``reply(request)`` returns)."""
        self._responder = reply if callable(reply) else (lambda request: reply)

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}/v1"

    # ---- lifecycle ---------------------------------------------------------------------------------
    def start(self) -> OpenAIStandin:
        ready = threading.Event()
        self._loop = asyncio.new_event_loop()

        async def boot() -> None:
            app = web.Application()
            app.router.add_post("/v1/chat/completions", self._completions)
            app.router.add_get("/v1/models", self._models)
            self._stopping = asyncio.Event()
            self._runner = web.AppRunner(app, shutdown_timeout=0.5, access_log=None)
            await self._runner.setup()
            site = web.TCPSite(self._runner, self.host, 0)
            await site.start()
            self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

        def run() -> None:
            asyncio.set_event_loop(self._loop)
            self._loop.run_until_complete(boot())  # type: ignore[union-attr]
            ready.set()
            self._loop.run_forever()  # type: ignore[union-attr]

        self._thread = threading.Thread(target=run, name="openai-standin", daemon=True)
        self._thread.start()
        if not ready.wait(10):
            raise RuntimeError("the OpenAI stand-in did not start")
        return self

    def stop(self) -> None:
        if self._loop is None:
            return
        loop = self._loop

        async def shutdown() -> None:
            assert self._stopping is not None and self._runner is not None
            self._stopping.set()
            await self._runner.cleanup()

        asyncio.run_coroutine_threadsafe(shutdown(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        assert self._thread is not None
        self._thread.join(10)
        loop.close()
        self._loop = None

    def __enter__(self) -> OpenAIStandin:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ---- HTTP --------------------------------------------------------------------------------------
    async def _models(self, request: web.Request) -> web.Response:
        return web.json_response({"object": "list", "data": [{"id": "standin", "object": "model"}]})

    async def _completions(self, request: web.Request) -> web.StreamResponse:
        try:
            body = await request.json()
        except json.JSONDecodeError:
            return web.json_response({"error": {"message": "body is not JSON", "type": "invalid_request"}},
                                     status=400)
        recorded = Recorded(request.path, dict(request.headers), body)
        self.requests.append(recorded)
        reply = self._responder(recorded)
        if reply.delay and await self._sleep(reply.delay):
            return web.Response(status=503)
        if reply.status != 200:
            return web.json_response(
                {"error": {"message": reply.error, "type": "scripted", "code": str(reply.status)}},
                status=reply.status)
        model = str(body.get("model", "standin"))
        if body.get("stream"):
            return await self._stream(request, reply, model, bool((body.get("stream_options") or {})
                                                                  .get("include_usage")))
        if reply.raw is not None:
            raw = reply.raw if isinstance(reply.raw, str) else "".join(reply.raw)
            return web.Response(text=raw, content_type="application/json")
        return web.json_response({
            "id": "chatcmpl-standin", "object": "chat.completion", "created": int(time.time()), "model": model,
            "choices": [{"index": 0, "message": {"role": "assistant", "content": reply.content},
                         "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
        })

    async def _stream(self, request: web.Request, reply: Reply, model: str, usage: bool) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache"})
        await response.prepare(request)
        if reply.raw is not None:
            payloads = [reply.raw] if isinstance(reply.raw, str) else list(reply.raw)
        else:
            pieces = reply.chunks if reply.chunks is not None else re.findall(r"\S+\s*|\s+", reply.content)
            payloads = [self._chunk(model, {"role": "assistant", "content": ""}, None)]
            payloads += [self._chunk(model, {"content": piece}, None) for piece in pieces]
            payloads.append(self._chunk(model, {}, "stop"))
            if usage:
                payloads.append(json.dumps({"id": "chatcmpl-standin", "object": "chat.completion.chunk",
                                            "created": int(time.time()), "model": model, "choices": [],
                                            "usage": {"prompt_tokens": 1, "completion_tokens": 1,
                                                      "total_tokens": 2}}))
            payloads.append("[DONE]")
        for payload in payloads:
            if reply.chunk_delay and await self._sleep(reply.chunk_delay):
                break
            try:
                await response.write(f"data: {payload}\n\n".encode())
            except (ConnectionResetError, RuntimeError):
                break  # the client went away (a timeout on its side)
        return response

    @staticmethod
    def _chunk(model: str, delta: dict[str, Any], finish: str | None) -> str:
        return json.dumps({"id": "chatcmpl-standin", "object": "chat.completion.chunk", "created": int(time.time()),
                           "model": model, "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]})

    async def _sleep(self, seconds: float) -> bool:
        """Sleep, or return True at once when the server is stopping."""
        assert self._stopping is not None
        try:
            await asyncio.wait_for(self._stopping.wait(), seconds)
            return True
        except asyncio.TimeoutError:
            return False
