"""The measure a "how old / how long / how much / how many" question wants, and whether a sentence gives one.

"How old is Arjen Robben?" wants an age ("the 21-year-old"), not the "six weeks" of his injury in the same
passage; "how much did it cost" wants money, "by how much did sales rise" a percentage or an amount, "how many
prizes" a count of prizes. A figure of the wrong measure is weaker evidence than one of the asked measure.
"""

from __future__ import annotations

import re

from retrieval.answering.patterns import NUMBER, figure_key

_MONEY_WORDS = (
    r"cost|costs|pay|paid|spend|spent|spending|worth|profit|profits|price|money|fine|fined|fee|fees|raise|raised|"
    r"sales|revenue|revenues|earn|earned|earnings|loss|losses|deal|bid|budget|invest|invested|investment|sum|"
    r"sell|sold|buy|bought|value|valued|debt|debts|cash|salary|wage|wages|funding|fund|compensation|damages|"
    r"turnover|income|tax|bill|offer|offered|charge|charged|prize money|takings|gross|grossed|save|saved|cut"
)
_CHANGE = (
    r"rise|rose|risen|fall|fell|fallen|grow|grew|grown|increase|increased|drop|dropped|decline|declined|jump|"
    r"jumped|climb|climbed|slip|slipped|gain|gained|shrink|shrank|expand|expanded"
)
_SPELLS = r"years|months|weeks|days|hours|minutes|seasons"
# (measure, what in the question asks for it), tried in order
_ASKED = (
    ("age", r"\bhow old\b|\bwhat age\b|\bat what age\b|\bhow young\b"),
    ("length", r"\bhow long\b"),  # a time ("an eight-year ban") or a distance ("a 140-metre footbridge")
    ("duration", rf"\bfor how many (?:{_SPELLS})\b|\bhow many (?:{_SPELLS})\b"),
    ("speed", r"\bhow fast\b|\bwhat speed\b|\bhow quick(?:ly)?\b"),
    ("distance", r"\bhow (?:far|high|tall|deep|wide|big|large)\b|\bwhat (?:distance|height|size)\b"),
    (
        "percent",
        rf"\bwhat (?:percentage|proportion|share|rate)\b|\bby how much\b"
        rf"|\bhow much (?:did|has|have|had|will|is|was|were|would)\b.*\b(?:{_CHANGE})\b",
    ),
    (
        "money",
        rf"\bhow much (?:money|cash)\b|\bwhat (?:price|cost|fee|sum|amount|value|salary|fine)\b"
        rf"|\bhow much\b.*\b(?:{_MONEY_WORDS})\b",
    ),
    ("ordinal", r"\bwhich (?:number|place|position)\b|\bwhat (?:number|place|position|rank)\b"),
    ("count", r"\bhow many\b|\bwhat number of\b"),
)
_FITS = {
    "age": re.compile(
        r"\b\d{1,3}-year-old\b|\baged\s+\d{1,3}\b|\b\d{1,3}\s+years?\s+old\b|\bage\s+of\s+\d{1,3}\b|"
        r"\b(?:teenage|teenager|in (?:his|her) (?:twenties|thirties|forties|fifties|sixties|seventies))\b"
        r"|,\s*\d{1,3},",
        re.IGNORECASE,
    ),
    "duration": re.compile(
        r"\b(?:\d[\d,.]*|a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
        r"fifteen|twenty|thirty|forty|fifty|several|few|\w+teen)[\s-]+(?:years?|months?|weeks?|days?|"
        r"hours?|minutes?|seconds?|decades?|seasons?)\b|\bdecades?\b|\bovernight\b",
        re.IGNORECASE,
    ),
    "speed": re.compile(
        r"\b\d[\d,.]*\s?(?:km/h|kph|mph|miles per hour|kilometres per hour|knots|teraflops|gigaflops|"
        r"mbps|kbps|gbps|megabits|gigabits|ghz|mhz)\b|\b\d[\d,.]*\s?(?:mb|gb|kb)/s\b",
        re.IGNORECASE,
    ),
    "distance": re.compile(
        r"\b\d[\d,.]*\s?-?(?:km|kilometres?|kilometers?|miles?|metres?|meters?|m|feet|foot|ft|"
        r"inches|inch|cm|mm|yards?|storeys?|stories|floors|square|sq|hectares?|acres?|tonnes?|tons?|"
        r"kg|kilos?|gigabytes?|megabytes?|gb|mb|tb)\b",
        re.IGNORECASE,
    ),
    "percent": re.compile(
        r"\d\s?%|\bper\s*cent\b|\bpercent\b|\bpercentage points?\b|\b(?:doubled|tripled|halved)\b|"
        r"[$£€¥]\s?\d|\b\d[\d,.]*\s?(?:bn|m|billion|million)\b",
        re.IGNORECASE,
    ),
    "money": re.compile(
        r"[$£€¥]\s?\d|\b\d[\d,.]*\s?(?:bn|m|k|tn|billion|million|thousand|trillion)?\s?"
        r"(?:dollars|pounds|euros?|yen|yuan|rupees|francs|roubles|rubles|pence|p)\b|"
        r"\b(?:us\$|a\$|c\$|rs\.?)\s?\d|\b\d[\d,.]*\s?(?:bn|m)\b",
        re.IGNORECASE,
    ),
    "ordinal": re.compile(
        r"\b\d[\d,]*(?:st|nd|rd|th)\b|\b(?:first|second|third|fourth|fifth|sixth|seventh|eighth|"
        r"ninth|tenth|eleventh|twelfth|twentieth|hundredth)\b",
        re.IGNORECASE,
    ),
}
_COUNT_SKIP = re.compile(r"%|\bper\s*cent\b|[$£€¥]|\b(?:bn|m)\b|\b(?:19|20)\d\d\b$", re.IGNORECASE)
_WORD = re.compile(r"[a-z][\w-]*", re.IGNORECASE)


