"""newsbot's core: parse articles, index them, retrieve passages and answer with citations.

Public API (nothing heavy is imported until used)::

    from retrieval import Newsbot, load_settings
    bot = Newsbot(load_settings())
    bot.ingest(["articles/"])           # -> IngestReport
    answer = bot.ask("who evacuated via Khmeimim?")  # -> Answer
    bot.sources()                       # -> list[SourceInfo]
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from retrieval.core.errors import (
    DataDirError,
    IndexLockedError,
    IndexUnusableError,
    InputError,
    ModelMismatchError,
    NewsbotError,
)
from retrieval.core.settings import Settings, SettingsError, load_settings
from retrieval.core.types import Answer, Article, Chunk, Citation, Hit, IndexStats, IngestReport, SourceInfo

if TYPE_CHECKING:
    from retrieval.asking.conversation import Conversation
    from retrieval.newsbot import Newsbot

__all__ = [
    "Answer",
    "Article",
    "Chunk",
    "Citation",
    "Conversation",
    "DataDirError",
    "Hit",
    "IndexLockedError",
    "IndexUnusableError",
    "IndexStats",
    "IngestReport",
    "InputError",
    "ModelMismatchError",
    "Newsbot",
    "NewsbotError",
    "Settings",
    "SettingsError",
    "SourceInfo",
    "load_settings",
]


def __getattr__(name: str) -> Any:
    if name == "Newsbot":
        from retrieval.newsbot import Newsbot

        return Newsbot
    if name == "Conversation":
        from retrieval.asking.conversation import Conversation

        return Conversation
    raise AttributeError(name)
