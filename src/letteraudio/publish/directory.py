"""Check a published folder's feed offline, as a podcast directory would.

The rules: the elements the Podcast Standards Project's PSP-1 requires (and those it
recommends that letteraudio writes), Apple's (a language in ISO 639, artwork of 1400 to
3000 px, square, RGB, JPEG or PNG as its name says, descriptions within 4,000 bytes, a
category), and what a host serving the folder must get right: each enclosure's length
is its file's size and its type ``audio/mpeg``, guids are unique, every transcript and
chapters URL names a file in the folder, dates are RFC 2822. Each problem is one line.
The MP3 check of each episode is the caller's (``letteraudio check`` runs both).
"""

from __future__ import annotations

import email.utils
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from letteraudio.errors import InputError
from letteraudio.publish.feed import FEED_NAME, ITUNES_NS, MAX_DESCRIPTION_BYTES, PODCAST_NS

ATOM_NS = "http://www.w3.org/2005/Atom"
_CODES = """
aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch co cr cs
cu cv cy da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha
he hi ho hr ht hu hy hz ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn
ko kr ks ku kv kw ky la lb lg li ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb
nd ne ng nl nn no nr nv ny oc oj om or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd
se sg si sk sl sm sn so sq sr ss st su sv sw ta te tg th ti tk tl tn to tr ts tt tw
ty ug uk ur uz ve vi vo wa wo xh yi yo za zh zu
"""
ISO_639_1 = frozenset(_CODES.split())
"""The two-letter language codes of ISO 639-1, which Apple and the RSS spec take."""
ARTWORK_PIXELS = (1400, 3000)
_RFC_2822 = re.compile(
    r"^(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), )?\d{1,2} (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep"
    r"|Oct|Nov|Dec) \d{4} \d{2}:\d{2}(?::\d{2})? (?:[+-]\d{4}|GMT|UT|[A-Z]{3})$"
)
_FORMATS = {".jpg": "JPEG", ".jpeg": "JPEG", ".png": "PNG"}


@dataclass
class FeedCheck:
    """What :func:`check_feed` found: one line per problem, and the episodes' MP3s."""

    feed: Path
    problems: list[str] = field(default_factory=list)
    episodes: list[Path] = field(default_factory=list)


def feed_path(path: Path) -> Path:
    """The feed of a published folder, or the feed file given."""
    if path.is_dir():
        path = path / FEED_NAME
        if not path.is_file():
            raise InputError(f"{path.parent}: no {FEED_NAME} (run `letteraudio feed` first)")
    elif not path.is_file():
        raise InputError(f"{path}: no such file or folder")
    return path


def check_feed(path: Path) -> FeedCheck:
    """Check a folder's feed (``path``: the folder or its feed file) as a directory would."""
    from lxml import etree

    feed = feed_path(path)
    found = FeedCheck(feed)
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    try:
        root = etree.parse(str(feed), parser).getroot()
    except (etree.XMLSyntaxError, OSError) as error:
        raise InputError(f"{feed}: not well-formed XML ({error})") from None
    channel = root.find("channel")
    if root.tag != "rss" or channel is None:
        raise InputError(f"{feed}: not an RSS 2.0 feed (no <rss><channel>)")
    problem = found.problems.append
    for name in ("title", "description", "link", "language"):
        if not (channel.findtext(name) or "").strip():
            problem(f"channel: no <{name}> (PSP-1 requires it)")
    for name in ("image", "explicit"):
        if channel.find(f"{{{ITUNES_NS}}}{name}") is None:
            problem(f"channel: no <itunes:{name}> (PSP-1 requires it)")
    if channel.find(f"{{{ITUNES_NS}}}category") is None:
        problem("channel: no <itunes:category>: Apple requires one from its list (--category)")
    for name in ("guid", "locked"):
        if channel.find(f"{{{PODCAST_NS}}}{name}") is None:
            problem(f"channel: no <podcast:{name}> (PSP-1 recommends it)")
    if channel.find(f"{{{ITUNES_NS}}}author") is None:
        problem("channel: no <itunes:author> (PSP-1 recommends it)")
    self_link = next((link.get("href") for link in channel.findall(f"{{{ATOM_NS}}}link")
                      if link.get("rel") == "self"), None)  # fmt: skip
    if not self_link:
        problem('channel: no <atom:link rel="self"> (PSP-1 requires it)')
    base = (self_link or "").rsplit("/", 1)[0] + "/"
    folder = feed.parent
    _language(channel.findtext("language"), problem)
    image = channel.find(f"{{{ITUNES_NS}}}image")
    if image is not None:
        _artwork(str(image.get("href") or ""), base, folder, problem)
    _description("channel", channel.findtext("description"), problem)
    items = channel.findall("item")
    guids: dict[str, str] = {}
    for number, item in enumerate(items, 1):
        title = (item.findtext("title") or "").strip()
        where = f"item {number}" + (f" ({title})" if title else "")
        if not title:
            problem(f"{where}: no <title> (PSP-1 requires it)")
        guid = (item.findtext("guid") or "").strip()
        if not guid:
            problem(f"{where}: no <guid> (PSP-1 requires it)")
        elif guid in guids:
            problem(f"{where}: guid {guid} is also {guids[guid]}'s: each must be unique")
        else:
            guids[guid] = where
        _description(where, item.findtext("description"), problem)
        date = item.findtext("pubDate")
        if date is None:
            problem(f"{where}: no <pubDate>")
        elif not _RFC_2822.match(date.strip()) or email.utils.parsedate_tz(date) is None:
            problem(f"{where}: pubDate {date!r} is not an RFC 2822 date")
        mp3 = _enclosure(item.find("enclosure"), where, base, folder, problem)
        if mp3 is not None:
            found.episodes.append(mp3)
        for element in (*item.findall(f"{{{PODCAST_NS}}}transcript"),
                        *item.findall(f"{{{PODCAST_NS}}}chapters")):  # fmt: skip
            tag = etree.QName(element).localname
            _in_folder(str(element.get("url") or ""), base, folder,
                       f"{where}: podcast:{tag}", problem)  # fmt: skip
    return found


