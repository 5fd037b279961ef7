"""Parse plain text into a document: an optional title and subtitle, then paragraphs.

Paragraphs are separated by blank lines (lines of nothing but white space); the
lines inside one paragraph (hard wraps) are joined with single spaces, except in a
block whose every line is a list item (``- ``, ``* ``, ``• ``, ``1. ``, ``2) ``) or a
table row (cells between ``|``): each line is then an item of its own, a row's cells
joined by commas, so rows and items never run together. A line
underlined by a line of only ``=``, ``-``, ``~`` or ``*`` (setext style) is a heading;
a line of nothing but such marks (``----``, ``* * *``) is a rule: both end a paragraph
and neither is read.
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
MAX_CODE_WORDS = 3
"""Inline code of at most this many plain words or names is read as written."""
_PLAIN_CODE = re.compile(r"^[\w][\w.+/:@-]*$|^--?[\w][\w-]*$")
"""One word or name of inline code that reads aloud: ``tidelog``, ``pip``, ``--week``,
``config.toml``; not ``$(tool root)``, ``"$(tool init -)"`` or ``a | b``."""
CODE_SAID = "code"
"""What is said for inline code that is not plain words."""
MAX_TABLE_COLUMNS = 7
"""A table with more columns than this is a grid to look up, not to hear: dropped and listed."""
_RULE = re.compile(r"^([-=~*_#])(?: ?\1){2,}$")
"""A line of three or more of one mark (spaces between allowed): an underline or a rule."""
_LIST_ITEM = re.compile(r"^(?:[-*+\u2022\u2013]|\d{1,3}[.)])\s+(?=\S)")
"""A plain-text list item's marker: a bullet or a number, then space and the item."""
_BULLET = re.compile(r"^[-*+\u2022\u2013]\s+")
_TABLE_RULE = re.compile(r"^[|+:\s-]*-[|+:\s-]*$")
"""A table's rule line: ``|---|:--:|`` or ``----+----``."""
UNDERLINE_SHARE = 0.5
"""An underline is at least this share of its heading's length, and at most 1/share."""


PREVIEW_CHARS = 60


@dataclass(frozen=True)
class Dropped:
    """A block left out of the narration, and why."""

    text: str
    """What is shown: the block, or its first :data:`PREVIEW_CHARS` characters."""
    reason: str
    whole: str = field(default="", compare=False)
    """All the text the entry stands for, when ``text`` shows less of it (a preview, a
    table's size): nothing is left out without being listed."""

    @classmethod
    def of(cls, text: str, reason: str, shown: str | None = None) -> Dropped:
        """An entry for ``text``, shown as ``shown`` or a preview of it."""
        line = " ".join(text.split())
        if shown is None:
            shown = line[:PREVIEW_CHARS] + ("\u2026" if len(line) > PREVIEW_CHARS else "")
        return cls(shown, reason, line if line != shown else "")


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
        # the one cleaning raw bytes got (values.clean_text)
        single = functools.partial(clean_text, newlines=False)
        for name in ("title", "subtitle"):
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, single(value))
        object.__setattr__(self, "paragraphs", tuple(map(clean_text, self.paragraphs)))
        dropped = tuple(Dropped(clean_text(d.text), d.reason, clean_text(d.whole))
                        for d in self.dropped)  # fmt: skip
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
    blocks, underlined = _setext(split_blocks(text))
    title = subtitle = None
    if blocks and (id(blocks[0]) in underlined or _starts_with_title(blocks)):
        title = blocks[0].pop(0)
        if not blocks[0]:
            blocks.pop(0)
        if (
            len(blocks) > 1
            and len(blocks[0]) == 1
            and looks_like_subtitle(blocks[0][0], blocks[1:])
        ):
            subtitle = blocks.pop(0)[0]
    paragraphs: list[str] = []
    headings: list[int] = []
    items: list[int] = []
    for i, block in enumerate(blocks):
        if id(block) in underlined or _is_heading(blocks, i):
            headings.append(len(paragraphs))
        elif (lines := line_items(block)) is not None:
            items.extend(range(len(paragraphs), len(paragraphs) + len(lines)))
            paragraphs.extend(lines)
            continue
        paragraphs.append(" ".join(block))
    return Document(title=title, subtitle=subtitle, paragraphs=tuple(paragraphs),
                    headings=tuple(headings), items=tuple(items))  # fmt: skip


