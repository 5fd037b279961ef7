"""Cut a document into segments an engine can speak, each with the pause after it.

Every sentence is its own segment: the unit the cache keys, the workers share out
and the transcript times. Sentences are found on the written text (pySBD, the
rule-based splitter of the English "Golden Rules"), and only then is each one
normalized for the voice, so no rewrite can make or hide a boundary. A segment keeps
both: ``written`` for readers (transcripts, chapters, pages) and ``text`` for the
voice. A sentence whose spoken form is longer than the engine's limit is split on
its written text at clause, then word boundaries (and, for a word longer than the
limit, inside the word), and each part is normalized on its own. Nothing is dropped
or reordered; blocks with nothing speakable are skipped.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from enum import Enum
from typing import Any

from letteraudio.text.abbreviations import (
    ABBREVIATIONS,
    BEFORE_A_NUMBER,
    BEFORE_A_YEAR,
    PREPOSITIVE,
    STREET,
)
from letteraudio.text.parse import Document

Speak = Callable[[str], str]
"""Turns one written sentence (or a clause of one) into what the voice is given."""

_SENTENCE_END = re.compile(r"(?<=[.!?\u2026])\s+|(?<=[.!?\u2026][\"'\u201d\u2019)\]])\s+")
_CLAUSE_END = re.compile(r"(?<=[,;:\u2014\u2013])\s+|\s+(?=[\u2014\u2013-]\s)")
_WHITESPACE = re.compile(r"\s+")
_TITLE_END = re.compile(r"(?<![\w.])(?:" + "|".join(re.escape(a) for a in PREPOSITIVE) + r")$")
"""A piece ending like this ("Dr.", "Mt.") ends before a name, not a sentence."""
_REFERENCE_END = re.compile(
    r"(?<![\w.])(?:"
    + "|".join(re.escape(a) for a in [*BEFORE_A_NUMBER, *BEFORE_A_YEAR] if a.endswith("."))
    + r")$"
)
"""A piece ending like this ("vol.", "p.", "c.") before one that starts with a figure is
a reference ("vol. 3", "c. 1400"), not a sentence end."""
_OPENERS = "\"'\u201c\u2018([\u00ab\u00bb\u201e"
_QUOTED = re.compile(r"\"[^\"]{40,}\"|\u201c[^\u201d]{40,}\u201d")
_INSIDE_END = re.compile(r"(?<=[a-z0-9][.!?])\s+(?=[A-Z])")
_INITIAL = re.compile(r"(?:^|\.)[A-Za-z]\.$")
_OPENING_TIME = re.compile(
    r"^(?:At|By|Around|About|Before|After|Until|Till|From|Since)\s+\S+\s+[AaPp]\.[Mm]\.$"
)
"""``At 5 a.m. Mr. Smith went``: a time that opens a sentence does not end one."""
_CLOSERS = "\"'\u201d\u2019)]"
_SURE_END = re.compile(r"(?<=[a-z]{3}[.!?])\s+(?=[A-Z])")
_LIKELY_END = re.compile(r"(?<=\w\w[.!?])[\"'\u201d\u2019)\]]*\s+(?=[A-Z])")
WINDOW_CHARS = 2000
_LIST_MARK = re.compile(r"^[a-z][.)]\s")
"""``b. The second item``: a lettered list item, which may start a sentence."""


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
    """What the voice is given (normalized: numbers in words, the lexicon applied)."""
    pause_after_ms: int
    written: str = field(default="", compare=True)
    """The article's own words, for readers: the title tag, chapters, transcripts and
    pages show this ("#MeToo", "3-Year-Old"). Empty means the same as ``text``."""

    def __post_init__(self) -> None:
        if not self.written:
            object.__setattr__(self, "written", self.text)


def is_speakable(text: str) -> bool:
    """True when the text has at least one letter or digit to say."""
    return any(ch.isalnum() for ch in text)


def segment_document(
    document: Document,
    max_chars: int,
    pauses: Pauses,
    speak: Speak | None = None,
    lang: str | None = None,
) -> list[Segment]:
    """Turn a document into speakable segments no longer than ``max_chars``.

    Sentences are cut on the written text; ``speak`` (the normalizer; none: the text as
    written) turns each into what the voice gets, and the spoken form is what must fit.
    ``lang`` picks pySBD's rules for the language when it has them (else English's).
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
        for written, said, boundary in spoken_pieces(text, max_chars, speak, lang):
            pause = pauses.after(kind, boundary)
            if is_speakable(said):
                number = 0 if kind in ("title", "subtitle") else paragraph
                segments.append(Segment(len(segments), kind, number, said, pause, written))
            elif segments and pause > segments[-1].pause_after_ms:
                segments[-1] = replace(segments[-1], pause_after_ms=pause)
    return segments


