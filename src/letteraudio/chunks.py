"""A group of segments (a paragraph and the pause after it) rendered as one MP3 chunk.

The group is the unit of streaming and of the chunk cache: its clips are stitched with
their pauses, mastered and encoded together (:mod:`letteraudio.audio.mastering`), and
the result is kept in the cache, keyed by its clips, pauses and mastering settings.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from letteraudio.audio.mastering import MasteredChunk, MasteringSettings, master_chunk
from letteraudio.audio.mp3join import EncodedChunk
from letteraudio.audio.stitch import stitch
from letteraudio.cache import ClipCache, chunk_key
from letteraudio.synthesis import Spoken
from letteraudio.text.segment import Pauses, Segment
from letteraudio.values import Clip, Span

GROUP_CHARS = 600
"""A block longer than this (about half a minute of speech) is mastered in several chunks:
cut at a sentence's end, or, past ``GROUP_CHARS * LONGEST_GROUP``, between any two
segments. What is in flight is a few chunks (one per core, and the next), and mastering
holds about ten bytes per sample of its chunk: with 1,200 and only sentence ends before
4,800 characters, a 200-row table peaked at 1.8 times a short text (1.3 now)."""
LONGEST_GROUP = 1.5


@dataclass(frozen=True)
class Group:
    """Segments mastered and encoded together: one block (paragraph, heading, ...) and the
    pause after it. The unit of streaming and of the chunk cache."""

    segments: tuple[Segment, ...]
    lead_in_ms: int
    pause_after_ms: int


def group_segments(segments: list[Segment], pauses: Pauses) -> list[Group]:
    """Cut a script's segments into blocks; a block longer than ``GROUP_CHARS`` is cut
    between sentences, so that what is held in memory at once stays small."""
    groups: list[list[Segment]] = []
    chars = 0
    for segment in segments:
        previous = groups[-1][-1] if groups else None
        same_block = previous is not None and (previous.kind, previous.paragraph) == (
            segment.kind,
            segment.paragraph,
        )
        long_enough = (
            chars > GROUP_CHARS
            and previous is not None
            and (previous.pause_after_ms >= pauses.sentence or chars > LONGEST_GROUP * GROUP_CHARS)
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
            lead_in_ms=pauses.lead_in if number == 0 else 0,
            pause_after_ms=pauses.tail if number == last else members[-1].pause_after_ms,
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
            "words": [
                [list(w) for w in s.words] if s and s.words is not None else None
                for s in self.spans
            ],
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
            words = description.get("words") or [None] * len(description["spans"])
            spans = tuple(
                Span(int(s[0]), int(s[1]),
                     None if w is None else tuple((int(a), int(b)) for a, b in w))
                if s else None
                for s, w in zip(description["spans"], words, strict=True)
            )  # fmt: skip
            return cls(mastered, spans, tuple(str(name) for name in description["speakers"]))
        except (KeyError, TypeError, ValueError):
            return None


def render_group(
    group: Group, voiced: list[Spoken], mastering: MasteringSettings, cache: ClipCache | None
) -> RenderedGroup:
    """Stitch a group's clips with its pauses, master and encode it, and cache it."""
    pauses = [segment.pause_after_ms for segment in group.segments]
    pauses[-1] = 0
    rate = working_rate([v.clip for v in voiced], mastering.rate)
    timeline = stitch(
        [v.clip for v in voiced],
        pauses,
        lead_in_ms=group.lead_in_ms,
        tail_ms=group.pause_after_ms,
        rate=rate,
    )
    heard = [span for span in timeline.spans if span]
    speech = Span(heard[0].start_ms, heard[-1].end_ms) if heard else Span(0, 0)
    silent_tail = len(timeline.samples) - speech.end_ms * rate // 1000
    mastered = master_chunk(timeline.samples, rate, speech, silent_tail, mastering)
    rendered = RenderedGroup(mastered, timeline.spans, tuple(v.speaker for v in voiced))
    _store(cache, group_key(group, [v.key for v in voiced], mastering), rendered)
    return rendered


def working_rate(clips: list[Clip], output_rate: int) -> int:
    """The rate a group is stitched and mastered at: its clips' own when they share one
    (resampled once, after mastering), else the output rate."""
    rates = {clip.sample_rate for clip in clips if len(clip.samples)}
    if len(rates) == 1 and (rate := rates.pop()) <= output_rate:
        return rate
    return output_rate


def group_key(group: Group, clip_keys: list[str], mastering: MasteringSettings) -> str:
    layout = {
        "pauses": [s.pause_after_ms for s in group.segments],
        "lead_in": group.lead_in_ms,
        "after": group.pause_after_ms,
        "mastering": asdict(mastering),
    }
    return chunk_key(clip_keys, layout)


def cached_group(cache: ClipCache | None, key: str) -> RenderedGroup | None:
    entry = cache.get_chunk(key) if cache is not None else None
    return RenderedGroup.from_cache(*entry) if entry is not None else None


def _store(cache: ClipCache | None, key: str, rendered: RenderedGroup) -> None:
    if cache is not None:
        cache.put_chunk(key, *rendered.to_cache())
