"""`LLMAnswerer`: ask a chat model to answer from numbered passages, check its reply, fall back when it fails."""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from retrieval.core.prompts import load_prompt
from retrieval.core.settings import Settings
from retrieval.core.types import Answer, Citation, Hit
from retrieval.llm.checking import Checked, EmbedFn, check_reply
from retrieval.llm.client import LLMUnavailable, build_chat_model, classify, describe, explain
from retrieval.llm.prompting import Prompt, build_prompt, not_found_text

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

log = logging.getLogger("newsbot.llm")
RETRY_AFTER = 30.0  # seconds without calling an LLM that just failed to answer (unreachable, timed out, refused)


_REASONS = {
    "timeout": "the LLM did not answer in time",
    "unreachable": "the LLM server could not be reached",
    "refused": "the LLM server refused the API key",
    "http": "the LLM server returned an error",
    "malformed": "the LLM's response could not be read",
}


class LLMDeadline(TimeoutError):
    """A streamed reply took longer than ``llm_timeout`` in all."""


class LLMAnswerer:
    """Answers from retrieved hits with a LangChain chat model; every reply is checked before it is shown.

    ``embed(texts)`` gives unit vectors for the semantic part of the check (lexical only without it);
    ``notice(line)`` receives the one-line operator message when the LLM is unavailable; ``model`` replaces the
    model the settings describe (any LangChain chat model).
    """

    def __init__(
        self,
        settings: Settings,
        embed: EmbedFn | None = None,
        notice: Callable[[str], None] | None = None,
        model: BaseChatModel | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.settings = settings
        self.embed = embed
        self.notice = notice or log.warning
        self.clock = clock
        self._model = model
        self._down_until = 0.0
        self._broken: str | None = None  # a permanent problem (missing extra, bad spec), noticed once

    @property
    def model(self) -> BaseChatModel:
        """The chat model, built on first use; `LLMUnavailable` when it cannot be."""
        if self._broken is not None:
            raise LLMUnavailable(self._broken, permanent=True)
        if self._model is None:
            self._model = build_chat_model(self.settings)
        return self._model

    def stream(
        self, question: str, hits: list[Hit], extractive: Answer, max_citations: int | None = None
    ) -> Iterator[str | Answer]:
        """Text deltas as the model writes them, then the checked `Answer` (see `retrieval.llm`)."""
        yield from self._run(question, hits, extractive, max_citations)

    # ---- one question ------------------------------------------------------------------------------
    def _run(
        self, question: str, hits: list[Hit], extractive: Answer, max_citations: int | None
    ) -> Iterator[str | Answer]:
        started = self.clock()
        passages = hits[: max_citations or self.settings.llm_passages]
        if not passages:
            yield _fallback(extractive, "no passage was retrieved for the LLM to answer from")
            return
        if self.clock() < self._down_until:
            yield _fallback(extractive, "the LLM was unavailable")
            return
        try:
            model = self.model
        except LLMUnavailable as exc:
            if self._broken is None:
                self._broken = str(exc)
                self.notice(f"{exc}; answering extractively.")
            yield _fallback(extractive, "the LLM was unavailable")
            return
        prompt = build_prompt(question, passages)
        log.info("asking %s with %d passages", describe(self.settings), len(passages))
        pieces: list[str] = []
        try:
            chunks = model.stream(prompt.messages())
            try:
                for chunk in chunks:
                    delta = _text(chunk)
                    if delta:
                        pieces.append(delta)
                        yield delta
                    if self.clock() - started > self.settings.llm_timeout:
                        raise LLMDeadline("streamed reply too slow")
            finally:
                close = getattr(chunks, "close", None)  # an abandoned or failed stream closes its HTTP response now
                if close is not None:
                    close()
        except Exception as exc:  # noqa: BLE001 - every provider has its own errors; explain() names the kind
            kind = classify(exc)
            if kind != "malformed":
                self._down_until = self.clock() + RETRY_AFTER
            self.notice(f"{explain(exc, self.settings)}; answering extractively.")
            yield _fallback(extractive, _REASONS.get(kind, "the LLM was unavailable"))
            return
        reply = "".join(pieces)
        checked = check_reply(reply, prompt.passages, question, self.embed, not_found_text())
        answer = self._final(question, checked, prompt, extractive)
        answer.timings = {**extractive.timings, "llm": round(self.clock() - started, 4)}
        yield answer

    def _final(self, question: str, checked: Checked, prompt: Prompt, extractive: Answer) -> Answer:
        if checked.verdict == "not_found":
            related = extractive.related or [
                dataclasses.replace(c, n=i) for i, c in enumerate(extractive.citations[:2], 1)
            ]
            return Answer(
                question=question, answer=load_prompt("decline"), found=False, related=related, answerer="llm"
            )
        if checked.verdict == "rejected":
            log.info("LLM reply rejected: %s", checked.reason)
            return _fallback(extractive, checked.reason)
        citations = []
        for cited in checked.cited:
            chunk = cited.passage.chunk
            citations.append(
                Citation.of(cited.n, chunk, chunk.start + cited.start, chunk.start + cited.end, cited.score)
            )
        return Answer(question=question, answer=checked.text, found=True, citations=citations, answerer="llm")


def _fallback(extractive: Answer, reason: str) -> Answer:
    return dataclasses.replace(
        extractive, answerer="extractive-fallback", fallback_reason=reason, timings=dict(extractive.timings)
    )


def _text(message: Any) -> str:
    """The text of a LangChain message or chunk, whatever shape its content has."""
    content = getattr(message, "content", message)
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(
            part if isinstance(part, str) else str(part.get("text", ""))
            for part in content
            if isinstance(part, (str, dict)) and (isinstance(part, str) or part.get("type") == "text")
        )
    return ""