def spoken_pieces(
    text: str, max_chars: int, speak: Speak | None = None, lang: str | None = None
) -> list[tuple[str, str, Boundary]]:
    """(written, spoken, boundary) for each piece of a block: a sentence, or a part of one
    whose spoken form is over ``max_chars``."""
    if max_chars < 1:
        raise ValueError("max_chars must be at least 1")
    say = speak or (lambda sentence: sentence)
    pieces: list[tuple[str, str, Boundary]] = []
    for sentence in sentences(text, lang):
        said = _WHITESPACE.sub(" ", say(sentence)).strip()
        if len(said) <= max_chars:
            pieces.append((sentence, said, Boundary.SENTENCE))
        else:
            pieces += _long_sentence(sentence, max_chars, say)
    if pieces:
        pieces[-1] = (*pieces[-1][:2], Boundary.PARAGRAPH)
    return pieces


def _long_sentence(sentence: str, max_chars: int, say: Speak) -> list[tuple[str, str, Boundary]]:
    """A sentence too long to speak in one call, cut on its written text: its clauses
    packed into runs whose spoken form fits, a run still too long cut between (then
    inside) its written words. Every piece is normalized on its own, as a sentence is,
    so each piece's spoken text is what its written text says."""

    def spoken(written: str) -> str:
        return _WHITESPACE.sub(" ", say(written)).strip()

    runs: list[tuple[str, str]] = []
    for unit in filter(None, _CLAUSE_END.split(sentence)):
        if runs:
            joined = f"{runs[-1][0]} {unit}"
            said = spoken(joined)
            if len(said) <= max_chars:
                runs[-1] = (joined, said)
                continue
        runs.append((unit, spoken(unit)))
    pieces: list[tuple[str, str, Boundary]] = []
    for written, said in runs:
        if len(said) <= max_chars:
            pieces.append((written, said, Boundary.CLAUSE))
            continue
        pieces += [(w, p, Boundary.WORD) for w, p in _fit_words(written, max_chars, spoken)]
        pieces[-1] = (*pieces[-1][:2], Boundary.CLAUSE)
    pieces[-1] = (*pieces[-1][:2], Boundary.SENTENCE)
    return pieces


def _fit_words(written: str, max_chars: int, spoken: Speak) -> list[tuple[str, str]]:
    """(written, spoken) parts of a run of words, each as many whole written words as
    fit once spoken (found by halving, so a long run costs few normalizations); a word
    that alone does not fit is cut into parts of its own."""
    words = written.split(" ")
    parts: list[tuple[str, str]] = []
    start = 0
    while start < len(words):
        end, length = start + 1, len(words[start])
        while end < len(words) and length + 1 + len(words[end]) <= max_chars:
            length += 1 + len(words[end])
            end += 1
        said = spoken(" ".join(words[start:end]))
        if len(said) > max_chars:
            low, high, fit = start, end, None  # words[start:high] does not fit
            while high - low > 1:
                middle = (low + high) // 2
                candidate = spoken(" ".join(words[start:middle]))
                if len(candidate) <= max_chars:
                    low, fit = middle, candidate
                else:
                    high = middle
            if fit is None:  # its first word alone does not fit
                parts += _cut_word(words[start], max_chars, spoken)
                start += 1
                continue
            end, said = low, fit
        parts.append((" ".join(words[start:end]), said))
        start = end
    return parts


def _cut_word(word: str, max_chars: int, spoken: Speak) -> list[tuple[str, str]]:
    """A written word whose spoken form alone is over the limit. A word longer than the
    limit as written (a run with no spaces) is cut into written parts that fit once
    spoken, each normalized alone. A shorter one (``$1,234,567.89`` for a 100-character
    engine) keeps its reading whole, cut between spoken words: the written word shows
    with the first part, and the later parts show what they say (the one place where a
    piece's written text is not what its spoken text was made from)."""
    if len(word) <= max_chars:
        first, *rest = _split_words(spoken(word), max_chars) or [""]
        return [(word, first), *((part, part) for part in rest)]
    parts: list[tuple[str, str]] = []
    start = 0
    while start < len(word):
        size = min(max_chars, len(word) - start)
        said = spoken(word[start : start + size])
        while len(said) > max_chars and size > 1:
            size //= 2
            said = spoken(word[start : start + size])
        if len(said) > max_chars:
            first, *rest = _split_words(said, max_chars)
            parts += [(word[start], first), *((part, part) for part in rest)]
        else:
            parts.append((word[start : start + size], said))
        start += size
    return parts


@functools.lru_cache(maxsize=8)
def _segmenter(lang: str | None = None) -> Any:
    import pysbd
    from pysbd.languages import LANGUAGE_CODES

    from letteraudio.languages import primary_language

    code = primary_language(lang)
    return pysbd.Segmenter(language=code if code in LANGUAGE_CODES else "en", clean=False)


