"""'Did you mean ...?': the words of a question that no indexed article uses, spelled as the articles spell them.

A misspelt name ("who evacuated via Kmeimim?") is a name no article mentions, so the answerer rightly declines; the
user is better served by the question with the name the articles do use ("... via Khmeimim?") offered to ask
again, every misspelt word of it corrected ("who evacuatd via Khmeimin?" is "who evacuated via Khmeimim?").
Nothing is answered on a guess: the suggestion only comes with a decline, and a name no article mentions may well
be a real one (a near miss: someone the articles never name).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from retrieval.core.names import DEMONYMS
from retrieval.core.text import terms

_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*[A-Za-z]")


def suggest(
    question: str,
    df: Mapping[str, int],
    surface: Callable[[str], str | None],
    best_passage: Callable[[str], tuple[float, frozenset[str]]],
    spellings: Callable[[str], list[str]] = lambda term: [],
    lexicon: Mapping[str, int] | None = None,
) -> str | None:
    """``question`` with each word the articles never use (``df``: term -> passages that hold it) replaced by a
    near word; None when no word needs or finds a replacement.

    Only words of four letters or more that no article uses are corrected, by up to two letters (one for a word of
    four; an adjacent swap counts one; at most one added or dropped). A name is corrected to a word the articles
    write capitalised (``surface(term)``: a word as written inside a sentence where it can), typed capitalised or
    not ("kmeimim" is "Khmeimim", "Asad" is "Assad"). A word typed in lower case (or capitalised only to open the
    question) that ``lexicon`` does not hold either (the English words the embedding model knows, with how common
    each is) is misspelt: it is corrected to a word the articles write in lower case (``spellings(term)``: the ways
    they write a term), the same letters away ("transportd" is "transported"), else to the commonest nearest word
    of ``lexicon`` ("evacuatd" is "evacuated" over articles that never use it; "grup" is "group", not "grupo"). A
    name of several words keeps its other words: the replacement must stand in one passage with them ("Tony
    Blare" is "Tony Blair", not "Tony Blake"; "Jeremy Corbyn", whom no article names, is not "Jeremy Carwyn"). Of
    those left, the nearest as written wins, then one the typed word only misses letters of ("evacuatd" is
    "evacuated", not "evacuate"), then the one whose question ``best_passage`` scores highest ("Arjen Roben" is
    "Arjen Robben", not "Arjen Robin").
    """
    replaced: list[tuple[int, int, str]] = []
    words = list(_WORD.finditer(question))

    def is_name(word: str) -> bool:  # "tony" typed in lower case is "Tony", a name the articles use
        stems = terms(word)
        spelt = surface(stems[0]) if len(stems) == 1 and stems[0] in df else None
        return spelt is not None and spelt[:1].isupper()

    def rank(word: str, spelt: str, score: float) -> tuple[int, bool, float, str]:
        return -_edits(word.lower(), spelt.lower(), 3), _dropped(word.lower(), spelt.lower()), score, spelt

    for i, match in enumerate(words):
        word = match.group()
        stems = terms(word)
        if len(stems) != 1 or stems[0] in df or len(word) < 4 or word.lower() in DEMONYMS:
            continue  # "Ivorian" is no misspelt "Ivory"
        limit = 1 if len(word) < 5 else 2
        typed = word.lower() if match.start() == 0 else word  # "Evacuatd" opening the question is "evacuatd"
        misspelt = lexicon is not None and typed.islower() and typed not in lexicon  # "bride" is no "bridge"
        partners = {t for w in _name_partners(words, i, is_name) for t in terms(w)}
        found = [*_names(word, df, surface, limit), *(_words(typed, df, spellings, limit) if misspelt else [])]
        choices = []
        for term, spelt in found:
            score, passage = best_passage(question[: match.start()] + spelt + question[match.end() :])
            if term in passage and partners <= passage:
                choices.append(rank(word, spelt, score))
        if not choices and misspelt and lexicon is not None:
            near = [spelt for spelt in _nearest(typed, lexicon, limit, most=50) if abs(len(spelt) - len(word)) <= 1]
            choices = [rank(word, spelt, lexicon[spelt]) for spelt in near]
        if choices:  # the nearest as written ("austalian" is "Australian", not "Australia"), then the best passage
            spelt = max(choices)[3]
            replaced.append((match.start(), match.end(), spelt[0].upper() + spelt[1:] if typed != word else spelt))
    if not replaced:
        return None
    out, last = [], 0
    for start, end, spelt in replaced:
        out += [question[last:start], spelt]
        last = end
    return "".join(out) + question[last:]


def _dropped(typed: str, word: str) -> bool:
    """``typed`` is ``word`` with letters left out (the commonest slip): its letters stand in ``word`` in order."""
    letters = iter(word)
    return all(ch in letters for ch in typed)


def _names(word: str, df: Mapping[str, int], surface: Callable[[str], str | None], limit: int) -> list[tuple[str, str]]:
    """(term, name) for the names the articles write capitalised within ``limit`` letters of ``word``."""
    out = []
    for term in _nearest(word.lower(), df, limit):
        spelt = surface(term)
        if spelt and spelt[0].isupper() and abs(len(spelt) - len(word)) <= 1:
            out.append((term, spelt))  # "Apple" is no misspelt "Ale": two letters dropped make another word
    return out


def _words(
    word: str, df: Mapping[str, int], spellings: Callable[[str], list[str]], limit: int
) -> list[tuple[str, str]]:
    """(term, word) for the lower-case words of the articles within ``limit`` letters of ``word``. A word's term is
    its stem ("evacu"), so the terms looked at are those that nearly begin ``word``, each written out as the
    articles write it."""
    out = []
    for term in _stems_near(word, df, limit):
        for spelt in dict.fromkeys(spellings(term)):
            if spelt.islower() and abs(len(spelt) - len(word)) <= 1 and _edits(word, spelt, limit) <= limit:
                out.append((term, spelt))
    return out


def _stems_near(word: str, df: Mapping[str, int], limit: int, most: int = 4) -> list[str]:
    """The terms of ``df`` of three letters or more within ``limit`` edits of as many first letters of ``word``,
    longest (then most used) first."""
    found: list[tuple[int, int, int, str]] = []
    for term, count in df.items():
        if term[:1] != word[:1] or not 3 <= len(term) <= len(word) + 1 or not term.isalpha():
            continue
        distance = _edits(word[: len(term)], term, limit)
        if distance <= limit:
            found.append((distance, -len(term), -count, term))
    found.sort()
    return [term for *_, term in found[:most]]


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
