"""Time words in a question: a date range, a wish for the newest reports, and the question without them.

``understand_time("What happened in Kharkiv yesterday?", date(2024, 12, 20))`` gives
``TimeScope(since="2024-12-19", until="2024-12-19", recency=False, expressions=("yesterday",),
question="What happened in Kharkiv?")``. Pure and offline: our own regular expressions find the candidate phrases
and resolve the relative ones; dateparser (imported lazily, only for a day-and-month candidate such as
"14 March 2024") reads the absolute days.

Decisions, relative to ``reference`` (weeks start on Monday):

- "on Monday", "since Monday": the most recent Monday on or before the reference (the reference itself when it is
  a Monday). "last Monday": the most recent Monday strictly before the reference (a week ago when the reference is
  a Monday). "this Monday": the Monday of the reference's week.
- "this week/month/year/quarter" and "earlier this ..." end at the reference; "last week" is the previous
  Monday-Sunday, "last month/year/quarter" the previous calendar one. "the past/last N days/weeks/months/years"
  and "past week" are rolling windows ending at the reference.
- "in March" (no year): the most recent March not after the reference month; "last March": the most recent
  March before the reference month. Named days and months cover their whole span (not clipped at the reference).
- "since X": since = start of X. "after X": the day after X. "before X" / "until X": the day before X
  ("until the end of X": the end of X). "up to X" / "through X" / "as of X" / "by X": until = end of X.
  "between X and Y" / "from X to Y": start of X to end of Y; "in X and Y" / "in X or Y": both.
- "early/mid/late March" and "the start/middle/end of March": days 1-10, 11-20, 21-end; of a year
  ("early 2024", "the end of 2023"): January-March, May-August, October-December.
- A year used as a name ("the 2004 tsunami", "2023 people") is no filter and stays in the question for search;
  numeric dates other than ISO ("12/03/2024": day or month first?) are left alone.
- "at the weekend" / "this weekend": the most recent Saturday-Sunday (clipped at the reference).
- Four-digit decades ("the 1990s") are ranges; two-digit ones ("the 90s", often ages) are ignored.
- Future words ("tomorrow", "next week") and anchors such as "before the election" are left alone.
- Several expressions: their ranges are intersected; when the intersection is empty (for example
  "March 2023 or March 2024") their union is used.
- Recency words ("latest", "now", "still", "so far", "recently", ...) set ``recency`` and never a range.
- Only the first ``MAX_SCAN_CHARS`` characters are searched, and dateparser sees at most
  ``MAX_DATEPARSER_CALLS`` short spans per question, so a 100 KB message returns at once.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from retrieval.core.errors import InputError

MAX_SCAN_CHARS = 2000
MAX_DATEPARSER_CALLS = 6
DEFAULT_DECAY_PER_YEAR = 0.5

Span = tuple[date | None, date | None]


@dataclass(frozen=True)
class TimeScope:
    """What a question says about time: an inclusive ISO date range, a recency wish, and what was removed."""

    since: str | None
    until: str | None
    recency: bool
    expressions: tuple[str, ...]
    question: str

    @property
    def has_filter(self) -> bool:
        return self.since is not None or self.until is not None

    def describe(self) -> str:
        """A short human phrase: "2024-12-13 to 2024-12-20", "on 2024-12-19", "since ...", "newest first", ""."""
        if self.since and self.until:
            text = f"on {self.since}" if self.since == self.until else f"{self.since} to {self.until}"
        elif self.since:
            text = f"since {self.since}"
        elif self.until:
            text = f"until {self.until}"
        else:
            text = ""
        if self.recency:
            text = f"{text}, newest first" if text else "newest first"
        return text


def recency_weight(age_days: float, decay_per_year: float = DEFAULT_DECAY_PER_YEAR, floor: float = 0.5) -> float:
    """Danswer-style bounded boost ``max(1 / (1 + decay * age_years), floor)``: 1.0 at age 0, never below floor.

    Future dates count as age 0; an unknown age (NaN) gets the floor.
    """
    if decay_per_year < 0 or not 0 <= floor <= 1:
        raise InputError("recency_weight needs decay_per_year >= 0 and 0 <= floor <= 1")
    if math.isnan(age_days):
        return floor
    age_years = max(age_days, 0.0) / 365.25
    return max(1.0 / (1.0 + decay_per_year * age_years), floor)


# ---------------------------------------------------------------------------------------------------- vocabulary

_MONTHS = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_MONTH_FULL = "(?:" + "|".join(_MONTHS) + ")"
_MONTH_ANY = "(?:" + "|".join(_MONTHS) + r"|(?:jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec)\.?)"
_WEEKDAY = "(?:" + "|".join(_WEEKDAYS) + ")"
_DAY = r"(?:3[01]|[12][0-9]|0?[1-9])(?:st|nd|rd|th)?(?![0-9]|[.,/:][0-9])"
_YEAR = r"(?<![0-9£$€¥#.,])(?:19[0-9]{2}|20[0-9]{2}|2100)(?![0-9]|[.,:/-][0-9])"
_NUMBER_WORDS = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "fifteen": 15,
    "twenty": 20,
    "thirty": 30,
    "few": 3,
    "a few": 3,
    "couple": 2,
    "couple of": 2,
    "a couple of": 2,
    "several": 5,
}
_NUM = "(?:[0-9]{1,3}|" + "|".join(sorted((k.replace(" ", r"\s+") for k in _NUMBER_WORDS), key=len, reverse=True)) + ")"
_UNIT = r"(?:hours?|days?|weeks?|fortnights?|months?|years?|decades?)"
# a bare number followed by a counted noun is a quantity, not a date: "2023 people", "March 10 miles"
_COUNTED = (
    r"(?!\s+(?:people|children|men|women|police|staff|troops|km|kg|mph|per\s*cent|percent)\b"
    r"|\s+(?-i:(?!(?:was|is|has|this|its|his|as|us|across|perhaps|always|towards|thus|whereas|unless|plus|versus"
    r"|besides|does|says|goes)"
    r"\b)[a-z]+s\b)|\s*%)"
)
_PREP = (
    r"(?P<prep>prior\s+to|up\s+until|up\s+to|as\s+of|throughout|during|through|since|after|before|until"
    r"|till|from|within|over|for|on|in|at|by)"
)

_RECENCY = (
    "as of today",
    "as of now",
    "until now",
    "up to now",
    "till now",
    "so far",
    "to date",
    "up to date",
    "right now",
    "just now",
    "now",
    "latest",
    "newest",
    "most recent",
    "most recently",
    "recently",
    "recent",
    "lately",
    "currently",
    "at the moment",
    "at present",
    "presently",
    "these days",
    "nowadays",
    "still",
    "as things stand",
    "in recent days",
    "in recent weeks",
    "in recent months",
    "in recent years",
)


def _phrases(words: tuple[str, ...] | list[str]) -> str:
    return "(?:" + "|".join(w.replace(" ", r"\s+") for w in sorted(words, key=len, reverse=True)) + ")"


def _month_number(name: str) -> int:
    return [m[:3] for m in _MONTHS].index(name.lower()[:3]) + 1


def _month_end(year: int, month: int) -> date:
    return (date(year + month // 12, month % 12 + 1, 1)) - timedelta(days=1)


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, _month_end(year, month + 1).day))


def _week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _quarter(year: int, q: int) -> Span:
    return date(year, 3 * q - 2, 1), _month_end(year, 3 * q)


def _weekend(ref: date, previous: bool) -> Span:
    saturday = ref - timedelta(days=(ref.weekday() - 5) % 7)
    if previous and ref.weekday() >= 5:
        saturday -= timedelta(days=7)
    return saturday, min(saturday + timedelta(days=1), ref)


def _fixed(ref: date) -> dict[str, Callable[[], Span]]:
    day = timedelta(days=1)
    monday = _week_start(ref)
    first = ref.replace(day=1)
    q = (ref.month - 1) // 3 + 1
    last_q = (ref.year, q - 1) if q > 1 else (ref.year - 1, 4)
    return {
        **dict.fromkeys(
            ("today", "tonight", "this morning", "this afternoon", "this evening", "earlier today"), lambda: (ref, ref)
        ),
        "yesterday": lambda: (ref - day, ref - day),
        "last night": lambda: (ref - day, ref),
        "the day before yesterday": lambda: (ref - 2 * day, ref - 2 * day),
        "this week": lambda: (monday, ref),
        "earlier this week": lambda: (monday, max(monday, ref - day)),
        **dict.fromkeys(("last week", "previous week"), lambda: (monday - 7 * day, monday - day)),
        "the week before last": lambda: (monday - 14 * day, monday - 8 * day),
        "this month": lambda: (first, ref),
        "earlier this month": lambda: (first, max(first, ref - day)),
        **dict.fromkeys(("last month", "previous month"), lambda: (_add_months(first, -1), first - day)),
        "this year": lambda: (date(ref.year, 1, 1), ref),
        "earlier this year": lambda: (date(ref.year, 1, 1), max(date(ref.year, 1, 1), ref - day)),
        **dict.fromkeys(("last year", "previous year"), lambda: (date(ref.year - 1, 1, 1), date(ref.year - 1, 12, 31))),
        "this quarter": lambda: (_quarter(ref.year, q)[0], ref),
        **dict.fromkeys(("last quarter", "previous quarter"), lambda: _quarter(*last_q)),
        **dict.fromkeys(
            ("the weekend", "this weekend", "this past weekend", "the past weekend"),
            lambda: _weekend(ref, previous=False),
        ),
        "last weekend": lambda: _weekend(ref, previous=True),
    }


_FIXED_WORDS = tuple(_fixed(date(2000, 6, 15)))


# ---------------------------------------------------------------------------------------------------- point kinds


@dataclass(frozen=True)
class _Kind:
    """One family of time phrases: a pattern with named groups and how to turn a match into a date range."""

    name: str
    pattern: str
    resolve: Callable[[re.Match[str], _Scan], Span | None]
    needs_anchor: bool = False  # at top level only with a preposition or a modifier ("on Monday", "in March")

    @property
    def groupless(self) -> str:
        return re.sub(r"\(\?P<\w+>", "(?:", self.pattern)


class _Scan:
    """The state of reading one question: the reference date and the dateparser budget."""

    def __init__(self, reference: date, parent: _Scan | None = None) -> None:
        self.reference = reference
        self._budget: list[int] = parent._budget if parent else [0]  # shared with the scan this one was made from
        self.fixed = _fixed(reference)
        self.grammar = _grammar()

    def parse_day(self, text: str, has_year: bool) -> date | None:
        """One absolute day through dateparser (imported here, not at module import), within the budget."""
        if self._budget[0] >= MAX_DATEPARSER_CALLS or len(text) > 40:
            return None
        self._budget[0] += 1
        import dateparser

        settings: dict[str, Any] = {
            "PREFER_DATES_FROM": "past",
            "RELATIVE_BASE": datetime.combine(self.reference, datetime.min.time()),
            "REQUIRE_PARTS": ["day", "month", "year"] if has_year else ["day", "month"],
        }
        try:
            parsed = dateparser.parse(text, languages=["en"], settings=settings)
        except Exception:  # noqa: BLE001 - dateparser raises assorted errors on odd input; an unread date is no filter
            return None
        return parsed.date() if parsed else None


def _group(match: re.Match[str], name: str) -> str | None:
    """A group that may be spelt ``name`` or ``name2`` (a kind with two word orders)."""
    groups = match.groupdict()
    return groups.get(name) or groups.get(name + "2")


def _day_number(text: str) -> int:
    return int(text.lower().rstrip("stndrh"))


def _day_month(match: re.Match[str], scan: _Scan) -> Span | None:
    day, month, year = _day_number(_group(match, "d") or ""), _month_number(_group(match, "mon") or ""), match["y"]
    text = re.sub(r"^the\s+", "", match.group(0).strip(), flags=re.IGNORECASE)
    text = re.sub(r"^" + _PREP + r"\s+", "", text, flags=re.IGNORECASE)
    parsed = scan.parse_day(text, has_year=year is not None)
    if parsed is None or (parsed.month, parsed.day) != (month, day):
        return None  # dateparser read something else than the words say: no filter rather than a wrong one
    if year is not None and parsed.year != int(year):
        return None
    if year is None and parsed > scan.reference:  # guard: a year-less day is the most recent one
        try:
            parsed = parsed.replace(year=parsed.year - 1)
        except ValueError:
            return None
    return parsed, parsed


def _iso(match: re.Match[str], scan: _Scan) -> Span | None:
    try:
        day = date(int(match["y"]), int(match["m"]), int(match["d"]))
    except ValueError:
        return None
    return day, day


def _part_of_month(year: int, month: int, part: str | None) -> Span:
    start, end = date(year, month, 1), _month_end(year, month)
    if part:
        part = part.lower()
        if part == "early":
            end = date(year, month, 10)
        elif part == "mid":
            start, end = date(year, month, 11), date(year, month, 20)
        else:
            start = date(year, month, 21)
    return start, end


_EDGES = {"start": "early", "beginning": "early", "middle": "mid", "end": "late"}
_PART = r"(?:(?P<part>early|mid|late)[\s-]+|the\s+(?P<edge>start|beginning|middle|end)\s+of\s+)?"


def _part(match: re.Match[str]) -> str | None:
    """ "early", "mid" or "late" from "early March" or "the end of March"."""
    return _EDGES[match["edge"].lower()] if match["edge"] else match["part"]


def _month_year(match: re.Match[str], scan: _Scan) -> Span | None:
    return _part_of_month(int(match["y"]), _month_number(match["mon"]), _part(match))


def _month_bare(match: re.Match[str], scan: _Scan) -> Span | None:
    ref = scan.reference
    month = _month_number(match["mon"])
    modifier = (match["mmod"] or "").lower()
    if modifier == "this":
        year = ref.year
    elif modifier == "last":
        year = ref.year if month < ref.month else ref.year - 1
    else:
        year = ref.year if month <= ref.month else ref.year - 1
    return _part_of_month(year, month, _part(match))


_ORDINALS = {
    "first": 1,
    "1st": 1,
    "second": 2,
    "2nd": 2,
    "third": 3,
    "3rd": 3,
    "fourth": 4,
    "4th": 4,
    "final": 4,
    "last": 4,
}


def _quarter_kind(match: re.Match[str], scan: _Scan) -> Span | None:
    q = int(match["q"]) if match["q"] else _ORDINALS[match["qw"].lower()]
    return _quarter(int(match["y"]), q)


def _half(match: re.Match[str], scan: _Scan) -> Span | None:
    year = int(match["y"])
    first = (match["h"] or "").lower() in ("first", "1") or (match["hh"] or "") == "1"
    return (date(year, 1, 1), date(year, 6, 30)) if first else (date(year, 7, 1), date(year, 12, 31))


def _decade(match: re.Match[str], scan: _Scan) -> Span | None:
    start = int(match["c"]) * 100 + int(match["dd"]) * 10
    return date(start, 1, 1), date(start + 9, 12, 31)


def _year(match: re.Match[str], scan: _Scan) -> Span | None:
    year = int(match["y"])
    part = (_part(match) or "").lower()
    months = {"early": (1, 3), "mid": (5, 8), "late": (10, 12)}.get(part, (1, 12))
    return date(year, months[0], 1), _month_end(year, months[1])


def _amount(text: str | None) -> int:
    if not text:
        return 1
    text = " ".join(text.lower().split())
    return int(text) if text.isdigit() else _NUMBER_WORDS[text]


def _back(ref: date, n: int, unit: str) -> date:
    unit = unit.lower().rstrip("s")
    if unit == "hour":
        return ref - timedelta(days=math.ceil(n / 24))
    if unit in ("day", "week", "fortnight"):
        return ref - timedelta(days=n * {"day": 1, "week": 7, "fortnight": 14}[unit])
    return _add_months(ref, -n * {"month": 1, "year": 12, "decade": 120}[unit])


def _rolling(match: re.Match[str], scan: _Scan) -> Span | None:
    number = match["n1"] or match["n2"]
    if not number and match["u"].lower().endswith("s"):
        return None  # "the last days of the campaign": no amount, no window
    n = _amount(number)
    if n == 0:
        return None
    return _back(scan.reference, n, match["u"]), scan.reference


def _ago(match: re.Match[str], scan: _Scan) -> Span | None:
    n, unit = _amount(match["n"]), match["u"].lower().rstrip("s")
    point = _back(scan.reference, n, unit)
    if unit in ("week", "fortnight"):
        return _week_start(point), _week_start(point) + timedelta(days=6)
    if unit == "month":
        return point.replace(day=1), _month_end(point.year, point.month)
    if unit in ("year", "decade"):
        return date(point.year, 1, 1), date(point.year, 12, 31)
    return point, point


def _fixed_kind(match: re.Match[str], scan: _Scan) -> Span | None:
    return scan.fixed[" ".join(match["fx"].lower().split())]()


def _weekday(match: re.Match[str], scan: _Scan) -> Span | None:
    ref = scan.reference
    target = _WEEKDAYS.index(match["wd"].lower())
    modifier = (match["wmod"] or "").lower()
    if modifier == "this":
        day = _week_start(ref) + timedelta(days=target)
    elif modifier in ("last", "past", "previous"):
        day = ref - timedelta(days=(ref.weekday() - target) % 7 or 7)
    else:
        day = ref - timedelta(days=(ref.weekday() - target) % 7)
    return day, day


_MON_DAY_NO_YEAR = rf"(?P<mon>{_MONTH_ANY})\s+(?P<d>{_DAY})(?!,?\s+{_YEAR}){_COUNTED}"

_KINDS = (
    _Kind("iso", r"(?P<y>(?:19|20)[0-9]{2})-(?P<m>0[1-9]|1[0-2])-(?P<d>0[1-9]|[12][0-9]|3[01])(?![0-9])", _iso),
    _Kind(
        "day month", rf"(?:the\s+)?(?P<d>{_DAY})(?:\s+of)?\s+(?P<mon>{_MONTH_ANY})(?:,?\s+(?P<y>{_YEAR}))?", _day_month
    ),
    _Kind("month year", rf"{_PART}(?P<mon>{_MONTH_ANY})(?:\s+of)?,?\s+(?P<y>{_YEAR})", _month_year),
    _Kind(
        "month day",
        rf"(?P<mon>{_MONTH_ANY})\s+(?P<d>{_DAY}),?\s+(?P<y>{_YEAR})"
        rf"|{_MON_DAY_NO_YEAR.replace('?P<mon>', '?P<mon2>').replace('?P<d>', '?P<d2>')}",
        _day_month,
    ),
    _Kind(
        "quarter",
        rf"(?:Q(?P<q>[1-4])|(?:the\s+)?(?P<qw>first|second|third|fourth|final|last|1st|2nd|3rd|4th)"
        rf"\s+quarter(?:\s+of)?),?\s+(?P<y>{_YEAR})",
        _quarter_kind,
    ),
    _Kind("half", rf"(?:(?:the\s+)?(?P<h>first|second)\s+half\s+of|H(?P<hh>[12]))\s+(?P<y>{_YEAR})", _half),
    _Kind("decade", r"(?:the\s+)?(?P<c>19|20)(?P<dd>[0-9])0['’]?s", _decade),
    _Kind(
        "rolling",
        rf"(?:(?:the|this)\s+(?:past|last|previous)(?:\s+(?P<n1>{_NUM}))?|(?:past|last|previous)\s+"
        rf"(?P<n2>{_NUM})|past)\s+(?P<u>{_UNIT})",
        _rolling,
    ),
    _Kind("ago", rf"(?P<n>{_NUM})\s+(?P<u>{_UNIT})\s+ago", _ago),
    _Kind("fixed", rf"(?P<fx>{_phrases(_FIXED_WORDS)})", _fixed_kind),
    _Kind("weekday", rf"(?:(?P<wmod>last|this|past|previous)\s+)?(?P<wd>{_WEEKDAY})", _weekday, needs_anchor=True),
    _Kind("month", rf"{_PART}(?:(?P<mmod>last|this)\s+)?(?P<mon>{_MONTH_FULL})", _month_bare, needs_anchor=True),
    _Kind("year", rf"{_PART}(?:the\s+year\s+)?(?P<y>{_YEAR}){_COUNTED}", _year),
)


_FLAGS = re.IGNORECASE
_START = r"(?<![\w£$€¥#/])(?<![0-9][.,:-])"  # not inside a word, an amount or a number such as 24/7 or 1.5
_END = r"(?:['’]s)?(?!\w)"
_POINT = "(?:" + "|".join(kind.groupless for kind in _KINDS) + ")"


class _Grammar:
    """The compiled patterns (about 50 ms of regex compilation): built on first use, not at import."""

    def __init__(self) -> None:
        self.kinds = tuple(
            (kind, re.compile(rf"{_START}(?:{_PREP}\s+)?(?:{kind.pattern}){_END}", _FLAGS)) for kind in _KINDS
        )
        self.full = tuple((kind, re.compile(kind.pattern, _FLAGS)) for kind in _KINDS)
        self.recency = re.compile(rf"(?<!\w){_phrases(_RECENCY)}(?!\w)", _FLAGS)
        self.day_range = re.compile(
            rf"{_START}(?:between\s+(?:the\s+)?(?P<d1>{_DAY})\s+(?:and|&)|(?:from\s+)?(?:the\s+)?(?P<d1b>{_DAY})"
            rf"\s*(?:-|–|to|until|till)\s*)\s*(?P<rest>{_KINDS[1].groupless}){_END}",
            _FLAGS,
        )
        self.range = re.compile(
            rf"{_START}(?:between\s+(?P<a>{_POINT})\s+(?:and|&)|from\s+(?P<a2>{_POINT})\s+(?:to|until|till|through|-|–))"
            rf"\s+(?P<b>{_POINT}){_END}",
            _FLAGS,
        )
        self.list = re.compile(
            rf"{_START}(?P<prep>in|on|during|over|throughout|for)\s+(?P<a>{_POINT}),?\s+(?:and|or|&)\s+(?P<b>{_POINT})"
            rf"{_END}",
            _FLAGS,
        )


@functools.cache
def _grammar() -> _Grammar:
    return _Grammar()


_VERB_AFTER = re.compile(
    r"\s+(?-i:[a-z]+ed|said|says|say|is|was|has|had|have|will|would|could|should|can|did|does"
    r"|told|won|lost|be|not)\b",
    _FLAGS,
)
_NEWSPAPER_AFTER = re.compile(
    r"\s+(?-i:Times|Telegraph|Mirror|Express|Post|People|Herald|Mail|Sport|Star"
    r"|Independent|World|Night)\b",
    _FLAGS,
)
_NEWSPAPER_BEFORE = re.compile(r"(?-i:Mail|Independent|Observer)\s+$", _FLAGS)
_ATTRIBUTIVE = re.compile(
    r"\s+(?!(?:and|or|to|until|till|through|onwards?|so|in|on|at|for|with|by|after|before|when"
    r"|while|as|was|were|is|are|has|had|have|did|compared|versus|vs)\b)[^\W\d_]",
    _FLAGS,
)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _resolve_point(text: str, scan: _Scan) -> Span | None:
    """The range of a point phrase inside a compound ("between <March> and <May>")."""
    for kind, regex in scan.grammar.full:
        match = regex.fullmatch(text)
        if match:
            return kind.resolve(match, scan)
    return None


def _apply_prep(prep: str | None, span: Span, through_end: bool = False) -> Span:
    """The range a preposition makes of a point; ``through_end``: "until the end of March" includes March's end."""
    since, until = span
    word = " ".join((prep or "").lower().split())
    if through_end and word in ("until", "till", "up until", "before"):
        return None, until
    if word == "since":
        return since, None
    if word == "after":
        return (until + timedelta(days=1) if until else None), None
    if word in ("before", "until", "till", "prior to", "up until"):
        return None, (since - timedelta(days=1) if since else None)
    if word in ("up to", "through", "as of", "by"):
        return None, until
    return since, until


