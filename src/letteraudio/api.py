"""The public API: read an article, plan its render, speak each paragraph, join them.

A render is a map::

    planned = plan(article, settings)                    # pure: loads no voice
    parts = [render_paragraph(task) for task in planned.tasks]   # any map, any machine
    episode = join(planned, parts, "out/letter.mp3")

Tasks and parts are plain picklable values: a task names its voice by spec, and the
engine is built again from that spec once in each process. :func:`narrate` is the same
three steps with a local map that shares one engine between paragraphs and streams
(its sentences are spoken several at once, across paragraph ends), so it gives the same
bytes as any other map.
"""

from __future__ import annotations

import contextlib
import datetime
import functools
import math
import os
import re
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from letteraudio.errors import InputError, NetworkError, SynthesisError
from letteraudio.pipeline import ReadingSettings, Script, build_script
from letteraudio.settings import Settings, Voice
from letteraudio.text.segment import Segment
from letteraudio.values import Chapter, Metadata, SidecarChoice, Span, clock, plural

Progress = Callable[[int, int, Segment], None]
"""Called after each segment is joined: (done, total, segment)."""

DEFAULT_OUTPUT_DIR = Path("output")
NOTE_LOUDNESS_OFF_LU = 0.5
"""Say so when the episode is further than this from the target (check allows 1 LU)."""
MASTERING_NICENESS = 10
LIST_OUTSIDE_BLOCKS = 10
"""More blocks of a web page around its article than this are summed up, not listed."""
_DOCUMENT_KEYS = ("title", "author", "description", "language", "show")


@dataclass(frozen=True)
class Article:
    """An article's text and how to read it."""

    text: str
    format: str = "text"
    """``text``, ``markdown`` or ``html``."""
    name: str = "-"
    """Where it came from: a path, ``-`` (standard input, bytes, text) or a URL."""
    url: str | None = None
    """The page's URL (after redirects) when it was read from the web."""

    @classmethod
    def read(cls, source: str | Path | bytes, format: str | None = None) -> Article:
        """Read a file (a path, or ``-`` for standard input), an http(s) URL, bytes or
        text (a string with a line break); the format is ``format``, else a URL's content
        type, else the file's extension, else sniffed from the text."""
        from letteraudio.text.formats import detect_format
        from letteraudio.text.read import STDIN, decode_text
        from letteraudio.text.source import read_source

        if isinstance(source, bytes) or (isinstance(source, str) and "\n" in source):
            text = decode_text(source) if isinstance(source, bytes) else source
            return cls(text, detect_format(STDIN, text, format))
        read = read_source(str(source), format)
        return cls(read.text, read.format, read.name, read.url)

    @property
    def path(self) -> Path | None:
        """The file it was read from (a cover named in its front matter is beside it)."""
        from letteraudio.text.read import STDIN

        return None if self.url or self.name == STDIN else Path(self.name)

    def stem(self, title: str | None = None) -> str:
        """Its episode's file name without ``.mp3``: a file's stem; for a web page its
        title, else the last part of its URL."""
        from letteraudio.text.source import Source

        return Source(self.name, self.text, self.format, self.url).stem(title)


def target_for(
    article: Article, output: str | Path | None = None, title: str | None = None
) -> Path:
    """Where the MP3 goes: ``output`` (a file, or a folder, existing or ending in ``/``,
    to put ``<name>.mp3`` in), else ``output/<name>.mp3``."""
    name = f"{article.stem(title)}.mp3"
    if output is None:
        return DEFAULT_OUTPUT_DIR / name
    path = Path(output).expanduser()
    if path.is_dir() or str(output).endswith(("/", os.sep)):
        return path / name
    return path


@dataclass(frozen=True)
class Task:
    """One paragraph (a group of segments and the pause after it) to speak and encode."""

    index: int
    group: Any
    """A :class:`letteraudio.chunks.Group`."""
    voice: Voice
    fallback: Voice | None
    mastering: Any
    """A :class:`letteraudio.audio.mastering.MasteringSettings`."""
    cache_dir: Path | None = None
    jobs: int | None = None


