"""The optional LLM answerer: fluent answers from the retrieved passages, checked before anyone sees them.

Set ``NEWSBOT_LLM`` (``openai:gpt-4o-mini``, ``ollama:llama3.1``...) to use it; unset means the extractive
answerer. Modules: `prompting` (numbered, fenced passages; prompts from ``prompts/llm_*.txt``), `client`
(``init_chat_model`` from the settings, one-line failures, no key in any message), `checking` (citations and
support, pure), `answerer` (`LLMAnswerer`: call, check, fall back). docs/llm.md is the user's guide.

Which answerer runs
    ``Newsbot.ask(..., answerer=None)`` and ``Newsbot.ask_stream(...)`` take ``answerer``: ``None`` (the
    settings decide: ``"llm"`` when ``NEWSBOT_LLM`` is set, else ``"extractive"``), ``"extractive"`` or ``"llm"``
    (`LLMNotConfigured`, a `NewsbotError`, when ``NEWSBOT_LLM`` is unset). ``Answer.answerer`` then says who
    produced the answer: ``"extractive"``, ``"llm"`` (a checked LLM answer, or the LLM's "not in the articles"
    mapped to ``found=False`` with the usual decline text) or ``"extractive-fallback"`` (the LLM was asked but
    was unavailable, or its reply failed the check; ``Answer.fallback_reason`` says why in one clause).

The streaming contract (for the chat and Telegram adapters)
    ``Newsbot.ask_stream(question, *, k, since, until, source, mode, conversation, answerer)`` returns an
    `AnswerStream` (`retrieval.asking.query`). Iterating it yields zero or more ``str`` deltas, the raw text as the
    model writes it (unchecked: it may hold ``[n]`` markers that will be renumbered, sentences that will be
    dropped, or "NOT IN THE ARTICLES"); ``result()`` then gives the one `Answer` that must stay on screen: a
    checked LLM answer, a decline, or the extractive answer that replaced the reply. The extractive answerer
    yields no delta. Errors in the question (`InputError`) are raised by ``ask_stream`` itself; LLM failures
    never raise, they end in an ``extractive-fallback`` answer. ``close()`` (or closing the iteration early)
    closes the HTTP stream. Iteration is synchronous and blocks while it waits for tokens: an asyncio adapter
    iterates it in a worker thread of its own executor (`aiter_in_thread`)::

        answers = bot.ask_stream(question, conversation=conv)
        for delta in answers:
            show_partial(delta)         # append; redraw at most every N seconds
        show_final(answers.result())    # replace the partial text with the rendered Answer

May import: ``core``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from concurrent.futures import Executor
from typing import TypeVar, cast

from retrieval.core.errors import NewsbotError

ANSWERERS = ("extractive", "llm")
T = TypeVar("T")


class LLMNotConfigured(NewsbotError):
    """The LLM answerer was asked for but ``NEWSBOT_LLM`` is not set."""


def resolve_answerer(requested: str | None, llm: str | None) -> str:
    """``"extractive"`` or ``"llm"``: ``requested``, or the settings' choice when it is None."""
    if requested is None:
        return "llm" if llm else "extractive"
    if requested not in ANSWERERS:
        raise NewsbotError(f"unknown answerer {requested!r}: choose extractive or llm")
    if requested == "llm" and not llm:
        raise LLMNotConfigured(
            "no LLM is configured: set NEWSBOT_LLM (e.g. openai:gpt-4o-mini or "
            "ollama:llama3.1) and, for a local server, NEWSBOT_LLM_BASE_URL; see docs/llm.md"
        )
    return requested


async def aiter_in_thread(items: Iterator[T], executor: Executor | None = None) -> AsyncIterator[T]:
    """Iterate a blocking iterator (an `AnswerStream`'s deltas) from asyncio without blocking the event loop.

    Each ``next()`` runs in ``executor`` (the caller's bounded pool; asyncio's default one when None); when the
    consumer stops early the iterator is closed.
    """
    import asyncio

    loop = asyncio.get_running_loop()
    done = object()
    try:
        while True:
            item = await loop.run_in_executor(executor, next, items, done)
            if item is done:
                return
            yield cast(T, item)
    finally:
        close = getattr(items, "close", None)
        if close is not None:
            await loop.run_in_executor(executor, close)


__all__ = ["ANSWERERS", "LLMNotConfigured", "aiter_in_thread", "resolve_answerer"]