@dataclass
class _Found:
    start: int
    end: int
    text: str
    span: Span


def _accept(kind: _Kind, match: re.Match[str], text: str) -> bool:
    """Guards against ordinary words: "Sheffield Wednesday", "may the minister", "Option 1 may be"."""
    prep, body = match["prep"], text[match.start() : match.end()]
    after, before = text[match.end() :], text[: match.start()]
    if kind.needs_anchor and not (
        prep
        or match.groupdict().get("wmod")
        or match.groupdict().get("mmod")
        or match.groupdict().get("part")
        or match.groupdict().get("edge")
    ):
        return False
    if kind.name == "weekday" and (
        _NEWSPAPER_AFTER.match(after) or (prep and prep.lower() == "on" and _NEWSPAPER_BEFORE.search(before))
    ):
        return False
    if kind.name in ("rolling", "fixed") and re.match(r"\s+of\b", after, re.IGNORECASE):
        return False  # "the last day of the summit", "the last quarter of the year", "last week of December"
    if (
        prep
        and prep.lower() == "by"
        and kind.needs_anchor
        and not (match.groupdict().get("wmod") or match.groupdict().get("mmod"))
    ):
        return False  # "replaced by May"
    if kind.name == "year" and not (prep or match["part"] or match["edge"]) and _ATTRIBUTIVE.match(after):
        return False  # "the 2004 tsunami" names an event; reports about it come later too: keep "2004" for search
    if kind.name == "month" and _VERB_AFTER.match(after):
        return False
    # lowercase "may"/"march" with a bare number and no preposition: "Option 1 may be better"
    return not (
        kind.name in ("day month", "month day")
        and not prep
        and re.search(r"\b(?:may|march)\b", body)
        and not re.search(r"[0-9]{4}", body)
    )


