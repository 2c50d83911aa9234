"""Build the LLM's messages: retrieved passages numbered and fenced as data, question, rules from `prompts/`."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

from retrieval.core.prompts import load_prompt, render_prompt
from retrieval.core.types import Chunk, Hit

MAX_SENTENCES = 5
# Anything that could pass for a fence line, or a fake chat-template turn marker, inside article text.
_FENCE_LIKE = re.compile(r"<{3,}|>{3,}|<\|[^|>]{0,40}\|>")


@dataclass(frozen=True)
class Passage:
    """One retrieved chunk as the LLM sees it: ``n`` is what it cites as ``[n]``."""

    n: int
    chunk: Chunk
    text: str  # the chunk text as sent (fence-like sequences neutralised)


@dataclass(frozen=True)
class Prompt:
    """The two messages sent for one question, the passages they number and the fence marker used."""

    system: str
    user: str
    passages: list[Passage]
    fence: str

    def messages(self) -> list[tuple[str, str]]:
        """LangChain's ``(role, content)`` message tuples."""
        return [("system", self.system), ("user", self.user)]


def not_found_text() -> str:
    """What the model must reply when the passages do not answer (``prompts/llm_not_found.txt``)."""
    return load_prompt("llm_not_found")


def neutralise(text: str) -> str:
    """``text`` with every fence-like sequence (``<<<``, ``>>>``, ``<|im_start|>``) made harmless."""
    return _FENCE_LIKE.sub(_harmless, text)


def _harmless(match: re.Match[str]) -> str:
    found = match.group()
    if found.startswith("<|"):
        return "(marker removed)"
    return ("\u2039" if found[0] == "<" else "\u203a") * len(found)


def build_prompt(
    question: str, hits: list[Hit], max_sentences: int = MAX_SENTENCES, fence: str | None = None
) -> Prompt:
    """The system and user messages for ``question`` over ``hits`` (numbered 1.. in their order)."""
    fence = fence or secrets.token_hex(6)
    not_found = not_found_text()
    passages = [Passage(n, hit.chunk, neutralise(hit.chunk.text)) for n, hit in enumerate(hits, 1)]
    blocks = [
        render_prompt(
            "llm_passage",
            n=p.n,
            fence=fence,
            title=_one_line(p.chunk.title),
            date=p.chunk.date or "unknown",
            source=_one_line(p.chunk.url or p.chunk.source),
            text=p.text.strip(),
        )
        for p in passages
    ]
    system = render_prompt(
        "llm_system", fence=fence, n_passages=len(passages), not_found=not_found, max_sentences=max_sentences
    )
    user = render_prompt(
        "llm_user",
        passages="\n\n".join(blocks),
        question=neutralise(question),
        n_passages=len(passages),
        not_found=not_found,
    )
    return Prompt(system=system, user=user, passages=passages, fence=fence)


def _one_line(text: str) -> str:
    return neutralise(" ".join(text.split()))
