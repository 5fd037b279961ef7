"""Real documents read whole: the project's corpus (tests/document_corpus.py) of a
DocBook-style manual, a setext text file, a README and a page of tables and code, and
news pages in five languages. Every body word is spoken or listed with its reason;
terms come before their meanings; chapters, badges, contents and rules are what they
are; a piece's spoken text is what its written text says; no page makes the reader raise.
"""

from __future__ import annotations

import random

import pytest
from document_corpus import DOCUMENTS, accounted_words, body_words, corpus, script_of

from letteraudio.text.html import parse_html
from letteraudio.text.markdown import parse_markdown
from letteraudio.text.parse import parse_text
from letteraudio.text.prepare import speaker


@pytest.mark.parametrize("path", corpus(), ids=lambda p: p.name)
def test_no_body_word_is_lost_silently(path: object) -> None:
    script = script_of(path)  # type: ignore[arg-type]
    written, listed = accounted_words(script)
    lost = body_words(path) - written - listed  # type: ignore[arg-type]
    assert not lost, f"spoken nowhere and not listed: {sorted(lost)}"
    assert written, "nothing spoken"


def test_definition_terms_are_spoken_before_their_meanings_and_chapters_kept() -> None:
    script = script_of(DOCUMENTS / "manual.html")
    segments = script.segments
    written = [s.written for s in segments]
    for term, meaning in (
        ("root", "The administrator."),
        ("ircd", "Used by IRC daemons."),
        ("lighthouse", "Runs the beacon scheduler"),
        ("1000 and above", "For the people who use the system."),
    ):
        at = written.index(term)
        assert segments[at].kind == "item"  # a short pause, then its meaning
        assert segments[at].pause_after_ms < script.pauses.paragraph
        assert written[at + 1].startswith(meaning)
    numbers = sorted({s.paragraph for s in segments if s.kind == "heading"})
    headings = [" ".join(s.written for s in segments if s.paragraph == n) for n in numbers]
    assert headings == [
        "Chapter 1. Introduction",
        "Chapter 2. Users and groups",
        "Chapter 3. Number ranges",
    ]
    reasons = {d.reason for d in script.document.dropped}
    assert "table of contents" in reasons
    assert not any("Introduction" in d.text for d in script.document.dropped
                   if d.reason == "not part of the article")  # fmt: skip


def test_markdown_definition_lists_read_term_then_meaning() -> None:
    document = parse_markdown("# Accounts\n\nThe system's own users.\n\nroot\n: The admin.\n")
    assert document.paragraphs[-2:] == ("root", "The admin.")
    assert document.kind(len(document.paragraphs) - 2) == "item"


def test_setext_headings_and_rules_are_never_spoken() -> None:
    script = script_of(DOCUMENTS / "notes.txt")
    assert script.document.title == "Keeping a Tide Log"
    assert script.document.subtitle == "A short guide for harbour volunteers"
    headings = [s.written for s in script.segments if s.kind == "heading"]
    assert headings == ["What to write", "Where the log is kept", "Old volumes"]
    for segment in script.segments:
        assert not any(mark * 3 in segment.written for mark in "=-~*"), segment.written
        assert "equals" not in segment.text and "asterisk" not in segment.text


def test_an_underline_far_shorter_than_its_line_is_a_rule_and_a_lone_rule_a_break() -> None:
    document = parse_text("Title here\n\nA sentence that runs on for a while.\n---\nNext one.\n")
    assert document.paragraphs == ("A sentence that runs on for a while.", "Next one.")
    assert document.headings == ()
    spaced = parse_text("Notes\n\nFirst part of the text.\n\n* * *\n\nSecond part of the text.\n")
    assert spaced.paragraphs == ("First part of the text.", "Second part of the text.")


