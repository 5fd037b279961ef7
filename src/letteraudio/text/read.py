"""Read an article's bytes and turn them into clean text.

Encodings are detected (BOMs first, then strict UTF-8, then charset-normalizer for
legacy 8-bit text) and every newline style becomes ``\\n``.
"""

from __future__ import annotations

import codecs
import sys
import unicodedata
from pathlib import Path

from letteraudio.errors import InputError

STDIN = "-"
MAX_BYTES = 64 * 2**20
"""Larger files are not articles (a saved page with inline scripts is a few MB)."""
MAX_CONTROL_SHARE = 0.05
MIN_BINARY_CONTROLS = 8
"""More control characters than both of these (a share, a count) means binary data."""
WESTERN_CODE_PAGES = ("cp1252", "iso8859_15", "latin_1")
MAX_WESTERN_CHAOS = 0.2

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def decode_text(data: bytes) -> str:
    """Decode an article's bytes to text with ``\\n`` newlines and no BOM."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return strip_invisible(_decode_with(data[len(bom) :], encoding))
    if _looks_binary(data.count(b"\x00"), len(data)):
        raise InputError("the input looks binary (it is full of NUL bytes), not text")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = _decode_mixed(data) if _has_utf8(data) else _detect_legacy(data)
    return strip_invisible(normalize_newlines(text))


def strip_invisible(text: str) -> str:
    """Remove control and format characters (NUL, zero-width spaces, bidi marks, soft
    hyphens); refuse text with so many of them that it is binary data, not text."""
    controls = sum(unicodedata.category(ch) == "Cc" and ch not in "\n\t" for ch in text)
    if _looks_binary(controls, len(text)):
        raise InputError("the input looks binary (full of control characters), not text")
    return "".join(ch for ch in text if not _is_invisible(ch))


def _looks_binary(controls: int, length: int) -> bool:
    """Text has a stray control character or two; binary data is full of them."""
    return controls > max(MIN_BINARY_CONTROLS, MAX_CONTROL_SHARE * length)


def _is_invisible(ch: str) -> bool:
    if ch in "\n\t":
        return False
    return unicodedata.category(ch) in ("Cc", "Cf")


def normalize_newlines(text: str) -> str:
    """Turn CRLF, lone CR (and CR CR LF, from a file converted twice) into LF."""
    return text.replace("\r\r\n", "\n").replace("\r\n", "\n").replace("\r", "\n")


def read_article(source: str | Path) -> str:
    """Read an article from a path, or from standard input when ``source`` is ``-``."""
    if str(source) == STDIN:
        data = sys.stdin.buffer.read(MAX_BYTES + 1)
        if len(data) > MAX_BYTES:
            raise InputError(f"standard input: over {MAX_BYTES // 2**20} MB; not an article")
        return decode_text(data)
    path = Path(source)
    if not path.exists():
        raise InputError(f"{path}: no such file")
    if path.is_dir():
        raise InputError(f"{path}: is a directory, not a text file")
    if not path.is_file() and not path.is_fifo():
        raise InputError(f"{path}: not a regular file")
    try:
        with path.open("rb") as stream:
            data = stream.read(MAX_BYTES + 1)
    except OSError as error:
        raise InputError(f"{path}: cannot read ({error.strerror or error})") from error
    if len(data) > MAX_BYTES:
        raise InputError(f"{path}: over {MAX_BYTES // 2**20} MB; not an article")
    try:
        return decode_text(data)
    except InputError as error:
        raise InputError(f"{path}: {error}") from error


def _decode_with(data: bytes, encoding: str) -> str:
    try:
        return normalize_newlines(data.decode(encoding))
    except UnicodeDecodeError as error:
        raise InputError(f"the text is not valid {encoding} despite its byte-order mark") from error


def _detect_legacy(data: bytes) -> str:
    """Decode text that is not UTF-8: an 8-bit code page such as cp1252.

    Western code pages are tried first: on short texts, full detection often picks an
    exotic code page that happens to fit (``It's`` read as Big5, say).
    """
    from charset_normalizer import from_bytes

    western = from_bytes(data, cp_isolation=list(WESTERN_CODE_PAGES)).best()
    if western is not None and western.chaos <= MAX_WESTERN_CHAOS:
        return str(western)
    best = from_bytes(data).best()
    if best is None:
        raise InputError(
            "this does not look like text (binary data, or no encoding fits); save it as UTF-8"
        )
    return str(best)


def _has_utf8(data: bytes) -> bool:
    """True when the bytes hold valid multi-byte UTF-8 sequences (besides invalid ones)."""
    return any(ord(ch) > 0x7F and ch != "\ufffd" for ch in data.decode("utf-8", "replace"))


def _decode_mixed(data: bytes) -> str:
    """UTF-8 text with a few lines in a legacy code page (pasted from elsewhere): line by line."""
    lines = []
    for line in data.split(b"\n"):
        try:
            lines.append(line.decode("utf-8"))
        except UnicodeDecodeError:
            lines.append(_detect_legacy(line))
    return "\n".join(lines)
