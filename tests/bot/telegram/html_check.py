"""Validate text the way Telegram parses `parse_mode=HTML`: supported tags, nesting, entities, length."""

from __future__ import annotations

import re
from html.parser import HTMLParser

ALLOWED = {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code", "pre", "blockquote",
           "tg-spoiler", "span", "tg-emoji"}
ENTITY = re.compile(r"&(?:lt|gt|amp|quot|#\d+|#x[0-9a-fA-F]+);")
MAX_CHARS = 4096


class TelegramHtmlError(ValueError):
    """What Telegram answers as "Bad Request: can't parse entities: ..."."""


class _Parser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ALLOWED:
            raise TelegramHtmlError(f"unsupported start tag \"{tag}\"")
        if tag == "span" and dict(attrs).get("class") != "tg-spoiler":
            raise TelegramHtmlError("span needs class=\"tg-spoiler\"")
        if tag == "a" and not dict(attrs).get("href"):
            raise TelegramHtmlError("a tag without href")
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            raise TelegramHtmlError(f"unmatched end tag \"{tag}\"")
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def check_telegram_html(text: str) -> str:
    """The visible text of ``text``; raises `TelegramHtmlError` where Telegram would refuse the message."""
    if not text.strip():
        raise TelegramHtmlError("message text is empty")
    for match in re.finditer(r"&[^\s;]*;?", text):
        if not ENTITY.fullmatch(match.group()):
            raise TelegramHtmlError(f"unsupported entity {match.group()!r}")
    for match in re.finditer(r"<(/?)([^\s>/]*)", text):
        if not match.group(2):
            raise TelegramHtmlError("unescaped '<'")
    parser = _Parser()
    parser.feed(text)
    parser.close()
    if parser.stack:
        raise TelegramHtmlError(f"unclosed tag \"{parser.stack[-1]}\"")
    visible = "".join(parser.text)
    if len(visible.encode("utf-16-le")) // 2 > MAX_CHARS:
        raise TelegramHtmlError("message is too long")
    return visible
