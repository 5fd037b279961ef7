"""Parse plain text into a document: an optional title and subtitle, then paragraphs.

Paragraphs are separated by blank lines (lines of nothing but white space); the
lines inside one paragraph (hard wraps) are joined with single spaces.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from letteraudio.text.read import normalize_newlines
from letteraudio.values import clean_text

TITLE_MAX_WORDS = 20
SUBTITLE_MAX_WORDS = 30
SHORTER_SHARE = 0.6
"""A subtitle (or a title glued to its paragraph) is at most this share of what follows."""
_SPACES = re.compile(r"\s+")
_TITLE_ENDINGS = (".", ",", ";", ":")
_HEADING_ENDINGS = (*_TITLE_ENDINGS, "!", "?", "\u2026", '"', "'", "\u201d", "\u2019", ")")
HEADING_MAX_WORDS = 10


@dataclass(frozen=True)
class Dropped:
    """A block left out of the narration, and why."""

    text: str
    reason: str


@dataclass(frozen=True)
class Document:
    """An article as it will be read: title, subtitle and body blocks."""

    title: str | None = None
    subtitle: str | None = None
    paragraphs: tuple[str, ...] = field(default_factory=tuple)
    headings: tuple[int, ...] = ()
    """Which of the paragraphs are section headings (their indexes)."""
    items: tuple[int, ...] = ()
    """Which of the paragraphs are list items."""
    dropped: tuple[Dropped, ...] = ()
    metadata: Mapping[str, str] = field(default_factory=dict)
    """What the document says about itself (Markdown front matter, HTML meta tags)."""

    def __post_init__(self) -> None:
        # every reader ends here: what entities, front matter and markup decoded to gets
        # the one cleaning raw bytes got (read.clean_text)
        single = functools.partial(clean_text, newlines=False)
        for name in ("title", "subtitle"):
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, single(value))
        object.__setattr__(self, "paragraphs", tuple(map(clean_text, self.paragraphs)))
        dropped = tuple(Dropped(clean_text(d.text), d.reason) for d in self.dropped)
        object.__setattr__(self, "dropped", dropped)
        metadata = {key: single(value) if isinstance(value, str) else value
                    for key, value in self.metadata.items()}  # fmt: skip
        object.__setattr__(self, "metadata", metadata)

    def kind(self, index: int) -> str:
        """The kind of body block ``index``: heading, item or paragraph."""
        if index in self._heading_set:
            return "heading"
        return "item" if index in self._item_set else "paragraph"

    @functools.cached_property
    def _heading_set(self) -> frozenset[int]:
        return frozenset(self.headings)

    @functools.cached_property
    def _item_set(self) -> frozenset[int]:
        return frozenset(self.items)


def split_blocks(text: str) -> list[list[str]]:
    """Cut text into blocks at blank lines; each block is its stripped lines."""
    blocks: list[list[str]] = []
    current: list[str] = []
    for line in normalize_newlines(text).split("\n"):
        if line.strip():
            current.append(_SPACES.sub(" ", line.strip()))
        elif current:
            blocks.append(current)
            current = []
    if current:
        blocks.append(current)
    return blocks


def looks_like_title(line: str) -> bool:
    """A title is one short line that does not end like a sentence."""
    return len(line.split()) <= TITLE_MAX_WORDS and not line.rstrip().endswith(_TITLE_ENDINGS)


def parse_text(text: str) -> Document:
    """Parse plain text into a :class:`Document`."""
    blocks = split_blocks(text)
    title = subtitle = None
    if blocks and _starts_with_title(blocks):
        title = blocks[0].pop(0)
        if not blocks[0]:
            blocks.pop(0)
        if (
            len(blocks) > 1
            and len(blocks[0]) == 1
            and looks_like_subtitle(blocks[0][0], blocks[1:])
        ):
            subtitle = blocks.pop(0)[0]
    headings = tuple(i for i in range(len(blocks)) if _is_heading(blocks, i))
    return Document(
        title=title, subtitle=subtitle, paragraphs=tuple(map(" ".join, blocks)), headings=headings
    )


def _is_heading(blocks: list[list[str]], index: int) -> bool:
    """A section heading: one short line that does not end like a sentence, standing before
    a paragraph at least twice as long."""
    block = blocks[index]
    if len(block) != 1 or index + 1 >= len(blocks):
        return False
    words = len(block[0].split())
    following = sum(len(line.split()) for line in blocks[index + 1])
    return (
        words <= HEADING_MAX_WORDS
        and not block[0].endswith(_HEADING_ENDINGS)
        and following >= 2 * words
        and any(ch.isalpha() for ch in block[0])
    )


def _starts_with_title(blocks: list[list[str]]) -> bool:
    """The first line is a title: alone in its block, or clearly shorter than the line after it."""
    first = blocks[0]
    if not looks_like_title(first[0]):
        return False
    if len(first) == 1:
        return len(blocks) > 1
    return len(first[0]) <= SHORTER_SHARE * len(first[1])


def looks_like_subtitle(line: str, body: list[list[str]]) -> bool:
    """A standfirst is one short line, clearly shorter than the paragraphs after it."""
    words = len(line.split())
    lengths = sorted(sum(len(row.split()) for row in block) for block in body)
    median = lengths[len(lengths) // 2]
    return words <= SUBTITLE_MAX_WORDS and words <= SHORTER_SHARE * median


def document_from_blocks(
    title: str | None,
    blocks: list[tuple[str, str]],
    dropped: list[Dropped],
    metadata: Mapping[str, str],
) -> Document:
    """Assemble a document from (kind, text) blocks of a structured format (Markdown, HTML):
    a further ``h1`` is a heading; a short first paragraph after the title is the subtitle."""
    blocks = [("heading" if kind == "h1" else kind, text) for kind, text in blocks]
    subtitle = None
    body = [[text] for kind, text in blocks[1:] if kind == "paragraph"] or [[""]]
    first = blocks[0] if blocks else ("", "")
    standfirst = first[0] == "subtitle" or (
        first[0] == "paragraph" and looks_like_subtitle(first[1], body)
    )
    if title and len(blocks) > 1 and standfirst:
        subtitle = blocks.pop(0)[1]
    blocks = [("paragraph" if kind == "subtitle" else kind, text) for kind, text in blocks]
    return Document(
        title=title,
        subtitle=subtitle,
        paragraphs=tuple(text for _, text in blocks),
        headings=tuple(i for i, (kind, _) in enumerate(blocks) if kind == "heading"),
        items=tuple(i for i, (kind, _) in enumerate(blocks) if kind == "item"),
        dropped=tuple(dropped),
        metadata=metadata,
    )
