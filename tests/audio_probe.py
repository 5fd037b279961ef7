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


def require_tool(name: str) -> str:
    """Path to a system tool; in CI a missing tool fails the test instead of skipping it."""
    path = shutil.which(name)
    if path:
        return path
    message = f"{name} is not installed (apt-get install {name}; .ci/run does)"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def decoder() -> str:
    """The system ffmpeg when present (CI installs it), else the bundled one."""
    system = shutil.which("ffmpeg")
    if system:
        return system
    import imageio_ffmpeg

    return str(imageio_ffmpeg.get_ffmpeg_exe())


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
