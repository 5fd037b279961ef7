"""The parts of a plan joined, in order, into one tagged MP3 with its sidecars: frames
copied as they come (no audio is decoded or kept), the loudness summed from each part's
blocks, the chapters and tags written to a temporary file renamed into place at the end,
after the sidecars (written to temporaries and renamed in their turn): the episode is one
set, replaced whole or not at all.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np
import numpy.typing as npt

from letteraudio.audio.encode import atomic_output
from letteraudio.audio.loudness import Loudness, integrated_from_blocks
from letteraudio.audio.mp3join import Mp3Joiner
from letteraudio.audio.stitch import OUTPUT_RATE
from letteraudio.chapters import build_chapters
from letteraudio.errors import SynthesisError
from letteraudio.render.model import Episode, Part, Plan, Progress, Task, Verdict
from letteraudio.render.sidecars import write_episode_sidecars
from letteraudio.render.speak import describe, describe_block
from letteraudio.render.verify import verification
from letteraudio.speech import skipped
from letteraudio.tags import write_tags
from letteraudio.text.segment import Segment
from letteraudio.values import Span, plural

NOTE_LOUDNESS_OFF_LU = 0.5
"""Say so when the episode is further than this from the target (check allows 1 LU)."""


def join(
    planned: Plan,
    parts: Iterable[Part],
    target: str | Path,
    progress: Progress | None = None,
) -> Episode:
    """Join the parts in order (they may come in any order) into a tagged MP3 at
    ``target`` with its sidecars; nothing is written there on failure."""
    target = Path(target)
    settings, script = planned.settings, planned.script
    joined = _Joined(len(script.segments), progress)
    try:
        with atomic_output(target, replace=settings.replace) as temporary:
            with temporary.open("wb") as stream:
                joiner = Mp3Joiner(stream)
                for part in _in_order(parts, len(planned.tasks)):
                    joined.add(joiner, planned.tasks[part.index], part)
                if not any(joined.spans):
                    raise SynthesisError(
                        f"no speech: the {settings.voice.engine} voice said nothing for any of "
                        f"the {plural(len(script.segments), 'segment')} "
                        f"({silent_segments(script.segments, joined.spans)}); see the "
                        "README's Voices for the scripts each voice speaks"
                    )
                length_ms = round(joiner.finish() * 1000 / OUTPUT_RATE)
            chapters = build_chapters(
                script.segments, tuple(joined.spans), length_ms, settings.chapters,
                script.document.title,
            )  # fmt: skip
            write_tags(temporary, planned.metadata, chapters, length_ms, id3v24=settings.id3v24)
            loudness = None
            if settings.loudness is not None:
                loudness = Loudness(integrated_from_blocks(joined.blocks), joined.peak)
            episode = Episode(
                path=target,
                duration=length_ms / 1000,
                size=temporary.stat().st_size,
                segments=len(script.segments),
                chapters=chapters,
                loudness=loudness,
                speakers=joined.speakers,
                spans=tuple(joined.spans),
            )
            # the sidecars go into place first, the MP3 last (leaving this block): a file
            # that cannot be written leaves the old episode whole, never new audio beside
            # old transcripts
            finished = _finished(planned, episode, joined)
    finally:
        close = getattr(parts, "close", None)
        if callable(close):
            close()
    return finished


def _in_order(parts: Iterable[Part], count: int) -> Iterator[Part]:
    """The parts by index, however they arrive; a missing or doubled one is an error."""
    waiting: dict[int, Part] = {}
    following = 0
    for part in parts:
        if part.index in waiting or part.index < following or part.index >= count:
            raise SynthesisError(f"paragraph task {part.index} came back twice or is unknown")
        waiting[part.index] = part
        while following in waiting:
            yield waiting.pop(following)
            following += 1
    if following != count:
        raise SynthesisError(f"paragraph task {following} of {count} never came back")


class _Joined:
    """What the episode keeps of each part once its frames are written: no audio."""

    def __init__(self, total: int, progress: Progress | None) -> None:
        self.total = total
        self.progress = progress
        self.spans: list[Span | None] = []
        self.verdicts: list[Verdict | None] = []
        self.speakers: list[str] = []
        self.blocks: list[npt.NDArray[np.float32]] = []
        self.peak = -math.inf
        self.identity: Mapping[str, object] = {}
        self.notes: dict[str, None] = {}

    def add(self, joiner: Mp3Joiner, task: Task, part: Part) -> None:
        rendered = part.rendered
        start_ms = joiner.decoded_samples * 1000 / OUTPUT_RATE
        joiner.add(rendered.mastered.chunk, rendered.mastered.content_samples)
        self.spans += [_shift(span, start_ms) for span in rendered.spans]
        self.verdicts += rendered.verdicts or [None] * len(rendered.spans)
        self.speakers += rendered.speakers
        self.blocks.append(rendered.mastered.blocks)
        self.peak = max(self.peak, rendered.mastered.true_peak_dbtp)
        self.identity = self.identity or part.identity
        self.notes.update(dict.fromkeys(part.notes))
        if self.progress:  # one span per segment: their count is how many are done
            done = len(self.spans) - len(task.paragraph.segments)
            for number, segment in enumerate(task.paragraph.segments, start=done + 1):
                self.progress(number, self.total, segment)


def _shift(span: Span | None, start_ms: float) -> Span | None:
    if span is None:
        return None
    words = None
    if span.words is not None:
        words = tuple((round(start_ms + a), round(start_ms + b)) for a, b in span.words)
    return Span(round(start_ms + span.start_ms), round(start_ms + span.end_ms), words)


def _finished(planned: Plan, episode: Episode, joined: _Joined) -> Episode:
    """The episode with its sidecars written and its notes."""
    settings = planned.settings
    notes = list(joined.notes)
    if settings.verify and planned.tasks[0].verify:
        heard = verification(planned.script.segments, episode.spans, joined.verdicts)
        episode = replace(episode, verification=heard)
        if heard.failing:  # never silently, even with --quiet
            notes.append(heard.line())
    elif settings.verify:  # a language the recognizer does not know
        notes.append(skipped(planned.script.language).replace("speech check", "--verify"))
    sidecars = []
    if settings.sidecars is not None:
        sidecars = write_episode_sidecars(planned, episode, joined.identity, settings.sidecars)
    silent = [span is None for span in episode.spans]
    if any(silent):  # a paragraph in a script the voice does not speak, say
        notes.append(
            f"no speech from {plural(sum(silent), 'segment')}, missing from the audio (does "
            f"the voice speak their script?): "
            f"{silent_segments(planned.script.segments, episode.spans)}"
        )
    target = settings.loudness
    if target is not None and episode.loudness is not None:
        reached = episode.loudness.integrated_lufs
        if abs(reached - target) > NOTE_LOUDNESS_OFF_LU:
            notes.append(
                f"it measures {reached:.1f} LUFS, not {target:g}: speech this short or this "
                "uneven cannot be levelled further without distortion."
            )
    fallback = settings.fallback.engine if settings.fallback else None
    blocks = tuple(dict.fromkeys(
        describe_block(segment)
        for segment, speaker in zip(planned.script.segments, episode.speakers, strict=True)
        if fallback and speaker == fallback and not joined.notes
    ))  # fmt: skip
    return replace(episode, sidecars=tuple(sidecars), notes=tuple(notes),
                   fallback=fallback if blocks else None, fallback_blocks=blocks)  # fmt: skip


def silent_segments(
    segments: Sequence[Segment], spans: Sequence[Span | None], most: int = 5
) -> str:
    """The segments that made no sound, named: ``paragraph 3 ("The boats came…")``."""
    named = [describe(s) for s, span in zip(segments, spans, strict=True) if span is None]
    more = f" and {len(named) - most} more" if len(named) > most else ""
    return ", ".join(named[:most]) + more
