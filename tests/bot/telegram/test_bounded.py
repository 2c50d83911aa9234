"""Bounded bot state: the LRU map with an age limit, per-chat locks, and the caps of the bot's shared state."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

from bot.telegram.access import Access, RateLimiter
from bot.telegram.bounded import ChatLocks, RecentMap
from bot.telegram.handlers import KEPT_ANSWERS, BotState
from retrieval.core.types import Answer


def test_recent_map_keeps_the_most_recent_up_to_its_cap():
    recent: RecentMap[int, str] = RecentMap(max_items=3, max_age=60, clock=lambda: 0.0)
    for key in range(10):
        recent.put(key, f"v{key}")
    assert len(recent) == 3 and recent.get(0) is None and recent.get(9) == "v9"
    recent.get(7)  # used: now the most recent
    recent.put(10, "v10")
    assert recent.get(7) == "v7" and recent.get(8) is None


def test_recent_map_forgets_entries_idle_longer_than_the_age_limit():
    now = [0.0]
    recent: RecentMap[str, int] = RecentMap(max_items=100, max_age=60, clock=lambda: now[0])
    recent.put("old", 1)
    recent.put("used", 2)
    now[0] = 50.0
    assert recent.get("used") == 2  # a use starts its minute over
    assert recent.peek("old") == 1  # a peek does not
    now[0] = 61.0
    assert recent.peek("old") is None and recent.get("used") == 2 and len(recent) == 1
    assert recent.setdefault("old", lambda: 3) == 3


def test_chat_locks_exist_only_while_held_or_awaited():
    async def scenario() -> list[int]:
        locks = ChatLocks()
        order: list[int] = []
        sizes: list[int] = []

        async def work(chat: int, n: int) -> None:
            async with locks.hold(chat):
                sizes.append(len(locks))
                order.append(n)
                await asyncio.sleep(0)

        await asyncio.gather(*(work(chat % 5, n) for n, chat in enumerate(range(1000))))
        assert order[:5] == [0, 1, 2, 3, 4] and max(sizes) == 5
        return [len(locks)]

    assert asyncio.run(scenario()) == [0]  # a thousand questions in five chats leave no lock behind


def test_chat_lock_runs_one_block_per_chat_at_a_time():
    async def scenario() -> int:
        locks = ChatLocks()
        inside, most = 0, 0

        async def work() -> None:
            nonlocal inside, most
            async with locks.hold(7):
                inside += 1
                most = max(most, inside)
                await asyncio.sleep(0)
                inside -= 1

        await asyncio.gather(*(work() for _ in range(20)))
        return most

    assert asyncio.run(scenario()) == 1


def test_rate_limit_state_is_capped_and_forgets_idle_users():
    now = [0.0]
    limiter = RateLimiter(3, clock=lambda: now[0], max_users=50)
    for user in range(10_000):
        assert limiter.allow(user)
    assert len(limiter) == 50
    now[0] = 61.0
    assert len(limiter) == 0  # a minute idle: nothing left to limit


def test_rate_limit_says_slow_down_once_per_burst():
    now = [0.0]
    limiter = RateLimiter(2, clock=lambda: now[0])
    assert limiter.allow(1) and limiter.allow(1)
    refusals = [limiter.first_refusal(1) for _ in range(200) if not limiter.allow(1)]
    assert refusals.count(True) == 1 and len(refusals) == 200
    now[0] = 60.0
    assert limiter.allow(1) and limiter.allow(1)  # the window moved on ...
    assert limiter.allow(1) is False  # ... and a new burst is told again and limiter.first_refusal(1) is True


def test_refused_users_are_remembered_within_a_cap():
    now = [0.0]
    access = Access(users=[1], chats=[], admins=[], max_users=100, clock=lambda: now[0])
    assert all(access.first_refusal(user) for user in range(2, 5000))
    assert len(access.refused) == 100
    assert access.first_refusal(4999) is False
    now[0] = 2 * 24 * 3600.0
    assert len(access.refused) == 0 and access.first_refusal(4999) is True


def test_bot_state_keeps_a_bounded_number_of_answers_conversations_and_hints():
    chats = KEPT_ANSWERS * 3
    state = BotState(
        newsbot=SimpleNamespace(),
        access=Access([], [], []),
        limiter=RateLimiter(10),
        store=None,
        executor=None,
        max_upload_mb=1,
        history_turns=4,
    )
    answer = Answer(question="q", answer="a", found=True)
    keys = [state.remember(chat, answer) for chat in range(chats)]
    for chat in range(chats):
        state.conversations.get(chat)
        state.first_hint(chat, "media")
    sizes = state.sizes()
    assert sizes["answers"] == KEPT_ANSWERS and state.answers.get(keys[0]) is None and state.answers.get(keys[-1])
    assert sizes["conversations"] == sizes["hinted_chats"] == chats  # under their cap of 10,000 ...
    for chat in range(chats, 20_000):
        state.conversations.get(chat)
        state.first_hint(chat, "edited")
    assert state.sizes()["conversations"] == state.sizes()["hinted_chats"] == 10_000  # ... and capped beyond it
