"""Proper names in text: runs of capitalised words that are not merely the first word of a sentence.

The one definition the conversation layer, the answerer and the LLM checker share. A name may hold the
connecting particles of Arabic, Dutch, French and English names ("Hayat Tahrir al-Sham", "Bashar al-Assad",
"Bank of England"); a capitalised word that only opens a sentence ("Which", "The") is not a name on its own.
"""

from __future__ import annotations

import re

_WORD = r"[A-Z][\w'’-]*"
_PARTICLE = r"(?:al-|bin\s+|de\s+|of\s+|van\s+|von\s+|la\s+|le\s+|du\s+|of\s+the\s+)"
NAME = re.compile(rf"\b{_WORD}(?:\s+{_PARTICLE}?{_WORD})*")
_SENTENCE_END = (".", "!", "?", '"', "“", ":", "\n")


def names_in(text: str, skip_first_word: bool = True) -> list[str]:
    """Distinct names in ``text`` in order; a single capitalised word opening a sentence is skipped.

    ``skip_first_word=False`` also keeps a capitalised word at the very start of ``text`` (a title).
    """
    found: list[str] = []
    for match in NAME.finditer(text):
        name = match.group().strip(" '’-")
        before = text[: match.start()].rstrip()
        opens_sentence = not before or before.endswith(_SENTENCE_END)
        if opens_sentence and (" " not in name) and (skip_first_word or before):
            continue
        if opens_sentence and " " in name and skip_first_word:
            # "Which Iranian officials": drop the capitalised opener, keep the rest when it is a name
            first, _, rest = name.partition(" ")
            if first.lower() in OPENERS:
                name = rest
        if name and name not in found:
            found.append(name)
    return found


# Words that open sentences and questions in capitals without being part of a name.
OPENERS = frozenset(
    """a an the this that these those which what who whom whose when where why how is are was were did do does
    can could will would should has have had in on at for from by with after before since during and but or
    if as it its he she they we i you his her their our my your there here then so also yet""".split()
)


# nationality and place adjectives: "the French carmaker" describes, it does not name
DEMONYMS = frozenset(
    """american british french german japanese chinese swiss dutch dutchman dutchmen russian spanish spaniard
    italian irish scottish scot scots welsh english englishman european australian canadian swedish swede norwegian
    danish dane finnish belgian austrian portuguese greek turkish indian pakistani korean brazilian argentine
    argentinian mexican ethiopian kenyan african nigerian iranian iraqi israeli palestinian saudi egyptian syrian
    lebanese polish pole czech hungarian romanian bulgarian ukrainian asian arab scandinavian serbian croatian
    taiwanese thai vietnamese indonesian filipino malaysian colombian chilean peruvian venezuelan cuban jamaican
    moroccan algerian ghanaian ivorian zimbabwean icelandic georgian afghan bangladeshi nepalese qatari kuwaiti
    yemeni jordanian libyan sudanese somali ugandan rwandan zambian latin western eastern northern southern
    north south east west new zealander kiwi briton britons yorkshire""".split()
)
