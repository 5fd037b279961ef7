"""The article, not the page: each way a real page fooled the old reader, rebuilt here.

Pages are written for these tests (never saved from the web). Each is read by
:func:`parse_html` as ``render`` reads it (trafilatura first, letteraudio's own parser
when trafilatura finds nothing usable), and the fixes in letteraudio's own parser are
checked on :func:`parse_html_own` alone, since it is the fallback.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from letteraudio.text.html import MAX_DEPTH, parse_html, parse_html_own
from letteraudio.text.parse import Document
from letteraudio.text.read import decode_text, read_article
from letteraudio.text.webclutter import block_reason

STORY = [
    "The council met on Tuesday evening to decide the future of the old harbour wall, "
    "which has stood against the winter storms for more than two hundred years.",
    "Engineers told the meeting that the wall could be saved, but only if the work began "
    "before the spring tides, and only if the town agreed to pay a third of the cost.",
    "After three hours of argument the councillors voted to begin the repairs in March, "
    "and the harbour master said the fishing boats would move to the north quay.",
    "Residents who had packed the public gallery applauded the decision, although several "
    "said they would watch the bills closely once the contractors arrived.",
]
TEXT = " ".join(STORY)


def page(body: str, title: str = "Harbour Wall Will Be Saved") -> str:
    return (
        f"<!doctype html><html lang='en'><head><title>{title} | Coast News</title></head>"
        f"<body><nav><a href='/'>Home</a> <a href='/news'>News</a></nav>{body}"
        "<footer>Copyright Coast News</footer></body></html>"
    )


def story_html() -> str:
    return "".join(f"<p>{paragraph}</p>" for paragraph in STORY)


def said(document: Document) -> str:
    return " ".join(document.paragraphs)


def unspoken(document: Document) -> dict[str, str]:
    return {d.text: d.reason for d in document.dropped}


PARSERS = [parse_html, parse_html_own]


@pytest.mark.parametrize("parse", PARSERS)
def test_story_outside_a_teaser_article(parse: object) -> None:
    html = page(
        "<main><h1>Harbour Wall Will Be Saved</h1>" + story_html()
        + "<article class='teaser'><h2>Lighthouse reopens</h2><p>The lighthouse on the point "
        "reopened to visitors this weekend after a long restoration, with tours daily at "
        "ten and two.</p></article></main>"
    )  # fmt: skip
    document = parse(html)  # type: ignore[operator]
    assert document.title == "Harbour Wall Will Be Saved"
    for paragraph in STORY:
        assert paragraph in said(document)


@pytest.mark.parametrize("parse", PARSERS)
def test_wrapper_classes_that_look_like_clutter_keep_the_story(parse: object) -> None:
    for wrapper in ("entry themeform share", "sidebar-and-content-body"):
        html = page(
            f"<div class='{wrapper}'><h1>Harbour Wall Will Be Saved</h1>{story_html()}"
            "<div class='share-buttons'>Share on Facebook</div></div>"
        )
        document = parse(html)  # type: ignore[operator]
        assert said(document) == TEXT, wrapper
        assert "Share on Facebook" not in said(document)


@pytest.mark.parametrize("parse", PARSERS)
def test_a_blogger_post_inside_a_script_template(parse: object) -> None:
    post = f"<div class='post-body'><h1>Harbour Wall Will Be Saved</h1>{story_html()}</div>"
    html = page(
        f"<div id='blog'></div><script type='text/template' id='post'>{post}</script>"
        "<script>var blog = 'not read';</script>"
    )
    document = parse(html)  # type: ignore[operator]
    assert said(document) == TEXT
    assert "not read" not in said(document)


@pytest.mark.parametrize("parse", PARSERS)
def test_page_furniture_headings_are_not_spoken(parse: object) -> None:
    html = page(
        "<article><h1>Harbour Wall Will Be Saved</h1><p class='meta'>4 Min Read</p>"
        + story_html()
        + "<h3>RELATED STORIES</h3><ul><li><a href='/a'>Lighthouse reopens to visitors</a></li>"
        "<li><a href='/b'>New ferry timetable</a></li></ul>"
        "<h3>You might also like:</h3><p><a href='/c'>Ten walks along the coast path</a></p>"
        "<p>Tags: harbour, council, storms</p>"
        "<h4>About the author</h4><p>Jo Example covers the coast for Coast News.</p>"
        "</article>"
    )  # fmt: skip
    document = parse(html)  # type: ignore[operator]
    assert said(document) == TEXT
    for furniture in ("RELATED", "might also like", "Min Read", "Tags", "Lighthouse reopens",
                      "covers the coast"):  # fmt: skip
        assert furniture not in said(document) and furniture not in (document.subtitle or "")


def test_furniture_in_other_languages_and_real_sentences_spared() -> None:
    for heading in ("Lesen Sie auch", "\u00c0 lire aussi", "Te puede interesar",
                    "Czytaj tak\u017ce", "Leggi anche", "Related Stories", "3 min read",
                    "Lesezeit: 4 Min.", "Tags:", "About the Author", "Most Popular"):  # fmt: skip
        assert block_reason(heading) is not None, heading
    for content in ("Related stories appeared in three other papers that week.",
                    "She read the tags on every crate before it was loaded.",
                    "About the author of the letter, nothing is known."):  # fmt: skip
        assert block_reason(content) is None, content


def test_the_dropped_report_says_what_was_not_spoken_and_why() -> None:
    html = page(
        "<article><h1>Harbour Wall Will Be Saved</h1>" + story_html()
        + "<pre><code>wall.repair()</code></pre><h3>Related stories</h3>"
        "<ul><li><a href='/a'>Lighthouse reopens to visitors</a></li></ul></article>"
        "<aside class='sidebar'><p>Popular this week: the ferry timetable and the "
        "new car park by the beach, with all the prices.</p></aside>"
    )  # fmt: skip
    document = parse_html(html)
    assert said(document) == TEXT
    reasons = set(unspoken(document).values())
    assert "code block" in reasons
    words = " ".join(unspoken(document))
    assert "wall.repair()" in words and "Home" in words


def test_windows_1250_declared_in_meta(tmp_path: Path) -> None:
    html = page(f"<article><h1>Ci\u0119\u017car dyskusji</h1>{story_html()}</article>")
    html = html.replace("<head>", '<head><meta charset="windows-1250">')
    html = html.replace("two hundred", "\u017c\u00f3\u0142tym mo\u015bcie")
    path = tmp_path / "polish.html"
    path.write_bytes(html.encode("cp1250"))
    text = read_article(path)
    assert "Ci\u0119\u017car dyskusji" in text and "\u017c\u00f3\u0142tym mo\u015bcie" in text
    assert parse_html(text).title == "Ci\u0119\u017car dyskusji"
    # http-equiv, a BOM over a declaration, and a server's charset over the page's
    legacy = html.replace('<meta charset="windows-1250">',
                          '<meta http-equiv="Content-Type" content="text/html; '
                          'charset=ISO-8859-2">').encode("iso8859_2")  # fmt: skip
    assert "\u017c\u00f3\u0142tym" in decode_text(legacy, html=True)
    assert "\u017c\u00f3\u0142tym" in decode_text(b"\xef\xbb\xbf" + html.encode(), html=True)
    assert "\u017c\u00f3\u0142tym" in decode_text(html.encode("utf-8"), True, charset="utf-8")


def test_a_page_nested_20000_deep_keeps_its_text_and_says_what_it_flattened() -> None:
    deep = page(
        "<article><h1>Harbour Wall Will Be Saved</h1>" + f"<p>{STORY[0]}</p>"
        + "<div>" * 20_000 + "".join(f"<p>{p}</p>" for p in STORY[1:]) + "</div>" * 20_000
        + "</article>"
    )  # fmt: skip
    document = parse_html(deep)
    assert document.paragraphs == tuple(STORY)
    (note,) = [d for d in document.dropped if d.reason.startswith("nesting flattened")]
    assert f"nested more than {MAX_DEPTH} levels deep" in note.text
    flat = parse_html(page(f"<article><h1>Harbour Wall Will Be Saved</h1>{story_html()}"))
    assert not [d for d in flat.dropped if d.reason.startswith("nesting")]


def test_a_page_of_20000_sibling_blocks_is_read(tmp_path: Path) -> None:
    html = page(
        f"<article><h1>Harbour Wall Will Be Saved</h1><p>{STORY[0]}</p>"
        + "<div></div>" * 20_000 + "".join(f"<p>{p}</p>" for p in STORY[1:]) + "</article>"
    )  # fmt: skip
    assert parse_html_own(html).paragraphs == tuple(STORY)


def test_trafilatura_is_imported_for_html_only() -> None:
    probe = (
        "import sys\n"
        "from typer.testing import CliRunner\n"
        "from letteraudio.cli import app\n"
        "r = CliRunner().invoke(app, ['--help'])\n"
        "assert r.exit_code == 0\n"
        "from letteraudio.render.plan import build_script\n"
        "from letteraudio.text.segment import Pauses\n"
        "build_script('A Title\\n\\nSome words to say.', 500, Pauses())\n"
        "print('trafilatura' in sys.modules, 'letteraudio.text.fetch' in sys.modules,"
        " 'requests' in sys.modules)\n"
        "from letteraudio.render.plan import ReadingSettings\n"
        "build_script('<html><body><p>Some words to say here.</p></body></html>', 500,"
        " Pauses(), ReadingSettings(format='html'))\n"
        "print('trafilatura' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         check=True).stdout.split("\n")  # fmt: skip
    assert out[0] == "False False False" and out[1] == "True"


@pytest.mark.parametrize("parse", PARSERS)
def test_a_data_table_is_read_row_by_row(parse: object) -> None:
    html = page(
        "<article><h1>Harbour Wall Will Be Saved</h1>" + story_html()
        + "<table><tr><th>Boat</th><th>Catch</th></tr><tr><td>Mary Rose</td><td>40 kg</td></tr>"
        "<tr><td>Kittiwake</td><td>12 kg</td></tr></table></article>"
    )  # fmt: skip
    document = parse(html)  # type: ignore[operator]
    rows = [document.paragraphs[i] for i in document.items]
    assert rows == ["Boat, Catch", "Mary Rose, 40 kg", "Kittiwake, 12 kg"]


@pytest.mark.parametrize("parse", PARSERS)
def test_story_outside_a_main_that_holds_only_a_header(parse: object) -> None:
    html = page(
        "<main class='row'><span>Coast News</span></main>"
        "<div class='story'><h1>Harbour Wall Will Be Saved</h1>" + story_html() + "</div>"
    )  # fmt: skip
    assert said(parse(html)) == TEXT  # type: ignore[operator]


def test_script_counts_a_long_list_of_blocks_outside_the_article(tmp_path: Path) -> None:
    import json

    from typer.testing import CliRunner

    from letteraudio.cli import app

    teasers = "".join(f"<div class='card'><p>Teaser number {n} of the day</p></div>"
                      for n in range(15))  # fmt: skip
    path = tmp_path / "page.html"
    body = f"<article><h1>Harbour Wall Will Be Saved</h1>{story_html()}</article>"
    path.write_text(page(f"{body}<div class='more'>{teasers}</div>"), encoding="utf-8")
    text = CliRunner().invoke(app, ["script", str(path)]).stdout
    listed = json.loads(CliRunner().invoke(app, ["script", str(path), "--json"]).stdout)
    outside = [d["text"] for d in listed["dropped"] if d["reason"] == "not part of the article"]
    assert len(outside) >= 15 and "Teaser number 14 of the day" in outside
    assert f"dropped (not part of the article): {len(outside)} blocks of the page" in text
    assert "Teaser number 14" not in text
