"""Plain-text helpers shared by chunking, BM25 and the answerer: sentence spans and search terms."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

# Abbreviations after which a full stop does not end a sentence.
_ABBREVIATIONS = {
    "mr",
    "mrs",
    "ms",
    "dr",
    "prof",
    "sr",
    "jr",
    "st",
    "mt",
    "gen",
    "gov",
    "sen",
    "rep",
    "lt",
    "col",
    "sgt",
    "capt",
    "cmdr",
    "adm",
    "rev",
    "hon",
    "pres",
    "no",
    "vs",
    "etc",
    "inc",
    "ltd",
    "co",
    "corp",
    "jan",
    "feb",
    "mar",
    "apr",
    "jun",
    "jul",
    "aug",
    "sep",
    "sept",
    "oct",
    "nov",
    "dec",
    "u.s",
    "u.k",
    "e.g",
    "i.e",
    "a.m",
    "p.m",
    "approx",
    "dept",
    "est",
    "fig",
    "al",
}
# A run of marks ("?!...") is matched whole, ending a sentence only when ``closed`` (space or the end follows,
# maybe after quotes): the regex never retries inside a long run, so splitting stays linear in the text.
_BOUNDARY = re.compile(r"[.!?…]+(?P<closed>[\"'”’)\]]*(?=\s|$))?|\n\s*\n")
_NEXT_CHAR = re.compile(r"\s*(\S)")
_LONGEST_ABBREVIATION = max(len(word) for word in _ABBREVIATIONS)
_WORD = re.compile(r"\w+(?:[.'’]\w+)*", re.UNICODE)

STOPWORDS = frozenset(
    """a about above after again against all am an and any are as at be because been before being below between
    both but by can could did do does doing down during each few for from further had has have having he her here
    hers herself him himself his how i if in into is it its itself just me more most my myself no nor not now of
    off on once only or other our ours ourselves out over own same she should so some such than that the their
    theirs them themselves then there these they this those through to too under until up very was we were what
    when where which while who whom why will with would you your yours yourself yourselves also did does said says
    say tell told many much one ones""".split()
)


def sentence_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Split ``text[start:end]`` into sentences; return (start, end) offsets in ``text``, whitespace trimmed."""
    end = len(text) if end is None else end
    spans: list[tuple[int, int]] = []
    cursor = start
    for match in _BOUNDARY.finditer(text, start, end):
        stop = match.end()
        marks = match.group().strip()
        if marks and (match.group("closed") is None or _is_abbreviation(text, match.start(), stop, end)):
            continue
        _append_trimmed(text, cursor, stop, spans)
        cursor = stop
    _append_trimmed(text, cursor, end, spans)
    return spans


def _is_abbreviation(text: str, dot: int, stop: int, end: int) -> bool:
    """True when the full stop at ``dot`` belongs to an abbreviation or initial, not a sentence end."""
    if text[dot] != ".":
        return False
    word_start = dot
    floor = max(0, dot - _LONGEST_ABBREVIATION - 1)  # a longer word is no abbreviation: never walk further back
    while word_start > floor and (text[word_start - 1].isalnum() or text[word_start - 1] == "."):
        word_start -= 1
    at_word_start = word_start == 0 or not (text[word_start - 1].isalnum() or text[word_start - 1] == ".")
    word = text[word_start:dot].lower()
    if at_word_start and (word in _ABBREVIATIONS or (len(word) == 1 and word.isalpha())):
        return True
    following = _NEXT_CHAR.match(text, stop, end)
    # "... rose 5. and" or "$1.5 bn": a lower-case continuation is not a new sentence.
    return following is not None and following.group(1).islower()


def _append_trimmed(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        spans.append((start, end))


@lru_cache(maxsize=1)
def _stemmer() -> Callable[[str], str]:
    try:
        import Stemmer  # PyStemmer

        return Stemmer.Stemmer("english").stemWord
    except ImportError:  # pragma: no cover - PyStemmer is a dependency; degrade to no stemming
        return lambda word: word


def terms(text: str, keep_stopwords: bool = False) -> list[str]:
    """Lower-cased, stemmed search terms of ``text`` (stopwords dropped unless asked)."""
    stem = _stemmer()
    out = []
    for word in _WORD.findall(text.lower()):
        word = word.replace("’", "'")
        if word.endswith("'s"):
            word = word[:-2]
        if not keep_stopwords and (word in STOPWORDS or len(word) < 2 and not word.isdigit()):
            continue
        out.append(stem(word))
    return out
