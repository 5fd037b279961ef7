"""Publishing end to end: sidecars from a real render, the feed read back with feedparser,
re-runs, and the preview server answering byte ranges.

A short article is rendered with the default voice; the MP3 is decoded by the system
ffmpeg (not letteraudio's decoder) and speech onsets are found by silence detection.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from email.utils import parsedate_to_datetime
from pathlib import Path

import feedparser
import numpy as np
import pytest
from audio_probe import RATE, decode, silences
from click.testing import Result
from mutagen.id3 import ID3
from signals import interruptible
from typer.testing import CliRunner

from letteraudio.cli import app
from letteraudio.publish.feed import podcast_guid

ARTICLE = """\
Letters From the Coast

The tide came in slowly. We watched it from the wall.

A heron stood in the shallows, perfectly still, waiting for a fish to come close.

By evening the wind had dropped. The lamps were lit along the front.
"""
SENTENCES = 6  # the title and five sentences: one segment, one cue, each
ITUNES = "{http://www.itunes.com/dtds/podcast-1.0.dtd}"
PODCAST = "{https://podcastindex.org/namespace/1.0}"
ONSET_TOLERANCE = 0.05


def invoke(*args: str) -> Result:
    result = CliRunner().invoke(app, list(args))
    assert "Traceback" not in result.output
    return result


def render(article: Path, out: Path, *options: str) -> None:
    result = invoke("render", str(article), "-o", str(out), "--quiet", *options)
    assert result.exit_code == 0, result.output


def render_elsewhere(article: Path, out: Path, *options: str) -> None:
    """Render in a process of its own."""
    command = [sys.executable, "-m", "letteraudio", "render", str(article), "-o", str(out), "-q"]
    result = subprocess.run([*command, *options], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with one deterministic render of ARTICLE and its sidecars."""
    folder = tmp_path_factory.mktemp("published")
    article = tmp_path_factory.mktemp("articles") / "coast.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    render(article, folder / "coast.mp3", "--deterministic", "--chapters", "paragraphs")
    from PIL import Image

    Image.new("RGB", (1400, 1400), (40, 60, 90)).save(folder / "cover.png")  # --image's file
    return folder


@pytest.fixture
def folder(rendered: Path, tmp_path: Path) -> Path:
    """A private copy of the rendered folder, for tests that change it."""
    return Path(shutil.copytree(rendered, tmp_path / "site"))


WORD_TAG = re.compile(r"<\d\d:\d\d:\d\d\.\d\d\d>")
"""A WebVTT timestamp tag before a timed word."""


def vtt_cues(path: Path) -> list[tuple[float, float, list[str]]]:
    """(start, end, lines) of each cue, parsed here independently of letteraudio."""
    text = path.read_text(encoding="utf-8")
    assert text.startswith("WEBVTT\n")
    cues = []
    for block in text.strip().split("\n\n")[1:]:
        lines = block.split("\n")
        times = next(i for i, line in enumerate(lines) if "-->" in line)
        start, end = (_seconds(t) for t in lines[times].split(" --> "))
        cues.append((start, end, lines[times + 1 :]))
    return cues


def _seconds(stamp: str) -> float:
    hours, minutes, seconds = stamp.strip().replace(",", ".").split(":")
    return int(hours) * 3600 + int(minutes) * 60 + float(seconds)


def speech_onsets(mp3: Path) -> list[float]:
    """Where speech resumes after each silence of 150 ms or more (the lead-in included)."""
    return [run.end for run in silences(decode(mp3)) if run.length >= 0.15]


@pytest.mark.slow
def test_each_cue_starts_where_its_speech_starts(rendered: Path) -> None:
    cues = vtt_cues(rendered / "coast.vtt")
    assert len(cues) == SENTENCES
    onsets = speech_onsets(rendered / "coast.mp3")
    matched = []
    for start, end, _ in cues:
        nearest = min(onsets, key=lambda onset: abs(onset - start))
        assert abs(nearest - start) <= ONSET_TOLERANCE, (start, nearest, onsets)
        assert end > start
        matched.append(nearest)
    assert matched == sorted(set(matched)), "two cues matched the same onset"


