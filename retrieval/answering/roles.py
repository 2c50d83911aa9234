"""Role questions: "who runs it?", "who chairs the club?", "who is its spokesman?" ask for a person named with a
role word ("chief executive Anna Berg", "Anna Berg, the firm's founder").

`asked_role` reads the question: the role words an article would use for what is asked, or nothing when the
question does not ask for a role holder. `role_names` finds the names that stand next to one of those words.
"""

from __future__ import annotations

import re
from functools import lru_cache

from retrieval.core.names import DEMONYMS, NAME, OPENERS

# what a question says -> the words an article uses for that role (the question's own word is always kept)
_FAMILIES: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = (
    (
        ("run", "runs", "ran", "running", "head", "heads", "headed", "heading", "boss", "chief", "charge"),
        ("chief executive", "chief", "boss", "head", "led by", "managing director", "president", "director-general"),
    ),
    (("lead", "leads", "led", "leader", "leading"), ("leader", "led by", "head", "chief", "boss")),
    (("chair", "chairs", "chaired", "chairman", "chairwoman", "chairperson"), ("chairman", "chairwoman", "chair")),
    (
        ("found", "founded", "co-founded", "founder", "co-founder", "set up", "started", "start"),
        ("founder", "founded", "founding", "co-founder", "set up by", "started by"),
    ),
    (
        ("spokesman", "spokeswoman", "spokesperson", "speak", "speaks", "spoke", "spokesmen"),
        ("spokesman", "spokeswoman", "spokesperson", "speaking for"),
    ),
    (("manager", "manage", "manages", "managed", "managing"), ("manager", "boss", "coach")),
    (("coach", "coaches", "coached", "trainer"), ("coach", "boss", "manager", "trainer")),
    (("captain", "captains", "captained", "skipper"), ("captain", "skipper")),
    (("direct", "directs", "directed", "directing", "director"), ("director", "directed by", "directed")),
    (("own", "owns", "owned", "owner"), ("owner", "owned by")),
)
# nouns that name a role wherever they stand in a who-question ("Who is the club's physio?")
ROLE_NOUNS = frozenset(
    """president vice-president minister secretary chancellor spokesman spokeswoman spokesperson physio lawyer
    attorney drummer guitarist bassist singer frontman judge officer governor mayor editor producer presenter
    commissioner leader deputy head chief boss executive chairman chairwoman chair founder co-founder director
    manager coach captain skipper owner analyst economist ambassador chancellor treasurer governor trainer agent
    promoter referee umpire organiser organizer chief-executive""".split()
)
_VERB = re.compile(
    r"^\s*(?:and\s+)?who\s+(?:now\s+|currently\s+|will\s+|would\s+|is\s+|was\s+|has\s+)?"
    r"(runs?|ran|running|heads?|headed|heading|chairs?|chaired|chairing|founded|co-founded|set up|started|leads?|"
    r"led|leading|directs?|directed|directing|captains?|captained|captaining|manages?|managed|managing|"
    r"coach(?:es|ed|ing)?|speaks?|spoke|owns?|owned)\b"
    r"(?!\s+(?:in|into|onto|through|past|over|away|off|out|up|down|across|around)\b)",  # "who ran in the try"
    re.IGNORECASE,
)
_COPULA = re.compile(
    r"^\s*(?:and\s+)?(?:who|whom)\s+(?:is|was|are|were|will be|will become|became|has become|is now|would be)\s+"
    r"(.+?)\s*\??\s*$",
    re.IGNORECASE,
)
_WHICH = re.compile(r"^\s*(?:and\s+)?which\s+((?:[\w-]+\s+){0,3}[\w'’-]+)", re.IGNORECASE)
_NOT_ADJECTIVE = frozenset("did does do is was were are has have had will would can could the a an of".split())
_WORD = re.compile(r"[\w'’-]+")
_NEAR_WORDS = 4  # at most this many words between a name and its role word
_POSSESSIVE = re.compile(r"['’]s\s")
_NO_HOLDER = DEMONYMS | frozenset("northern southern eastern western north south east west central".split())
_NICKNAME = re.compile(r"(?<=[a-z])\s+[\"“'‘][^\"“”'‘’]{1,20}[\"”'’]\s+(?=[A-Z])")
_PREPOSITION = re.compile(r"\b(?:of|at|for|from|in|with|to)\s+(?:the\s+)?$", re.IGNORECASE)
# a verb between the role word and a name after it: the name is not the holder ("the chairman said that X")
_VERB_BETWEEN = re.compile(
    r"\b(?:said|says|told|added|announced|warned|confirmed|is|was|were|are|has|had|have|will|would|met|named)\b",
    re.IGNORECASE,
)
_CALENDAR = frozenset(
    """monday tuesday wednesday thursday friday saturday sunday january february march april may june july august
    september october november december""".split()
)


