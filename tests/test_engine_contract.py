"""One contract every engine keeps: piper, hibari, gtts (against the local fake), espeak and a
third-party engine (the tone fixture, imported from its folder here; installed with pip
in test_engine_plugin.py).

Each engine is built straight from its class with :class:`EngineSettings`, as the
pipeline builds it, and its clips are measured: sound where there is text, nothing
where there is none, the sample rate it declares, speech about 20 % shorter at
``speed=1.25`` and 25 % longer at 0.8, a clean error for a language it does not speak,
cache identities that change with every setting, the same audio from two threads at
once (for the engines that promise repeatable audio), a long text split into pieces it
takes and all of it spoken, and nothing more started once a render stops.
"""

from __future__ import annotations

import json
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pytest
from audio_probe import RATE, decode, require_tool
from fake_gtts import FakeGtts
from typer.testing import CliRunner

from letteraudio.cli import app
from letteraudio.engines import Clip, Engine, EngineSettings
from letteraudio.engines.espeak import EspeakEngine
from letteraudio.engines.gtts import GttsEngine
from letteraudio.engines.hibari import HibariEngine
from letteraudio.engines.piper import PiperEngine
from letteraudio.errors import EngineUnavailable, InputError
from letteraudio.render.plan import build_script
from letteraudio.render.speak import LOOK_AHEAD, Voices, speak
from letteraudio.text.segment import Pauses

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "tone_engine"))
from letteraudio_tone import ToneEngine

SENTENCE = "The boats came in before the sun rose, heavy with the night's catch."


@dataclass(frozen=True)
class Case:
    """An engine under contract: how to build it and what it promises."""

    engine: type[Engine]
    sample_rate: int
    settings: EngineSettings = field(default_factory=EngineSettings)
    repeatable: bool = True
    """Same text, same settings: the same samples."""
    speed_tolerance: float = 0.06
    """How far the measured duration ratio may be from 1 / speed."""


CASES = {
    "piper": Case(PiperEngine, 22_050, EngineSettings(deterministic=True), speed_tolerance=0.08),
    "hibari": Case(HibariEngine, 24_000, EngineSettings(deterministic=True)),
    "gtts": Case(GttsEngine, 24_000, repeatable=False),
    "espeak": Case(EspeakEngine, 22_050),
    "tone": Case(ToneEngine, 16_000),
}