@pytest.mark.slow
def test_vtt_text_is_the_script_in_short_lines(rendered: Path) -> None:
    # the default voice times its words: their timestamp tags do not count as text
    cues = [(a, b, [WORD_TAG.sub("", line) for line in lines])
            for a, b, lines in vtt_cues(rendered / "coast.vtt")]  # fmt: skip
    assert any(WORD_TAG.search(line) for _, _, lines in vtt_cues(rendered / "coast.vtt")
               for line in lines)  # fmt: skip
    assert all(len(line) <= 65 for _, _, lines in cues for line in lines)
    spoken = " ".join(" ".join(lines) for _, _, lines in cues)
    assert spoken == " ".join(ARTICLE.split())
    starts = [start for start, _, _ in cues]
    assert starts == sorted(starts)


@pytest.mark.slow
def test_srt_cues_are_numbered_two_lines_of_32(rendered: Path) -> None:
    text = (rendered / "coast.srt").read_text(encoding="utf-8")
    blocks = text.strip().split("\n\n")
    assert len(blocks) > SENTENCES  # the heron sentence needs more than one cue
    words = []
    previous_end = 0.0
    for number, block in enumerate(blocks, start=1):
        index, times, *lines = block.split("\n")
        assert index == str(number)
        assert re.fullmatch(r"\d\d:\d\d:\d\d,\d{3} --> \d\d:\d\d:\d\d,\d{3}", times)
        start, end = (_seconds(t) for t in times.split(" --> "))
        assert previous_end <= start < end
        previous_end = end
        assert 1 <= len(lines) <= 2 and all(len(line) <= 32 for line in lines)
        words += " ".join(lines).split()
    assert words == ARTICLE.split()
    vtt_starts = {round(start, 3) for start, _, _ in vtt_cues(rendered / "coast.vtt")}
    srt_starts = {round(_seconds(b.split("\n")[1].split(" --> ")[0]), 3) for b in blocks}
    assert vtt_starts <= srt_starts  # every sentence's first SRT cue starts with its speech


@pytest.mark.slow
def test_chapters_json_matches_the_id3_chapters(rendered: Path) -> None:
    document = json.loads((rendered / "coast.chapters.json").read_text(encoding="utf-8"))
    assert document["version"] == "1.2.0"
    tag = ID3(rendered / "coast.mp3")
    frames = sorted(tag.getall("CHAP"), key=lambda frame: frame.start_time)
    assert len(frames) == 3  # one per paragraph, the first holding the title
    assert [(c["startTime"], c["title"]) for c in document["chapters"]] == [
        (frame.start_time / 1000, frame.sub_frames["TIT2"].text[0]) for frame in frames
    ]


@pytest.mark.slow
def test_guid_is_stable_across_renders_and_sidecars_can_be_switched_off(tmp_path: Path) -> None:
    article = tmp_path / "coast.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    out = tmp_path / "coast.mp3"
    # Two processes, piper with its random variation: the audio is not bit-exact.
    render_elsewhere(article, out, "--no-cache")
    first = json.loads((tmp_path / "coast.episode.json").read_text(encoding="utf-8"))["guid"]
    audio = out.read_bytes()
    render_elsewhere(article, out, "--no-cache", "--no-vtt", "--no-srt", "--no-chapters-json")
    second = json.loads((tmp_path / "coast.episode.json").read_text(encoding="utf-8"))["guid"]
    assert first == second
    assert re.fullmatch(
        r"[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", first
    )
    names = sorted(path.name for path in tmp_path.iterdir())
    assert names == ["coast.episode.json", "coast.mp3", "coast.txt"]  # stale sidecars removed
    assert out.read_bytes() != audio, "two renders without --deterministic should differ"
    article.write_text(ARTICLE.replace("heron", "egret"), encoding="utf-8")
    render(article, out, "--no-cache")
    third = json.loads((tmp_path / "coast.episode.json").read_text(encoding="utf-8"))["guid"]
    assert third != first


def feed_args(folder: Path, *extra: str) -> list[str]:
    return ["feed", str(folder), "--base-url", "https://example.test/letters", "--title",
            "Letters & <Notes>", "--description", "Letters read aloud.", "--author", "A. Writer",
            "--image", "cover.png", "--category", "Arts > Books", "--language", "en-GB",
            *extra]  # fmt: skip


def test_a_page_shows_the_articles_own_date_else_the_render_date(folder: Path) -> None:
    import datetime

    article = folder.parent / "dated.txt"
    article.write_text("A Dated Letter\n\nIt was written long before it was read.\n", "utf-8")
    render(article, folder / "dated.mp3", "--date", "2025-03-14")
    assert invoke(*feed_args(folder)).exit_code == 0
    dated = (folder / "dated.html").read_text(encoding="utf-8")
    assert "14 March 2025" in dated
    rendered_on = datetime.datetime.fromtimestamp(
        int((folder / "coast.mp3").stat().st_mtime), datetime.timezone.utc
    )
    undated = (folder / "coast.html").read_text(encoding="utf-8")
    assert f"{rendered_on:%d %B %Y}".lstrip("0") in undated and "2025" not in undated