@dataclass(frozen=True)
class Part:
    """A paragraph spoken, mastered and encoded: what :func:`join` puts together."""

    index: int
    rendered: Any
    """A :class:`letteraudio.chunks.RenderedGroup`."""
    identity: Mapping[str, Any]
    """The identity of the engine that was asked to speak it."""
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Plan:
    """Everything decided before a voice speaks: the script, the tags, the tasks."""

    script: Script
    metadata: Metadata
    settings: Settings
    tasks: tuple[Task, ...]
    chars_per_second: float
    """The engine's typical pace at the chosen speed, for estimates."""
    link: str | None = None
    """The web page the article was read from (the episode's link in a feed)."""

    @property
    def estimated_seconds(self) -> float:
        return self.script.estimated_seconds(self.chars_per_second)

    def to_text(self) -> list[str]:
        """The script as ``letteraudio script`` prints it: a line per segment (and one for
        what it says where that differs from what is written), a summary, what was left
        out."""
        from letteraudio.text.html import OUTSIDE_ARTICLE

        script, lines = self.script, []
        for segment in script.segments:
            if segment is script.segments[-1]:
                pause = f"tail  {script.pauses.tail:>5} ms"
            else:
                pause = f"pause {segment.pause_after_ms:>5} ms"
            lines.append(f"{segment.index + 1:>4}  {segment.kind:<9}  {pause}  {segment.written}")
            if segment.text != segment.written:
                lines.append(f"{'':>4}  {'said':<9}  {'':<14}  {segment.text}")
        characters = sum(len(s.text) for s in script.segments)
        lines.append(
            f"{plural(len(script.segments), 'segment')}, {plural(characters, 'character')}; "
            f"estimated duration {clock(self.estimated_seconds)} with {self.settings.voice.engine}"
        )
        outside = [d.text for d in script.document.dropped if d.reason == OUTSIDE_ARTICLE]
        listed = len(outside) <= LIST_OUTSIDE_BLOCKS
        lines += [f"dropped ({d.reason}): {d.text}" for d in script.document.dropped
                  if d.reason != OUTSIDE_ARTICLE or listed]  # fmt: skip
        if not listed:  # a web page's menus, teasers, footers...
            lines.append(f"dropped ({OUTSIDE_ARTICLE}): {len(outside)} blocks of the page, such "
                         f"as {'; '.join(outside[:3])} (--json lists them all)")  # fmt: skip
        return lines + [f"link read as its site ({link['said']}; the rest is not said): "
                        f"{link['url']}" for link in script.links()]  # fmt: skip

    def to_json(self) -> dict[str, Any]:
        """The script as ``letteraudio script --json`` prints it."""
        script, pace = self.script, self.chars_per_second
        segments = [
            {"index": s.index, "kind": s.kind, "paragraph": s.paragraph, "text": s.text,
             "written": s.written, "pause_after_ms": s.pause_after_ms,
             "estimated_seconds": round(len(s.text) / pace, 1)}
            for s in script.segments
        ]  # fmt: skip
        return {
            "title": script.document.title,
            "language": script.language or "en",  # None: English, as it was read
            "engine": self.settings.voice.engine,
            "estimated_seconds": round(self.estimated_seconds, 1),
            "segments": segments,
            "tail_ms": script.pauses.tail,
            "dropped": [{"text": d.text, "reason": d.reason} for d in script.document.dropped],
            "links": script.links(),
        }


