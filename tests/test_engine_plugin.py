"""A third engine added from outside the package: the tone fixture, installed with pip.

``tests/fixtures/tone_engine`` is a package of its own (a pyproject.toml and one
module) that registers the engine ``tone`` in the ``letteraudio.engines`` entry-point
group, as a separate package would. pip builds and installs it into a folder of its
own; ``letteraudio`` then runs as a subprocess with that folder on ``PYTHONPATH``, finds
the engine through its entry point and renders with it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from audio_probe import RATE, decode, header_duration

from letteraudio.text.segment import Pauses

FIXTURE = Path(__file__).parent / "fixtures" / "tone_engine"
ARTICLE = """\
Tones for Words

One two three four five.

Six seven eight. Nine ten.
"""
WORD_S, GAP_S = 0.2, 0.05  # what the tone engine makes of each word


@pytest.fixture(scope="module")
def plugin_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder holding the installed tone engine (its module and its dist-info)."""
    target = tmp_path_factory.mktemp("plugin")
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps",
         "--no-build-isolation", "--no-index", "--target", str(target), str(FIXTURE)],
        check=True, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert (target / "letteraudio_tone.py").is_file()
    return target


def letteraudio(
    plugin_path: Path, *args: str, check: bool = True
) -> subprocess.CompletedProcess[str]:
    path = [str(plugin_path), *filter(None, [os.environ.get("PYTHONPATH")])]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(path)}
    result = subprocess.run(
        [sys.executable, "-m", "letteraudio", *args],
        env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    if check:
        assert result.returncode == 0, result.stderr
    return result


def test_the_installed_engine_is_listed_with_its_voices(plugin_path: Path) -> None:
    engines = letteraudio(plugin_path, "engines").stdout
    assert any(line.split()[:3] == ["tone", "offline", "usable"] for line in engines.splitlines())
    voices = json.loads(letteraudio(plugin_path, "voices", "--engine", "tone", "--json").stdout)
    assert [(v["id"], v["language"]) for v in voices] == [("tone-en", "en"), ("tone-fr", "fr")]


@pytest.mark.parametrize("speed", [1.0, 1.25])
def test_a_render_with_the_installed_engine_has_the_expected_duration(
    plugin_path: Path, tmp_path: Path, speed: float
) -> None:
    article = tmp_path / "tones.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    out = tmp_path / "tones.mp3"
    options = ["--engine", "tone", "--speed", str(speed)]
    plan = json.loads(
        letteraudio(plugin_path, "script", str(article), "-e", "tone", "--json").stdout
    )
    letteraudio(plugin_path, "render", str(article), "-o", str(out), "-q", *options)

    words = [len(segment["text"].split()) for segment in plan["segments"]]
    speech = sum(n * WORD_S + (n - 1) * GAP_S for n in words) / speed
    pauses = sum(s["pause_after_ms"] for s in plan["segments"][:-1]) / 1000
    expected = Pauses().lead_in / 1000 + speech + pauses + plan["tail_ms"] / 1000
    # A render may fit each block to whole MP3 frames (1152 samples): up to 13 ms each.
    blocks = len({segment["paragraph"] for segment in plan["segments"]})
    tolerance = 0.02 + blocks * 0.5 * 1152 / 44_100
    samples = decode(out)
    assert len(samples) / RATE == pytest.approx(expected, abs=tolerance)
    assert header_duration(out) == pytest.approx(expected, abs=tolerance)
    # One burst of tone per word, at the engine's 440 Hz.
    frame = RATE // 100
    frames = samples[: len(samples) // frame * frame].reshape(-1, frame)
    loud = np.sqrt((frames**2).mean(axis=1)) > 10 ** (-30 / 20)
    bursts = np.count_nonzero(np.diff(loud.astype(int)) == 1) + int(loud[0])
    assert bursts == sum(words) == 13  # the title, too
    spectrum = np.abs(np.fft.rfft(samples * np.hanning(len(samples))))
    assert np.fft.rfftfreq(len(samples), 1 / RATE)[spectrum.argmax()] == pytest.approx(440, abs=2)


def test_a_language_the_engine_lacks_is_one_clear_error(plugin_path: Path, tmp_path: Path) -> None:
    article = tmp_path / "tones.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    result = letteraudio(
        plugin_path, "render", str(article), "-e", "tone", "--lang", "de",
        "-o", str(tmp_path / "x.mp3"), check=False,
    )  # fmt: skip
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "Error: the tone engine has no language 'de' (choose from: en, fr)"
    )
    assert not (tmp_path / "x.mp3").exists()
