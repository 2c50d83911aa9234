"""Turn files (txt, md, html, json, jsonl, saved feeds) into `Article` values with title, date, source and hash."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from retrieval.core.articles import make_article, normalize_date, without_headline
from retrieval.core.errors import InputError
from retrieval.core.limits import MAX_HTML_BYTES, MAX_JSON_DEPTH, json_depth_exceeds
from retrieval.core.types import Article
from retrieval.ingest.decoding import decoded_text, normalized_text

TEXT_SUFFIXES = {".txt", ".md", ".markdown", ".text", ""}
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
JSON_SUFFIXES = {".json"}
JSONL_SUFFIXES = {".jsonl", ".ndjson"}
FEED_SUFFIXES = {".xml", ".rss", ".atom"}  # a saved RSS, Atom or JSON Feed (.json) file: one article per item
SUPPORTED = TEXT_SUFFIXES | HTML_SUFFIXES | JSON_SUFFIXES | JSONL_SUFFIXES | FEED_SUFFIXES

_SEED_DATE = re.compile(r"^\s*date\s+(\d{4}-\d{2}-\d{2})\b[ \t]*", re.IGNORECASE)
_HEADER = re.compile(r"^(title|date|source|url|published|author|publisher)\s*:\s*(.*)$", re.IGNORECASE)
_NAME_DATE = re.compile(r"(?<!\d)(\d{4})[-_]?(\d{2})[-_]?(\d{2})(?!\d)")
_TEXT_FIELDS = ("text", "content", "body", "article", "story", "maintext")
_DATE_FIELDS = ("date", "published", "published_at", "publish_date", "date_publish", "pubdate", "time")
_URL_FIELDS = ("url", "link", "canonical_url")


@dataclass(frozen=True)
class LoadedFile:
    """The articles read from one file, or why it could not be read."""

    path: str
    articles: list[Article]
    error: str | None = None
    skipped: bool = False  # not an article file at all (a question set): reported apart from failures


def parse_text(text: str, source: str, file_name: str = "") -> Article:
    """The seed format (``date YYYY-MM-DD body``), header lines, or a headline on line 1.

    The body is what is left of ``text`` after them, so the article records where it begins (``file_offset``).
    """
    title = date = url = publisher = None
    rest = text  # always a suffix of ``text``: what is not read yet
    seed = _SEED_DATE.match(rest)
    if seed:
        date = seed.group(1)
        rest = rest[seed.end() :]
    headers = 0
    while (match := _HEADER.match(_line_at(rest, headers).strip())) is not None:
        key, value = match.group(1).lower(), match.group(2).strip()
        if key == "title":
            title = value.lstrip("# ").strip()
        elif key in ("date", "published"):
            date = value
        elif key in ("url", "source") and re.match(r"https?://", value):
            url = value
        elif key in ("source", "publisher") and value:
            publisher = value
        headers += len(_line_at(rest, headers)) + 1
    rest = rest[headers:].lstrip()
    later_seed = _SEED_DATE.match(rest) if headers and not seed else None
    if later_seed:  # header lines added above the seed format's date line ("Title: ..." then "date 2024-...")
        seed, date, rest = later_seed, date or later_seed.group(1), rest[later_seed.end() :].lstrip()
    if title is None and not seed:
        title, rest = _headline(rest)
    if date is None:
        date = _date_from_name(file_name)
    return make_article(
        rest, source, title=title, date=date, url=url, publisher=publisher, file_offset=len(text) - len(rest)
    )


def _line_at(text: str, start: int) -> str:
    """The line of ``text`` that begins at ``start`` (without its line end)."""
    end = text.find("\n", start)
    return text[start : end if end >= 0 else len(text)]


def _headline(body: str) -> tuple[str | None, str]:
    """Split off line 1 as the title when it looks like a headline (short, no final full stop); the body that
    is left is a suffix of ``body``."""
    first, sep, rest = body.partition("\n")
    candidate = first.strip().lstrip("#").strip()
    if sep and rest.strip() and 0 < len(candidate) <= 150 and not candidate.endswith((".", ",", ";", ":")):
        return candidate, rest.lstrip()
    return None, body


def _date_from_name(name: str) -> str | None:
    match = _NAME_DATE.search(Path(name).stem)
    return normalize_date("-".join(match.groups())) if match else None


def parse_html(text: str, source: str) -> Article:
    """Main text, title, date and canonical URL of a news page, extracted with trafilatura."""
    if len(text) > MAX_HTML_BYTES:
        raise InputError(f"HTML page larger than {MAX_HTML_BYTES // 1_000_000} MB; too large to extract")
    import trafilatura

    extracted = trafilatura.bare_extraction(text, with_metadata=True, include_comments=False, favor_precision=True)
    data: dict[str, Any] = (
        extracted.as_dict() if extracted is not None and hasattr(extracted, "as_dict") else dict(extracted or {})
    )
    body = (data.get("text") or "").strip()
    if len(body.split()) < 5:  # a menu or a cookie banner is not an article
        raise InputError("HTML page with no article text")
    url = data.get("url") if re.match(r"https?://", str(data.get("url") or "")) else None
    return make_article(
        without_headline(body, [data.get("title")]),
        url or source,
        title=data.get("title"),
        date=data.get("date"),
        url=url,
        publisher=data.get("sitename") or None,
    )


def parse_record(record: object, source: str) -> Article:
    """One JSON object with fields such as title, text/content/body, date, url."""
    if not isinstance(record, dict):
        raise InputError("expected a JSON object per article")
    lowered = {str(k).lower(): v for k, v in record.items()}
    body = next((lowered[f] for f in _TEXT_FIELDS if isinstance(lowered.get(f), str) and lowered[f].strip()), None)
    if body is None:
        raise InputError(f"no text field (one of {', '.join(_TEXT_FIELDS)})")
    url = next((str(lowered[f]) for f in _URL_FIELDS if lowered.get(f)), None)
    if url is None and re.match(r"https?://", str(lowered.get("source") or "")):
        url = str(lowered["source"])
    date = next((lowered[f] for f in _DATE_FIELDS if lowered.get(f)), None)
    title = lowered.get("title") or lowered.get("headline")
    outlet = next(
        (
            str(lowered[f])
            for f in ("publisher", "outlet", "site_name", "sitename", "source")
            if isinstance(lowered.get(f), str) and lowered[f].strip() and not re.match(r"https?://", lowered[f])
        ),
        None,
    )
    return make_article(body, url or source, title=str(title) if title else None, date=date, url=url, publisher=outlet)


# Reading a file may take this long; ingest also gives the splitting of each of its articles this long from the
# moment the file is asked for (`retrieval.ingest.pipeline`). Then the file is reported and the batch goes on.
EXTRACT_SECONDS = 30.0


def load_file(
    path: Path,
    max_bytes: int,
    display: str | None = None,
    source: str | None = None,
    time_limit: float = EXTRACT_SECONDS,
) -> LoadedFile:
    """Read one file into articles; never raises for bad content, reports it in ``error`` (one line).

    ``source`` names the file in citations (default: its absolute path). Parsing runs under ``time_limit``
    seconds; a parser that takes longer is left to finish on its own and the file is reported.
    """
    name = display or str(path)
    try:
        source = source or str(path.resolve())
    except (OSError, RuntimeError) as exc:  # a symlink loop
        return LoadedFile(name, [], f"cannot read: {exc}")
    outcome: list[LoadedFile] = []
    worker = threading.Thread(
        target=lambda: outcome.append(_load(path, max_bytes, name, source)), daemon=True, name="newsbot-parse"
    )
    worker.start()
    worker.join(time_limit)
    if not outcome:
        return LoadedFile(name, [], f"took longer than {time_limit:.0f} s to read; skipped")
    return outcome[0]


def _load(path: Path, max_bytes: int, name: str, source: str) -> LoadedFile:
    """`load_file` without the time limit: any failure becomes the file's one-line error."""
    try:
        return _read(path, max_bytes, name, source)
    except InputError as exc:
        return LoadedFile(name, [], str(exc))
    except OSError as exc:
        return LoadedFile(name, [], f"cannot read: {exc.strerror or exc}")
    except RecursionError:
        return LoadedFile(name, [], "nested too deeply to read")
    except MemoryError:
        return LoadedFile(name, [], "too large to read in memory")
    except Exception as exc:  # noqa: BLE001 - a parser's own failure (lxml, trafilatura, codecs): the file is named
        detail = str(exc).splitlines()[0][:160] if str(exc) else ""
        return LoadedFile(name, [], f"cannot parse ({exc.__class__.__name__}{': ' + detail if detail else ''})")


