"""Words to the bot rather than questions about the news ("hi", "thanks!", "what can you do?"): a short reply that
says what it does, instead of a decline that quotes passages having nothing to do with them."""

from __future__ import annotations

import re

from retrieval.core.prompts import load_prompt
from retrieval.core.types import Answer

_END = r"[\s!.,:)?]*(?:(?:there|bot|newsbot|all|everyone|folks)[\s!.,:)?]*)?$"
_KINDS = (
    (
        "greeting",
        re.compile(
            rf"^\s*(?:hi+|hello|hey+|hiya|howdy|yo|greetings|good (?:morning|afternoon|evening|day))"
            rf"{_END}",
            re.IGNORECASE,
        ),
    ),
    (
        "thanks",
        re.compile(
            rf"^\s*(?:(?:ok(?:ay)?|great|cool|perfect|nice)[\s,!.]*)?(?:thanks?(?: you)?(?: (?:very "
            rf"much|so much|a lot))?|thx|ty|cheers|much appreciated){_END}",
            re.IGNORECASE,
        ),
    ),
    (
        "ack",
        re.compile(
            rf"^\s*(?:ok(?:ay)?|k|alright|all right|got it|i see|understood|sure|fine|cool|great|nice|perfect|"
            rf"interesting|wow|good|noted|makes sense)(?:[\s,!.]+(?:ok(?:ay)?|got it|i see|cool|great|nice|"
            rf"thanks?))*{_END}",
            re.IGNORECASE,
        ),
    ),
    (
        "bye",
        re.compile(rf"^\s*(?:bye|goodbye|good bye|bye bye|see you|see ya|good night|cya){_END}", re.IGNORECASE),
    ),
    (
        "help",
        re.compile(
            rf"^\s*(?:help|/?help me|what can you do|what do you do|who are you|what are you|how does "
            rf"(?:this|it) work|how do (?:i|you) use (?:this|you)){_END}",
            re.IGNORECASE,
        ),
    ),
)


def small_talk(text: str) -> str | None:
    """The kind of small talk ``text`` is ("greeting", "thanks", "ack", "bye", "help"), or None for anything else."""
    if len(text) > 60:
        return None
    return next((kind for kind, pattern in _KINDS if pattern.match(text)), None)


def small_talk_answer(question: str, kind: str) -> Answer:
    """The reply to small talk: no article is quoted and nothing is claimed found (``prompts/smalltalk_*.txt``)."""
    return Answer(question=question, answer=load_prompt(f"smalltalk_{kind}"), found=False, answerer="smalltalk")