def _family(word: str) -> tuple[str, ...]:
    word = word.lower()
    for asked, used in _FAMILIES:
        if word in asked:
            return (word, *used)
    return (word,)


def role_hint(question: str) -> str:
    """The word an article would use for a role asked with a verb ("who runs it?" -> "chief executive", "who
    founded it?" -> "founder"); "" for other questions (a role noun in the question already says it)."""
    verb = _VERB.match(question)
    if not verb:
        return ""
    word = verb.group(1).split()[0].lower()
    return next((used[0] for asked, used in _FAMILIES if word in asked), "")


@lru_cache(maxsize=1024)
def asked_role(question: str) -> frozenset[str]:
    """The role words (lower case) an article would use for the person ``question`` asks about; empty when it
    does not ask for a role holder."""
    verb = _VERB.match(question)
    if verb:
        return frozenset(_family(verb.group(1).split()[0]))
    copula = _COPULA.match(question)
    if copula:
        nouns = [w.lower() for w in _WORD.findall(copula.group(1)) if w.lower() in ROLE_NOUNS]
    else:  # "which (senior) (health) minister ...": the first role noun, with no possessive before it
        which = _WHICH.match(question)
        words = which.group(1).split() if which else []
        at = next((i for i, w in enumerate(words) if w.lower() in ROLE_NOUNS), None)
        before = words[:at] if at is not None else []
        adjectives = not any("'" in w or "’" in w or w.lower() in _NOT_ADJECTIVE for w in before)
        nouns = [words[at].lower()] if at is not None and adjectives else []
    return frozenset(word for noun in nouns for word in _family(noun))


@lru_cache(maxsize=256)
def _role_pattern(role: frozenset[str]) -> re.Pattern[str]:
    words = sorted(role, key=len, reverse=True)
    return re.compile(r"\b(?:" + "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in words) + r")\b", re.IGNORECASE)


def role_names(sentence: str, role: frozenset[str], known: frozenset[str] = frozenset()) -> list[tuple[int, int]]:
    """Spans of the names in ``sentence`` that stand next to one of the ``role`` words, nearest first.

    A name counts after the role word ("chief executive Anna Berg", "spokeswoman for women Sandra Gidley"), or
    before it with a comma between ("Anna Berg, the firm's founder"), with at most four words between; a name
    after "of", "at" or "for" is the organisation, not the holder; names made only of ``known`` words (the
    question's own, lower case) are left out.
    """
    if not role:
        return []
    marks = [m.span() for m in _role_pattern(role).finditer(sentence)]
    if not marks:
        return []
    found: list[tuple[int, int, int]] = []
    for start, end in _name_spans(sentence):
        inner = [e for s, e in marks if start <= s < end]  # "Welsh Health Minister Jane Hutt": after the role word
        if inner:
            start = max(inner)
            while start < end and not sentence[start].isalpha():
                start += 1
        owner = _POSSESSIVE.search(sentence, start, end)
        if owner:  # "Rod Macqueen's Southern Hemisphere team": the holder is the owner
            end = owner.start()
        words = {w.lower().strip("'’") for w in _WORD.findall(sentence[start:end])}
        if not words or words <= known or start >= end or words & _CALENDAR or words <= _NO_HOLDER:
            continue  # "French" or "Northern" next to "coach" describes the side, it names no one
        if _PREPOSITION.search(sentence[:start]):
            continue
        gaps = [
            _words_between(sentence, e, start)
            for s, e in marks
            if e <= start and not _VERB_BETWEEN.search(sentence[e:start])
        ]
        # a name just before the role word is mostly its organisation ("BA chairman Martin Broughton"); before
        # it, only an apposition counts ("Antonio Reid, chairman of ...")
        gaps += [_words_between(sentence, end, s) for s, e in marks if s >= end and "," in sentence[end:s]]
        gaps += [0] if inner else []
        gap = min(gaps, default=_NEAR_WORDS + 1)
        if gap <= _NEAR_WORDS:
            found.append((gap, start, end))
    return [(s, e) for _, s, e in sorted(found)]


def _name_spans(sentence: str) -> list[tuple[int, int]]:
    """Runs of capitalised words (a quoted nickname inside kept: 'Antonio "LA" Reid'), without a leading "The"."""
    masked = _NICKNAME.sub(lambda m: " " * len(m.group()), sentence)
    spans = []
    for match in NAME.finditer(masked):
        start, end = match.span()
        words = list(_WORD.finditer(masked[start:end]))
        while words and words[0].group().lower() in OPENERS:
            words.pop(0)
        if words:
            spans.append((start + words[0].start(), end))
    return spans


def _words_between(text: str, start: int, end: int) -> int:
    between = text[start:end]
    if re.search(r"[.;!?\"“”]\s", between):
        return _NEAR_WORDS + 1
    return len(_WORD.findall(between))
