"""Turn files (txt, md, html, json, jsonl, saved feeds) into `Article` values with title, date, source and hash."""

from __future__ import annotations

import codecs
import hashlib
import json
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date as Date
from pathlib import Path
from typing import Any

from retrieval.errors import InputError
from retrieval.titles import first_sentence_title
from retrieval.types import Article

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


_BOMS = (  # longest first: the UTF-32 LE mark begins with the UTF-16 LE one
    (codecs.BOM_UTF32_LE, "utf-32-le", "UTF-32"),
    (codecs.BOM_UTF32_BE, "utf-32-be", "UTF-32"),
    (codecs.BOM_UTF8, "utf-8", "UTF-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "UTF-16"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "UTF-16"),
)


def decode(data: bytes, name: str) -> str:
    """Decode file bytes: by their byte-order mark (UTF-8, UTF-16, UTF-32), else as UTF-8, else in the encoding
    charset_normalizer finds; refuse binary data and undecodable bytes with a clear error."""
    return _usable(_decoded(data))


def _usable(decoded: str) -> str:
    """Decoded text with its line ends made ``\\n``; empty or binary-looking text is refused."""
    text = decoded.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise InputError("empty file")
    controls = sum(1 for ch in text[:8192] if ord(ch) < 32 and ch not in "\n\r\t\f")
    if controls > max(8, len(text[:8192]) // 100):
        raise InputError("binary file (control characters), not a text article")
    return text


def _decoded(data: bytes) -> str:
    """The text of ``data`` (a byte-order mark is not part of it), before line ends are normalised."""
    if not data.strip():
        raise InputError("empty file")
    for bom, codec, label in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(codec)
            except UnicodeDecodeError as exc:
                raise InputError(
                    f"invalid {label} at byte {exc.start + len(bom)} after a {label} byte-order mark"
                ) from None
    if b"\0" in data[:8192]:
        raise InputError("binary file (contains NUL bytes and no byte-order mark), not a text article")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        invalid_at = exc.start
    western = _western(data)
    if western is not None:
        return western
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise InputError(f"cannot decode: not UTF-8 (invalid byte at {invalid_at}) and no other text encoding fits")
    return str(best)


def _western(data: bytes) -> str | None:
    """``data`` as Windows-1252 when that reads as Western text (accents are a few of its letters, as in "café"
    or "£600m"); None for other bytes, which charset_normalizer guesses better than it does short Latin text."""
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        return None
    letters = [ch for ch in text if ch.isalpha()]
    accented = sum(1 for ch in letters if not ch.isascii())
    return text if letters and accented <= len(letters) * 0.3 else None


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


def without_headline(body: str, titles: list[str | None]) -> str:
    """The body without its first line when that line is the headline (pages repeat their <h1> in the text;
    kept, it would run into the first sentence: "... harbour footbridge Riverton town council voted")."""
    first, _, rest = body.partition("\n")
    wanted = {" ".join(t.split()).casefold() for t in titles if t}
    if rest.strip() and " ".join(first.split()).casefold() in wanted:
        return rest.strip()
    return body


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


MAX_JSON_DEPTH = 64  # deeper nesting is refused before decoding (Python's decoder would hit its recursion limit)
MAX_HTML_BYTES = 5_000_000  # a page larger than this is refused before trafilatura parses it
# Reading a file may take this long; ingest also gives the splitting of each of its articles this long from the
# moment the file is asked for (`retrieval.pipeline`). Then the file is reported and the batch goes on.
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
    decoded = _decoded(raw)
    text = _usable(decoded)
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


def json_depth_exceeds(text: str, limit: int = MAX_JSON_DEPTH) -> bool:
    """True when ``text`` nests arrays and objects deeper than ``limit`` (strings skipped); a linear scan."""
    depth = 0
    in_string = escaped = False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            if depth > limit:
                return True
        elif ch in "]}":
            depth -= 1
    return False


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
