"""Values every stage passes around and that depend on nothing: audio from an engine,
where speech sits in the timeline, chapters and what the tags say; and the one cleaning
every string from outside gets (:func:`clean_text`), which they apply to themselves.

They live here so that ``engines/``, ``audio/`` and the publishing modules can share
them without importing one another.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # numpy is imported when a clip is made, not when the values are named
    import numpy as np
    import numpy.typing as npt


@dataclass(frozen=True)
class Clip:
    """Mono 16-bit audio returned by an engine."""

    samples: npt.NDArray[np.int16]
    sample_rate: int
    words: tuple[tuple[int, int], ...] | None = None
    """Where each word of the text (split at whitespace) is, as (first sample, sample after
    the last), from engines that report word timing; None: the engine does not know."""


def empty_clip(sample_rate: int) -> Clip:
    """A clip with no samples: the answer for text with nothing to say."""
    import numpy

    return Clip(numpy.zeros(0, dtype=numpy.int16), sample_rate)


@dataclass(frozen=True)
class Span:
    """Where one segment's speech sits in the timeline, in milliseconds."""

    start_ms: int
    end_ms: int
    words: tuple[tuple[int, int], ...] | None = None
    """Where each of its words is (start, end in ms, same timeline), when the engine said."""


@dataclass(frozen=True)
class SidecarChoice:
    """Which optional sidecars to write beside an MP3 (the episode file is always written)."""

    vtt: bool = True
    srt: bool = True
    chapters_json: bool = True


class ChapterMode(str, Enum):
    """What starts a chapter."""

    HEADINGS = "headings"
    PARAGRAPHS = "paragraphs"
    NONE = "none"


@dataclass(frozen=True)
class Chapter:
    """A titled stretch of the episode, in milliseconds."""

    title: str
    start_ms: int
    end_ms: int


@dataclass(frozen=True)
class Metadata:
    """What the tags say about the episode."""

    title: str
    author: str | None = None
    show: str | None = None
    description: str | None = None
    language: str | None = None
    """A language code such as ``en``, ``en-US`` or ``eng``."""
    date: str | None = None
    """``YYYY`` or ``YYYY-MM-DD``; no date is written unless one is given."""
    cover: Path | None = None

    def __post_init__(self) -> None:
        # options, config files and documents all end here: the one cleaning (controls,
        # escape sequences, bidi overrides), on one line but for the description
        for name in ("title", "author", "show", "description", "language", "date"):
            value = getattr(self, name)
            if isinstance(value, str):
                object.__setattr__(self, name, clean_text(value, newlines=name == "description"))


def plural(count: int, noun: str) -> str:
    """``1 segment``, ``1,200 characters``."""
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


def columns(rows: Sequence[Sequence[str]]) -> list[str]:
    """Rows as aligned columns, a line each (the last column is never padded)."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    return [
        "  ".join(
            [*(cell.ljust(w) for cell, w in zip(row, widths, strict=False)), row[-1]]
        ).rstrip()
        for row in rows
    ]


def clock(seconds: float) -> str:
    """A duration as ``1:05`` or ``1:02:03``."""
    hours, rest = divmod(int(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


# --- the one cleaning of text from outside, and text for the terminal ---------------


_ESCAPE_SEQUENCE = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]|\x9b[0-?]*[ -/]*[@-~]"  # CSI: colours, cursor moves
    r"|(?:\x1b[]PX^_]|[\x90\x98\x9d-\x9f])[^\x07\x1b\x9c]{0,256}?(?:\x07|\x1b\\|\x9c)"  # OSC...
    r"|\x1b[ -/]*[0-~]"  # any other escape
)


def clean_text(text: str, newlines: bool = True) -> str:
    """The one cleaning every string from outside gets once it is decoded (bytes, HTML
    entities, YAML, TOML, JSON, tags, options): terminal escape sequences, C0 and C1
    controls, bidi overrides and other format characters removed; tab and newline kept
    where they mean something (``newlines``), else each becomes a space."""
    if text.isascii() and text.isprintable():
        return text  # the usual case, at no cost
    text = _ESCAPE_SEQUENCE.sub("", text)
    if not newlines:
        text = text.replace("\n", " ").replace("\t", " ")
    return "".join(ch for ch in text if not _is_invisible(ch))


def _is_invisible(ch: str) -> bool:
    if ch in "\n\t":
        return False
    return unicodedata.category(ch) in ("Cc", "Cf")


_BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)


def printable(text: str) -> str:
    """Text for the terminal: controls (but newline) and bidi overrides shown as ``\\u001b``
    escapes, so a file name or a title never moves the cursor, retitles the terminal or
    reverses the line."""
    if text.isascii() and text.isprintable():
        return text
    return "".join(
        f"\\u{ord(ch):04x}"
        if ch != "\n" and (unicodedata.category(ch) == "Cc" or ch in _BIDI_CONTROLS)
        else ch
        for ch in text
    )