def _read(path: Path, max_bytes: int, name: str, source: str) -> LoadedFile:
    size = path.stat().st_size
    if size > max_bytes:
        return LoadedFile(
            name,
            [],
            f"file too large ({size / 1e6:.1f} MB; the limit is {max_bytes / 1e6:.1f} MB, NEWSBOT_MAX_FILE_MB)",
        )
    raw = path.read_bytes()
    suffix = path.suffix.lower()
    if suffix in FEED_SUFFIXES | JSON_SUFFIXES and _feed_kind(raw) is not None:
        return _load_feed(name, raw, source)
    if suffix in FEED_SUFFIXES:  # skipped, not failed: a folder of articles may hold other XML
        return LoadedFile(
            name, [], "XML that is not a feed (RSS, Atom or JSON Feed); not an article file", skipped=True
        )
    decoded = decoded_text(raw)
    text = normalized_text(decoded)
    if suffix in HTML_SUFFIXES or (suffix not in JSON_SUFFIXES | JSONL_SUFFIXES and _looks_html(text)):
        return LoadedFile(name, [parse_html(text, source)])
    if suffix in JSON_SUFFIXES:
        return _load_json(name, text, source)
    if suffix in JSONL_SUFFIXES:
        return _load_jsonl(name, text, source)
    article = parse_text(text, source, path.name)
    if "\r\n" in decoded:  # the text read is no longer a slice of the file: its offsets cannot point into it
        article = replace(article, file_offset=None)
    return LoadedFile(name, [article])


