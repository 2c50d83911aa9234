"""Patterns for the things questions ask for: dates, figures, years, quarters, reasons, ways."""

from __future__ import annotations

import re

MONTHS = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|"
    r"oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_DAYS = r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
_YEAR = r"(?:1[89]\d\d|20\d\d)"
# a date or time reference, longest forms first: "15 June 2005", "June 15", "next month", "in 2006", "Tuesday"
DATE = re.compile(
    rf"\b(?:\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{MONTHS}(?:\s+{_YEAR})?|{MONTHS}\s+\d{{1,2}}(?:st|nd|rd|th)?"
    rf"(?:,?\s+{_YEAR})?|(?:(?:early|mid|late|end of|start of|beginning of)\s+)?{MONTHS}(?:\s+{_YEAR})?|"
    rf"(?:summer|winter|spring|autumn|end|start|beginning)\s+(?:of\s+)?{_YEAR}|{_YEAR}|{_DAYS}|"
    rf"(?:last|next|this)\s+(?:week|month|year|season|summer|winter|spring|autumn)|yesterday|today|tomorrow|"
    rf"\d+\s+(?:days|weeks|months|years)\s+(?:ago|later|earlier))\b",
    re.IGNORECASE,
)
_SCALE = r"(?:thousand|million|billion|trillion|bn|m|k|tn)"
_UNIT = (
    r"(?:per\s*cent|percent|percentage points?|points?|years?|months?|weeks?|days?|hours?|minutes?|seconds?|"
    r"people|jobs|cars|vehicles|units|copies|tonnes|tons|barrels|miles|km|kilometres|metres|m|mph|goals?|"
    r"votes?|seats?|times|fold|shares|customers|users|subscribers|members|players|staff|workers|employees|"
    r"homes|households|pupils|students|viewers|fans|visitors|passengers|dollars|pounds|euros|yen)"
)
_CURRENCY = r"(?:[$£€¥]|us\$|a\$|c\$|rs\.?\s?)"
_NUMBER_WORD = (
    r"(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|"
    r"seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|thousand|"
    r"million|billion|dozen|half|double|treble|triple)"
)
# a figure with its currency, scale and unit: "$1.13bn", "76%", "1.2 million cars", "eight-year", "21st"
NUMBER = re.compile(
    rf"(?:{_CURRENCY}\s?)?(?<![\w.])\d[\d,]*(?:\.\d+)?(?:st|nd|rd|th)?(?:\s?-?\s?{_SCALE}\b)?"
    rf"(?:\s?%|p\b|\s?-?\s?{_UNIT}\b)?"
    rf"|\b{_NUMBER_WORD}(?:[\s-]+{_NUMBER_WORD})*(?:[\s-]+{_UNIT})?\b",
    re.IGNORECASE,
)
YEAR = re.compile(rf"\b({_YEAR})\b")
QUARTER = re.compile(
    r"\b(?:q[1-4]|(?:first|second|third|fourth|final|last)\s+(?:three\s+months|quarter)|[1-4](?:st|nd|rd|th)\s+"
    r"quarter)\b",
    re.IGNORECASE,
)
REASON = re.compile(
    r"\b(?:because|due to|owing to|as a result|after|amid|following|blamed|citing|cited|caused by|thanks to|"
    r"since|so that|in order to|reason|led to|prompted|fears?|concerns?|worries)\b",
    re.IGNORECASE,
)
MANNER = re.compile(r"\b(?:by|through|using|via|with|after|thanks to)\b", re.IGNORECASE)
QUOTED = re.compile(r"[\"“”]|\b(?:said|says|told|added|according to)\b", re.IGNORECASE)
PLACE_LEAD = re.compile(r"\b(?:in|at|from|to|near|across|outside|inside)\s+(?:the\s+)?[A-Z]")


def figure_key(text: str) -> str:
    """The number a figure is about, comparable across spellings: "$146,000 jobs" and "146,000" give "146000"."""
    match = re.search(r"\d[\d,]*(?:\.\d+)?", text)
    return match.group().replace(",", "") if match else text.lower().strip()
