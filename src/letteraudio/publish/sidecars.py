"""Write the files that go beside a rendered MP3, each atomically.

``<stem>.vtt`` and ``<stem>.srt`` (timed transcripts), ``<stem>.chapters.json``
(Podcasting 2.0 chapters) and ``<stem>.episode.json`` (what ``letteraudio feed`` and the
episode page read: guid, title, chapters, transcript).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

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


def write_sidecars(mp3: Path, info: EpisodeInfo, choice: SidecarChoice) -> list[Path]:
    """Write the chosen sidecars of ``mp3``; returns the paths written.

    A sidecar that is switched off is removed when an earlier render left one, so the
    folder never pairs an MP3 with a transcript of different audio.
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
    written = []
    for suffix, text in files.items():
        path = sidecar_path(mp3, suffix)
        if text is None:
            _remove(path)
            continue
        with atomic_output(path) as temporary:
            temporary.write_text(text, encoding="utf-8", newline="\n")
        written.append(path)
    return written


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
) -> EpisodeInfo:
    """Gather an episode's data: cues from each segment's text, span and word times (of
    the words ``spoken``, when they are not the text's); ``link`` is the web page the
    article was read from."""
    from letteraudio.publish.transcript import build_cues

    cues: list[Cue] = build_cues(texts, spans, blocks, words, spoken)
    return EpisodeInfo(
        guid, title, description, author, language, list(chapters), cues, link, render, date
    )


def _remove(path: Path) -> None:
    try:
        path.unlink(missing_ok=True)
    except OSError as error:
        raise OutputError(f"cannot remove the stale {path}: {error.strerror or error}") from error