@dataclass(frozen=True)
class Episode:
    """A finished render."""

    path: Path
    duration: float
    size: int
    segments: int
    chapters: list[Chapter]
    loudness: Any
    """A :class:`letteraudio.audio.loudness.Loudness` of the decoded MP3, when loudness was
    normalized: integrated loudness as predicted from what was encoded (within 0.01 LU),
    true peak at most this (see :mod:`letteraudio.audio.mastering`)."""
    speakers: list[str]
    """The engine that spoke each segment."""
    spans: tuple[Span | None, ...] = ()
    """Where each segment's speech is in the MP3 (None: it made no sound)."""
    sidecars: tuple[Path, ...] = ()
    """Transcripts, chapters and the episode file written beside the MP3."""
    notes: tuple[str, ...] = ()
    """What the listener may want to know: a fallback used, a loudness not reached."""
    fallback: str | None = None
    fallback_blocks: tuple[str, ...] = ()
    """The blocks the fallback engine spoke (``title``, ``paragraph 3``)."""

    def to_text(self, seconds: float) -> list[str]:
        """What ``letteraudio render`` prints when done: what was written, who spoke."""
        parts = [f"{clock(self.duration)} of audio"]
        if loudness := self.loudness:
            parts.append(f"{loudness.integrated_lufs:.1f} LUFS, {loudness.true_peak_dbtp:.1f} dBTP")
        size = self.size
        parts += [plural(len(self.chapters), "chapter"),
                  f"{size / 1e6:.1f} MB" if size >= 1e6 else f"{size / 1e3:.0f} kB",
                  f"in {seconds:.1f} s"]  # fmt: skip
        lines = [f"Wrote {self.path}: {', '.join(parts)}"]
        if self.fallback:
            lines.append(f"The fallback {self.fallback} spoke: {', '.join(self.fallback_blocks)}")
        return lines


def plan(article: Article, settings: Settings) -> Plan:
    """Parse, clean and segment the article, settle its tags and cut it into tasks.
    Pure: it loads no voice and writes nothing."""
    from letteraudio.audio.mastering import MasteringSettings
    from letteraudio.audio.stitch import OUTPUT_RATE
    from letteraudio.chunks import group_segments
    from letteraudio.engines import phoneme_alphabet

    engine = settings.voice.engine_class()
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
        from letteraudio.text.formats import detect_format

        detect_format("-", article.text, settings.text_format)
    script = build_script(article.text, engine.max_chars, settings.pauses, reading)
    mastering = MasteringSettings(OUTPUT_RATE, settings.bitrate, settings.loudness)
    tasks = tuple(
        Task(
            n,
            group,
            settings.voice,
            settings.fallback,
            mastering,
            settings.cache_dir,
            settings.jobs,
        )
        for n, group in enumerate(group_segments(script.segments, script.pauses))
    )
    speed = float(settings.voice.options.get("speed", 1.0))
    metadata = episode_metadata(article, script, settings)
    return Plan(script, metadata, settings, tasks, engine.chars_per_second * speed, article.url)


def episode_metadata(article: Article, script: Script, settings: Settings) -> Metadata:
    """The tags: those given (over the config file's), else the document's, else its title
    and subtitle, else the article's name."""
    from letteraudio.tags import read_cover

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
    from letteraudio.tags import read_cover

    metadata = script.document.metadata
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


def check_date(value: str) -> None:
    """Refuse a release date that is neither ``YYYY`` nor ``YYYY-MM-DD``."""
    try:
        if re.fullmatch(r"\d{4}", value):
            return
        datetime.date.fromisoformat(value)
    except ValueError:
        pass
    else:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            return
    raise InputError(f"date {value!r}: give YYYY or YYYY-MM-DD")


# --- speaking -------------------------------------------------------------------------


def _build_voices(
    voice: Voice, fallback: Voice | None, jobs: int | None, cache_dir: Path | None
) -> tuple[Any, tuple[str, ...]]:
    """The engines of a render, built once per process (and per spec), and a note when
    the voice's engine cannot be reached and the fallback speaks it all."""
    from letteraudio.cache import ClipCache
    from letteraudio.synthesis import Voices

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
    return Voices(engine=engine, fallback=backup, cache=cache, jobs=jobs), notes


_voices = functools.lru_cache(maxsize=4)(_build_voices)
"""The engines of a task's spec, built once in each process that renders paragraphs."""


def render_paragraph(task: Task) -> Part:
    """Speak, master and encode one paragraph (from the cache when it is there)."""
    from letteraudio.chunks import cached_group, render_group
    from letteraudio.synthesis import speak

    voices, notes = _voices(task.voice, task.fallback, task.jobs, task.cache_dir)
    identity = voices.engine.identity()
    hit = cached_group(voices.cache, task_key(task, identity))
    if hit is None:
        spoken = list(speak(voices, task.group.segments))
        hit = render_group(task.group, spoken, task.mastering, voices.cache)
    return Part(task.index, hit, identity, notes)


