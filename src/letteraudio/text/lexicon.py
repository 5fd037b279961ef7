"""A pronunciation lexicon: whole-word replacements applied for every engine.

``--lexicon words.toml`` (or a ``[lexicon]`` table in ``letteraudio.toml``)::

    [lexicon]
    Ellewhere = "Elle, where"             # said as written on the right
    gif = { say = "jif" }                 # lower-case keys match any case
    Nguyen = { say = "Win", phonemes = "..." }    # Piper can take raw (IPA) phonemes

A key with capitals matches only that spelling; an all-lower-case key matches any case.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from letteraudio.errors import InputError


@dataclass(frozen=True)
class Entry:
    pattern: re.Pattern[str]
    say: str
    phonemes: str | None = None


@dataclass(frozen=True)
class Lexicon:
    entries: tuple[Entry, ...] = ()

    def apply(self, text: str, phonemes: bool = False) -> str:
        """Replace every listed word; with ``phonemes``, use raw phonemes where given."""
        for entry in self.entries:
            spoken = f"[[ {entry.phonemes} ]]" if phonemes and entry.phonemes else entry.say
            text = entry.pattern.sub(spoken.replace("\\", "\\\\"), text)
        return text


def lexicon_from_table(table: Mapping[str, object], where: str) -> Lexicon:
    """Build a lexicon from a TOML table; a malformed entry is an :class:`InputError`."""
    entries = []
    for word, value in table.items():
        if isinstance(value, str):
            say, phonemes = value, None
        elif isinstance(value, Mapping) and isinstance(value.get("say", word), str):
            say = str(value.get("say", word))
            phonemes = str(value["phonemes"]) if value.get("phonemes") else None
        else:
            raise InputError(f"{where}: lexicon entry {word!r} must be text or {{ say = ... }}")
        flags = 0 if word != word.lower() else re.IGNORECASE
        pattern = re.compile(rf"(?<!\w){re.escape(word)}(?!\w)", flags)
        entries.append(Entry(pattern, say, phonemes))
    return Lexicon(tuple(entries))


def load_lexicon(path: Path) -> Lexicon:
    """Read a lexicon file: a ``[lexicon]`` table, or word = replacement lines at the top."""
    from letteraudio.config import tomllib

    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise InputError(f"lexicon {path}: cannot read ({error.strerror or error})") from error
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise InputError(f"lexicon {path}: not valid TOML ({error})") from error
    table = document.get("lexicon", document)
    if not isinstance(table, Mapping):
        raise InputError(f"lexicon {path}: [lexicon] must be a table")
    return lexicon_from_table(table, f"lexicon {path}")
