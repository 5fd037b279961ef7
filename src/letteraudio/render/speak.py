"""Speak segments: several at once when the engine allows it, results in script order.

A local engine uses the machine's cores (Piper: worker threads sharing one loaded
voice, each with its own share of onnxruntime's threads); a network engine keeps a
few requests in flight and slows down itself when the server says 429. Results come
back in order with a bounded look-ahead, so memory does not grow with the article.
Every clip goes through the cache: what was spoken once is never spoken again.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Generator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace

from letteraudio.cache import ClipCache, cache_key
from letteraudio.chapters import first_words
from letteraudio.engines import Engine, word_timing
from letteraudio.errors import EngineUnavailable, LetterAudioError, SynthesisError
from letteraudio.text.segment import Segment
from letteraudio.values import Clip

LOOK_AHEAD = 2
"""Segments queued per worker beyond the one being consumed: keeps workers busy, memory flat."""


@dataclass(frozen=True)
class Voices:
    """Who speaks: the engine, an optional fallback for segments it fails, and the cache."""

    engine: Engine
    fallback: Engine | None = None
    cache: ClipCache | None = None
    jobs: int | None = None
    """Segments spoken at once; None lets the engine choose (see :func:`engine_jobs`)."""
    align: bool = False
    """Find the words in the audio of an engine that does not time them (the ``align``
    extra, English: see :mod:`letteraudio.engines.align`)."""


@dataclass(frozen=True)
class Spoken:
    """One segment's audio and who spoke it."""

    segment: Segment
    clip: Clip
    speaker: str
    key: str
    """The clip's cache key (engine identity and text)."""


def engine_jobs(engine: Engine, requested: int | None = None) -> int:
    """How many segments to speak at once: ``requested``, else the engine's own ``jobs``
    (an engine that does not say is spoken one segment at a time)."""
    if requested is not None:
        return max(1, requested)
    return max(1, int(getattr(engine, "jobs", 1)))


def speak(voices: Voices, segments: Sequence[Segment]) -> Generator[Spoken, None, None]:
    """Speak every segment, yielding them in order as soon as each is ready.

    A segment the engine fails goes to the fallback engine when there is one, and so
    does every later segment the cache does not already hold (an engine that failed
    after all its retries is not asked again); without a fallback the error names the
    segment. Clips already spoken stay in the cache, so a failed render resumes.
    """
    jobs = engine_jobs(voices.engine, voices.jobs)
    failover = _Failover(voices)
    pool = ThreadPoolExecutor(jobs, thread_name_prefix="letteraudio-speak")
    pending: deque[Future[Spoken]] = deque()
    queue = iter(segments)
    try:
        for segment in queue:
            pending.append(pool.submit(failover.speak, segment))
            if len(pending) >= jobs * (1 + LOOK_AHEAD):
                break
        while pending:
            try:
                spoken = pending.popleft().result()
            except _Stopped:
                # A later segment failed first and stopped the rest: report that failure.
                raise failover.failure or SynthesisError("synthesis stopped") from None
            following = next(queue, None)
            if following is not None:
                pending.append(pool.submit(failover.speak, following))
            yield spoken
    finally:
        failover.stop.set()
        for future in pending:
            future.cancel()
        if pending:  # stopped early: engines that can cut their waiting short do so
            for engine in (voices.engine, voices.fallback):
                cancel = getattr(engine, "cancel", None)
                if callable(cancel):
                    cancel()
        pool.shutdown(wait=False, cancel_futures=True)


class _Failover:
    """The primary engine until it fails, then the fallback (shared by the workers)."""

    def __init__(self, voices: Voices) -> None:
        self.voices = voices
        self.engine_down = threading.Event()
        self.stop = threading.Event()
        self.failure: SynthesisError | None = None

    def speak(self, segment: Segment) -> Spoken:
        voices = self.voices
        if self.stop.is_set():
            raise _Stopped
        try:
            if self.engine_down.is_set():
                clip, key = cached(voices.engine, segment.text, voices.cache)
                if clip is None:
                    raise SynthesisError(f"the {voices.engine.name} engine failed earlier")
            else:
                clip, key = speak_one(voices.engine, segment.text, voices.cache)
            clip = self.timed(voices.engine, clip, segment.text, key)
            return Spoken(segment, clip, voices.engine.name, key)
        except EngineUnavailable:
            raise
        except LetterAudioError as error:
            if voices.fallback is None:
                failure = SynthesisError(f"{describe(segment)}: {error}")
                self.failure = self.failure or failure
                self.stop.set()  # the render has failed: start nothing more
                raise failure from error
            self.engine_down.set()
            try:
                clip, key = speak_one(voices.fallback, segment.text, voices.cache)
            except LetterAudioError as second:
                raise SynthesisError(
                    f"{describe(segment)}: {error}; the fallback {voices.fallback.name} "
                    f"failed too: {second}"
                ) from second
            clip = self.timed(voices.fallback, clip, segment.text, key)
            return Spoken(segment, clip, voices.fallback.name, key)

    def timed(self, engine: Engine, clip: Clip, text: str, key: str) -> Clip:
        """``clip`` with its words found in its audio, when the render aligns and the engine
        declares its words ``"aligned"`` (kept in the cache with them; the samples are
        untouched). An engine that declares nothing keeps sentence timing: its audio may
        not be speech the aligner knows (a test engine's tones)."""
        if not self.voices.align or clip.words is not None or word_timing(engine) != "aligned":
            return clip
        from letteraudio.engines.align import align

        words = align(clip, text)
        if words is None:
            return clip
        clip = replace(clip, words=words)
        if self.voices.cache is not None:
            self.voices.cache.put(key, clip)
        return clip


class _Stopped(SynthesisError):
    """A segment not spoken because another one failed."""


def speak_one(
    engine: Engine, text: str, cache: ClipCache | None, variant: int = 0
) -> tuple[Clip, str]:
    """One text's clip and cache key, from the cache when it has it. ``variant`` > 0: the
    engine's ``synthesize_variant(text, variant)`` (``render --verify``), under its own key."""
    clip, key = cached(engine, text, cache, variant)
    if clip is None:
        # synthesize_variant is optional (see letteraudio.engines.BaseEngine)
        say = getattr(engine, "synthesize_variant") if variant else None  # noqa: B009
        clip = say(text, variant) if say else engine.synthesize(text)
        if cache is not None:
            cache.put(key, clip)
    return clip, key


def cached(
    engine: Engine, text: str, cache: ClipCache | None, variant: int = 0
) -> tuple[Clip | None, str]:
    """The cached clip for ``text`` (or None) and its key."""
    identity = {**engine.identity(), "variant": variant} if variant else engine.identity()
    key = cache_key(identity, text)
    return (cache.get(key) if cache is not None else None), key


def describe_block(segment: Segment) -> str:
    """The block a segment belongs to: ``title``, ``subtitle`` or ``paragraph 3``."""
    if segment.kind in ("title", "subtitle"):
        return segment.kind
    return f"{segment.kind} {segment.paragraph}"


def describe(segment: Segment) -> str:
    """A short human name for a segment, e.g. ``paragraph 3 ("The boats came…")``."""
    return f'{describe_block(segment)} ("{first_words(segment.text)}")'
