"""A blog's or newsletter's own feed as input: RSS 2.0 or Atom, recognized by its content.

:func:`feed_kind` tells a feed from an article by the document's root element (never by
the name alone); :func:`parse_feed` reads its entries: guid, title, author, date, link and
the full content when the feed carries it (``content:encoded``, Atom ``content``). Every
string is cleaned as all text from outside is (:func:`letteraudio.values.clean_text`).
The XML parser resolves no entities and fetches nothing.
"""

from __future__ import annotations

import datetime
import email.utils
import hashlib
import html
import re
from dataclasses import dataclass
from typing import Any

from letteraudio.errors import InputError
from letteraudio.values import clean_text

ATOM_NS = "http://www.w3.org/2005/Atom"
CONTENT_NS = "http://purl.org/rss/1.0/modules/content/"
DC_NS = "http://purl.org/dc/elements/1.1/"
ITUNES_NS = "http://www.itunes.com/dtds/podcast-1.0.dtd"
_FEED_OPENING = re.compile(rb"(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(rss|feed)[\s>]", re.S)
FEED_SUFFIXES = (".xml", ".rss", ".atom")
"""Names that say "a feed": XML under them that is not one is refused, not read aloud."""


@dataclass(frozen=True)
class Entry:
    """One post of a feed."""

    guid: str
    title: str | None
    author: str | None
    date: datetime.datetime | None
    link: str | None
    content: str | None
    """The post's full text as HTML, when the feed carries it."""


@dataclass(frozen=True)
class Feed:
    title: str | None
    entries: list[Entry]
    """Newest first."""


def feed_kind(data: bytes) -> str | None:
    """``rss`` or ``atom`` for a feed (also one that is not well-formed, which
    :func:`parse_feed` then refuses), ``xml`` for other XML, None for what is not XML
    (an article)."""
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n")
    if not head.startswith(b"<"):
        return None
    try:
        root = _parse(data)
    except InputError:
        opening = _FEED_OPENING.match(head)
        if opening:
            return "rss" if opening.group(1) == b"rss" else "atom"
        return "xml" if head.startswith(b"<?xml") else None
    if root.tag == "rss":
        return "rss"
    if root.tag == f"{{{ATOM_NS}}}feed":
        return "atom"
    return "xml"


def _parse(data: bytes) -> Any:
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                             huge_tree=False, remove_comments=True, remove_pis=True)  # fmt: skip
    try:
        return etree.fromstring(data, parser)
    except etree.XMLSyntaxError as error:
        raise InputError(f"not well-formed XML ({error})") from None


def parse_feed(data: bytes, where: str) -> Feed:
    """The entries of an RSS 2.0 or Atom feed, newest first (entries without a date keep
    their place after the dated ones); an :class:`InputError` for anything else or a feed
    without entries."""
    try:
        root = _parse(data)
    except InputError as error:
        raise InputError(f"{where}: {error}") from None
    if root.tag == "rss" and root.find("channel") is not None:
        channel = root.find("channel")
        title = _text(channel.find("title"))
        read = [_rss_entry(item) for item in channel.findall("item")]
    elif root.tag == f"{{{ATOM_NS}}}feed":
        title = _text(root.find(f"{{{ATOM_NS}}}title"))
        read = [_atom_entry(entry) for entry in root.findall(f"{{{ATOM_NS}}}entry")]
    else:
        raise InputError(f"{where}: XML that is not an RSS 2.0 or Atom feed")
    entries = [entry for entry in read if entry is not None]
    if not entries:
        raise InputError(f"{where}: a feed with no entries")
    oldest = datetime.datetime.min.replace(tzinfo=datetime.timezone.utc)
    dated = sorted((e for e in entries if e.date), key=lambda e: e.date or oldest, reverse=True)
    return Feed(title, dated + [e for e in entries if e.date is None])


def _text(element: Any, newlines: bool = False) -> str | None:
    if element is None:
        return None
    text = clean_text("".join(element.itertext()), newlines=newlines).strip()
    return " ".join(text.split()) if not newlines and text else (text or None)


def _rss_entry(item: Any) -> Entry | None:
    title = _text(item.find("title"))
    link = _text(item.find("link"))
    content = _text(item.find(f"{{{CONTENT_NS}}}encoded"), newlines=True)
    author = (_text(item.find(f"{{{DC_NS}}}creator")) or _text(item.find(f"{{{ITUNES_NS}}}author"))
              or _text(item.find("author")))  # fmt: skip
    date = _rfc_2822(_text(item.find("pubDate")) or _text(item.find(f"{{{DC_NS}}}date")))
    return _entry(_text(item.find("guid")), title, author, date, link, content)


def _atom_entry(entry: Any) -> Entry | None:
    def child(name: str) -> Any:
        return entry.find(f"{{{ATOM_NS}}}{name}")

    links = entry.findall(f"{{{ATOM_NS}}}link")
    link = next((str(e.get("href")) for e in links
                 if e.get("href") and e.get("rel", "alternate") == "alternate"), None)  # fmt: skip
    author = child("author")
    name = _text(author.find(f"{{{ATOM_NS}}}name")) if author is not None else None
    date = _iso(_text(child("published")) or _text(child("updated")))
    return _entry(_text(child("id")), _text(child("title")), name, date,
                  clean_text(link, newlines=False) if link else None,
                  _atom_content(child("content")))  # fmt: skip


def _atom_content(element: Any) -> str | None:
    """Atom ``content`` as HTML: ``html`` as it is, ``xhtml`` serialized, ``text`` escaped;
    None when it is only a link (``src``) or empty."""
    from lxml import etree

    if element is None or element.get("src"):
        return None
    kind = element.get("type", "text")
    if kind == "xhtml":
        body = "".join(etree.tostring(child, encoding="unicode") for child in element)
        return clean_text(body).strip() or None
    text = _text(element, newlines=True)
    if text is None or kind == "html":
        return text
    return "".join(f"<p>{html.escape(part)}</p>" for part in text.split("\n\n") if part.strip())


def _entry(
    guid: str | None,
    title: str | None,
    author: str | None,
    date: datetime.datetime | None,
    link: str | None,
    content: str | None,
) -> Entry | None:
    if not (content or link):
        return None  # nothing to read: left out, as a reader would
    if not guid:
        digest = hashlib.sha256(f"{title}\n{link}\n{content}".encode()).hexdigest()
        guid = link or f"sha256:{digest}"
    return Entry(guid, title, author, date, link, content)


def _rfc_2822(text: str | None) -> datetime.datetime | None:
    if not text:
        return None
    try:
        date = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return _iso(text)
    return date if date.tzinfo else date.replace(tzinfo=datetime.timezone.utc)


def _iso(text: str | None) -> datetime.datetime | None:
    if not text:
        return None
    try:
        date = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return date if date.tzinfo else date.replace(tzinfo=datetime.timezone.utc)


def entry_page(entry: Entry) -> str:
    """An entry's content as an HTML page whose head names its title (what is spoken
    first); the rest of what the entry says goes in as the article's metadata."""
    title = f"<title>{html.escape(entry.title)}</title>" if entry.title else ""
    return (f'<!DOCTYPE html>\n<html><head><meta charset="utf-8">{title}</head>'
            f"<body><article>{entry.content or ''}</article></body></html>\n")  # fmt: skip