def sentences(text: str, lang: str | None = None) -> list[str]:
    """The sentences of a text, white space collapsed (pySBD's rules, then three of ours: a
    piece that starts with a lower-case word, or follows a title such as "Dr.", or is a
    figure after a reference such as "vol.", continues the sentence before it)."""
    text = _WHITESPACE.sub(" ", text).strip()
    if not text:
        return []
    found: list[str] = []
    pieces = [p for w in _windows(text) for p in _aligned(w, _segmenter(lang).segment(w))]
    for piece in pieces:
        if found and (
            _continues(piece.lstrip())
            or _joins_next(found[-1])
            or not is_speakable(piece)
            or (piece.lstrip()[:1].isdigit() and _REFERENCE_END.search(found[-1][-8:].strip()))
        ):
            found[-1] += piece
        elif piece.strip():
            found.append(piece)
    found = [sentence.strip() for sentence in found]
    return [
        part
        for sentence in found
        for quoted in _split_quoted(sentence)
        for part in _split_at_street(quoted)
    ]


def _split_at_street(sentence: str) -> list[str]:
    """pySBD never ends a sentence at "St."; where it is Street (``on 5th St.``, ``on Baker
    St.``: see :data:`~letteraudio.text.abbreviations.STREET`) and a capital follows, the
    sentence ends there."""
    parts, start = [], 0
    for street in STREET.finditer(sentence):
        after = sentence[street.end() :]
        if after[:1] == " " and after[1:2].isupper():
            parts.append(sentence[start : street.end()])
            start = street.end() + 1
    return [*parts, sentence[start:]] if parts else [sentence]


def _split_quoted(sentence: str) -> list[str]:
    """pySBD keeps a quotation whole; a long one that holds several sentences ("... your
    truth. And know ...") is cut between them, where a word (not an abbreviation or an
    initial) ends with a full stop and a capital follows."""
    cuts = []
    for quote in _QUOTED.finditer(sentence):
        for end in _INSIDE_END.finditer(sentence, quote.start() + 1, quote.end() - 1):
            word = sentence[sentence.rfind(" ", 0, end.start()) + 1 : end.start()]
            if word not in ABBREVIATIONS and not _INITIAL.search(word):
                cuts.append(end)
    if not cuts:
        return [sentence]
    parts, start = [], 0
    for cut in cuts:
        parts.append(sentence[start : cut.start()])
        start = cut.end()
    return [*parts, sentence[start:]]


def _windows(text: str, size: int | None = None) -> list[str]:
    """A long paragraph in windows of at most about ``size`` characters for pySBD, whose
    time grows faster than the length (50 KB of "U.S. " took it 9 s): each window ends at
    the last sure sentence end in it (a word of three lower-case letters, not an
    abbreviation, then ``.!?`` and a capital), else a likely one (a longer word than a
    list letter, ``.!?`` and a capital),
    else its last space. The pieces are joined again by the rules in :func:`sentences`,
    so a window never cuts before a lower-case word."""
    size = size or WINDOW_CHARS
    windows, start = [], 0
    while len(text) - start > size:
        cut = None
        for end in _SURE_END.finditer(text, start, start + size):
            word = text[text.rfind(" ", start, end.start()) + 1 : end.start()]
            if word not in ABBREVIATIONS:
                cut = end.end()
        if cut is None:  # no sure end: a likely one, else the last space
            likely = [m.end() for m in _LIKELY_END.finditer(text, start, start + size)]
            space = text.rfind(" ", start + 1, start + size)
            cut = likely[-1] if likely else space + 1 if space > start else start + size
        windows.append(text[start:cut])
        start = cut
    return [*windows, text[start:]]


def _aligned(text: str, pieces: list[str]) -> list[str]:
    """The text cut where pySBD cut it, taken from the text itself: pySBD sometimes leaves
    a character out (a closing quote), and no character may be lost. Each piece's
    characters are found in order in the text; a cut moves past closing quotes and
    brackets that no piece claimed, and is never inside a word."""
    spans: list[tuple[int, int]] = []
    position = 0
    for piece in pieces:
        first = last = -1
        for char in piece:
            if char.isspace():
                continue
            found = text.find(char, position)
            if found < 0:
                continue  # not in the text (pySBD does not add any, but be safe)
            first = found if first < 0 else first
            last, position = found, found + 1
        if last >= 0:
            spans.append((first, last + 1))
    cuts: list[int] = []
    for (_, end), (start, _) in itertools.pairwise(spans):
        while end < start and text[end] in _CLOSERS:
            end += 1
        while 0 < end < len(text) and not text[end].isspace() and not text[end - 1].isspace():
            end += 1  # never inside a word: 'the.|"' is cut after the quote
        cuts.append(max(end, cuts[-1] if cuts else 0))
    bounds = [0, *cuts, len(text)]
    return [text[a:b] for a, b in itertools.pairwise(bounds) if b > a]


def _joins_next(piece: str) -> bool:
    """A piece that ends with a title ("Dr.") or is an opening time ("At 5 a.m.")."""
    tail = piece[-40:].strip()  # only the end: a merged sentence may be long
    return bool(_TITLE_END.search(tail) or (len(piece) <= 40 and _OPENING_TIME.match(tail)))


def _continues(piece: str) -> bool:
    """A piece that starts with a lower-case word (not a lettered list item) is no sentence."""
    first = piece.lstrip(_OPENERS)[:1]
    return first.islower() and not _LIST_MARK.match(piece)


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
