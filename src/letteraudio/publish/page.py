"""Static HTML pages: one per episode (player, chapters, transcript) and an index.

Chapters and sentences are links to the MP3 at their time (``episode.mp3#t=12.3``), so
they work without the script; with it, they seek the page's player instead.

Everything the page needs is inside it: the stylesheet and the script are package files
inlined at build time, nothing is fetched from elsewhere. Every value is HTML-escaped.
The transcript's sentences carry the same ids as the WebVTT cues (``s1``, ``s2``...), so
the script marks the sentence being spoken from the track's cue events; where the engine
reported word times, it also marks the word being spoken.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from importlib.resources import files
from pathlib import Path
from urllib.parse import quote

from letteraudio.publish.transcript import Cue
from letteraudio.values import Chapter, clock

DOT = " \u00b7 "
GENERATOR = "letteraudio"
"""Pages carry ``<meta name="generator" content="letteraudio">``: only those are replaced,
and a folder given to ``render`` never reads them as articles."""
MARK = f'<meta name="generator" content="{GENERATOR}">'
MARK_WITHIN = 2000
"""Bytes at the start of a page the mark is looked for in (it is in the page's head)."""


@dataclass(frozen=True)
class PageEpisode:
    """What an episode page shows; file names are relative to the page."""

    title: str
    audio: str
    description: str | None = None
    duration: float = 0.0
    published: str | None = None
    """Human date, e.g. ``28 November 2026``."""
    page: str | None = None
    transcript: str | None = None
    """The WebVTT file, when there is one."""
    chapters: Sequence[Chapter] = ()
    cues: Sequence[Cue] = ()
    language: str = "en"


def written_by_letteraudio(path: Path) -> bool:
    """Whether ``path`` is a page letteraudio wrote: its head carries the generator mark."""
    try:
        with path.open("rb") as file:
            head = file.read(MARK_WITHIN).decode("utf-8", errors="replace")
    except OSError:
        return False
    return MARK in head


def _link(name: str) -> str:
    """A file name in the folder as an attribute value: percent-encoded and ``./``-prefixed,
    so ``a#b?c.mp3`` stays one file and ``javascript:x.mp3`` is never read as a scheme."""
    return escape("./" + quote(name, safe=""))


def _asset(name: str) -> str:
    return (
        files("letteraudio.publish").joinpath("static").joinpath(name).read_text(encoding="utf-8")
    )


def _head(title: str, show: str, language: str, script: bool) -> list[str]:
    lines = [
        "<!DOCTYPE html>",
        f'<html lang="{escape(language)}">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        MARK,
        '<link rel="icon" href="data:,">',  # no favicon request
        f"<title>{escape(title)}</title>",
        f'<link rel="alternate" type="application/rss+xml" title="{escape(show)}" href="feed.xml">',
        f"<style>\n{_asset('page.css')}</style>",
    ]
    if not script:
        lines.append("</head>")
    return lines


def episode_page(episode: PageEpisode, show: str) -> str:
    """The HTML of one episode's page."""
    html = _head(f"{episode.title} \u2014 {show}", show, episode.language, script=True)
    html += ["</head>", "<body>", "<header>"]
    html.append(f'<p><a href="index.html">{escape(show)}</a></p>')
    html.append(f"<h1>{escape(episode.title)}</h1>")
    if episode.description:
        html.append(f"<p>{escape(episode.description)}</p>")
    facts = [clock(episode.duration)] + ([episode.published] if episode.published else [])
    html.append(f'<p class="time">{escape(DOT.join(facts))}</p>')
    html += ["</header>", "<main>"]
    html.append('<section aria-label="Player">')
    html.append(f'<audio id="player" controls preload="metadata" src="{_link(episode.audio)}"'
                f' aria-label="{escape(episode.title)}">')  # fmt: skip
    if episode.transcript:
        language, transcript = escape(episode.language), _link(episode.transcript)
        html.append(f'<track kind="captions" label="Transcript" srclang="{language}"'
                    f' src="{transcript}" default>')  # fmt: skip
    html.append(f'<a href="{_link(episode.audio)}">Download the episode (MP3)</a>')
    html.append("</audio>")
    html.append('<p id="status" class="status" role="status" aria-live="polite"></p>')
    html.append(f'<p><a href="{_link(episode.audio)}" download>Download the MP3</a></p>')
    html.append("</section>")
    if episode.chapters:
        html.append('<nav class="chapters" aria-labelledby="chapters-heading">')
        html.append('<h2 id="chapters-heading">Chapters</h2>')
        html.append("<ol>")
        for chapter in episode.chapters:
            start = chapter.start_ms / 1000
            html.append(
                f'<li><a href="{_link(episode.audio)}#t={start:.3f}" data-start="{start:.3f}">'
                f'{escape(chapter.title)}</a> <span class="time">{clock(start)}</span></li>'
            )
        html += ["</ol>", "</nav>"]
    if episode.cues:
        html.append('<section class="transcript" aria-labelledby="transcript-heading">')
        html.append('<h2 id="transcript-heading">Transcript</h2>')
        html.append('<p class="visually-hidden">Select a sentence to listen from there.</p>')
        html.append('<div id="transcript">')
        numbered = list(enumerate(episode.cues, start=1))
        audio = _link(episode.audio)
        for _, group in itertools.groupby(numbered, key=lambda pair: pair[1].block):
            sentences = [
                f'<a id="s{number}" href="{audio}#t={cue.start_ms / 1000:.3f}"'
                f' data-start="{cue.start_ms / 1000:.3f}">{_sentence(cue)}</a>'
                for number, cue in group
            ]
            html.append("<p>" + " ".join(sentences) + "</p>")
        html += ["</div>", "</section>"]
    html.append("</main>")
    feed = '<a href="feed.xml" type="application/rss+xml">Subscribe: podcast feed (RSS)</a>'
    html.append(f'<footer><p>{feed}{DOT}<a href="index.html">All episodes</a></p></footer>')
    html.append(f"<script>\n{_asset('page.js')}</script>")
    html += ["</body>", "</html>"]
    return "\n".join(html) + "\n"


def _sentence(cue: Cue) -> str:
    """A sentence's text; with word times, each word in a ``span`` that says when it starts
    (``data-word``, seconds), so the script can mark the word being spoken."""
    if not cue.words:
        return escape(cue.text)
    return " ".join(
        f'<span data-word="{word.start_ms / 1000:.3f}">{escape(word.text)}</span>'
        for word in cue.words
    )


def index_page(episodes: Sequence[PageEpisode], show: str, description: str, language: str) -> str:
    """The HTML of the index: the show and its episodes, newest first."""
    html = _head(show, show, language, script=False)
    html += ["<body>", "<header>", f"<h1>{escape(show)}</h1>"]
    if description and description != show:
        html.append(f"<p>{escape(description)}</p>")
    html.append('<p><a href="feed.xml" type="application/rss+xml">Subscribe: podcast feed (RSS)</a>'
                "</p>")  # fmt: skip
    html += ["</header>", "<main>", '<h2 id="episodes-heading">Episodes</h2>']
    if not episodes:
        html.append("<p>No episodes yet.</p>")
    else:
        html.append('<ol class="episodes" aria-labelledby="episodes-heading">')
        for episode in episodes:
            facts = [clock(episode.duration)] + ([episode.published] if episode.published else [])
            target = episode.page or episode.audio
            html.append(
                f'<li><a href="{_link(target)}">{escape(episode.title)}</a>'
                f' <span class="time">{escape(DOT.join(facts))}</span></li>'
            )
        html.append("</ol>")
    html += ["</main>", "</body>", "</html>"]
    return "\n".join(html) + "\n"