@pytest.mark.slow
def test_feed_has_every_required_element(folder: Path) -> None:
    result = invoke(*feed_args(folder))
    assert result.exit_code == 0, result.output
    parsed = feedparser.parse(str(folder / "feed.xml"))
    assert not parsed.bozo, parsed.get("bozo_exception")
    channel = parsed.feed
    assert channel.title == "Letters & <Notes>"
    assert channel.subtitle == "Letters read aloud."
    assert channel.language == "en-GB"
    assert channel.link == "https://example.test/letters/"
    assert channel.author == "A. Writer"
    assert channel.image.href == "https://example.test/letters/cover.png"
    assert [tag.term for tag in channel.tags] == ["Arts", "Books"]
    assert channel.podcast_guid == podcast_guid("https://example.test/letters/feed.xml")
    [entry] = parsed.entries
    mp3 = folder / "coast.mp3"
    info = json.loads((folder / "coast.episode.json").read_text(encoding="utf-8"))
    assert entry.title == "Letters From the Coast"
    assert entry.summary
    assert entry.id == info["guid"] and entry.guidislink is False
    [enclosure] = entry.enclosures
    assert enclosure.href == "https://example.test/letters/coast.mp3"
    assert int(enclosure.length) == mp3.stat().st_size
    assert enclosure.type == "audio/mpeg"
    assert parsedate_to_datetime(entry.published).tzinfo is not None
    assert int(entry.itunes_duration) == round(len(decode(mp3)) / RATE)
    # feedparser knows neither itunes:explicit true/false nor repeated podcast tags: read XML.
    root = ET.parse(folder / "feed.xml").getroot()
    assert root.findtext(f"channel/{ITUNES}explicit") == "false"
    assert root.findtext(f"channel/{PODCAST}guid") == podcast_guid(
        "https://example.test/letters/feed.xml"
    )
    item = root.find("channel/item")
    assert item is not None
    assert item.findtext(f"{ITUNES}explicit") == "false"
    transcripts = {t.get("type"): t.get("url") for t in item.findall(f"{PODCAST}transcript")}
    assert transcripts == {
        "text/vtt": "https://example.test/letters/coast.vtt",
        "application/x-subrip": "https://example.test/letters/coast.srt",
    }
    chapters = item.find(f"{PODCAST}chapters")
    assert chapters is not None
    assert chapters.get("url") == "https://example.test/letters/coast.chapters.json"
    assert (folder / "coast.html").is_file() and (folder / "index.html").is_file()


@pytest.mark.slow
def test_rerunning_adds_without_reordering_and_removing_drops(folder: Path) -> None:
    os.utime(folder / "coast.mp3", (1_700_000_000, 1_700_000_000))
    assert invoke(*feed_args(folder, "--explicit")).exit_code == 0
    first = feedparser.parse(str(folder / "feed.xml")).entries[0]
    article = folder.parent / "second.txt"
    article.write_text("A second letter. It is short.\n", encoding="utf-8")
    hostile = 'Tom & Jerry <b>bold</b> ]]> "quoted"'
    render(article, folder, "--deterministic", "--title", hostile)
    result = invoke("feed", str(folder))  # settings remembered: the folder is enough
    assert result.exit_code == 0, result.output
    parsed = feedparser.parse(str(folder / "feed.xml"))
    assert not parsed.bozo
    assert [e.title for e in parsed.entries] == [hostile, first.title]  # newest first
    old = parsed.entries[1]
    assert (old.id, old.published) == (first.id, first.published)
    assert ET.parse(folder / "feed.xml").getroot().findtext(f"channel/{ITUNES}explicit") == "true"
    assert invoke("feed", str(folder)).exit_code == 0
    again = feedparser.parse(str(folder / "feed.xml"))
    assert [(e.id, e.published) for e in again.entries] == [
        (e.id, e.published) for e in parsed.entries
    ]
    page = (folder / "second.html").read_text(encoding="utf-8")
    assert "Tom &amp; Jerry &lt;b&gt;bold&lt;/b&gt; ]]&gt; &quot;quoted&quot;" in page
    (folder / "coast.mp3").unlink()
    assert invoke("feed", str(folder)).exit_code == 0
    remaining = feedparser.parse(str(folder / "feed.xml")).entries
    assert [e.title for e in remaining] == [hostile]
    assert not (folder / "coast.html").exists()
    assert "coast" not in (folder / "index.html").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "needs --base-url"),
        (["--base-url", "ftp://x"], "http:// or https://"),
        (["--base-url", "https://e.test", "--title", "T", "--category", "Cooking"], "Apple"),
        (["--base-url", "https://e.test", "--title", "T", "--description", "x" * 4001],
         "4,000"),
        (["--base-url", "https://e.test", "--title", "T", "--image", "cover.gif"], ".jpg"),
        (["--base-url", "https://e.test", "--title", "T", "--language", "English"], "en-GB"),
    ],
)  # fmt: skip
def test_feed_refuses_bad_settings_in_one_line(
    tmp_path: Path, args: list[str], message: str
) -> None:
    result = invoke("feed", str(tmp_path), *args)
    assert result.exit_code == 2
    assert result.output.startswith("Error: ") and message in result.output
    assert result.output.count("\n") == 1
    assert not (tmp_path / "feed.xml").exists()