def test_badges_and_contents_are_listed_not_spoken() -> None:
    script = script_of(DOCUMENTS / "readme.md")
    document = script.document
    spoken = " ".join(s.written for s in script.segments)
    assert document.title == "tidelog"
    assert document.subtitle is None or "Build" not in document.subtitle
    for badge in ("Build Status", "Coverage", "Licence: GPL v3"):
        assert badge not in spoken
        assert any(d.text == badge and d.reason == "badge" for d in document.dropped)
    assert "Contents" not in spoken and "Installation Usage" not in spoken
    contents = [d for d in document.dropped if d.reason == "table of contents"]
    assert contents and "Installation, Usage, Configuration, Licence" in contents[0].text
    headings = [s.written for s in script.segments if s.kind == "heading"]
    assert headings == ["Installation", "Usage", "Configuration", "Licence"]


def test_html_badges_and_contents_are_listed_not_spoken() -> None:
    page = (
        '<html><body><article><h1>tidelog</h1><p><a href="https://ci.example.org">'
        '<img alt="Build Status" src="b.svg"></a></p><ul><li><a href="#use">Usage</a></li>'
        '<li><a href="#licence">Licence</a></li></ul><p>A tool that records the tides and '
        "prints them as a table, one row for each high water of the week.</p>"
        '<h2 id="use">Usage</h2><p>Run it after each high water and give it the height.</p>'
        "</article></body></html>"
    )
    document = parse_html(page)
    assert "Build Status" not in " ".join(document.paragraphs)
    assert [d.reason for d in document.dropped if d.text == "Build Status"] == ["badge"]
    assert any(d.reason == "table of contents" for d in document.dropped)
    assert document.paragraphs[0].startswith("A tool that records")


def test_inline_code_is_read_only_when_plain_words() -> None:
    script = script_of(DOCUMENTS / "readme.md")
    spoken = " ".join(s.text for s in script.segments)
    written = " ".join(s.written for s in script.segments)
    assert "pip install tidelog" in written  # plain words: read as written
    assert "init -" not in written and "init, " not in spoken  # never rewritten
    assert "put code in your shell's start-up file" in written
    codes = [d.text for d in script.document.dropped if d.reason.startswith("inline code")]
    assert codes == ['eval "$(tidelog init -)"', "$(tidelog root)/versions"]


def test_wide_and_symbol_tables_are_listed_with_their_size() -> None:
    readme = script_of(DOCUMENTS / "readme.md")
    tables = [d.text for d in readme.document.dropped if d.reason == "table"]
    assert tables == ["a table of 3 rows and 8 columns: too wide to read aloud"]
    assert any(s.written == "gauge, north, Which gauge to read" for s in readme.segments)
    page = script_of(DOCUMENTS / "tables.html")
    tables = [d.text for d in page.document.dropped if d.reason == "table"]
    assert tables == ["a table of 3 rows and 9 columns: too wide to read aloud"]
    assert any(s.written == "Monday, 06:12, 4.2 m" for s in page.segments)
    symbols = parse_markdown("Intro text.\n\n| a | b |\n|---|---|\n| ✓ | ✗ |\n| ✗ | ✓ |\n")
    assert [d.text for d in symbols.dropped] == ["a table of 3 rows and 2 columns: mostly symbols"]


@pytest.mark.parametrize("path", corpus(), ids=lambda p: p.name)
def test_each_piece_says_what_its_written_text_says(path: object) -> None:
    """Cut small (80 characters) so rows and sentences are split for the engine."""
    script = script_of(path, max_chars=80)  # type: ignore[arg-type]
    speak = speaker(lang=script.language)
    assert any(
        s.pause_after_ms in (script.pauses.clause, script.pauses.word) for s in script.segments
    )
    for segment in script.segments:
        assert len(segment.text) <= 80
        assert segment.text == " ".join(speak(segment.written).split()), segment