def _feed_kind(raw: bytes) -> str | None:
    """ "feed" for RSS, Atom and JSON Feed bytes, "sitemap" for a sitemap, else None."""
    from retrieval.feeds.parse import detect_kind

    kind = detect_kind(raw)
    if kind in ("rss", "atom", "jsonfeed"):
        return "feed"
    return "sitemap" if kind in ("sitemap", "sitemapindex") else None


def _load_feed(name: str, raw: bytes, source: str) -> LoadedFile:
    """A saved feed: each item with text (its full content, else its summary) is an article, cited by its link."""
    from retrieval.feeds.parse import parse_feed

    if _feed_kind(raw) == "sitemap":
        reason = "a sitemap lists pages, not their text: follow it with `newsbot feeds add URL`"
        return LoadedFile(name, [], reason, skipped=True)
    parsed = parse_feed(raw)
    articles: list[Article] = []
    errors: list[str] = [parsed.error] if parsed.error else []
    for i, item in enumerate(parsed.items, 1):
        try:
            articles.append(
                make_article(
                    without_headline(item.content or item.summary, [item.title]),
                    item.url or f"{source}#{i}",
                    title=item.title,
                    date=item.date,
                    url=item.url,
                    publisher=parsed.title,
                )
            )
        except InputError:
            errors.append(f"item {i}: no text (only a link: `newsbot ingest {item.url}` reads the page)")
    if not articles and not errors:
        errors.append("no items with a link in the feed")
    return LoadedFile(name, articles, "; ".join(errors[:5]) + (" …" if len(errors) > 5 else "") or None)


