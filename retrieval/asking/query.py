"""What a question is asked with (`Query`), what it answers with (`AnswerStream`), and the product parts asking
needs (`Parts`)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Protocol

from retrieval.core.errors import InputError
from retrieval.core.types import Answer, Hit
from retrieval.search.searcher import Filters

if TYPE_CHECKING:
    from retrieval.answering.lexicon import WordVectors
    from retrieval.answering.model import Selector
    from retrieval.answering.reader import Reader
    from retrieval.asking.conversation import Conversation
    from retrieval.core.settings import Settings
    from retrieval.llm.answerer import LLMAnswerer
    from retrieval.search.embeddings import Embedder
    from retrieval.store import Index
    from retrieval.store.reprints import ReprintStore


@dataclass
class Query:
    """One question and how to answer it; ``None`` means "as the settings say"."""

    question: str
    k: int | None = None  # at most this many citations
    filters: Filters = field(default_factory=Filters)
    mode: str | None = None  # retrieval mode
    conversation: Conversation | None = None
    answerer: str | None = None  # "extractive", "llm" or None
    reference: date | None = None  # the day time words count from ("yesterday"); None: NEWSBOT_TIME_REFERENCE


class AnswerStream:
    """Iterate for the text deltas an LLM writes (none for the extractive answerer); `result()` is the `Answer`.

    ``close()`` (or leaving a ``for`` loop early and closing) closes the underlying LLM stream.
    """

    def __init__(self, items: Iterator[str | Answer]) -> None:
        self._items = items
        self._answer: Answer | None = None

    @classmethod
    def of(cls, answer: Answer) -> AnswerStream:
        """A stream that is just ``answer`` (no deltas)."""
        return cls(iter([answer]))

    def __iter__(self) -> Iterator[str]:
        try:
            for item in self._items:
                if isinstance(item, Answer):
                    self._answer = item
                    return
                yield item
        except GeneratorExit:  # the consumer stopped early: stop the LLM's stream too
            self.close()
            raise

    @property
    def answer(self) -> Answer | None:
        """The final answer once the deltas are consumed, else None."""
        return self._answer

    def result(self) -> Answer:
        """Consume what is left and return the final `Answer`."""
        for _ in self:
            pass
        if self._answer is None:
            raise RuntimeError("the answer stream ended without an answer")
        return self._answer

    def close(self) -> None:
        close = getattr(self._items, "close", None)
        if close is not None:
            close()


def clean_question(question: str, max_chars: int) -> str:
    """The question with control characters removed and spaces collapsed, or an `InputError` saying why not."""
    cleaned = " ".join("".join(ch for ch in question if ch.isprintable() or ch.isspace()).split())
    if not cleaned:
        raise InputError("the question is empty")
    if len(cleaned) > max_chars:
        raise InputError(
            f"the question is {len(cleaned)} characters long; the limit is {max_chars} (NEWSBOT_MAX_QUESTION_CHARS)"
        )
    return cleaned


class Parts(Protocol):
    """What asking needs of the product (`Newsbot` has it all; parts load lazily on first use)."""

    settings: Settings

    @property
    def index(self) -> Index: ...

    @property
    def embedder(self) -> Embedder: ...

    @property
    def llm_answerer(self) -> LLMAnswerer: ...

    @property
    def selector(self) -> Selector: ...

    @property
    def reader(self) -> Reader: ...

    @property
    def word_vectors(self) -> WordVectors | None: ...

    def ensure_seeded(self) -> bool: ...

    @property
    def reprints(self) -> ReprintStore | None: ...

    def search(
        self,
        question: str,
        k: int = 5,
        mode: str | None = None,
        filters: Filters | None = None,
        vector: list[float] | None = None,
    ) -> list[Hit]: ...
