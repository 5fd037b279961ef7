"""Pure publishing pieces: cue building, WebVTT/SRT text, chapters JSON, guids, categories,
description limits, feed XML with hostile values, byte ranges."""

from __future__ import annotations

import datetime
import itertools
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from letteraudio.chapters import Chapter
from letteraudio.errors import InputError
from letteraudio.publish.categories import parse_category
from letteraudio.publish.episode import EpisodeInfo, chapters_document, episode_guid, portable
from letteraudio.publish.feed import (
    ITUNES_NS,
    PODCAST_NS,
    Channel,
    Item,
    Transcript,
    build_feed,
    clip_bytes,
    podcast_guid,
)
from letteraudio.publish.page import PageEpisode, episode_page, index_page
from letteraudio.publish.server import parse_range
from letteraudio.publish.sidecars import SidecarChoice, write_sidecars
from letteraudio.publish.transcript import (
    Cue,
    build_cues,
    split_for_subtitles,
    timestamp,
    to_srt,
    to_webvtt,
)

LONG = (
    "Their engines coughed across the water, and the gulls rose from the sea wall to meet "
    "them while the harbour master, who had seen it all before, counted the boats twice."
)
HOSTILE = 'Tom & Jerry <script>alert("x")</script> ]]> end'


def test_a_silent_segment_has_no_cue_and_text_is_collapsed() -> None:
    cues = build_cues(["One.", "  ", "Two\n  words."], [(100, 900), None, (1200, 2000)], [0, 1, 1])
    assert cues == [Cue(100, 900, "One.", 0), Cue(1200, 2000, "Two words.", 1)]
    with pytest.raises(ValueError):
        build_cues(["a"], [])


def test_timestamps() -> None:
    assert timestamp(3_723_045) == "01:02:03.045"
    assert timestamp(61_001, ",") == "00:01:01,001"


def test_webvtt_has_one_cue_per_sentence_with_short_escaped_lines() -> None:
    cues = [Cue(300, 1500, "Short & <sweet>."), Cue(1750, 9000, LONG)]
    text = to_webvtt(cues)
    assert text.startswith("WEBVTT\n\n")
    blocks = text.strip().split("\n\n")[1:]
    assert len(blocks) == 2
    ident, times, *lines = blocks[0].split("\n")
    assert (ident, times) == ("s1", "00:00:00.300 --> 00:00:01.500")
    assert lines == ["Short &amp; &lt;sweet&gt;."]
    long_lines = blocks[1].split("\n")[2:]
    assert len(long_lines) >= 3
    assert all(len(line) <= 65 for line in long_lines)
    assert " ".join(long_lines) == LONG  # no word lost or reordered


def test_srt_cues_hold_two_lines_of_32_and_share_time_by_characters() -> None:
    cue = Cue(1000, 11_000, LONG)
    parts = split_for_subtitles(cue)
    assert len(parts) >= 3
    assert all(len(lines) <= 2 and all(len(line) <= 32 for line in lines) for _, lines in parts)
    assert " ".join(part.text for part, _ in parts) == LONG
    assert parts[0][0].start_ms == 1000 and parts[-1][0].end_ms == 11_000
    for (before, _), (after, _) in itertools.pairwise(parts):
        assert before.end_ms == after.start_ms
    total = sum(len(part.text) for part, _ in parts)
    for part, _ in parts:
        share = (part.end_ms - part.start_ms) / 10_000
        assert abs(share - len(part.text) / total) < 0.002
    # No orphan: the parts' lengths are balanced.
    lengths = [len(part.text) for part, _ in parts]
    assert min(lengths) > max(lengths) / 2


def test_srt_format_is_numbered_with_comma_times() -> None:
    text = to_srt([Cue(0, 1000, "One."), Cue(2000, 9000, LONG)])
    blocks = text.strip().split("\n\n")
    for number, block in enumerate(blocks, start=1):
        index, times, *lines = block.split("\n")
        assert index == str(number)
        assert re.fullmatch(r"\d\d:\d\d:\d\d,\d{3} --> \d\d:\d\d:\d\d,\d{3}", times)
        assert 1 <= len(lines) <= 2


