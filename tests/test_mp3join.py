"""Chunks encoded apart and joined: exact timing in independent decoders, a true header."""

from __future__ import annotations

import io
import os
import subprocess
from pathlib import Path

import numpy as np
import pytest
import soundfile
from audio_probe import require_tool

from letteraudio.audio.frames import walk
from letteraudio.audio.mp3join import (
    FRAME_SAMPLES,
    LAME_SCALE,
    Mp3Joiner,
    crc16,
    crc16_combine,
    encode_chunk,
    fit_to_frames,
    info_frame,
    samples_for_frames,
    split_info_frame,
)
from letteraudio.check import Status, check_mp3

RATE = 44_100


def reference_crc16(data: bytes) -> int:
    """CRC-16/ARC the slow, obvious way."""
    crc = 0
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
    return crc


@pytest.mark.parametrize("length", [0, 1, 9, 2047, 2048, 70_001])
def test_crc16_matches_the_plain_definition(length: int) -> None:
    data = np.random.default_rng(length).integers(0, 256, length, dtype=np.uint8).tobytes()
    assert crc16(data) == reference_crc16(data)
    assert crc16(b"123456789") == 0xBB3D  # the catalogue's check value for CRC-16/ARC


def test_crc16_combines() -> None:
    first, second = os.urandom(3000), os.urandom(4321)
    assert crc16_combine(crc16(first), crc16(second), len(second)) == crc16(first + second)


def burst_chunk(seconds: float, frequency: float) -> np.ndarray:
    """100 ms of tone, then silence up to ``seconds``."""
    pcm = np.zeros(round(seconds * RATE), dtype=np.int16)
    t = np.arange(round(0.1 * RATE)) / RATE
    pcm[: len(t)] = np.round(np.sin(2 * np.pi * frequency * t) * 12000).astype(np.int16)
    return pcm


def ffmpeg_encoded(pcm: np.ndarray, folder: Path, bitrate_kbps: int = 96) -> bytes:
    """The same PCM encoded by ffmpeg's libmp3lame, which writes its own Info frame: the
    independent reference for the header letteraudio writes."""
    command = [require_tool("ffmpeg"), "-v", "error", "-f", "s16le", "-ar", str(RATE),
               "-ac", "1", "-i", "pipe:0", "-c:a", "libmp3lame", "-b:a", f"{bitrate_kbps}k",
               "-fflags", "+bitexact", "-flags:a", "+bitexact", "-id3v2_version", "0",
               "-write_xing", "1", "-f", "mp3", "-y", str(folder / "ffmpeg.mp3")]  # fmt: skip
    subprocess.run(command, input=pcm.tobytes(), capture_output=True, check=True)
    return (folder / "ffmpeg.mp3").read_bytes()


LAME_TAG = 4 + 17 + 4 + 4 + 4 + 4 + 100 + 4


@pytest.mark.parametrize("bitrate", [96, 48, 32])
def test_our_info_frame_says_what_ffmpeg_says_for_the_same_audio(
    bitrate: int, tmp_path: Path
) -> None:
    pcm = burst_chunk(1.0, 440)
    chunk = encode_chunk(pcm, RATE, bitrate)
    ours = walk(chunk.info_frame + chunk.frames)
    reference = ffmpeg_encoded(pcm, tmp_path, bitrate)
    theirs = walk(reference)
    fields = ("xing", "xing_frames", "audio_frames", "encoder_delay", "encoder_padding")
    assert [getattr(ours, f) for f in fields] == [getattr(theirs, f) for f in fields]
    assert chunk.info_frame[:4] == reference[:4]  # same header (a higher bitrate at 32, 48)
    assert len(chunk.info_frame) == theirs.audio_start + parse_length(reference)
    assert not ours.junk_at and ours.bitrates == {bitrate}


