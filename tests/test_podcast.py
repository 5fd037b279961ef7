"""Podcast-grade output: loudness, ID3 tags, chapters, and `letteraudio check`.

A short article is rendered once with the default voice; the MP3 is decoded by
decoders that are not letteraudio's (system ffmpeg, mpg123), measured with meters
that are not letteraudio's (pyloudnorm for loudness), and its tag is read back
with mutagen.
"""

from __future__ import annotations

import itertools
import json
import random
import re
import struct
import subprocess
import zlib
from pathlib import Path

import pytest
from audio_probe import RATE, decode, header_duration, inner_silences, loudness, require_tool
from click.testing import Result
from mutagen.id3 import ID3, CTOCFlags
from typer.testing import CliRunner

from letteraudio.cli import app

ARTICLE = """\
Notes From a Small Island

The ferry left at dawn, and the island slowly disappeared behind a curtain of mist.

Gulls followed us for an hour, then gave up and turned back toward the cliffs.

By noon the sea was calm and the passengers had fallen quiet, watching the horizon.

When the harbour finally appeared, a cheer went up from the crowded upper deck.
"""
PARAGRAPHS = 4
LONG_PAUSE = 0.7


def tiny_png() -> bytes:
    """A valid 1x1 PNG, made here so the test needs no image files."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x80\x00")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def invoke(*args: str) -> Result:
    return CliRunner().invoke(app, list(args))


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("podcast")
    (path / "island.txt").write_text(ARTICLE, encoding="utf-8")
    (path / "cover.png").write_bytes(tiny_png())
    return path


@pytest.fixture(scope="module")
def episode(folder: Path) -> Path:
    out = folder / "island.mp3"
    result = CliRunner().invoke(
        app,
        ["render", str(folder / "island.txt"), "-o", str(out), "--deterministic",
         "--author", "Mara Quill", "--show", "Sea Letters", "--description", "A crossing.",
         "--date", "2026-11-28", "--cover", str(folder / "cover.png")],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert re.search(r"-1[56]\.\d LUFS, -\d+\.\d dBTP, 4 chapters", result.stdout), result.stdout
    return out


# --- loudness ------------------------------------------------------------------------


def test_loudness_and_true_peak_meet_the_podcast_target(episode: Path) -> None:
    integrated, true_peak = loudness(decode(episode))
    assert -17.0 <= integrated <= -15.0
    assert true_peak <= -1.0


def test_level_is_even_from_paragraph_to_paragraph(episode: Path) -> None:
    samples = decode(episode)
    pauses = inner_silences(samples, LONG_PAUSE)
    edges = [0, *[round(p.end * RATE) for p in pauses]]
    ends = [*[round(p.start * RATE) for p in pauses], len(samples)]
    levels = [loudness(samples[a:b])[0] for a, b in zip(edges, ends, strict=True)][1:]
    assert len(levels) == PARAGRAPHS
    assert max(levels) - min(levels) <= 2.0, levels


def test_other_targets_and_no_normalize(folder: Path) -> None:
    quiet = folder / "quiet.mp3"
    raw = folder / "raw.mp3"
    article = str(folder / "island.txt")
    assert invoke("render", article, "-o", str(quiet), "--loudness", "-20", "-q").exit_code == 0
    result = CliRunner().invoke(app, ["render", article, "-o", str(raw), "--no-normalize"])
    assert result.exit_code == 0
    assert "LUFS" not in result.stdout
    assert -21.0 <= loudness(decode(quiet))[0] <= -19.0
    assert loudness(decode(raw))[0] < -20.0  # the voice's own level is well below -16


# --- duration and decoding ------------------------------------------------------------


def test_header_duration_matches_the_decoded_duration(episode: Path) -> None:
    decoded = len(decode(episode)) / RATE
    assert abs(header_duration(episode) - decoded) <= 0.05
    assert abs(int(str(ID3(episode)["TLEN"])) / 1000 - decoded) <= 0.05


def test_two_independent_decoders_find_no_damage(episode: Path) -> None:
    ffmpeg = require_tool("ffmpeg")
    strict = subprocess.run(
        [ffmpeg, "-v", "error", "-xerror", "-i", str(episode), "-map", "0:a", "-f", "null", "-"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert strict.returncode == 0 and strict.stderr == "", strict.stderr
    mpg123 = require_tool("mpg123")
    test_run = subprocess.run(
        [mpg123, "-t", str(episode)], capture_output=True, text=True, check=False
    )
    assert "Decoding of island.mp3 finished" in test_run.stderr
    assert not re.search(r"error|warning|illegal|junk|can't", test_run.stderr, re.I), (
        test_run.stderr
    )
    pcm = subprocess.run([mpg123, "-q", "-s", str(episode)], capture_output=True, check=True).stdout
    assert abs(len(pcm) / 2 / RATE - len(decode(episode)) / RATE) <= 0.03


# --- tags and chapters ----------------------------------------------------------------


def test_tags_read_back(episode: Path, folder: Path) -> None:
    tag = ID3(episode, translate=False)  # the frames as stored, not upgraded to v2.4
    assert tag.version == (2, 3, 0)
    assert str(tag["TIT2"]) == "Notes From a Small Island"
    assert str(tag["TPE1"]) == "Mara Quill"
    assert str(tag["TALB"]) == "Sea Letters"
    assert str(tag["TCON"]) == "Podcast"
    assert (str(tag["TYER"]), str(tag["TDAT"])) == ("2026", "2811")
    assert "TDRC" not in tag
    assert str(tag["TLAN"]) == "eng"
    assert [str(c) for c in tag.getall("COMM")] == ["A crossing."]
    (picture,) = tag.getall("APIC")
    assert (picture.type, picture.mime, picture.desc) == (3, "image/png", "")
    assert picture.data == (folder / "cover.png").read_bytes()


def test_one_chapter_per_paragraph_starting_where_its_speech_starts(episode: Path) -> None:
    tag = ID3(episode)
    chapters = sorted(tag.getall("CHAP"), key=lambda c: c.start_time)
    assert len(chapters) == PARAGRAPHS
    (toc,) = tag.getall("CTOC")
    assert toc.flags & CTOCFlags.TOP_LEVEL and toc.flags & CTOCFlags.ORDERED
    assert list(toc.child_element_ids) == [c.element_id for c in chapters]
    # The title and the first paragraph share the first chapter, which starts at 0.
    assert chapters[0].start_time == 0
    assert str(chapters[0].sub_frames["TIT2"]) == "Notes From a Small Island"
    assert str(chapters[1].sub_frames["TIT2"]) == "Gulls followed us for an hour,\u2026"
    speech_starts = [p.end for p in inner_silences(decode(episode), LONG_PAUSE)][1:]
    for chapter, speech in zip(chapters[1:], speech_starts, strict=True):
        assert abs(chapter.start_time / 1000 - speech) <= 0.05
    for before, after in itertools.pairwise(chapters):
        assert before.end_time == after.start_time
    assert abs(chapters[-1].end_time / 1000 - len(decode(episode)) / RATE) <= 0.05


def test_ffprobe_lists_the_chapters_in_order(episode: Path) -> None:
    ffprobe = require_tool("ffprobe")
    listed = subprocess.run(
        [ffprobe, "-v", "error", "-show_chapters", "-of", "json", str(episode)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    chapters = json.loads(listed.stdout)["chapters"]
    assert len(chapters) == PARAGRAPHS
    starts = [float(c["start_time"]) for c in chapters]
    assert starts == sorted(starts) and starts[0] == 0


def test_same_input_same_bytes_and_id3v24(folder: Path, episode: Path) -> None:
    again = folder / "again.mp3"
    args = ["render", str(folder / "island.txt"), "--deterministic", "--author", "Mara Quill",
            "--show", "Sea Letters", "--description", "A crossing.", "--date", "2026-11-28",
            "--cover", str(folder / "cover.png"), "--no-cache", "-q"]  # fmt: skip
    assert invoke(*args, "-o", str(again)).exit_code == 0
    assert again.read_bytes() == episode.read_bytes()
    v24 = folder / "v24.mp3"
    assert invoke(*args, "-o", str(v24), "--id3v24", "--chapters", "none").exit_code == 0
    tag = ID3(v24)
    assert tag.version == (2, 4, 0)
    assert str(tag["TDRC"]) == "2026-11-28"
    assert tag.getall("CHAP") == [] and tag.getall("CTOC") == []


def test_config_file_supplies_metadata_and_options_win(tmp_path: Path) -> None:
    (tmp_path / "letteraudio.toml").write_text(
        '[metadata]\nauthor = "From Config"\nshow = "Config Show"\n', encoding="utf-8"
    )
    article = tmp_path / "a.txt"
    article.write_text("Short words here.\n", encoding="utf-8")
    out = tmp_path / "a.mp3"
    config = str(tmp_path / "letteraudio.toml")
    result = invoke("render", str(article), "-o", str(out), "--config", config, "--show", "Mine")
    assert result.exit_code == 0
    tag = ID3(out)
    assert (str(tag["TPE1"]), str(tag["TALB"]), str(tag["TIT2"])) == ("From Config", "Mine", "a")
    (tmp_path / "letteraudio.toml").write_text('[metadata]\nauthr = "typo"\n', encoding="utf-8")
    result = invoke("render", str(article), "-o", str(out), "--config", config)
    assert result.exit_code == 2
    assert "unknown metadata key 'authr'" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--cover", "{folder}/island.txt"], "not a JPEG or PNG"),
        (["--cover", "{folder}/missing.png"], "cannot read"),
        (["--date", "28/11/2026"], "give YYYY or YYYY-MM-DD"),
        (["--date", "2026-13-01"], "give YYYY or YYYY-MM-DD"),
        (["--loudness", "-3"], "less than or equal to -14"),
        (["--loudness", "-30"], "greater than or equal to -24"),
    ],
)
def test_bad_tag_options_are_refused_before_any_work(
    folder: Path, args: list[str], message: str
) -> None:
    out = folder / "refused.mp3"
    args = [a.format(folder=folder) for a in args]
    result = invoke("render", str(folder / "island.txt"), "-o", str(out), *args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert not out.exists()


# --- letteraudio check -----------------------------------------------------------------


def reencode(source: Path, target: Path, audio_filter: str, bitrate: str = "96k") -> Path:
    """Re-encode an MP3 through the system ffmpeg with an audio filter."""
    ffmpeg = require_tool("ffmpeg")
    subprocess.run(
        [ffmpeg, "-v", "error", "-i", str(source), "-af", audio_filter, "-c:a", "libmp3lame",
         "-b:a", bitrate, str(target)],
        check=True,
    )  # fmt: skip
    return target


def check(path: Path, *args: str) -> tuple[int, dict[str, object]]:
    result = CliRunner().invoke(app, ["check", str(path), "--json", *args])
    report = json.loads(result.stdout)
    return result.exit_code, report


def failed(report: dict[str, object]) -> set[str]:
    return {c["check"] for c in report["checks"] if c["status"] == "fail"}  # type: ignore[attr-defined, index]


def test_check_passes_a_rendered_episode(episode: Path) -> None:
    code, report = check(episode)
    assert code == 0 and report["passed"] is True
    assert failed(report) == set()
    table = CliRunner().invoke(app, ["check", str(episode)])
    assert table.exit_code == 0
    for words in ("MPEG-1 Layer III", "44100 Hz", "96 kbps CBR", "Info", "ID3v2.3", "4 chapters"):
        assert words in table.stdout


def test_check_fails_junk_in_the_middle(episode: Path, tmp_path: Path) -> None:
    data = episode.read_bytes()
    middle = len(data) // 2
    damaged = tmp_path / "junk.mp3"
    damaged.write_bytes(data[:middle] + bytes(range(256)) * 8 + data[middle:])
    code, report = check(damaged)
    assert code == 1
    assert "frames" in failed(report)


def test_check_fails_a_truncated_tail(episode: Path, tmp_path: Path) -> None:
    data = episode.read_bytes()
    damaged = tmp_path / "cut.mp3"
    damaged.write_bytes(data[: len(data) * 3 // 4 + 77])
    code, report = check(damaged)
    assert code == 1
    assert {"frames", "duration"} <= failed(report)


def frame_starts(data: bytes) -> list[int]:
    """Where each MPEG frame starts, walked by the frame lengths their headers give."""
    from letteraudio.mp3frames import audio_end, id3v2_size, parse_header

    starts, pos, end = [], id3v2_size(data), audio_end(data)
    while pos < end and (header := parse_header(data, pos)) is not None:
        starts.append(pos)
        pos += header.length
    return starts


def damaged(data: bytes, kind: str) -> bytes:
    """The episode damaged one way: the corpus `check` was proved on when it moved from
    ffmpeg's decoder to libsndfile's mpg123. Both fail every file on the rules below but one:
    ffmpeg concealed the damaged side information without a word, mpg123 reports it."""
    rng = random.Random(26)
    starts = frame_starts(data)
    out = bytearray(data)
    if kind == "truncated mid-frame":
        return data[:-100]
    if kind == "junk between frames":
        return data[: starts[200]] + bytes(range(256)) * 8 + data[starts[200] :]
    if kind == "random side information":
        out[starts[50] + 10 : starts[50] + 30] = rng.randbytes(20)
    elif kind == "random bytes over frames":
        out[starts[30] : starts[30] + 600] = rng.randbytes(600)
    elif kind == "wrong sample rate in a header":
        out[starts[30] + 2] ^= 0x0C
    elif kind == "wrong layer in a header":
        out[starts[1] + 1] = 0xF3
    elif kind == "zeros after the audio":
        return data + bytes(5000)
    return bytes(out)


@pytest.mark.parametrize(
    ("kind", "rules"),
    [
        ("truncated mid-frame", {"frames"}),
        ("junk between frames", {"frames", "decoding"}),
        ("random side information", {"decoding"}),
        ("random bytes over frames", {"frames", "decoding"}),
        ("wrong sample rate in a header", {"frames", "decoding"}),
        ("wrong layer in a header", {"frames"}),
        ("zeros after the audio", {"frames"}),
    ],
)
def test_check_fails_each_damaged_file_on_its_rules(
    episode: Path, tmp_path: Path, kind: str, rules: set[str]
) -> None:
    broken = tmp_path / "damaged.mp3"
    broken.write_bytes(damaged(episode.read_bytes(), kind))
    code, report = check(broken)
    assert code == 1 and report["passed"] is False
    assert rules <= failed(report), report


def test_check_reports_what_the_decoder_complained_about(episode: Path, tmp_path: Path) -> None:
    """Frames whose headers are whole but whose contents are not: only the decoder can tell,
    and its own words are the finding's detail (mpg123 writes them to standard error)."""
    broken = tmp_path / "side.mp3"
    broken.write_bytes(damaged(episode.read_bytes(), "random side information"))
    result = CliRunner().invoke(app, ["check", str(broken), "--json"])
    (decoding,) = [c for c in json.loads(result.stdout)["checks"] if c["check"] == "decoding"]
    assert decoding["status"] == "fail" and "error" in decoding["detail"], decoding
    assert decoding["value"].endswith("errors")


