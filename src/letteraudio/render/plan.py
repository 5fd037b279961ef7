"""Article text -> script: parse, clean, split into sentences and normalize them, for one
engine's limits.

The rest of a render (speaking, mastering, joining) is in :mod:`letteraudio.api`.
"""

from __future__ import annotations

from dataclasses import dataclass

from letteraudio.errors import InputError
from letteraudio.settings import MAX_ARTICLE_CHARS
from letteraudio.text.formats import parser
from letteraudio.text.lexicon import Lexicon
from letteraudio.text.parse import Document
from letteraudio.text.prepare import prepare, reading_language, speaker
from letteraudio.text.segment import Pauses, Segment, segment_document


@dataclass(frozen=True)
class Script:
    """What will be spoken: the parsed document and its segments."""

    document: Document
    """As written (boilerplate left out): what readers see."""
    segments: list[Segment]
    pauses: Pauses
    language: str | None = None
    """The language the text was read in (None: English, no one said otherwise)."""

    def estimated_seconds(self, chars_per_second: float) -> float:
        """Speech at the engine's typical rate plus every pause."""
        speech = sum(len(s.text) for s in self.segments) / chars_per_second
        pauses = sum(s.pause_after_ms for s in self.segments[:-1]) / 1000
        return speech + pauses + (self.pauses.lead_in + self.pauses.tail) / 1000

    def links(self) -> list[dict[str, str]]:
        """Web addresses the voice reads as their site only: the rest of each is not said."""
        from letteraudio.text.normalize import URL, site

        found = []
        for segment in self.segments:
            for match in URL.finditer(segment.written):
                if match.group(0).rstrip("/") != site(match.group(0)):
                    found.append({"url": match.group(0), "said": site(match.group(0))})
        return found


@dataclass(frozen=True)
class ReadingSettings:
    """How an article's text becomes a script."""

    format: str = "text"
    keep_boilerplate: bool = False
    lexicon: Lexicon | None = None
    phonemes: bool | str = False
    """The phoneme alphabet the engine takes from the lexicon (its ``phoneme_alphabet``:
    ``espeak`` for Piper, ``misaki`` for hibari; True means ``espeak``), or False."""
    max_article_chars: int = MAX_ARTICLE_CHARS
    lang: str | None = None
    """The article's language as given (``--lang``); else the document's, else the voice's."""
    voice: str | None = None
    """The voice asked for, whose name may say its language (``de_DE-thorsten-medium``)."""


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
    document = prepare(parsed, reading.keep_boilerplate)
    language = reading_language(reading.lang, document.metadata, reading.voice)
    speak = speaker(reading.lexicon, reading.phonemes, language)
    segments = segment_document(document, max_chars, pauses, speak, language)
    if not segments:
        raise InputError("the article has nothing to speak (it is empty or has no words)")
    return Script(document, segments, pauses, language)
