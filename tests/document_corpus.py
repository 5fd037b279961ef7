"""The project's own corpus of documents people want to listen to (tests/fixtures/documents,
all written for the project): a DocBook-style manual page, a plain-text file with setext
headings and rules, a README with badges, contents, a table and inline code, a page of
tables and code, and news pages in five languages (each with the article's text beside
it, ``news-LANG.body.txt``). Shared by tests/test_documents.py and benchmarks/documents.py.

A body word is *lost silently* when it is in neither a segment's written text nor the
list of what was dropped (with its reason). Code blocks are listed as units (their
first line), so their words are not counted; everything else is.
"""

from __future__ import annotations

import re
from pathlib import Path

from letteraudio.render.model import Script
from letteraudio.render.plan import ReadingSettings, build_script
from letteraudio.text.segment import Pauses

DOCUMENTS = Path(__file__).resolve().parent / "fixtures" / "documents"
FORMATS = {".html": "html", ".md": "markdown", ".txt": "text"}
LANGUAGES = ("en", "de", "fr", "es", "pl")
_WORD = re.compile(r"\w+")
_CONTROLS = ("button", "select", "textarea", "input", "svg", "canvas", "iframe", "object")
"""A page's controls and embeds: labels ("OK"), not text."""


def corpus() -> list[Path]:
    """Every document of the corpus (not the news pages' expected texts)."""
    return sorted(
        p for p in DOCUMENTS.iterdir() if p.suffix in FORMATS and not p.name.endswith(".body.txt")
    )


def script_of(path: Path, max_chars: int = 600) -> Script:
    text = path.read_text(encoding="utf-8")
    return build_script(text, max_chars, Pauses(), ReadingSettings(format=FORMATS[path.suffix]))


def words(text: str) -> set[str]:
    return {word.casefold() for word in _WORD.findall(text)}


def body_words(path: Path) -> set[str]:
    """The words of a document's body: its visible text (HTML: the ``<body>`` without
    scripts, styles, form controls and ``<pre>``; Markdown: as rendered, without fenced
    code; text: all)."""
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".txt":
        return words(text)
    if path.suffix == ".md":
        from markdown_it import MarkdownIt

        text = MarkdownIt("commonmark").enable("table").render(text)
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(text, "lxml")
    for hidden in soup.find_all(("script", "style", "pre", "head", "template", *_CONTROLS)):
        hidden.decompose()
    return words(soup.get_text(" "))


def accounted_words(script: Script) -> tuple[set[str], set[str]]:
    """(the words of the segments' written text, the words of the dropped list)."""
    written = " ".join(segment.written for segment in script.segments)
    listed = " ".join(
        f"{item.text} {getattr(item, 'whole', '')}" for item in script.document.dropped
    )
    return words(written), words(listed)


def lost_silently(path: Path) -> set[str]:
    """The body words of ``path`` neither in a segment's written text nor listed as dropped."""
    written, listed = accounted_words(script_of(path))
    return body_words(path) - written - listed
