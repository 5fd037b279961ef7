"""What the feed and the pages need to know about one rendered episode, as plain data.

``render`` writes it beside the MP3 as ``<stem>.episode.json``: the episode's guid (derived
from what was spoken and how, never from the clock, so re-rendering the same article gives
the same guid even when the audio differs by a few samples), its title and description,
its chapters and its timed transcript.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path, PurePath
from typing import Any

from letteraudio.errors import InputError
from letteraudio.publish.transcript import Cue, CueWord
from letteraudio.values import Chapter

EPISODE_SUFFIX = ".episode.json"
CHAPTERS_SUFFIX = ".chapters.json"
CHAPTERS_VERSION = "1.2.0"
"""Podcasting 2.0 JSON chapters format version."""
GUID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:letteraudio:episode")
"""letteraudio's own namespace for episode guids."""
FORMAT_VERSION = 1


@dataclass(frozen=True)
class EpisodeInfo:
    """One episode as the feed and the pages see it."""

    guid: str
    title: str
    description: str | None = None
    author: str | None = None
    language: str | None = None
    chapters: list[Chapter] = field(default_factory=list)
    cues: list[Cue] = field(default_factory=list)
    link: str | None = None
    """The web page the article was read from (the feed item's link)."""
    render: str | None = None
    """A digest of everything the files were made from (see
    :func:`letteraudio.api.render_digest`): a batch skips an episode whose digest matches."""
    date: str | None = None
    """The article's own date (``YYYY`` or ``YYYY-MM-DD``), when it has one: its page shows
    it (the render date only otherwise)."""
    verify: dict[str, Any] | None = None
    """What ``render --verify`` found: sentences checked, re-spoken and still failing
    (each with its time, expected and heard text, score); None: not verified."""

    def to_json(self) -> str:
        document = {"format": FORMAT_VERSION, **asdict(self)}
        if document["verify"] is None:
            del document["verify"]
        for cue in document["cues"]:
            if not cue["spoken"]:  # the text itself was said
                del cue["spoken"]
        return json.dumps(document, indent=1, ensure_ascii=False) + "\n"

    @classmethod
    def from_json(cls, text: str, where: Path) -> EpisodeInfo:
        """Read what :meth:`to_json` wrote; anything else is an :class:`InputError`."""
        try:
            data = _cleaned(json.loads(text))
            return cls(
                guid=str(data["guid"]),
                title=str(data["title"]),
                description=data.get("description"),
                author=data.get("author"),
                language=data.get("language"),
                chapters=[
                    Chapter(str(c["title"]), int(c["start_ms"]), int(c["end_ms"]))
                    for c in data.get("chapters", [])
                ],
                cues=[
                    Cue(
                        int(c["start_ms"]),
                        int(c["end_ms"]),
                        str(c["text"]),
                        int(c.get("block", 0)),
                        tuple(
                            CueWord(int(w["start_ms"]), int(w["end_ms"]), str(w["text"]))
                            for w in c.get("words", [])
                        ),
                        str(c.get("spoken", "")),
                    )
                    for c in data.get("cues", [])
                ],
                link=str(data["link"]) if data.get("link") else None,
                render=str(data["render"]) if data.get("render") else None,
                date=str(data["date"]) if data.get("date") else None,
                verify=data["verify"] if isinstance(data.get("verify"), dict) else None,
            )
        except (ValueError, KeyError, TypeError) as error:
            raise InputError(f"{where}: not an episode file letteraudio wrote ({error})") from error


def sidecar_path(mp3: Path, suffix: str) -> Path:
    """``episode.mp3`` -> ``episode<suffix>`` in the same folder: how every file that goes
    with an episode is named (transcripts, chapters, the episode file, its page)."""
    return mp3.with_name(mp3.stem + suffix)


def episode_guid(
    texts: Sequence[str], engine: Mapping[str, Any], settings: Mapping[str, Any]
) -> str:
    """A UUID (version 5) from the spoken text, the engine's identity and the render settings.

    Machine-specific parts of an engine's identity (absolute paths, modification times) are
    left out, so the same article rendered the same way elsewhere keeps its guid.
    """
    document = {"texts": list(texts), "engine": portable(engine), "settings": dict(settings)}
    digest = hashlib.sha256(json.dumps(document, sort_keys=True, default=str).encode()).hexdigest()
    return str(uuid.uuid5(GUID_NAMESPACE, digest))


def portable(identity: Mapping[str, Any]) -> dict[str, Any]:
    """An engine identity without modification times, with absolute paths cut to file names."""
    kept: dict[str, Any] = {}
    for key, value in identity.items():
        if key.endswith("mtime"):
            continue
        if isinstance(value, str) and PurePath(value).is_absolute() and "\n" not in value:
            value = PurePath(value).name
        kept[key] = value
    return kept


def chapters_document(
    chapters: Sequence[Chapter], title: str | None = None, author: str | None = None
) -> dict[str, Any]:
    """Podcasting 2.0 JSON chapters: ``version`` (a string) and ``chapters[{startTime, title}]``,
    times in seconds, the same chapters as the MP3's ID3 CHAP frames."""
    document: dict[str, Any] = {"version": CHAPTERS_VERSION}
    if title:
        document["title"] = title
    if author:
        document["author"] = author
    document["chapters"] = [
        {"startTime": c.start_ms / 1000, "endTime": c.end_ms / 1000, "title": c.title}
        for c in chapters
    ]
    return document


def chapters_json(
    chapters: Sequence[Chapter], title: str | None = None, author: str | None = None
) -> str:
    """:func:`chapters_document` as JSON text."""
    return (
        json.dumps(chapters_document(chapters, title, author), indent=1, ensure_ascii=False) + "\n"
    )


def _cleaned(data: Any) -> Any:
    """JSON with the one cleaning (:func:`letteraudio.text.read.clean_text`) given to
    every string in it: an episode file from elsewhere reaches the feed, the pages and the
    terminal."""
    from letteraudio.values import clean_text

    if isinstance(data, str):
        return clean_text(data)
    if isinstance(data, list):
        return [_cleaned(item) for item in data]
    if isinstance(data, dict):
        return {key: _cleaned(value) for key, value in data.items()}
    return data
