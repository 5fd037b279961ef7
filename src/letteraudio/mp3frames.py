"""Walk an MP3's frames: structure, Xing/Info header and LAME gapless info, read from the bytes.

Independent of any decoder: a stream is intact when every frame follows the one before
it, from the first to the last byte of audio, and the Xing header counts them all.
"""

from __future__ import annotations

from dataclasses import dataclass, field

_BITRATES = {
    1: (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320),
    2: (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),
}
_SAMPLE_RATES = {1: (44100, 48000, 32000), 2: (22050, 24000, 16000), 25: (11025, 12000, 8000)}
_VERSIONS = {0b11: 1, 0b10: 2, 0b00: 25}


@dataclass(frozen=True)
class FrameHeader:
    """The fields of one MPEG audio Layer III frame header."""

    version: int  # 1, 2 or 25 (MPEG 2.5)
    bitrate_kbps: int
    sample_rate: int
    padding: bool
    channels: int

    @property
    def samples(self) -> int:
        return 1152 if self.version == 1 else 576

    @property
    def length(self) -> int:
        """Bytes in the frame, header included."""
        return self.samples // 8 * self.bitrate_kbps * 1000 // self.sample_rate + self.padding

    @property
    def side_info(self) -> int:
        if self.version == 1:
            return 17 if self.channels == 1 else 32
        return 9 if self.channels == 1 else 17


@dataclass
class StreamInfo:
    """What walking the frames found."""

    frames: int = 0
    audio_start: int = 0
    audio_bytes: int = 0
    """Bytes of audio frames, the Xing frame not counted."""
    first: FrameHeader | None = None
    bitrates: set[int] = field(default_factory=set)
    junk_at: list[int] = field(default_factory=list)
    """Byte offsets where something other than a frame stood between frames."""
    truncated: bool = False
    xing: str | None = None
    """``Xing`` (VBR) or ``Info`` (CBR) when the first frame carries that header."""
    xing_frames: int | None = None
    encoder_delay: int = 0
    encoder_padding: int = 0

    @property
    def audio_frames(self) -> int:
        """Frames of audio, not counting the Xing/Info frame."""
        return self.frames - (1 if self.xing else 0)

    @property
    def average_bitrate_kbps(self) -> float:
        """Audio bits over audio time (what a VBR file costs on average)."""
        if self.first is None or not self.audio_frames:
            return 0.0
        seconds = self.audio_frames * self.first.samples / self.first.sample_rate
        return self.audio_bytes * 8 / seconds / 1000

    @property
    def header_duration(self) -> float | None:
        """Duration the Xing header promises, with the encoder's delay and padding taken off."""
        if self.first is None or self.xing_frames is None:
            return None
        samples = self.xing_frames * self.first.samples - self.encoder_delay - self.encoder_padding
        return samples / self.first.sample_rate


def parse_header(data: bytes, pos: int) -> FrameHeader | None:
    """The Layer III frame header at ``pos``, or None when there is none."""
    if pos + 4 > len(data) or data[pos] != 0xFF or data[pos + 1] & 0xE0 != 0xE0:
        return None
    b1, b2, b3 = data[pos + 1], data[pos + 2], data[pos + 3]
    version = _VERSIONS.get((b1 >> 3) & 0b11)
    layer = (b1 >> 1) & 0b11
    bitrate_index, rate_index = b2 >> 4, (b2 >> 2) & 0b11
    if version is None or layer != 0b01 or bitrate_index in (0, 15) or rate_index == 3:
        return None
    return FrameHeader(
        version=version,
        bitrate_kbps=_BITRATES[1 if version == 1 else 2][bitrate_index],
        sample_rate=_SAMPLE_RATES[version][rate_index],
        padding=bool((b2 >> 1) & 1),
        channels=1 if b3 >> 6 == 0b11 else 2,
    )


def id3v2_size(data: bytes) -> int:
    """Bytes taken by a leading ID3v2 tag (0 when there is none)."""
    if len(data) < 10 or data[:3] != b"ID3":
        return 0
    size = (data[6] & 0x7F) << 21 | (data[7] & 0x7F) << 14 | (data[8] & 0x7F) << 7 | data[9] & 0x7F
    footer = 10 if data[5] & 0x10 else 0
    return 10 + size + footer


def walk(data: bytes) -> StreamInfo:
    """Walk every frame of an MP3 file's bytes."""
    info = StreamInfo(audio_start=id3v2_size(data))
    end = audio_end(data)
    pos = info.audio_start
    while pos < end:
        header = parse_header(data, pos)
        if header is None or header.length <= 4:
            if info.frames:
                info.junk_at.append(pos)
            pos = _resync(data, pos + 1, end)
            continue
        if pos + header.length > end:
            info.truncated = True
            break
        if info.first is None:
            info.first = header
            _read_xing(data, pos, header, info)
        elif header.sample_rate != info.first.sample_rate or header.version != info.first.version:
            info.junk_at.append(pos)  # a frame that cannot belong to this stream
        if info.frames or not info.xing:  # the Xing frame's own bitrate says nothing
            info.bitrates.add(header.bitrate_kbps)
            info.audio_bytes += header.length
        info.frames += 1
        pos += header.length
    return info


def audio_end(data: bytes) -> int:
    """Where the audio ends: before an ID3v1 tag, a Lyrics3v2 block and an APEv2 tag."""
    end = len(data)
    if data[end - 128 : end - 125] == b"TAG":
        end -= 128
    if data[end - 9 : end] == b"LYRICS200" and data[end - 15 : end - 9].isdigit():
        end -= int(data[end - 15 : end - 9]) + 15
    if data[end - 32 : end - 24] == b"APETAGEX":
        size = int.from_bytes(data[end - 20 : end - 16], "little")
        has_header = bool(int.from_bytes(data[end - 12 : end - 8], "little") & 0x80000000)
        end -= size + (32 if has_header else 0)
    return max(end, 0)


def _resync(data: bytes, pos: int, end: int) -> int:
    """The next offset where two valid frames follow each other, or ``end``."""
    while True:
        pos = data.find(b"\xff", pos, end)
        if pos < 0:
            return end
        header = parse_header(data, pos)
        if header and header.length > 4 and parse_header(data, pos + header.length):
            return pos
        pos += 1


def _read_xing(data: bytes, pos: int, header: FrameHeader, info: StreamInfo) -> None:
    """Read the Xing/Info header (and the LAME tag after it) from the first frame."""
    at = pos + 4 + header.side_info
    tag = data[at : at + 4]
    if tag not in (b"Xing", b"Info"):
        return
    info.xing = tag.decode("ascii")
    flags = int.from_bytes(data[at + 4 : at + 8], "big")
    cursor = at + 8
    if flags & 1:
        info.xing_frames = int.from_bytes(data[cursor : cursor + 4], "big")
        cursor += 4
    cursor += 4 * bool(flags & 2) + 100 * bool(flags & 4) + 4 * bool(flags & 8)
    lame = data[cursor : cursor + 36]
    if len(lame) == 36 and lame[:4] in (b"LAME", b"Lavc", b"Lavf", b"L3.9"):
        delays = int.from_bytes(lame[21:24], "big")
        info.encoder_delay, info.encoder_padding = delays >> 12, delays & 0xFFF
