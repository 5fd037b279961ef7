"""Publish a folder of rendered episodes: ``feed.xml``, one page per episode, ``index.html``.

The folder remembers its channel settings and each episode's publication date in
``letteraudio-feed.json``, so the next run needs nothing but the folder, a new MP3 is
added without reordering the others, and a removed MP3 drops out of the feed.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from letteraudio.audio.encode import atomic_output
from letteraudio.errors import InputError, OutputError
from letteraudio.mp3frames import walk
from letteraudio.publish import notes
from letteraudio.publish.artwork import ARTWORK_NAME, artwork_png
from letteraudio.publish.categories import parse_category
from letteraudio.publish.episode import (
    CHAPTERS_SUFFIX,
    EPISODE_SUFFIX,
    GUID_NAMESPACE,
    EpisodeInfo,
    sidecar_path,
)
from letteraudio.publish.feed import (
    FEED_NAME,
    Channel,
    Item,
    Transcript,
    base_url,
    build_feed,
    file_url,
    podcast_guid,
)
from letteraudio.publish.page import (
    PageEpisode,
    episode_page,
    index_page,
    written_by_letteraudio,
)

STATE_NAME = "letteraudio-feed.json"
INDEX_NAME = "index.html"
CHANNEL_KEYS = ("base_url", "title", "description", "language", "link", "author", "image",
                "category", "explicit", "email", "guid", "locked", "type")  # fmt: skip
STATE_FORMAT = 1


@dataclass(frozen=True)
class EpisodeFile:
    """An MP3 in the folder and what is known about it."""

    mp3: Path
    info: EpisodeInfo
    size: int
    duration: float
    published: datetime.datetime

    def sidecar(self, suffix: str) -> Path | None:
        path = sidecar_path(self.mp3, suffix)
        return path if path.is_file() else None


@dataclass
class State:
    """What the folder remembers between runs."""

    channel: dict[str, Any] = field(default_factory=dict)
    published: dict[str, str] = field(default_factory=dict)
    """Episode guid -> ISO date of first publication."""
    pages: list[str] = field(default_factory=list)
    """Pages this folder's feed runs wrote (only those are ever removed)."""


@dataclass(frozen=True)
class Published:
    """What a run wrote."""

    feed: Path
    episodes: list[EpisodeFile]
    pages: list[Path]
    notes: list[str]


def load_state(folder: Path) -> State:
    path = folder / STATE_NAME
    if not path.exists():
        return State()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        published = {str(guid): str(when) for guid, when in dict(data["published"]).items()}
        for when in published.values():
            datetime.datetime.fromisoformat(when)
        pages = [str(name) for name in list(data.get("pages", []))]
        return State(dict(data["channel"]), published, pages)
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise InputError(f"{path}: cannot read the folder's feed settings ({error})") from error


def in_folder(folder: Path, name: str) -> Path | None:
    """``folder / name`` when ``name`` is a plain file name whose path stays in ``folder``
    (no separator, no ``..``, not absolute, not a symlink); None otherwise. What the feed
    state file and the settings name is never followed elsewhere."""
    if not name or name in (".", "..") or name != Path(name).name or "\\" in name or "\0" in name:
        return None
    path = folder / name
    if path.is_symlink() or path.resolve().parent != folder.resolve():
        return None
    return path


def save_state(folder: Path, state: State) -> None:
    text = json.dumps({"format": STATE_FORMAT, **asdict(state)}, indent=1, ensure_ascii=False)
    _write(folder / STATE_NAME, text + "\n")


