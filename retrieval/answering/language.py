"""A question in a language the indexed articles are not written in ("Wer wurde über Khmeimim evakuiert?" over
English articles): the English embedding model would match it to whatever passage shares its names, so the
bot says which language it reads instead of quoting a passage that does not answer."""

from __future__ import annotations

import re
from collections.abc import Callable

from retrieval.prompts import load_prompt
from retrieval.text import terms
from retrieval.types import Answer

# question and function words of other languages that English does not use as words of its own
_FOREIGN = frozenset(
    """
    wer wie wann warum wo welche welcher welches wurde wurden ist sind haben der das und nicht mit über für
    von zu dem den ein eine einen nach bei aus auch noch
    qui quoi quand pourquoi où quel quelle quels quelles comment est sont les des une dans pour avec sur par pas
    du au aux ont été le la il elle et
    qué quién quiénes cuándo dónde cómo cuál cuáles por qué fue fueron los las del una con para según está
    chi cosa quando perché dove quale quali è sono stato stata gli della delle degli nel nella
    quem quando onde qual quais foi foram são não uma dos das pelo pela em
    wat wanneer waarom waar welke werd werden het een niet voor met naar
    """.split()
)
_ENGLISH = frozenset(
    """
    the an of in on at to for from by with about and or but not no is are was were be been being has have had
    do does did will would can could should may might who what when where why which how whom whose that this
    these those it its they their them he she his her we our you your i my me there than then after before
    """.split()
)
_NON_LATIN = re.compile(
    r"[\u0370-\u03ff\u0400-\u04ff\u0590-\u06ff\u0900-\u0dff\u0e00-\u0e7f\u3040-\u30ff\u4e00-\u9fff\uac00-\ud7af]"
)


def foreign_question(question: str, known: Callable[[str], bool]) -> bool:
    """``question`` is written in another language than the articles: it reads as another language (its function
    words, or a non-Latin script) and most of its words are unknown to the collection (a collection of German
    articles answers German questions as any)."""
    words = re.findall(r"[^\W\d_]+", question.lower())
    if len(words) < 3:
        return False
    letters = sum(ch.isalpha() for ch in question)
    script = letters > 0 and len(_NON_LATIN.findall(question)) > letters / 2
    foreign = sum(w in _FOREIGN for w in words)
    english = sum(w in _ENGLISH for w in words)
    if not script and not (foreign >= 2 and english == 0):
        return False
    content = [t for w in words if w not in _FOREIGN for t in terms(w)]
    unknown = sum(not known(t) for t in content)
    return not content or unknown >= len(content) / 2


def language_answer(question: str) -> Answer:
    """The reply to a question in another language (``prompts/not_english.txt``): nothing quoted or claimed."""
    return Answer(question=question, answer=load_prompt("not_english"), found=False, answerer="language")
