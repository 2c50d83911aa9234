"""Who may talk to the bot, and how often: allowlists, admins, a per-user rate limit. Pure and synchronous.

Per-user state is bounded: it lives in `RecentMap`s with a size cap and an idle-age limit.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable

from bot.telegram.bounded import RecentMap

MAX_USERS = 10_000  # users whose rate-limit window or refusal is remembered at once
REFUSAL_MEMORY = 24 * 3600  # a refused user is told again after a day of silence


class Access:
    """Allowlists of user and chat ids (empty = everyone) and the admins who may upload articles."""

    def __init__(
        self,
        users: list[int],
        chats: list[int],
        admins: list[int],
        max_users: int = MAX_USERS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.users, self.chats, self.admins = set(users), set(chats), set(admins)
        self.refused: RecentMap[int, bool] = RecentMap(max_users, REFUSAL_MEMORY, clock)

    def allowed(self, user_id: int | None, chat_id: int | None) -> bool:
        if self.users and user_id not in self.users and user_id not in self.admins:
            return False
        return not (self.chats and chat_id not in self.chats and user_id not in self.admins)

    def first_refusal(self, user_id: int | None) -> bool:
        """True the first time a refused user is seen: they get one polite message, then silence."""
        key = user_id or 0
        if self.refused.get(key) is not None:
            return False
        self.refused.put(key, True)
        return True

    def is_admin(self, user_id: int | None) -> bool:
        return user_id in self.admins


class _Window:
    """One user's events of the last minute, and whether they were already told to slow down."""

    __slots__ = ("events", "warned")

    def __init__(self) -> None:
        self.events: deque[float] = deque()
        self.warned = False


class RateLimiter:
    """At most ``per_minute`` events per key in any 60-second window (0 = unlimited).

    A key idle for a minute has nothing left to limit and is forgotten; at most ``max_users`` keys are kept.
    """

    WINDOW = 60.0

    def __init__(
        self, per_minute: int, clock: Callable[[], float] = time.monotonic, max_users: int = MAX_USERS
    ) -> None:
        self.per_minute = per_minute
        self.clock = clock
        self.windows: RecentMap[int, _Window] = RecentMap(max_users, self.WINDOW, clock)

    def allow(self, key: int) -> bool:
        if self.per_minute <= 0:
            return True
        now = self.clock()
        window = self.windows.setdefault(key, _Window)
        events = window.events
        while events and now - events[0] >= self.WINDOW:
            events.popleft()
        if len(events) >= self.per_minute:
            return False
        events.append(now)
        window.warned = False
        return True

    def first_refusal(self, key: int) -> bool:
        """True for the first refused event of a burst: the user is told once, the rest of the burst is ignored."""
        window = self.windows.peek(key)
        if window is None or window.warned:
            return False
        window.warned = True
        return True

    def retry_in(self, key: int) -> int:
        """Seconds until ``key`` may ask again."""
        window = self.windows.peek(key)
        if window is None or len(window.events) < self.per_minute:
            return 0
        return max(1, int(self.WINDOW - (self.clock() - window.events[0])) + 1)

    def __len__(self) -> int:
        return len(self.windows)