def test_feed_settings_can_come_from_the_config_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "letteraudio.toml").write_text(
        '[metadata]\nshow = "From Config"\n\n[feed]\nbase_url = "https://c.test/p/"\n'
        'category = "News"\nexplicit = true\n',
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)
    site = tmp_path / "site"
    site.mkdir()
    result = invoke("feed", str(site))
    assert result.exit_code == 0, result.output
    parsed = feedparser.parse(str(site / "feed.xml"))
    assert parsed.feed.title == "From Config"
    assert parsed.feed.link == "https://c.test/p/"
    assert parsed.entries == []
    assert "No episodes yet" in (site / "index.html").read_text(encoding="utf-8")


def test_the_podcast_guid_stays_when_the_feed_moves(tmp_path: Path) -> None:
    first = invoke("feed", str(tmp_path), "--base-url", "https://old.test/pod", "--title", "T")
    assert first.exit_code == 0, first.output
    guid = feedparser.parse(str(tmp_path / "feed.xml")).feed.podcast_guid
    assert guid == podcast_guid("https://old.test/pod/feed.xml")
    moved = invoke("feed", str(tmp_path), "--base-url", "https://new.test/pod/")
    assert moved.exit_code == 0, moved.output
    parsed = feedparser.parse(str(tmp_path / "feed.xml"))
    assert parsed.feed.link == "https://new.test/pod/"
    assert parsed.feed.podcast_guid == guid


def start_server(folder: Path) -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "letteraudio", "serve", str(folder), "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=interruptible,
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    match = re.search(r"http://127\.0\.0\.1:\d+/", line)
    assert match, line + (process.stderr.read() if process.stderr else "")
    return process, match.group(0)


def stop_server(process: subprocess.Popen[str]) -> str:
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=10)
    assert process.returncode in (0, 130), err
    assert "Traceback" not in err
    return out + err


