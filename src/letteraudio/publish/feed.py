"""Build a podcast RSS 2.0 feed with feedgen: Apple's iTunes tags and Podcasting 2.0 tags.

feedgen's podcast extension writes most iTunes tags; what it cannot write is added
through feedgen's own extension mechanism (``register_extension``), never by string
templates, so every value is escaped by lxml:

- ``itunes:explicit`` as ``true``/``false`` (Apple's current values; feedgen only knows
  yes/no/clean), on the channel and on each item;
- ``itunes:image`` for ``.jpeg`` names too (feedgen drops anything but .jpg/.png);
- ``podcast:guid`` (UUIDv5 of the feed URL), ``podcast:transcript`` and ``podcast:chapters``;
- ``podcast:locked`` (with its owner's address) and ``podcast:txt purpose="ai-content"``,
  ``true`` on the channel and each item: the voice is synthetic.
"""

from __future__ import annotations

import datetime
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urljoin

from feedgen.ext.base import BaseEntryExtension, BaseExtension
from feedgen.feed import FeedGenerator
from feedgen.util import xml_elem

from letteraudio.errors import InputError

ITUNES_NS = "http://www.itunes.com/dtds/podcast-1.0.dtd"
PODCAST_NS = "https://podcastindex.org/namespace/1.0"
PODCAST_GUID_NAMESPACE = uuid.UUID("ead4c236-bf58-58c6-a2c6-a6b28d128cb6")
MAX_DESCRIPTION_BYTES = 4000
"""Apple's limit for channel and episode descriptions."""
FEED_NAME = "feed.xml"
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png")
SHOW_TYPES = ("episodic", "serial")
AI_CONTENT = "ai-content"
"""The podcast:txt purpose saying whether the content is made by AI (a synthetic voice)."""
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
_LANGUAGE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")


def podcast_guid(feed_url: str) -> str:
    """The Podcasting 2.0 ``podcast:guid``: UUIDv5 of the feed URL without its scheme and
    trailing slashes, in the namespace ``ead4c236-bf58-58c6-a2c6-a6b28d128cb6``."""
    return str(uuid.uuid5(PODCAST_GUID_NAMESPACE, _SCHEME.sub("", feed_url.strip()).rstrip("/")))


def base_url(url: str) -> str:
    """A base URL for the published folder, checked, ending in ``/``."""
    url = url.strip()
    if not re.match(r"^https?://[^/\s]+", url):
        raise InputError(f"base URL {url!r}: give an http:// or https:// address")
    return url if url.endswith("/") else url + "/"


def file_url(base: str, name: str) -> str:
    """The public URL of a file in the published folder (its name percent-encoded)."""
    return urljoin(base, quote(name))


def clip_bytes(text: str, limit: int = MAX_DESCRIPTION_BYTES) -> str:
    """``text`` cut at a word so that its UTF-8 form fits ``limit`` bytes, with an ellipsis."""
    if len(text.encode("utf-8")) <= limit:
        return text
    room = limit - len("\u2026".encode())
    cut = text.encode("utf-8")[:room].decode("utf-8", "ignore")
    if " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip() + "\u2026"


@dataclass(frozen=True)
class Channel:
    """The podcast as a whole."""

    base_url: str
    title: str
    description: str
    language: str = "en"
    link: str | None = None
    """The show's web page (default: the folder's index.html at the base URL)."""
    author: str | None = None
    image: str | None = None
    """URL of the artwork (JPEG or PNG, 1400-3000 px square)."""
    category: str | None = None
    subcategory: str | None = None
    explicit: bool = False
    email: str | None = None
    """Owner e-mail (itunes:owner), which Apple uses to verify the show."""
    guid: str | None = None
    """The podcast:guid, once assigned (default: derived from the feed URL)."""
    locked: bool = True
    """podcast:locked: other platforms may not import the show (PSP-1 recommends it)."""
    type: str = "episodic"
    """itunes:type: episodic (newest first) or serial (in order)."""

    def __post_init__(self) -> None:
        if self.type not in SHOW_TYPES:
            raise InputError(f"type {self.type!r}: give {' or '.join(SHOW_TYPES)}")
        size = len(self.description.encode("utf-8"))
        if size > MAX_DESCRIPTION_BYTES:
            raise InputError(
                f"the feed description is {size:,} bytes; Apple accepts at most "
                f"{MAX_DESCRIPTION_BYTES:,}: shorten it"
            )
        if not self.title.strip():
            raise InputError("the feed needs a title (--title, or title in the [feed] table)")
        if self.image and not self.image.lower().endswith(IMAGE_SUFFIXES):
            raise InputError(f"image {self.image!r}: Apple takes a .jpg or .png image")
        if self.guid is not None:
            try:
                uuid.UUID(self.guid)
            except ValueError:
                raise InputError(f"podcast guid {self.guid!r} is not a UUID") from None
        if not _LANGUAGE.match(self.language):
            raise InputError(f"language {self.language!r}: give a code such as en or en-GB")

    @property
    def feed_url(self) -> str:
        return file_url(self.base_url, FEED_NAME)


@dataclass(frozen=True)
class Transcript:
    url: str
    mime: str


@dataclass(frozen=True)
class Item:
    """One episode in the feed."""

    guid: str
    title: str
    description: str
    enclosure_url: str
    length: int
    """Exact size of the MP3 in bytes."""
    duration: int
    """Whole seconds."""
    published: datetime.datetime
    link: str | None = None
    transcripts: Sequence[Transcript] = field(default_factory=tuple)
    chapters_url: str | None = None
    content: str | None = None
    """The article's written text as simple HTML (content:encoded)."""


