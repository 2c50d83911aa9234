"""The Bot API stand-in, started on a free loopback port for each test."""

from __future__ import annotations

import pytest_asyncio

from tests.bot.telegram.standin import BotApiStandin


@pytest_asyncio.fixture
async def standin():
    server = BotApiStandin()
    await server.start()
    try:
        yield server
    finally:
        await server.stop()
