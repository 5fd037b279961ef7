"""Defaults from a ``letteraudio.toml`` file, overridden by command-line options.

The file is the one given with ``--config``, else ``letteraudio.toml`` in the working
directory, else the one in the user config folder (``~/.config/letteraudio`` on Linux).
It holds render defaults, episode metadata and pronunciations, so they need not be
typed on every render::

    [render]
    engine = "piper"
    voice = "en_GB-alba-medium"
    voices-dir = "voices"    # relative to the config file
    speed = 1.1
    pause-ms = 900
    bitrate = 128

    [metadata]
    author = "Ada Lovelace"
    show = "Letters Read Aloud"
    language = "en"
    cover = "cover.jpg"      # relative to the config file
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from letteraudio.errors import InputError

if sys.version_info >= (3, 11):
    import tomllib as tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

__all__ = [
    "RENDER_KEYS",
    "Setting",
    "effective_settings",
    "find_config",
    "load_metadata",
    "load_render_defaults",
    "load_section",
    "read_toml",
    "tomllib",
    "user_config_path",
]

CONFIG_NAME = "letteraudio.toml"
METADATA_KEYS = ("title", "author", "show", "description", "language", "cover", "date")


def user_config_path() -> Path:
    """``letteraudio.toml`` in the user config folder (it need not exist)."""
    from platformdirs import user_config_dir

    return Path(user_config_dir("letteraudio")) / CONFIG_NAME


def find_config(explicit: Path | None) -> Path | None:
    """The config to use: the one given, else ``letteraudio.toml`` in the working
    directory, else the one in the user config folder; None when there is none."""
    if explicit is not None:
        return explicit
    for candidate in (Path.cwd() / CONFIG_NAME, user_config_path()):
        if candidate.is_file():
            return candidate
    return None


def read_toml(path: Path, what: str) -> dict[str, Any]:
    """A whole TOML file; unreadable or invalid is an :class:`InputError` naming ``what``."""
    try:
        document: dict[str, Any] = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise InputError(f"{what} {path}: cannot read ({error.strerror or error})") from error
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise InputError(f"{what} {path}: not valid TOML ({error})") from error
    return document


def load_section(path: Path | None, name: str) -> dict[str, Any]:
    """One table of a config file (empty without a file or without that table)."""
    if path is None:
        return {}
    table = read_toml(path, "config").get(name, {})
    if not isinstance(table, dict):
        raise InputError(f"config {path}: [{name}] must be a table")
    return table


def load_metadata(path: Path | None) -> dict[str, Any]:
    """The ``[metadata]`` table of a config file (empty without one); paths made absolute."""
    table = load_section(path, "metadata")
    unknown = sorted(set(table) - set(METADATA_KEYS))
    if unknown:
        raise InputError(
            f"config {path}: unknown metadata key {unknown[0]!r} "
            f"(known: {', '.join(METADATA_KEYS)})"
        )
    values = {key: str(value) for key, value in table.items()}
    if "cover" in values and path is not None:
        values["cover"] = str((path.parent / values["cover"]).resolve())
    return values


# --- render defaults ---------------------------------------------------------------


def _text(value: object) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise ValueError("give a string")
    return str(value)


def _number(low: float, high: float) -> Callable[[object], float]:
    def check(value: object) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ValueError(f"give a number from {low:g} to {high:g}")
        if not low <= value <= high:
            raise ValueError(f"choose from {low:g} to {high:g}")
        return float(value)

    return check


def _whole(low: int, high: int) -> Callable[[object], int]:
    def check(value: object) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"give a whole number from {low} to {high}")
        if not low <= value <= high:
            raise ValueError(f"choose from {low} to {high}")
        return value

    return check


def _bitrate(value: object) -> int:
    from letteraudio.audio.encode import MP3_BITRATES

    if isinstance(value, bool) or value not in MP3_BITRATES:
        raise ValueError(f"choose from {', '.join(map(str, MP3_BITRATES))}")
    return int(str(value))


def _chapters(value: object) -> str:
    choices = ("headings", "paragraphs", "none")
    if value not in choices:
        raise ValueError(f"choose from {', '.join(choices)}")
    return str(value)


def _flag(value: object) -> bool:
    if not isinstance(value, bool):
        raise ValueError("give true or false")
    return value


RENDER_KEYS: dict[str, Callable[[object], Any]] = {
    "engine": _text,
    "voice": _text,
    "lang": _text,
    "tld": _text,
    "speed": _number(0.5, 2.0),
    "speaker": _text,
    "voices_dir": _text,
    "fallback": _text,
    "deterministic": _flag,
    "pause_ms": _whole(0, 10_000),
    "title_pause_ms": _whole(0, 10_000),
    "bitrate": _bitrate,
    "loudness": _number(-24.0, -14.0),
    "chapters": _chapters,
}
"""What the ``[render]`` table may hold (keys as the options are named, ``-`` or ``_``),
each with the check its value must pass."""
PATH_KEYS = frozenset({"voices_dir"})
"""Keys whose values are paths, taken relative to the config file."""
ENVIRONMENT = {"voices_dir": "LETTERAUDIO_VOICES"}
"""Environment variables that set a key (between the config file and the option)."""


def load_render_defaults(path: Path | None) -> dict[str, Any]:
    """The checked ``[render]`` table of a config file (empty without one)."""
    table = load_section(path, "render")
    values: dict[str, Any] = {}
    for raw_key, value in table.items():
        key = raw_key.replace("-", "_")
        if key not in RENDER_KEYS:
            known = ", ".join(k.replace("_", "-") for k in RENDER_KEYS)
            raise InputError(f"config {path}: unknown [render] key {raw_key!r} (known: {known})")
        try:
            values[key] = RENDER_KEYS[key](value)
        except ValueError as error:
            raise InputError(f"config {path}: [render] {raw_key} = {value!r}: {error}") from None
        if key in PATH_KEYS and path is not None:
            values[key] = str((path.parent / Path(values[key]).expanduser()).resolve())
    return values


@dataclass(frozen=True)
class Setting:
    """An effective setting and where it came from."""

    value: Any
    source: str
    """``default``, ``option``, ``env NAME`` or the config file's path."""


def effective_settings(
    options: Mapping[str, tuple[Any, bool]], path: Path | None
) -> dict[str, Setting]:
    """Each option's value: given on the command line, else from the environment, else
    from the config file, else its default. ``options`` maps a key to (value, given)."""
    from_file = load_render_defaults(path)
    chosen = {}
    for key, (value, given) in options.items():
        variable = ENVIRONMENT.get(key)
        if given:
            chosen[key] = Setting(value, "option")
        elif variable and os.environ.get(variable):
            chosen[key] = Setting(os.environ[variable], f"env {variable}")
        elif key in from_file:
            chosen[key] = Setting(from_file[key], str(path))
        else:
            chosen[key] = Setting(value, "default")
    return chosen
