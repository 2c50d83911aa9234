"""Who may talk to the bot, and how often: allowlists, admins, a per-user rate limit. Pure and synchronous."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable


class Access:
    """Allowlists of user and chat ids (empty = everyone) and the admins who may upload articles."""

    def __init__(self, users: list[int], chats: list[int], admins: list[int]) -> None:
        self.users, self.chats, self.admins = set(users), set(chats), set(admins)
        self._refused: set[int] = set()

    def allowed(self, user_id: int | None, chat_id: int | None) -> bool:
        if self.users and user_id not in self.users and user_id not in self.admins:
            return False
        return not (self.chats and chat_id not in self.chats and user_id not in self.admins)

    def first_refusal(self, user_id: int | None) -> bool:
        """True the first time a refused user is seen: they get one polite message, then silence."""
        key = user_id or 0
        if key in self._refused:
            return False
        self._refused.add(key)
        return True

    def is_admin(self, user_id: int | None) -> bool:
        return user_id in self.admins


class RateLimiter:
    """At most ``per_minute`` events per key in any 60-second window (0 = unlimited)."""

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.per_minute = per_minute
        self.clock = clock
        self._events: dict[int, deque[float]] = {}

    def allow(self, key: int) -> bool:
        if self.per_minute <= 0:
            return True
        now = self.clock()
        events = self._events.setdefault(key, deque())
        while events and now - events[0] >= 60:
            events.popleft()
        if len(events) >= self.per_minute:
            return False
        events.append(now)
        return True

    def retry_in(self, key: int) -> int:
        """Seconds until ``key`` may ask again."""
        events = self._events.get(key)
        if not events or len(events) < self.per_minute:
            return 0
        return max(1, int(60 - (self.clock() - events[0])) + 1)
