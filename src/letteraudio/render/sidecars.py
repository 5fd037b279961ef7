"""What is written beside an episode's MP3 (transcripts, chapters JSON, the episode file),
the digest of everything the episode is made from, and whether an episode on disk is
already what a render would write now."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import asdict
from pathlib import Path

from letteraudio._version import __version__
from letteraudio.errors import InputError
from letteraudio.publish.episode import (
    CHAPTERS_SUFFIX,
    EPISODE_SUFFIX,
    EpisodeInfo,
    episode_guid,
)
from letteraudio.publish.episode import sidecar_path as beside
from letteraudio.publish.sidecars import episode_info, write_sidecars
from letteraudio.render.model import Episode, Plan
from letteraudio.values import SidecarChoice


def write_episode_sidecars(
    planned: Plan, episode: Episode, identity: Mapping[str, object], choice: SidecarChoice
) -> list[Path]:
    """Transcripts, chapters JSON and the episode file beside the MP3 just written."""
    script = planned.script
    texts = [segment.text for segment in script.segments]
    shown = [segment.written for segment in script.segments]  # a lexicon changes what is said
    metadata = planned.metadata
    info = episode_info(
        guid=_guid(planned, identity),
        title=metadata.title,
        texts=shown,
        spans=[(span.start_ms, span.end_ms) if span else None for span in episode.spans],
        chapters=episode.chapters,
        blocks=[segment.paragraph for segment in script.segments],
        description=metadata.description,
        author=metadata.author,
        language=metadata.language,
        date=metadata.date,
        link=planned.link,
        words=[span.words if span else None for span in episode.spans],
        spoken=texts,
        render=render_digest(planned, identity) if _all_by_the_voice(planned, episode) else None,
        verify=episode.verification.to_json() if episode.verification else None,
    )
    return write_sidecars(episode.path, info, choice)


def _all_by_the_voice(planned: Plan, episode: Episode) -> bool:
    """Whether the voice spoke every segment: an episode the fallback spoke in part is
    never up to date, so that a later render gives it the voice it was meant to have."""
    fallback = planned.settings.fallback
    return fallback is None or fallback.engine == planned.settings.voice.engine or (
        fallback.engine not in episode.speakers
    )  # fmt: skip


def _guid(planned: Plan, identity: Mapping[str, object]) -> str:
    """The episode's guid: what is said, by which voice, paused and mastered how."""
    settings = planned.settings
    audio = {"pauses": asdict(settings.pauses), "bitrate_kbps": settings.bitrate,
             "loudness_lufs": settings.loudness}  # fmt: skip
    return episode_guid([segment.text for segment in planned.script.segments], identity, audio)


def render_digest(planned: Plan, identity: Mapping[str, object]) -> str:
    """A digest of everything an episode's files are made from: the guid (what is said,
    by which voice, how), the written words and blocks, the tags (the cover's bytes),
    chapters, ID3 version, sidecars and letteraudio's version."""
    settings, metadata = planned.settings, planned.metadata
    cover = metadata.cover
    document = {
        "guid": _guid(planned, identity),
        "segments": [(s.kind, s.paragraph, s.written) for s in planned.script.segments],
        "metadata": {**asdict(metadata), "cover": _file_digest(cover) if cover else None},
        "chapters": settings.chapters.value,
        "id3v24": settings.id3v24,
        "sidecars": asdict(settings.sidecars) if settings.sidecars else None,
        "link": planned.link,
        "letteraudio": __version__,
        **({"verify": True} if settings.verify else {}),
    }
    text = json.dumps(document, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def _file_digest(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return "unreadable"


def up_to_date(planned: Plan, identity: Mapping[str, object], target: Path) -> bool:
    """Whether ``target`` and its sidecars are what rendering ``planned`` would write now:
    its episode file names the same :func:`render_digest`, was written after the MP3,
    and every sidecar chosen is there."""
    choice = planned.settings.sidecars
    record = beside(target, EPISODE_SUFFIX)
    if choice is None or not target.is_file() or not record.is_file():
        return False
    try:
        info = EpisodeInfo.from_json(record.read_text(encoding="utf-8"), record)
    except (InputError, OSError, UnicodeDecodeError):
        return False
    wanted = [".vtt"] * choice.vtt + [".srt"] * choice.srt
    wanted += [CHAPTERS_SUFFIX] * (choice.chapters_json and bool(info.chapters))
    return (
        info.render == render_digest(planned, identity)
        and target.stat().st_mtime_ns <= record.stat().st_mtime_ns
        and all(beside(target, suffix).is_file() for suffix in wanted)
    )
