"""Markdown to a document (markdown-it-py): headings, paragraphs, lists, quotes.

Link text is read and URLs are not; images give their alt text, except images that are
all a link holds (badges), which are dropped and listed; a list of nothing but links
within the page is a table of contents, dropped and listed (with its heading when that
is all its section holds). Definition lists are read term, then meaning. Inline code
is read when it is a few plain words or names, else said as "code" and listed. Tables
are read row by row, unless wide or mostly symbols (then listed with their size: see
:func:`~letteraudio.text.parse.table_reason`); code blocks and raw HTML are left out and
listed as dropped. YAML or TOML front matter supplies metadata.
"""

from __future__ import annotations

import datetime
import re
from typing import Any

from letteraudio.text.parse import (
    CODE_SAID,
    Document,
    Dropped,
    code_is_plain,
    document_from_blocks,
    table_reason,
)

_TOML_FRONT = re.compile(r"\A\+\+\+\s*\n(.*?)\n\+\+\+\s*(?:\n|\Z)", re.DOTALL)
_SPACES = re.compile(r"\s+")
_MARKERS = re.compile(r"^\s*(?:(?:>|[*+-]|\d{1,9}[.)])(?:[ \t]+|$))*")
_LIST_MARKER = re.compile(r"[*+-]|\d{1,9}[.)]")
_LEAVES = ("paragraph_open", "heading_open", "fence", "code_block", "html_block", "table_open",
           "hr", "front_matter", "dl_open")  # fmt: skip
"""Tokens whose line ranges hold text; a line under none of them was not parsed."""


_CONTENTS_TEXT = re.compile(r"^[\s\W\d]*$")


def parse_markdown(text: str) -> Document:
    """Parse Markdown into a :class:`Document`."""
    from markdown_it import MarkdownIt
    from mdit_py_plugins.deflist import deflist_plugin
    from mdit_py_plugins.front_matter import front_matter_plugin

    metadata: dict[str, str] = {}
    toml = _TOML_FRONT.match(text)
    if toml:
        metadata = _toml_metadata(toml.group(1))
        text = text[toml.end() :]
    parser = MarkdownIt("commonmark").use(front_matter_plugin).use(deflist_plugin).enable("table")
    tokens = parser.parse(text)
    blocks: list[tuple[str, str]] = []  # (kind, text)
    lines: list[int] = []  # the source line each block starts on
    covered = [False] * (text.count("\n") + 1)
    dropped: list[Dropped] = []
    contents: list[int] = []  # how many blocks there were when a table of contents was left out
    depth = {"list": 0}
    heading_level = 0
    term = False
    line = 0
    index = 0
    while index < len(tokens):
        token = tokens[index]
        index += 1
        kind = token.type
        if token.map and kind in _LEAVES:
            line = token.map[0]
            covered[token.map[0] : token.map[1]] = [True] * (token.map[1] - token.map[0])
        if kind == "front_matter":
            metadata = _yaml_metadata(token.content)
        elif kind in ("bullet_list_open", "ordered_list_open"):
            end = _contents_end(tokens, index - 1)
            if end is not None:
                if token.map:
                    covered[token.map[0] : token.map[1]] = [True] * (token.map[1] - token.map[0])
                items = [
                    _inline_text(t.children or []) for t in tokens[index:end] if t.type == "inline"
                ]
                dropped.append(Dropped.of(", ".join(items), "table of contents"))
                contents.append(len(blocks))
                index = end + 1
                continue
            depth["list"] += 1
        elif kind in ("bullet_list_close", "ordered_list_close"):
            depth["list"] -= 1
        elif kind == "table_open":
            index = _table(tokens, index, blocks, lines, line, dropped)
        elif kind == "heading_open":
            heading_level = int(token.tag[1:])
        elif kind == "heading_close":
            heading_level = 0
        elif kind in ("dt_open", "dt_close"):
            term = kind == "dt_open"
        elif kind in ("fence", "code_block"):
            dropped.append(Dropped.of(token.content, "code block", _first_line(token.content)))
        elif kind == "html_block":
            dropped.append(Dropped.of(token.content, "raw HTML", _first_line(token.content)))
        elif kind == "inline":
            spoken = _inline_text(token.children or [], dropped)
            if not spoken:
                continue
            if heading_level:
                blocks.append(("h1" if heading_level == 1 else "heading", spoken))
            elif term:
                blocks.append(("term", spoken))
            else:
                blocks.append(("item" if depth["list"] else "paragraph", spoken))
            lines.append(line)
    for at in reversed(contents):  # a heading whose section is only its contents goes too
        if (
            at
            and blocks[at - 1][0] == "heading"
            and (at == len(blocks) or blocks[at][0] in ("heading", "h1"))
        ):
            dropped.append(Dropped(blocks.pop(at - 1)[1], "table of contents"))
            lines.pop(at - 1)
    if not all(covered):
        blocks = _with_unparsed(parser, text, covered, blocks, lines)
    return _document(blocks, dropped, metadata)


