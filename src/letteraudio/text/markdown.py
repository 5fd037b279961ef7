"""Markdown to a document (markdown-it-py): headings, paragraphs, lists, quotes.

Link text is read and URLs are not; images give their alt text; code blocks, tables and
raw HTML are left out and listed as dropped. YAML or TOML front matter supplies metadata.
"""

from __future__ import annotations

import datetime
import re
from typing import Any

from letteraudio.text.parse import Document, Dropped, document_from_blocks

_TOML_FRONT = re.compile(r"\A\+\+\+\s*\n(.*?)\n\+\+\+\s*(?:\n|\Z)", re.DOTALL)
_SPACES = re.compile(r"\s+")
_MARKERS = re.compile(r"^\s*(?:(?:>|[*+-]|\d{1,9}[.)])(?:[ \t]+|$))*")
_LIST_MARKER = re.compile(r"[*+-]|\d{1,9}[.)]")
_LEAVES = ("paragraph_open", "heading_open", "fence", "code_block", "html_block", "table_open",
           "hr", "front_matter")  # fmt: skip
"""Tokens whose line ranges hold text; a line under none of them was not parsed."""


def parse_markdown(text: str) -> Document:
    """Parse Markdown into a :class:`Document`."""
    from markdown_it import MarkdownIt
    from mdit_py_plugins.front_matter import front_matter_plugin

    metadata: dict[str, str] = {}
    toml = _TOML_FRONT.match(text)
    if toml:
        metadata = _toml_metadata(toml.group(1))
        text = text[toml.end() :]
    parser = MarkdownIt("commonmark").use(front_matter_plugin).enable("table")
    tokens = parser.parse(text)
    blocks: list[tuple[str, str]] = []  # (kind, text)
    lines: list[int] = []  # the source line each block starts on
    covered = [False] * (text.count("\n") + 1)
    dropped: list[Dropped] = []
    depth = {"list": 0, "table": 0}
    heading_level = 0
    line = 0
    for token in tokens:
        kind = token.type
        if token.map and kind in _LEAVES:
            line = token.map[0]
            covered[token.map[0] : token.map[1]] = [True] * (token.map[1] - token.map[0])
        if kind == "front_matter":
            metadata = _yaml_metadata(token.content)
        elif kind in ("bullet_list_open", "ordered_list_open"):
            depth["list"] += 1
        elif kind in ("bullet_list_close", "ordered_list_close"):
            depth["list"] -= 1
        elif kind == "table_open":
            depth["table"] += 1
            dropped.append(Dropped("(a table)", "table"))
        elif kind == "table_close":
            depth["table"] -= 1
        elif kind == "heading_open":
            heading_level = int(token.tag[1:])
        elif kind == "heading_close":
            heading_level = 0
        elif kind in ("fence", "code_block"):
            dropped.append(Dropped(_first_line(token.content), "code block"))
        elif kind == "html_block":
            dropped.append(Dropped(_first_line(token.content), "raw HTML"))
        elif kind == "inline" and not depth["table"]:
            spoken = _inline_text(token.children or [])
            if not spoken:
                continue
            if heading_level:
                blocks.append(("h1" if heading_level == 1 else "heading", spoken))
            else:
                blocks.append(("item" if depth["list"] else "paragraph", spoken))
            lines.append(line)
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


def _inline_text(children: list[Any]) -> str:
    """What a reader says for a line of inline Markdown."""
    parts = []
    for child in children:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak") or (
            child.type == "html_inline" and child.content.lower().startswith("<br")
        ):
            parts.append(" ")
        elif child.type == "image":
            parts.append(child.content or "")  # the alt text
    return _SPACES.sub(" ", "".join(parts)).strip()


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
