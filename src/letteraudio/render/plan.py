"""Article + settings -> plan, before any voice speaks (pure: it loads no voice, writes
nothing): the script (parse, clean, split into sentences and normalize them, for one
engine's limits), the tags, and the paragraphs cut into tasks.

The rest of a render is :mod:`letteraudio.render.paragraph` (speak each paragraph) and
:mod:`letteraudio.render.join`.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass
from pathlib import Path

from letteraudio.audio.mastering import MasteringSettings
from letteraudio.audio.stitch import OUTPUT_RATE
from letteraudio.engines import phoneme_alphabet
from letteraudio.errors import InputError
from letteraudio.render.model import Article, Paragraph, Plan, Script, Task
from letteraudio.settings import MAX_ARTICLE_CHARS, Settings, Voice
from letteraudio.speech import require_recognizer, skipped
from letteraudio.tags import check_date, read_cover
from letteraudio.text.formats import detect_format, parser
from letteraudio.text.lexicon import Lexicon
from letteraudio.text.prepare import prepare, reading_language, speaker
from letteraudio.text.segment import Pauses, Segment, segment_document
from letteraudio.values import Metadata

PARAGRAPH_CHARS = 600
"""A block longer than this (about half a minute of speech) is mastered in several
paragraphs: cut at a sentence's end, or, past ``PARAGRAPH_CHARS * LONGEST_PARAGRAPH``,
between any two segments; and a segment that would take a paragraph past that starts the
next one, so no paragraph of several segments is longer (one segment alone is at most an
engine's ``max_chars``). Before, one was added anyway: two 600-character pieces of a long
sentence made a paragraph of 1,200 (80 s), and the worst case was 1,500.

What is in flight is a few paragraphs (see ``MASTERING_SECONDS`` in
:mod:`letteraudio.render.paragraph`): with 1,200 and only sentence ends before 4,800
characters, a 200-row table peaked at 1.8 times a short text (1.3 after; a plain-text
table is now read row by row: see README, Speed and memory)."""
LONGEST_PARAGRAPH = 1.5
_DOCUMENT_KEYS = ("title", "author", "description", "language", "show")


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


def plan(article: Article, settings: Settings) -> Plan:
    """Parse, clean and segment the article, settle its tags and cut it into tasks.
    Pure: it loads no voice and writes nothing (with ``verify``, it checks that the
    recognizer is installed)."""
    engine = settings.voice.engine_class()
    if settings.verify:
        require_recognizer()
    if settings.fallback is not None:
        settings.fallback.engine_class()
    reading = ReadingSettings(
        format=settings.text_format or article.format,
        keep_boilerplate=settings.keep_boilerplate,
        lexicon=settings.lexicon,
        phonemes=phoneme_alphabet(engine) or False,
        max_article_chars=settings.max_chars,
        lang=settings.voice.options.get("lang"),
        voice=settings.voice.options.get("voice"),
    )
    if settings.text_format:
        detect_format("-", article.text, settings.text_format)
    script = build_script(article.text, engine.max_chars, settings.pauses, reading)
    mastering = MasteringSettings(OUTPUT_RATE, settings.bitrate, settings.loudness)
    verify = settings.verify and not skipped(script.language)  # English only: a note says so
    tasks = tuple(
        Task(
            n,
            paragraph,
            settings.voice,
            settings.fallback,
            mastering,
            settings.cache_dir,
            settings.jobs,
            verify,
        )
        for n, paragraph in enumerate(split_paragraphs(script.segments, script.pauses))
    )
    speed = float(settings.voice.options.get("speed", 1.0))
    metadata = episode_metadata(article, script, settings)
    return Plan(script, metadata, settings, tasks, engine.chars_per_second * speed, article.url)


def episode_metadata(article: Article, script: Script, settings: Settings) -> Metadata:
    """The tags: those given (over the config file's), else the document's, else its title
    and subtitle, else the article's name."""
    defaults = settings.metadata_defaults
    chosen = {**defaults, **document_metadata(script, article), **settings.metadata}
    if chosen.get("cover") and chosen["cover"] == defaults.get("cover"):
        read_cover(Path(chosen["cover"]))
    document = script.document
    voice_lang = settings.voice.options.get("lang")
    return Metadata(
        title=str(chosen.get("title") or document.title or article.stem()),
        author=chosen.get("author"),
        show=chosen.get("show"),
        description=chosen.get("description") or document.subtitle,
        language=chosen.get("language") or voice_lang or "en",
        cover=Path(chosen["cover"]) if chosen.get("cover") else None,
        date=chosen.get("date"),
    )


def document_metadata(script: Script, article: Article) -> dict[str, str]:
    """What a document says about itself, taken leniently: a date only when it starts with
    YYYY-MM-DD (or is a year), a cover only when it is a readable image beside the
    article; anything else is left out rather than refused."""
    metadata = script.document.metadata
    metadata = {**metadata, **(article.metadata or {})}
    kept = {k: str(v) for k, v in metadata.items() if k in _DOCUMENT_KEYS}
    date = re.match(r"\d{4}-\d{2}-\d{2}|\d{4}$", str(metadata.get("date", "")).strip())
    if date:
        with contextlib.suppress(InputError):
            check_date(date.group(0))
            kept["date"] = date.group(0)
    if metadata.get("cover") and article.path is not None:
        cover = article.path.parent / str(metadata["cover"])
        with contextlib.suppress(InputError):
            read_cover(cover)
            kept["cover"] = str(cover)
    return kept


def split_paragraphs(segments: list[Segment], pauses: Pauses) -> list[Paragraph]:
    """Cut a script's segments into paragraphs; a block longer than ``PARAGRAPH_CHARS`` is cut
    between sentences, so that what is held in memory at once stays small."""
    paragraphs: list[list[Segment]] = []
    chars = 0
    for segment in segments:
        previous = paragraphs[-1][-1] if paragraphs else None
        same_block = previous is not None and (previous.kind, previous.paragraph) == (
            segment.kind,
            segment.paragraph,
        )
        longest = LONGEST_PARAGRAPH * PARAGRAPH_CHARS
        long_enough = previous is not None and (
            (
                chars > PARAGRAPH_CHARS
                and (previous.pause_after_ms >= pauses.sentence or chars > longest)
            )
            or chars + len(segment.text) > longest
        )
        if same_block and segment.kind not in ("title", "subtitle") and not long_enough:
            paragraphs[-1].append(segment)
            chars += len(segment.text)
        else:
            paragraphs.append([segment])
            chars = len(segment.text)
    last = len(paragraphs) - 1
    return [
        Paragraph(
            segments=tuple(members),
            lead_in_ms=pauses.lead_in if number == 0 else 0,
            pause_after_ms=pauses.tail if number == last else members[-1].pause_after_ms,
        )
        for number, members in enumerate(paragraphs)
    ]


def spoken_sentences(article: Path, language: str | None) -> list[str]:
    """What the voice is given for each segment of ``article`` that says something (its
    spoken script, read with the default settings in ``language``): what ``check
    --speech --text`` expects to hear."""
    voice = Voice(lang=language) if language else Voice()
    planned = plan(Article.read(article, None), Settings(voice=voice))
    return [segment.text for segment in planned.script.segments if segment.text.strip()]