def test_chapters_document_follows_podcasting_2() -> None:
    document = chapters_document([Chapter("Intro", 0, 5000), Chapter("A & B", 5250, 9000)])
    assert document["version"] == "1.2.0"
    assert document["chapters"] == [
        {"startTime": 0.0, "endTime": 5.0, "title": "Intro"},
        {"startTime": 5.25, "endTime": 9.0, "title": "A & B"},
    ]
    json.dumps(document)


def test_podcast_guid_reproduces_the_spec_examples() -> None:
    # The two examples of the Podcasting 2.0 namespace's <podcast:guid> page.
    assert podcast_guid("https://mp3s.nashownotes.com/pc20rss.xml") == (
        "917393e3-1b1e-5cef-ace4-edaa54e1f810"
    )
    assert podcast_guid("http://podnews.net/rss//") == "9b024349-ccf0-5f69-a609-6b82873eab3c"
    assert podcast_guid("podnews.net/rss") == "9b024349-ccf0-5f69-a609-6b82873eab3c"


def test_episode_guid_depends_on_text_engine_and_settings_but_not_machine_paths() -> None:
    engine = {"engine": "piper", "model": "/home/a/voice.onnx", "model_mtime": 1, "size": 5}
    moved = {**engine, "model": "/opt/b/voice.onnx", "model_mtime": 99}
    settings = {"bitrate_kbps": 96}
    guid = episode_guid(["Hello."], engine, settings)
    assert guid == episode_guid(["Hello."], moved, settings)
    assert guid != episode_guid(["Hello!"], engine, settings)
    assert guid != episode_guid(["Hello."], {**engine, "size": 6}, settings)
    assert guid != episode_guid(["Hello."], engine, {"bitrate_kbps": 128})
    assert portable(engine) == {"engine": "piper", "model": "voice.onnx", "size": 5}


def test_categories_come_from_apples_list() -> None:
    assert parse_category("arts > books") == ("Arts", "Books")
    assert parse_category("Society & Culture/Documentary") == ("Society & Culture", "Documentary")
    assert parse_category("True Crime") == ("True Crime", None)
    with pytest.raises(InputError, match="did you mean 'Science'"):
        parse_category("Sciense")
    with pytest.raises(InputError, match="no subcategory"):
        parse_category("Arts > Cooking")


def test_descriptions_fit_4000_bytes() -> None:
    with pytest.raises(InputError, match="4,000"):
        Channel("https://e.test/", "T", "é" * 2001)
    clipped = clip_bytes("word " * 1000 + "é" * 10)
    assert len(clipped.encode()) <= 4000
    assert clipped.endswith("\u2026")
    assert clip_bytes("short") == "short"


def channel(**changes: object) -> Channel:
    values: dict[str, object] = {
        "base_url": "https://example.test/pod/",
        "title": HOSTILE,
        "description": HOSTILE,
        "author": HOSTILE,
        "image": "https://example.test/pod/cover.jpeg",
        "category": "Arts",
        "subcategory": "Books",
        "explicit": True,
    }
    values.update(changes)
    return Channel(**values)  # type: ignore[arg-type]


def item(guid: str, title: str = HOSTILE) -> Item:
    return Item(
        guid=guid,
        title=title,
        description=title,
        enclosure_url="https://example.test/pod/a%20b.mp3",
        length=1234,
        duration=61,
        published=datetime.datetime(2026, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc),
        transcripts=[Transcript("https://example.test/pod/a.vtt", "text/vtt")],
        chapters_url="https://example.test/pod/a.chapters.json",
    )