class _FeedTags(BaseExtension):  # type: ignore[misc]
    """Channel tags feedgen cannot write: itunes:explicit true/false, any itunes:image,
    podcast:guid, podcast:locked, podcast:txt."""

    def __init__(self) -> None:
        self.explicit: bool | None = None
        self.image: str | None = None
        self.guid: str | None = None
        self.locked: bool | None = None
        self.owner: str | None = None

    def extend_ns(self) -> dict[str, str]:
        return {"itunes": ITUNES_NS, "podcast": PODCAST_NS}

    def extend_rss(self, rss_feed: Any) -> Any:
        channel = rss_feed[0]
        if self.image:
            xml_elem(f"{{{ITUNES_NS}}}image", channel).attrib["href"] = self.image
        if self.explicit is not None:
            xml_elem(f"{{{ITUNES_NS}}}explicit", channel).text = _boolean(self.explicit)
        if self.guid:
            xml_elem(f"{{{PODCAST_NS}}}guid", channel).text = self.guid
        if self.locked is not None:
            locked = xml_elem(f"{{{PODCAST_NS}}}locked", channel)
            locked.text = "yes" if self.locked else "no"
            if self.owner:
                locked.attrib["owner"] = self.owner
        _ai_content(channel)
        return rss_feed


class _ItemTags(BaseEntryExtension):  # type: ignore[misc]
    """Item tags feedgen cannot write: itunes:explicit true/false, podcast:transcript,
    podcast:chapters."""

    def __init__(self) -> None:
        self.explicit: bool | None = None
        self.transcripts: Sequence[Transcript] = ()
        self.chapters_url: str | None = None

    def extend_ns(self) -> dict[str, str]:
        return {"itunes": ITUNES_NS, "podcast": PODCAST_NS}

    def extend_rss(self, item: Any) -> Any:
        if self.explicit is not None:
            xml_elem(f"{{{ITUNES_NS}}}explicit", item).text = _boolean(self.explicit)
        for transcript in self.transcripts:
            element = xml_elem(f"{{{PODCAST_NS}}}transcript", item)
            element.attrib["url"] = transcript.url
            element.attrib["type"] = transcript.mime
            if transcript.mime == "application/x-subrip":
                element.attrib["rel"] = "captions"
        if self.chapters_url:
            element = xml_elem(f"{{{PODCAST_NS}}}chapters", item)
            element.attrib["url"] = self.chapters_url
            element.attrib["type"] = "application/json+chapters"
        _ai_content(item)
        return item


def _ai_content(parent: Any) -> None:
    """``<podcast:txt purpose="ai-content">true</podcast:txt>``: a synthetic voice reads."""
    element = xml_elem(f"{{{PODCAST_NS}}}txt", parent)
    element.attrib["purpose"] = AI_CONTENT
    element.text = "true"


def _boolean(value: bool) -> str:
    return "true" if value else "false"


def build_feed(channel: Channel, items: Sequence[Item]) -> bytes:
    """The feed's XML (UTF-8), items in the order given (newest first, by convention).

    Nothing depends on the clock: lastBuildDate is the newest item's date, so running
    again over the same episodes gives the same bytes.
    """
    generator = FeedGenerator()
    generator.load_extension("podcast")
    generator.register_extension("letteraudio", _FeedTags, _ItemTags)
    generator.title(channel.title)
    generator.description(channel.description)
    # feedgen takes the channel's <link> from the last link given: self first.
    generator.link(href=channel.feed_url, rel="self", type="application/rss+xml")
    generator.link(href=channel.link or channel.base_url, rel="alternate")
    generator.language(channel.language)
    generator.generator("letteraudio")
    generator.docs("https://www.rssboard.org/rss-specification")
    podcast = generator.podcast
    podcast.itunes_author(channel.author or channel.title)
    podcast.itunes_type(channel.type)
    if channel.category:
        entry = {"cat": channel.category}
        if channel.subcategory:
            entry["sub"] = channel.subcategory
        podcast.itunes_category(entry)
    if channel.email:
        podcast.itunes_owner(name=channel.author or channel.title, email=channel.email)
    podcast.itunes_summary(channel.description)
    tags = generator.letteraudio
    tags.explicit, tags.image, tags.guid = (
        channel.explicit,
        channel.image,
        channel.guid or podcast_guid(channel.feed_url),
    )
    tags.locked, tags.owner = channel.locked, channel.email
    if items:
        generator.lastBuildDate(max(item.published for item in items))
    for item in items:
        _add_item(generator, item, channel.explicit)
    xml: bytes = generator.rss_str(pretty=True, encoding="UTF-8", xml_declaration=True)
    return xml


def _add_item(generator: Any, item: Item, explicit: bool) -> None:
    entry = generator.add_entry(order="append")
    entry.title(item.title)
    entry.description(clip_bytes(item.description or item.title))
    if item.content:
        entry.content(item.content)  # lxml escapes it: content:encoded holds HTML as text
    entry.guid(item.guid, permalink=False)
    entry.enclosure(item.enclosure_url, str(item.length), "audio/mpeg")
    entry.pubDate(item.published)
    if item.link:
        entry.link(href=item.link)
    entry.podcast.itunes_duration(item.duration)
    tags = entry.letteraudio
    tags.explicit, tags.transcripts, tags.chapters_url = (
        explicit,
        item.transcripts,
        item.chapters_url,
    )
