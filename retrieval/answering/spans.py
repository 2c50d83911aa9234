"""The short answer inside a quoted sentence: the name, figure, date or place a who/when/how-many question wants."""

from __future__ import annotations

import re

from retrieval.answering.measures import measure_spans
from retrieval.answering.patterns import DATE, NUMBER, PLACE_LEAD, figure_key
from retrieval.answering.question import QuestionProfile
from retrieval.answering.roles import role_names
from retrieval.core.names import DEMONYMS, names_in
from retrieval.core.text import terms

SHORT_KINDS = ("who", "when", "where", "how_many", "which", "list")
_NAME_KINDS = ("who", "which", "list")  # kinds whose answer may be the holder of a role
# a name answers "who invited Iran?" only this close (characters) to a word of what was done, when the sentence has
# one; 40 was best for right minus wrong short answers on train and dev (60, 90, 130, any distance: 1-7 fewer)
NEAR_TOLD = 40
# what a count counts: left out of the short answer ("146,000 jobs" answers "how many jobs" with "146,000")
_COUNTED = re.compile(
    r"\s+(?:people|jobs|cars|vehicles|units|copies|customers|users|subscribers|members|players|staff|workers|"
    r"employees|homes|households|pupils|students|viewers|fans|visitors|passengers|votes|seats|goals|times|shares)$",
    re.IGNORECASE,
)
_TRIM = " ,;:.'\"“”‘’()[]"
# a unit written on to its figure: "140-metre", "10-mile", "a 30-storey tower"
_HYPHEN_UNIT = re.compile(
    r"-(?:metre|meter|kilometre|kilometer|km|mile|foot|ft|yard|inch|storey|story|acre|hectare|tonne|ton|"
    r"litre|liter|gallon|degree|lap|seat|bed|room)\b",
    re.IGNORECASE,
)
_AGE_TAIL = re.compile(r"[\s-]*years?(?:[\s-]+old)?$", re.IGNORECASE)
# "Who is X?" with a name of the question's own: the answer is a description ("Iran's foreign ministry spokesman")
_IDENTITY = re.compile(r"^\s*[Ww]ho\s+(?:is|was|are|were)\s+(?:[A-Z][\w'’.-]*\s*)+\??\s*$")


def short_answer(question: QuestionProfile, sentence: str, near: int | None = None) -> str | None:
    """The span of ``sentence`` of the kind the question asks for and does not already hold, or None.

    When several fit, the one nearest the words the sentence shares with the question wins (the fact next to
    what was asked about). The span is an exact substring of ``sentence``. With ``near``, only a span that starts
    within ``near`` characters of such a word counts (for a sentence the question was not matched against).
    """
    kind = question.kind
    if kind not in SHORT_KINDS or (kind == "who" and _IDENTITY.match(question.text)):
        return None  # "Who is Esmaeil Baghaei Hamaneh?" asks what he is, which no single name answers
    asks_figure = question.asks_figure  # "at what age": a figure, whatever the kind
    held = role_names(sentence, question.role, question.words) if kind in _NAME_KINDS and not asks_figure else []
    if held:  # "who runs it?": the name next to the role word (not "the judge who led the inquiry" of "at what age")
        return sentence[held[0][0] : held[0][1]]
    spans: list[tuple[int, int]] = []
    if kind == "when":
        spans = [m.span() for m in DATE.finditer(sentence) if m.group().lower() not in question.words]
    elif asks_figure:
        spans = _figures(question, sentence)
    else:
        spans = _names(question, sentence)
    spans = [_trim(sentence, s, e) for s, e in spans]
    spans = [(s, e) for s, e in spans if e > s]
    if not spans:
        return None
    listed = list(spans)  # every name, for a list answer: the filters below choose where it starts
    anchors = _anchors(question, sentence)
    if near is not None:
        spans = [span for span in spans if any(abs(span[0] - a) <= near for a in anchors)]
        if not spans:
            return None
    if not asks_figure and kind in (*_NAME_KINDS, "where"):
        told = _anchors(question, sentence, question.terms - question.name_terms)
        if told:  # "who *invited* Iran": a name next to what was done, not one across the sentence ("... and Iraq")
            spans = [span for span in spans if any(abs(span[0] - a) <= NEAR_TOLD for a in told)]
            if not spans:
                return None
    focus = set(terms(question.focus)) if question.focus else set()
    if anchors:
        spans.sort(key=lambda span: min(abs(span[0] - a) for a in anchors))
    if focus:  # "which air base": the name that holds the focus noun ("Khmeimim Air Base") first
        spans.sort(key=lambda span: not focus & set(terms(sentence[span[0] : span[1]])))
    start, end = spans[0]
    if not asks_figure and _asks_several(question):  # "which cities": "Aleppo, Hama and Homs", not "Aleppo"
        start, end = _coordinated(sentence, listed, start, end)
    if asks_figure:
        counted = _COUNTED.search(sentence[start:end])
        if counted:
            end = start + counted.start()
        unit = _HYPHEN_UNIT.match(sentence, end)
        if unit:  # "a 140-metre footbridge": the unit belongs to the figure
            end = unit.end()
        if question.measure == "age":  # "the 21-year-old" is 21 years old
            end = start + len(_AGE_TAIL.sub("", sentence[start:end]))
    return sentence[start:end]


