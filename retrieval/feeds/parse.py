"""Recognise and read feeds (RSS, Atom, JSON Feed) and sitemaps (plain, news, index) from bytes already fetched.

Nothing here touches the network: feedparser only ever receives bytes. Malformed XML yields a one-line
``error`` next to whatever items could still be read.
"""

from __future__ import annotations

import json
import re
import zlib
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Literal
from urllib.parse import urljoin

from retrieval.core.limits import json_depth_exceeds

Kind = Literal["rss", "atom", "jsonfeed", "sitemap", "sitemapindex", "html", "unknown"]

_PROLOG = re.compile(rb"(?:\s+|<\?.*?\?>|<!--.*?-->|<!DOCTYPE(?:[^<>\[]|\[.*?\])*>)", re.DOTALL | re.IGNORECASE)
_ROOT = re.compile(rb"<(?:[\w.-]+:)?([\w.-]+)")
_ROOT_KINDS: dict[bytes, Kind] = {
    b"rss": "rss",
    b"rdf": "rss",
    b"feed": "atom",
    b"urlset": "sitemap",
    b"sitemapindex": "sitemapindex",
    b"html": "html",
}
_GZIP_MAGIC = b"\x1f\x8b"
_BLOCK_END = re.compile(r"(?i)<\s*(?:br\s*/?|/\s*(?:p|div|h[1-6]|li|blockquote|pre|tr|section|article))\s*>")


@dataclass(frozen=True)
class FeedItem:
    """One entry of an RSS, Atom or JSON feed. ``content`` is the full text when the feed carries it (plain text)."""

    url: str
    title: str | None = None
    date: str | None = None  # ISO 8601 (UTC) when the feed gives one
    summary: str = ""  # plain text
    content: str = ""  # plain text of content:encoded / atom:content, "" when absent
    guid: str | None = None


@dataclass(frozen=True)
class FeedResult:
    """What a feed holds; ``error`` is one line when the XML was malformed (``items`` keeps what was read)."""

    title: str | None = None
    items: list[FeedItem] = field(default_factory=list)
    language: str | None = None
    error: str | None = None


@dataclass(frozen=True)
class SitemapEntry:
    """One ``<url>`` of a sitemap; ``title``, ``date`` and ``language`` come from the news extension."""

    url: str
    lastmod: str | None = None
    title: str | None = None
    date: str | None = None
    language: str | None = None


@dataclass(frozen=True)
class SitemapResult:
    """Pages of a sitemap, or the child sitemaps of a sitemap index."""

    pages: list[SitemapEntry] = field(default_factory=list)
    children: list[str] = field(default_factory=list)
    error: str | None = None


def detect_kind(content: bytes, content_type: str = "", url: str = "") -> Kind:
    """What the bytes are, from their root element first, then the content type, then the URL."""
    head = _gunzip_head(content) if content.startswith(_GZIP_MAGIC) else content[:65536]
    head = head.lstrip(b"\xef\xbb\xbf")
    position = 0
    while match := _PROLOG.match(head, position):
        if match.end() == position:
            break
        position = match.end()
    if _is_json_feed(head):
        return "jsonfeed"
    root = _ROOT.match(head, position)
    if root and root.group(1).lower() in _ROOT_KINDS:
        return _ROOT_KINDS[root.group(1).lower()]
    mime = content_type.split(";")[0].strip().lower()
    if mime in ("text/html", "application/xhtml+xml"):
        return "html"
    if mime == "application/rss+xml":
        return "rss"
    if mime == "application/atom+xml":
        return "atom"
    if mime == "application/feed+json":
        return "jsonfeed"
    if not mime and re.search(r"\.html?(?:$|\?)", url.lower()):
        return "html"
    return "unknown"


def parse_feed(content: bytes, *, content_type: str = "", base_url: str = "") -> FeedResult:
    """Items of an RSS, Atom or JSON Feed; relative links are resolved against ``base_url``."""
    import feedparser

    if _is_json_feed(content[:65536].lstrip(b"\xef\xbb\xbf")):
        return parse_json_feed(content, base_url=base_url)
    headers = {"content-type": content_type} if content_type else {}
    if base_url:
        headers["content-location"] = base_url
    parsed = feedparser.parse(content, response_headers=headers or None)
    items = [item for entry in parsed.entries if (item := _feed_item(entry)) is not None]
    error = None
    if parsed.get("bozo"):
        exc = parsed.get("bozo_exception")
        if not isinstance(exc, (feedparser.CharacterEncodingOverride, feedparser.NonXMLContentType)):
            error = f"malformed feed XML: {_one_line(exc)}"
    if not items and not parsed.entries and error is None and not parsed.get("version"):
        error = "not a feed (no RSS or Atom root element, nor a JSON Feed)"
    feed = parsed.get("feed", {})
    return FeedResult(
        title=_clean(feed.get("title")) or None, items=items, language=feed.get("language") or None, error=error
    )


