"""Compose the stages: article text -> segments -> clips -> timeline -> loudness -> MP3 -> tags.

Nothing here prints; progress is reported through a callback.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import numpy.typing as npt

from letteraudio.audio.encode import DEFAULT_BITRATE, atomic_output, check_bitrate, encode_mp3
from letteraudio.audio.loudness import (
    DEFAULT_CEILING_DBTP,
    DEFAULT_TARGET_LUFS,
    MAX_TRUE_PEAK_DBTP,
    Loudness,
    measure,
    normalize,
)
from letteraudio.audio.stitch import OUTPUT_RATE, Span, Timeline, stitch
from letteraudio.cache import ClipCache, cache_key
from letteraudio.chapters import Chapter, ChapterMode, build_chapters, first_words
from letteraudio.engines import Clip, Engine
from letteraudio.errors import EngineUnavailable, InputError, LetterAudioError, SynthesisError
from letteraudio.tags import Metadata, write_tags
from letteraudio.text.formats import parser
from letteraudio.text.lexicon import Lexicon
from letteraudio.text.parse import Document
from letteraudio.text.prepare import prepare
from letteraudio.text.segment import Pauses, Segment, segment_document

Progress = Callable[[int, int, Segment], None]
"""Called after each segment is spoken: (done, total, segment)."""

MAX_ARTICLE_CHARS = 1_000_000
"""Longest article accepted by default: about 18 hours of speech."""
LOUDNESS_TOLERANCE_LU = 0.3
PEAK_LIMIT_DBTP = MAX_TRUE_PEAK_DBTP - 0.2
"""What the render allows itself: decoders disagree on true peak by a tenth or two."""
MASTERING_ATTEMPTS = 3
ENCODING_LOSS_LU = 0.4
"""How much quieter speech measures after MP3 encoding (seen here: 0.4-0.5 LU at 96 kbps)."""


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
    segments: list[Segment]
    pauses: Pauses

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
    """Measured on the decoded MP3, when loudness was normalized."""
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
    phonemes: bool = False
    """Whether the engine takes raw phonemes from the lexicon (Piper does)."""
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


@dataclass(frozen=True)
class Voices:
    """Who speaks: the engine, an optional fallback for segments it fails, and the cache."""

    engine: Engine
    fallback: Engine | None = None
    cache: ClipCache | None = None


def synthesize_all(
    voices: Voices, segments: list[Segment], progress: Progress | None
) -> tuple[list[Clip], list[str]]:
    """Speak every segment in order: (clips, name of the engine that spoke each).

    A segment the engine fails is given to the fallback engine when there is one, and
    so is every later segment the cache does not already hold (an engine that failed
    after all its retries is not asked again); without a fallback the error names the
    segment. Clips already spoken stay in the cache, so a failed render resumes.
    """
    clips, speakers = [], []
    engine_down = False
    for done, segment in enumerate(segments, start=1):
        try:
            if engine_down:
                clip = _cached(voices.engine, segment, voices.cache)
                if clip is None:
                    raise SynthesisError(f"the {voices.engine.name} engine failed earlier")
            else:
                clip = _speak(voices.engine, segment, voices.cache)
            speaker = voices.engine.name
        except EngineUnavailable:
            raise
        except LetterAudioError as error:
            if voices.fallback is None:
                raise SynthesisError(f"{describe(segment)}: {error}") from error
            engine_down = True
            try:
                clip = _speak(voices.fallback, segment, voices.cache)
            except LetterAudioError as second:
                raise SynthesisError(
                    f"{describe(segment)}: {error}; the fallback {voices.fallback.name} "
                    f"failed too: {second}"
                ) from second
            speaker = voices.fallback.name
        clips.append(clip)
        speakers.append(speaker)
        if progress:
            progress(done, len(segments), segment)
    return clips, speakers


def _speak(engine: Engine, segment: Segment, cache: ClipCache | None) -> Clip:
    """One segment's clip, from the cache when it has it."""
    clip = _cached(engine, segment, cache)
    if clip is None:
        clip = engine.synthesize(segment.text)
        if cache is not None:
            cache.put(cache_key(engine.identity(), segment.text), clip)
    return clip


def _cached(engine: Engine, segment: Segment, cache: ClipCache | None) -> Clip | None:
    if cache is None:
        return None
    return cache.get(cache_key(engine.identity(), segment.text))


