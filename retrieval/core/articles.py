"""Building an `Article`: its identity (a hash of its text), a normalised date, a derived title when none is given."""

from __future__ import annotations

import hashlib
import re
from datetime import date as Date

from retrieval.core.errors import InputError
from retrieval.core.titles import first_sentence_title
from retrieval.core.types import Article

_NAME_DATE = re.compile(r"(?<!\d)(\d{4})[-_]?(\d{2})[-_]?(\d{2})(?!\d)")


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def make_article(
    text: str,
    source: str,
    title: str | None = None,
    date: str | None = None,
    url: str | None = None,
    publisher: str | None = None,
    file_offset: int | None = None,
) -> Article:
    """Build an `Article`, normalising the date and deriving a title when none is given; ``file_offset`` is where
    ``text`` begins in its file (kept exact when surrounding space is trimmed)."""
    if file_offset is not None:
        file_offset += len(text) - len(text.lstrip())
    text = text.strip()
    if not any(ch.isalnum() for ch in text):  # punctuation or symbols alone are not an article
        raise InputError("no article text")
    title = " ".join((title or "").split()) or first_sentence_title(text)
    digest = content_hash(text)
    doc_id = digest[:16]  # identity is the content: the same article from any path is one document
    return Article(
        id=doc_id,
        title=title,
        text=text,
        source=source,
        date=normalize_date(date),
        url=url or None,
        content_hash=digest,
        publisher=" ".join(publisher.split())[:120] or None if publisher else None,
        file_offset=file_offset,
    )


def normalize_date(value: object) -> str | None:
    """ISO ``YYYY-MM-DD`` from common date spellings, or None."""
    if value is None or value == "":
        return None
    text = str(value).strip()
    match = re.match(r"(\d{4})-(\d{1,2})-(\d{1,2})", text) or _NAME_DATE.search(text)
    if match:
        try:
            return Date(int(match[1]), int(match[2]), int(match[3])).isoformat()
        except ValueError:
            return None
    try:
        from email.utils import parsedate_to_datetime

        return parsedate_to_datetime(text).date().isoformat()
    except (TypeError, ValueError, IndexError):
        return None


def without_headline(body: str, titles: list[str | None]) -> str:
    """The body without its first line when that line is the headline (pages repeat their <h1> in the text;
    kept, it would run into the first sentence: "... harbour footbridge Riverton town council voted")."""
    first, _, rest = body.partition("\n")
    wanted = {" ".join(t.split()).casefold() for t in titles if t}
    if rest.strip() and " ".join(first.split()).casefold() in wanted:
        return rest.strip()
    return body