def test_check_fails_a_too_loud_file(episode: Path, tmp_path: Path) -> None:
    loud = reencode(episode, tmp_path / "loud.mp3", "volume=8dB")
    code, report = check(loud)
    assert code == 1
    assert {"loudness", "true peak"} <= failed(report)


def test_check_fails_broken_chapters(episode: Path, tmp_path: Path) -> None:
    broken = tmp_path / "chapters.mp3"
    broken.write_bytes(episode.read_bytes())
    tag = ID3(broken)
    chapters = sorted(tag.getall("CHAP"), key=lambda c: c.start_time)
    chapters[1].start_time = chapters[0].end_time - 500  # overlaps the first
    tag.save(v2_version=3)
    code, report = check(broken)
    assert code == 1
    assert "chapters" in failed(report)


def test_check_refuses_a_missing_file(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["check", str(tmp_path / "nope.mp3")])
    assert result.exit_code == 2
    assert "no such file" in result.stderr


def test_check_fails_a_file_that_is_not_mp3(tmp_path: Path) -> None:
    other = tmp_path / "not.mp3"
    other.write_bytes(b"RIFF" + bytes(2000))
    code, report = check(other)
    assert code == 1 and failed(report) == {"codec"}


def test_check_measures_stereo_as_stereo(episode: Path, tmp_path: Path) -> None:
    ffmpeg = require_tool("ffmpeg")
    good = tmp_path / "stereo.mp3"
    subprocess.run(
        [ffmpeg, "-v", "error", "-i", str(episode), "-af", "loudnorm=I=-16:TP=-2:LRA=11",
         "-ar", "48000", "-ac", "2", "-c:a", "libmp3lame", "-b:a", "128k", str(good)],
        check=True,
    )  # fmt: skip
    code, report = check(good)
    assert code == 0, report
    # 2.5 dB hotter: about -13.5 LUFS measured over both channels, as BS.1770 sums them.
    hot = reencode(good, tmp_path / "hot.mp3", "volume=2.5dB", bitrate="128k")
    code, report = check(hot)
    assert code == 1 and "loudness" in failed(report)