def asked_measure(question: str) -> str | None:
    """The measure ``question`` wants ("age", "length" (a time or a distance), "duration", "speed", "distance",
    "percent", "money", "ordinal", "count"), or None when it asks for none of them."""
    q = question.lower()
    for measure, pattern in _ASKED:
        if re.search(pattern, q):
            return measure
    return None


def counted_words(question: str) -> frozenset[str]:
    """What a count question counts: the words after "how many" up to its verb ("how many People's Choice
    *prizes* did ..." gives people's, choice, prize), singular."""
    match = re.search(r"\b(?:how many|number of)\s+((?:[\w'’-]+\s+){0,3})", question.lower() + " ")
    if not match:
        return frozenset()
    words = []
    for word in match.group(1).split():
        if word in _VERBS:
            break
        words.append(word.rstrip("s") if len(word) > 3 else word)
    return frozenset(words) - {"people", "more", "of", "the", "a", "an"}


_VERBS = frozenset("did does do has have had is are was were will would can could should may might been be".split())


def fits_measure(measure: str | None, sentence: str, numbers: frozenset[str], counted: frozenset[str]) -> bool:
    """Whether ``sentence`` gives a figure of ``measure`` that the question (``numbers``) does not already hold."""
    return bool(measure_spans(measure, sentence, numbers, counted))


def measure_spans(
    measure: str | None, sentence: str, numbers: frozenset[str], counted: frozenset[str]
) -> list[tuple[int, int]]:
    """Where ``sentence`` gives a figure of ``measure`` that the question (``numbers``) does not already hold.

    For a count, the figure must not be a percentage, an amount of money or a year; when the question names what
    is counted (``counted``, "how many *prizes*"), one of its words must follow the figure closely.
    """
    if measure is None:
        return []
    spans: list[tuple[int, int]] = []
    if measure == "count":
        for match in NUMBER.finditer(sentence):
            text = match.group()
            if figure_key(text) in numbers or _COUNT_SKIP.search(text):
                continue
            if not any(ch.isdigit() for ch in text) and len(text) <= 3:
                continue  # "one", "two" alone are too common to count
            after = _WORD.findall(sentence[match.end() : match.end() + 40])[:4] + _WORD.findall(text)
            if not counted or any((w.lower().rstrip("s") if len(w) > 3 else w.lower()) in counted for w in after):
                spans.append(match.span())
        return spans
    patterns = (_FITS["duration"], _FITS["distance"]) if measure == "length" else (_FITS[measure],)
    for pattern in patterns:
        for match in pattern.finditer(sentence):
            if figure_key(sentence[match.start() : match.end() + 12]) not in numbers:  # all of "$100m", not "$1"
                spans.append(match.span())
    return spans