def task_key(task: Task, identity: Mapping[str, Any]) -> str:
    """The cache key of a task's encoded paragraph: its clips (engine identity and text),
    pauses and mastering. Equal keys, equal parts, whichever article they come from."""
    from letteraudio.cache import cache_key
    from letteraudio.chunks import group_key

    clips = [cache_key(identity, segment.text) for segment in task.group.segments]
    return group_key(task.group, clips, task.mastering)


class LocalMap:
    """Paragraph tasks on this machine's threads, with one engine per voice for every
    article of a run: sentences are spoken several at once (across paragraph ends),
    paragraphs mastered a few at once, and what is in the cache is not spoken.

    Also the client's side of a cluster map (:class:`letteraudio.cluster.ClusterMap`):
    the engines it builds here load no model until they speak."""

    def __init__(self) -> None:
        self._built: dict[tuple[Any, ...], tuple[Any, tuple[str, ...]]] = {}

    def __enter__(self) -> LocalMap:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._built.clear()

    def voices(self, task: Task) -> tuple[Any, tuple[str, ...]]:
        """The engines of a task's spec (a ``Voices``) and their notes, built once."""
        spec = (task.voice, task.fallback, task.jobs, task.cache_dir)
        if spec not in self._built:
            self._built[spec] = _build_voices(*spec)
        return self._built[spec]

    def identity(self, planned: Plan) -> Mapping[str, Any]:
        return dict(self.voices(planned.tasks[0])[0].engine.identity())

    def run(
        self, items: Iterable[Any], plan_of: Callable[[Any], Plan | None]
    ) -> Iterator[tuple[Any, Iterator[Part] | None]]:
        """Each item with the parts of its plan (None when it has none), one at a time."""
        for item in items:
            planned = plan_of(item)
            yield item, None if planned is None else self.parts(planned)

    def parts(self, planned: Plan) -> Iterator[Part]:
        """The parts of a plan, in order, as :func:`render_paragraph` makes them."""
        from letteraudio.chunks import cached_group, render_group
        from letteraudio.synthesis import speak

        voices, notes = self.voices(planned.tasks[0])
        identity = voices.engine.identity()
        keys = [task_key(task, identity) for task in planned.tasks]
        stored = [cached_group(voices.cache, key) for key in keys]
        to_speak = [s for task, hit in zip(planned.tasks, stored, strict=True) if hit is None
                    for s in task.group.segments]  # fmt: skip
        spoken = speak(voices, to_speak)
        workers = os.cpu_count() or 1
        masters = ThreadPoolExecutor(workers, initializer=_yield_to_speech)
        in_order: deque[tuple[Task, Future[Any]]] = deque()
        try:
            with masters as pool:
                for task, hit in zip(planned.tasks, stored, strict=True):
                    if hit is None:
                        voiced = [next(spoken) for _ in task.group.segments]
                        job = pool.submit(render_group, task.group, voiced, task.mastering,
                                          voices.cache)  # fmt: skip
                    else:
                        job = Future()
                        job.set_result(hit)
                    in_order.append((task, job))
                    while in_order and (len(in_order) > workers or in_order[0][1].done()):
                        done, result = in_order.popleft()
                        yield Part(done.index, result.result(), identity, notes)
                while in_order:
                    done, result = in_order.popleft()
                    yield Part(done.index, result.result(), identity, notes)
        finally:
            for _, job in in_order:
                job.cancel()
            spoken.close()


def parts_map(settings: Settings) -> LocalMap:
    """Where a render's paragraphs are spoken: a Dask cluster when ``settings`` names a
    scheduler or asks for a local cluster, else this machine's threads."""
    if settings.scheduler or settings.local_cluster:
        from letteraudio.cluster import ClusterMap

        return ClusterMap.connect(settings)
    return LocalMap()


def _yield_to_speech() -> None:
    """Mastering threads (and the encoders they start) run at a lower priority: speaking
    is the longest road through a render, so it gets the cores first."""
    with contextlib.suppress(AttributeError, OSError):  # not on every platform
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), MASTERING_NICENESS)


# --- joining --------------------------------------------------------------------------


