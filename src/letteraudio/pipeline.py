"""Article text -> script: parse, clean and segment, for one engine's limits.

The rest of a render (speaking, mastering, joining) is in :mod:`letteraudio.api`.
"""

from __future__ import annotations

from dataclasses import dataclass

from letteraudio.errors import InputError
from letteraudio.settings import MAX_ARTICLE_CHARS
from letteraudio.text.formats import parser
from letteraudio.text.lexicon import Lexicon
from letteraudio.text.parse import Document
from letteraudio.text.prepare import prepare
from letteraudio.text.segment import Pauses, Segment, segment_document


@dataclass(frozen=True)
class Script:
    """What will be spoken: the parsed document and its segments."""

    document: Document
    segments: list[Segment]
    pauses: Pauses

    def estimated_seconds(self, chars_per_second: float) -> float:
        """Speech at the engine's typical rate plus every pause."""
        speech = sum(len(s.text) for s in self.segments) / chars_per_second
        pauses = sum(s.pause_after_ms for s in self.segments[:-1]) / 1000
        return speech + pauses + (self.pauses.lead_in + self.pauses.tail) / 1000


@dataclass(frozen=True)
class ReadingSettings:
    """How an article's text becomes a script."""

    format: str = "text"
    keep_boilerplate: bool = False
    lexicon: Lexicon | None = None
    phonemes: bool = False
    """Whether the engine takes raw phonemes from the lexicon (it declares so)."""
    max_article_chars: int = MAX_ARTICLE_CHARS


def build_script(
    text: str, max_chars: int, pauses: Pauses, reading: ReadingSettings | None = None
) -> Script:
    """Parse, clean and segment an article; refuse one with nothing to say or too much."""
    reading = reading or ReadingSettings()
    parsed = parser(reading.format)(text)
    length = sum(len(block) for block in (parsed.title or "", *parsed.paragraphs))
    if length > reading.max_article_chars:
        raise InputError(
            f"the article has {length:,} characters of text, over the limit of "
            f"{reading.max_article_chars:,} (see --max-chars)"
        )
    document = prepare(parsed, reading.keep_boilerplate, reading.lexicon, reading.phonemes)
    segments = segment_document(document, max_chars, pauses)
    if not segments:
        raise InputError("the article has nothing to speak (it is empty or has no words)")
    return Script(document, segments, pauses)
