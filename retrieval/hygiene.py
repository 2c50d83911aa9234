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


def suspicious(text: str) -> bool:
    """True when ``text`` speaks to an AI or carries chat-template markup: not something to quote as an answer."""
    return bool(ADDRESSED_TO_AI.search(text) or MARKUP.search(text))
