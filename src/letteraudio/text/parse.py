"""Parse plain text into a document: an optional title and subtitle, then paragraphs.

Paragraphs are separated by blank lines; the lines inside one paragraph (hard
wraps) are joined with single spaces.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

TITLE_MAX_WORDS = 20
SUBTITLE_MAX_WORDS = 30
SUBTITLE_MAX_SHARE = 0.6
"""A subtitle is at most this share of the body's median paragraph length, in words."""
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
        if len(blocks) > 1 and blocks[0][1] == 1 and looks_like_subtitle(blocks[0][0], blocks[1:]):
            subtitle = blocks.pop(0)[0]
    return Document(title=title, subtitle=subtitle, paragraphs=tuple(b for b, _ in blocks))


def looks_like_subtitle(line: str, body: list[tuple[str, int]]) -> bool:
    """A standfirst is one short line, clearly shorter than the paragraphs after it."""
    words = len(line.split())
    lengths = sorted(len(text.split()) for text, _ in body)
    median = lengths[len(lengths) // 2]
    return words <= SUBTITLE_MAX_WORDS and words <= SUBTITLE_MAX_SHARE * median