def _looks_html(text: str) -> bool:
    head = text[:1024].lstrip().lower()
    return head.startswith(("<!doctype html", "<html"))


def _load_json(name: str, text: str, source: str) -> LoadedFile:
    if json_depth_exceeds(text):
        raise InputError(f"JSON nested deeper than {MAX_JSON_DEPTH} levels; not an article file")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"malformed JSON at line {exc.lineno} column {exc.colno}: {exc.msg}") from None
    if isinstance(data, dict):
        for key in ("articles", "items", "data", "documents"):
            if isinstance(data.get(key), list):
                data = data[key]
                break
    records = data if isinstance(data, list) else [data]
    return _records(name, records, source)


def _load_jsonl(name: str, text: str, source: str) -> LoadedFile:
    records: list[object] = []
    errors: list[str] = []
    for number, line in enumerate(text.split("\n"), 1):
        if not line.strip():
            continue
        if json_depth_exceeds(line):
            errors.append(f"line {number}: JSON nested deeper than {MAX_JSON_DEPTH} levels")
            records.append(None)
            continue
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError as exc:
            errors.append(f"line {number}: malformed JSON ({exc.msg})")
            records.append(None)
    loaded = _records(name, records, source, line_numbers=True)
    if loaded.skipped:
        return loaded
    all_errors = errors + ([loaded.error] if loaded.error else [])
    return LoadedFile(name, loaded.articles, "; ".join(all_errors) or None)


def _records(name: str, records: list[object], source: str, line_numbers: bool = False) -> LoadedFile:
    articles: list[Article] = []
    errors: list[str] = []
    for i, record in enumerate(records, 1):
        if record is None:
            continue
        try:
            articles.append(parse_record(record, f"{source}#{i}"))
        except InputError as exc:
            errors.append(f"{'line' if line_numbers else 'item'} {i}: {exc}")
    if not articles and records and all(isinstance(r, dict) and "question" in r for r in records):
        return LoadedFile(name, [], "a question set, not articles", skipped=True)
    if not articles and len(errors) > 1 and len({e.split(": ", 1)[-1] for e in errors}) == 1:
        errors = [
            f"no article in the file: every {'line' if line_numbers else 'item'} has " + errors[0].split(": ", 1)[-1]
        ]
    if not articles and not errors:
        errors.append("no articles in the file")
    return LoadedFile(name, articles, "; ".join(errors[:5]) + (" …" if len(errors) > 5 else "") or None)


def _resolved(path: Path) -> Path | None:
    """``path`` with its links followed; None for a symbolic link loop."""
    try:
        return path.resolve()
    except (OSError, RuntimeError):  # RuntimeError: Python before 3.13 on a loop
        return None


def iter_files(paths: list[Path], exclude: Path | None = None) -> Iterator[tuple[Path, str | None]]:
    """Files below ``paths`` (recursive, sorted) with an error for paths that do not exist.

    Hidden files, READMEs and anything below ``exclude`` (newsbot's own data directory) are skipped.
    """
    skip = exclude.resolve() if exclude else None
    for path in paths:
        if path.is_dir():
            for child in sorted(p for p in path.rglob("*") if p.is_file() or (p.is_symlink() and not p.exists())):
                if (
                    child.suffix.lower() not in SUPPORTED
                    or any(part.startswith(".") for part in child.relative_to(path).parts)
                    or child.name.upper() == "README.TXT"
                ):
                    continue
                resolved = _resolved(child)
                if resolved is None:
                    yield child, "a symbolic link loop: the link points back to itself"
                elif not (skip and resolved.is_relative_to(skip)):
                    yield child, ("broken link: its target does not exist" if not child.exists() else None)
        elif path.is_file():
            yield path, None
        else:
            yield path, "no such file or folder"
