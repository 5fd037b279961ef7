"""Text-to-speech engines behind one small protocol, found through entry points.

An engine is a class registered in the ``letteraudio.engines`` entry-point group
(the built-in ``piper`` and ``gtts`` register the same way a third-party package
would). Its class attributes describe it without loading anything heavy; an
instance speaks text with :meth:`Engine.synthesize`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any, ClassVar, Protocol

from letteraudio.errors import EngineUnavailable, InputError
from letteraudio.languages import speaks as speaks  # re-exported for engines of other packages
from letteraudio.values import Clip as Clip  # re-exported for engines of other packages
from letteraudio.values import empty_clip as empty_clip

ENTRY_POINT_GROUP = "letteraudio.engines"
DEFAULT_ENGINE = "hibari"
"""Chosen by measurement (``benchmarks/voices.py``; see the README's Voices section)."""
SPEED_RANGE = (0.5, 2.0)
"""The speaking rates every engine takes (``--speed``): the engines' own, so that they
never import the settings."""


@dataclass(frozen=True)
class EngineSettings:
    """Options an engine may use; each engine reads the ones that apply to it."""

    voice: str | None = None
    lang: str | None = None
    """Language code; None means the engine's (or voice's) own."""
    tld: str = "com"
    slow: bool = False
    timeout: float = 15.0
    retries: int = 3
    """Further attempts after a failed network request (online engines)."""
    deterministic: bool = False
    """Turn off random variation so the same text always gives the same audio."""
    speed: float = 1.0
    """Speaking rate relative to the voice's own: 1.25 takes about 20 % less time."""
    speaker: str | None = None
    """Name or number of a speaker in a multi-speaker voice."""
    voices_dir: Path | None = None
    """A folder of extra voices (Piper: ``.onnx`` files with their ``.onnx.json``)."""
    cache_dir: Path | None = None
    """Where the engine may keep what it can always rebuild (Piper: its voice prepared for
    this machine); None: nowhere. Never part of the identity."""
    jobs: int | None = None
    """Segments spoken at once; None lets the engine choose. Never part of the identity:
    the audio does not depend on it."""

    def __post_init__(self) -> None:
        low, high = SPEED_RANGE
        if not low <= self.speed <= high:
            raise InputError(f"speed {self.speed:g}: choose from {low:g} to {high:g}")


@dataclass(frozen=True)
class VoiceEntry:
    """One voice an engine offers (a line of ``letteraudio voices``): a catalogue entry,
    not :class:`letteraudio.Voice` (what a render speaks with)."""

    id: str
    """What to pass to ``--voice`` (or ``--lang`` for engines that only pick languages)."""
    language: str
    quality: str
    source: str
    """Where it comes from: bundled, a file, the system, an online service."""
    description: str = ""
    gender: str = ""
    licence: str = ""
    """The licence of the voice's data, where the engine knows it."""


Voice = VoiceEntry
"""The catalogue entry by its former name, kept for engines (of this package and of
others) that list their voices with it."""


class Engine(Protocol):
    """What every engine class provides."""

    name: ClassVar[str]
    description: ClassVar[str]
    online: ClassVar[bool]
    max_chars: ClassVar[int]
    """Longest text one :meth:`synthesize` call accepts."""
    chars_per_second: ClassVar[float]
    """Typical speaking rate, for duration estimates before any synthesis."""
    jobs: int
    """How many :meth:`synthesize` calls may run at once from different threads. Optional:
    an engine without it is called one segment at a time. An engine may also offer
    ``cancel()``, called from another thread when a render stops, to cut waits short."""

    @classmethod
    def unavailable_reason(cls) -> str | None:
        """Why this engine cannot run here, or None when it can (for listings; cheap)."""
        ...

    def __init__(self, settings: EngineSettings) -> None:
        """Check the settings and get ready; raise :class:`EngineUnavailable` if it cannot run."""
        ...

    def identity(self) -> Mapping[str, Any]:
        """Everything that shapes this engine's audio (voice, settings): part of cache keys."""
        ...

    def synthesize(self, text: str) -> Clip:
        """Speak ``text``; an empty clip means there was nothing to say."""
        ...

    # Optional: ``voices(settings) -> list[VoiceEntry]``, a classmethod listing what the engine
    # can speak with (see :func:`engine_voices`). Engines without it list nothing.
    # Optional: ``synthesize_variant(text, attempt) -> Clip``, ``text`` spoken differently
    # (another seed, pace...), the same for the same attempt where it can be: ``render
    # --verify`` asks for it when the recognizer did not hear a sentence right. An engine
    # without it (whose audio would only be the same again) is not asked. What an
    # engine takes and can do is declared as on :class:`BaseEngine` (read with its
    # defaults through :func:`declared`, for engines that do not subclass it).


class BaseEngine:
    """Defaults for what an engine declares about itself; engines subclass it and
    override what differs."""

    name: ClassVar[str]
    description: ClassVar[str] = ""
    online: ClassVar[bool] = False
    """Whether it speaks through a network service."""
    max_chars: ClassVar[int] = 500
    chars_per_second: ClassVar[float] = 15.0
    takes: ClassVar[frozenset[str]] = frozenset({"voice", "lang", "speed", "deterministic"})
    """The :class:`EngineSettings` fields a user may give it (``jobs`` and ``cache_dir``
    are the render's, never refused); any other engine option given is refused."""
    phoneme_alphabet: ClassVar[str | None] = None
    """The alphabet in which it takes the lexicon's phonemes (``espeak``: Piper's IPA
    written ``[[ ... ]]``; ``misaki``: hibari's); None: it takes words only."""
    can_cancel: ClassVar[bool] = False
    """Whether :meth:`cancel` cuts waits short when a render stops."""
    word_timing: ClassVar[str | bool | None] = None
    """Where its word times come from (see :attr:`Clip.words`): ``"model"``, its clips say
    where each word is (the model's phoneme lengths); ``"aligned"``, the words are found in
    its audio by forced alignment (the ``align`` extra, English speech); None, sentence
    timing. ``True``
    (the older declaration) counts as ``"model"``."""
    jobs: int = 1
    """How many :meth:`synthesize` calls may run at once from different threads."""
    packages: ClassVar[tuple[str, ...]] = ()
    """Distributions whose versions shape its audio (its library, its voices): a Dask
    cluster's nodes must all have the same versions of them."""

    @classmethod
    def unavailable_reason(cls) -> str | None:
        return None

    @classmethod
    def voices(cls, settings: EngineSettings) -> list[VoiceEntry]:
        return []

    def cancel(self) -> None:
        """Stop waiting (called from another thread when a render stops)."""


def model_pieces(text: str, most: int) -> list[str]:
    """``text`` in pieces of at most ``most`` characters that a voice's model speaks one at a
    time, cut as segments are (at sentence, then clause, then word boundaries): a neural
    model's memory grows with the audio one call makes, so a long segment is given to it in
    pieces and the peak does not grow with the sentence. Text that fits is one piece."""
    if len(text) <= most:
        return [text]
    from letteraudio.text.segment import split_text

    return [piece for piece, _ in split_text(text, most)]


def declared(engine: type[Any] | Any, what: str) -> Any:
    """What an engine class declares (``takes``, ``phoneme_alphabet``, ...), with
    :class:`BaseEngine`'s default for a class that says nothing."""
    return getattr(engine, what, getattr(BaseEngine, what))


def refused_option(engine: type[Any], option: str) -> bool:
    """Whether ``engine`` refuses the engine option ``option`` (by its own declaration)."""
    return option not in ("jobs", "cache_dir") and option not in declared(engine, "takes")


@dataclass(frozen=True)
class EngineStatus:
    """One line of ``letteraudio engines``."""

    name: str
    description: str
    online: bool
    problem: str | None

    @property
    def usable(self) -> bool:
        return self.problem is None


def engine_names() -> list[str]:
    """Names of the registered engines, sorted."""
    return sorted({ep.name for ep in entry_points(group=ENTRY_POINT_GROUP)})


def engine_class(name: str) -> type[Engine]:
    """The engine class registered as ``name``; an unknown name lists the choices."""
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        if ep.name == name:
            try:
                cls = ep.load()
            except Exception as error:
                raise EngineUnavailable(f"engine {name!r} failed to load: {error}") from error
            if not isinstance(cls, type):
                raise EngineUnavailable(f"engine {name!r} does not point at a class")
            return cls
    choices = ", ".join(engine_names()) or "none installed"
    raise EngineUnavailable(f"unknown engine {name!r} (choose from: {choices})")


def create_engine(name: str, settings: EngineSettings) -> Engine:
    """Build a ready engine, or raise :class:`EngineUnavailable` saying why not."""
    return engine_class(name)(settings)


def engine_statuses() -> list[EngineStatus]:
    """Every registered engine and whether it can run here."""
    statuses = []
    for name in engine_names():
        try:
            cls = engine_class(name)
        except EngineUnavailable as error:
            statuses.append(EngineStatus(name, "", online=False, problem=str(error)))
            continue
        statuses.append(EngineStatus(name, cls.description, cls.online, cls.unavailable_reason()))
    return statuses


def engine_voices(engine: type[Engine], settings: EngineSettings) -> list[VoiceEntry]:
    """The voices an engine offers; empty for an engine that does not list any."""
    lister = getattr(engine, "voices", None)
    if lister is None:
        return []
    return list(lister(settings))


def offered_voices(
    engine: str | None, lang: str | None, settings: EngineSettings
) -> tuple[list[dict[str, str]], list[str]]:
    """The voices of ``engine`` (else of every engine) that speak ``lang`` (else all), as
    rows for ``letteraudio voices``, and a note for each engine that lists none because it
    cannot run here. No voice for ``lang`` is an :class:`InputError`."""
    rows: list[dict[str, str]] = []
    notes = []
    for name in [engine] if engine else engine_names():
        offered = engine_voices(engine_class(name), settings)
        if not offered and (problem := engine_class(name).unavailable_reason()):
            notes.append(f"{name} lists no voices: {problem}")
        rows += [{"engine": name, **asdict(voice)} for voice in offered
                 if lang is None or speaks(voice.language, lang)]  # fmt: skip
    if lang is not None and not rows:
        raise InputError(f"no voice speaks {lang!r} (see: letteraudio voices)")
    return rows, notes


def phoneme_alphabet(engine: type[Any] | Any) -> str | None:
    """The phoneme alphabet an engine takes from the lexicon, or None (it takes words only)."""
    alphabet = declared(engine, "phoneme_alphabet")
    return alphabet if isinstance(alphabet, str) else None


def word_timing(engine: type[Any] | Any) -> str | None:
    """Where an engine's word times come from: ``"model"``, ``"aligned"`` or None."""
    kind = declared(engine, "word_timing")
    if kind is True:
        return "model"
    return kind if kind in ("model", "aligned") else None
