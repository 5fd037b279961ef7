"""``letteraudio check``: what a podcast host would check in an MP3, judged by measurement.

The frames are walked from the bytes, the audio is fully decoded and measured (BS.1770
loudness and true peak), and the ID3 tag and its chapters are read back with mutagen.
Other tools' exit codes are not trusted: several decoders exit 0 on damaged files.
"""

from __future__ import annotations

import contextlib
import itertools
import math
import os
import re
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from enum import Enum
from pathlib import Path
from typing import Any

from letteraudio.audio.loudness import (
    DEFAULT_TARGET_LUFS,
    MAX_TRUE_PEAK_DBTP,
    Loudness,
    LoudnessMeter,
)
from letteraudio.errors import InputError
from letteraudio.mp3frames import StreamInfo, walk
from letteraudio.values import plural

DURATION_TOLERANCE_S = 0.05
LOUDNESS_TOLERANCE_LU = 1.0
MIN_BITRATE_KBPS = 32
"""Apple's minimum."""
GOOD_BITRATE_KBPS = 64
PODCAST_RATES = (44100, 48000)


class Status(str, Enum):
    OK = "ok"
    WARN = "warn"
    FAIL = "fail"


@dataclass(frozen=True)
class Finding:
    """One line of the report."""

    check: str
    value: str
    status: Status
    detail: str = ""


@dataclass(frozen=True)
class Report:
    """Every finding for one file."""

    path: Path
    findings: list[Finding]

    @property
    def passed(self) -> bool:
        return all(f.status is not Status.FAIL for f in self.findings)

    def to_json(self) -> dict[str, Any]:
        return {
            "file": str(self.path),
            "passed": self.passed,
            "checks": [{**asdict(f), "status": f.status.value} for f in self.findings],
        }


@dataclass(frozen=True)
class Decoded:
    """What a full decode found: its length, its loudness, what the decoder complained about."""

    frames: int
    rate: int
    errors: list[str]
    loudness: Loudness

    @property
    def duration(self) -> float:
        return self.frames / self.rate


def check_mp3(path: Path, target_lufs: float = DEFAULT_TARGET_LUFS) -> Report:
    """Check an MP3 against the podcast rules; never raises for a damaged file, only reports it."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise InputError(f"{path}: cannot read ({error.strerror or error})") from error
    stream = walk(data)
    findings = _stream_findings(stream)
    if stream.first is None:
        damaged = [f for f in _tag_findings(path, 0.0)[:1] if f.value == "damaged"]
        return Report(path, findings + damaged)  # a tag that hid the audio is named too
    decoded = decode(path, stream.first.sample_rate, stream.first.channels)
    findings += _decode_findings(stream, decoded)
    findings += _loudness_findings(decoded, target_lufs)
    findings += _tag_findings(path, decoded.duration)
    return Report(path, findings)


def decode(path: Path, rate: int, channels: int) -> Decoded:
    """Decode the whole file in process with libsndfile's mpg123 (a decoder that is not LAME,
    which wrote it), channels kept apart, measuring as the audio streams past (an hour of audio
    needs no more memory than a minute), keeping every error.

    mpg123 does not report what it skips or conceals through libsndfile; it writes it to the
    process's standard error, which is read back here. The length is what was decoded, not
    what the header says (libsndfile takes the Xing header's frame count as the file's)."""
    import soundfile

    meter = LoudnessMeter(channels, rate)
    frames = 0
    stopped = ""
    with _decoder_messages() as messages:
        try:
            with soundfile.SoundFile(str(path)) as audio:
                if (audio.samplerate, audio.channels) != (rate, channels):
                    stopped = f"decoded as {audio.samplerate} Hz, {audio.channels} channels"
                while not stopped and len(
                    block := audio.read(_READ_FRAMES, dtype="int16", always_2d=True)
                ):
                    meter.add(block)
                    frames += len(block)
        except (soundfile.LibsndfileError, RuntimeError) as error:
            stopped = f"decoding stopped after {frames / rate:.3f} s: {error}"
    errors = [line for line in messages if _DECODER_ERROR.search(line)]
    if stopped:
        errors.append(stopped)
    return Decoded(frames, rate, errors, meter.result())


_READ_FRAMES = 1 << 18
_DECODER_ERROR = re.compile(r"\berror\b|Illegal Audio-MPEG-Header", re.IGNORECASE)
"""mpg123's complaints (its notes on resyncing and warnings about the header are not)."""


