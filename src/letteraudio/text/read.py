"""Read an article's bytes and turn them into clean text.

The encoding is found as a browser finds it: a byte-order mark first, then the charset
the server declared (for a page read from a URL), then for HTML the page's own
``<meta charset>`` or ``http-equiv`` declaration, then detection (strict UTF-8, then
charset-normalizer for legacy 8-bit text). Every newline style becomes ``\\n``.
"""

from __future__ import annotations

import codecs
import re
import sys
import unicodedata
from pathlib import Path

from letteraudio.errors import InputError
from letteraudio.values import clean_text

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


HTML_SUFFIXES = (".html", ".htm", ".xhtml")
META_SCAN_BYTES = 64 * 1024
"""How far into a page a ``<meta charset>`` is looked for (up to ``</head>``)."""
_META_CHARSET = re.compile(
    rb"<meta\b[^>]*?charset\s*=\s*[\"']?\s*([A-Za-z0-9_.:-]+)", re.IGNORECASE
)
_COMMENT = re.compile(rb"<!--.*?-->", re.DOTALL)
_HTML_START = re.compile(rb"\s*(<!--.*?-->\s*)*<(!doctype\s+html|html|head|meta)\b", re.I | re.S)
_WHATWG_LABELS = {
    # the Encoding Standard's labels where Python's codec of that name differs
    **dict.fromkeys(("ascii", "us-ascii", "iso-8859-1", "iso8859-1", "latin1", "l1",
                     "iso_8859-1", "cp819", "ibm819", "x-cp1252"), "cp1252"),
    **dict.fromkeys(("iso-8859-9", "iso8859-9", "latin5", "l5"), "cp1254"),
    **dict.fromkeys(("iso-8859-11", "tis-620", "iso8859-11"), "cp874"),
    **dict.fromkeys(("gb2312", "gbk", "x-gbk", "chinese", "csgb2312"), "gb18030"),
    **dict.fromkeys(("euc-kr", "ks_c_5601-1987", "korean"), "cp949"),
    **dict.fromkeys(("shift_jis", "shift-jis", "sjis", "x-sjis", "windows-31j"), "cp932"),
    # a page cannot declare itself UTF-16 in its own ASCII bytes: browsers read UTF-8
    **dict.fromkeys(("utf-16", "utf-16le", "utf-16be"), "utf-8"),
}  # fmt: skip


def looks_like_html(data: bytes, name: str = "") -> bool:
    """A page by its name (``.html``) or by how its bytes begin."""
    return name.lower().endswith(HTML_SUFFIXES) or bool(_HTML_START.match(data[:4096]))


def declared_charset(data: bytes) -> str | None:
    """The encoding an HTML page declares in its head, as a Python codec name."""
    head = data[:META_SCAN_BYTES]
    end = head.lower().find(b"</head")
    head = _COMMENT.sub(b"", head[: end if end >= 0 else None])
    match = _META_CHARSET.search(head)
    return codec_name(match.group(1).decode("ascii")) if match else None


def codec_name(label: str) -> str | None:
    """Python's codec for an encoding label (``windows-1250``, ``latin1``), or None."""
    label = label.strip().strip("\"'").lower()
    label = _WHATWG_LABELS.get(label, label)
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def decode_text(data: bytes, html: bool = False, charset: str | None = None) -> str:
    """Decode an article's bytes to text with ``\\n`` newlines and no BOM.

    ``charset`` is what the server declared; ``html`` looks for the page's own
    declaration. A declared encoding the bytes do not fit is passed over for detection."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return strip_invisible(_decode_with(data[len(bom) :], encoding))
    if _looks_binary(data.count(b"\x00"), len(data)):
        raise InputError("the input looks binary (it is full of NUL bytes), not text")
    for declared in (codec_name(charset) if charset else None,
                     declared_charset(data) if html else None):  # fmt: skip
        if declared is not None:
            try:
                return strip_invisible(normalize_newlines(data.decode(declared)))
            except UnicodeDecodeError:
                continue
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
    return clean_text(text)


def _looks_binary(controls: int, length: int) -> bool:
    """Text has a stray control character or two; binary data is full of them."""
    return controls > max(MIN_BINARY_CONTROLS, MAX_CONTROL_SHARE * length)


def normalize_newlines(text: str) -> str:
    """Turn CRLF, lone CR (and CR CR LF, from a file converted twice) into LF."""
    return text.replace("\r\r\n", "\n").replace("\r\n", "\n").replace("\r", "\n")


def read_article(source: str | Path) -> str:
    """Read an article from a path, or from standard input when ``source`` is ``-``."""
    if str(source) == STDIN:
        data = sys.stdin.buffer.read(MAX_BYTES + 1)
        if len(data) > MAX_BYTES:
            raise InputError(f"standard input: over {MAX_BYTES // 2**20} MB; not an article")
        return decode_text(data, html=looks_like_html(data))
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
        return decode_text(data, html=looks_like_html(data, path.name))
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
