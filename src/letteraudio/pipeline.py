"""Compose the stages: article text -> segments -> clips -> chunks -> one MP3 -> tags.

Nothing here prints; progress is reported through a callback.
"""

from __future__ import annotations

import math
import os
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from letteraudio.audio.encode import DEFAULT_BITRATE, atomic_output, check_bitrate
from letteraudio.audio.loudness import DEFAULT_TARGET_LUFS, Loudness, integrated_from_blocks
from letteraudio.audio.mastering import MasteredChunk, MasteringSettings, master_chunk
from letteraudio.audio.mp3join import EncodedChunk, Mp3Joiner
from letteraudio.audio.stitch import OUTPUT_RATE, Span, stitch
from letteraudio.cache import ClipCache, cache_key, chunk_key
from letteraudio.chapters import Chapter, ChapterMode, build_chapters
from letteraudio.errors import InputError, SynthesisError
from letteraudio.synthesis import Spoken, Voices, describe, describe_block, speak
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
GROUP_CHARS = 1200
"""A block longer than this (about a minute of speech) is mastered in several chunks."""

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
class Group:
    """Segments mastered and encoded together: one block (paragraph, heading, ...) and the
    pause after it. The unit of streaming and of the chunk cache."""

    segments: tuple[Segment, ...]
    lead_in_ms: int
    pause_after_ms: int


def group_segments(script: Script) -> list[Group]:
    """Cut the script into blocks; a block longer than ``GROUP_CHARS`` is cut between
    sentences, so that what is held in memory at once stays small."""
    groups: list[list[Segment]] = []
    chars = 0
    for segment in script.segments:
        previous = groups[-1][-1] if groups else None
        same_block = previous is not None and (previous.kind, previous.paragraph) == (
            segment.kind,
            segment.paragraph,
        )
        long_enough = (
            chars > GROUP_CHARS
            and previous is not None
            and (previous.pause_after_ms >= script.pauses.sentence or chars > 4 * GROUP_CHARS)
        )
        if same_block and segment.kind not in ("title", "subtitle") and not long_enough:
            groups[-1].append(segment)
            chars += len(segment.text)
        else:
            groups.append([segment])
            chars = len(segment.text)
    last = len(groups) - 1
    return [
        Group(
            segments=tuple(members),
            lead_in_ms=script.pauses.lead_in if number == 0 else 0,
            pause_after_ms=script.pauses.tail if number == last else members[-1].pause_after_ms,
        )
        for number, members in enumerate(groups)
    ]