@contextlib.contextmanager
def _decoder_messages() -> Iterator[list[str]]:
    """The lines native code writes to standard error (file descriptor 2) meanwhile, in the
    list given, once the block ends."""
    lines: list[str] = []
    with tempfile.TemporaryFile() as file:
        sys.stderr.flush()
        saved = os.dup(2)
        os.dup2(file.fileno(), 2)
        try:
            yield lines
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            file.seek(0)
            lines += file.read().decode("utf-8", "replace").strip().splitlines()


def _stream_findings(stream: StreamInfo) -> list[Finding]:
    first = stream.first
    if first is None:
        return [Finding("codec", "no MPEG audio frames", Status.FAIL, "not an MP3 file")]
    layer = f"MPEG-{'2.5' if first.version == 25 else first.version} Layer III"
    cbr = len(stream.bitrates) <= 1
    average = stream.average_bitrate_kbps
    constant = min(stream.bitrates, default=first.bitrate_kbps)
    bitrate = f"{constant if cbr else round(average)} kbps {'CBR' if cbr else 'VBR'}"
    if average < MIN_BITRATE_KBPS:
        bitrate_status, bitrate_detail = Status.FAIL, f"below {MIN_BITRATE_KBPS} kbps"
    elif average < GOOD_BITRATE_KBPS:
        bitrate_status, bitrate_detail = Status.WARN, f"below {GOOD_BITRATE_KBPS} kbps"
    else:
        bitrate_status, bitrate_detail = Status.OK, ""
    if stream.xing:
        xing_status, xing_detail = Status.OK, ""
    elif cbr:
        xing_status, xing_detail = Status.WARN, "players estimate the duration from the bitrate"
    else:
        xing_status, xing_detail = Status.FAIL, "players cannot tell a VBR file's duration"
    problems = []
    if stream.junk_at:
        problems.append(f"junk between frames at byte {stream.junk_at[0]:,}")
    if stream.truncated:
        problems.append("the last frame is cut short (truncated file)")
    if stream.xing_frames is not None and stream.xing_frames != stream.audio_frames:
        problems.append(
            f"the header counts {stream.xing_frames} frames, the file has {stream.audio_frames}"
        )
    return [
        Finding("codec", layer, Status.OK),
        Finding(
            "sample rate", f"{first.sample_rate} Hz",
            Status.OK if first.sample_rate in PODCAST_RATES else Status.WARN,
            "" if first.sample_rate in PODCAST_RATES else "podcast apps expect 44.1 or 48 kHz",
        ),
        Finding("channels", "mono" if first.channels == 1 else "stereo", Status.OK),
        Finding("bitrate", bitrate, bitrate_status, bitrate_detail),
        Finding("Xing/Info header", stream.xing or "missing", xing_status, xing_detail),
        Finding(
            "frames", f"{stream.frames:,}",
            Status.FAIL if problems else Status.OK, "; ".join(problems),
        ),
    ]  # fmt: skip


def _decode_findings(stream: StreamInfo, decoded: Decoded) -> list[Finding]:
    findings = [
        Finding(
            "decoding", f"{len(decoded.errors)} errors",
            Status.FAIL if decoded.errors else Status.OK,
            decoded.errors[0] if decoded.errors else "",
        )
    ]  # fmt: skip
    header = stream.header_duration
    if header is None:
        findings.append(
            Finding(
                "duration", f"{decoded.duration:.3f} s decoded", Status.WARN, "no header length"
            )
        )
    else:
        gap = abs(header - decoded.duration)
        findings.append(
            Finding(
                "duration", f"header {header:.3f} s, decoded {decoded.duration:.3f} s",
                Status.OK if gap <= DURATION_TOLERANCE_S else Status.FAIL,
                "" if gap <= DURATION_TOLERANCE_S else f"they differ by {gap * 1000:.0f} ms",
            )
        )  # fmt: skip
    return findings


def _loudness_findings(decoded: Decoded, target_lufs: float) -> list[Finding]:
    loudness = decoded.loudness
    lufs, peak = loudness.integrated_lufs, loudness.true_peak_dbtp
    in_range = math.isfinite(lufs) and abs(lufs - target_lufs) <= LOUDNESS_TOLERANCE_LU
    return [
        Finding(
            "loudness", f"{lufs:.1f} LUFS",
            Status.OK if in_range else Status.FAIL,
            "" if in_range else f"target {target_lufs:g} \u00b1 {LOUDNESS_TOLERANCE_LU:g} LUFS",
        ),
        Finding(
            "true peak", f"{peak:.2f} dBTP",
            Status.OK if peak <= MAX_TRUE_PEAK_DBTP else Status.FAIL,
            "" if peak <= MAX_TRUE_PEAK_DBTP else f"above {MAX_TRUE_PEAK_DBTP:g} dBTP",
        ),
    ]  # fmt: skip


