"""File bytes to text: byte-order marks, UTF-8, Western Windows-1252, else the encoding charset_normalizer finds;
binary and undecodable data refused with a reason."""

from __future__ import annotations

import codecs

from retrieval.core.errors import InputError

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
    return normalized_text(decoded_text(data))


def normalized_text(decoded: str) -> str:
    """Decoded text with its line ends made ``\\n``; empty or binary-looking text is refused."""
    text = decoded.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise InputError("empty file")
    controls = sum(1 for ch in text[:8192] if ord(ch) < 32 and ch not in "\n\r\t\f")
    if controls > max(8, len(text[:8192]) // 100):
        raise InputError("binary file (control characters), not a text article")
    return text


def decoded_text(data: bytes) -> str:
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
