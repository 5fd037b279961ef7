"""Timed transcripts from the script and the stitched timeline: WebVTT and SRT.

One cue per spoken segment (a sentence, or a piece of a very long one), timed where its
speech starts and ends in the MP3. WebVTT lines are at most 65 characters (the Podcasting
2.0 advice); SRT cues hold at most two lines of 32 characters (the broadcast subtitle
norm), so a long sentence becomes several SRT cues.

Where the engine reported word times (Piper), each cue keeps them: the WebVTT cue marks
every word with its timestamp (``<00:00:01.250>word``) and SRT cues are cut where their
first word starts; otherwise the parts are timed by their share of the characters.
"""

from __future__ import annotations

import difflib
import re
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass

VTT_LINE_CHARS = 65
SRT_LINE_CHARS = 32
SRT_LINES = 2


@dataclass(frozen=True)
class CueWord:
    """One word of a cue and when it is heard, in milliseconds."""

    start_ms: int
    end_ms: int
    text: str


@dataclass(frozen=True)
class Cue:
    """A stretch of text and when it is heard, in milliseconds."""

    start_ms: int
    end_ms: int
    text: str
    block: int = 0
    """The paragraph (or heading) it belongs to, from 1; 0 for the title and subtitle."""
    words: tuple[CueWord, ...] = ()
    """Its words (the text split at whitespace) with their times; empty when unknown."""
    spoken: str = ""
    """What the voice was given, when it is not the text ("eighteen eighty-seven" for
    "1887"): what ``check --speech`` expects to hear."""


WordTimes = Sequence[tuple[int, int]] | None


def build_cues(
    texts: Sequence[str],
    spans: Sequence[tuple[int, int] | None],
    blocks: Sequence[int] | None = None,
    words: Sequence[WordTimes] | None = None,
    spoken: Sequence[str] | None = None,
) -> list[Cue]:
    """One cue per segment that was spoken (a ``None`` span was silent and has no cue).

    ``words`` gives each segment's word times, one per word of what was ``spoken`` (the
    text itself when not given). The cue's words are the text's; where the text is not
    what was said ("1887" said "eighteen eighty-seven"), its words are lined up with the
    spoken ones and take the time of what was said in their place."""
    blocks = blocks if blocks is not None else [0] * len(texts)
    words = words if words is not None else [None] * len(texts)
    spoken = spoken if spoken is not None else texts
    if not len(texts) == len(spans) == len(blocks) == len(words) == len(spoken):
        raise ValueError("one span, one block number and one word list per segment are needed")
    cues = []
    for text, span, block, times, said in zip(texts, spans, blocks, words, spoken, strict=True):
        if span is None or not text.strip():
            continue
        shown = text.split()
        timed: tuple[CueWord, ...] = ()
        placed = _place_words(shown, said.split(), times) if times is not None else None
        if placed is not None:
            timed = tuple(CueWord(a, b, word) for (a, b), word in zip(placed, shown, strict=True))
        said_text = " ".join(said.split())
        spoken_text = said_text if said_text != " ".join(shown) else ""
        cues.append(Cue(span[0], span[1], " ".join(shown), block, timed, spoken_text))
    return cues


def _place_words(
    shown: list[str], said: list[str], times: Sequence[tuple[int, int]]
) -> list[tuple[int, int]] | None:
    """Times for the words ``shown`` from those of the words ``said``; None when the
    times are not one per word said."""
    if len(times) != len(said) or not said:
        return None

    def plain(word: str) -> str:
        return re.sub(r"\W", "", word.lower())

    matcher = difflib.SequenceMatcher(
        None, [plain(w) for w in shown], [plain(w) for w in said], autojunk=False
    )
    placed: list[tuple[int, int]] = [(0, 0)] * len(shown)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            placed[i1:i2] = times[j1:j2]
        elif tag == "replace":  # shared out over what was said in their place
            start, end = times[j1][0], times[j2 - 1][1]
            count = i2 - i1
            for k in range(count):
                placed[i1 + k] = (
                    start + (end - start) * k // count,
                    start + (end - start) * (k + 1) // count,
                )
        elif tag == "delete":  # written, not said (a stray quote mark): no time of its own
            point = times[j1][0] if j1 < len(times) else times[-1][1]
            placed[i1:i2] = [(point, point)] * (i2 - i1)
    return placed


def wrap(text: str, width: int) -> list[str]:
    """Lines of at most ``width`` characters, broken between words (inside a word only
    when it is longer than a line)."""
    return textwrap.wrap(text, width, break_long_words=True, break_on_hyphens=False) or [""]