def test_check_accepts_low_cbr_bitrates_and_tags_at_the_end(folder: Path, tmp_path: Path) -> None:
    low = tmp_path / "low.mp3"
    assert (
        invoke(
            "render",
            str(folder / "island.txt"),
            "-o",
            str(low),
            "--bitrate",
            "48",
            "--deterministic",
        ).exit_code
        == 0
    )
    code, report = check(low)
    assert code == 0, report
    (bitrate,) = [c for c in report["checks"] if c["check"] == "bitrate"]  # type: ignore[index, union-attr]
    assert (bitrate["value"], bitrate["status"]) == ("48 kbps CBR", "warn")
    tagged = tmp_path / "tagged.mp3"
    footer = b"APETAGEX" + (2000).to_bytes(4, "little") + (32).to_bytes(4, "little")
    footer += (0).to_bytes(4, "little") + (0).to_bytes(4, "little") + bytes(8)
    tagged.write_bytes(low.read_bytes() + footer)
    code, report = check(tagged)
    assert code == 0, report


def test_a_short_text_reaches_the_target_or_says_so(tmp_path: Path) -> None:
    article = tmp_path / "short.txt"
    article.write_text("Hello there. How are you today?\n", encoding="utf-8")
    out = tmp_path / "short.mp3"
    result = CliRunner().invoke(app, ["render", str(article), "-o", str(out)])
    assert result.exit_code == 0
    integrated, true_peak = loudness(decode(out))
    assert true_peak <= -1.0
    assert abs(integrated + 16) <= 1.0 or "Note: it measures" in result.stderr


