"""The article body of a web page, as trafilatura finds it (imported only when needed).

trafilatura (Apache-2.0) is asked for XML, comments off, so headings, paragraphs, list
items and quotes keep their structure; its metadata gives the title, author, date and
site. Tables and code are not spoken: they are returned as dropped, like the rest of
letteraudio's readers do.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from letteraudio.text.parse import CODE_SAID, Dropped, code_is_plain, table_reason

_SPACES = re.compile(r"\s+")
_METADATA = ("title", "author", "date", "sitename", "description")


@dataclass(frozen=True)
class Extracted:
    """What trafilatura found: (kind, text) blocks, what it left unspoken, its metadata."""

    blocks: list[tuple[str, str]]
    dropped: list[Dropped] = field(default_factory=list)
    metadata: dict[str, str] = field(default_factory=dict)

    @property
    def words(self) -> int:
        return sum(len(text.split()) for _, text in self.blocks)


def extract_article(html: str, url: str | None = None) -> Extracted | None:
    """The article in ``html`` by trafilatura, or None when it finds none (or fails)."""
    import trafilatura
    from lxml import etree

    try:
        xml = trafilatura.extract(
            html,
            url=url,
            include_comments=False,
            include_tables=True,
            output_format="xml",
            with_metadata=True,
            # the date the page's markup gives, not a guess from its text ("\u00a9 2026")
            date_extraction_params={"extensive_search": False, "original_date": True},
        )
    except (ValueError, TypeError, RecursionError, etree.LxmlError):
        return None  # a page trafilatura cannot read: letteraudio's own parser reads it
    if not xml:
        return None
    root = etree.fromstring(
        xml.encode("utf-8"), etree.XMLParser(resolve_entities=False, no_network=True)
    )
    metadata = {key: " ".join(str(root.get(key)).split()) for key in _METADATA if root.get(key)}
    blocks: list[tuple[str, str]] = []
    dropped: list[Dropped] = []
    main = root.find("main")
    if main is not None:
        _walk(main, blocks, dropped)
    return Extracted(blocks, dropped, metadata)


def _walk(
    parent: Any, blocks: list[tuple[str, str]], dropped: list[Dropped], loose: bool = True
) -> None:
    """Blocks from ``parent``'s children; text loose between them is a paragraph (unless
    ``loose`` is false: an item's own text is read already)."""
    if loose:
        _add(blocks, "paragraph", parent.text or "")
    for element in parent:
        tag = element.tag
        if not isinstance(tag, str) or (not loose and tag not in _BLOCK_TAGS):
            continue
        if tag == "head":
            rend = element.get("rend") or ""
            _add(blocks, "h1" if rend == "h1" else "heading", _text(element))
        elif tag == "list":
            _list(element, blocks, dropped)
        elif tag == "table":
            _table(element, blocks, dropped)
        elif tag == "code":
            code = _text(element)
            dropped.append(Dropped.of(code, "code block", None if code.strip() else "(code)"))
        elif tag in ("quote", "div", "main") and _has_blocks(element):
            _walk(element, blocks, dropped)
        elif tag == "graphic":
            _add(blocks, "paragraph", element.get("alt") or "")
        else:
            _add(blocks, "paragraph", _text(element))
        if loose:
            _add(blocks, "paragraph", element.tail or "")


def _table(table: Any, blocks: list[tuple[str, str]], dropped: list[Dropped]) -> None:
    """A table read row by row, as a screen reader does: each row an item of its cells;
    a layout table (cells holding paragraphs) is read as its blocks; a wide table or one
    of symbols is listed with its size."""
    if any(_has_blocks(cell) for cell in table.iter("cell")):
        for cell in table.iter("cell"):
            _walk(cell, blocks, [])
        return
    grid = [
        [" ".join(_text(cell).split()) for cell in row if cell.tag == "cell"]
        for row in table.iter("row")
    ]
    reason = table_reason([cells for cells in grid if any(cells)])
    if reason:
        dropped.append(Dropped.of(" ".join(map(" ".join, grid)), "table", reason))
        return
    for cells in grid:
        _add(blocks, "item", ", ".join(cell for cell in cells if cell))


def _list(element: Any, blocks: list[tuple[str, str]], dropped: list[Dropped]) -> None:
    for item in element:
        if item.tag != "item":
            continue
        if _has_blocks(item):
            _add(blocks, "item", _own_text(item))
            _walk(item, blocks, dropped, loose=False)
        else:
            _add(blocks, "item", _text(item))


_BLOCK_TAGS = frozenset(("p", "head", "list", "quote", "table", "code", "div"))


def _has_blocks(element: Any) -> bool:
    return any(child.tag in _BLOCK_TAGS for child in element)


def _own_text(element: Any) -> str:
    """The text of ``element`` outside its block children (inline children included)."""
    parts = [element.text or ""]
    for child in element:
        if child.tag not in _BLOCK_TAGS:
            parts += [_text(child), child.tail or ""]
    return "".join(parts)


def _text(element: Any) -> str:
    """All the text of ``element``; a line break is a space; inline code that is not a
    few plain words is said as "code" (the HTML reader lists it)."""
    parts = [element.text or ""]
    for child in element:
        if child.tag == "code" and not code_is_plain(" ".join(_text(child).split())):
            parts.append(CODE_SAID)
        else:
            parts.append(" " if child.tag == "lb" else _text(child))
        parts.append(child.tail or "")
    return "".join(parts)


def _add(blocks: list[tuple[str, str]], kind: str, text: str) -> None:
    spoken = _SPACES.sub(" ", text).strip()
    if any(ch.isalnum() for ch in spoken):
        blocks.append((kind, spoken))