def test_serve_takes_listeners_hanging_up_mid_answer_quietly(tmp_path: Path) -> None:
    """A player that seeks or a page that closes drops its connection mid-file: the
    server goes on serving, with no traceback on standard error."""
    import socket
    import struct

    (tmp_path / "big.mp3").write_bytes(bytes(8 * 1024 * 1024))
    process, url = start_server(tmp_path)
    try:
        port = int(url.rstrip("/").rsplit(":", 1)[1])
        for _ in range(5):
            with socket.create_connection(("127.0.0.1", port)) as sock:
                sock.sendall(f"GET /big.mp3 HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode())
                assert sock.recv(1024).startswith(b"HTTP/1.")
                # Hang up with a reset, as a browser cancelling a media request does.
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        time.sleep(0.5)
        with urllib.request.urlopen(url + "big.mp3", timeout=10) as answer:
            assert len(answer.read()) == 8 * 1024 * 1024  # still serving
    finally:
        output = stop_server(process)
    assert "Error" not in output


def test_serve_answers_ranges_with_the_exact_bytes(tmp_path: Path) -> None:
    data = bytes(range(256)) * 40
    (tmp_path / "a.mp3").write_bytes(data)
    (tmp_path / "a.vtt").write_text("WEBVTT\n", encoding="utf-8")
    (tmp_path / "feed.xml").write_text("<rss/>", encoding="utf-8")
    process, url = start_server(tmp_path)
    try:
        request = urllib.request.Request(url + "a.mp3", headers={"Range": "bytes=1000-1999"})
        with urllib.request.urlopen(request, timeout=5) as response:
            assert response.status == 206
            assert response.headers["Content-Range"] == f"bytes 1000-1999/{len(data)}"
            assert response.headers["Content-Type"] == "audio/mpeg"
            assert response.read() == data[1000:2000]
        request = urllib.request.Request(url + "a.mp3", headers={"Range": "bytes=-10"})
        with urllib.request.urlopen(request, timeout=5) as response:
            assert response.read() == data[-10:]
        with urllib.request.urlopen(url + "a.mp3", timeout=5) as response:
            assert response.status == 200
            assert response.headers["Accept-Ranges"] == "bytes"
            assert response.read() == data
        request = urllib.request.Request(url + "a.mp3", headers={"Range": f"bytes={len(data)}-"})
        with pytest.raises(urllib.error.HTTPError) as error:
            urllib.request.urlopen(request, timeout=5)
        assert error.value.code == 416
        assert error.value.headers["Content-Range"] == f"bytes */{len(data)}"
        for name, mime in (("a.vtt", "text/vtt"), ("feed.xml", "application/rss+xml")):
            with urllib.request.urlopen(url + name, timeout=5) as response:
                assert response.headers["Content-Type"].split(";")[0] == mime
    finally:
        output = stop_server(process)
    assert output.strip() == "Stopped."  # after the address line, one line on Ctrl-C


@pytest.mark.slow
def test_a_feed_without_image_draws_square_artwork_and_image_still_wins(folder: Path) -> None:
    from PIL import Image

    from letteraudio.publish.artwork import ARTWORK_NAME, BACKGROUND, FOREGROUND, MARGIN, SIZE

    args = [a for a in feed_args(folder) if a not in ("--image", "cover.png")]
    title = "Letters From a Harbour Town, Read Aloud on Winter Evenings by the Fire"
    args[args.index("--title") + 1] = title
    result = invoke(*args)
    assert result.exit_code == 0, result.output
    assert "image" not in result.stderr  # no note that artwork is missing
    root = ET.parse(folder / "feed.xml").getroot()
    href = root.find(f"channel/{ITUNES}image")
    assert href is not None
    assert href.get("href") == f"https://example.test/letters/{ARTWORK_NAME}"
    drawn = folder / ARTWORK_NAME
    with Image.open(drawn) as image:
        assert image.format == "PNG" and image.size == (SIZE, SIZE) == (3000, 3000)
        pixels = np.asarray(image.convert("RGB"))
    # Two colours only: every pixel is the background, the title's colour or a blend of
    # the two at the strokes' smoothed edges.
    background, foreground = np.array(BACKGROUND, float), np.array(FOREGROUND, float)
    share = ((pixels - background) / (foreground - background)).mean(axis=2, keepdims=True)
    blend = background + share * (foreground - background)
    assert np.abs(pixels - blend).max() <= 3
    assert np.all(pixels == background, axis=2).mean() > 0.75  # a plain background
    text = np.all(pixels > 200, axis=2)  # the title's light strokes
    assert 0.01 < text.mean() < 0.2  # the title is drawn, and large
    rows = np.flatnonzero(text.any(axis=1))
    columns = np.flatnonzero(text.any(axis=0))
    assert rows[-1] - rows[0] > SIZE / 4  # a title this long wraps over several lines
    assert columns[0] >= MARGIN / 2 and columns[-1] <= SIZE - MARGIN / 2  # within the margins
    first = drawn.read_bytes()
    assert invoke(*args).exit_code == 0
    assert drawn.read_bytes() == first  # the same title, the same artwork
    cover = (folder / "cover.png").read_bytes()
    (folder / "cover.png").unlink()
    feed = (folder / "feed.xml").read_bytes()
    result = invoke(*feed_args(folder))  # --image names a file that is not there: refused
    assert result.exit_code == 2, result.output
    assert result.output == f"Error: the artwork cover.png is not in {folder}: put it there, " \
        "or give --image a URL\n"  # fmt: skip
    assert (folder / "feed.xml").read_bytes() == feed and drawn.read_bytes() == first
    (folder / "cover.png").write_bytes(cover)
    result = invoke(*feed_args(folder))  # --image given: it is used, the drawing goes
    assert result.exit_code == 0, result.output
    assert "artwork" not in result.stderr
    root = ET.parse(folder / "feed.xml").getroot()
    href = root.find(f"channel/{ITUNES}image")
    assert href is not None and href.get("href") == "https://example.test/letters/cover.png"
    assert not drawn.exists()
