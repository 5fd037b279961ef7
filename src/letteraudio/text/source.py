"""Where an article comes from: a file, standard input or a URL, read as text.

:func:`read_source` gives the decoded text, the format to parse it as, the page's URL
(the episode's link in a feed) and a name for the output file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

from letteraudio.text.formats import detect_format
from letteraudio.text.read import STDIN, decode_text, looks_like_html, read_article

if TYPE_CHECKING:
    from letteraudio.text.fetch import Page

SLUG_MAX_CHARS = 80
MAX_STEM_BYTES = 200
"""An output name's stem, in UTF-8 bytes: with the longest sidecar suffix
(``.chapters.json``) and a temporary file's (``.NAME.PID.RANDOM.part``) it stays under
the 255 bytes most file systems allow in a name (80 CJK characters are 240 bytes)."""


@dataclass(frozen=True)
class Source:
    """An article's text and what is known of where it came from."""

    name: str
    """What was given: a path, ``-`` or a URL."""
    text: str
    format: str
    url: str | None = None
    """The page's URL (after redirects) when the article was read from the web."""

    def stem(self, title: str | None = None) -> str:
        """The output file's name without ``.mp3``: a file's stem; for a URL the page's
        title, else the last part of its path, else its host; ``stdin`` for standard input
        (never a name a file's episode may have had: ``article``, from ``article.txt``)."""
        if self.url is None:
            stem = Path(self.name).stem if self.name != STDIN else "stdin"
            return _fit(re.sub(r"[^\w.-]+", "-", stem).strip("-.")) or "article"
        parts = urlsplit(self.url)
        path = PurePosixPath(unquote(parts.path))
        return slug(title or "") or slug(path.stem) or slug(parts.hostname or "") or "article"


def slug(text: str) -> str:
    """``Ten Things About the Moon!`` -> ``ten-things-about-the-moon``, cut at a word."""
    words = re.sub(r"[^\w]+", "-", text.casefold()).strip("-_")
    if len(words) > SLUG_MAX_CHARS:
        words = words[:SLUG_MAX_CHARS].rsplit("-", 1)[0]
    return _fit(words)


def _fit(stem: str) -> str:
    """``stem`` cut to :data:`MAX_STEM_BYTES` of UTF-8, at a word when there is one."""
    data = stem.encode("utf-8")
    if len(data) <= MAX_STEM_BYTES:
        return stem
    cut = data[:MAX_STEM_BYTES].decode("utf-8", "ignore")
    return (cut.rsplit("-", 1)[0] if "-" in cut else cut).strip("-.")


def read_source(article: str, requested_format: str | None = None) -> Source:
    """Read ``article`` (a path, ``-`` or an http(s) URL) and decide its format: the one
    asked for, else a URL's content type, else the extension or a sniff."""
    from letteraudio.text.fetch import is_url

    if not is_url(article):
        text = read_article(article)
        return Source(article, text, detect_format(article, text, requested_format))
    from letteraudio.text.fetch import fetch

    return source_from_page(article, fetch(article), requested_format)


def source_from_page(article: str, page: Page, requested_format: str | None = None) -> Source:
    """The article of a page fetched from ``article`` (a URL), its format decided as
    :func:`read_source` does."""
    from letteraudio.errors import InputError, NetworkError
    from letteraudio.text.fetch import format_of

    fmt = requested_format or format_of(page)
    html = fmt == "html" or (fmt is None and looks_like_html(page.body))
    try:
        text = decode_text(page.body, html=html, charset=page.charset)
    except InputError as error:  # binary, undecodable
        raise NetworkError(f"{article}: {error}") from None
    if fmt is None or (fmt == "text" and not requested_format and page.media_type == "text/plain"):
        # not said, or plain text, which Markdown is often served as: its path, else a sniff
        fmt = "html" if html else detect_format(urlsplit(page.final_url).path, text)
    return Source(article, text, detect_format(article, text, fmt), page.final_url)