def resolve_channel(state: State, *layers: Mapping[str, Any]) -> tuple[Channel, dict[str, Any]]:
    """The channel from what the folder remembers, overridden by each layer in turn
    (config file, then options; None means not given). Returns it with the settings to
    remember."""
    settings = dict(state.channel)
    for layer in layers:
        unknown = sorted(set(layer) - set(CHANNEL_KEYS))
        if unknown:
            raise InputError(
                f"unknown feed setting {unknown[0]!r} (known: {', '.join(CHANNEL_KEYS)})"
            )
        settings.update({key: value for key, value in layer.items() if value is not None})
    if not settings.get("base_url"):
        raise InputError("the feed needs --base-url: the address where the folder is published")
    settings["base_url"] = base_url(str(settings["base_url"]))
    if not settings.get("title"):
        raise InputError("the feed needs a title: --title, or title in the [feed] table")
    category, subcategory = (None, None)
    if settings.get("category"):
        category, subcategory = parse_category(str(settings["category"]))
        settings["category"] = f"{category} > {subcategory}" if subcategory else category
    image = settings.get("image")
    if image and "://" not in str(image):
        image = file_url(settings["base_url"], str(image))
    for key in ("link", "image"):
        value = settings.get(key)
        if value and (key == "link" or "://" in str(value)) and not _web_address(str(value)):
            raise InputError(f"--{key} must be an http or https address, not {value!r}")
    email = settings.get("email")
    if email and not _EMAIL.fullmatch(str(email)):
        raise InputError(f"--email must be an e-mail address (name@example.com), not {email!r}")
    explicit = settings.get("explicit", False)
    locked = settings.get("locked", True)
    for name, value in (("explicit", explicit), ("locked", locked)):
        if not isinstance(value, bool):
            raise InputError(f"{name} must be true or false, not {value!r}")
    # A podcast is given its podcast:guid once, from the feed URL of the time, and keeps it
    # when the feed moves (Podcasting 2.0).
    settings.setdefault("guid", podcast_guid(file_url(settings["base_url"], FEED_NAME)))
    channel = Channel(
        guid=str(settings["guid"]),
        base_url=settings["base_url"],
        title=str(settings["title"]),
        description=str(settings.get("description") or settings["title"]),
        language=str(settings.get("language") or "en"),
        link=settings.get("link"),
        author=settings.get("author"),
        image=image,
        category=category,
        subcategory=subcategory,
        explicit=explicit,
        email=settings.get("email"),
        locked=locked,
        type=str(settings.get("type") or "episodic"),
    )
    return channel, settings


_EMAIL = re.compile(r"[^@\s\"'<>()\[\],;:\\]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+")


def _web_address(value: str) -> bool:
    from urllib.parse import urlsplit

    parts = urlsplit(value)
    return parts.scheme.lower() in ("http", "https") and bool(parts.netloc) and value.isprintable()


def read_episode(mp3: Path, published: dict[str, str], now: datetime.datetime) -> EpisodeFile:
    """An MP3 and its episode file (or, for an MP3 letteraudio did not render, its tags)."""
    try:
        data = mp3.read_bytes()
    except OSError as error:
        raise InputError(f"{mp3}: cannot read ({error.strerror or error})") from error
    stream = walk(data)
    duration = stream.header_duration
    if duration is None:
        if stream.first is None:
            raise InputError(f"{mp3}: not an MP3 (no audio frames)")
        duration = stream.audio_frames * stream.first.samples / stream.first.sample_rate
    info_path = sidecar_path(mp3, EPISODE_SUFFIX)
    if info_path.is_file():
        info = EpisodeInfo.from_json(info_path.read_text(encoding="utf-8"), info_path)
    else:
        info = _info_from_tags(mp3, data, stream.audio_start)
    when = published.get(info.guid)
    if when is None:
        rendered = datetime.datetime.fromtimestamp(int(mp3.stat().st_mtime), datetime.timezone.utc)
        date = min(rendered, now)
    else:
        date = datetime.datetime.fromisoformat(when)
    return EpisodeFile(mp3, info, len(data), duration, date)


def _info_from_tags(mp3: Path, data: bytes, audio_start: int) -> EpisodeInfo:
    """Title and chapters from the ID3 tag; the guid from the audio bytes."""
    from letteraudio.tags import frame_text, read_tag, tag_chapters
    from letteraudio.values import clean_text

    guid = str(uuid.uuid5(GUID_NAMESPACE, hashlib.sha256(data[audio_start:]).hexdigest()))
    tag = read_tag(mp3)
    if tag is None:
        return EpisodeInfo(guid=guid, title=mp3.stem)
    comments = tag.getall("COMM")
    description = clean_text(str(comments[0].text[0])) if comments and comments[0].text else None
    title = frame_text(tag, "TIT2") or mp3.stem
    author = frame_text(tag, "TPE1")
    date = frame_text(tag, "TDRC") or None
    return EpisodeInfo(guid, title, description, author, chapters=tag_chapters(tag), date=date)


def publish_with_config(
    folder: Path, config: Path | None, options: Mapping[str, Any] | None = None
) -> Published:
    """:func:`publish_folder` as ``letteraudio feed`` does it: the show, author and language
    of the config file's ``[metadata]``, under its ``[feed]`` table, under ``options``
    (what the folder remembers fills what none of them gives)."""
    layers = [*_config_layers(config), dict(options or {})]
    now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    return publish_folder(folder, layers, now)


