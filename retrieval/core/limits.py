"""Limits on outside input that every reader of it applies: JSON nesting depth, HTML size."""

from __future__ import annotations

MAX_JSON_DEPTH = 64  # deeper nesting is refused before decoding (Python's decoder would hit its recursion limit)
MAX_HTML_BYTES = 5_000_000  # a page larger than this is refused before trafilatura parses it


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