def assemble(script: Script, clips: list[Clip]) -> Timeline:
    """Stitch the clips with each segment's pause into one timeline."""
    return stitch(
        clips,
        [s.pause_after_ms for s in script.segments],
        lead_in_ms=script.pauses.lead_in,
        tail_ms=script.pauses.tail,
        rate=OUTPUT_RATE,
    )


def narrate(
    script: Script,
    voices: Voices,
    target: Path,
    settings: RenderSettings,
    metadata: Metadata,
    progress: Progress | None = None,
) -> Episode:
    """Render a script to a tagged MP3 at ``target``; nothing is written there on failure."""
    clips, speakers = synthesize_all(voices, script.segments, progress)
    timeline = assemble(script, clips)
    if not any(timeline.spans):
        raise SynthesisError(f"the {voices.engine.name} engine produced no audio for this article")
    length_ms = round(len(timeline.samples) * 1000 / OUTPUT_RATE)
    chapters = build_chapters(
        script.segments, timeline.spans, length_ms, settings.chapters, script.document.title
    )
    with atomic_output(target, replace=settings.replace) as temporary:
        loudness = _encode(timeline, settings, temporary)
        write_tags(temporary, metadata, chapters, length_ms, id3v24=settings.id3v24)
    return Episode(
        path=target,
        duration=length_ms / 1000,
        size=target.stat().st_size,
        segments=len(script.segments),
        chapters=chapters,
        loudness=loudness,
        speakers=speakers,
        spans=timeline.spans,
    )


def _encode(timeline: Timeline, settings: RenderSettings, path: Path) -> Loudness | None:
    """Encode, normalizing loudness first when asked; measured on the decoded MP3.

    Encoding moves loudness (about -0.5 LU here, as the encoder's low-pass takes energy that
    K-weighting counts) and adds inter-sample overshoot, so the MP3 is measured: when its
    loudness is off, the mastering runs again aiming past the difference; when its true peak
    is over the limit, plain gain takes it under (gain passes through the encoder unchanged).
    """
    target = settings.loudness_lufs
    if target is None:
        encode_mp3(timeline.samples.tobytes(), OUTPUT_RATE, path, settings.bitrate_kbps)
        return None
    aim, ceiling = target + ENCODING_LOSS_LU, DEFAULT_CEILING_DBTP
    for attempt in range(MASTERING_ATTEMPTS):
        pcm = normalize(timeline.samples, OUTPUT_RATE, timeline.spans, aim, ceiling)
        measured = _encode_and_measure(pcm, path, settings.bitrate_kbps)
        off = target - measured.integrated_lufs
        overshoot = measured.true_peak_dbtp - PEAK_LIMIT_DBTP
        last = attempt == MASTERING_ATTEMPTS - 1
        if last or (abs(off) <= LOUDNESS_TOLERANCE_LU and overshoot <= 0):
            break
        # Low bitrates lose more loudness and overshoot more: aim past both.
        aim += off if math.isfinite(off) else 0.0
        ceiling -= max(0.0, overshoot + 0.2)
    if overshoot > 0:
        quieter = pcm.astype(np.float32) * 10 ** (-(overshoot + 0.05) / 20)
        pcm = np.round(quieter).astype(np.int16)
        measured = _encode_and_measure(pcm, path, settings.bitrate_kbps)
    return measured


def _encode_and_measure(pcm: npt.NDArray[np.int16], path: Path, bitrate_kbps: int) -> Loudness:
    encode_mp3(pcm.tobytes(), OUTPUT_RATE, path, bitrate_kbps)
    return measure(decode_mp3_file(path), OUTPUT_RATE)


def decode_mp3_file(path: Path) -> npt.NDArray[np.int16]:
    """Decode an MP3 in process (libsndfile) to mono int16 samples."""
    import soundfile

    samples, _ = soundfile.read(str(path), dtype="int16", always_2d=True)
    return np.ascontiguousarray(samples[:, 0])


def describe_block(segment: Segment) -> str:
    """The block a segment belongs to: ``title``, ``subtitle`` or ``paragraph 3``."""
    if segment.kind in ("title", "subtitle"):
        return segment.kind
    return f"{segment.kind} {segment.paragraph}"


def describe(segment: Segment) -> str:
    """A short human name for a segment, e.g. ``paragraph 3 ("The boats came…")``."""
    return f'{describe_block(segment)} ("{first_words(segment.text)}")'