def _tag_findings(path: Path, duration: float) -> list[Finding]:
    from letteraudio.tags import frame_text, read_tag

    try:
        tag = read_tag(path)
    except InputError as error:
        return [Finding("ID3 tag", "damaged", Status.FAIL, str(error).split(": ", 1)[-1])]
    if tag is None:
        return [Finding("ID3 tag", "none", Status.FAIL, "no title for players to show")]
    if tag.version[0] < 2:
        return [Finding("ID3 tag", "ID3v1 only", Status.FAIL, "no ID3v2 tag for podcast players")]
    version = f"ID3v2.{tag.version[1]}"
    findings = [
        Finding(
            "ID3 tag", version, Status.OK if tag.version[1] == 3 else Status.WARN,
            "" if tag.version[1] == 3 else "older players only read ID3v2.3",
        )
    ]  # fmt: skip
    title = frame_text(tag, "TIT2")
    findings.append(Finding("title", title or "missing", Status.OK if title else Status.FAIL))
    author = frame_text(tag, "TPE1")
    findings.append(Finding("author", author or "missing", Status.OK if author else Status.WARN))
    findings.append(_length_finding(tag, duration))
    findings.append(_chapter_finding(tag, duration))
    return findings


def _length_finding(tag: Any, duration: float) -> Finding:
    frame = tag.get("TLEN")
    if frame is None:
        return Finding("TLEN", "missing", Status.WARN, "some players take the length from it")
    try:
        length = int(str(frame)) / 1000
    except ValueError:
        return Finding("TLEN", str(frame), Status.FAIL, "not a number of milliseconds")
    gap = abs(length - duration)
    ok = gap <= DURATION_TOLERANCE_S
    return Finding(
        "TLEN", f"{length:.3f} s", Status.OK if ok else Status.FAIL,
        "" if ok else f"differs from the decoded duration by {gap * 1000:.0f} ms",
    )  # fmt: skip


def _chapter_finding(tag: Any, duration: float) -> Finding:
    chapters = tag.getall("CHAP")
    tocs = tag.getall("CTOC")
    if not chapters and not tocs:
        return Finding("chapters", "none", Status.OK)
    problems = chapter_problems(chapters, tocs, duration)
    value = plural(len(chapters), "chapter")
    return Finding("chapters", value, Status.FAIL if problems else Status.OK, "; ".join(problems))


def chapter_problems(chapters: list[Any], tocs: list[Any], duration: float) -> list[str]:
    """What is wrong with a tag's CHAP and CTOC frames (empty when nothing is)."""
    from mutagen.id3 import CTOCFlags

    problems = []
    by_time = sorted(chapters, key=lambda c: c.start_time)
    if by_time and by_time[0].start_time != 0:
        problems.append(f"the first chapter starts at {by_time[0].start_time} ms, not 0")
    for before, after in itertools.pairwise(by_time):
        if after.start_time < before.end_time:
            problems.append(f"chapters {before.element_id} and {after.element_id} overlap")
    for chapter in by_time:
        if chapter.end_time <= chapter.start_time:
            problems.append(f"chapter {chapter.element_id} ends before it starts")
        if chapter.end_time > duration * 1000 + DURATION_TOLERANCE_S * 1000:
            problems.append(f"chapter {chapter.element_id} ends after the audio")
        if not str(chapter.sub_frames.get("TIT2", "")).strip():
            problems.append(f"chapter {chapter.element_id} has no title")
    top = [t for t in tocs if t.flags & CTOCFlags.TOP_LEVEL]
    if len(top) != 1:
        problems.append(f"{len(top)} top-level tables of contents (CTOC), expected 1")
    else:
        toc = top[0]
        if not toc.flags & CTOCFlags.ORDERED:
            problems.append("the table of contents is not marked ordered")
        listed = _flatten_toc(toc, {t.element_id: t for t in tocs}, set())
        if listed != [c.element_id for c in by_time]:
            problems.append("the table of contents does not list every chapter in time order")
    return problems


def _flatten_toc(toc: Any, tables: dict[str, Any], seen: set[str]) -> list[str]:
    """The chapter ids a table of contents lists, nested tables opened in place."""
    seen.add(toc.element_id)
    ids: list[str] = []
    for child in toc.child_element_ids:
        if child in tables and child not in seen:
            ids += _flatten_toc(tables[child], tables, seen)
        elif child not in tables:
            ids.append(child)
    return ids
