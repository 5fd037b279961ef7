"""One paragraph spoken, mastered and encoded: the one per-paragraph loop (key -> cache ->
speak -> master -> store) that every map runs, and the engines it speaks with.

A paragraph is the unit of work, of streaming and of the cache of encoded paragraphs: its
clips are stitched with their pauses, mastered and encoded together
(:mod:`letteraudio.audio.mastering`), and the result is kept in the cache, keyed by its
clips, pauses and mastering settings. :func:`render_paragraph` is the loop for one task
in any process (threads, a process pool, a Dask worker), with the engines built once per
process; :class:`letteraudio.render.maps.local.LocalMap` runs the same loop over a whole
plan, speaking sentences several at once across paragraph ends.
"""

from __future__ import annotations

import contextlib
import functools
import os
import threading
from collections import deque
from collections.abc import Generator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict
from pathlib import Path

from letteraudio.audio.mastering import MasteringSettings, master_chunk
from letteraudio.audio.stitch import stitch
from letteraudio.cache import ClipCache, cache_key, chunk_key
from letteraudio.engines.align import aligns
from letteraudio.errors import NetworkError
from letteraudio.render.model import Paragraph, Part, RenderedParagraph, Task, Verdict
from letteraudio.render.speak import Spoken, Voices, speak
from letteraudio.render.verify import verify_sentences
from letteraudio.settings import Voice
from letteraudio.values import Clip, Span

MASTERING_NICENESS = 10
MASTERING_SECONDS = 60.0
"""Seconds of speech mastered at once, at most, when more than one paragraph is: mastering
holds about 30 bytes per sample of its paragraph (0.66 MB a second of Piper's speech, its
peak), so a paragraph that does not fit beside those in flight waits for them, oldest
first. Two paragraphs of up to 30 s master side by side, longer ones one after the
other. At 90 s, the peak of a 3,000-character paragraph of clauses through Piper (with
the cache, as renders run by default) was 1.14-1.21 times a short text's, at 60 s 1.14
in every render; hibari's renders of the seed and ``examples/letter-to-my-sister.txt``
took the same time (``benchmarks/footprint.py``; README, Speed and memory)."""

VoiceSpec = tuple[Voice, Voice | None, int | None, Path | None]
"""What a task's engines are built from: its voice, fallback, jobs and cache folder."""


def render_paragraph(task: Task) -> Part:
    """Speak, master and encode one paragraph (from the cache when it is there), with the
    engines of its spec built once in this process."""
    voices, notes = _voices(*spec_of(task))
    parts = render_paragraphs(voices, notes, [task])
    try:
        return next(parts)
    finally:
        parts.close()


def render_paragraphs(
    voices: Voices, notes: tuple[str, ...], tasks: Sequence[Task], workers: int = 0
) -> Generator[Part, None, None]:
    """The parts of ``tasks``, in order: for each, its key; its encoded paragraph from the
    cache, else its sentences spoken (several at once, across paragraph ends), mastered,
    encoded and stored. Up to ``workers`` paragraphs, and :data:`MASTERING_SECONDS` of
    speech, are mastered at once on threads that yield to speech (0: each in this thread
    as it comes)."""
    identity = voices.engine.identity()
    keys = [task_key(task, identity) for task in tasks]
    stored = [cached_paragraph(voices.cache, key) for key in keys]
    to_speak = [s for task, hit in zip(tasks, stored, strict=True) if hit is None
                for s in task.paragraph.segments]  # fmt: skip
    spoken = speak(voices, to_speak)
    masters = ThreadPoolExecutor(workers, initializer=_yield_to_speech) if workers else None
    in_order: deque[tuple[Task, Future[RenderedParagraph], float]] = deque()
    try:
        with masters or contextlib.nullcontext():
            for task, hit in zip(tasks, stored, strict=True):
                seconds = 0.0
                if hit is None:
                    voiced = [next(spoken) for _ in task.paragraph.segments]
                    seconds = sum(len(v.clip.samples) / v.clip.sample_rate for v in voiced)
                    while in_order and waits(seconds, [s for _, _, s in in_order]):
                        done, result, _ = in_order.popleft()
                        yield Part(done.index, result.result(), identity, notes)
                    if masters is not None:
                        job = masters.submit(finish_paragraph, voices, task, voiced)
                    else:
                        job = Future()
                        job.set_result(finish_paragraph(voices, task, voiced))
                else:
                    job = Future()
                    job.set_result(hit)
                in_order.append((task, job, seconds))
                while in_order and (len(in_order) > workers or in_order[0][1].done()):
                    done, result, _ = in_order.popleft()
                    yield Part(done.index, result.result(), identity, notes)
            while in_order:
                done, result, _ = in_order.popleft()
                yield Part(done.index, result.result(), identity, notes)
    finally:
        for _, job, _ in in_order:
            job.cancel()
        spoken.close()