def _language(language: str | None, problem: Any) -> None:
    code = (language or "").strip()
    if code and code.split("-")[0].lower() not in ISO_639_1:
        problem(f"channel: language {code!r} is not an ISO 639-1 code (e.g. en or en-GB)")


def _description(where: str, text: str | None, problem: Any) -> None:
    size = len((text or "").encode("utf-8"))
    if size > MAX_DESCRIPTION_BYTES:
        problem(f"{where}: the description is {size:,} bytes; Apple takes at most "
                f"{MAX_DESCRIPTION_BYTES:,}")  # fmt: skip


def _in_folder(url: str, base: str, folder: Path, what: str, problem: Any) -> Path | None:
    """The file in ``folder`` that ``url`` names, or None (and a problem) when none does."""
    name = unquote(url[len(base) :]) if base != "/" and url.startswith(base) else ""
    path = folder / name
    if not name or "/" in name or name.startswith(".") or not path.is_file():
        problem(f"{what} {url} is not a file in {folder}")
        return None
    return path


def _enclosure(element: Any, where: str, base: str, folder: Path, problem: Any) -> Path | None:
    if element is None:
        problem(f"{where}: no <enclosure> (PSP-1 requires it)")
        return None
    if element.get("type") != "audio/mpeg":
        problem(f"{where}: enclosure type {element.get('type')!r}, not audio/mpeg")
    path = _in_folder(str(element.get("url") or ""), base, folder, f"{where}: enclosure",
                      problem)  # fmt: skip
    if path is None:
        return None
    length, size = element.get("length"), path.stat().st_size
    if length != str(size):
        problem(f"{where}: enclosure length {length!r}, but {path.name} is {size} bytes")
    return path


def _artwork(url: str, base: str, folder: Path, problem: Any) -> None:
    from PIL import Image, UnidentifiedImageError

    path = _in_folder(url, base, folder, "channel: itunes:image", problem)
    if path is None:
        return
    try:
        with Image.open(path) as image:
            width, height, mode, kind = image.width, image.height, image.mode, image.format
    except (OSError, UnidentifiedImageError):
        problem(f"channel: artwork {path.name} is not an image")
        return
    low, high = ARTWORK_PIXELS
    if width != height or not low <= width <= high:
        problem(f"channel: artwork {path.name} is {width}x{height} px; directories take a "
                f"square of {low} to {high} px")  # fmt: skip
    if mode != "RGB":
        problem(f"channel: artwork {path.name} is {mode}, not RGB")
    wanted = _FORMATS.get(path.suffix.lower())
    if wanted is None or kind != wanted:
        problem(f"channel: artwork {path.name} is {kind or 'unknown'}: its name says "
                f"{wanted or 'neither JPEG nor PNG'}")  # fmt: skip
