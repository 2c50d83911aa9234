"""The invented site of `tests/fixtures/web/` served over real HTTP on 127.0.0.1, and a fake clock."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

WEB = Path(__file__).resolve().parents[2] / "fixtures" / "web"
LAST_MODIFIED = "Sat, 09 May 2026 10:00:00 GMT"

# the invented site: path -> (fixture file, content type)
SITE = {
    "/feeds/rss.xml": ("feeds/rss.xml", "application/rss+xml; charset=utf-8"),
    "/feeds/atom.xml": ("feeds/atom.xml", "application/atom+xml"),
    "/feeds/feed.json": ("feeds/feed.json", "application/feed+json"),
    "/feeds/news-sitemap.xml": ("feeds/news-sitemap.xml", "application/xml"),
    "/feeds/pages-sitemap.xml": ("feeds/pages-sitemap.xml", "application/xml"),
    "/feeds/sitemap-index.xml": ("feeds/sitemap-index.xml", "application/xml"),
    "/feeds/malformed.xml": ("feeds/malformed.xml", "application/rss+xml"),
    "/feeds/malformed-sitemap.xml": ("feeds/malformed-sitemap.xml", "application/xml"),
    "/feeds/broken-links.xml": ("feeds/broken-links.xml", "application/rss+xml"),
    "/feeds/republished.xml": ("feeds/republished.xml", "text/xml"),
    "/news/2026/riverton-footbridge": ("articles/footbridge.html", "text/html; charset=utf-8"),
    "/news/2026/vell-frost": ("articles/frost.html", "text/html; charset=utf-8"),
    "/culture/library-reopens": ("articles/library.html", "text/html"),
    "/news": ("articles/section.html", "text/html; charset=utf-8"),
    "/story/skarn-lighthouse": ("articles/lighthouse.html", "text/html"),
    "/wire/2026/06/02/lighthouse-keeper": ("articles/lighthouse.html", "text/html"),
    "/amp/skarn-lighthouse": ("articles/lighthouse.html", "text/html"),
}

Handler = Callable[[BaseHTTPRequestHandler], None]


@dataclass
class Request:
    path: str
    headers: dict[str, str]


@dataclass
class WebServer:
    """The running server: ``routes`` override or extend the site; ``requests`` logs every request received."""

    base: str = ""
    routes: dict[str, Handler] = field(default_factory=dict)
    requests: list[Request] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def url(self, path: str) -> str:
        return self.base + path

    def hits(self, path: str) -> list[Request]:
        with self.lock:
            return [r for r in self.requests if r.path == path]

    def body(self, path: str) -> bytes:
        name, _ = SITE[path]
        return (WEB / name).read_text(encoding="utf-8").replace("{{BASE}}", self.base).encode("utf-8")


def send(handler: BaseHTTPRequestHandler, status: int, body: bytes = b"", content_type: str = "text/plain",
         headers: dict[str, str] | None = None) -> None:
    handler.send_response(status)
    handler.send_header("Content-Type", content_type)
    handler.send_header("Content-Length", str(len(body)))
    for key, value in (headers or {}).items():
        handler.send_header(key, value)
    handler.end_headers()
    if body:
        handler.wfile.write(body)


def _make_handler(server: WebServer) -> type[BaseHTTPRequestHandler]:
    class SiteHandler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            path = self.path.split("?")[0]
            with server.lock:
                server.requests.append(Request(path, {k.lower(): v for k, v in self.headers.items()}))
            try:
                if path in server.routes:
                    server.routes[path](self)
                elif path in SITE:
                    self._static(path)
                else:
                    send(self, 404, b"<html><body><h1>Not found</h1></body></html>", "text/html")
            except (BrokenPipeError, ConnectionResetError):  # the client hung up (the size cap)
                self.close_connection = True

        def _static(self, path: str) -> None:
            body = server.body(path)
            etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
            if self.headers.get("If-None-Match") == etag or self.headers.get("If-Modified-Since") == LAST_MODIFIED:
                send(self, 304, headers={"ETag": etag, "Last-Modified": LAST_MODIFIED})
                return
            send(self, 200, body, SITE[path][1], {"ETag": etag, "Last-Modified": LAST_MODIFIED})

        def log_message(self, format: str, *args: object) -> None:
            pass

    return SiteHandler


class _Server(ThreadingHTTPServer):
    """A client that hangs up mid-answer (a timeout, a page cut off at the size cap) is what those tests want:
    not worth a traceback on the test run's output. Any other error in a handler is still printed."""

    def handle_error(self, request: object, client_address: object) -> None:
        import sys

        if not isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            super().handle_error(request, client_address)  # type: ignore[arg-type]


@contextmanager
def serve() -> Iterator[WebServer]:
    """The invented site on a free port of 127.0.0.1, stopped on exit."""
    state = WebServer()
    httpd = _Server(("127.0.0.1", 0), _make_handler(state))
    httpd.daemon_threads = True
    state.base = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(5)


class FakeClock:
    """A monotonic clock that only moves when `sleep` is called; records every wait."""

    def __init__(self, start: float = 1_000.0) -> None:
        self.now = start
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds
