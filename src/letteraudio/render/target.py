"""Where an episode's MP3 goes, and whether it may go there."""

from __future__ import annotations

import os
from pathlib import Path

from letteraudio.audio.encode import check_writable
from letteraudio.errors import InputError
from letteraudio.publish.sidecars import check_episode_files
from letteraudio.render.model import Article
from letteraudio.settings import Settings

DEFAULT_OUTPUT_DIR = Path("output")


def target_for(
    article: Article,
    output: str | Path | None = None,
    title: str | None = None,
    *,
    folder: bool = False,
) -> Path:
    """Where the MP3 goes: ``output`` (a file, or a folder, existing, ending in ``/`` or
    said to be one by ``folder``, to put ``<name>.mp3`` in), else ``output/<name>.mp3``.
    The one rule for a render, a batch and the command line."""
    name = f"{article.stem(title)}.mp3"
    if output is None:
        return DEFAULT_OUTPUT_DIR / name
    path = Path(output).expanduser()
    if folder or path.is_dir() or str(output).endswith(("/", os.sep)):
        return path / name
    return path


def check_target(article: Article, target: Path, settings: Settings) -> None:
    """Refuse a target that would fail or do harm, before any time is spent on audio."""
    if article.path is not None and target.exists() and target.resolve() == article.path.resolve():
        raise InputError(f"the output {target} is the article itself: choose another -o")
    check_mp3_name(target)
    check_writable(target)
    check_episode_files(target, article.path)  # its sidecars too
    if not settings.replace and target.exists():
        raise InputError(f"{target} exists (--no-clobber): choose another -o or remove it")


def check_mp3_name(target: Path) -> None:
    """An MP3 goes under a ``.mp3`` name: ``-o mysite`` (no such folder, no ``/``) would
    be an MP3 named ``mysite`` beside ``mysite.vtt``, ``-o ep.wav`` MP3 data under a WAV's
    name; both are refused, saying what to write instead."""
    if target.suffix.lower() == ".mp3":
        return
    if target.is_file():
        raise InputError(f"the output {target} exists and is not an .mp3: letteraudio replaces "
                         "only MP3s (choose another -o, or remove it)")  # fmt: skip
    if not target.suffix:
        raise InputError(f"-o {target} is neither an .mp3 file nor an existing folder: write "
                         f"-o {target}.mp3 for the MP3, or -o {target}/ for a folder to put "
                         "it in")  # fmt: skip
    raise InputError(f"-o {target}: letteraudio writes MP3: name it {target.with_suffix('.mp3')}")
