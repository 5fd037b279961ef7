"""Decode and measure MP3 files in tests with a decoder independent of letteraudio."""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

RATE = 44_100
FRAME_MS = 10
PACKAGES = {"ffprobe": "ffmpeg"}
"""Debian packages named otherwise than the tool they bring."""


def require_tool(name: str) -> str:
    """Path to a system tool; in CI a missing tool fails the test instead of skipping it."""
    path = shutil.which(name)
    if path:
        return path
    package = PACKAGES.get(name, name)
    message = f"{name} is not installed (apt-get install {package}; .ci/run does)"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def require_recognizer() -> None:
    """pocketsphinx (the ``align`` extra); in CI its absence fails the test instead."""
    import importlib.util

    if importlib.util.find_spec("pocketsphinx") is not None:
        return
    message = "pocketsphinx is not installed (pip install 'letteraudio[align]')"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def decoder() -> str:
    """The system ffmpeg (Debian's, which CI installs): a judge independent of letteraudio."""
    return require_tool("ffmpeg")


def decode(path: Path, rate: int = RATE) -> np.ndarray:
    """Decode an audio file to mono float samples in [-1, 1] at ``rate``."""
    result = subprocess.run(
        [
            decoder(),
            "-v",
            "error",
            "-i",
            str(path),
            "-f",
            "s16le",
            "-ac",
            "1",
            "-ar",
            str(rate),
            "-",
        ],
        capture_output=True,
        check=True,
    )
    return np.frombuffer(result.stdout, dtype=np.int16).astype(np.float64) / 32768.0


@dataclass(frozen=True)
class Run:
    """A stretch of the audio, in seconds."""

    start: float
    end: float

    @property
    def length(self) -> float:
        return self.end - self.start


def silences(samples: np.ndarray, rate: int = RATE, threshold_db: float = -50.0) -> list[Run]:
    """Stretches whose 10 ms RMS stays below ``threshold_db`` dBFS."""
    frame = rate * FRAME_MS // 1000
    count = len(samples) // frame
    frames = samples[: count * frame].reshape(count, frame)
    rms = np.sqrt(np.mean(frames**2, axis=1))
    quiet = 20 * np.log10(np.maximum(rms, 1e-10)) < threshold_db
    runs: list[Run] = []
    start = None
    for i, is_quiet in enumerate([*quiet, False]):
        if is_quiet and start is None:
            start = i
        elif not is_quiet and start is not None:
            runs.append(Run(start * FRAME_MS / 1000, i * FRAME_MS / 1000))
            start = None
    return runs


def inner_silences(samples: np.ndarray, min_seconds: float, rate: int = RATE) -> list[Run]:
    """Silences of at least ``min_seconds`` that do not touch the start or the end."""
    total = len(samples) / rate
    return [
        run
        for run in silences(samples, rate)
        if run.length >= min_seconds and run.start > 0.0 and run.end < total - FRAME_MS / 1000
    ]


def header_duration(path: Path) -> float:
    """Duration from the Xing/Info header and LAME gapless fields (MPEG-1 Layer III only).

    Written separately from letteraudio's own frame walker, from the LAME tag layout:
    the Xing tag sits after the 4-byte header and the side info (17 bytes mono, 32 stereo).
    """
    data = path.read_bytes()
    start = 0
    if data[:3] == b"ID3":
        start = 10 + sum((b & 0x7F) << (7 * (3 - i)) for i, b in enumerate(data[6:10]))
    mono = data[start + 3] >> 6 == 3
    rate = (44100, 48000, 32000)[(data[start + 2] >> 2) & 3]
    xing = start + 4 + (17 if mono else 32)
    assert data[xing : xing + 4] in (b"Xing", b"Info"), "no Xing/Info header"
    flags = int.from_bytes(data[xing + 4 : xing + 8], "big")
    assert flags & 1, "the Xing header does not count frames"
    frames = int.from_bytes(data[xing + 8 : xing + 12], "big")
    lame = (
        xing
        + 8
        + 4 * (flags & 1)
        + 4 * bool(flags & 2)
        + 100 * bool(flags & 4)
        + 4 * bool(flags & 8)
    )
    delays = int.from_bytes(data[lame + 21 : lame + 24], "big")
    return (frames * 1152 - (delays >> 12) - (delays & 0xFFF)) / rate


def loudness(samples: np.ndarray, rate: int = RATE) -> tuple[float, float]:
    """(integrated LUFS by pyloudnorm, true peak dBTP by libebur128) of float samples."""
    import pyebur128
    import pyloudnorm

    integrated = pyloudnorm.Meter(rate).integrated_loudness(samples)
    state = pyebur128.R128State(1, rate, pyebur128.MeasurementMode.MODE_TRUE_PEAK)
    state.add_frames(samples.astype(np.float64), len(samples))
    return float(integrated), float(20 * np.log10(pyebur128.get_true_peak(state, 0)))