_SEVERAL = re.compile(r"\b(?:which|what|name(?: the)?)\s+(?:two|three|four|five|several)\b", re.IGNORECASE)
_JOIN = re.compile(r"\s*,\s*(?:and\s+)?|\s+and\s+")  # what stands between two names of one list


def _asks_several(question: QuestionProfile) -> bool:
    """The question asks for several names: "which two reinsurers", "which cities" (a plural focus noun)."""
    if _SEVERAL.search(question.text):
        return True
    focus = question.focus.split()[-1].lower() if question.focus else ""
    return question.kind in ("which", "list") and len(focus) > 3 and focus.endswith("s") and not focus.endswith("ss")


def _coordinated(sentence: str, spans: list[tuple[int, int]], start: int, end: int) -> tuple[int, int]:
    """``start:end`` widened over the names listed with it ("Nintendo, Nokia and Sony")."""
    grown = True
    while grown:
        grown = False
        for s, e in spans:
            if s >= end and _JOIN.fullmatch(sentence[end:s]):
                end, grown = e, True
            elif e <= start and _JOIN.fullmatch(sentence[e:start]):
                start, grown = s, True
    return start, end


_ROUTE_OR_PLACE = re.compile(
    r"\b(via|through|in|at|near|across|outside|inside|to|from|into|"
    r"(?:province|region|city|town|village|state|county|district|island|port|republic|capital|areas?|parts?|"
    r"north|south|east|west|centre|center)\s+of)\s+(?:the\s+)?$",
    re.IGNORECASE,
)
# "speaking to IRNA", "a letter from Smith": after these a name may be the person asked about
_SPEECH = re.compile(
    r"\b(?:speak|speaking|spoke|spoken|talk|talking|talked|told|said|say|says|wrote|write|writes|"
    r"letter|message|call|calls|called|statement|complaint|reply|replied|sent|send|apology|"
    r"belongs?|belonged|sold|given|gave|handed|awarded|went|go|goes|passed)\s+$",
    re.IGNORECASE,
)


# words of saying: a question with one may ask who said something
_ASKS_SPEECH = re.compile(
    r"\b(?:say|says|said|tell|tells|told|speak|speaks|spoke|according|comment\w*|claim\w*|warn\w*|argu\w*|"
    r"insist\w*|add|added|stat(?:e|ed|es)|announc\w*|describ\w*|call\w*|accus\w*|quot\w*|word|words|remark\w*)\b",
    re.IGNORECASE,
)
_SAID_AFTER = re.compile(
    r"^,?\s+(?:has\s+|had\s+)?(?:said|says|added|told|stated|noted|stressed|explained|insisted|argued|warned|"
    r"claimed|wrote|reported)\b",
    re.IGNORECASE,
)
_SAID_BEFORE = re.compile(r"\b(?:said|says|according to|added|told)\s+$", re.IGNORECASE)


