"""Allowlists, admins and the per-user rate limit (pure logic, a hand-driven clock)."""

from __future__ import annotations

from bot.telegram.access import Access, RateLimiter


def test_telegram_allowlists_admit_listed_users_and_chats_and_admins():
    open_bot = Access([], [], [])
    assert open_bot.allowed(1, 100)
    private = Access(users=[1], chats=[], admins=[9])
    assert private.allowed(1, 100) and private.allowed(9, 100) and not private.allowed(2, 100)
    one_chat = Access(users=[], chats=[-500], admins=[])
    assert one_chat.allowed(2, -500) and not one_chat.allowed(2, -501)


def test_telegram_refusal_is_said_once_per_user():
    access = Access(users=[1], chats=[], admins=[])
    assert access.first_refusal(2) is True
    assert access.first_refusal(2) is False
    assert access.first_refusal(3) is True


def test_telegram_rate_limit_slides_over_a_minute():
    now = [0.0]
    limiter = RateLimiter(2, clock=lambda: now[0])
    assert limiter.allow(1) and limiter.allow(1)
    assert not limiter.allow(1) and limiter.allow(2)
    assert 1 <= limiter.retry_in(1) <= 61
    now[0] = 60.0
    assert limiter.allow(1)
    assert RateLimiter(0).allow(1)