def line_items(block: list[str]) -> list[str] | None:
    """A block's lines as items when every one is a list item or a table row (a rule line
    of the table left out), else None: the lines are a paragraph's hard wraps."""
    if len(block) < 2:
        return None
    if all(_LIST_ITEM.match(line) for line in block):
        return [_BULLET.sub("", line, count=1) for line in block]  # numbers are read
    rows = [line for line in block if not _TABLE_RULE.match(line)]
    cells = [[cell.strip() for cell in row.strip().strip("|").split("|")] for row in rows]
    if len(rows) < 2 or not all("|" in row and sum(map(bool, row_cells)) >= 2
                                for row, row_cells in zip(rows, cells, strict=True)):  # fmt: skip
        return None
    return [", ".join(cell for cell in row_cells if cell) for row_cells in cells]


def _setext(blocks: list[list[str]]) -> tuple[list[list[str]], set[int]]:
    """The blocks with underlined lines made headings of their own (the ids of their
    blocks) and rule lines taken out, each ending the paragraph it was in."""
    found: list[list[str]] = []
    headings: set[int] = set()
    for block in blocks:
        current: list[str] = []
        for line in block:
            if not _RULE.match(line):
                current.append(line)
                continue
            if current and _underlines(line, current[-1]):
                heading = [current.pop()]
                if current:
                    found.append(current)
                found.append(heading)
                headings.add(id(heading))
            elif current:
                found.append(current)
            current = []
        if current:
            found.append(current)
    return found, headings


def _underlines(rule: str, line: str) -> bool:
    """A rule of one mark without spaces, roughly as long as the line above it."""
    return (
        " " not in rule and UNDERLINE_SHARE * len(line) <= len(rule) <= len(line) / UNDERLINE_SHARE
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


_KINDS = {"h1": "heading", "term": "item"}
"""A further ``h1`` is a heading; a defined term is read as a list item is, a short pause
after it and before its meaning."""


def document_from_blocks(
    title: str | None,
    blocks: list[tuple[str, str]],
    dropped: list[Dropped],
    metadata: Mapping[str, str],
) -> Document:
    """Assemble a document from (kind, text) blocks of a structured format (Markdown, HTML):
    a further ``h1`` is a heading; a short first paragraph after the title is the subtitle."""
    blocks = [(_KINDS.get(kind, kind), text) for kind, text in blocks]
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


def table_reason(rows: list[list[str]]) -> str | None:
    """Why a table (its rows of cell texts) is listed rather than read: wider than
    :data:`MAX_TABLE_COLUMNS`, or most of its cells without a letter or digit (✓, ✗);
    None to read it row by row."""
    columns = max((len(cells) for cells in rows), default=0)
    cells = [cell for row in rows for cell in row]
    symbols = sum(not any(ch.isalnum() for ch in cell) for cell in cells)
    size = f"a table of {len(rows)} rows and {columns} columns"
    if columns > MAX_TABLE_COLUMNS:
        return f"{size}: too wide to read aloud"
    if cells and symbols * 2 > len(cells):
        return f"{size}: mostly symbols"
    return None


def code_is_plain(code: str) -> bool:
    """Inline code that reads aloud as written: at most :data:`MAX_CODE_WORDS` words or
    names (``pip install tidelog``); measured on READMEs, the rest (``eval "$(x init -)"``,
    ``$(x root)/versions``) is punctuation a voice spells out or a normalizer rewrites."""
    words = code.split()
    return len(words) <= MAX_CODE_WORDS and all(_PLAIN_CODE.match(word) for word in words)