def _config_layers(config: Path | None) -> list[dict[str, Any]]:
    """The show, author and language of ``[metadata]``, under the ``[feed]`` table."""
    from letteraudio.config import load_metadata, load_section

    metadata = load_metadata(config)
    defaults = {key: metadata.get(name) for key, name in
                (("title", "show"), ("author", "author"), ("language", "language"))}  # fmt: skip
    return [defaults, load_section(config, "feed")]


def feed_wanted(asked: bool, config: Path | None, batch: bool = False) -> bool:
    """Whether a render refreshes its folder's feed: when asked (``--feed``), or after a
    batch when the config file has a ``[feed]`` table."""
    from letteraudio.config import load_section

    return asked or (batch and bool(load_section(config, "feed")))


def remembered_title(folder: Path) -> str | None:
    """The show's title the folder's feed remembers (None: none, or unreadable)."""
    if not (folder / STATE_NAME).is_file():
        return None
    try:
        title = load_state(folder).channel.get("title")
    except InputError:
        return None
    return str(title) if title else None


def check_publishable(
    folder: Path, config: Path | None, options: Mapping[str, Any] | None = None
) -> None:
    """Refuse, before anything is rendered, a feed :func:`publish_with_config` could not
    write: no base URL or title (options, config file or what the folder remembers), or
    artwork named that is not in the folder."""
    state = load_state(folder) if (folder / STATE_NAME).is_file() else State()
    try:
        _, settings = resolve_channel(state, *_config_layers(config), dict(options or {}))
        _check_artwork(folder, settings)
    except InputError as error:
        raise InputError(
            f"--feed: {error} (give --base-url URL and --show TITLE, or base_url and title "
            "in the config file's [feed] table; the folder remembers them)"
        ) from None


def publish_folder(
    folder: Path, layers: Sequence[Mapping[str, Any]], now: datetime.datetime
) -> Published:
    """Write ``feed.xml``, the episode pages and ``index.html`` for every MP3 in ``folder``."""
    if not folder.is_dir():
        raise InputError(
            f"{folder}: no such folder" if not folder.exists() else f"{folder}: not a folder"
        )
    state = load_state(folder)
    channel, settings = resolve_channel(state, *layers)
    notes = []
    if not channel.image:  # directories refuse a show without artwork: draw one
        artwork = artwork_png(channel.title)
        path = folder / ARTWORK_NAME
        if not path.is_file() or path.read_bytes() != artwork:
            _write_bytes(path, artwork)
        channel = replace(channel, image=file_url(channel.base_url, ARTWORK_NAME))
    elif channel.image != file_url(channel.base_url, ARTWORK_NAME):
        _check_artwork(folder, settings)
        (folder / ARTWORK_NAME).unlink(missing_ok=True)  # drawn by an earlier run: --image won
    if not channel.category:
        notes.append("no --category: Apple Podcasts requires one from its list")
    episodes: list[EpisodeFile] = []
    seen: dict[str, Path] = {}
    known = set(state.published)
    for mp3 in sorted(folder.glob("*.mp3")):
        try:
            episode = read_episode(mp3, state.published, now)
        except InputError as error:  # one damaged or foreign file never blocks the rest
            notes.append(f"{error}: left out")
            continue
        if episode.info.guid in seen:
            notes.append(
                f"{mp3.name} is the same episode as {seen[episode.info.guid].name}: left out"
            )
            continue
        seen[episode.info.guid] = mp3
        episodes.append(episode)
    episodes = _one_second_apart(episodes, known)
    if not channel.author:  # itunes:author: the articles' authors, else the show's title
        authors = dict.fromkeys(e.info.author for e in episodes if e.info.author)
        channel = replace(channel, author=", ".join(authors) or None)
    for episode in episodes:
        state.published.setdefault(episode.info.guid, episode.published.isoformat())
    episodes.sort(key=lambda e: (-e.published.timestamp(), e.mp3.name))
    items = [_item(channel, episode) for episode in episodes]
    feed = folder / FEED_NAME
    _write_bytes(feed, build_feed(channel, items))
    pages = _write_pages(folder, channel, episodes, state, notes)
    state.channel = settings
    save_state(folder, state)
    return Published(feed, episodes, pages, notes)