@pytest.fixture(params=list(CASES))
def case(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[Case]:
    if request.param == "espeak":
        require_tool("espeak-ng")
    if request.param == "gtts":
        with FakeGtts() as server:
            monkeypatch.setenv("LETTERAUDIO_GTTS_URL", server.url)
            yield CASES["gtts"]
        return
    yield CASES[request.param]


def build(case: Case, **changes: object) -> Engine:
    return case.engine(replace(case.settings, **changes))  # type: ignore[arg-type]


def spoken_seconds(clip: Clip) -> float:
    """From the first to the last 10 ms frame within 40 dB of the loudest one."""
    frame = clip.sample_rate // 100
    samples = clip.samples.astype(np.float64) / 32768
    frames = samples[: len(samples) // frame * frame].reshape(-1, frame)
    rms = np.sqrt((frames**2).mean(axis=1))
    loud = np.flatnonzero(rms > rms.max() * 10 ** (-40 / 20))
    return float(loud[-1] - loud[0] + 1) / 100


def test_a_sentence_becomes_sound_at_the_declared_rate(case: Case) -> None:
    clip = build(case).synthesize(SENTENCE)
    assert clip.sample_rate == case.sample_rate
    assert clip.samples.dtype == np.int16 and clip.samples.ndim == 1
    assert len(clip.samples) / clip.sample_rate > 0.5
    rms = np.sqrt(np.mean((clip.samples.astype(np.float64) / 32768) ** 2))
    assert 20 * np.log10(rms) > -40  # speech, not silence


def test_nothing_to_say_is_an_empty_clip(case: Case) -> None:
    assert len(build(case).synthesize("").samples) == 0


@pytest.mark.parametrize("speed", [1.25, 0.8])
def test_speed_changes_the_duration_by_its_inverse(case: Case, speed: float) -> None:
    normal = spoken_seconds(build(case).synthesize(SENTENCE))
    changed = spoken_seconds(build(case, speed=speed).synthesize(SENTENCE))
    assert changed / normal == pytest.approx(1 / speed, abs=case.speed_tolerance)


def test_settings_are_part_of_the_identity(case: Case) -> None:
    base = build(case).identity()
    assert build(case).identity() == base
    assert build(case, speed=1.25).identity() != base


def test_an_unknown_language_is_refused_when_built(case: Case) -> None:
    with pytest.raises((EngineUnavailable, InputError)) as error:
        build(case, lang="xx")
    assert "xx" in str(error.value)


def test_speed_outside_the_range_is_refused() -> None:
    for speed in (0.4, 2.1):
        with pytest.raises(InputError, match=r"choose from 0\.5 to 2"):
            EngineSettings(speed=speed)


def test_two_threads_at_once_get_what_one_gets(case: Case) -> None:
    engine = build(case)
    alone = engine.synthesize(SENTENCE).samples
    results: dict[int, np.ndarray] = {}

    def speak(index: int) -> None:
        results[index] = engine.synthesize(SENTENCE).samples

    threads = [threading.Thread(target=speak, args=(i,)) for i in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(results) == 3
    for samples in results.values():
        if case.repeatable:
            assert np.array_equal(samples, alone)
        else:  # the fake gtts answers each request with a tone of its own pitch
            assert len(samples) == len(alone)


def test_a_long_text_is_split_to_what_the_engine_takes_and_all_of_it_is_spoken(
    case: Case,
) -> None:
    engine = build(case)
    long_text = " ".join([SENTENCE] * (engine.max_chars // len(SENTENCE) + 2))
    script = build_script(long_text, engine.max_chars, Pauses())
    assert len(script.segments) >= 2
    assert all(len(segment.text) <= engine.max_chars for segment in script.segments)
    assert " ".join(s.text for s in script.segments).split() == long_text.split()
    one = spoken_seconds(engine.synthesize(SENTENCE))
    first = spoken_seconds(engine.synthesize(script.segments[0].text))
    sentences = script.segments[0].text.count(".")
    assert first >= 0.8 * sentences * one  # every sentence of the piece was spoken


def test_a_stopped_render_starts_nothing_more(case: Case) -> None:
    """Closing the stream of spoken segments (a render stopped, or failed elsewhere) leaves
    at most the segments already queued to finish; the engine's ``cancel``, if it has one,
    is called."""
    engine = build(case)
    calls: list[str] = []
    cancelled = threading.Event()

    class Counting:
        """The real engine, counting the texts it is asked to speak."""

        name = engine.name
        jobs = 1

        def identity(self) -> object:
            return engine.identity()

        def synthesize(self, text: str) -> Clip:
            calls.append(text)
            return engine.synthesize(text)

        def cancel(self) -> None:
            cancelled.set()
            if callable(getattr(engine, "cancel", None)):
                engine.cancel()  # type: ignore[attr-defined]

    texts = [f"{SENTENCE} Number {n}." for n in range(12)]
    segments = build_script("\n\n".join(texts), engine.max_chars, Pauses()).segments
    stream = speak(Voices(Counting(), jobs=1), segments)  # type: ignore[arg-type]
    first = next(stream)
    assert len(first.clip.samples) > 0
    stream.close()
    assert cancelled.is_set()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        before = len(calls)
        time.sleep(0.5)
        if len(calls) == before:
            break
    assert len(calls) <= 1 + 1 + LOOK_AHEAD  # the one spoken, the one running, those queued
    assert len(calls) < len(segments)


@pytest.mark.slow
def test_speed_1_25_makes_a_long_article_about_20_percent_shorter(
    long_article: Path, tmp_path: Path
) -> None:
    """On a whole long article with espeak-ng (the fastest real voice): the speech
    takes 20 % less time; the pauses between blocks stay as they are."""
    require_tool("espeak-ng")
    runner = CliRunner()
    plan = json.loads(
        runner.invoke(app, ["script", str(long_article), "-e", "espeak", "--json"]).stdout
    )
    pauses_ms = sum(s["pause_after_ms"] for s in plan["segments"][:-1]) + plan["tail_ms"]
    pauses = (pauses_ms + Pauses().lead_in) / 1000
    seconds = {}
    for speed in ("1.0", "1.25"):
        out = tmp_path / f"long-{speed}.mp3"
        result = runner.invoke(app, ["render", str(long_article), "-e", "espeak", "--speed",
                                     speed, "-o", str(out), "-q"])  # fmt: skip
        assert result.exit_code == 0, result.output
        seconds[speed] = len(decode(out)) / RATE
    assert seconds["1.0"] > 60  # the whole article was read
    assert seconds["1.25"] / seconds["1.0"] == pytest.approx(0.82, abs=0.03)
    speech = (seconds["1.25"] - pauses) / (seconds["1.0"] - pauses)
    assert speech == pytest.approx(0.8, abs=0.03)
