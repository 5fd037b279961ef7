"""The render's plain values: the article read, its script, each paragraph to speak (a
:class:`Task`) and spoken (a :class:`Part`), the :class:`Plan` and the finished
:class:`Episode`. Real types and picklable; nothing here loads a voice or writes a file.

The unit of work is the paragraph: one block of the script and the pause after it
(:class:`Paragraph`), spoken, mastered and encoded together.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from letteraudio.audio.loudness import Loudness
from letteraudio.audio.mastering import MasteredChunk, MasteringSettings
from letteraudio.audio.mp3join import EncodedChunk
from letteraudio.settings import Settings, Voice
from letteraudio.text.parse import Document
from letteraudio.text.segment import Pauses, Segment
from letteraudio.values import Chapter, Metadata, Span, clock, plural

Progress = Callable[[int, int, Segment], None]
"""Called after each segment is joined: (done, total, segment)."""
LIST_OUTSIDE_BLOCKS = 10
"""More blocks of a web page around its article than this are summed up, not listed."""


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
    metadata: Mapping[str, str] | None = None
    """What its source says of it, over what the text says (a feed entry's title, author
    and date)."""

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

    def links(self) -> list[dict[str, str]]:
        """Web addresses the voice reads as their site only: the rest of each is not said."""
        from letteraudio.text.normalize import URL, site

        found = []
        for segment in self.segments:
            for match in URL.finditer(segment.written):
                if match.group(0).rstrip("/") != site(match.group(0)):
                    found.append({"url": match.group(0), "said": site(match.group(0))})
        return found


@dataclass(frozen=True)
class Paragraph:
    """The unit of work: one block of the script (a paragraph, a heading, ...; a long one
    in several) and the pause after it, spoken, mastered and encoded together. The unit
    of streaming, of the map and of the cache of encoded paragraphs."""

    segments: tuple[Segment, ...]
    lead_in_ms: int
    pause_after_ms: int


@dataclass(frozen=True)
class Verdict:
    """One sentence's audio as the recognizer heard it (``--verify``; see
    :mod:`letteraudio.render.verify`)."""

    score: float
    """Phone error rate against the sentence's spoken text (:mod:`letteraudio.speech`)."""
    aligned: bool
    """Whether the aligner fitted the spoken text's words into the audio to the end."""
    passed: bool
    respoken: bool = False
    """Whether it was spoken a second time (the better of the two is kept)."""
    heard: str = ""
    """What a free recognizer heard, for a sentence that did not pass."""


@dataclass(frozen=True)
class RenderedParagraph:
    """A paragraph mastered and encoded, with where its speech sits (ms from the chunk start)."""

    mastered: MasteredChunk
    spans: tuple[Span | None, ...]
    speakers: tuple[str, ...]
    verdicts: tuple[Verdict | None, ...] = ()
    """Each sentence's verdict when the render verifies (None: nothing to hear), else empty."""

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
            **({"verdicts": [v and asdict(v) for v in self.verdicts]} if self.verdicts else {}),
            "sizes": [len(chunk.info_frame), len(chunk.frames), self.mastered.blocks.nbytes],
        }
        payload = chunk.info_frame + chunk.frames + self.mastered.blocks.astype("<f4").tobytes()
        return description, payload

    @classmethod
    def from_cache(cls, description: dict[str, Any], payload: bytes) -> RenderedParagraph | None:
        """Rebuild a cached paragraph; None when the entry does not fit this version."""
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
            verdicts = tuple(
                None if v is None else Verdict(float(v["score"]), bool(v["aligned"]),
                                               bool(v["passed"]), bool(v["respoken"]),
                                               str(v["heard"]))
                for v in description.get("verdicts", ())
            )  # fmt: skip
            speakers = tuple(str(name) for name in description["speakers"])
            return cls(mastered, spans, speakers, verdicts)
        except (KeyError, TypeError, ValueError):
            return None


@dataclass(frozen=True)
class Task:
    """One paragraph to speak, master and encode, and with what: a plain value, so that
    any process can take it (the engines are built again from its voices' specs)."""

    index: int
    paragraph: Paragraph
    voice: Voice
    fallback: Voice | None
    mastering: MasteringSettings
    cache_dir: Path | None = None
    jobs: int | None = None
    verify: bool = False
    """Hear each sentence after speaking it (see :mod:`letteraudio.render.verify`)."""

    @property
    def group(self) -> Paragraph:
        """The paragraph by its former name (kept for code written against it)."""
        return self.paragraph


@dataclass(frozen=True)
class Part:
    """A paragraph spoken, mastered and encoded: what :func:`join` puts together."""

    index: int
    rendered: RenderedParagraph
    identity: Mapping[str, object]
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
class Disagreement:
    """A sentence whose audio still does not say its text after ``--verify``."""

    start_ms: int
    expected: str
    heard: str
    score: float
    aligned: bool
    respoken: bool


@dataclass(frozen=True)
class Verification:
    """What ``--verify`` found in an episode: how many sentences were heard, how many
    spoken again, and those that still disagree with their text."""

    checked: int
    respoken: int
    failing: tuple[Disagreement, ...] = ()

    SHOWN = 3

    def line(self) -> str:
        """The render summary's line: ``verify: 41 sentences checked, 1 re-spoken, 1 still
        disagrees: 1:23 expected '…' heard '…'``."""
        text = f"verify: {plural(self.checked, 'sentence')} checked, {self.respoken} re-spoken, "
        if not self.failing:
            return text + "all say their text"
        said = "disagrees" if len(self.failing) == 1 else "disagree"
        shown = [f"{clock(f.start_ms / 1000)} expected '{f.expected}' heard "
                 + (f"'{f.heard}'" if f.heard else "no words")
                 for f in self.failing[: self.SHOWN]]  # fmt: skip
        more = len(self.failing) - self.SHOWN
        tail = f"; and {more} more (see the episode file)" if more > 0 else ""
        return f"{text}{len(self.failing)} still {said}: " + "; ".join(shown) + tail

    def to_json(self) -> dict[str, Any]:
        """The ``verify`` object of the episode file."""
        return {
            "checked": self.checked,
            "respoken": self.respoken,
            "failing": [
                {"time": clock(f.start_ms / 1000), **asdict(f), "score": round(f.score, 3)}
                for f in self.failing
            ],
        }


@dataclass(frozen=True)
class Episode:
    """A finished render."""

    path: Path
    duration: float
    size: int
    segments: int
    chapters: list[Chapter]
    loudness: Loudness | None
    """The loudness of the decoded MP3, when loudness was normalized: integrated loudness
    as predicted from what was encoded (within 0.01 LU), true peak at most this (see
    :mod:`letteraudio.audio.mastering`)."""
    speakers: list[str]
    """The engine that spoke each segment."""
    spans: tuple[Span | None, ...] = ()
    """Where each segment's speech is in the MP3 (None: it made no sound)."""
    sidecars: tuple[Path, ...] = ()
    """Transcripts, chapters and the episode file written beside the MP3."""
    notes: tuple[str, ...] = ()
    """What the listener may want to know: a fallback used, a loudness not reached,
    sentences ``--verify`` still did not hear right."""
    fallback: str | None = None
    fallback_blocks: tuple[str, ...] = ()
    """The blocks the fallback engine spoke (``title``, ``paragraph 3``)."""
    verification: Verification | None = None
    """What ``--verify`` found (None: the render did not verify)."""

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
        if self.verification is not None and not self.verification.failing:
            lines.append(self.verification.line())  # else it is a note, shown even with -q
        return lines