def check_target(article: Article, target: Path, settings: Settings) -> None:
    """Refuse a target that would fail or do harm, before any time is spent on audio."""
    from letteraudio.audio.encode import check_writable

    if article.path is not None and target.exists() and target.resolve() == article.path.resolve():
        raise InputError(f"the output {target} is the article itself: choose another -o")
    check_writable(target)
    if not settings.replace and target.exists():
        raise InputError(f"{target} exists (--no-clobber): choose another -o or remove it")
    if target.is_file() and target.suffix.lower() != ".mp3":
        raise InputError(f"the output {target} exists and is not an .mp3: letteraudio replaces "
                         "only MP3s (choose another -o, or remove it)")  # fmt: skip


def join(
    planned: Plan,
    parts: Iterable[Part],
    target: str | Path,
    progress: Progress | None = None,
) -> Episode:
    """Join the parts in order (they may come in any order) into a tagged MP3 at
    ``target`` with its sidecars; nothing is written there on failure."""
    from letteraudio.audio.encode import atomic_output
    from letteraudio.audio.loudness import Loudness, integrated_from_blocks
    from letteraudio.audio.mp3join import Mp3Joiner
    from letteraudio.audio.stitch import OUTPUT_RATE
    from letteraudio.chapters import build_chapters
    from letteraudio.tags import write_tags

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
                        f"the {settings.voice.engine} engine produced no audio for this article"
                    )
                length_ms = round(joiner.finish() * 1000 / OUTPUT_RATE)
            chapters = build_chapters(
                script.segments, tuple(joined.spans), length_ms, settings.chapters,
                script.document.title,
            )  # fmt: skip
            write_tags(temporary, planned.metadata, chapters, length_ms, id3v24=settings.id3v24)
    finally:
        close = getattr(parts, "close", None)
        if callable(close):
            close()
    loudness = None
    if settings.loudness is not None:
        loudness = Loudness(integrated_from_blocks(joined.blocks), joined.peak)
    episode = Episode(
        path=target,
        duration=length_ms / 1000,
        size=target.stat().st_size,
        segments=len(script.segments),
        chapters=chapters,
        loudness=loudness,
        speakers=joined.speakers,
        spans=tuple(joined.spans),
    )
    return _finished(planned, episode, joined)


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
        self.speakers: list[str] = []
        self.blocks: list[npt.NDArray[np.float32]] = []
        self.peak = -math.inf
        self.identity: Mapping[str, Any] = {}
        self.notes: dict[str, None] = {}

    def add(self, joiner: Any, task: Task, part: Part) -> None:
        from letteraudio.audio.stitch import OUTPUT_RATE

        rendered = part.rendered
        start_ms = joiner.decoded_samples * 1000 / OUTPUT_RATE
        joiner.add(rendered.mastered.chunk, rendered.mastered.content_samples)
        self.spans += [_shift(span, start_ms) for span in rendered.spans]
        self.speakers += rendered.speakers
        self.blocks.append(rendered.mastered.blocks)
        self.peak = max(self.peak, rendered.mastered.true_peak_dbtp)
        self.identity = self.identity or part.identity
        self.notes.update(dict.fromkeys(part.notes))
        if self.progress:  # one span per segment: their count is how many are done
            done = len(self.spans) - len(task.group.segments)
            for number, segment in enumerate(task.group.segments, start=done + 1):
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
    from dataclasses import replace

    from letteraudio.synthesis import describe_block

    settings = planned.settings
    sidecars = []
    if settings.sidecars is not None:
        sidecars = write_episode_sidecars(planned, episode, joined.identity, settings.sidecars)
    notes = list(joined.notes)
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


def write_episode_sidecars(
    planned: Plan, episode: Episode, identity: Mapping[str, Any], choice: SidecarChoice
) -> list[Path]:
    """Transcripts, chapters JSON and the episode file beside the MP3 just written."""
    from letteraudio.publish.sidecars import episode_info, write_sidecars

    script = planned.script
    texts = [segment.text for segment in script.segments]
    shown = [segment.written for segment in script.segments]  # a lexicon changes what is said
    metadata = planned.metadata
    info = episode_info(
        guid=_guid(planned, identity),
        title=metadata.title,
        texts=shown,
        spans=[(span.start_ms, span.end_ms) if span else None for span in episode.spans],
        chapters=episode.chapters,
        blocks=[segment.paragraph for segment in script.segments],
        description=metadata.description,
        author=metadata.author,
        language=metadata.language,
        date=metadata.date,
        link=planned.link,
        words=[span.words if span else None for span in episode.spans],
        spoken=texts,
        render=render_digest(planned, identity) if _all_by_the_voice(planned, episode) else None,
    )
    return write_sidecars(episode.path, info, choice)


