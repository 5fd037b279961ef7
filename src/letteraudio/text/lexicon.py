"""A pronunciation lexicon: whole-word replacements applied for every engine.

``--lexicon words.toml`` (or a ``[lexicon]`` table in ``letteraudio.toml``)::

    [lexicon]
    Ellewhere = "Elle, where"             # said as written on the right
    gif = { say = "jif" }                 # lower-case keys match any case
    Nguyen = { say = "Win", phonemes = "..." }    # Piper can take raw (IPA) phonemes
    Siobhan = { say = "Shivawn", misaki = "..." }  # hibari: phonemes in its alphabet

A key with capitals matches only that spelling; an all-lower-case key matches any case.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from letteraudio.errors import InputError

ALPHABETS = {"espeak": "phonemes", "misaki": "misaki"}
"""Phoneme alphabets an engine may declare (its ``phoneme_alphabet``), each with the
lexicon key that spells a word in it: Piper's espeak IPA, hibari's misaki alphabet."""


@dataclass(frozen=True)
class Entry:
    pattern: str
    say: str
    phonemes: str | None = None
    """Piper's (espeak-ng's) IPA."""
    misaki: str | None = None
    """hibari's phonemes (misaki's alphabet, as Kokoro's)."""

    def markup(self, alphabet: str | None) -> str | None:
        """How an engine that takes phonemes in ``alphabet`` is given this word, or None
        when the entry has no phonemes in it."""
        if alphabet == "espeak" and self.phonemes:
            return f"[[ {self.phonemes} ]]"
        if alphabet == "misaki" and self.misaki:
            return f"[{self.say}](/{self.misaki}/)"
        return None


_OPEN, _CLOSE, _BASE = "\ue002", "\ue003", 0xE200


@dataclass(frozen=True)
class Lexicon:
    entries: tuple[Entry, ...] = ()

    @functools.cached_property
    def _pattern(self) -> re.Pattern[str]:
        """One alternation: each word is replaced once, never by a later entry's output."""
        return re.compile("|".join(f"(?P<e{i}>{e.pattern})" for i, e in enumerate(self.entries)))

    def protect(self, text: str, phonemes: bool | str = False) -> tuple[str, list[str]]:
        """Replace listed words by placeholders that later passes leave alone; the second
        value is what :func:`restore` puts back. ``phonemes`` is the engine's phoneme
        alphabet (True: Piper's ``espeak``), whose spelling is used where an entry has one."""
        if not self.entries:
            return text, []
        alphabet = "espeak" if phonemes is True else (phonemes or None)
        said: list[str] = []

        def placeholder(match: re.Match[str]) -> str:
            entry = self.entries[int((match.lastgroup or "e0")[1:])]
            said.append(entry.markup(alphabet) or entry.say)
            return f"{_OPEN}{chr(_BASE + len(said) - 1)}{_CLOSE}"

        return self._pattern.sub(placeholder, text), said

    def apply(self, text: str, phonemes: bool | str = False) -> str:
        """Replace every listed word (whole words; case-aware)."""
        protected, said = self.protect(text, phonemes)
        return restore(protected, said)


def restore(text: str, said: list[str]) -> str:
    """Put the lexicon's words back where :meth:`Lexicon.protect` left placeholders."""
    if not said:
        return text
    return re.sub(f"{_OPEN}(.){_CLOSE}", lambda m: said[ord(m.group(1)) - _BASE], text)


def lexicon_from_table(table: Mapping[str, object], where: str) -> Lexicon:
    """Build a lexicon from a TOML table; a malformed entry is an :class:`InputError`."""
    entries = []
    for word, value in table.items():
        if isinstance(value, str):
            say, phonemes, misaki = value, None, None
        elif isinstance(value, Mapping) and isinstance(value.get("say", word), str):
            say = str(value.get("say", word))
            phonemes = str(value["phonemes"]) if value.get("phonemes") else None
            misaki = str(value["misaki"]) if value.get("misaki") else None
        else:
            raise InputError(f"{where}: lexicon entry {word!r} must be text or {{ say = ... }}")
        body = rf"(?<!\w){re.escape(word)}(?!\w)"
        pattern = body if word != word.lower() else f"(?i:{body})"
        entries.append(Entry(pattern, say, phonemes, misaki))
    return Lexicon(tuple(entries))


def load_lexicon(path: Path) -> Lexicon:
    """Read a lexicon file: a ``[lexicon]`` table, or word = replacement lines at the top."""
    from letteraudio.config import read_toml

    document = read_toml(path, "lexicon")
    table = document.get("lexicon", document)
    if not isinstance(table, Mapping):
        raise InputError(f"lexicon {path}: [lexicon] must be a table")
    return lexicon_from_table(table, f"lexicon {path}")
