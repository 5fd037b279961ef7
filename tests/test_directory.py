"""A feed every podcast directory accepts (issue 25): PSP-1's required and recommended
elements, Apple's rules, read back by two independent parsers, feedparser (Python) and
podcast-partytime (npm, which CI installs into tests/node)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import feedparser
import pytest
from click.testing import Result
from conftest import TONE
from typer.testing import CliRunner

from letteraudio.cli import app

NODE_DIR = Path(__file__).parent / "node"
PODCAST = "{https://podcastindex.org/namespace/1.0}"
BASE = "https://example.test/show/"
HARBOUR = """# Harbour Notes

## Morning

The tide was out & the boats leaned on their <keels>.

Gulls argued over the quay.

## Noon

The sun stood high over the water.

## Evening

Lamps came on one by one.
"""
WALK = "A Short Walk\n\nWe walked to the sea and back before the rain.\n"


def invoke(*args: str) -> Result:
    result = CliRunner().invoke(app, list(args))
    assert "Traceback" not in result.output
    return result


@pytest.fixture(scope="module")
def tone_module(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The tone fixture engine, registered for the whole module (see ``tone_installed``)."""
    where = tmp_path_factory.mktemp("tone")
    info = where / "letteraudio_tone-0.1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: letteraudio-tone\n"
                                   "Version: 0.1.0\n")  # fmt: skip
    (info / "entry_points.txt").write_text(
        "[letteraudio.engines]\ntone = letteraudio_tone:ToneEngine\n"
    )
    with pytest.MonkeyPatch.context() as patch:
        patch.syspath_prepend(str(TONE))
        patch.syspath_prepend(str(where))
        yield


