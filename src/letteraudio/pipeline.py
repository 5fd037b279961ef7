"""Compose the stages: article text -> segments -> clips -> timeline -> MP3.

Nothing here prints; progress is reported through a callback.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from letteraudio.audio.encode import DEFAULT_BITRATE, check_bitrate, encode_mp3
from letteraudio.audio.stitch import OUTPUT_RATE, Timeline, stitch
from letteraudio.engines import Clip, Engine
from letteraudio.errors import InputError, LetterAudioError, SynthesisError
from letteraudio.text.parse import Document, parse_text
from letteraudio.text.segment import Pauses, Segment, segment_document

Progress = Callable[[int, int, Segment], None]
"""Called after each segment is spoken: (done, total, segment)."""


@dataclass(frozen=True)
class RenderSettings:
    """How an article becomes audio, apart from the engine's own settings."""

    pauses: Pauses = field(default_factory=Pauses)
    bitrate_kbps: int = DEFAULT_BITRATE


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
    wall_seconds: float


def build_script(text: str, max_chars: int, pauses: Pauses) -> Script:
    """Parse and segment an article; refuse one with nothing to say."""
    document = parse_text(text)
    segments = segment_document(document, max_chars, pauses)
    if not segments:
        raise InputError("the article has nothing to speak (it is empty or has no words)")
    return Script(document, segments, pauses)


def synthesize_all(
    engine: Engine, segments: list[Segment], progress: Progress | None
) -> list[Clip]:
    """Speak every segment in order; a failure names the segment."""
    clips = []
    for done, segment in enumerate(segments, start=1):
        try:
            clips.append(engine.synthesize(segment.text))
        except LetterAudioError as error:
            raise SynthesisError(f"{describe(segment)}: {error}") from error
        if progress:
            progress(done, len(segments), segment)
    return clips


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
    engine: Engine,
    target: Path,
    settings: RenderSettings,
    progress: Progress | None = None,
) -> Episode:
    """Render a script to an MP3 at ``target``."""
    started = time.perf_counter()
    check_bitrate(settings.bitrate_kbps)
    clips = synthesize_all(engine, script.segments, progress)
    timeline = assemble(script, clips)
    if not any(timeline.spans):
        raise SynthesisError(f"the {engine.name} engine produced no audio for this article")
    encode_mp3(
        timeline.audio.raw_data,
        OUTPUT_RATE,
        target,
        bitrate_kbps=settings.bitrate_kbps,
        title=script.document.title,
    )
    return Episode(
        path=target,
        duration=timeline.duration,
        size=target.stat().st_size,
        segments=len(script.segments),
        wall_seconds=time.perf_counter() - started,
    )


def describe(segment: Segment) -> str:
    """A short human name for a segment, e.g. ``paragraph 3 ("The boats came…")``."""
    words = segment.text.split()
    preview = " ".join(words[:6]) + ("…" if len(words) > 6 else "")
    name = segment.kind if segment.kind != "paragraph" else f"paragraph {segment.paragraph}"
    return f'{name} ("{preview}")'
