"""Which parser reads an article: by ``--format``, else by the file's extension."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from letteraudio.errors import InputError
from letteraudio.text.parse import Document, parse_text

FORMATS = ("text", "markdown", "html")
_EXTENSIONS = {".md": "markdown", ".markdown": "markdown", ".html": "html", ".htm": "html"}


def detect_format(source: str, text: str, requested: str | None = None) -> str:
    """The format to read ``source`` as: the one asked for, its extension, or a sniff of stdin."""
    if requested:
        if requested not in FORMATS:
            raise InputError(f"unknown format {requested!r} (choose from: {', '.join(FORMATS)})")
        return requested
    by_extension = _EXTENSIONS.get(Path(source).suffix.lower())
    if by_extension:
        return by_extension
    head = text.lstrip()[:500].lower()
    if source == "-" and head.startswith(("<!doctype html", "<html")):
        return "html"
    return "text"


def parser(fmt: str) -> Callable[[str], Document]:
    """The function that parses ``fmt`` into a document."""
    if fmt == "markdown":
        from letteraudio.text.markdown import parse_markdown

        return parse_markdown
    if fmt == "html":
        from letteraudio.text.html import parse_html

        return parse_html
    return parse_text