@pytest.fixture(scope="module")
def rendered(tone_module: None, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two articles rendered with the tone engine: one with three chapters and an author."""
    articles = tmp_path_factory.mktemp("articles")
    (articles / "harbour.md").write_text(HARBOUR, encoding="utf-8")
    (articles / "walk.txt").write_text(WALK, encoding="utf-8")
    site = tmp_path_factory.mktemp("site")
    for name, extra in (("walk.txt", ()), ("harbour.md", ("--author", "Jo Example"))):
        result = invoke("render", str(articles / name), "-o", f"{site}/", "--engine", "tone",
                        "-q", *extra)  # fmt: skip
        assert result.exit_code == 0, result.output
    return site


@pytest.fixture
def site(rendered: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(rendered, tmp_path / "site"))


def publish(site: Path, *options: str) -> Path:
    result = invoke("feed", str(site), "--base-url", BASE, "--title", "Harbour & Sea", *options)
    assert result.exit_code == 0, result.output
    return site / "feed.xml"


def partytime(feed: Path) -> dict[str, Any]:
    """What podcast-partytime reads; skipped without node or the package, except in CI."""
    node = shutil.which("node")
    if node is None or not (NODE_DIR / "node_modules" / "podcast-partytime").is_dir():
        message = ("podcast-partytime is not installed: `npm install --prefix tests/node` "
                   "(Node 20) to run this test")  # fmt: skip
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    result = subprocess.run([node, str(NODE_DIR / "read_feed.js"), str(feed)],
                            capture_output=True, text=True, check=False, timeout=60)  # fmt: skip
    assert result.returncode == 0, result.stderr
    parsed: dict[str, Any] = json.loads(result.stdout)
    return parsed


def entries_by_title(parsed: Any) -> dict[str, Any]:
    return {entry.title: entry for entry in parsed.entries}


def test_a_feed_is_directory_ready_by_default(site: Path) -> None:
    feed = publish(site)
    parsed = feedparser.parse(str(feed))
    assert not parsed.bozo, parsed.get("bozo_exception")
    channel = parsed.feed
    assert channel.author == "Jo Example"  # the articles' author, none given
    assert channel.itunes_type == "episodic"
    assert channel.podcast_txt == {"purpose": "ai-content"}
    root = ET.parse(feed).getroot()
    locked = root.find(f"channel/{PODCAST}locked")
    assert locked is not None and locked.text == "yes" and locked.get("owner") is None
    for parent in (root.find("channel"), *root.findall("channel/item")):
        assert parent is not None
        [txt] = parent.findall(f"{PODCAST}txt")
        assert (txt.get("purpose"), txt.text) == ("ai-content", "true")
    entries = entries_by_title(parsed)
    harbour, walk = entries["Harbour Notes"], entries["A Short Walk"]
    assert harbour.podcast_txt == {"purpose": "ai-content"}
    # The description: the article's opening (its written words), then its chapters.
    opening, chapters = harbour.summary.split("\n\n00:00:00 ")
    assert opening.startswith("The tide was out & the boats leaned on their")
    assert "Gulls argued over the quay." in opening
    assert ("00:00:00 " + chapters).splitlines()[0] == "00:00:00 Morning"
    stamps = [line.split(" ", 1) for line in ("00:00:00 " + chapters).splitlines()]
    assert [title for _, title in stamps] == ["Morning", "Noon", "Evening"]
    assert [stamp for stamp, _ in stamps] == sorted(stamp for stamp, _ in stamps)
    assert len({stamp for stamp, _ in stamps}) == 3
    # content:encoded: the written text as simple HTML, headings as h2, escaped once.
    [content] = harbour.content
    assert content.type == "text/html"
    assert content.value.startswith("<h2>Morning</h2>\n<p>The tide was out &amp; the boats")
    assert "<h2>Evening</h2>\n<p>Lamps came on one by one.</p>" in content.value
    # Fewer than three chapters: no chapter list; the opening alone.
    assert walk.summary == "We walked to the sea and back before the rain."
    assert "00:00:00" not in walk.summary


def test_owner_author_type_and_unlocked_are_written(site: Path) -> None:
    feed = publish(site, "--owner-email", "jo@example.test", "--author", "The Crew",
                   "--type", "serial")  # fmt: skip
    parsed = feedparser.parse(str(feed)).feed
    assert parsed.author == "The Crew"
    assert parsed.publisher_detail == {"name": "The Crew", "email": "jo@example.test"}
    assert parsed.itunes_type == "serial"
    assert parsed.podcast_locked == {"owner": "jo@example.test"}
    read = partytime(feed)
    show = read["feed"]
    assert show["locked"] is True and show["podcastOwner"] == "jo@example.test"
    assert show["owner"] == {"name": "The Crew", "email": "jo@example.test"}
    assert show["itunesType"] == "serial" and show["author"] == "The Crew"
    assert read["raw"]["channelTxt"] == [{"purpose": "ai-content", "value": "true"}]
    assert read["raw"]["itemTxt"] == [[{"purpose": "ai-content", "value": "true"}]] * 2
    items = {item["title"]: item for item in show["items"]}
    harbour = items["Harbour Notes"]
    assert harbour["content"].startswith("<h2>Morning</h2>\n<p>The tide was out & the boats")
    assert harbour["podcastChapters"]["url"] == BASE + "harbour.chapters.json"
    assert [t["url"] for t in harbour["podcastTranscripts"]] == [BASE + "harbour.vtt",
                                                                 BASE + "harbour.srt"]  # fmt: skip
    guids = json.loads((site / "harbour.episode.json").read_text(encoding="utf-8"))["guid"]
    assert harbour["guid"] == guids
    # Unlocked, remembered settings kept: the folder alone is enough next time.
    result = invoke("feed", str(site), "--unlocked")
    assert result.exit_code == 0, result.output
    root = ET.parse(feed).getroot()
    assert root.findtext(f"channel/{PODCAST}locked") == "no"
    assert feedparser.parse(str(feed)).feed.itunes_type == "serial"


def test_a_bad_show_type_is_one_line_and_exit_2(site: Path) -> None:
    result = invoke("feed", str(site), "--base-url", BASE, "--title", "T", "--type", "daily")
    assert result.exit_code == 2
    assert "episodic or serial" in result.output
    assert not (site / "feed.xml").exists()


README = Path(__file__).resolve().parents[1] / "README.md"


def run_as_written(lines: list[str], where: Path, bin_dir: Path) -> None:
    """Each README line in bash, in ``where``, with ``letteraudio`` being this checkout."""
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
           "PYTHONPATH": str(Path(__file__).resolve().parents[1] / "src")}  # fmt: skip
    for line in lines:
        result = subprocess.run(["bash", "-c", line], cwd=where, env=env, capture_output=True,
                                text=True, check=False, timeout=300)  # fmt: skip
        assert result.returncode == 0, (line, result.stderr)
        assert "Traceback" not in result.stderr


def test_the_readme_publishing_examples_run_as_written_in_an_empty_folder(
    tmp_path: Path,
) -> None:
    readme = README.read_text(encoding="utf-8")
    (block,) = re.findall(r"Then publish the folder as a podcast:\n\n```sh\n(.*?)```", readme,
                          re.S)  # fmt: skip
    lines = block.strip().splitlines()
    assert lines[-1].startswith("letteraudio serve site")  # runs until Ctrl-C: tested elsewhere
    (using,) = [line.split("   #")[0] for line in readme.splitlines()
                if line.startswith("letteraudio render letters/ -o site/ --base-url")]  # fmt: skip
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    shim = bin_dir / "letteraudio"
    shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m letteraudio "$@"\n')
    shim.chmod(0o755)
    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir()
    second.mkdir()
    run_as_written(lines[:-1], first, bin_dir)
    parsed = feedparser.parse(str(first / "site" / "feed.xml"))
    assert parsed.feed.title == "Letters Read Aloud"
    assert parsed.feed.author == "Jo Example"
    assert [tag.term for tag in parsed.feed.tags] == ["Arts", "Books"]
    assert parsed.feed.publisher_detail.email == "jo@example.com"
    [entry] = parsed.entries
    assert entry.enclosures[0].href == "https://example.com/letters/tide.mp3"
    # The folder remembers: the next render needs only --feed.
    run_as_written(["letteraudio render letters/ -o site/ --feed"], first, bin_dir)
    # The command of "Using it", after the same article in a folder of its own.
    run_as_written([lines[0], using], second, bin_dir)
    parsed = feedparser.parse(str(second / "site" / "feed.xml"))
    assert parsed.feed.title == "My Letters"
    assert parsed.feed.link == "https://example.com/pod/"
    assert len(parsed.entries) == 1


def test_render_feed_without_a_base_url_is_refused_before_any_audio(tmp_path: Path) -> None:
    article = tmp_path / "tide.txt"
    article.write_text(WALK, encoding="utf-8")
    result = invoke("render", str(article), "-o", f"{tmp_path}/site/", "--feed")
    assert result.exit_code == 2
    assert "--base-url URL and --show TITLE" in result.output
    assert not (tmp_path / "site").exists() or not any((tmp_path / "site").iterdir())


def check_lines(target: Path) -> tuple[int, list[str]]:
    result = invoke("check", str(target))
    return result.exit_code, result.output.splitlines()


def test_a_fresh_folder_passes_check_except_the_category(site: Path) -> None:
    feed = publish(site)
    code, lines = check_lines(site)
    assert code == 1
    assert lines == [
        f"{feed}: channel: no <itunes:category>: Apple requires one from its list (--category)",
        f"{feed}: 2 episodes checked, 1 problem",
    ]
    invoke("feed", str(site), "--category", "Arts > Books")
    code, lines = check_lines(feed)  # the feed file itself, as well as its folder
    assert (code, lines) == (0, [f"{feed}: 2 episodes checked, no problems"]), lines


def test_check_names_every_directory_problem_in_one_line(site: Path) -> None:
    from PIL import Image

    feed = publish(site, "--category", "Arts")
    xml = feed.read_text(encoding="utf-8")
    guids = re.findall(r'<guid isPermaLink="false">([^<]+)</guid>', xml)
    sizes = re.findall(r'length="(\d+)"', xml)
    dates = re.findall(r"<pubDate>([^<]+)</pubDate>", xml)
    Image.new("RGBA", (1000, 800)).save(site / "cover.jpg", format="PNG")
    edits = {
        "<language>en</language>": "<language>xx-YY</language>",
        f'length="{sizes[0]}"': f'length="{int(sizes[0]) + 1}"',
        guids[1]: guids[0],
        "harbour.vtt": "gone.vtt",
        f"<pubDate>{dates[0]}": "<pubDate>2026-12-06 10:00",
        'type="audio/mpeg"': 'type="audio/mp3"',
        "letteraudio-artwork.png": "cover.jpg",
        "<description>We walked": "<description>" + "é" * 2001 + "We walked",
    }
    for old, new in edits.items():
        assert old in xml, old
        xml = xml.replace(old, new, 1)
    feed.write_text(xml, encoding="utf-8")
    code, lines = check_lines(site)
    assert code == 1
    first, second = re.findall(r"<title>([^<]+)</title>", xml)[1:3]
    url = f"{BASE}gone.vtt"
    expected = [
        "channel: language 'xx-YY' is not an ISO 639-1 code (e.g. en or en-GB)",
        "channel: artwork cover.jpg is 1000x800 px; directories take a square of 1400 to 3000 px",
        "channel: artwork cover.jpg is RGBA, not RGB",
        "channel: artwork cover.jpg is PNG: its name says JPEG",
        f"item 1 ({first}): pubDate '2026-12-06 10:00' is not an RFC 2822 date",
        f"item 1 ({first}): enclosure type 'audio/mp3', not audio/mpeg",
        f"item 2 ({second}): guid {guids[0]} is also item 1 ({first})'s: each must be unique",
    ]
    for line in expected:
        assert f"{feed}: {line}" in lines, (line, lines)
    mp3 = re.findall(r'<enclosure url="[^"]*/([^/"]+)"', xml)
    length_line = [line for line in lines if "enclosure length" in line]
    assert len(length_line) == 1 and length_line[0].endswith(f"but {mp3[0]} is {sizes[0]} bytes"), (
        lines
    )
    assert any(f"podcast:transcript {url} is not a file in {site}" in line for line in lines)
    assert any("the description is 4,0" in line and "at most 4,000" in line for line in lines)
    assert lines[-1] == f"{feed}: 2 episodes checked, {len(lines) - 1} problems"


def test_check_runs_the_mp3_check_on_each_episode(site: Path) -> None:
    feed = publish(site, "--category", "Arts")
    mp3 = site / "walk.mp3"
    data = mp3.read_bytes()
    mp3.write_bytes(data[: len(data) // 2])  # cut short: the tag's length lies, and the size
    code, lines = check_lines(site)
    assert code == 1
    assert any(line.startswith(f"{mp3}: ") for line in lines), lines
    assert any("enclosure length" in line and "walk.mp3" in line for line in lines), lines
    assert str(feed) in lines[-1]


def test_check_refuses_what_is_not_a_feed_in_one_line(tmp_path: Path) -> None:
    (tmp_path / "feed.xml").write_text("<html><body>hello</body></html>", encoding="utf-8")
    result = invoke("check", str(tmp_path))
    assert result.exit_code == 2
    assert result.output.strip().count("\n") == 0 and "not an RSS 2.0 feed" in result.output
    result = invoke("check", str(tmp_path / "empty"))
    assert result.exit_code == 2
