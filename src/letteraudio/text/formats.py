"""Which parser reads an article: by ``--format``, else by the file's extension, else
(standard input, text given to the library, a file without an extension, a page served
as text/plain) a sniff of the text: HTML by its doctype, Markdown by marks plain text
does not have (:func:`looks_like_markdown`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from letteraudio.errors import InputError
from letteraudio.text.parse import Document, parse_text

FORMATS = ("text", "markdown", "html")
_EXTENSIONS = {".md": "markdown", ".markdown": "markdown", ".html": "html", ".htm": "html"}


def detect_format(source: str, text: str, requested: str | None = None) -> str:
    """The format to read ``source`` as: the one asked for, its extension, or a sniff of
    standard input (``-``) or of a file without an extension."""
    if requested:
        if requested not in FORMATS:
            raise InputError(f"unknown format {requested!r} (choose from: {', '.join(FORMATS)})")
        return requested
    by_extension = _EXTENSIONS.get(Path(source).suffix.lower())
    if by_extension:
        return by_extension
    if source != "-" and Path(source).suffix:
        return "text"  # .txt, or an extension of its own: plain text, as it always was
    head = text.lstrip()[:500].lower()
    if source == "-" and head.startswith(("<!doctype html", "<html")):
        return "html"
    return "markdown" if looks_like_markdown(text) else "text"


SNIFFED_CHARS = 20_000
"""How much of a text :func:`looks_like_markdown` reads."""
_FRONT_MATTER = re.compile(
    r"\A(?:\ufeff)?---[ \t]*\r?\n(?:[^\n]*\n){0,60}?(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)"
)
_FRONT_MATTER_KEY = re.compile(r"^[A-Za-z_][\w-]*:(?:[ \t]|$)", re.MULTILINE)
_HEADING = re.compile(r"^#{1,6}[ \t]+\S", re.MULTILINE)
_FENCE = re.compile(r"^[ ]{0,3}(?:`{3,}|~{3,})", re.MULTILINE)
_LINK = re.compile(r"!?\[[^\]\n]+\]\((?:https?://|mailto:|/|\./|\.\./|#)[^()\s]*\)")


def looks_like_markdown(text: str) -> bool:
    """Whether ``text``, whose format nothing else tells, is Markdown: YAML front matter
    at its start, or two of these marks (one at least twice, or the first line a heading):
    ATX headings (``# Title``), a fenced code block (an opening and a closing fence
    count as two), inline links or images (``[text](https://...)``, ``![alt](/a.png)``).
    A letter's ``#1`` or ``[sic]`` or a list of dashes is none of them."""
    text = text[:SNIFFED_CHARS]
    front = _FRONT_MATTER.match(text)
    if front and _FRONT_MATTER_KEY.search(front.group()):
        return True
    headings = len(_HEADING.findall(text))
    first = _HEADING.match(text.lstrip("\ufeff \t\r\n"))
    marks = headings + (first is not None) + len(_FENCE.findall(text)) + len(_LINK.findall(text))
    return marks >= 2


def parser(fmt: str) -> Callable[[str], Document]:
    """The function that parses ``fmt`` into a document."""
    if fmt == "markdown":
        from letteraudio.text.markdown import parse_markdown

        return parse_markdown
    if fmt == "html":
        from letteraudio.text.html import parse_html

        return parse_html
    return parse_text
