"""Fixtures: the invented site over real HTTP on 127.0.0.1, a silent port, fetchers on a fake clock, a registry."""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from retrieval.feeds import FeedRegistry, Fetcher, FetchPolicy
from tests.retrieval.feeds.website import FakeClock, WebServer, serve


@pytest.fixture
def web() -> Iterator[WebServer]:
    """The invented site on a free port of 127.0.0.1; stopped after the test."""
    with serve() as server:
        yield server


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port that accepts connections (the kernel's backlog) but never answers a request."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    try:
        yield sock.getsockname()[1]
    finally:
        sock.close()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def make_fetcher(clock: FakeClock) -> Iterator[Callable[..., Fetcher]]:
    """Build fetchers on the fake clock (short timeouts, no per-host delay unless asked); closed after the test."""
    made: list[Fetcher] = []

    def build(transport: object = None, **policy: object) -> Fetcher:
        options: dict[str, object] = {"min_delay": 0.0, "connect_timeout": 2.0, "read_timeout": 2.0,
                                      "backoff": 1.0}
        options.update(policy)
        fetcher = Fetcher(FetchPolicy(**options), transport=transport,  # type: ignore[arg-type]
                          clock=clock, sleep=clock.sleep)
        made.append(fetcher)
        return fetcher

    yield build
    for fetcher in made:
        fetcher.close()


@pytest.fixture
def registry(tmp_path: Path) -> Iterator[FeedRegistry]:
    with FeedRegistry(tmp_path / "data" / "feeds.sqlite3") as reg:
        yield reg