def timestamp(ms: int, separator: str = ".") -> str:
    """``HH:MM:SS.mmm`` (WebVTT) or, with ``separator=","``, ``HH:MM:SS,mmm`` (SRT)."""
    hours, rest = divmod(max(ms, 0), 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    seconds, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}{separator}{millis:03d}"


def _vtt_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def to_webvtt(cues: Sequence[Cue]) -> str:
    """A WebVTT file: cues ``s1``, ``s2``... (the page highlights by id), lines <= 65 chars,
    each word after the first marked with its time when the cue has word times."""
    blocks = ["WEBVTT"]
    for number, cue in enumerate(cues, start=1):
        lines = "\n".join(_timed_lines(cue))
        blocks.append(f"s{number}\n{timestamp(cue.start_ms)} --> {timestamp(cue.end_ms)}\n{lines}")
    return "\n\n".join(blocks) + "\n"


def _timed_lines(cue: Cue) -> list[str]:
    """The cue's lines, escaped, with a WebVTT timestamp tag before every word but the
    first (which starts with the cue); the tags do not count towards the line length."""
    lines = wrap(cue.text, VTT_LINE_CHARS)
    split = [line.split() for line in lines]
    if not cue.words or sum(len(words) for words in split) != len(cue.words):
        return [_vtt_escape(line) for line in lines]
    marked = []
    number = 0
    for words in split:
        pieces = []
        for word in words:
            tag = f"<{timestamp(cue.words[number].start_ms)}>" if number else ""
            pieces.append(tag + _vtt_escape(word))
            number += 1
        marked.append(" ".join(pieces))
    return marked


def split_for_subtitles(
    cue: Cue, width: int = SRT_LINE_CHARS, lines: int = SRT_LINES
) -> list[tuple[Cue, list[str]]]:
    """A cue cut into parts of at most ``lines`` lines of ``width`` characters, each part
    timed by its share of the characters; returns (part, its lines)."""
    wrapped = wrap(cue.text, width)
    # As few parts as the limit allows, their lines as even as possible: no orphan word.
    most = len(wrapped) + (-len(wrapped)) % lines if len(wrapped) > lines else len(wrapped)
    for narrower in range(width - 1, 0, -1):
        candidate = wrap(cue.text, narrower)
        if len(candidate) > most:
            break
        wrapped = candidate
    groups = [wrapped[i : i + lines] for i in range(0, len(wrapped), lines)]
    texts = [" ".join(group) for group in groups]
    counts = [len(text.split()) for text in texts]
    if cue.words and sum(counts) == len(cue.words):
        return _cut_at_words(cue, texts, groups, counts)
    total = sum(len(text) for text in texts) or 1
    duration = cue.end_ms - cue.start_ms
    parts: list[tuple[Cue, list[str]]] = []
    done = 0
    for text, group in zip(texts, groups, strict=True):
        start = cue.start_ms + round(duration * done / total)
        done += len(text)
        end = cue.start_ms + round(duration * done / total)
        parts.append((Cue(start, end, text), group))
    return parts


def _cut_at_words(
    cue: Cue, texts: list[str], groups: list[list[str]], counts: list[int]
) -> list[tuple[Cue, list[str]]]:
    """Parts that start where their first word starts and last until the next part."""
    firsts = [sum(counts[:i]) for i in range(len(counts))]
    starts = [cue.start_ms] + [cue.words[first].start_ms for first in firsts[1:]]
    ends = [*starts[1:], cue.end_ms]
    return [
        (Cue(start, max(start, end), text, cue.block, cue.words[first : first + count]), group)
        for start, end, text, group, first, count in zip(
            starts, ends, texts, groups, firsts, counts, strict=True
        )
    ]


def _srt_text(line: str) -> str:
    """SRT has no escapes, and players read ``<b>``, ``<font>`` (and ``-->``) in its text:
    angle brackets become the single guillemets that look like them."""
    return line.replace("<", "\u2039").replace(">", "\u203a")


def to_srt(cues: Sequence[Cue]) -> str:
    """An SRT file: numbered cues of at most two lines of 32 characters."""
    blocks = []
    number = 0
    for cue in cues:
        for part, lines in split_for_subtitles(cue):
            number += 1
            times = f"{timestamp(part.start_ms, ',')} --> {timestamp(part.end_ms, ',')}"
            blocks.append(f"{number}\n{times}\n" + "\n".join(map(_srt_text, lines)))
    return "\n\n".join(blocks) + "\n" if blocks else ""
