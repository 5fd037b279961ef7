"""Parse plain text into a document: an optional title and subtitle, then paragraphs.

Paragraphs are separated by blank lines; the lines inside one paragraph (hard
wraps) are joined with single spaces.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

TITLE_MAX_WORDS = 20
SUBTITLE_MAX_WORDS = 30
_BLANK_LINES = re.compile(r"\n[ \t\f\v\u00a0]*\n")
_SPACES = re.compile(r"\s+")
_TITLE_ENDINGS = (".", ",", ";", ":")


@dataclass(frozen=True)
class Document:
    """An article as it will be read: title, subtitle and body paragraphs."""

    title: str | None = None
    subtitle: str | None = None
    paragraphs: tuple[str, ...] = field(default_factory=tuple)


def split_blocks(text: str) -> list[tuple[str, int]]:
    """Cut text into blocks at blank lines; each is (joined text, number of lines)."""
    blocks = []
    for raw in _BLANK_LINES.split(text.replace("\r\n", "\n").replace("\r", "\n")):
        lines = [line.strip() for line in raw.split("\n") if line.strip()]
        if lines:
            blocks.append((_SPACES.sub(" ", " ".join(lines)), len(lines)))
    return blocks


def looks_like_title(line: str) -> bool:
    """A title is one short line that does not end like a sentence."""
    return len(line.split()) <= TITLE_MAX_WORDS and not line.rstrip().endswith(_TITLE_ENDINGS)


def parse_text(text: str) -> Document:
    """Parse plain text into a :class:`Document`."""
    blocks = split_blocks(text)
    title = subtitle = None
    if len(blocks) > 1 and blocks[0][1] == 1 and looks_like_title(blocks[0][0]):
        title = blocks.pop(0)[0]
        if (
            len(blocks) > 1
            and blocks[0][1] == 1
            and len(blocks[0][0].split()) <= SUBTITLE_MAX_WORDS
        ):
            subtitle = blocks.pop(0)[0]
    return Document(title=title, subtitle=subtitle, paragraphs=tuple(b for b, _ in blocks))