def _all_by_the_voice(planned: Plan, episode: Episode) -> bool:
    """Whether the voice spoke every segment: an episode the fallback spoke in part is
    never up to date, so that a later render gives it the voice it was meant to have."""
    fallback = planned.settings.fallback
    return fallback is None or fallback.engine == planned.settings.voice.engine or (
        fallback.engine not in episode.speakers
    )  # fmt: skip


def _guid(planned: Plan, identity: Mapping[str, Any]) -> str:
    """The episode's guid: what is said, by which voice, paused and mastered how."""
    from letteraudio.publish.episode import episode_guid

    settings = planned.settings
    audio = {"pauses": asdict(settings.pauses), "bitrate_kbps": settings.bitrate,
             "loudness_lufs": settings.loudness}  # fmt: skip
    return episode_guid([segment.text for segment in planned.script.segments], identity, audio)


def render_digest(planned: Plan, identity: Mapping[str, Any]) -> str:
    """A digest of everything an episode's files are made from: the guid (what is said,
    by which voice, how), the written words and blocks, the tags (the cover's bytes),
    chapters, ID3 version, sidecars and letteraudio's version."""
    import hashlib
    import json

    from letteraudio import __version__

    settings, metadata = planned.settings, planned.metadata
    cover = metadata.cover
    document = {
        "guid": _guid(planned, identity),
        "segments": [(s.kind, s.paragraph, s.written) for s in planned.script.segments],
        "metadata": {**asdict(metadata), "cover": _file_digest(cover) if cover else None},
        "chapters": settings.chapters.value,
        "id3v24": settings.id3v24,
        "sidecars": asdict(settings.sidecars) if settings.sidecars else None,
        "link": planned.link,
        "letteraudio": __version__,
    }
    text = json.dumps(document, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def _file_digest(path: Path) -> str:
    import hashlib

    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return "unreadable"


def up_to_date(planned: Plan, identity: Mapping[str, Any], target: Path) -> bool:
    """Whether ``target`` and its sidecars are what rendering ``planned`` would write now:
    its episode file names the same :func:`render_digest`, was written after the MP3,
    and every sidecar chosen is there."""
    from letteraudio.publish.episode import CHAPTERS_SUFFIX, EPISODE_SUFFIX, EpisodeInfo
    from letteraudio.publish.episode import sidecar_path as beside

    choice = planned.settings.sidecars
    record = beside(target, EPISODE_SUFFIX)
    if choice is None or not target.is_file() or not record.is_file():
        return False
    try:
        info = EpisodeInfo.from_json(record.read_text(encoding="utf-8"), record)
    except (InputError, OSError, UnicodeDecodeError):
        return False
    wanted = [".vtt"] * choice.vtt + [".srt"] * choice.srt
    wanted += [CHAPTERS_SUFFIX] * (choice.chapters_json and bool(info.chapters))
    return (
        info.render == render_digest(planned, identity)
        and target.stat().st_mtime_ns <= record.stat().st_mtime_ns
        and all(beside(target, suffix).is_file() for suffix in wanted)
    )


def narrate(
    article: Article,
    settings: Settings,
    target: str | Path | None = None,
    progress: Progress | None = None,
) -> Episode:
    """Render ``article`` to a tagged MP3 with its sidecars: :func:`plan`, a local map of
    :func:`render_paragraph`, :func:`join`. ``target`` is a file, or a folder to write
    ``<name>.mp3`` in (see :func:`target_for`); by default ``output/<name>.mp3``."""
    planned = plan(article, settings)
    path = target_for(article, target, planned.script.document.title)
    check_target(article, path, settings)
    with parts_map(settings) as parts:
        return join(planned, parts.parts(planned), path, progress)