def test_a_long_chunk_given_to_lame_in_pieces_encodes_as_in_one_go() -> None:
    """encode_chunk feeds LAME a piece at a time, never a copy of the whole paragraph's
    bytes: the frames are those LAME makes from all of it at once."""
    import lameenc

    from letteraudio.audio.mp3join import ENCODE_PIECE, LAME_QUALITY

    rng = np.random.default_rng(5)
    pcm = (rng.standard_normal(3 * ENCODE_PIECE + 999) * 4000).astype(np.int16)
    encoder = lameenc.Encoder()
    encoder.set_bit_rate(96)
    encoder.set_in_sample_rate(RATE)
    encoder.set_out_sample_rate(RATE)
    encoder.set_channels(1)
    encoder.set_quality(LAME_QUALITY)
    whole = bytes(encoder.encode(pcm.tobytes())) + bytes(encoder.flush())
    chunk = encode_chunk(pcm, RATE, 96)
    assert chunk.frames == whole and chunk.frame_count == walk(whole).frames


def parse_length(data: bytes) -> int:
    from letteraudio.audio.frames import parse_header

    header = parse_header(data, 0)
    assert header is not None
    return header.length


def test_our_crcs_are_the_ones_ffmpeg_writes(tmp_path: Path) -> None:
    reference = ffmpeg_encoded(burst_chunk(1.0, 440), tmp_path)
    ffmpeg_chunk = split_info_frame(reference)
    frame = ffmpeg_chunk.info_frame
    assert frame[LAME_TAG : LAME_TAG + 4] in (b"LAME", b"Lavf", b"Lavc")  # the LAME tag
    assert int.from_bytes(frame[LAME_TAG + 32 : LAME_TAG + 34], "big") == crc16(ffmpeg_chunk.frames)
    zeroed = frame[: LAME_TAG + 34] + b"\0\0" + frame[LAME_TAG + 36 :]
    assert int.from_bytes(frame[LAME_TAG + 34 : LAME_TAG + 36], "big") == crc16(zeroed[:190])
    # ffmpeg's header rebuilt by letteraudio for the same frames gives it back.
    before = walk(reference)
    rebuilt = info_frame(
        frame,
        ffmpeg_chunk.frame_count,
        len(frame) + len(ffmpeg_chunk.frames),
        before.encoder_padding,
        crc16(ffmpeg_chunk.frames),
    )
    # Delay and padding, length and music CRC as ffmpeg wrote them; our own TOC (linear,
    # for CBR) and so the tag CRC over it, by ffmpeg's definition.
    assert rebuilt[LAME_TAG + 21 : LAME_TAG + 34] == frame[LAME_TAG + 21 : LAME_TAG + 34]
    assert int.from_bytes(rebuilt[LAME_TAG + 34 : LAME_TAG + 36], "big") == crc16(
        rebuilt[: LAME_TAG + 34] + b"\0\0" + rebuilt[LAME_TAG + 36 : 190]
    )