@dataclass(frozen=True)
class RenderedGroup:
    """A group mastered and encoded, with where its speech sits (ms from the chunk start)."""

    mastered: MasteredChunk
    spans: tuple[Span | None, ...]
    speakers: tuple[str, ...]

    def to_cache(self) -> tuple[dict[str, Any], bytes]:
        chunk = self.mastered.chunk
        description = {
            "frame_count": chunk.frame_count,
            "content_samples": self.mastered.content_samples,
            "true_peak_dbtp": self.mastered.true_peak_dbtp,
            "spans": [[s.start_ms, s.end_ms] if s else None for s in self.spans],
            "speakers": list(self.speakers),
            "sizes": [len(chunk.info_frame), len(chunk.frames), self.mastered.blocks.nbytes],
        }
        payload = chunk.info_frame + chunk.frames + self.mastered.blocks.astype("<f4").tobytes()
        return description, payload

    @classmethod
    def from_cache(cls, description: dict[str, Any], payload: bytes) -> RenderedGroup | None:
        """Rebuild a cached group; None when the entry does not fit this version."""
        try:
            info_size, frames_size, blocks_size = description["sizes"]
            if info_size + frames_size + blocks_size != len(payload):
                return None
            chunk = EncodedChunk(
                frames=payload[info_size : info_size + frames_size],
                frame_count=int(description["frame_count"]),
                info_frame=payload[:info_size],
            )
            mastered = MasteredChunk(
                chunk=chunk,
                content_samples=int(description["content_samples"]),
                blocks=np.frombuffer(payload[info_size + frames_size :], dtype="<f4").astype(
                    np.float32
                ),
                true_peak_dbtp=float(description["true_peak_dbtp"]),
            )
            spans = tuple(Span(int(s[0]), int(s[1])) if s else None for s in description["spans"])
            return cls(mastered, spans, tuple(str(name) for name in description["speakers"]))
        except (KeyError, TypeError, ValueError):
            return None


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
    groups = group_segments(script)
    mastering = MasteringSettings(OUTPUT_RATE, settings.bitrate_kbps, settings.loudness_lufs)
    identity = voices.engine.identity()
    planned = [_chunk_key(group, [cache_key(identity, s.text) for s in group.segments], mastering)
               for group in groups]  # fmt: skip
    stored = [_from_cache(voices.cache, key) for key in planned]
    to_speak = [s for group, hit in zip(groups, stored, strict=True) if hit is None
                for s in group.segments]  # fmt: skip
    spoken = speak(voices, to_speak)
    workers = os.cpu_count() or 1
    episode = _EpisodeParts(len(script.segments), progress)
    try:
        with atomic_output(target, replace=settings.replace) as temporary:
            with temporary.open("wb") as stream, ThreadPoolExecutor(workers) as pool:
                joiner = Mp3Joiner(stream)
                in_order: deque[tuple[Group, Future[RenderedGroup]]] = deque()
                for group, hit in zip(groups, stored, strict=True):
                    if hit is None:
                        voiced = [next(spoken) for _ in group.segments]
                        job = pool.submit(_render_group, group, voiced, mastering, voices.cache)
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
        self.done = 0

    def add(self, joiner: Mp3Joiner, group: Group, job: Future[RenderedGroup]) -> None:
        rendered = job.result()
        start_ms = joiner.decoded_samples * 1000 / OUTPUT_RATE
        joiner.add(rendered.mastered.chunk, rendered.mastered.content_samples)
        self.spans += [_shift(span, start_ms) for span in rendered.spans]
        self.speakers += rendered.speakers
        self.blocks.append(rendered.mastered.blocks)
        self.peak = max(self.peak, rendered.mastered.true_peak_dbtp)
        for segment in group.segments:
            self.done += 1
            if self.progress:
                self.progress(self.done, self.total, segment)


def _render_group(
    group: Group, voiced: list[Spoken], mastering: MasteringSettings, cache: ClipCache | None
) -> RenderedGroup:
    """Stitch a group's clips with its pauses, master and encode it, and cache it."""
    pauses = [segment.pause_after_ms for segment in group.segments]
    pauses[-1] = 0
    timeline = stitch(
        [v.clip for v in voiced],
        pauses,
        lead_in_ms=group.lead_in_ms,
        tail_ms=group.pause_after_ms,
        rate=OUTPUT_RATE,
    )
    heard = [span for span in timeline.spans if span]
    speech = Span(heard[0].start_ms, heard[-1].end_ms) if heard else Span(0, 0)
    silent_tail = len(timeline.samples) - speech.end_ms * OUTPUT_RATE // 1000
    mastered = master_chunk(timeline.samples, speech, silent_tail, mastering)
    rendered = RenderedGroup(mastered, timeline.spans, tuple(v.speaker for v in voiced))
    _to_cache(cache, _chunk_key(group, [v.key for v in voiced], mastering), rendered)
    return rendered


def _chunk_key(group: Group, clip_keys: list[str], mastering: MasteringSettings) -> str:
    layout = {
        "pauses": [s.pause_after_ms for s in group.segments],
        "lead_in": group.lead_in_ms,
        "after": group.pause_after_ms,
        "mastering": asdict(mastering),
    }
    return chunk_key(clip_keys, layout)


def _from_cache(cache: ClipCache | None, key: str) -> RenderedGroup | None:
    entry = cache.get_chunk(key) if cache is not None else None
    return RenderedGroup.from_cache(*entry) if entry is not None else None


def _to_cache(cache: ClipCache | None, key: str, rendered: RenderedGroup) -> None:
    if cache is not None:
        cache.put_chunk(key, *rendered.to_cache())


def _shift(span: Span | None, start_ms: float) -> Span | None:
    if span is None:
        return None
    return Span(round(start_ms + span.start_ms), round(start_ms + span.end_ms))