def test_headings_become_chapters(tmp_path: Path) -> None:
    article = tmp_path / "parts.txt"
    article.write_text(
        "Two Journeys\n\n"
        "An opening paragraph that sets the scene for what follows.\n\n"
        "By Sea\n\n"
        "The ferry crossed the bay slowly, rolling with every wave.\n\n"
        "Another paragraph about the sea, the gulls and the harbour lights.\n\n"
        "By Land\n\n"
        "The train climbed through the hills and down into the valley.\n",
        encoding="utf-8",
    )
    by_heading, by_paragraph = tmp_path / "h.mp3", tmp_path / "p.mp3"
    assert invoke("render", str(article), "-o", str(by_heading), "-q").exit_code == 0
    assert invoke("render", str(article), "-o", str(by_paragraph), "--chapters", "paragraphs",
                  "-q").exit_code == 0  # fmt: skip
    titles = [str(c.sub_frames["TIT2"]) for c in
              sorted(ID3(by_heading).getall("CHAP"), key=lambda c: c.start_time)]  # fmt: skip
    assert titles == ["Two Journeys", "By Sea", "By Land"]
    assert len(ID3(by_paragraph).getall("CHAP")) == 4


def test_check_accepts_nested_tables_of_contents(episode: Path, tmp_path: Path) -> None:
    from mutagen.id3 import CTOC, TIT2

    nested = tmp_path / "nested.mp3"
    nested.write_bytes(episode.read_bytes())
    tag = ID3(nested)
    (top,) = tag.getall("CTOC")
    ids = list(top.child_element_ids)
    tag.delall("CTOC")
    flags = CTOCFlags.ORDERED
    tag.add(
        CTOC(
            element_id="part1",
            flags=flags,
            child_element_ids=ids[:2],
            sub_frames=[TIT2(text=["1"])],
        )
    )
    tag.add(
        CTOC(
            element_id="part2",
            flags=flags,
            child_element_ids=ids[2:],
            sub_frames=[TIT2(text=["2"])],
        )
    )
    tag.add(
        CTOC(
            element_id="toc",
            flags=CTOCFlags.TOP_LEVEL | flags,
            child_element_ids=["part1", "part2"],
        )
    )
    tag.save(v2_version=3)
    code, report = check(nested)
    assert code == 0, report
    tag = ID3(nested)
    top = next(t for t in tag.getall("CTOC") if t.element_id == "toc")
    top.child_element_ids = ["part2", "part1"]  # out of time order
    tag.save(v2_version=3)
    assert check(nested)[0] == 1