def _speaker(sentence: str, start: int, end: int) -> bool:
    """The name at ``start:end`` is who said the sentence ("..., Baghaei Hamaneh said.", "said Mr Smith")."""
    return bool(_SAID_AFTER.match(sentence[end:]) or _SAID_BEFORE.search(sentence[max(0, start - 15) : start]))


# "the capital Damascus", "the port city of Basra": a place named after what kind of place it is
_PLACE_NOUN = re.compile(
    r"\b(?:capital|city|town|village|province|region|port|county|island|district)\s+(?:of\s+)?$", re.IGNORECASE
)
_ASKS_PLACE = re.compile(
    r"^\s*(?:and\s+)?(?:in|at|from|to|into|near)?\s*(?:which|what)\s+(?:[\w-]+\s+){0,2}?(?:city|cities|town|towns|"
    r"village|villages|capital|capitals|country|countries|province|provinces|region|regions|port|ports|county|"
    r"counties|island|islands|state|states)\b",
    re.IGNORECASE,
)


def _names(question: QuestionProfile, sentence: str) -> list[tuple[int, int]]:
    """The names of ``sentence`` that can answer a who / which / where question: new to the question, not a time,
    a description, a place something went through (for who) or the speaker (unless who said it is asked)."""
    kind = question.kind
    place = kind == "where" or bool(_ASKS_PLACE.match(question.text))  # "which cities": no group's name
    spans: list[tuple[int, int]] = []
    for raw in names_in(sentence):
        name = _bare_name(raw)
        name_terms = set(terms(name))
        if not name_terms or name_terms <= question.name_terms or name_terms <= question.terms:
            continue
        if name_terms & question.name_terms:  # "the Islamic Republic of Iran" for "who did Iran ...": Iran itself
            continue
        if f"({name})" in sentence:  # an acronym standing for the name before it: the name is the answer
            continue
        if DATE.fullmatch(name):  # "Friday", "December": a time, never who, which or where
            continue
        if _describes(name):  # "Russian", "US-based", "Legendary Dutch": a description, not a name
            continue
        start = sentence.find(name)
        before = sentence[max(0, start - 12) : start + 1]
        led = sentence[:start]
        if place and not (PLACE_LEAD.search(before) or _ROUTE_OR_PLACE.search(led) or _PLACE_NOUN.search(led)):
            continue  # a place: "in Sheffield", "the western province of Idlib", "the capital Damascus"
        if kind == "who" and _route_or_place(sentence, start):
            continue  # not where something went ("to Iran", "through Khmeimim")
        if _speaker(sentence, start, start + len(name)) and not _ASKS_SPEECH.search(question.text):
            continue  # "..., Baghaei Hamaneh said": who said it, not what "what infrastructure" asks for
        spans.append((start, start + len(name)))
    return spans


def _figures(question: QuestionProfile, sentence: str) -> list[tuple[int, int]]:
    """The figures of ``sentence`` that can answer a how-many / how-much question.

    When the question asks for a measure (an age, a duration, money...), only figures of that measure: a
    sentence that gives none has no short answer ("112,000" tickets does not say how long they took to go). A
    count is never a year ("the 1992 album" for "how many notes").
    """
    numbers = [m.span() for m in NUMBER.finditer(sentence)]
    if question.measure is not None and question.measure != "count":
        spans = []
        for start, end in measure_spans(question.measure, sentence, question.numbers, question.counted):
            inside = [(s, e) for s, e in numbers if s < end and e > start]
            if not inside:
                spans.append((start, end))
            elif question.measure == "age":  # "aged 91": the age is the number
                spans.append(inside[0])
            else:  # the whole figure ("£1.25m", "20%") with its unit ("24 hours")
                spans.append((min(start, inside[0][0]), max(end, inside[-1][1])))
        return spans
    spans = [
        m.span()
        for m in NUMBER.finditer(sentence)
        if any(ch.isdigit() for ch in m.group())
        and figure_key(m.group()) not in question.numbers
        and not _YEAR.fullmatch(m.group().strip())
    ]
    if not spans:  # "eight-year ban", "two goals"
        spans = [m.span() for m in NUMBER.finditer(sentence) if m.group().lower() not in question.words]
    return spans


