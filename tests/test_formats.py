"""Markdown, HTML and the seed: the spoken script a person would read aloud."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from mutagen.id3 import ID3
from typer.testing import CliRunner

from letteraudio.cli import app
from letteraudio.text.html import parse_html, parse_html_own
from letteraudio.text.markdown import parse_markdown
from letteraudio.text.prepare import prepare

FIXTURES = Path(__file__).parent / "fixtures"


def script(*args: str) -> dict[str, object]:
    result = CliRunner().invoke(app, ["script", *args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def spoken(report: dict[str, object]) -> list[tuple[str, str]]:
    """(kind, text) of each block: the sentences of a paragraph, one segment each, joined."""
    blocks: list[tuple[str, str]] = []
    last = None
    for s in report["segments"]:  # type: ignore[attr-defined]
        block = (s["kind"], s["paragraph"])
        if block == last and s["kind"] not in ("title", "subtitle"):
            blocks[-1] = (s["kind"], f"{blocks[-1][1]} {s['text']}")
        else:
            blocks.append((s["kind"], s["text"]))
        last = block
    return blocks


def test_markdown_fixture() -> None:
    report = script(str(FIXTURES / "tides.md"))
    assert spoken(report) == [
        ("title", "Notes on Tides"),
        ("subtitle", "A short guide to reading the sea, with a map."),
        ("heading", "Why tides happen"),
        (
            "paragraph",
            "The moon pulls the water, and the two daily tides follow it. A moon over the bay",
        ),
        ("item", "Spring tides are strong"),
        ("item", "Neap tides are weak"),
        ("item", "a, b"),  # a narrow table of words, read row by row as HTML's are
        ("item", "one, two"),
        ("paragraph", "Time and tide wait for no one."),
    ]
    assert [d["reason"] for d in report["dropped"]] == ["code block"]  # type: ignore[attr-defined, index]


def test_markdown_front_matter_yaml_and_toml() -> None:
    yaml_doc = parse_markdown("---\ntitle: From YAML\nauthor: Jo\n---\nBody text here.\n")
    assert yaml_doc.metadata == {"title": "From YAML", "author": "Jo"}
    assert yaml_doc.title == "From YAML"
    toml_doc = parse_markdown('+++\ntitle = "From TOML"\nauthor = "Al"\n+++\n# Heading\n\nBody.\n')
    assert toml_doc.metadata == {"title": "From TOML", "author": "Al"}
    assert toml_doc.title == "Heading"


def test_html_fixture_reads_the_article_not_the_page() -> None:
    report = script(str(FIXTURES / "tides.html"))
    assert spoken(report) == [
        ("title", "How Tides Work"),
        ("subtitle", "A short guide to the sea."),
        ("paragraph", "The moon pulls the water and the two daily tides follow it."),
        ("heading", "Spring and neap"),
        ("paragraph", "Spring tides are strong, with a high range of water."),
        ("item", "Spring: strong"),
        ("item", "Neap: weak"),
        ("paragraph", "Time and tide wait for no one."),
    ]
    said = " ".join(text for _, text in spoken(report))
    for clutter in ("Home", "cookies", "Share this", "Related", "All rights reserved", "var x"):
        assert clutter not in said
    reasons = {d["reason"] for d in report["dropped"]}  # type: ignore[attr-defined, index]
    assert reasons == {"code block", "advertisement", "page clutter", "not part of the article"}
    unspoken = {d["text"]: d["reason"] for d in report["dropped"]}  # type: ignore[attr-defined, index]
    assert unspoken["A chart of the tides Photo: Jo Example"] == "not part of the article"
    assert unspoken["Home News"] == "not part of the article"  # what the page had, listed


def test_html_never_resolves_external_entities(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT", encoding="utf-8")
    page = (
        f'<!DOCTYPE html [<!ENTITY xxe SYSTEM "file://{secret}">]>'
        "<html><body><article><h1>T</h1><p>Before &xxe; after, with enough words.</p>"
        "</article></body></html>"
    )
    document = parse_html(page)
    assert "TOP-SECRET" not in " ".join(document.paragraphs)
    assert document.paragraphs == ("Before after, with enough words.",)
    assert parse_html(page).metadata == {}


def test_html_metadata() -> None:
    document = parse_html((FIXTURES / "tides.html").read_text(encoding="utf-8"))
    assert document.metadata == {
        "title": "Tides",
        "author": "Jo Example",
        "description": "About tides.",
        "language": "en-GB",
    }


def test_seed_script_is_pinned(seed_article: Path) -> None:
    report = script(str(seed_article))
    kinds = [kind for kind, _ in spoken(report)]
    assert kinds == ["title", "subtitle"] + ["paragraph"] * 9
    assert spoken(report)[0][1] == (
        "Alyssa Milano Writes A Moving Letter To Her three-Year-Old Daughter About The Future "
        "Of hashtag Me Too"
    )
    assert [d["text"][:20] for d in report["dropped"]] == [  # type: ignore[attr-defined, index]
        "Love feel-good stori",
        "Subscribe to our new",
    ]
    texts = " ".join(text for _, text in spoken(report))
    assert "#" not in texts and "[" not in texts
    assert "'me too,'\" she said" in texts
    assert "in her power to protect her daughter" in texts
    assert len(report["segments"]) == 15  # type: ignore[arg-type]
    kept = script(str(seed_article), "--keep-boilerplate")
    assert len(spoken(kept)) == 13 and kept["dropped"] == []  # type: ignore[arg-type]


def test_format_override_and_stdin() -> None:
    result = CliRunner().invoke(
        app, ["script", "-", "--format", "markdown"], input="# A\n\nB words.\n"
    )
    assert result.exit_code == 0
    assert result.stdout.split()[1:2] == ["title"]
    bad = CliRunner().invoke(app, ["script", "-", "--format", "pdf"], input="x")
    assert bad.exit_code == 2 and "unknown format 'pdf'" in bad.stderr


def test_lexicon_from_file_and_config(tmp_path: Path, seed_article: Path) -> None:
    words = tmp_path / "words.toml"
    words.write_text('[lexicon]\nEllewhere = "Elle, where"\nnanosecond = "nano second"\n',
                     encoding="utf-8")  # fmt: skip
    report = script(str(seed_article), "--lexicon", str(words))
    texts = " ".join(text for _, text in spoken(report))
    assert "in Elle, where she reflects" in texts and "Ellewhere" not in texts
    assert "one nano second of your" in texts
    config = tmp_path / "letteraudio.toml"
    config.write_text('[lexicon]\nMilano = { say = "Mee-lah-no", phonemes = "mɪlˈɑːnoʊ", '
                      'misaki = "mɪlˈɑnO" }\n', encoding="utf-8")  # fmt: skip

    def said(*engine: str) -> str:
        return " ".join(
            t for _, t in spoken(script(str(seed_article), "--config", str(config), *engine))
        )

    piper, hibari, gtts = said("-e", "piper"), said(), said("-e", "gtts")
    assert "[[ mɪlˈɑːnoʊ ]]" in piper and "Milano" not in piper
    assert "[Mee-lah-no](/mɪlˈɑnO/)" in hibari and "Milano" not in hibari  # the default
    assert "Mee-lah-no" in gtts and "[[" not in gtts and "](/" not in gtts


def test_prepare_keeps_headings_and_items_aligned() -> None:
    document = parse_markdown(
        "# T\n\nSubscribe to our newsletter today.\n\n## Part\n\n- one\n- two\n"
    )
    ready = prepare(document)
    assert [ready.kind(i) for i in range(len(ready.paragraphs))] == ["heading", "item", "item"]
    assert [d.reason for d in ready.dropped] == ["newsletter sign-up"]


def test_render_markdown_takes_metadata_from_front_matter(tmp_path: Path) -> None:
    out = tmp_path / "tides.mp3"
    result = CliRunner().invoke(app, ["render", str(FIXTURES / "tides.md"), "-o", str(out), "-q"])
    assert result.exit_code == 0, result.output
    tag = ID3(out)
    assert (str(tag["TIT2"]), str(tag["TPE1"])) == ("Notes on Tides", "Jo Example")
    chapters = sorted(tag.getall("CHAP"), key=lambda c: c.start_time)
    assert [str(c.sub_frames["TIT2"]) for c in chapters] == ["Notes on Tides", "Why tides happen"]
    override = CliRunner().invoke(
        app, ["render", str(FIXTURES / "tides.md"), "-o", str(out), "-q", "--author", "Me"]
    )
    assert override.exit_code == 0 and str(ID3(out)["TPE1"]) == "Me"


def test_say_auditions_a_phrase(tmp_path: Path) -> None:
    out = tmp_path / "say.mp3"
    result = CliRunner().invoke(app, ["say", "Elle, where", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.stat().st_size > 1000


@pytest.mark.parametrize("name", ["tides.md", "tides.html"])
def test_dry_run_shows_the_same_script(name: str) -> None:
    plain = CliRunner().invoke(app, ["script", str(FIXTURES / name)]).stdout
    dry = CliRunner().invoke(app, ["render", str(FIXTURES / name), "--dry-run"]).stdout
    assert plain == dry


def test_html_wrappers_divs_breaks_and_inline_tags(tmp_path: Path) -> None:
    page = tmp_path / "wrap.html"
    page.write_text(
        "<html><head><title>Growing Tomatoes | Garden Weekly</title></head><body>"
        '<header><h1 class="logo">Garden Weekly</h1></header>'
        '<div class="site-content has-sidebar"><div class="post tag-newsletter">'
        "<h2>Growing Tomatoes</h2>"
        "<div>Plant them in <em>full</em> sun and water <a href='#'>every</a> morning.<br><br>"
        "Stake them early, before the stems get heavy.</div>"
        "<table><tr><td><p>A layout cell holding a real paragraph.</p></td></tr></table>"
        "<p>It was <em>un</em>believable: H<sub>2</sub>O everywhere.</p>"
        "<p><a href='/1'>Part one</a> \u00b7 <a href='/2'>Part two</a></p>"
        "<ul><li>Slow down.<ul><li>Measure twice.</li></ul></li><li>Cut once.</li></ul>"
        '<div class="sidebar">Popular posts</div>'
        '<form id="aspnetForm"><p>Inside a form, still the article.</p></form>'
        "</div></div></body></html>",
        encoding="utf-8",
    )
    # letteraudio's own parser (the fallback when trafilatura finds nothing usable)
    own = parse_html_own(page.read_text(encoding="utf-8"))
    blocks = [("title", own.title)] + [(own.kind(i), p) for i, p in enumerate(own.paragraphs)]
    assert blocks == [
        ("title", "Growing Tomatoes"),
        ("paragraph", "Plant them in full sun and water every morning."),
        ("paragraph", "Stake them early, before the stems get heavy."),
        ("paragraph", "A layout cell holding a real paragraph."),
        ("paragraph", "It was unbelievable: H2O everywhere."),
        ("item", "Slow down."),
        ("item", "Measure twice."),
        ("item", "Cut once."),
        ("paragraph", "Inside a form, still the article."),
    ]
    assert {d.reason for d in own.dropped} == {"page clutter", "navigation links", "page header"}
    # trafilatura stops before the list on this small page: what it leaves is listed
    report = script(str(page))
    kept = " ".join(s["written"] for s in report["segments"])  # type: ignore[attr-defined]
    unspoken = [d["text"] for d in report["dropped"]]  # type: ignore[attr-defined, index]
    for block in blocks:  # as written ("H2O"; the voice is given "H two O")
        assert block[1] in kept or block[1] in unspoken, block


def test_boilerplate_spares_real_sentences() -> None:
    from letteraudio.text.boilerplate import boilerplate_reason

    for sentence in (
        "She decided to join the protest after reading the updates from her sister in Kyiv.",
        "Join us as we explore the history of the inbox and how it changed work.",
        "Share this moment with someone you love, she told the crowd.",
        "Read more about it in her book, she said.",
        "Follow us, the guide said, and keep to the path.",
    ):
        assert boilerplate_reason(sentence) is None, sentence
    for prompt in ("Share this article", "Read more", "Follow us on Instagram", "Advertisement"):
        assert boilerplate_reason(prompt) is not None, prompt


NOTES_MD = """---
title: Notes from the Garden
author: Sam Green
---