def test_long_generated_sentences_split_on_their_written_text() -> None:
    """Seeded and bounded: sentences of numbers, dates, money and words, no punctuation
    to cut at, split for a small engine; every piece normalizes to what it says."""
    from letteraudio.render.plan import ReadingSettings, build_script
    from letteraudio.text.segment import Pauses

    rng = random.Random(28)
    parts = ["2001-now", "PSF", "yes", "$1,234", "on 2016-11-03", "3.5 kg", "the", "harbour",
             "12th", "Jan. 5", "1990s", "#MeToo", "COVID-19", "50%", "and", "wall"]  # fmt: skip
    speak = speaker(lang="en")
    for _ in range(30):
        text = " ".join(rng.choice(parts) for _ in range(rng.randint(20, 60))) + "."
        script = build_script(text, 60, Pauses(), ReadingSettings())
        assert " ".join(s.written for s in script.segments).split() == text.split()
        for segment in script.segments:
            assert len(segment.text) <= 60
            assert segment.text == " ".join(speak(segment.written).split())


def test_a_table_nested_in_a_table_cell_is_read_once() -> None:
    words = " ".join(["word"] * 60)
    page = (
        f"<html><body><article><p>{words}</p><table><tr><th>A</th><th>B</th></tr><tr><td>"
        "<table><tr><th>x</th></tr><tr><td>inner</td></tr></table></td><td>2</td></tr>"
        "</table></article></body></html>"
    )
    document = parse_html(page)
    assert " ".join(document.paragraphs).count("inner") == 1


_FRAGMENTS = (
    "<table><tr><th>h</th></tr><tr><td><table><tr><th>i</th></tr><tr><td>in</td></tr></table></td>"
    "</tr></table>",
    "<dl><dt>term</dt><dd>meaning here</dd></dl>", "<pre><code>x = 1</code></pre>",
    '<a href="#a"><img alt="b"></a>', '<ul><li><a href="#x">X</a></li><li><a href="#y">Y</a>',
    "<code>$(x root)</code>", "</div>", "</table>", "<td>", "<tr>", "<h2>", "</h2>",
    '<div class="chapter"><h2>Chapter 9. More</h2>', "<article>", "</article>", "<main>",
    '<script type="text/template"><p>' + "post words " * 12 + "</p></script>",
    "<![CDATA[x]]>", "<!-- c -->", "&nbsp;&#0;&amp", "<svg><title>t</title></svg>",
)  # fmt: skip


def test_no_mutated_page_makes_the_html_reader_raise() -> None:
    """Seeded, bounded fuzz: the corpus's pages with fragments inserted, tags cut off
    and pieces duplicated or truncated; every one is read without an exception."""
    rng = random.Random(2028)
    pages = [p.read_text(encoding="utf-8") for p in corpus() if p.suffix == ".html"]
    for _ in range(120):
        page = rng.choice(pages)
        for _ in range(rng.randint(1, 6)):
            at = rng.randrange(len(page))
            action = rng.randrange(4)
            if action == 0:
                page = page[:at] + rng.choice(_FRAGMENTS) + page[at:]
            elif action == 1:
                page = page[:at] + page[at + rng.randint(1, 40) :]
            elif action == 2:
                end = min(len(page), at + rng.randint(1, 400))
                page = page[:end] + page[at:end] + page[end:]
            else:
                page = page[: max(at, len(page) // 2)]
        parse_html(page)  # raises nothing


def test_the_manual_has_one_chapter_per_chapter_heading_named_in_full() -> None:
    from letteraudio.audio.stitch import Span
    from letteraudio.chapters import ChapterMode, build_chapters

    script = script_of(DOCUMENTS / "manual.html")
    spans = [Span(1000 * i, 1000 * i + 800) for i in range(len(script.segments))]
    chapters = build_chapters(
        script.segments, spans, 1000 * len(script.segments), ChapterMode.HEADINGS
    )
    assert [c.title for c in chapters] == [
        "Chapter 1. Introduction",
        "Chapter 2. Users and groups",
        "Chapter 3. Number ranges",
    ]
