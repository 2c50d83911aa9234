"""Turn a fetched news page (or a feed item carrying the full text) into an `Article`."""

from __future__ import annotations

import re
from typing import Any

from retrieval.core.articles import make_article, without_headline
from retrieval.core.errors import InputError
from retrieval.core.types import Article

MAX_HTML_BYTES = 5_000_000  # trafilatura's time and memory grow with the tree: larger pages are refused
MIN_WORDS = 20  # fewer words of main text: a menu, a paywall or a cookie wall, not an article
_HTTP = re.compile(r"https?://", re.IGNORECASE)


def article_from_page(
    html: str | bytes,
    url: str,
    *,
    title: str | None = None,
    date: str | None = None,
    charset: str | None = None,
    max_bytes: int = MAX_HTML_BYTES,
    min_words: int = MIN_WORDS,
) -> Article:
    """Main text, title, date and canonical URL of a page; raise `InputError` when it holds no article.

    ``title`` and ``date`` (from the feed) win over the page's own; otherwise the page's metadata is used
    (trafilatura, whose dates come from htmldate). The article's ``source`` and ``url`` are the canonical URL
    when the page declares an http(s) one, else ``url``.
    """
    size = len(html)
    if size > max_bytes:
        raise InputError(f"page larger than {max_bytes / 1_000_000:g} MB ({size / 1_000_000:.1f} MB): not extracted")
    text = decode_html(html, charset) if isinstance(html, bytes) else html
    if not text.strip():
        raise InputError("empty page")
    import trafilatura

    extracted = trafilatura.bare_extraction(
        text,
        url=url,
        with_metadata=True,
        include_comments=False,
        include_tables=False,
        favor_precision=True,
    )
    data: dict[str, Any] = {}
    if isinstance(extracted, dict):
        data = extracted
    elif extracted is not None:
        data = extracted.as_dict()
    body = (data.get("text") or "").strip()
    if len(body.split()) < min_words:
        raise InputError("no article text on the page")
    body = without_headline(body, [title, data.get("title")])
    canonical = str(data.get("url") or "")
    final = canonical if _HTTP.match(canonical) else url
    page_date = data.get("date") or _htmldate(text, url)
    return make_article(
        body,
        final,
        title=title or data.get("title"),
        date=date or page_date,
        url=final,
        publisher=data.get("sitename") or None,
    )


def article_from_text(text: str, url: str, *, title: str | None = None, date: str | None = None) -> Article:
    """An `Article` from the full text a feed carries (no page fetched)."""
    return make_article(text, url, title=title, date=date, url=url)


def decode_html(content: bytes, charset: str | None = None) -> str:
    """Decode page bytes with the declared charset, else the page's own declaration (trafilatura's guess)."""
    if charset:
        try:
            return content.decode(charset)
        except (LookupError, UnicodeDecodeError):
            pass
    from trafilatura.utils import decode_file

    decoded = decode_file(content)
    return decoded if isinstance(decoded, str) else content.decode("utf-8", errors="replace")


def _htmldate(html: str, url: str) -> str | None:
    from htmldate import find_date

    try:
        return find_date(html, extensive_search=False, original_date=True, url=url)
    except (ValueError, TypeError):
        return None
