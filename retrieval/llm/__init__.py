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
    ``Newsbot.ask_stream(question, *, k, since, until, source, mode, conversation, answerer)`` returns a
    generator. It yields zero or more ``str`` deltas, the raw text as the model writes it (unchecked: it may
    hold ``[n]`` markers that will be renumbered, sentences that will be dropped, or "NOT IN THE ARTICLES"),
    then exactly one `Answer`, the last item, which is what must stay on screen: a checked LLM answer, a
    decline, or the extractive answer that replaced the reply. The extractive answerer yields no delta. Errors
    in the question (`InputError`) are raised before the first item; LLM failures never raise, they end in an
    ``extractive-fallback`` answer. Closing the generator early (``gen.close()``, or leaving a ``for`` loop)
    closes the HTTP stream. The generator is synchronous and blocks while it waits for tokens: an asyncio
    adapter iterates it in a worker thread (`aiter_in_thread`)::

        for item in bot.ask_stream(question, conversation=conv):
            if isinstance(item, str):
                show_partial(item)      # append; redraw at most every N seconds
            else:
                show_final(item)        # replace the partial text with the rendered Answer
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import TypeVar

from retrieval.errors import NewsbotError

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
        raise LLMNotConfigured("no LLM is configured: set NEWSBOT_LLM (e.g. openai:gpt-4o-mini or "
                               "ollama:llama3.1) and, for a local server, NEWSBOT_LLM_BASE_URL; see docs/llm.md")
    return requested


async def aiter_in_thread(items: Iterator[T]) -> AsyncIterator[T]:
    """Iterate a blocking iterator (``ask_stream``) from asyncio without blocking the event loop.

    Each ``next()`` runs in a worker thread; when the consumer stops early the iterator is closed.
    """
    import asyncio

    done = object()
    try:
        while True:
            item = await asyncio.to_thread(next, items, done)
            if item is done:
                return
            yield item  # type: ignore[misc]
    finally:
        close = getattr(items, "close", None)
        if close is not None:
            await asyncio.to_thread(close)


__all__ = ["ANSWERERS", "LLMNotConfigured", "aiter_in_thread", "resolve_answerer"]
