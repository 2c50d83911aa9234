"""Follow-up questions without an LLM: a bounded history that turns a follow-up into a self-contained question.

A question that names its own subject (a capitalised name, no pronoun pointing back) is searched as it is.
A follow-up inherits context from the previous turn:

- an elliptical question ("and Russia?", "what about Hama?") reuses the previous question with the new name
  in place of the old one;
- a question with a pronoun or no subject of its own ("Where was their stronghold?", "Which group led the
  fighters?") is searched together with the names and topic words of the previous question and answer.
"""

from __future__ import annotations

import re
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass, field

from retrieval.names import names_in as find_names
from retrieval.text import STOPWORDS
from retrieval.types import Answer

_REFERRING = re.compile(
    r"\b(he|she|it|its|they|them|their|theirs|his|her|hers|this|that|these|those|there|"
    r"the same|such)\b",
    re.IGNORECASE,
)
_POINTER = re.compile(r"\b(he|she|they|them|this|that|these|those|the same|such)\b", re.IGNORECASE)
_ELLIPSIS = re.compile(
    r"^\s*(?:and|what about|how about|and what about|what of|same for|and for)\s+(.+?)\s*\??\s*$", re.IGNORECASE
)
_QUESTION_WORDS = {
    "who",
    "whom",
    "whose",
    "what",
    "when",
    "where",
    "which",
    "why",
    "how",
    "is",
    "are",
    "was",
    "were",
    "did",
    "do",
    "does",
    "can",
    "could",
    "will",
    "would",
    "should",
    "has",
    "have",
    "had",
}
_GENERIC = (
    STOPWORDS
    | _QUESTION_WORDS
    | {"group", "groups", "people", "thing", "things", "article", "articles", "news", "said", "according", "also"}
)


def strip_context(searched: str) -> str:
    """The question without the inherited "(context, words)" that `Conversation.rewrite` appends."""
    return re.sub(r"\s*\([^()]*\)\s*$", "", searched) or searched


@dataclass
class Turn:
    """One exchange: what was asked, what was searched, and the names it was about."""

    question: str
    searched: str
    names: list[str]
    topic: list[str]


def names_in(text: str) -> list[str]:
    """Names in ``text`` (`retrieval.names`), without leading question and function words."""
    found: list[str] = []
    for name in find_names(text):
        words = name.split()
        while words and words[0].lower() in _GENERIC:
            words = words[1:]
        name = " ".join(words)
        if name and name.lower() not in _GENERIC and name not in found:
            found.append(name)
    return found


def topic_words(text: str) -> list[str]:
    """Content words of ``text`` (no names, no function words), in order."""
    words = re.findall(r"(?<![\w'’-])[a-z][a-z'-]+", text)  # lower-case words only: names are kept apart
    return [w for w in dict.fromkeys(words) if w not in _GENERIC and len(w) > 2]


@dataclass
class Conversation:
    """The last ``max_turns`` turns of one conversation, and the rewriting of follow-ups."""

    max_turns: int = 4
    history: deque[Turn] = field(default_factory=deque)

    def reset(self) -> None:
        self.history.clear()

    def rewrite(self, question: str) -> str:
        """``question`` made self-contained using the previous turn (unchanged when it stands on its own)."""
        if not self.history:
            return question
        last = self.history[-1]
        ellipsis = _ELLIPSIS.match(question)
        if ellipsis:
            return self._substitute(last, ellipsis.group(1).strip())
        own_names = names_in(question[1:]) if question else []  # the first word is capitalised anyway
        # with a subject of its own, a possessive ("Did Russia keep its bases?") points inside the question
        pointer = _POINTER if own_names else _REFERRING
        if own_names and not pointer.search(question):
            return question
        context = [n for n in last.names if n.lower() not in question.lower()][:4]
        context += [w for w in last.topic if w not in question.lower()][:4]
        return f"{question} ({', '.join(context)})" if context else question

    def _substitute(self, last: Turn, new: str) -> str:
        base = last.question
        old_names = names_in(base[1:])
        if old_names:
            target = old_names[-1]
            return re.sub(re.escape(target), new, base, count=1)
        return f"{base.rstrip(' ?')} {new}?"

    def record(self, question: str, searched: str, answer: Answer | None) -> None:
        """Remember a turn: names and topic words come from the searched question and the answer."""
        answer_text = answer.answer if answer is not None and answer.found else ""
        answer_text = re.sub(r"\s*\[\d+\]", "", answer_text)
        asked = strip_context(searched)  # inherited context is re-derived, not stacked
        names = names_in(asked[1:]) + [n for n in names_in(answer_text) if n not in names_in(asked[1:])]
        inherited = re.search(r"\((.*)\)\s*$", searched)
        if inherited and not names_in(asked[1:]):
            names = [n.strip() for n in inherited.group(1).split(",") if n.strip()[:1].isupper()] + names
        topic = topic_words(asked)
        self.history.append(Turn(question, searched, list(dict.fromkeys(names))[:8], topic[:6]))
        while len(self.history) > max(1, self.max_turns):
            self.history.popleft()


class Conversations:
    """Conversations by key (a chat id): at most ``max_conversations``, the least recently used dropped first,
    and each forgotten ``max_age`` seconds after its last question (a new question then starts afresh).
    """

    def __init__(
        self,
        max_turns: int = 4,
        max_conversations: int = 10_000,
        max_age: float = 3600.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_turns = max_turns
        self.max_conversations = max(1, max_conversations)
        self.max_age = max_age
        self.clock = clock
        self._items: OrderedDict[object, tuple[float, Conversation]] = OrderedDict()  # least recently used first

    def get(self, key: object) -> Conversation:
        now = self.clock()
        self._expire(now)
        item = self._items.pop(key, None)
        conversation = item[1] if item is not None else Conversation(max_turns=self.max_turns)
        self._items[key] = (now, conversation)
        while len(self._items) > self.max_conversations:
            self._items.popitem(last=False)
        return conversation

    def reset(self, key: object) -> None:
        self._items.pop(key, None)

    def _expire(self, now: float) -> None:
        while self._items and now - next(iter(self._items.values()))[0] >= self.max_age:
            self._items.popitem(last=False)

    def __len__(self) -> int:
        self._expire(self.clock())
        return len(self._items)
