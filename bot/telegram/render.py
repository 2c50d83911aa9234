"""Render the core's `Answer` and source lists as Telegram HTML, split into messages Telegram accepts."""

from __future__ import annotations

import re
from html import escape as _escape

from bot.render import answerer_note, headline, searched_line
from retrieval.core.types import Answer, Citation, SourceInfo
from retrieval.core.wording import counted

LIMIT = 4096  # Telegram's limit, counted on the visible text in UTF-16 code units
_SAFE = LIMIT - 96  # headroom for the "(continued)" line
_QUOTE_MAX = 1500  # a single quote longer than this is shortened with "…"


def escape(text: str, quote: bool = False) -> str:
    """HTML-escape article text for Telegram (quotes only inside attributes)."""
    return _escape(text, quote=quote)


def _units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _visible(html_text: str) -> str:
    """The text Telegram shows for ``html_text`` (our own markup: tags dropped, five entities decoded)."""
    text = re.sub(r"<[^>]+>", "", html_text)
    for entity, char in (("&lt;", "<"), ("&gt;", ">"), ("&quot;", '"'), ("&#x27;", "'"), ("&amp;", "&")):
        text = text.replace(entity, char)
    return text


def _link(url: str | None) -> str | None:
    return url if url and re.match(r"https?://[^\s\"<>]+$", url) else None


def _shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0] + " …"


def _citation(c: Citation, marked: bool = True) -> str:
    """``[n]`` and the passage, its quoted sentences in bold inside it (``marked``), then title, date, source."""
    quote = _shorten(c.quote, _QUOTE_MAX)
    title = escape(c.title)
    url = _link(c.url)
    title_html = f'<a href="{escape(url, quote=True)}">{title}</a>' if url else f"<b>{title}</b>"
    meta = [title_html]
    if c.date:
        meta.append(escape(c.date))
    if c.publisher:
        meta.append(escape(c.publisher))
    elif not url:
        meta.append(escape(c.source.rsplit("/", 1)[-1]))
    if c.also:
        links = [
            f'<a href="{escape(u, quote=True)}">{escape(r.title[:60])}</a>'
            if (u := _link(r.url))
            else escape(r.source.rsplit("/", 1)[-1][:60])
            for r in c.also[:3]
        ]
        more = f" and {len(c.also) - 3} more" if len(c.also) > 3 else ""
        meta.append(f"also reported by {len(c.also)}: {', '.join(links)}{more}")
    if marked:
        before, after = _shorten(c.before, 300), _shorten(c.after, 300)
        passage = " ".join(x for x in (escape(before), f"<b>{escape(quote)}</b>", escape(after)) if x)
        return f"<b>[{c.n}]</b> {passage}\n— {' · '.join(meta)}"
    return f"<b>[{c.n}]</b> <i>“{escape(quote)}”</i>\n— {' · '.join(meta)}"


def _answer_text(answer: Answer) -> str:
    body = escape(answer.answer)
    return re.sub(r"\[(\d+)\]", r"<b>[\1]</b>", body)


def render_answer(answer: Answer) -> list[str]:
    """The short answer in bold, then each cited passage once with its quote marked; split under 4096 characters.

    An LLM's answer is its own text (with bold ``[n]`` markers) above the passages; a decline is its message
    and the related passages.
    """
    blocks: list[str] = []
    searched = searched_line(answer)
    if searched:
        blocks.append(f"<i>{escape(searched[:1].upper() + searched[1:])}</i>")
    if answer.found and answer.answerer != "llm":
        top = headline(answer)
        if answer.conflict:
            blocks.append(f"<b>{_answer_text(answer)}</b>")
        elif top:
            blocks.append(f"<b>{escape(top)}</b>")
        blocks.extend(_citation(c) for c in answer.citations)
    elif answer.found:
        blocks.append(_answer_text(answer))
        blocks.extend(_citation(c) for c in answer.citations)
    else:
        blocks.append(_answer_text(answer))
        if answer.suggestion:
            blocks.append(f"Did you mean: <b>{escape(answer.suggestion)}</b>")
        if answer.related:
            blocks.append("<i>Related passages (they may not answer the question):</i>")
            blocks.extend(_citation(c, marked=False) for c in answer.related)
    note = answerer_note(answer)
    if note:
        blocks.append(f"<i>{escape(note)}</i>")
    return split_blocks(blocks)


def split_blocks(blocks: list[str]) -> list[str]:
    """Pack blocks into messages under the limit; a block too long on its own is split at sentence ends."""
    pieces: list[str] = []
    for block in blocks:
        pieces.extend(_split_block(block) if _units(_visible(block)) > _SAFE else [block])
    messages: list[str] = []
    current = ""
    for piece in pieces:
        candidate = f"{current}\n\n{piece}" if current else piece
        if current and _units(_visible(candidate)) > _SAFE:
            messages.append(current)
            current = piece
        else:
            current = candidate
    if current:
        messages.append(current)
    return messages


def _split_block(block: str) -> list[str]:
    """Split plain-or-marker HTML at sentence ends, closing and reopening no tag (only whole tags move)."""
    tokens = re.split(r"(?<=[.!?…])\s+", block)
    out: list[str] = []
    current = ""
    for token in tokens:
        while _units(_visible(token)) > _SAFE:  # a "sentence" longer than a message: cut at a space
            cut = token[: _SAFE // 2].rsplit(" ", 1)[0] or token[: _SAFE // 2]
            cut = re.sub(r"&[a-z#0-9]*$", "", cut)  # never inside an entity
            out.append(_balanced(cut))
            token = token[len(cut) :].lstrip()
        candidate = f"{current} {token}" if current else token
        if current and _units(_visible(candidate)) > _SAFE:
            out.append(_balanced(current))
            current = token
        else:
            current = candidate
    if current:
        out.append(_balanced(current))
    return out


def _balanced(fragment: str) -> str:
    """Close tags a fragment left open and drop closers it has no opener for, so each message parses."""
    stack: list[str] = []
    parts: list[str] = []
    for piece in re.split(r"(<[^>]+>)", fragment):
        match = re.fullmatch(r"<(/?)([a-z-]+)[^>]*>", piece)
        if not match:
            parts.append(piece)
        elif match.group(1):
            if stack and stack[-1] == match.group(2):
                stack.pop()
                parts.append(piece)
        else:
            stack.append(match.group(2))
            parts.append(piece)
    return "".join(parts) + "".join(f"</{tag}>" for tag in reversed(stack))


def render_sources(sources: list[SourceInfo], page: int, per_page: int = 10) -> tuple[str, bool, bool]:
    """One page of the indexed articles: (HTML text, has a previous page, has a next page)."""
    pages = max(1, -(-len(sources) // per_page))
    page = min(max(0, page), pages - 1)
    lines = [f"<b>{counted(len(sources), 'article')}</b> (page {page + 1}/{pages})"]
    for i, s in enumerate(sources[page * per_page : (page + 1) * per_page], page * per_page + 1):
        url = _link(s.url)
        title = f'<a href="{escape(url, quote=True)}">{escape(s.title)}</a>' if url else escape(s.title)
        also = f" · also reported by {s.reprints}" if s.reprints else ""
        lines.append(f"{i}. {title} · {escape(s.date or 'undated')} · {counted(s.chunks, 'passage')}{also}")
    return "\n".join(lines), page > 0, page < pages - 1
