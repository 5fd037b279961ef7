"""Read an article's bytes and turn them into clean text.

Encodings are detected (BOMs first, then strict UTF-8, then charset-normalizer for
legacy 8-bit text) and every newline style becomes ``\\n``.
"""

from __future__ import annotations

import codecs
import sys
from pathlib import Path

from letteraudio.errors import InputError

STDIN = "-"

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
            return _decode_with(data[len(bom) :], encoding)
    if b"\x00" in data:
        raise InputError("the input looks binary (it contains NUL bytes), not text")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = _detect_legacy(data)
    return normalize_newlines(text)


def normalize_newlines(text: str) -> str:
    """Turn CRLF and lone CR into LF."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def read_article(source: str | Path) -> str:
    """Read an article from a path, or from standard input when ``source`` is ``-``."""
    if str(source) == STDIN:
        return decode_text(sys.stdin.buffer.read())
    path = Path(source)
    if not path.exists():
        raise InputError(f"{path}: no such file")
    if path.is_dir():
        raise InputError(f"{path}: is a directory, not a text file")
    try:
        data = path.read_bytes()
    except OSError as error:
        raise InputError(f"{path}: cannot read ({error.strerror or error})") from error
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
    """Decode text that is not UTF-8: an 8-bit code page such as cp1252."""
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise InputError("cannot tell the text's encoding; save it as UTF-8")
    return str(best)