def parse_json_feed(content: bytes, *, base_url: str = "", max_depth: int = 64) -> FeedResult:
    """Items of a JSON Feed (https://jsonfeed.org, versions 1 and 1.1): url (or external_url, or an id that is a
    link), title, date_published, summary, and content_text or content_html as the full text."""
    try:
        text = content.decode("utf-8-sig")
        if json_depth_exceeds(text, max_depth):
            return FeedResult(error=f"JSON Feed nested deeper than {max_depth} levels")
        data = json.loads(text)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return FeedResult(error=f"malformed JSON Feed: {_one_line(exc)}")
    if not isinstance(data, dict) or not isinstance(data.get("items", []), list):
        return FeedResult(error="not a JSON Feed (no list of items)")
    items = [
        item
        for entry in data.get("items", [])
        if isinstance(entry, dict) and (item := _json_feed_item(entry, base_url)) is not None
    ]
    title = data.get("title")
    language = data.get("language")
    return FeedResult(
        title=_clean(title) or None if isinstance(title, str) else None,
        items=items,
        language=language if isinstance(language, str) and language else None,
    )


def _json_feed_item(entry: dict[str, Any], base_url: str) -> FeedItem | None:
    guid = entry.get("id")
    guid = str(guid) if isinstance(guid, (str, int)) and not isinstance(guid, bool) else None
    url = next((v for k in ("url", "external_url") if isinstance(v := entry.get(k), str) and v.strip()), "")
    if not url and guid and guid.startswith(("http://", "https://")):
        url = guid
    if not url:
        return None
    text, markup = entry.get("content_text"), entry.get("content_html")
    content = _paragraphs(text) if isinstance(text, str) and text.strip() else ""
    if not content and isinstance(markup, str):
        content = html_to_text(markup)
    summary = entry.get("summary")
    title = entry.get("title")
    return FeedItem(
        url=urljoin(base_url, url.strip()) if base_url else url.strip(),
        title=_clean(html_to_text(title) if "<" in title else title) or None if isinstance(title, str) else None,
        date=_iso_date(entry.get("date_published") or entry.get("date_modified")),
        summary=html_to_text(summary) if isinstance(summary, str) else "",
        content=content,
        guid=guid,
    )


def _iso_date(value: object) -> str | None:
    """An RFC 3339 date of a JSON Feed as ISO 8601 in UTC, or None when it is not one."""
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed.astimezone(timezone.utc).isoformat()


def _is_json_feed(head: bytes) -> bool:
    return head.lstrip().startswith(b"{") and b"jsonfeed.org/version" in head


def parse_sitemap(content: bytes, *, max_bytes: int = 50_000_000) -> SitemapResult:
    """Pages of a sitemap (news extension included) or children of a sitemap index; gzip is accepted."""
    from lxml import etree

    if content.startswith(_GZIP_MAGIC):
        try:
            content = _gunzip(content, max_bytes)
        except (OSError, EOFError, zlib.error, ValueError) as exc:
            return SitemapResult(error=f"bad gzip sitemap: {_one_line(exc)}")
    parser = etree.XMLParser(recover=True, resolve_entities=False, no_network=True, huge_tree=False)
    try:
        root = etree.fromstring(content, parser)
    except etree.XMLSyntaxError as exc:
        return SitemapResult(error=f"malformed sitemap XML: {_one_line(exc)}")
    error = None
    if parser.error_log:
        first = parser.error_log[0]
        error = f"malformed sitemap XML at line {first.line}: {_one_line(first.message)}"
    if root is None:
        return SitemapResult(error=error or "empty sitemap")
    pages: list[SitemapEntry] = []
    children: list[str] = []
    for element in root:
        name = _local(element)
        if name == "url":
            entry = _sitemap_entry(element)
            if entry is not None:
                pages.append(entry)
        elif name == "sitemap":
            loc = _child_text(element, "loc")
            if loc and loc.startswith(("http://", "https://")):
                children.append(loc)
    if not pages and not children and error is None and _local(root) not in ("urlset", "sitemapindex"):
        error = f"not a sitemap (root element <{_local(root)}>)"
    return SitemapResult(pages=pages, children=children, error=error)


