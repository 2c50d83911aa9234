"""A question in a language the indexed articles are not written in ("Wer wurde über Khmeimim evakuiert?" over
English articles): the English embedding model would match it to whatever passage shares its names, so the
bot says which language it reads instead of quoting a passage that does not answer.

A question reads as German, French, Spanish, Italian, Dutch or Portuguese by its function words: at least two
signs of one language (a word of it that English does not use, or the question word it opens with: "Wann fiel die
Regierung Assad?" is as German as "Wann ist die Regierung von Assad gefallen?") and no English word that language
does not share ("Who is Herr Schmidt?", "What did Le Pen say?" are English). Name particles ("de la", "van der",
"Le") are no sign: English text is full of them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from retrieval.core.prompts import load_prompt
from retrieval.core.text import terms
from retrieval.core.types import Answer


@dataclass(frozen=True)
class _Language:
    opens: frozenset[str]  # the question words a question opens with
    words: frozenset[str]  # its function words (the question words included)


def _language(opens: str, words: str) -> _Language:
    return _Language(frozenset(opens.split()), frozenset(opens.split()) | frozenset(words.split()))


_LANGUAGES = {
    "German": _language(
        "wer wen wem wessen was wann warum wieso weshalb wie wo woher wohin welche welcher welches welchen welchem "
        "wieviel wieviele ist sind war waren wurde wurden hat haben hatte kann können gibt gab",
        "der die das den dem des ein eine einen einem einer eines und oder aber nicht kein keine mit von zu zum zur "
        "für über unter bei beim aus nach vor seit gegen ohne durch um auf an in im am ins vom wird werden worden "
        "hatten sich es er sie wir ihr ihre ihren sein seine seiner seinen dass auch noch schon nur viele als diese "
        "dieser dieses jetzt heute gestern letzte letzten",
    ),
    "French": _language(
        "qui que qu quoi quand pourquoi où comment quel quelle quels quelles combien lequel laquelle est",
        "le la les l un une des du de d au aux et ou mais ne pas plus sont était étaient a ont avait été être il elle "
        "ils elles on nous vous je ce cette ces dans sur sous par pour avec sans chez entre en y se sa son ses leur "
        "leurs lui dont fait dit",
    ),
    "Spanish": _language(
        "qué que quién quiénes cuándo dónde cómo cuál cuáles cuánto cuánta cuántos cuántas por porqué adónde",
        "el la los las lo un una unos unas y o pero no es son fue fueron era eran está están ha han había de del al en "
        "con para sin sobre entre según se su sus le les muy más hay tiene tienen dijo",
    ),
    "Italian": _language(
        "chi che cosa quando perché dove come quale quali quanto quanti quanta quante",
        "il lo la i gli le un uno una l di del della dello dei degli delle da dal dalla nel nella nei in con su tra "
        "per fra e ed o ma non è sono era erano stato stata stati ha hanno aveva si ci ne anche più molto suo sua suoi",
    ),
    "Dutch": _language(
        "wie wat wanneer waarom waar welke welk hoe hoeveel hoelang is zijn was waren heeft hebben",
        "de het een en of maar niet geen met van voor naar bij uit op aan in om over tot door werd werden had wordt "
        "worden kan er hij zij ze wij we die dat dit deze ook nog al",
    ),
    "Portuguese": _language(
        "o que quem quando onde como qual quais quanto quantos quanta quantas porque porquê",
        "o a os as um uma uns umas e ou mas não de do da dos das no na nos nas em com por pelo pela pelos pelas para "
        "sem sobre entre é são foi foram era eram está estão tem têm há se seu sua seus suas lhe também mais muito",
    ),
}
# English words, those the languages above share with it included ("die", "was", "in", "come", "no"): a shared word
# is no sign of either; an English word a language does not share means the question is not in that language
_ENGLISH = frozenset(
    """
    the a an of in on at to for from by with about and or but not no is are was were be been being has have had
    do does did done will would can could should shall may might must who what when where why which how whom whose
    that this these those it its they their them he she his her him we our us you your i my me there here than
    then after before over under into out up down off again so also just only very more most much many some any
    all each both other such own same too now ever never yet still as if because while during since until
    die war hell will come dove chi era sin hay plus son door we had o i e d s t com over am an per via
    """.split()
)
# words that make up names in English text ("Ana de la Cruz", "van der Sar", "Le Pen", "Al Gore", "dos Santos"):
# neither a sign of a language nor a word to look up in the collection
_PARTICLES = frozenset("de la le les el los las del della da di do du dos das des van von der den ter al y".split())
_NON_LATIN = re.compile(
    r"[\u0370-\u03ff\u0400-\u04ff\u0590-\u06ff\u0900-\u0dff\u0e00-\u0e7f\u3040-\u30ff\u4e00-\u9fff\uac00-\ud7af]"
)


def reads_as(words: list[str]) -> str | None:
    """The language other than English whose function words ``words`` (lower case, in order) are written in, or
    None: two signs of it at least (its own words, and the question word it opens with) and no English word it
    does not share."""
    for name, language in _LANGUAGES.items():
        own = {w for w in words if w in language.words and w not in _ENGLISH and w not in _PARTICLES}
        english = [w for w in words if w in _ENGLISH and w not in language.words]
        if own and not english and len(own) + (words[0] in language.opens) >= 2:
            return name
    return None


def foreign_question(question: str, known: Callable[[str], bool]) -> bool:
    """``question`` is written in another language than the articles: it reads as another language (`reads_as`, or
    a non-Latin script) and at least half of its words are unknown to the collection (a collection of German
    articles answers German questions as any; names are known to both)."""
    words = re.findall(r"[^\W\d_]+", question.lower())
    if len(words) < 3:
        return False
    letters = sum(ch.isalpha() for ch in question)
    script = letters > 0 and len(_NON_LATIN.findall(question)) > letters / 2
    if not script and reads_as(words) is None:
        return False
    looked_up = [t for w in words if w not in _PARTICLES for t in terms(w)]
    unknown = sum(not known(t) for t in looked_up)
    return not looked_up or unknown >= len(looked_up) / 2


def language_answer(question: str) -> Answer:
    """The reply to a question in another language (``prompts/not_english.txt``): nothing quoted or claimed."""
    return Answer(question=question, answer=load_prompt("not_english"), found=False, answerer="language")
