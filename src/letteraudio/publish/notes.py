"""An episode's show notes, from the article's own written text: the description (the
article's opening, then its chapters with timestamps, which Apple turns into chapters when
there are at least three starting at 00:00:00) and the article as simple HTML for the
feed's ``content:encoded``.

The written text is read back from the episode's transcript cues (each carries its
paragraph's number), so nothing but the episode file is needed.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

from letteraudio.publish.episode import EpisodeInfo
from letteraudio.publish.feed import MAX_DESCRIPTION_BYTES, clip_bytes
from letteraudio.values import Chapter

OPENING_CHARACTERS = 600
"""About how much of the article's opening the description quotes (whole paragraphs, the
first always, cut at a word when it alone is longer)."""
MIN_CHAPTERS = 3
"""Apple builds chapters from a description with at least three timestamps."""


def paragraphs(info: EpisodeInfo) -> list[str]:
    """The article's written paragraphs and headings in order, without its title and
    subtitle (block 0 of the cues)."""
    blocks: dict[int, list[str]] = {}
    for cue in info.cues:
        if cue.block > 0:
            blocks.setdefault(cue.block, []).append(cue.text.strip())
    return [" ".join(part for part in parts if part) for _, parts in sorted(blocks.items())]


def description(info: EpisodeInfo) -> str:
    """The episode's description: the one given (``--description``, a page's summary) or
    the article's opening, then its chapters as ``00:00:00 Title`` lines when it has at
    least three; within Apple's 4,000 bytes."""
    chapters = chapter_lines(info.chapters)
    room = MAX_DESCRIPTION_BYTES - len(chapters.encode("utf-8")) - 2
    opening = info.description or _opening(info, info.chapters) or info.title
    opening = clip_bytes(opening, max(room, 200))
    text = f"{opening}\n\n{chapters}" if chapters else opening
    return clip_bytes(text)


def _opening(info: EpisodeInfo, chapters: Sequence[Chapter]) -> str:
    headings = {chapter.title for chapter in chapters}
    kept: list[str] = []
    for paragraph in paragraphs(info):
        if paragraph in headings or not paragraph:
            continue
        if kept and sum(len(p) for p in kept) + len(paragraph) > OPENING_CHARACTERS:
            break
        kept.append(paragraph)
    opening = "\n\n".join(kept)
    return clip_bytes(opening, OPENING_CHARACTERS * 2) if opening else ""


def chapter_lines(chapters: Sequence[Chapter]) -> str:
    """``00:00:00 Title`` lines, the first at 00:00:00, when there are at least three."""
    if len(chapters) < MIN_CHAPTERS:
        return ""
    lines = []
    for number, chapter in enumerate(chapters):
        seconds = 0 if number == 0 else chapter.start_ms // 1000
        hours, rest = divmod(seconds, 3600)
        lines.append(f"{hours:02d}:{rest // 60:02d}:{rest % 60:02d} {chapter.title}")
    return "\n".join(lines)


def content_html(info: EpisodeInfo) -> str | None:
    """The article's written text as simple HTML (``<h2>`` for its chapter headings,
    ``<p>`` for the rest), every piece escaped; None when the episode file has no text."""
    headings = {chapter.title for chapter in info.chapters}
    parts = [
        f"<h2>{html.escape(text)}</h2>" if text in headings else f"<p>{html.escape(text)}</p>"
        for text in paragraphs(info)
        if text
    ]
    return "\n".join(parts) or None
