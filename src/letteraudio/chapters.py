"""Chapters from the stitched timeline: one per heading, or one per paragraph.

A chapter starts where its speech starts (not in the pause before it), except the
first, which starts at 0 so that the whole episode is covered. The title and
subtitle belong to the first chapter.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from letteraudio.values import Chapter, ChapterMode, Span

if TYPE_CHECKING:
    from letteraudio.text.segment import Segment

TITLE_WORDS = 6
MAX_CHAPTERS = 255
"""An ID3 table of contents counts its entries in one byte."""


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
    """Chapters for a rendered script; ``headings`` falls back to paragraphs when there are none.

    By paragraph, the first chapter also holds the title and is named after it. By heading,
    what comes before the first heading is an opening chapter of its own when it has a
    subtitle or a paragraph; otherwise the first heading's chapter simply starts at 0.
    """
    if mode is ChapterMode.NONE:
        return []
    by_heading = mode is ChapterMode.HEADINGS and any(s.kind == "heading" for s in segments)
    opener = "heading" if by_heading else "paragraph"
    starts = _chapter_starts(segments, spans, opener)
    if not starts:
        return []
    starts = _thinned(starts, MAX_CHAPTERS - 1)  # room for an opening chapter
    if by_heading:
        before = [s for s, span in zip(segments, spans, strict=True) if span and
                  span.start_ms < starts[0][0] and s.kind in ("subtitle", "paragraph")]  # fmt: skip
        if before:
            starts.insert(0, (0, title or first_words(before[0].written)))
    elif title:
        starts[0] = (starts[0][0], title)
    chapters = []
    for i, (start, name) in enumerate(starts):
        end = starts[i + 1][0] if i + 1 < len(starts) else duration_ms
        chapters.append(Chapter(name, 0 if i == 0 else start, end))
    return chapters


def _thinned(starts: list[tuple[int, str]], most: int) -> list[tuple[int, str]]:
    """At most ``most`` chapters: with more blocks than that, a chapter holds several,
    named after the first (an article of 600 paragraphs gets one chapter per three)."""
    step = -(-len(starts) // most)
    return starts[::step]


def _chapter_starts(
    segments: Sequence[Segment], spans: Sequence[Span | None], opener: str
) -> list[tuple[int, str]]:
    """(speech start, title) where each block of kind ``opener`` starts speaking."""
    starts: list[tuple[int, str]] = []
    opened: dict[int, int] = {}  # paragraph: its place in starts
    for segment, span in zip(segments, spans, strict=True):
        if span is None or segment.kind != opener:
            continue
        if segment.paragraph in opened:
            if opener == "heading":  # a heading of two sentences ("Chapter 1. Introduction")
                at = opened[segment.paragraph]
                starts[at] = (starts[at][0], f"{starts[at][1]} {segment.written}")
            continue
        opened[segment.paragraph] = len(starts)
        name = segment.written if opener == "heading" else first_words(segment.written)
        starts.append((span.start_ms, name))
    return starts