def _with_unparsed(
    parser: Any, text: str, covered: list[bool], blocks: list[tuple[str, str]], lines: list[int]
) -> list[tuple[str, str]]:
    """Lines the parser left out (lists or quotes nested deeper than it goes: its limit is
    20 levels) are read as they stand, markers stripped, each in its place: nothing deep
    vanishes."""
    found: list[tuple[int, tuple[str, str]]] = list(zip(lines, blocks, strict=True))
    for number, source in enumerate(text.split("\n")):
        if covered[number] or not source.strip():
            continue
        markers = _MARKERS.match(source)
        rest = source[markers.end() :] if markers else source
        tokens = parser.parseInline(rest)
        spoken = _inline_text(tokens[0].children or []) if tokens else ""
        if spoken:
            is_item = markers is not None and bool(_LIST_MARKER.search(markers.group(0)))
            found.append((number, ("item" if is_item else "paragraph", spoken)))
    found.sort(key=lambda pair: pair[0])
    return [block for _, block in found]


def _document(
    blocks: list[tuple[str, str]], dropped: list[Dropped], metadata: dict[str, str]
) -> Document:
    title = metadata.get("title")  # spoken too, as a title would be
    if blocks and blocks[0][0] == "h1":
        title = blocks.pop(0)[1]
    return document_from_blocks(title, blocks, dropped, metadata)


def _inline_text(children: list[Any], dropped: list[Dropped] | None = None) -> str:
    """What a reader says for a line of inline Markdown: links that hold nothing but
    images (badges) and inline code that is not plain words are listed in ``dropped``."""
    parts = []
    link: list[Any] | None = None  # the children of the link being read
    for child in children:
        if link is not None:
            if child.type != "link_close":
                link.append(child)
                continue
            if link and all(c.type == "image" or not c.content.strip() for c in link):
                if dropped is not None:
                    alts = " ".join(c.content for c in link if c.type == "image")
                    dropped.append(Dropped(alts.strip() or "(an image link)", "badge"))
            else:
                parts.append(_inline_text(link, dropped))
            link = None
        elif child.type == "link_open":
            link = []
        elif child.type == "text":
            parts.append(child.content)
        elif child.type == "code_inline":
            parts.append(_code(child.content, dropped))
        elif child.type in ("softbreak", "hardbreak") or (
            child.type == "html_inline" and child.content.lower().startswith("<br")
        ):
            parts.append(" ")
        elif child.type == "image":
            parts.append(child.content or "")  # the alt text
    return _SPACES.sub(" ", "".join(parts)).strip()


def _code(code: str, dropped: list[Dropped] | None) -> str:
    """Inline code as it is read: a few plain words or names as written, else "code"."""
    if code_is_plain(code):
        return code
    if dropped is not None:
        dropped.append(Dropped(code, 'inline code, said as "code"'))
    return CODE_SAID


def _contents_end(tokens: list[Any], start: int) -> int | None:
    """Where the list opening at ``start`` closes, when all it holds is links within the
    page (``[Usage](#usage)``): a table of contents. None for any other list."""
    level, links = 0, 0
    for index in range(start, len(tokens)):
        token = tokens[index]
        level += token.nesting
        if token.type == "inline":
            inside = 0
            for child in token.children or []:
                if child.type == "link_open":
                    if not str(child.attrs.get("href", "")).startswith("#"):
                        return None
                    inside, links = inside + 1, links + 1
                elif child.type == "link_close":
                    inside -= 1
                elif not inside and not _CONTENTS_TEXT.match(child.content):
                    return None  # words outside the links: a list of its own
        if level == 0:
            return index if links >= 2 else None
    return None


def _table(
    tokens: list[Any],
    start: int,
    blocks: list[tuple[str, str]],
    lines: list[int],
    line: int,
    dropped: list[Dropped],
) -> int:
    """Read the table whose tokens start at ``start`` (after ``table_open``): its rows
    as items, cells joined by commas, or, when it is wide or mostly symbols, listed
    with its size. Returns the index after ``table_close``."""
    rows: list[list[str]] = []
    index = start
    while index < len(tokens) and tokens[index].type != "table_close":
        token = tokens[index]
        if token.type == "tr_open":
            rows.append([])
        elif token.type == "inline" and rows:
            rows[-1].append(_inline_text(token.children or [], dropped))
        index += 1
    reason = table_reason(rows)
    if reason:
        dropped.append(Dropped.of(" ".join(map(" ".join, rows)), "table", reason))
    else:
        for cells in rows:
            spoken = ", ".join(cell for cell in cells if cell)
            if any(ch.isalnum() for ch in spoken):
                blocks.append(("item", spoken))
                lines.append(line)
    return index + 1


def _first_line(text: str) -> str:
    line = text.strip().split("\n", 1)[0]
    return line[:60] + ("\u2026" if len(line) > 60 else "")


def _yaml_metadata(text: str) -> dict[str, str]:
    import yaml

    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError:
        return {}
    return _strings(data)


def _toml_metadata(text: str) -> dict[str, str]:
    from letteraudio.config import tomllib

    try:
        return _strings(tomllib.loads(text))
    except tomllib.TOMLDecodeError:
        return {}  # front matter is advisory: a broken block is ignored


def _strings(data: object) -> dict[str, str]:
    if not isinstance(data, dict):
        return {}
    values = {}
    for key, value in data.items():
        if isinstance(value, (datetime.date, datetime.datetime)):
            values[str(key)] = value.isoformat()
        elif isinstance(value, (str, int, float)):
            values[str(key)] = str(value)
    return values