def finish_paragraph(voices: Voices, task: Task, voiced: list[Spoken]) -> RenderedParagraph:
    """A task's spoken sentences heard when it verifies (on the mastering threads, beside
    the speech: :mod:`letteraudio.render.verify`), then mastered, encoded and stored: a
    verified paragraph under the key of the clips first spoken (a sentence spoken again
    is part of it), with its verdicts."""
    if not task.verify:
        return master_paragraph(task.paragraph, voiced, task.mastering, voices.cache)
    key = paragraph_key(task.paragraph, [v.key for v in voiced], task.mastering, verify=True)
    kept, verdicts = verify_sentences(voices, voiced)
    return master_paragraph(task.paragraph, kept, task.mastering, voices.cache, key, verdicts)


def waits(seconds: float, in_flight: Sequence[float]) -> bool:
    """Whether a paragraph of ``seconds`` of speech waits for the oldest of those being
    mastered (``in_flight``, their seconds) to end first: when it would take what is
    mastered at once past :data:`MASTERING_SECONDS` (one alone always goes)."""
    return bool(in_flight) and sum(in_flight) + seconds > MASTERING_SECONDS


def task_key(task: Task, identity: Mapping[str, object]) -> str:
    """The cache key of a task's encoded paragraph: its clips (engine identity and text),
    pauses and mastering, and whether it is verified. Equal keys, equal parts, whichever
    article they come from."""
    clips = [cache_key(identity, segment.text) for segment in task.paragraph.segments]
    return paragraph_key(task.paragraph, clips, task.mastering, task.verify)


def master_paragraph(
    paragraph: Paragraph,
    voiced: list[Spoken],
    mastering: MasteringSettings,
    cache: ClipCache | None,
    key: str | None = None,
    verdicts: tuple[Verdict | None, ...] = (),
) -> RenderedParagraph:
    """Stitch a paragraph's clips with its pauses, master and encode it, and store it
    under ``key`` (by default, the key of its clips)."""
    pauses = [segment.pause_after_ms for segment in paragraph.segments]
    pauses[-1] = 0
    rate = working_rate([v.clip for v in voiced], mastering.rate)
    timeline = stitch(
        [v.clip for v in voiced],
        pauses,
        lead_in_ms=paragraph.lead_in_ms,
        tail_ms=paragraph.pause_after_ms,
        rate=rate,
    )
    heard = [span for span in timeline.spans if span]
    speech = Span(heard[0].start_ms, heard[-1].end_ms) if heard else Span(0, 0)
    silent_tail = len(timeline.samples) - speech.end_ms * rate // 1000
    mastered = master_chunk(timeline.samples, rate, speech, silent_tail, mastering)
    speakers = tuple(v.speaker for v in voiced)
    rendered = RenderedParagraph(mastered, timeline.spans, speakers, verdicts)
    store(cache, key or paragraph_key(paragraph, [v.key for v in voiced], mastering), rendered)
    return rendered


