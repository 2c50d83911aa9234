"""A short, headline-like title for an article that has none, made from its first sentence."""

from __future__ import annotations

import re

from retrieval.core.text import sentence_spans

TITLE_CHARS = 70  # a derived title is at most this long
UNTITLED = "Untitled article"
_HEAD_CHARS = 2000  # only the start of the text is read: the first sentence of a huge article is not a title

# "Speaking to IRNA on Friday, ...", "According to the police, ...", "On Monday, ...": a lead-in before the news
_LEAD_IN = re.compile(
    r"^(?:[A-Z][a-z]+ing|Asked|Quoted|According to|In|On|At|After|Before|During|Following|Earlier|Later|Last|"
    r"This|Meanwhile|Separately)\b[^,;:.!?]{0,80},\s+"
)
# "Esmaeil Baghaei Hamaneh said that ...": a named speaker (capitalised words) and what they said
_ATTRIBUTION = re.compile(
    r"^(?P<who>[A-Z][\w'’.-]*(?:\s+[A-Z][\w'’.-]*){0,4})\s+(?:said|says|told\s+\w+|stated|announced|warned|"
    r"added|insisted|claimed)(?:\s+on\s+[A-Z]\w+)?(?:\s+that)?\s+(?P<what>\S.*)$"
)
# words that open a clause, or a phrase: a title may end just before them (before a clause preferably)
_CLAUSE_STARTS = frozenset(
    """and but or nor which who whom whose that while whereas because as after before since when where until
    unless although though if""".split()
)
_PHRASE_STARTS = _CLAUSE_STARTS | frozenset(
    """of from to for with without in on at by over under into amid despite during following against between
    about""".split()
)
_DANGLING = frozenset(
    """a an the of and or but to in on at by for with from that which who as its their his her is are was were has
    have had will would be been""".split()
)


def first_sentence_title(text: str, limit: int = TITLE_CHARS) -> str:
    """A headline-like title from the first sentence of ``text``: without a lead-in ("Speaking to IRNA on
    Friday,"), a named speaker's words as "Speaker: words", cut at a phrase boundary within ``limit``."""
    head = text[:_HEAD_CHARS]
    spans = sentence_spans(head)
    if not spans:
        return UNTITLED
    sentence = " ".join(head[spans[0][0] : spans[0][1]].split()).rstrip(".!?…")
    sentence = _without_lead_in(sentence)
    said = _ATTRIBUTION.match(sentence)
    if said and len(said["what"].split()) >= 3:
        sentence = f"{said['who']}: {said['what']}"
    return _shortened(sentence, limit) or UNTITLED


def _without_lead_in(sentence: str) -> str:
    """``sentence`` without a leading participial or time phrase, when enough is left to say something."""
    match = _LEAD_IN.match(sentence)
    rest = sentence[match.end() :] if match else ""
    if len(rest.split()) < 4:
        return sentence
    return rest[0].upper() + rest[1:]


def _shortened(sentence: str, limit: int) -> str:
    """``sentence`` cut within ``limit``: at the last clause boundary that keeps half the limit, else at the
    last phrase boundary that keeps a third, else at a word boundary with an ellipsis."""
    if len(sentence) <= limit:
        return sentence
    words = sentence.split(" ")
    clause = phrase = ""
    length = -1
    for i, word in enumerate(words[:-1]):
        length += len(word) + 1
        if length > limit:
            break
        following = words[i + 1].lower()
        if word.endswith((",", ";", ":")) or following in _CLAUSE_STARTS or following in ("—", "–", "-"):
            clause = phrase = _trimmed(" ".join(words[: i + 1]))
        elif following in _PHRASE_STARTS:
            phrase = _trimmed(" ".join(words[: i + 1]))
    if len(clause) >= limit // 2:
        return clause
    if len(phrase) >= limit // 3:
        return phrase
    cut = _trimmed(sentence[: limit - 1].rsplit(" ", 1)[0])
    return f"{cut}…" if cut else sentence[: limit - 1] + "…"


def _trimmed(phrase: str) -> str:
    """``phrase`` without trailing punctuation or a dangling little word ("the presence of")."""
    words = phrase.rstrip(",;:—–- ").split(" ")
    while len(words) > 1 and words[-1].lower() in _DANGLING:
        words.pop()
    return " ".join(words).rstrip(",;:—–- ")
