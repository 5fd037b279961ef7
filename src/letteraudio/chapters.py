"""Chapters from the stitched timeline: one per heading, or one per paragraph.

A chapter starts where its speech starts (not in the pause before it), except the
first, which starts at 0 so that the whole episode is covered. The title and
subtitle belong to the first chapter.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from letteraudio.audio.stitch import Span
    from letteraudio.text.segment import Segment

TITLE_WORDS = 6


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


def first_words(text: str, count: int = TITLE_WORDS) -> str:
    """The first ``count`` words of ``text``, with an ellipsis when there are more."""
    words = text.split()
    return " ".join(words[:count]) + ("\u2026" if len(words) > count else "")


def build_chapters(
    segments: Sequence[Segment],
    spans: Sequence[Span | None],
    duration_ms: int,
    mode: ChapterMode,
    title: str | None = None,
) -> list[Chapter]:
    """Chapters for a rendered script; ``headings`` falls back to paragraphs when there are none."""
    if mode is ChapterMode.NONE:
        return []
    starts = _chapter_starts(segments, spans, headings=mode is ChapterMode.HEADINGS)
    if not starts:
        return []
    if title:
        starts[0] = (starts[0][0], title)
    chapters = []
    for i, (start, name) in enumerate(starts):
        end = starts[i + 1][0] if i + 1 < len(starts) else duration_ms
        chapters.append(Chapter(name, 0 if i == 0 else start, end))
    return chapters


def _chapter_starts(
    segments: Sequence[Segment], spans: Sequence[Span | None], headings: bool
) -> list[tuple[int, str]]:
    """(speech start, title) of each chapter: where each heading or paragraph starts speaking."""
    opener = "heading" if headings and any(s.kind == "heading" for s in segments) else "paragraph"
    starts: list[tuple[int, str]] = []
    opened: set[tuple[str, int]] = set()
    for segment, span in zip(segments, spans, strict=True):
        block = (segment.kind, segment.paragraph)
        if span is None or segment.kind != opener or block in opened:
            continue
        opened.add(block)
        starts.append((span.start_ms, first_words(segment.text)))
    return starts