def working_rate(clips: list[Clip], output_rate: int) -> int:
    """The rate a paragraph is stitched and mastered at: its clips' own when they share one
    (resampled once, after mastering), else the output rate."""
    rates = {clip.sample_rate for clip in clips if len(clip.samples)}
    if len(rates) == 1 and (rate := rates.pop()) <= output_rate:
        return rate
    return output_rate


def paragraph_key(
    paragraph: Paragraph, clip_keys: list[str], mastering: MasteringSettings, verify: bool = False
) -> str:
    """The key of an encoded paragraph: its clips, pauses and mastering (the names in it
    are the cache's: they stay as they are), and, for a verified render, that it is: its
    sentences may be spoken again, and its verdicts are kept with it."""
    layout = {
        "pauses": [s.pause_after_ms for s in paragraph.segments],
        "lead_in": paragraph.lead_in_ms,
        "after": paragraph.pause_after_ms,
        "mastering": asdict(mastering),
        **({"verify": True} if verify else {}),
    }
    return chunk_key(clip_keys, layout)


def cached_paragraph(cache: ClipCache | None, key: str) -> RenderedParagraph | None:
    """The encoded paragraph stored under ``key``, or None."""
    entry = cache.get_chunk(key) if cache is not None else None
    return RenderedParagraph.from_cache(*entry) if entry is not None else None


def store(cache: ClipCache | None, key: str, rendered: RenderedParagraph) -> None:
    """Keep an encoded paragraph under ``key`` (nowhere without a cache)."""
    if cache is not None:
        cache.put_chunk(key, *rendered.to_cache())


# --- the engines ------------------------------------------------------------------------


def spec_of(task: Task) -> VoiceSpec:
    """What a task's engines are built from."""
    return (task.voice, task.fallback, task.jobs, task.cache_dir)


def build_voices(
    voice: Voice,
    fallback: Voice | None,
    jobs: int | None = None,
    cache_dir: Path | None = None,
) -> tuple[Voices, tuple[str, ...]]:
    """The engines of a render and a note when the voice's engine cannot be reached and
    the fallback speaks it all: the one place engines are built (from a voice's spec)."""
    backup = fallback.build(jobs, cache_dir) if fallback is not None else None
    notes: tuple[str, ...] = ()
    try:
        engine = voice.build(jobs, cache_dir)
    except NetworkError as error:
        if backup is None:
            raise
        notes = (f"{error.args[0].split(';')[0]}; {backup.name} speaks it all.",)
        engine, backup = backup, None
    cache = ClipCache(cache_dir) if cache_dir is not None else None
    align = aligns(voice.options.get("lang") or _voice_language(voice))
    return Voices(engine=engine, fallback=backup, cache=cache, jobs=jobs, align=align), notes


def _voice_language(voice: Voice) -> str | None:
    """The language an espeak voice's name gives (``de``, ``en-us``); None for others."""
    name = voice.options.get("voice")
    return str(name) if voice.engine == "espeak" and name else None


_voices = functools.lru_cache(maxsize=4)(build_voices)
"""The engines of a task's spec, built once in each process that renders paragraphs."""


class Engines:
    """A map's engines: those of each spec, built once (by :func:`build_voices`) and kept
    until :meth:`clear`, so that every article of a run shares them."""

    def __init__(self) -> None:
        self._built: dict[VoiceSpec, tuple[Voices, tuple[str, ...]]] = {}

    def __call__(self, task: Task) -> tuple[Voices, tuple[str, ...]]:
        """The engines of a task's spec and their notes."""
        spec = spec_of(task)
        if spec not in self._built:
            self._built[spec] = build_voices(*spec)
        return self._built[spec]

    def identity(self, task: Task) -> dict[str, object]:
        """The identity of the engine that speaks ``task``: part of its keys."""
        return dict(self(task)[0].engine.identity())

    def clear(self) -> None:
        self._built.clear()


def _yield_to_speech() -> None:
    """Mastering threads (and the encoders they start) run at a lower priority: speaking
    is the longest road through a render, so it gets the cores first."""
    with contextlib.suppress(AttributeError, OSError):  # not on every platform
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), MASTERING_NICENESS)