def _scan(text: str, scan: _Scan) -> tuple[list[_Found], bool]:
    found: list[_Found] = []
    blocked: list[_Found] = []  # dates that do not exist ("31 February 2024"): no filter, and no "February 2024"
    recency = False

    def free(start: int, end: int) -> bool:
        return all(end <= f.start or start >= f.end for f in (*found, *blocked))

    grammar = scan.grammar
    for match in grammar.recency.finditer(text):
        recency = True
        found.append(_Found(match.start(), match.end(), match.group(0), (None, None)))
    for match in grammar.day_range.finditer(text):
        end = _resolve_point(match["rest"], scan)
        if end and end[1] and free(match.start(), match.end()):
            try:
                start = end[1].replace(day=_day_number(match["d1"] or match["d1b"]))
            except ValueError:
                continue
            if start <= end[1]:
                found.append(_Found(match.start(), match.end(), match.group(0), (start, end[1])))
    for match in grammar.range.finditer(text):
        first, b = match["a"] or match["a2"], _resolve_point(match["b"], scan)
        a = _resolve_point(first, scan)
        if a and b and a[0] and b[1] and a[0] > b[1]:  # "between March and May" asked in April: read March before May
            a = _resolve_point(first, _Scan(b[1], scan))
        if a and b and a[0] and b[1] and a[0] <= b[1] and free(match.start(), match.end()):
            found.append(_Found(match.start(), match.end(), match.group(0), (a[0], b[1])))
    for match in grammar.list.finditer(text):
        a, b = _resolve_point(match["a"], scan), _resolve_point(match["b"], scan)
        if a and b and a[0] and b[0] and a[1] and b[1] and free(match.start(), match.end()):
            found.append(_Found(match.start(), match.end(), match.group(0), (min(a[0], b[0]), max(a[1], b[1]))))
    for kind, regex in grammar.kinds:
        pos = 0
        while (hit := regex.search(text, pos)) is not None:
            pos = hit.start() + 1
            if not free(hit.start(), hit.end()) or not _accept(kind, hit, text):
                continue
            try:
                span = kind.resolve(hit, scan)
            except (ValueError, OverflowError):  # a date outside the calendar ("the past 999 decades")
                span = None
            if span is not None:
                through_end = (hit.groupdict().get("edge") or "").lower() == "end"
                found.append(_Found(hit.start(), hit.end(), hit.group(0), _apply_prep(hit["prep"], span, through_end)))
                pos = hit.end()
            elif kind.name in ("iso", "day month", "month day"):
                blocked.append(_Found(hit.start(), hit.end(), hit.group(0), (None, None)))
                pos = hit.end()
    found.sort(key=lambda f: f.start)
    return found, recency