def feed_links(html: str | bytes, base_url: str) -> list[str]:
    """Feeds a page advertises with ``<link rel="alternate" type="application/rss+xml" href=...>``."""

    from lxml import etree
    from lxml import html as lxml_html

    try:
        tree = lxml_html.fromstring(html)
    except (ValueError, etree.LxmlError):  # ParserError on an empty document
        return []
    found: list[str] = []
    for link in tree.iter("link"):
        rel = (link.get("rel") or "").lower().split()
        kind = (link.get("type") or "").lower()
        href = link.get("href")
        if (
            "alternate" in rel
            and kind in ("application/rss+xml", "application/atom+xml", "application/feed+json")
            and href
        ):
            url = urljoin(base_url, href.strip())
            if url not in found:
                found.append(url)
    return found


def html_to_text(fragment: str) -> str:
    """Plain text of an HTML fragment (feed content), one paragraph per block element."""
    if "<" not in fragment:
        return _paragraphs(fragment)
    from lxml import etree
    from lxml import html as lxml_html

    try:
        root = lxml_html.fragment_fromstring(
            _BLOCK_END.sub(lambda m: m.group(0) + "\n\n", fragment), create_parent="div"
        )
    except (ValueError, etree.LxmlError):  # junk: fall back to stripping tags
        return _paragraphs(re.sub(r"<[^>]+>", " ", fragment))
    for bad in root.xpath(".//script|.//style"):
        bad.drop_tree()
    return _paragraphs(root.text_content())


def _feed_item(entry: Any) -> FeedItem | None:
    url = entry.get("link") or ""
    if not url:
        url = next((link.get("href", "") for link in entry.get("links", []) if link.get("href")), "")
    guid = entry.get("id") or None
    if not url and guid and str(guid).startswith(("http://", "https://")):
        url = guid
    if not url:
        return None
    content = ""
    for part in entry.get("content", []) or []:
        value = part.get("value") or ""
        text = html_to_text(value) if "html" in (part.get("type") or "html") else _paragraphs(value)
        if len(text) > len(content):
            content = text
    summary = html_to_text(entry.get("summary") or "")
    if content and content == summary:  # some feeds repeat the summary as content
        content = "" if len(content.split()) < 50 else content
    title = entry.get("title") or ""
    title = html_to_text(title) if "<" in title else title
    return FeedItem(
        url=url.strip(),
        title=_clean(title) or None,
        date=_entry_date(entry),
        summary=summary,
        content=content,
        guid=guid,
    )


def _entry_date(entry: Any) -> str | None:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        value = entry.get(key)
        if value:
            try:
                year, month, day, hour, minute, second = value[:6]
                return datetime(year, month, day, hour, minute, second, tzinfo=timezone.utc).isoformat()
            except (TypeError, ValueError):
                continue
    return None


def _sitemap_entry(element: Any) -> SitemapEntry | None:
    loc = _child_text(element, "loc")
    if not loc or not loc.startswith(("http://", "https://")):
        return None
    title = date = language = None
    for child in element:
        if _local(child) != "news":
            continue
        title = _clean(_child_text(child, "title")) or None
        date = _child_text(child, "publication_date") or None
        for publication in child:
            if _local(publication) == "publication":
                language = _child_text(publication, "language") or None
    return SitemapEntry(
        url=loc, lastmod=_child_text(element, "lastmod") or None, title=title, date=date, language=language
    )


def _local(element: Any) -> str:
    tag = element.tag if isinstance(element.tag, str) else ""
    return tag.rsplit("}", 1)[-1].lower()


def _child_text(element: Any, name: str) -> str:
    for child in element:
        if _local(child) == name:
            return (child.text or "").strip()
    return ""


def _gunzip(content: bytes, max_bytes: int) -> bytes:
    decompressor = zlib.decompressobj(16 + zlib.MAX_WBITS)
    data = decompressor.decompress(content, max_bytes + 1)
    if len(data) > max_bytes:
        raise ValueError(f"larger than {max_bytes / 1_000_000:g} MB once decompressed")
    return data


def _gunzip_head(content: bytes) -> bytes:
    try:
        return zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(content, 65536)
    except zlib.error:
        return b""


def _paragraphs(text: str) -> str:
    blocks = re.split(r"\n\s*\n", text.replace("\r", "\n"))
    return "\n\n".join(joined for block in blocks if (joined := " ".join(block.split())))


def _clean(value: object) -> str:
    return " ".join(str(value or "").split())


def _one_line(exc: object) -> str:
    return " ".join(str(exc).split())[:300] or type(exc).__name__


__all__ = [
    "FeedItem",
    "FeedResult",
    "Kind",
    "SitemapEntry",
    "SitemapResult",
    "detect_kind",
    "feed_links",
    "html_to_text",
    "parse_feed",
    "parse_sitemap",
]