def _check_artwork(folder: Path, settings: Mapping[str, Any]) -> None:
    """Refuse a feed whose artwork is a file name not in the folder: it would point
    podcast apps at nothing (a URL is taken as it is)."""
    named = settings.get("image")
    if named and "://" not in str(named) and not _is_file(in_folder(folder, str(named))):
        raise InputError(f"the artwork {named} is not in {folder}: put it there, or give "
                         "--image a URL")  # fmt: skip


def _one_second_apart(episodes: list[EpisodeFile], known: set[str]) -> list[EpisodeFile]:
    """New episodes rendered within one second (a batch) get dates a second apart, earlier
    for earlier names, so podcast apps order them as the folder does; never later than
    their files."""
    new = sorted((e for e in episodes if e.info.guid not in known),
                 key=lambda e: (e.published, e.mp3.name), reverse=True)  # fmt: skip
    moved: dict[str, EpisodeFile] = {}
    later: datetime.datetime | None = None
    for episode in new:
        if later is not None and episode.published >= later:
            episode = replace(episode, published=later - datetime.timedelta(seconds=1))
            moved[episode.info.guid] = episode
        later = episode.published
    return [moved.get(e.info.guid, e) for e in episodes]


def _item(channel: Channel, episode: EpisodeFile) -> Item:
    base = channel.base_url
    transcripts = [
        Transcript(file_url(base, path.name), mime)
        for suffix, mime in ((".vtt", "text/vtt"), (".srt", "application/x-subrip"))
        if (path := episode.sidecar(suffix)) is not None
    ]
    chapters = episode.sidecar(CHAPTERS_SUFFIX)
    info = episode.info
    return Item(
        guid=info.guid,
        title=info.title,
        description=notes.description(info),
        enclosure_url=file_url(base, episode.mp3.name),
        length=episode.size,
        duration=round(episode.duration),
        published=episode.published,
        link=info.link or file_url(base, sidecar_path(episode.mp3, ".html").name),
        transcripts=transcripts,
        chapters_url=file_url(base, chapters.name) if chapters else None,
        content=notes.content_html(info),
    )


def _page_date(date: str | None) -> str | None:
    """The article's own date as a page shows it (``28 November 2026``, or ``2026``)."""
    if not date:
        return None
    try:
        return f"{datetime.date.fromisoformat(date[:10]):%d %B %Y}".lstrip("0")
    except ValueError:
        return date[:4] if date[:4].isdigit() else None


def _page_episode(episode: EpisodeFile, language: str) -> PageEpisode:
    vtt = episode.sidecar(".vtt")
    info = episode.info
    return PageEpisode(
        title=info.title,
        audio=episode.mp3.name,
        description=info.description,
        duration=episode.duration,
        published=_page_date(info.date) or f"{episode.published:%d %B %Y}".lstrip("0"),
        page=sidecar_path(episode.mp3, ".html").name,
        transcript=vtt.name if vtt else None,
        chapters=info.chapters,
        cues=info.cues,
        language=info.language or language,
    )


def _write_pages(
    folder: Path, channel: Channel, episodes: list[EpisodeFile], state: State, notes: list[str]
) -> list[Path]:
    pages = [_page_episode(episode, channel.language) for episode in episodes]
    texts = {page.page or "": episode_page(page, channel.title) for page in pages}
    texts[INDEX_NAME] = index_page(pages, channel.title, channel.description, channel.language)
    written = []
    for name, text in texts.items():
        path = folder / name
        if path.exists() and name not in state.pages and not written_by_letteraudio(path):
            notes.append(f"{name} exists and was not written by letteraudio: left alone")
            continue
        _write(path, text)
        written.append(path)
    for stale in sorted(set(state.pages) - set(texts)):
        found = in_folder(folder, stale)
        if found is None:
            notes.append(f"{STATE_NAME} names {stale!r}, not a page in the folder: left alone")
        elif found.is_file() and written_by_letteraudio(found):
            found.unlink()
    state.pages = sorted(texts)
    return written


def _is_file(path: Path | None) -> bool:
    return path is not None and path.is_file()


def _write(path: Path, text: str) -> None:
    _write_bytes(path, text.encode("utf-8"))


def _write_bytes(path: Path, data: bytes) -> None:
    try:
        with atomic_output(path) as temporary:
            temporary.write_bytes(data)
    except OSError as error:
        raise OutputError(f"cannot write {path}: {error.strerror or error}") from error
