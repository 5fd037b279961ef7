"""Compose the stages: article text -> segments -> clips -> chunks -> one MP3 -> tags.

Nothing here prints; progress is reported through a callback.
"""

from __future__ import annotations

import contextlib
import math
import os
import threading
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import numpy.typing as npt

from letteraudio.audio.encode import DEFAULT_BITRATE, atomic_output, check_bitrate
from letteraudio.audio.loudness import DEFAULT_TARGET_LUFS, Loudness, integrated_from_blocks
from letteraudio.audio.mastering import MasteringSettings
from letteraudio.audio.mp3join import Mp3Joiner
from letteraudio.audio.stitch import OUTPUT_RATE, Span
from letteraudio.cache import cache_key
from letteraudio.chapters import Chapter, ChapterMode, build_chapters
from letteraudio.chunks import (
    Group,
    RenderedGroup,
    cached_group,
    group_key,
    group_segments,
    render_group,
)
from letteraudio.errors import InputError, SynthesisError
from letteraudio.synthesis import Voices, describe, describe_block, speak
from letteraudio.tags import Metadata, write_tags
from letteraudio.text.formats import parser
from letteraudio.text.lexicon import Lexicon
from letteraudio.text.parse import Document
from letteraudio.text.prepare import prepare, reading_language, speaker
from letteraudio.text.segment import Pauses, Segment, segment_document

Progress = Callable[[int, int, Segment], None]
"""Called after each segment is spoken: (done, total, segment)."""

MAX_ARTICLE_CHARS = 1_000_000
"""Longest article accepted by default: about 18 hours of speech."""

MASTERING_NICENESS = 10

__all__ = ["Voices", "describe", "describe_block"]  # re-exported for the CLI


@dataclass(frozen=True)
class RenderSettings:
    """How an article becomes audio, apart from the engine's own settings."""

    pauses: Pauses = field(default_factory=Pauses)
    bitrate_kbps: int = DEFAULT_BITRATE
    loudness_lufs: float | None = DEFAULT_TARGET_LUFS
    """Integrated loudness target; None leaves the engine's level untouched."""
    chapters: ChapterMode = ChapterMode.HEADINGS
    id3v24: bool = False
    replace: bool = True
    """Whether an existing file at the target may be replaced."""

    def __post_init__(self) -> None:
        check_bitrate(self.bitrate_kbps)


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


@dataclass(frozen=True)
class Episode:
    """A finished render."""

    path: Path
    duration: float
    size: int
    segments: int
    chapters: list[Chapter]
    loudness: Loudness | None
    """Of the decoded MP3, when loudness was normalized: integrated loudness as predicted
    from what was encoded (within 0.01 LU), true peak at most this (see
    :mod:`letteraudio.audio.mastering`)."""
    speakers: list[str]
    """The engine that spoke each segment."""
    spans: tuple[Span | None, ...] = ()
    """Where each segment's speech is in the MP3 (None: it made no sound)."""


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


def narrate(
    script: Script,
    voices: Voices,
    target: Path,
    settings: RenderSettings,
    metadata: Metadata,
    progress: Progress | None = None,
) -> Episode:
    """Render a script to a tagged MP3 at ``target``; nothing is written there on failure.

    Groups stream through in order: each is spoken (in parallel, see
    :mod:`letteraudio.synthesis`), mastered and encoded (a few groups at once, on the
    cores), appended to the file, then forgotten, so memory does not grow with the
    article. A group whose clips, pauses and settings are unchanged comes from the cache
    already encoded.
    """
    groups = group_segments(script.segments, script.pauses)
    mastering = MasteringSettings(OUTPUT_RATE, settings.bitrate_kbps, settings.loudness_lufs)
    identity = voices.engine.identity()
    planned = [group_key(group, [cache_key(identity, s.text) for s in group.segments], mastering)
               for group in groups]  # fmt: skip
    stored = [cached_group(voices.cache, key) for key in planned]
    to_speak = [s for group, hit in zip(groups, stored, strict=True) if hit is None
                for s in group.segments]  # fmt: skip
    spoken = speak(voices, to_speak)
    workers = os.cpu_count() or 1
    episode = _EpisodeParts(len(script.segments), progress)
    try:
        with atomic_output(target, replace=settings.replace) as temporary:
            masters = ThreadPoolExecutor(workers, initializer=_yield_to_speech)
            with temporary.open("wb") as stream, masters as pool:
                joiner = Mp3Joiner(stream)
                in_order: deque[tuple[Group, Future[RenderedGroup]]] = deque()
                for group, hit in zip(groups, stored, strict=True):
                    if hit is None:
                        voiced = [next(spoken) for _ in group.segments]
                        job = pool.submit(render_group, group, voiced, mastering, voices.cache)
                    else:
                        job = Future()
                        job.set_result(hit)
                    in_order.append((group, job))
                    while in_order and (len(in_order) > workers or in_order[0][1].done()):
                        episode.add(joiner, *in_order.popleft())
                while in_order:
                    episode.add(joiner, *in_order.popleft())
                if not any(episode.spans):
                    raise SynthesisError(
                        f"the {voices.engine.name} engine produced no audio for this article"
                    )
                length_ms = round(joiner.finish() * 1000 / OUTPUT_RATE)
            chapters = build_chapters(
                script.segments, tuple(episode.spans), length_ms, settings.chapters,
                script.document.title,
            )  # fmt: skip
            write_tags(temporary, metadata, chapters, length_ms, id3v24=settings.id3v24)
    finally:
        spoken.close()
    loudness = None
    if settings.loudness_lufs is not None:
        loudness = Loudness(integrated_from_blocks(episode.blocks), episode.peak)
    return Episode(
        path=target,
        duration=length_ms / 1000,
        size=target.stat().st_size,
        segments=len(script.segments),
        chapters=chapters,
        loudness=loudness,
        speakers=episode.speakers,
        spans=tuple(episode.spans),
    )


class _EpisodeParts:
    """What the episode keeps of each group once its frames are written: no audio."""

    def __init__(self, total: int, progress: Progress | None) -> None:
        self.total = total
        self.progress = progress
        self.spans: list[Span | None] = []
        self.speakers: list[str] = []
        self.blocks: list[npt.NDArray[np.float32]] = []
        self.peak = -math.inf

    def add(self, joiner: Mp3Joiner, group: Group, job: Future[RenderedGroup]) -> None:
        rendered = job.result()
        start_ms = joiner.decoded_samples * 1000 / OUTPUT_RATE
        joiner.add(rendered.mastered.chunk, rendered.mastered.content_samples)
        self.spans += [_shift(span, start_ms) for span in rendered.spans]
        self.speakers += rendered.speakers
        self.blocks.append(rendered.mastered.blocks)
        self.peak = max(self.peak, rendered.mastered.true_peak_dbtp)
        if self.progress:  # one span per segment: their count is how many are done
            done = len(self.spans) - len(group.segments)
            for number, segment in enumerate(group.segments, start=done + 1):
                self.progress(number, self.total, segment)


def _yield_to_speech() -> None:
    """Mastering threads (and the encoders they start) run at a lower priority: speaking
    is the longest road through a render, so it gets the cores first, and mastering takes
    the gaps between sentences."""
    with contextlib.suppress(AttributeError, OSError):  # not on every platform
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), MASTERING_NICENESS)


def _shift(span: Span | None, start_ms: float) -> Span | None:
    if span is None:
        return None
    words = None
    if span.words is not None:
        words = tuple((round(start_ms + a), round(start_ms + b)) for a, b in span.words)
    return Span(round(start_ms + span.start_ms), round(start_ms + span.end_ms), words)
