"""Bounded per-chat and per-user state: an LRU map with a size cap and an idle-age limit, and per-chat locks
that exist only while someone holds or waits for them. Nothing here grows with the number of users ever seen.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class RecentMap(Generic[K, V]):
    """At most ``max_items`` entries, each dropped ``max_age`` seconds after its last use (least recent first)."""

    def __init__(self, max_items: int, max_age: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.max_items = max(1, max_items)
        self.max_age = max_age
        self.clock = clock
        self._items: OrderedDict[K, tuple[float, V]] = OrderedDict()

    def _prune(self, now: float) -> None:
        """Drop expired entries (the oldest are in front) and the least recent beyond the cap."""
        while self._items:
            used, _ = next(iter(self._items.values()))
            if now - used < self.max_age and len(self._items) <= self.max_items:
                break
            self._items.popitem(last=False)

    def get(self, key: K) -> V | None:
        """The value for ``key`` (marking it used), or None when absent or expired."""
        now = self.clock()
        self._prune(now)
        item = self._items.pop(key, None)
        if item is None:
            return None
        self._items[key] = (now, item[1])
        return item[1]

    def peek(self, key: K) -> V | None:
        """The value for ``key`` without marking it used, or None when absent or expired."""
        item = self._items.get(key)
        return item[1] if item is not None and self.clock() - item[0] < self.max_age else None

    def put(self, key: K, value: V) -> None:
        now = self.clock()
        self._items.pop(key, None)
        self._items[key] = (now, value)
        self._prune(now)

    def setdefault(self, key: K, factory: Callable[[], V]) -> V:
        """The value for ``key`` (marking it used), made by ``factory`` when absent or expired."""
        value = self.get(key)
        if value is None:
            value = factory()
            self.put(key, value)
        return value

    def pop(self, key: K) -> V | None:
        item = self._items.pop(key, None)
        return item[1] if item is not None else None

    def __len__(self) -> int:
        self._prune(self.clock())
        return len(self._items)


class ChatLocks:
    """One `asyncio.Lock` per chat while it is held or awaited; dropped when the last user lets go."""

    def __init__(self) -> None:
        self._locks: dict[int, tuple[asyncio.Lock, int]] = {}

    @contextlib.asynccontextmanager
    async def hold(self, chat_id: int) -> AsyncIterator[None]:
        """Run the block alone among the blocks of the same chat."""
        lock, users = self._locks.get(chat_id, (asyncio.Lock(), 0))
        self._locks[chat_id] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._locks[chat_id]
            if users <= 1:
                del self._locks[chat_id]
            else:
                self._locks[chat_id] = (lock, users - 1)

    def __len__(self) -> int:
        return len(self._locks)
