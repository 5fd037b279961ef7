"""Stitch engine clips and deliberate pauses into one timeline with pydub.

Each clip loses its own leading and trailing silence (engines pad unevenly), is
resampled once to the output rate with a proper filter (soxr), and is followed by
exactly the pause its segment asks for. The timeline remembers where each
segment's speech starts and ends.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from letteraudio.audio.resample import resample_int16
from letteraudio.values import Clip, Span

OUTPUT_RATE = 44_100
SILENCE_THRESHOLD_DBFS = -50.0
EDGE_MARGIN_MS = 15
EDGE_FADE_MS = 8

with warnings.catch_warnings():
    # pydub warns at import when ffmpeg is not on PATH (we never use its ffmpeg lookup)
    # and, on Python 3.11-3.12, that the stdlib audioop it uses is deprecated.
    warnings.simplefilter("ignore", RuntimeWarning)
    warnings.simplefilter("ignore", DeprecationWarning)
    from pydub import AudioSegment
    from pydub.silence import detect_leading_silence


@dataclass(frozen=True)
class Timeline:
    """The stitched episode: mono 16-bit audio and the span of each segment's speech."""

    audio: AudioSegment
    spans: tuple[Span | None, ...]

    @property
    def samples(self) -> npt.NDArray[np.int16]:
        """The audio as an int16 array."""
        return np.frombuffer(self.audio.raw_data, dtype=np.int16)


def clip_to_segment(clip: Clip, rate: int = OUTPUT_RATE) -> AudioSegment:
    """A clip as a pydub segment at ``rate`` with its silent edges trimmed."""
    return _trimmed_clip(clip, rate)[0]


def _trimmed_clip(clip: Clip, rate: int) -> tuple[AudioSegment, int]:
    """The clip trimmed (see :func:`trim_silence`) and how many ms were cut from its start."""
    samples = clip.samples
    if clip.sample_rate != rate and len(samples):
        samples = resample_int16(samples, clip.sample_rate, rate)
    segment = AudioSegment(data=samples.tobytes(), sample_width=2, frame_rate=rate, channels=1)
    return _trim(segment)


def trim_silence(segment: AudioSegment) -> AudioSegment:
    """Remove leading and trailing silence, keeping a short margin around the speech."""
    return _trim(segment)[0]


def _trim(segment: AudioSegment) -> tuple[AudioSegment, int]:
    if len(segment) == 0:
        return segment, 0
    lead = detect_leading_silence(segment, SILENCE_THRESHOLD_DBFS, chunk_size=5)
    if lead >= len(segment):
        return segment[:0], 0
    trail = detect_leading_silence(segment.reverse(), SILENCE_THRESHOLD_DBFS, chunk_size=5)
    start = max(0, lead - EDGE_MARGIN_MS)
    end = min(len(segment), len(segment) - trail + EDGE_MARGIN_MS)
    # Short fades: the cut is in near-silence, but levelling later lifts it; no clicks.
    return segment[start:end].fade_in(EDGE_FADE_MS).fade_out(EDGE_FADE_MS), start


def word_spans(
    clip: Clip, cut_ms: int, start_ms: int, end_ms: int
) -> tuple[tuple[int, int], ...] | None:
    """The clip's word times moved onto the timeline: less what trimming cut from its
    start, plus where its speech starts; kept inside the segment's span."""
    if clip.words is None:
        return None
    shift = start_ms - cut_ms
    return tuple(
        (
            min(max(start_ms, shift + round(a * 1000 / clip.sample_rate)), end_ms),
            min(max(start_ms, shift + round(b * 1000 / clip.sample_rate)), end_ms),
        )
        for a, b in clip.words
    )


def silence(ms: int, rate: int = OUTPUT_RATE) -> AudioSegment:
    """Digital silence of ``ms`` milliseconds."""
    return AudioSegment.silent(duration=ms, frame_rate=rate)


def stitch(
    clips: Sequence[Clip],
    pauses_after_ms: Sequence[int],
    lead_in_ms: int,
    tail_ms: int,
    rate: int = OUTPUT_RATE,
) -> Timeline:
    """Join clips with the pause after each; an empty clip adds no audio, and its pause counts
    only when it is longer than the one already due."""
    if len(clips) != len(pauses_after_ms):
        raise ValueError("one pause per clip is needed")
    parts = [silence(lead_in_ms, rate)]
    frames = _frames(parts[0])
    spans: list[Span | None] = []
    pending_pause = 0
    for clip, pause in zip(clips, pauses_after_ms, strict=True):
        speech, cut_ms = _trimmed_clip(clip, rate)
        if len(speech) == 0:
            spans.append(None)
            pending_pause = max(pending_pause, pause)
            continue
        if pending_pause:
            parts.append(silence(pending_pause, rate))
            frames += _frames(parts[-1])
        parts.append(speech)
        start, frames = frames, frames + _frames(speech)
        start_ms, end_ms = _ms(start, rate), _ms(frames, rate)
        spans.append(Span(start_ms, end_ms, word_spans(clip, cut_ms, start_ms, end_ms)))
        pending_pause = pause
    parts.append(silence(tail_ms, rate))
    # One join instead of repeated ``+``, which copies the whole timeline each time.
    audio = AudioSegment(
        data=b"".join(part.raw_data for part in parts), sample_width=2, frame_rate=rate, channels=1
    )
    return Timeline(audio=audio, spans=tuple(spans))


def _frames(segment: AudioSegment) -> int:
    return len(segment.raw_data) // 2


def _ms(frames: int, rate: int) -> int:
    return round(frames * 1000 / rate)
