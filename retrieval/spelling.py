"""'Did you mean ...?': a word of a question that no indexed article uses, spelled as the articles spell it.

A misspelt name ("who evacuated via Kmeimim?") is a name no article mentions, so the answerer rightly declines; the
user is better served by the question with the name the articles do use ("... via Khmeimim?") offered to ask
again. Nothing is answered on a guess: the suggestion only comes with a decline, and a name no article mentions
may well be a real one (a near miss: someone the articles never name).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from retrieval.names import DEMONYMS
from retrieval.text import terms

_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*[A-Za-z]")


def suggest(
    question: str,
    df: Mapping[str, int],
    surface: Callable[[str], str | None],
    best_passage: Callable[[str], tuple[float, frozenset[str]]],
) -> str | None:
    """``question`` with each name the articles never use (``df``: term -> passages that hold it) replaced by a
    near name they do use, as ``surface(term)`` spells it; None when no name needs or finds a replacement.

    Only words of four letters or more that no article uses are corrected, by up to two letters (one for a word of
    four; an adjacent swap counts one; at most one added or dropped), and only by a word the articles write
    capitalised (``surface`` gives a word as written inside a sentence where it can): names, where a typo makes
    the question one the articles cannot answer, typed capitalised or not ("kmeimim" is "Khmeimim", "Asad" is
    "Assad"), never an ordinary word ("transportd"). A name of several words keeps its other words: the
    replacement must stand in one passage with them ("Tony Blare" is "Tony Blair", not "Tony Blake"; "Jeremy
    Corbyn", whom no article names, is not "Jeremy Carwyn"). Of those left, the one whose question
    ``best_passage`` scores highest wins ("Arjen Roben" is "Arjen Robben", not "Arjen Robin").
    """
    replaced: list[tuple[int, int, str]] = []
    words = list(_WORD.finditer(question))

    def is_name(word: str) -> bool:  # "tony" typed in lower case is "Tony", a name the articles use
        stems = terms(word)
        spelt = surface(stems[0]) if len(stems) == 1 and stems[0] in df else None
        return spelt is not None and spelt[:1].isupper()

    for i, match in enumerate(words):
        word = match.group()
        stems = terms(word)
        if len(stems) != 1 or stems[0] in df or len(word) < 4 or word.lower() in DEMONYMS:
            continue  # "Ivorian" is no misspelt "Ivory"
        partners = {t for w in _name_partners(words, i, is_name) for t in terms(w)}
        choices: list[tuple[int, float, str]] = []
        for term in _nearest(word.lower(), df, 1 if len(word) < 5 else 2):
            spelt = surface(term)
            if not spelt or not spelt[0].isupper() or abs(len(spelt) - len(word)) > 1:
                continue  # "Apple" is no misspelt "Ale": two letters dropped make another word
            score, passage = best_passage(question[: match.start()] + spelt + question[match.end() :])
            if term in passage and partners <= passage:
                choices.append((-_edits(word.lower(), spelt.lower(), 3), score, spelt))
        if choices:  # the nearest as written ("austalian" is "Australian", not "Australia"), then the best passage
            replaced.append((match.start(), match.end(), max(choices)[2]))
    if not replaced:
        return None
    out, last = [], 0
    for start, end, spelt in replaced:
        out += [question[last:start], spelt]
        last = end
    return "".join(out) + question[last:]


def _name_partners(words: list[re.Match[str]], i: int, is_name: Callable[[str], bool]) -> list[str]:
    """The names right before and after word ``i`` (the rest of a name of several words): words typed capitalised
    (not opening the question), or typed in lower case where the articles write them capitalised (``is_name``)."""
    out = []
    for step in (-1, 1):
        j = i + step
        while 0 <= j < len(words):
            word = words[j].group()
            if not (word[0].isupper() and words[j].start() > 0) and (word[0].isupper() or not is_name(word)):
                break
            out.append(word)
            j += step
    return out


def _nearest(word: str, df: Mapping[str, int], limit: int, most: int = 8) -> list[str]:
    """The terms of ``df`` (same first letter) within ``limit`` edits of ``word``, nearest and most used first."""
    found: list[tuple[int, int, str]] = []
    for term, count in df.items():
        if term[:1] != word[:1] or abs(len(term) - len(word)) > limit or not term.isalpha():
            continue
        distance = _edits(word, term, limit)
        if distance <= limit:
            found.append((distance, -count, term))
    found.sort()
    return [term for _, _, term in found[:most]]


def _edits(a: str, b: str, limit: int) -> int:
    """Damerau-Levenshtein distance of ``a`` and ``b`` (adjacent swaps count one), or ``limit + 1`` once over it."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]
