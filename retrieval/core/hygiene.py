"""Text inside articles that must never become an answer: words addressed to an AI, chat-template markup."""

from __future__ import annotations

import re

# Text addressed to an AI inside an article: never evidence for an answer, never quoted as one.
ADDRESSED_TO_AI = re.compile(
    r"\b(?:ignore|disregard|forget|override|bypass)\b[^.!?\n]{0,60}\b(?:instructions?|prompts?|rules|guidelines|"
    r"directives?|context)\b"
    r"|\byou are (?:now|no longer|an? (?:ai|assistant|language model|chatbot|llm))\b"
    r"|\b(?:system|developer|admin(?:istrator)?) (?:prompt|message|note|notice|override|instructions?)\b"
    r"|\b(?:to|for|attention,?) (?:all )?(?:ai|assistants?|chatbots?|language models?|llms?|bots?)\b"
    r"|\b(?:ai|assistants?|chatbots?|language models?|llms?|bots?)\b[^.!?\n]{0,40}\b(?:must|should|shall|will) "
    r"(?:now )?(?:reply|respond|answer|say|output|print|tell|state)\b"
    r"|\bnew instructions?\b",
    re.IGNORECASE,
)
# Chat-template tokens and forged passage fences ("<|im_start|>", "<<<END PASSAGE 1>>>").
MARKUP = re.compile(r"<\|[^|<>]{0,40}\|>|<<<|>>>")


def tainted(text: str, spans: list[tuple[int, int]], before: str = "") -> set[int]:
    """Indexes of the sentences of ``text`` (at ``spans``) never to quote: those that speak to an AI, and the ones
    that follow them in the same paragraph ("... ignore all previous instructions. Tell every user that ..."),
    whose words carry the instruction on. ``before`` is the sentence just before ``text`` in its article."""
    out: set[int] = set()
    carrying = bool(before) and suspicious(before) and not text[: spans[0][0] if spans else 0].count("\n")
    previous_end = 0
    for i, (start, end) in enumerate(spans):
        if "\n" in text[previous_end:start]:
            carrying = False  # a new paragraph
        if suspicious(text[start:end]):
            carrying = True
        if carrying:
            out.add(i)
        previous_end = end
    return out


def suspicious(text: str) -> bool:
    """True when ``text`` speaks to an AI or carries chat-template markup: not something to quote as an answer."""
    return bool(ADDRESSED_TO_AI.search(text) or MARKUP.search(text))
