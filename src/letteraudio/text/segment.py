"""Cut a document into segments an engine can speak, each with the pause after it.

Every sentence is its own segment: the unit the cache keys, the workers share out
and the transcript times. A sentence longer than the engine's limit is split at
clause, then word boundaries (and, for a word longer than the limit, inside the
word). Nothing is dropped or reordered; blocks with nothing speakable are skipped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from enum import Enum

from letteraudio.text.parse import Document

_SENTENCE_END = re.compile(r"(?<=[.!?\u2026])\s+|(?<=[.!?\u2026][\"'\u201d\u2019)\]])\s+")
_CLAUSE_END = re.compile(r"(?<=[,;:\u2014\u2013])\s+|\s+(?=[\u2014\u2013-]\s)")
_WHITESPACE = re.compile(r"\s+")
_ABBREVIATION_END = re.compile(
    r"(?:^|\s)(?:[A-Za-z]\.)+$|\b(?:Mr|Mrs|Ms|Dr|Prof|St|Mt|Jr|Sr|vs|etc|approx|No|Vol|"
    r"Fig|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)\.$"
)
"""A piece ending like this ("U.S.", "Dr.") ends an abbreviation, not a sentence."""


class Boundary(str, Enum):
    """Where a piece of a paragraph ends."""

    PARAGRAPH = "paragraph"
    SENTENCE = "sentence"
    CLAUSE = "clause"
    WORD = "word"


@dataclass(frozen=True)
class Pauses:
    """Silences in milliseconds: after each kind of segment, and around the episode."""

    title: int = 1200
    subtitle: int = 1000
    heading: int = 1000
    section: int = 1200
    """Before a heading: the end of a section."""
    paragraph: int = 750
    item: int = 500
    """After a list item."""
    sentence: int = 250
    clause: int = 150
    word: int = 60
    lead_in: int = 300
    tail: int = 600

    def after(self, kind: str, boundary: Boundary) -> int:
        """The pause after a segment of ``kind`` that ends at ``boundary``."""
        if boundary is not Boundary.PARAGRAPH:
            return int(getattr(self, boundary.value))
        return int(getattr(self, kind))


@dataclass(frozen=True)
class Segment:
    """One piece of text an engine speaks in one call."""

    index: int
    kind: str  # "title", "subtitle", "heading", "paragraph" or "item"
    paragraph: int
    """Number of the body block (paragraph or heading) it belongs to, from 1; 0 for the
    title and subtitle."""
    text: str
    pause_after_ms: int


def is_speakable(text: str) -> bool:
    """True when the text has at least one letter or digit to say."""
    return any(ch.isalnum() for ch in text)


def segment_document(document: Document, max_chars: int, pauses: Pauses) -> list[Segment]:
    """Turn a document into speakable segments no longer than ``max_chars``.

    A piece with nothing to say (``***`` inside a long paragraph) is dropped, and the
    pause after it goes to the segment before it when that pause is longer.
    """
    blocks = [("title", document.title), ("subtitle", document.subtitle)]
    blocks += [(document.kind(i), text) for i, text in enumerate(document.paragraphs)]
    segments: list[Segment] = []
    paragraph = 0
    for kind, text in blocks:
        if not text:
            continue
        paragraph += kind not in ("title", "subtitle")
        if kind == "heading" and segments and segments[-1].pause_after_ms < pauses.section:
            segments[-1] = replace(segments[-1], pause_after_ms=pauses.section)
        for piece, boundary in split_sentences(text, max_chars):
            pause = pauses.after(kind, boundary)
            if is_speakable(piece):
                number = 0 if kind in ("title", "subtitle") else paragraph
                segments.append(Segment(len(segments), kind, number, piece, pause))
            elif segments and pause > segments[-1].pause_after_ms:
                segments[-1] = replace(segments[-1], pause_after_ms=pause)
    return segments


def sentences(text: str) -> list[str]:
    """The sentences of a text, white space collapsed; abbreviations do not end one."""
    text = _WHITESPACE.sub(" ", text).strip()
    found: list[str] = []
    for piece in filter(None, _SENTENCE_END.split(text)):
        if found and _ABBREVIATION_END.search(found[-1]):
            found[-1] = f"{found[-1]} {piece}"
        else:
            found.append(piece)
    return found


def split_sentences(text: str, max_chars: int) -> list[tuple[str, Boundary]]:
    """Every sentence as its own piece (long ones split further by :func:`split_text`)."""
    pieces: list[tuple[str, Boundary]] = []
    for sentence in sentences(text):
        pieces += split_text(sentence, max_chars)
        pieces[-1] = (pieces[-1][0], Boundary.SENTENCE)
    if pieces:
        pieces[-1] = (pieces[-1][0], Boundary.PARAGRAPH)
    return pieces


def split_text(text: str, max_chars: int) -> list[tuple[str, Boundary]]:
    """Split text into pieces of at most ``max_chars``, each with the boundary it ends at."""
    if max_chars < 1:
        raise ValueError("max_chars must be at least 1")
    text = _WHITESPACE.sub(" ", text).strip()
    if not text:
        return []
    return _split(text, max_chars, level=0, ends_at=Boundary.PARAGRAPH)


_LEVELS = ((_SENTENCE_END, Boundary.SENTENCE), (_CLAUSE_END, Boundary.CLAUSE))


def _split(text: str, max_chars: int, level: int, ends_at: Boundary) -> list[tuple[str, Boundary]]:
    """Split ``text`` with the coarsest boundary that fits; its last piece ends at ``ends_at``."""
    if len(text) <= max_chars:
        return [(text, ends_at)]
    if level == len(_LEVELS):
        pieces = [(piece, Boundary.WORD) for piece in _split_words(text, max_chars)]
    else:
        pattern, boundary = _LEVELS[level]
        pieces = []
        for packed in _pack(pattern.split(text), max_chars):
            pieces += _split(packed, max_chars, level + 1, ends_at=boundary)
    pieces[-1] = (pieces[-1][0], ends_at)
    return pieces


def _pack(units: list[str], max_chars: int) -> list[str]:
    """Greedily join units with spaces into runs that fit; an oversize unit stands alone."""
    runs: list[str] = []
    current = ""
    for unit in filter(None, units):
        candidate = f"{current} {unit}" if current else unit
        if len(candidate) > max_chars and current:
            runs.append(current)
            candidate = unit
        current = candidate
    if current:
        runs.append(current)
    return runs


def _split_words(text: str, max_chars: int) -> list[str]:
    """Pack words; a word longer than the limit is cut into limit-sized parts."""
    words: list[str] = []
    for word in text.split(" "):
        words.extend(word[i : i + max_chars] for i in range(0, len(word), max_chars))
    return _pack(words, max_chars)
