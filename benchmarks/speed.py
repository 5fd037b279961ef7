"""What --speed does, measured: the seed article at 1.0, 1.25 and 0.8 with each engine,
and the quality cost of gtts's pitch-preserving time stretch on pure tones.

    python benchmarks/speed.py            # both
    python benchmarks/speed.py stretch    # only the tones (a second)

gtts runs against the local fake server of the test suite (one 440 Hz tone per request),
so its figures show the time stretch, not Google's voice. Prints figures; asserts nothing.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from audio_probe import RATE, decode  # noqa: E402
from fake_gtts import FakeGtts  # noqa: E402

from letteraudio.engines import Clip  # noqa: E402
from letteraudio.engines.gtts import time_stretch  # noqa: E402

SEED = ROOT.parent / "shared" / "seed" / "letter.txt"
ENGINES = {"piper": ["--deterministic"], "espeak": [], "gtts": []}


def letteraudio(*args: str, env: dict[str, str]) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "letteraudio", *args],
        capture_output=True, text=True, check=True, env={**os.environ, **env},
    )  # fmt: skip
    return result.stdout


def seed_speeds() -> None:
    with (
        FakeGtts(frequency_for=lambda request: 440.0) as server,
        tempfile.TemporaryDirectory() as tmp,
    ):
        env = {"LETTERAUDIO_GTTS_URL": server.url}
        for engine, extra in ENGINES.items():
            plan = json.loads(letteraudio("script", str(SEED), "-e", engine, "--json", env=env))
            pause_ms = sum(s["pause_after_ms"] for s in plan["segments"][:-1]) + plan["tail_ms"]
            pauses = (pause_ms + 300) / 1000  # with the lead-in
            seconds = {}
            for speed in ("1.0", "1.25", "0.8"):
                out = Path(tmp) / f"{engine}-{speed}.mp3"
                started = time.perf_counter()
                letteraudio("render", str(SEED), "-e", engine, "--speed", speed, "-o", str(out),
                            "-q", "--no-cache", *extra, env=env)  # fmt: skip
                seconds[speed] = len(decode(out)) / RATE
                print(f"{engine:6} --speed {speed:4}: {seconds[speed]:6.1f} s of audio "
                      f"(rendered in {time.perf_counter() - started:.1f} s)")  # fmt: skip
            for speed in ("1.25", "0.8"):
                total = seconds[speed] / seconds["1.0"]
                speech = (seconds[speed] - pauses) / (seconds["1.0"] - pauses)
                target = 1 / float(speed)
                print(f"{engine:6} {speed}: whole episode x{total:.3f}, speech alone "
                      f"x{speech:.3f} (target x{target:.3f}; {pauses:.1f} s pauses)")  # fmt: skip


def stretch_quality() -> None:
    rate = 24_000
    t = np.arange(2 * rate) / rate
    for frequency in (220.0, 440.0, 1000.0):
        tone = (0.5 * np.sin(2 * np.pi * frequency * t) * 32767).astype(np.int16)
        for speed in (0.8, 1.25, 1.5, 2.0):
            out = time_stretch(Clip(tone, rate), speed).samples.astype(np.float64) / 32768
            middle = out[len(out) // 4 : 3 * len(out) // 4]
            power = np.abs(np.fft.rfft(middle * np.hanning(len(middle)))) ** 2
            bins = np.fft.rfftfreq(len(middle), 1 / rate)
            fundamental = power[np.abs(bins - frequency) < 20].sum()
            residual_db = 10 * np.log10((power.sum() - fundamental) / fundamental)
            print(f"tone {frequency:6.0f} Hz, speed {speed:4}: length x{len(out) / len(tone):.4f} "
                  f"(target x{1 / speed:.4f}), pitch {bins[power.argmax()]:7.1f} Hz, "
                  f"everything else {residual_db:6.1f} dB")  # fmt: skip


if __name__ == "__main__":
    if sys.argv[1:] in ([], ["stretch"]):
        stretch_quality()
    if sys.argv[1:] in ([], ["seed"]):
        seed_speeds()
