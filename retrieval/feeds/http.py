"""Polite HTTP fetching: timeouts, a size cap, retries with back-off, a per-domain delay and robots.txt.

`Fetcher.fetch` never raises for network or HTTP problems: it returns a `FetchResult` whose ``error`` is one
line a user can read. The clock and the sleep function are injected so that tests need not wait.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urljoin, urlsplit
from urllib.robotparser import RobotFileParser

from typing_extensions import Self

REDIRECTS = frozenset({301, 302, 303, 307, 308})
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
ACCEPT = "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, text/html;q=0.8, */*;q=0.5"


def default_user_agent() -> str:
    """``newsbot/<version> (+https://github.com/newsbot; offline news QA)``."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        release = version("newsbot")
    except PackageNotFoundError:  # a checkout on sys.path, not installed
        release = "0.1"
    return f"newsbot/{release} (+https://github.com/newsbot; offline news QA)"


@dataclass(frozen=True)
class FetchPolicy:
    """How politely and how far the fetcher goes. Times are seconds, sizes bytes."""

    connect_timeout: float = 10.0
    read_timeout: float = 20.0
    max_seconds: float = 60.0  # a whole download, so that a server trickling bytes cannot hold us
    max_bytes: int = 10_000_000
    max_redirects: int = 5
    retries: int = 2  # extra attempts after a 429, a 5xx or a timeout
    backoff: float = 2.0  # first wait; doubles with each attempt
    max_retry_after: float = 120.0  # a longer Retry-After is not waited for: the result carries it
    min_delay: float = 1.0  # between two requests to the same host
    max_crawl_delay: float = 60.0  # robots.txt Crawl-delay is honoured up to this
    obey_robots: bool = True
    robots_max_bytes: int = 500_000  # the part of a robots.txt that is read (RFC 9309 asks for 500 KiB at least)
    robots_ttl: float = 86_400.0  # a robots.txt read is trusted this long
    robots_retry: float = 600.0  # a robots.txt that failed (5xx, timeout) disallows the host this long
    user_agent: str = ""  # empty: `default_user_agent()`


@dataclass(frozen=True)
class FetchResult:
    """The outcome of one GET. ``error`` is None on success (including 304 Not Modified)."""

    url: str
    final_url: str
    status: int = 0  # 0 when no HTTP response arrived
    content: bytes = b""
    content_type: str = ""
    etag: str | None = None
    last_modified: str | None = None
    not_modified: bool = False
    error: str | None = None
    retry_after: float | None = None  # seconds the server asked us to wait (429/503), when it said so
    transient: bool = False  # an error that may go away later (timeout, network, 429, 5xx)

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def charset(self) -> str | None:
        for part in self.content_type.split(";")[1:]:
            key, _, value = part.partition("=")
            if key.strip().lower() == "charset" and value.strip():
                return value.strip().strip("\"'")
        return None


@dataclass
class _Robots:
    parser: RobotFileParser | None  # None: everything allowed
    disallow_all: bool
    expires: float
    reason: str = ""


class Fetcher:
    """GET over one `httpx.Client`, politely. Pass ``transport=`` (e.g. `httpx.MockTransport`) in tests.

    Safe to share between threads, but requests to one host are serialised by the per-domain delay anyway.
    """

    def __init__(
        self,
        policy: FetchPolicy | None = None,
        *,
        transport: Any = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        import httpx

        self.policy = policy or FetchPolicy()
        self.user_agent = self.policy.user_agent or default_user_agent()
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._last_request: dict[str, float] = {}
        self._host_delay: dict[str, float] = {}
        self._robots: dict[str, _Robots] = {}
        timeout = httpx.Timeout(self.policy.read_timeout, connect=self.policy.connect_timeout)
        self._client = httpx.Client(
            transport=transport,
            timeout=timeout,
            follow_redirects=False,
            trust_env=False,
            headers={"User-Agent": self.user_agent, "Accept": ACCEPT},
        )

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- public --------------------------------------------------------------------------------------------

    def fetch(self, url: str, *, etag: str | None = None, last_modified: str | None = None) -> FetchResult:
        """GET ``url`` (conditionally when ``etag``/``last_modified`` are given), following redirects."""
        headers: dict[str, str] = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        current = url
        for _ in range(self.policy.max_redirects + 1):
            problem = _url_problem(current)
            if problem:
                return FetchResult(url, current, error=problem)
            if self.policy.obey_robots and not self.allowed(current):
                reason = self._robots_for(current).reason
                return FetchResult(
                    url,
                    current,
                    error=f"disallowed by robots.txt{f' ({reason})' if reason else ''}",
                    transient=bool(reason),
                )
            result, location = self._get(current, headers, self.policy.max_bytes, retries=self.policy.retries)
            if location:
                current = urljoin(current, location)
                continue
            return replace(result, url=url, final_url=current)
        return FetchResult(url, current, error=f"too many redirects (more than {self.policy.max_redirects})")

    def allowed(self, url: str) -> bool:
        """Whether robots.txt lets us fetch ``url`` (it is read once per host and cached)."""
        robots = self._robots_for(url)
        if robots.disallow_all:
            return False
        return robots.parser is None or robots.parser.can_fetch(self.user_agent, url)

    def delay_for(self, url: str) -> float:
        """The minimum delay between two requests to the host of ``url`` (robots.txt Crawl-delay included)."""
        return self._host_delay.get(_host(url), self.policy.min_delay)

    # -- robots.txt ----------------------------------------------------------------------------------------

    def _robots_for(self, url: str) -> _Robots:
        parts = urlsplit(url)
        key = f"{parts.scheme}://{parts.netloc}"
        cached = self._robots.get(key)
        if cached is not None and cached.expires > self._clock():
            return cached
        robots = self._read_robots(key + "/robots.txt")
        self._robots[key] = robots
        delay = self.policy.min_delay
        if robots.parser is not None:
            crawl_delay = robots.parser.crawl_delay(self.user_agent)
            if crawl_delay:
                delay = max(delay, min(float(crawl_delay), self.policy.max_crawl_delay))
        self._host_delay[_host(url)] = delay
        return robots

    def _read_robots(self, robots_url: str) -> _Robots:
        now = self._clock()
        current = robots_url
        for _ in range(6):  # RFC 9309: follow at least five redirects
            result, location = self._get(current, {}, self.policy.robots_max_bytes, retries=0, truncate=True)
            if location:
                current = urljoin(current, location)
                if _url_problem(current):
                    break
                continue
            if result.status == 429 or result.status >= 500 or result.status == 0:
                why = result.error or f"HTTP {result.status}"
                return _Robots(None, True, now + self.policy.robots_retry, f"robots.txt unreachable: {why}")
            if 400 <= result.status < 500:  # no robots.txt: everything is allowed
                return _Robots(None, False, now + self.policy.robots_ttl)
            parser = RobotFileParser(robots_url)
            parser.parse(result.content.decode(result.charset or "utf-8", errors="replace").splitlines())
            return _Robots(parser, False, now + self.policy.robots_ttl)
        return _Robots(None, True, now + self.policy.robots_retry, "robots.txt redirects too often")

    # -- one GET, retried ----------------------------------------------------------------------------------

    def _get(
        self, url: str, headers: dict[str, str], max_bytes: int, *, retries: int, truncate: bool = False
    ) -> tuple[FetchResult, str | None]:
        """One GET of ``url`` (no redirect followed), retried; the result and the redirect's Location if any."""
        attempt = 0
        while True:
            self._wait_turn(url)
            result, location = self._get_once(url, headers, max_bytes, truncate)
            retryable = result.status in RETRY_STATUSES or (result.error or "").startswith("timed out")
            if not retryable or attempt >= retries:
                return result, location
            wait = result.retry_after if result.retry_after is not None else self.policy.backoff * 2**attempt
            if wait > self.policy.max_retry_after:
                return result, None  # the caller sees retry_after and can come back later
            self._sleep(wait)
            attempt += 1

    def _wait_turn(self, url: str) -> None:
        host = _host(url)
        with self._lock:  # reserve the next slot for this host, then wait outside the lock
            now = self._clock()
            last = self._last_request.get(host)
            delay = self._host_delay.get(host, self.policy.min_delay)
            wait = 0.0 if last is None else max(0.0, last + delay - now)
            self._last_request[host] = now + wait
        if wait > 0:
            self._sleep(wait)

    def _get_once(
        self, url: str, headers: dict[str, str], max_bytes: int, truncate: bool
    ) -> tuple[FetchResult, str | None]:
        import httpx

        started = self._clock()
        try:
            with self._client.stream("GET", url, headers=headers) as response:
                status = response.status_code
                base = FetchResult(
                    url,
                    url,
                    status=status,
                    content_type=response.headers.get("content-type", ""),
                    etag=response.headers.get("etag"),
                    last_modified=response.headers.get("last-modified"),
                )
                if status == 304:
                    return replace(
                        base,
                        not_modified=True,
                        etag=base.etag or headers.get("If-None-Match"),
                        last_modified=base.last_modified or headers.get("If-Modified-Since"),
                    ), None
                if status in REDIRECTS:
                    location = response.headers.get("location")
                    if not location:
                        return replace(base, error=f"HTTP {status} redirect without a Location"), None
                    return base, location
                if status >= 400:
                    reason = response.reason_phrase or ""
                    return replace(
                        base,
                        error=f"HTTP {status} {reason}".strip(),
                        retry_after=_retry_after(response.headers.get("retry-after")),
                        transient=status in RETRY_STATUSES or status == 408,
                    ), None
                if not 200 <= status < 300:
                    return replace(base, error=f"unexpected HTTP {status}"), None
                declared = response.headers.get("content-length", "")
                if declared.isdigit() and int(declared) > max_bytes and not truncate:
                    return replace(base, error=f"page larger than {_mb(max_bytes)} MB ({_mb(int(declared))} MB)"), None
                body = bytearray()
                for chunk in response.iter_bytes():
                    body += chunk
                    if len(body) > max_bytes:
                        if truncate:
                            return replace(base, content=bytes(body[:max_bytes])), None
                        return replace(base, error=f"page larger than {_mb(max_bytes)} MB"), None
                    if self._clock() - started > self.policy.max_seconds:
                        return replace(
                            base, error=f"download took longer than {self.policy.max_seconds:g} s", transient=True
                        ), None
                return replace(base, content=bytes(body)), None
        except httpx.ConnectTimeout:
            return FetchResult(
                url, url, error=f"timed out connecting after {self.policy.connect_timeout:g} s", transient=True
            ), None
        except httpx.TimeoutException:
            return FetchResult(
                url, url, error=f"timed out waiting for the server after {self.policy.read_timeout:g} s", transient=True
            ), None
        except httpx.ConnectError as exc:
            return FetchResult(url, url, error=f"cannot connect: {_one_line(exc)}", transient=True), None
        except (httpx.HTTPError, httpx.InvalidURL, httpx.StreamError) as exc:
            return FetchResult(url, url, error=f"network error: {_one_line(exc)}", transient=True), None


def _url_problem(url: str) -> str | None:
    try:
        parts = urlsplit(url)
    except ValueError:
        return f"not a valid URL: {url[:200]}"
    if parts.scheme not in ("http", "https"):
        return f"not an http(s) URL: {url[:200]}"
    if not parts.hostname:
        return f"no host in the URL: {url[:200]}"
    return None


def _host(url: str) -> str:
    return urlsplit(url).netloc.lower()


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())


def _mb(size: int) -> str:
    return f"{size / 1_000_000:.1f}".removesuffix(".0")


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text[:300]
