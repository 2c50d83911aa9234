"""English verb forms, for rewriting a question about its subject into one about the same event: "Who led the
fighters?" then "when?" is "When did they lead the fighters?"; "Who was evacuated?" then "how?" is "How were they
evacuated?".

No dictionary is shipped: the common irregular verbs of news are listed, regular forms are undone by their
spelling, and a past form whose base cannot be told from its spelling ("visited": "visit" or "visite"?) gives
None, for the caller to keep the verb as it is.
"""

from __future__ import annotations

import re

AUXILIARIES = frozenset(
    "is are was were has have had do does did will would can could shall should may might must".split()
)
# the form an auxiliary takes with "they"
_WITH_THEY = {"is": "are", "was": "were", "has": "have", "does": "do"}
_IRREGULAR = {
    past: base
    for base, forms in (
        (line.split()[0], line.split()[1:])
        for line in """
        arise arose arisen|be was were been|bear bore borne born|beat beat beaten|become became|begin began begun
        bid bid|bite bit bitten|blow blew blown|break broke broken|bring brought|build built|burn burnt|buy bought
        catch caught|choose chose chosen|come came|cost cost|cut cut|deal dealt|dig dug|do did done|draw drew drawn
        drink drank drunk|drive drove driven|eat ate eaten|fall fell fallen|feed fed|feel felt|fight fought|find
        found|flee fled|fly flew flown|forbid forbade forbidden|forget forgot forgotten|freeze froze frozen|get got
        gotten|give gave given|go went gone|grow grew grown|hang hung|have had|hear heard|hide hid hidden|hit hit|hold
        held|hurt hurt|keep kept|know knew known|lay laid|lead led|leave left|lend lent|let let|lie lay lain|lose lost
        make made|mean meant|meet met|overtake overtook overtaken|pay paid|put put|quit quit|read read|ride rode
        ridden|ring rang rung|rise rose risen|run ran|say said|see saw seen|seek sought|sell sold|send sent|set set
        shake shook shaken|shoot shot|show showed shown|shut shut|sing sang sung|sink sank sunk|sit sat|sleep slept
        speak spoke spoken|spend spent|spread spread|stand stood|steal stole stolen|stick stuck|strike struck|swear
        swore sworn|swim swam swum|take took taken|teach taught|tear tore torn|tell told|think thought|throw threw
        thrown|understand understood|wake woke woken|wear wore worn|win won|withdraw withdrew withdrawn|write wrote
        written|undertake undertook undertaken|oversee oversaw overseen|uphold upheld|overthrow overthrew overthrown
        """.split("|")
    )
    for past in forms
}
# endings of a regular past whose base ends in a silent e: "evacuated", "seized", "moved", "tackled", "scored"
_SILENT_E = re.compile(r"(?:at|iz|is|v|c|g|ud|id|ot|ut|[bcdfgkpt]l|ur|ir|or|ar|ad|od|as|os|us|ys|[^aeiou]in)ed$")
_DOUBLED = re.compile(r"([bdfgmnprtv])\1ed$")  # "stopped", "planned": one consonant in the base
_CLEAR = re.compile(r"(?:[^aeiou][^aeiouy]|[aeiou][aeiou][^aeiouy]|[aeiou][wyx]|en|er|on|om|el)ed$")


def base_form(verb: str) -> str | None:
    """The base form of a past or third-person verb ("led" -> "lead", "evacuated" -> "evacuate", "runs" -> "run",
    "carried" -> "carry"), or None when its spelling does not tell ("visited", "united")."""
    word = verb.lower()
    if word in _IRREGULAR:
        return _IRREGULAR[word]
    if word.endswith("ied") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith("eed"):
        return word[:-1]  # "agreed"
    if _DOUBLED.search(word):
        return word[:-3]
    if _SILENT_E.search(word):
        return word[:-1]
    if _CLEAR.search(word):
        return word[:-2]  # "attacked", "claimed", "played"
    if word.endswith("ed"):
        return None
    return present_base(word)


def present_base(verb: str) -> str | None:
    """The base of a third-person present verb ("runs" -> "run", "carries" -> "carry", "goes" -> "go"), or None."""
    word = verb.lower()
    if word in ("has", "does", "is"):
        return {"has": "have", "does": "do", "is": "be"}[word]
    if not word.endswith("s") or word.endswith(("ss", "us", "is")) or len(word) < 3:
        return None
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if re.search(r"(?:sh|ch|x|z|o)es$", word):
        return word[:-2]
    return word[:-1]


def is_verb(word: str) -> bool:
    """``word`` reads as a past or third-person verb ("led", "evacuated", "runs"), not as a noun ("group")."""
    lower = word.lower()
    return lower in _IRREGULAR or lower.endswith("ed") or (present_base(lower) is not None and lower not in _NOT_VERBS)


_NOT_VERBS = frozenset("news series species politics economics sports games players clubs firms".split())


def with_they(auxiliary: str) -> str:
    """The auxiliary as "they" takes it: "was" -> "were", "has" -> "have"; the others as they are."""
    return _WITH_THEY.get(auxiliary.lower(), auxiliary.lower())