def _combine(spans: list[Span]) -> Span:
    """Intersect the ranges; when they exclude each other, take their union."""
    sinces = [s for s, _ in spans if s is not None]
    untils = [u for _, u in spans if u is not None]
    since, until = (max(sinces) if sinces else None), (min(untils) if untils else None)
    if since is None or until is None or since <= until:
        return since, until
    all_bounded = all(s is not None for s, _ in spans), all(u is not None for _, u in spans)
    return (min(sinces) if all_bounded[0] else None), (max(untils) if all_bounded[1] else None)


def _tidy(text: str) -> str:
    text = " ".join(_CONTROL.sub(" ", text).split())
    text = re.sub(r"\s+([?.!,;:])", r"\1", text)
    text = re.sub(r"([,;:])+(?=[?.!,;:]|$)", "", text)
    return re.sub(r"^[\s,;:]+", "", text).strip()


def understand_time(question: str, reference: date) -> TimeScope:
    """Find the time expressions of ``question`` relative to ``reference`` (usually today).

    Never raises for any text; a question with no time words comes back unchanged apart from its spacing.
    """
    if not isinstance(question, str):
        raise InputError("the question must be text")
    if isinstance(reference, datetime):
        reference = reference.date()
    cut = len(question)
    if cut > MAX_SCAN_CHARS:
        space = question.rfind(" ", 0, MAX_SCAN_CHARS)
        cut = space if space > 0 else MAX_SCAN_CHARS
    head = _CONTROL.sub(" ", question[:cut])
    found, recency = _scan(head, _Scan(reference))
    spans = [f.span for f in found if f.span != (None, None)]
    since, until = _combine(spans) if spans else (None, None)
    pieces, last = [], 0
    for f in found:
        pieces.append(question[last : f.start])
        pieces.append(" ")
        last = f.end
    pieces.append(question[last:])
    return TimeScope(
        since=since.isoformat() if since else None,
        until=until.isoformat() if until else None,
        recency=recency,
        expressions=tuple(" ".join(f.text.split()) for f in found),
        question=_tidy("".join(pieces)),
    )