def test_hostile_values_keep_the_feed_well_formed_and_intact() -> None:
    xml = build_feed(channel(), [item("g1"), item("g2", "]]><![CDATA[ & <b>")])
    root = ET.fromstring(xml)
    chan = root.find("channel")
    assert chan is not None
    assert chan.findtext("title") == HOSTILE
    assert chan.findtext(f"{{{ITUNES_NS}}}author") == HOSTILE
    assert chan.findtext(f"{{{ITUNES_NS}}}explicit") == "true"
    image = chan.find(f"{{{ITUNES_NS}}}image")
    assert image is not None and image.get("href") == "https://example.test/pod/cover.jpeg"
    titles = [i.findtext("title") for i in chan.findall("item")]
    assert titles == [HOSTILE, "]]><![CDATA[ & <b>"]
    assert b"<script>" not in xml


def test_feed_bytes_do_not_depend_on_the_clock() -> None:
    assert build_feed(channel(), [item("g1")]) == build_feed(channel(), [item("g1")])


def test_podcast_tags_go_through_the_extension() -> None:
    root = ET.fromstring(build_feed(channel(explicit=False), [item("g1")]))
    chan = root.find("channel")
    assert chan is not None
    assert chan.findtext(f"{{{PODCAST_NS}}}guid") == podcast_guid("example.test/pod/feed.xml")
    entry = chan.find("item")
    assert entry is not None
    assert entry.findtext(f"{{{ITUNES_NS}}}explicit") == "false"
    transcript = entry.find(f"{{{PODCAST_NS}}}transcript")
    assert transcript is not None and transcript.get("type") == "text/vtt"
    chapters = entry.find(f"{{{PODCAST_NS}}}chapters")
    assert chapters is not None and chapters.get("type") == "application/json+chapters"


def test_pages_escape_everything() -> None:
    episode = PageEpisode(
        title=HOSTILE,
        audio='a"b.mp3',
        description=HOSTILE,
        duration=75,
        transcript="a.vtt",
        chapters=[Chapter(HOSTILE, 0, 1000)],
        cues=[Cue(0, 1000, HOSTILE)],
    )
    for html in (episode_page(episode, HOSTILE), index_page([episode], HOSTILE, HOSTILE, "en")):
        assert "<script>alert" not in html
        assert "&lt;script&gt;" in html
        assert 'a"b.mp3' not in html
        assert "http://" not in html.replace('content="', "") and "https://" not in html


@pytest.mark.parametrize(
    ("header", "expected"),
    [("bytes=0-9", (0, 9)), ("bytes=90-", (90, 99)), ("bytes=-10", (90, 99)),
     ("bytes=95-200", (95, 99))],
)  # fmt: skip
def test_ranges(header: str, expected: tuple[int, int]) -> None:
    assert parse_range(header, 100) == expected


@pytest.mark.parametrize("header", ["bytes=100-", "bytes=5-2", "bytes=-0", "items=0-1", "bytes=-"])
def test_unsatisfiable_ranges(header: str) -> None:
    with pytest.raises(ValueError):
        parse_range(header, 100)


def test_sidecars_switch_off_and_stale_ones_go(tmp_path: Path) -> None:
    mp3 = tmp_path / "ep.mp3"
    mp3.write_bytes(b"audio")
    info = EpisodeInfo("g", "T", chapters=[Chapter("T", 0, 1000)], cues=[Cue(0, 1000, "Hi.")])
    written = write_sidecars(mp3, info, SidecarChoice())
    assert sorted(p.name for p in written) == [
        "ep.chapters.json", "ep.episode.json", "ep.srt", "ep.vtt"
    ]  # fmt: skip
    assert EpisodeInfo.from_json((tmp_path / "ep.episode.json").read_text(), mp3) == info
    no_chapters = EpisodeInfo("g", "T", cues=info.cues)
    write_sidecars(mp3, no_chapters, SidecarChoice(vtt=False))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ep.episode.json", "ep.mp3", "ep.srt"]
    with pytest.raises(InputError):
        EpisodeInfo.from_json("{}", mp3)
