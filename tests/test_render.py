"""End to end: the CLI renders real speech with the default voice; the MP3 is decoded."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from audio_probe import RATE, decode, inner_silences, require_tool
from typer.testing import CliRunner

from letteraudio.audio.stitch import clip_to_segment
from letteraudio.cli import app
from letteraudio.engines import DEFAULT_ENGINE, EngineSettings, create_engine
from letteraudio.text.segment import Pauses

PAUSES = Pauses()
LONG_PAUSE = 0.7  # seconds: shorter than the paragraph pause, longer than any pause inside speech


def render(runner: CliRunner, *args: str) -> None:
    result = runner.invoke(app, ["render", *args])
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output


@pytest.fixture(scope="module")
def lighthouse_mp3(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from conftest import SHORT_ARTICLE

    folder = tmp_path_factory.mktemp("render")
    article = folder / "lighthouse.txt"
    article.write_text(SHORT_ARTICLE, encoding="utf-8")
    out = folder / "lighthouse.mp3"
    render(CliRunner(), str(article), "-o", str(out), "--deterministic", "--quiet")
    return out


def test_short_article_has_one_long_pause_per_block_boundary(lighthouse_mp3: Path) -> None:
    samples = decode(lighthouse_mp3)
    pauses = inner_silences(samples, LONG_PAUSE)
    # Title + three paragraphs: four blocks, three pauses between them.
    assert len(pauses) == 3, pauses
    title_pause, *paragraph_pauses = pauses
    # Measured in 10 ms frames; the trimmed clips keep a 15 ms margin each side of speech.
    assert PAUSES.title / 1000 - 0.02 <= title_pause.length <= PAUSES.title / 1000 + 0.15
    for pause in paragraph_pauses:
        assert PAUSES.paragraph / 1000 - 0.02 <= pause.length <= PAUSES.paragraph / 1000 + 0.15


def test_title_is_spoken_before_the_first_long_pause(lighthouse_mp3: Path) -> None:
    engine = create_engine(DEFAULT_ENGINE, EngineSettings(deterministic=True))
    title_alone = clip_to_segment(engine.synthesize("A Walk to the Lighthouse"))
    first_pause = inner_silences(decode(lighthouse_mp3), LONG_PAUSE)[0]
    spoken_before = first_pause.start - PAUSES.lead_in / 1000
    assert abs(spoken_before - len(title_alone) / 1000) < 0.1


def test_duration_is_plausible_and_the_header_is_exact(lighthouse_mp3: Path) -> None:
    seconds = len(decode(lighthouse_mp3)) / RATE
    # About 190 characters of speech at roughly 15-20 characters a second, plus ~3.5 s of pauses.
    assert 10 < seconds < 20
    ffprobe = require_tool("ffprobe")
    probe = subprocess.run(
        [ffprobe, "-v", "error", "-show_entries",
         "stream=codec_name,sample_rate,channels,bit_rate:format=duration",
         "-of", "default=noprint_wrappers=1", str(lighthouse_mp3)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    fields = dict(line.split("=", 1) for line in probe.stdout.split())
    assert fields["codec_name"] == "mp3"
    assert fields["sample_rate"] == "44100"
    assert fields["channels"] == "1"
    assert fields["bit_rate"] == "96000"
    # With a Xing/Info header the duration comes from the frame count, not a bitrate estimate;
    # it still counts the encoder delay and padding that decoders trim (under two frames).
    assert abs(float(fields["duration"]) - seconds) < 0.06
    assert "Estimating duration" not in probe.stderr


def test_xing_info_header_is_written(lighthouse_mp3: Path) -> None:
    data = lighthouse_mp3.read_bytes()
    start = 0
    if data[:3] == b"ID3":
        size = data[6:10]
        start = 10 + (size[0] << 21 | size[1] << 14 | size[2] << 7 | size[3])
    assert data[start] == 0xFF and data[start + 1] & 0xE0 == 0xE0, "no MP3 frame after the tag"
    assert b"Info" in data[start : start + 64] or b"Xing" in data[start : start + 64]


def test_an_independent_decoder_agrees_on_length(lighthouse_mp3: Path) -> None:
    mpg123 = require_tool("mpg123")
    pcm = subprocess.run(
        [mpg123, "-q", "-m", "-s", str(lighthouse_mp3)], capture_output=True, check=True
    ).stdout
    assert abs(len(pcm) / 2 / RATE - len(decode(lighthouse_mp3)) / RATE) < 0.03


def test_default_output_path_and_pause_option(
    runner: CliRunner, short_article: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    render(
        runner, str(short_article), "--pause-ms", "1500", "--title-pause-ms", "500",
        "--deterministic", "-q",
    )  # fmt: skip
    out = tmp_path / "output" / "lighthouse.mp3"
    assert out.is_file()
    pauses = inner_silences(decode(out), LONG_PAUSE)
    assert len(pauses) == 2  # the 0.5 s title pause is not a long one
    assert all(1.48 <= p.length <= 1.65 for p in pauses), pauses
    assert not list(out.parent.glob(".*.part"))


def test_an_output_ending_in_a_slash_is_a_new_folder(
    runner: CliRunner, short_article: Path, tmp_path: Path
) -> None:
    render(runner, str(short_article), "-o", f"{tmp_path}/site/", "--deterministic", "-q")
    assert (tmp_path / "site" / "lighthouse.mp3").is_file()
    assert (tmp_path / "site" / "lighthouse.vtt").is_file()


def test_stdin_article(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "from-stdin.mp3"
    result = runner.invoke(app, ["render", "-", "-o", str(out), "-q"], input="Hello from a pipe.\n")
    assert result.exit_code == 0, result.output
    assert 0.5 < len(decode(out)) / RATE < 4


def test_stdin_never_takes_the_name_of_an_episode_made_from_a_file(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without -o, standard input is ``output/stdin.mp3``: piping ``article.txt`` in leaves
    ``output/article.mp3``, rendered from the file (perhaps with other settings), alone."""
    monkeypatch.chdir(tmp_path)
    Path("article.txt").write_text("Made from a file.\n", encoding="utf-8")
    assert runner.invoke(app, ["render", "article.txt", "-q"]).exit_code == 0
    from_file = Path("output/article.mp3").read_bytes()
    result = runner.invoke(app, ["render", "-", "-q"], input="Hello from a pipe.\n")
    assert result.exit_code == 0, result.output
    assert Path("output/article.mp3").read_bytes() == from_file
    assert 0.5 < len(decode(Path("output/stdin.mp3"))) / RATE < 4


