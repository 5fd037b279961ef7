"""Defaults from a ``letteraudio.toml`` file, overridden by command-line options.

What each ``[render]`` key may hold is in :mod:`letteraudio.settings`. The file is the one
given with ``--config``, else ``letteraudio.toml`` in the working
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

import datetime
import sys
from pathlib import Path
from typing import Any

from letteraudio.errors import InputError

if sys.version_info >= (3, 11):
    import tomllib as tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

__all__ = [
    "find_config",
    "load_metadata",
    "load_section",
    "read_toml",
    "tomllib",
    "user_config_path",
]

CONFIG_NAME = "letteraudio.toml"
TABLES = ("render", "metadata", "feed", "lexicon")
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
    document = read_toml(path, "config")
    unknown = sorted(set(document) - set(TABLES))
    if unknown:  # a misspelt table would be ignored in silence
        raise InputError(f"config {path}: unknown table [{unknown[0]}] "
                         f"(known: {', '.join(f'[{t}]' for t in TABLES)})")  # fmt: skip
    table = document.get(name, {})
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
    values = {}
    for key, value in table.items():
        if isinstance(value, datetime.date) and key == "date":
            value = value.isoformat()  # date = 2026-01-31, a TOML date
        if not isinstance(value, str):
            raise InputError(f"config {path}: [metadata] {key} must be a string, not {value!r}")
        values[key] = value
    if "cover" in values and path is not None:
        values["cover"] = str((path.parent / values["cover"]).resolve())
    return values