# Notes from the Garden

[![Build Status](https://img.shields.io/badge/x.svg)](https://ci.example.com)

The tomatoes came in early this year.

## The beans

The beans did nothing at all.

```sh
echo hidden
```
"""


@pytest.mark.usefixtures("tone_installed")
def test_markdown_on_standard_input_is_read_as_markdown(tmp_path: Path) -> None:
    """Text whose format no extension gives (stdin, a file without one) is sniffed for
    Markdown: front matter, headings, fences and links are not spoken as plain text."""
    report = CliRunner().invoke(app, ["script", "-", "--json"], input=NOTES_MD)
    assert report.exit_code == 0, report.output
    said = " ".join(s["text"] for s in json.loads(report.stdout)["segments"])
    for leak in ("author", "number", "echo hidden", "Build Status", "img.shields", "---"):
        assert leak not in said, said
    assert said.startswith("Notes from the Garden The tomatoes came in early")
    plain = CliRunner().invoke(app, ["script", "-", "--format", "text"], input=NOTES_MD)
    assert "number Notes from the Garden" in plain.stdout  # --format still wins

    bare = tmp_path / "notes"  # no extension: sniffed too
    bare.write_text(NOTES_MD, encoding="utf-8")
    assert script(str(bare))["title"] == "Notes from the Garden"
    rendered = CliRunner().invoke(
        app, ["render", "-", "-o", str(tmp_path / "garden.mp3"), "--engine", "tone"],
        input=NOTES_MD,
    )  # fmt: skip
    assert rendered.exit_code == 0, rendered.output
    tag = ID3(tmp_path / "garden.mp3")
    assert str(tag["TIT2"]) == "Notes from the Garden" and str(tag["TPE1"]) == "Sam Green"


@pytest.mark.parametrize(
    ("text", "markdown"),
    [
        ("# Title\n\nA line.\n", True),  # a heading first
        ("Intro\n\n## One\n\nx\n\n## Two\n\ny\n", True),
        ("See [the docs](https://example.com/a) and [more](./b.md).\n", True),
        ("Code:\n\n```\nx = 1\n```\n", True),
        ("---\ntitle: A\n---\nBody.\n", True),
        ("Dear Ann,\n\nWe were #1 again [sic] this year.\n\n- eggs\n- milk\n", False),
        ("Prices\n\n# of guests: 12\n", False),  # one mark only
        ("---\n\nA letter after a rule.\n\n---\n", False),  # rules, no front matter keys
        ("See [1] and (https://example.com).\n", False),
    ],
)
def test_the_markdown_sniff_on_small_texts(text: str, markdown: bool) -> None:
    from letteraudio.text.formats import detect_format, looks_like_markdown

    assert looks_like_markdown(text) is markdown
    assert detect_format("-", text) == ("markdown" if markdown else "text")
    assert detect_format("letter.txt", text) == "text"  # an extension says what it is


def test_no_plain_text_article_of_the_project_looks_like_markdown(seed_article: Path) -> None:
    from letteraudio.text.formats import looks_like_markdown

    root = Path(__file__).parent.parent
    plain = [*root.glob("examples/*.txt"), *FIXTURES.glob("documents/*.txt"), seed_article]
    markdown = [*root.glob("examples/*.md"), *FIXTURES.glob("**/*.md")]
    assert len(plain) >= 4 and len(markdown) >= 2
    for path in plain:
        assert not looks_like_markdown(path.read_text(encoding="utf-8")), path
    for path in markdown:
        assert looks_like_markdown(path.read_text(encoding="utf-8")), path
    seed = CliRunner().invoke(app, ["script", "-"], input=seed_article.read_text("utf-8"))
    assert seed.stdout == CliRunner().invoke(app, ["script", str(seed_article)]).stdout