def _describes(name: str) -> bool:
    """``name`` is a word of description, not a name: a nationality ("Russian", "Dutchman"), a compound adjective
    ("US-based", "Hindi-language", "Oscar-winning") or only such words ("Legendary Dutch")."""
    return all(
        (word.lower() in DEMONYMS and word.lower() not in _PLACE_PARTS) or word.lower() == "olympic" or _prefix(word)
        for word in name.split()
    )


def _prefix(word: str) -> bool:
    """A word that describes the person named after it ("Welshman Jimmy Watkins", "Oscar-winner Sir Anthony
    Hopkins"); not a nationality alone, which may open a name ("British Airways", "Swiss Re")."""
    return word.lower() in _PREFIXES or bool(_DESCRIPTIVE.search(word))


_YEAR = re.compile(r"(?:1[89]|20)\d\d")
_DESCRIPTIVE = re.compile(r"-(?:based|born|language|speaking|owned|run|led|backed|made|winning|winner|style)$", re.I)
_PREFIXES = frozenset("legendary former veteran welshman frenchman irishman scotsman englishman dutchman".split())
_PLACE_PARTS = frozenset("new north south east west northern southern eastern western latin".split())  # New Zealand


# "Syria and Iraq": a name joined to the one before it (a comma alone may open an apposition: "in Uganda, Sarah")
_LISTED_AFTER = re.compile(r"[A-Z][\w'’-]*(?:\s+[A-Z][\w'’-]*)*,?\s+(?:and|or)\s+$")


def _route_or_place(sentence: str, start: int) -> bool:
    """The name at ``start`` is where something is or goes ("to Iran", "through Khmeimim Air Base", "in Paris",
    "the province of Idlib"), not someone: "to" and "from" after words of speech or giving ("speaking to IRNA",
    "sold to Glazer") are not."""
    offset = max(0, start - 40)
    before = sentence[offset:start]
    lead = _ROUTE_OR_PLACE.search(before)
    if lead is None:  # "from Syria and Iraq": a name listed after a place is a place too
        listed = _LISTED_AFTER.search(before)
        return listed is not None and _route_or_place(sentence, offset + listed.start())
    if lead.group(1) in ("to", "from", "into"):
        return not _SPEECH.search(before[: lead.start()])
    return True


def _anchors(question: QuestionProfile, sentence: str, words: frozenset[str] | None = None) -> list[int]:
    """Offsets in ``sentence`` of words the question also uses (of ``words`` when given)."""
    wanted = question.terms if words is None else words
    out = []
    for match in re.finditer(r"[\w'’-]+", sentence):
        stemmed = terms(match.group())
        if stemmed and stemmed[0] in wanted:
            out.append(match.start())
    return out


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start] in _TRIM:
        start += 1
    while end > start and text[end - 1] in _TRIM:
        end -= 1
    return start, end


# words that stand before a name as its role or title, not as part of it ("Actor Gerard Jugnot", "Senator Leahy")
_ROLES = frozenset(
    """actor actress novelist author writer singer star director producer senator president minister chairman
    chairwoman chief executive boss governor coach manager striker player captain spokesman spokeswoman analyst
    economist professor judge prime secretary chancellor mayor leader founder editor presenter comedian rapper
    band group firm company club team mr mrs ms miss dr""".split()
)


def _bare_name(name: str) -> str:
    """``name`` without a leading role word, description ("Welshman", "Oscar-winner") or possessive owner, and
    without a trailing possessive."""
    words = name.split()
    while len(words) > 1 and (
        words[0].lower() in _ROLES
        or words[0].endswith(("'s", "’s"))
        or _prefix(words[0])
        or (words[0].lower() in DEMONYMS and words[1].lower() in _ROLES)  # "Italian Prime Minister Silvio Berlusconi"
    ):
        words = words[1:]
    bare = " ".join(words)
    for tail in ("'s", "’s"):
        if bare.endswith(tail):
            bare = bare[: -len(tail)]
    return bare
