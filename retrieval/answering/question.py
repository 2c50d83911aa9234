"""What a question asks for: its kind, the kind of thing that answers it, and the names, numbers and dates it holds."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace

from retrieval.answering.measures import asked_measure, counted_words
from retrieval.answering.patterns import DATE, NUMBER, QUARTER, YEAR, figure_key
from retrieval.answering.roles import asked_role, role_hint
from retrieval.core.names import names_in
from retrieval.core.text import terms

# (kind, pattern), tried in order; the first that matches wins
_KINDS = (
    (
        "how_many",
        r"\bhow (?:many|much|big|large|long|far|old|fast|high|tall|heavy)\b|\bwhat (?:percentage|proportion|"
        r"share|number|amount|price|figure|fee|sum|total|rate|level|score|value|cost)\b|\bby how\b|"
        r"\bwhat (?:is|was|are|were) the (?:[a-z-]+ ){0,2}(?:toll|tally|number|total|count|population|amount|"
        r"price|cost|figure|rate|score)s?\b",
    ),
    ("when", r"\bwhen\b|\bwhat (?:date|year|day|month|time)\b|\bwhich (?:date|year|day|month)\b|\buntil when\b"),
    (
        "who",
        r"\bwho(?:m|se)?\b|\bwhich (?:person|man|woman|player|actor|actress|singer|minister|official|director|"
        r"boss|chief|executive|band|group|team|club|company|firm|party|star|artist|politician)\b",
    ),
    (
        "where",
        r"\bwhere\b|\bwhich (?:city|country|town|place|region|venue|stadium|state|nation|county|site|plant|"
        r"factory|prison|village|island|area|continent)\b|\bin what (?:city|country|town|place)\b",
    ),
    ("why", r"\bwhy\b|\bwhat (?:caused|led to|prompted|was the reason|is the reason)\b|\bfor what reason\b"),
    ("how", r"\bhow\b"),
    (
        "list",
        r"^\s*(?:name|list)\b|\bwhich (?:\w+ )?(?:countries|firms|companies|films|bands|players|teams|people|"
        r"towns|cities|groups|songs|albums|banks|nations|clubs|parties|members|states|brands|products)\b",
    ),
    ("which", r"\bwhich\b|\bwhat (?:is|was|are|were) the name\b|\bwhat \w+ (?:did|does|do|is|was|will)\b"),
    ("what", r"\bwhat\b|\bdoes\b|\bdid\b|\bis\b|\bare\b|\bwas\b|\bwere\b|\bcan\b|\bwill\b|\bhas\b|\bhave\b"),
)
KINDS = ("how_many", "when", "who", "where", "why", "how", "list", "which", "what", "search")
FOCUS = re.compile(
    r"\b(?:which|what|whose|how many|how much|name (?:the|a|an|one))\s+((?:[a-z][\w-]*\s+){0,2}?[a-z][\w-]*)\b",
    re.IGNORECASE,
)
_QUESTION_WORD = re.compile(
    r"^\s*(?:who|whom|whose|what|when|where|which|why|how|is|are|was|were|did|do|does|can|could|will|would|should|"
    r"has|have|had|name|list|tell|according|in|on|at|after|before|during|for|from|by|to|with|apart)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class QuestionProfile:
    """The question as the answer selector sees it."""

    text: str
    kind: str  # one of KINDS
    terms: frozenset[str]  # stemmed content terms
    names: tuple[str, ...]  # proper names
    name_terms: frozenset[str]  # stemmed terms of the names
    numbers: frozenset[str]  # figures written in the question
    years: frozenset[str]
    quarters: frozenset[str]  # "q1".."q4" or "first".."fourth"
    has_date: bool
    words: frozenset[str]  # lower-cased words as written (to tell new names from names the question gives)
    focus: str = ""  # the noun the question asks about: "which *air base*", "how many *prizes*"
    role: frozenset[str] = frozenset()  # role words for "who runs it?", "its spokesman?" (`retrieval.answering.roles`)
    measure: str | None = None  # the measure a figure must have: "age", "money", "count"... (`.measures`)
    counted: frozenset[str] = frozenset()  # what a count question counts ("how many *prizes*")

    @property
    def asks_figure(self) -> bool:
        """Only a figure answers it: "how many", "how much", "how old", "at what age", "what share"."""
        return self.kind == "how_many" or self.measure is not None


def kind_of(question: str) -> str:
    """The kind of question: one of `KINDS` ("search" when it has no question word, like a search-box query).

    The question word that comes first decides ("Who was the minister *when* ..." is a who question).
    """
    q = question.lower()
    if not _QUESTION_WORD.search(q) and not q.rstrip().endswith("?"):
        return "search"
    found = [
        (m.start(), order, kind)
        for order, (kind, pattern) in enumerate(_KINDS)
        if (m := re.search(pattern, q)) and kind != "what"
    ]
    if found:
        return min(found)[2]
    return "what"


def profile(question: str) -> QuestionProfile:
    """Analyse ``question`` once; every candidate sentence is then scored against this profile."""
    names = tuple(names_in(question))
    name_terms = frozenset(t for n in names for t in terms(n))
    numbers = frozenset(
        figure_key(m.group()) for m in NUMBER.finditer(question) if any(ch.isdigit() for ch in m.group())
    )
    return QuestionProfile(
        text=question,
        kind=kind_of(question),
        terms=frozenset(terms(question)) | frozenset(terms(role_hint(question))),  # "who runs it": chief executive
        names=names,
        name_terms=name_terms,
        numbers=numbers,
        years=frozenset(YEAR.findall(question)),
        quarters=frozenset(_quarter(m) for m in QUARTER.finditer(question)),
        has_date=bool(DATE.search(question)),
        words=frozenset(w.lower() for w in re.findall(r"[\w'’-]+", question)),
        focus=focus.group(1) if (focus := FOCUS.search(question)) else "",
        role=asked_role(question),
        measure=asked_measure(question),
        counted=counted_words(question),
    )


def with_compounds(asked: QuestionProfile, known: Callable[[str], bool]) -> QuestionProfile:
    """``asked`` with the parts of a compound word the collection writes apart: "Which *airbase* ...?" where the
    articles say "Khmeimim Air Base" (also "website", "stockmarket"). Only a word the collection never uses is
    split, and only into two words it does use (three letters at least each)."""
    extra: set[str] = set()
    focus = asked.focus
    for word in re.findall(r"[a-z]{6,}", asked.text.lower()):
        stem = terms(word)
        if not stem or known(stem[0]):
            continue
        for cut in range(3, len(word) - 2):
            head, tail = terms(word[:cut]), terms(word[cut:])
            if head and tail and known(head[0]) and known(tail[0]):
                extra |= {head[0], tail[0]}
                focus = re.sub(rf"\b{word}\b", f"{word[:cut]} {word[cut:]}", focus, flags=re.IGNORECASE)
                break
    if not extra:
        return asked
    return replace(asked, terms=asked.terms | extra, focus=focus)


def _quarter(match: re.Match[str]) -> str:
    text = match.group().lower()
    for word, value in (
        ("first", "1"),
        ("second", "2"),
        ("third", "3"),
        ("fourth", "4"),
        ("final", "4"),
        ("last", "4"),
    ):
        if word in text:
            return value
    digits = re.findall(r"[1-4]", text)
    return digits[0] if digits else text