def test_lame_scales_by_its_known_factor() -> None:
    """What mastering predicts instead of decoding: the decoded audio is the PCM times
    LAME_SCALE, at every frequency, plus noise far below it."""
    t = np.arange(3 * RATE) / RATE
    for frequency in (150.0, 1000.0, 6000.0):
        pcm = np.round(10000 * np.sin(2 * np.pi * frequency * t)).astype(np.int16)
        fitted = fit_to_frames(pcm, 0)
        chunk = encode_chunk(fitted, RATE, 96)
        decoded, _ = soundfile.read(io.BytesIO(chunk.info_frame + chunk.frames), dtype="int16")
        middle = slice(RATE // 2, -RATE // 2)
        gain = np.sqrt(np.mean(decoded[middle].astype(float) ** 2)) / np.sqrt(
            np.mean(fitted[middle].astype(float) ** 2)
        )
        assert gain == pytest.approx(LAME_SCALE, abs=0.002), frequency


@pytest.mark.parametrize("frames", [2, 3, 40])
def test_the_encoder_takes_the_frames_we_plan_for(frames: int) -> None:
    pcm = np.zeros(samples_for_frames(frames), dtype=np.int16)
    assert encode_chunk(pcm, RATE, 96).frame_count == frames
    one_more = np.zeros(samples_for_frames(frames) + 1, dtype=np.int16)
    assert encode_chunk(one_more, RATE, 96).frame_count == frames + 1


def test_a_chunk_fits_whole_frames_without_cutting_sound() -> None:
    pcm = burst_chunk(0.5, 440)
    fitted = fit_to_frames(pcm, silent_tail=len(pcm) - round(0.1 * RATE))
    chunk = encode_chunk(fitted, RATE, 96)
    assert chunk.decoded_samples == pytest.approx(len(pcm), abs=FRAME_SAMPLES / 2)
    assert np.array_equal(fitted[: round(0.1 * RATE)], pcm[: round(0.1 * RATE)])
    # No silence to spare: frames are added, never sound cut.
    loud = burst_chunk(0.1, 440)
    assert len(fit_to_frames(loud, silent_tail=0)) >= len(loud)


def decode_with(tool: str, path: Path) -> np.ndarray:
    if tool == "mpg123":
        command = [require_tool("mpg123"), "-q", "-s", "--mono", str(path)]
    else:
        command = [require_tool("ffmpeg"), "-v", "error", "-xerror", "-i", str(path),
                   "-f", "s16le", "-ac", "1", "-"]  # fmt: skip
    result = subprocess.run(command, capture_output=True, check=True)
    return np.frombuffer(result.stdout, dtype=np.int16)


def onsets(samples: np.ndarray) -> list[int]:
    loud = np.abs(samples.astype(np.int32)) > 3000
    starts = np.flatnonzero(loud[1:] & ~loud[:-1]) + 1
    return [int(s) for s in starts if not loud[max(0, s - 2000) : s].any()]


@pytest.mark.parametrize("decoder", ["ffmpeg", "mpg123", "libsndfile"])
def test_joined_chunks_play_gapless_with_every_chunk_where_it_should_be(
    tmp_path: Path, decoder: str
) -> None:
    lengths = [0.7, 1.3, 0.45, 2.0]
    target = tmp_path / "joined.mp3"
    starts = []
    with target.open("wb") as stream:
        joiner = Mp3Joiner(stream)
        for number, seconds in enumerate(lengths):
            pcm = fit_to_frames(burst_chunk(seconds, 300 + 200 * number), silent_tail=RATE // 4)
            starts.append(joiner.decoded_samples)
            joiner.add(encode_chunk(pcm, RATE, 96), len(pcm))
        length = joiner.finish()
    if decoder == "libsndfile":
        samples, _ = soundfile.read(str(target), dtype="int16")
    else:
        samples = decode_with(decoder, target)
    assert len(samples) == length  # the LAME tag's delay and padding are exact
    found = onsets(samples)
    assert len(found) == len(lengths)
    # The tone starts at exactly the chunk's place (its first samples are near zero).
    assert all(0 <= f - s <= 8 for f, s in zip(found, starts, strict=True)), (found, starts)


def test_a_joined_file_passes_check_and_has_one_true_header(tmp_path: Path) -> None:
    target = tmp_path / "joined.mp3"
    with target.open("wb") as stream:
        joiner = Mp3Joiner(stream)
        for seconds in (1.0, 1.5):
            pcm = fit_to_frames(burst_chunk(seconds, 440), silent_tail=RATE // 2)
            joiner.add(encode_chunk(pcm, RATE, 96), len(pcm))
        length = joiner.finish()
    data = target.read_bytes()
    info = walk(data)
    assert info.xing == "Info" and not info.junk_at and not info.truncated
    assert info.xing_frames == info.audio_frames
    assert info.header_duration == pytest.approx(length / RATE, abs=1e-9)
    assert split_info_frame(data).frame_count == info.audio_frames
    findings = {f.check: f for f in check_mp3(target).findings}
    assert findings["frames"].status is Status.OK
    assert findings["duration"].status is Status.OK
    assert findings["decoding"].status is Status.OK
