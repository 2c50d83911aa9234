"""Reads of the index share it; a write has it alone.

The core's `Index` is not safe for a write running in one thread while another thread reads: when the writer
finishes, a reader that sees the new version stamp before the writer has installed its new view re-opens the
Chroma client under the writer, and both fail ("cannot open the index ..."). Until the core serialises that
itself, the bot runs every call into the core through this gate: questions and listings together, an ingest
(an upload, a channel post, a feed's new articles) alone. A waiting write lets no new read in, so a steady
stream of questions cannot starve it; questions wait while it runs.
"""

from __future__ import annotations

import contextlib
import functools
import threading
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

T = TypeVar("T")


class IndexGate:
    """A readers-writer lock for threads (the bot's executor), writer-preferring, not tied to a thread."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._readers = 0
        self._writing = False
        self._writers_waiting = 0

    @contextlib.contextmanager
    def shared(self) -> Iterator[None]:
        """Read alongside other reads; wait while a write runs or waits."""
        with self._changed:
            self._changed.wait_for(lambda: not self._writing and not self._writers_waiting)
            self._readers += 1
        try:
            yield
        finally:
            with self._changed:
                self._readers -= 1
                self._changed.notify_all()

    @contextlib.contextmanager
    def exclusive(self) -> Iterator[None]:
        """Write alone: wait for the running reads to end."""
        with self._changed:
            self._writers_waiting += 1
            try:
                self._changed.wait_for(lambda: not self._writing and not self._readers)
            finally:
                self._writers_waiting -= 1
            self._writing = True
        try:
            yield
        finally:
            with self._changed:
                self._writing = False
                self._changed.notify_all()

    def reading(self, fn: Callable[..., T]) -> Callable[..., T]:
        """``fn`` run under `shared`."""
        return _wrapped(self.shared, fn)

    def writing(self, fn: Callable[..., T]) -> Callable[..., T]:
        """``fn`` run under `exclusive`."""
        return _wrapped(self.exclusive, fn)


def _wrapped(gate: Callable[[], contextlib.AbstractContextManager[None]], fn: Callable[..., T]) -> Callable[..., T]:
    if getattr(fn, "__gated__", False):
        return fn

    @functools.wraps(fn)
    def run(*args: Any, **kwargs: Any) -> T:
        with gate():
            return fn(*args, **kwargs)

    run.__gated__ = True  # type: ignore[attr-defined] # marks a callable already wrapped
    return run
