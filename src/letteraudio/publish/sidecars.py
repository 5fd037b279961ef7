"""Write the files that go beside a rendered MP3, each atomically.

``<stem>.vtt`` and ``<stem>.srt`` (timed transcripts), ``<stem>.chapters.json``
(Podcasting 2.0 chapters) and ``<stem>.episode.json`` (what ``letteraudio feed`` and the
episode page read: guid, title, chapters, transcript).
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from letteraudio.audio.encode import atomic_output
from letteraudio.errors import OutputError
from letteraudio.publish.episode import (
    CHAPTERS_SUFFIX,
    EPISODE_SUFFIX,
    EpisodeInfo,
    chapters_json,
    sidecar_path,
)
from letteraudio.publish.transcript import Cue, WordTimes, to_srt, to_webvtt
from letteraudio.values import Chapter
from letteraudio.values import SidecarChoice as SidecarChoice  # where it was first

SUFFIXES = (".vtt", ".srt", CHAPTERS_SUFFIX, EPISODE_SUFFIX)
"""Every sidecar a render may write (or remove) beside ``NAME.mp3``."""
TEMPORARY_SUFFIX_BYTES = 24
"""What a temporary file adds to a name: ``.NAME.PID.RANDOM.part`` (a PID of 7 digits)."""
NAME_MAX = 255
"""Bytes in a file name on the usual file systems (ext4, XFS, Btrfs, APFS, NTFS in UTF-16
units)."""


def episode_files(mp3: Path) -> list[Path]:
    """The MP3 and every sidecar a render of it may write or remove."""
    return [mp3, *(sidecar_path(mp3, suffix) for suffix in SUFFIXES)]


def check_episode_files(mp3: Path, article: Path | None) -> None:
    """Refuse, before any audio, an episode whose files could not all be written: one of
    them is the article itself (``story.vtt -o story.mp3``), a folder, or a name too long
    for the file system once a temporary file's suffix is added."""
    from letteraudio.errors import InputError

    source = article.resolve() if article is not None and article.exists() else None
    for path in episode_files(mp3):
        if source is not None and path.exists() and path.resolve() == source:
            raise InputError(f"the render would write {path}, which is the article itself: "
                             "choose another -o, or rename the article")  # fmt: skip
        if path != mp3 and path.is_dir():
            raise InputError(f"the render would write {path}, which is a folder: remove it, "
                             "or choose another -o")  # fmt: skip
        size = len(path.name.encode("utf-8", "surrogateescape"))
        if size + TEMPORARY_SUFFIX_BYTES > NAME_MAX:
            raise InputError(
                f"the output name {path.name} is too long ({size} bytes; the MP3's name may "
                f"have at most {NAME_MAX - TEMPORARY_SUFFIX_BYTES - _longest_suffix()} "
                "bytes with its sidecars): choose a shorter -o"
            )


def _longest_suffix() -> int:
    return max(len(suffix) for suffix in SUFFIXES) - len(".mp3")


def write_sidecars(mp3: Path, info: EpisodeInfo, choice: SidecarChoice) -> list[Path]:
    """Write the chosen sidecars of ``mp3``; returns the paths written.

    All of them are written to temporary files first, then renamed into place together:
    a sidecar that cannot be written leaves every old one as it was. (A render calls this
    before it renames its MP3 into place, so the MP3 comes last: a failure leaves the old
    episode whole.) A sidecar that is switched off is removed when an earlier render left
    one, so the folder never pairs an MP3 with a transcript of different audio.
    """
    files = {
        ".vtt": to_webvtt(info.cues) if choice.vtt else None,
        ".srt": to_srt(info.cues) if choice.srt else None,
        CHAPTERS_SUFFIX: (
            chapters_json(info.chapters, info.title, info.author)
            if choice.chapters_json and info.chapters
            else None
        ),
        EPISODE_SUFFIX: info.to_json(),
    }
    with contextlib.ExitStack() as stack:
        pending = []
        for suffix, text in files.items():
            if text is not None:
                path = sidecar_path(mp3, suffix)
                temporary = stack.enter_context(atomic_output(path))
                temporary.write_text(text, encoding="utf-8", newline="\n")
                pending.append(path)
    # leaving the stack renamed each temporary into place (or, on an error, removed them)
    for suffix, text in files.items():
        if text is None:
            _remove(sidecar_path(mp3, suffix))
    return pending


def episode_info(
    guid: str,
    title: str,
    texts: Sequence[str],
    spans: Sequence[tuple[int, int] | None],
    chapters: Sequence[Chapter],
    blocks: Sequence[int] | None = None,
    description: str | None = None,
    author: str | None = None,
    language: str | None = None,
    words: Sequence[WordTimes] | None = None,
    spoken: Sequence[str] | None = None,
    link: str | None = None,
    render: str | None = None,
    date: str | None = None,
    verify: dict[str, Any] | None = None,
) -> EpisodeInfo:
    """Gather an episode's data: cues from each segment's text, span and word times (of
    the words ``spoken``, when they are not the text's); ``link`` is the web page the
    article was read from."""
    from letteraudio.publish.transcript import build_cues

    cues: list[Cue] = build_cues(texts, spans, blocks, words, spoken)
    return EpisodeInfo(
        guid,
        title,
        description,
        author,
        language,
        list(chapters),
        cues,
        link,
        render,
        date,
        verify,
    )


def _remove(path: Path) -> None:
    try:
        path.unlink(missing_ok=True)
    except OSError as error:
        raise OutputError(f"cannot remove the stale {path}: {error.strerror or error}") from error