def test_seed_article_renders_end_to_end(seed_article: Path, tmp_path: Path) -> None:
    out = tmp_path / "letter.mp3"
    result = subprocess.run(
        [sys.executable, "-m", "letteraudio", "render", str(seed_article), "-o", str(out)],
        capture_output=True, text=True, check=False, timeout=600,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"Wrote {out}: ")
    samples = decode(out)
    assert 100 < len(samples) / RATE < 160  # about two minutes
    # Title, subtitle and nine paragraphs (two promotional lines dropped): ten block
    # boundaries, each an audible pause. The default voice (hibari) also pauses that long
    # at a semicolon in one long sentence, so the pauses are found where the blocks meet:
    # every paragraph's chapter (read by ffprobe) starts as one of them ends.
    pauses = inner_silences(samples, LONG_PAUSE)
    assert 10 <= len(pauses) <= 11, pauses
    check = subprocess.run(
        [sys.executable, "-m", "letteraudio", "check", str(out), "--json"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert check.returncode == 0, check.stdout
    ffprobe = require_tool("ffprobe")
    listed = subprocess.run(
        [ffprobe, "-v", "error", "-show_chapters", "-of", "csv=p=0", str(out)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    rows = listed.stdout.strip().splitlines()
    assert len(rows) == 9  # one per paragraph
    starts = [float(row.split(",")[3]) for row in rows[1:]]  # the first starts at 0
    for start in starts:
        assert min(abs(start - pause.end) for pause in pauses) <= 0.05, start
    title_and_subtitle = [p for p in pauses if p.end < float(rows[0].split(",")[5])]
    assert len(title_and_subtitle) >= 2


def test_voice_option_loads_a_piper_voice_from_a_path(tmp_path: Path, runner: CliRunner) -> None:
    from letteraudio.engines.piper import bundled_voice_paths

    model, config = bundled_voice_paths()
    (tmp_path / "my-voice.onnx").symlink_to(model)
    (tmp_path / "my-voice.onnx.json").write_bytes(config.read_bytes())
    article = tmp_path / "a.txt"
    article.write_text("A voice from a file.\n", encoding="utf-8")
    out = tmp_path / "a.mp3"
    render(runner, str(article), "-e", "piper", "--voice", str(tmp_path / "my-voice.onnx"),
           "-o", str(out), "-q")  # fmt: skip
    assert 0.5 < len(decode(out)) / RATE < 4
    (tmp_path / "my-voice.onnx.json").unlink()
    result = runner.invoke(
        app, ["render", str(article), "-e", "piper", "--voice", str(tmp_path / "my-voice.onnx")]
    )
    assert result.exit_code == 2
    assert "needs its config beside it" in result.stderr
