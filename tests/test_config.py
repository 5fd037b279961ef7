"""Render defaults from letteraudio.toml (working directory, else the user config folder),
overridden by options; ``letteraudio config show`` says where each setting came from."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from audio_probe import require_tool
from typer.testing import CliRunner

from letteraudio.cli import app

ARTICLE = "A Short Title\n\nThe first paragraph.\n\nThe second paragraph.\n"


def show(runner: CliRunner, *args: str, env: dict[str, str] | None = None) -> dict:
    result = runner.invoke(app, ["config", "show", "--json", *args], env=env)
    assert result.exit_code == 0, result.output
    return dict(json.loads(result.stdout))


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "work"
    folder.mkdir()
    monkeypatch.chdir(folder)
    (folder / "article.txt").write_text(ARTICLE, encoding="utf-8")
    return folder


def test_without_a_file_every_setting_is_a_default(runner: CliRunner, workdir: Path) -> None:
    shown = show(runner)
    assert shown["config"] is None
    assert shown["render"]["engine"] == {"value": "hibari", "source": "default"}
    assert shown["render"]["speed"] == {"value": 1.0, "source": "default"}
    assert shown["render"]["pause_ms"] == {"value": 750, "source": "default"}
    text = runner.invoke(app, ["config", "show"]).stdout
    assert text.startswith("config file: none (looked for ./letteraudio.toml and ")


def test_the_file_in_the_working_directory_sets_defaults_and_options_win(
    runner: CliRunner, workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = workdir / "letteraudio.toml"
    config.write_text(
        '[render]\nspeed = 1.25\npause-ms = 900\nbitrate = 128\nvoices-dir = "voices"\n'
        'chapters = "paragraphs"\n\n[metadata]\nauthor = "Jo"\n',
        encoding="utf-8",
    )
    (workdir / "voices").mkdir()
    shown = show(runner, "--pause-ms", "500")
    assert shown["config"] == str(config)
    render = shown["render"]
    assert render["speed"] == {"value": 1.25, "source": str(config)}
    assert render["pause_ms"] == {"value": 500, "source": "option"}
    assert render["bitrate"] == {"value": 128, "source": str(config)}
    assert render["chapters"] == {"value": "paragraphs", "source": str(config)}
    assert render["voices_dir"] == {"value": str(workdir / "voices"), "source": str(config)}
    assert render["engine"]["source"] == "default"
    assert shown["metadata"] == {"author": "Jo"}
    # The environment sits between the file and the option.
    env_shown = show(runner, env={"LETTERAUDIO_VOICES": "/elsewhere"})
    assert env_shown["render"]["voices_dir"] == {
        "value": "/elsewhere",
        "source": "env LETTERAUDIO_VOICES",
    }
    text = runner.invoke(app, ["config", "show"]).stdout
    assert any(line.split()[:2] == ["pause-ms", "900"] and line.endswith(str(config))
               for line in text.splitlines())  # fmt: skip

    # A dry run uses the file's pauses, unless an option says otherwise.
    dry = runner.invoke(app, ["render", "article.txt", "--dry-run"]).stdout
    assert "pause   900 ms  The first paragraph." in dry
    dry = runner.invoke(app, ["render", "article.txt", "--dry-run", "--pause-ms", "400"]).stdout
    assert "pause   400 ms  The first paragraph." in dry


@pytest.mark.slow
def test_a_render_takes_bitrate_and_speed_from_the_file(runner: CliRunner, workdir: Path) -> None:
    ffprobe = require_tool("ffprobe")

    def probe(path: Path) -> tuple[str, float]:
        out = subprocess.run(
            [ffprobe, "-v", "error", "-show_entries", "stream=bit_rate:format=duration",
             "-of", "default=noprint_wrappers=1", str(path)],
            capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip
        fields = dict(line.split("=", 1) for line in out.split())
        return fields["bit_rate"], float(fields["duration"])

    plain = runner.invoke(app, ["render", "article.txt", "-o", "plain.mp3", "-q",
                                "--deterministic"])  # fmt: skip
    assert plain.exit_code == 0, plain.output
    (workdir / "letteraudio.toml").write_text(
        "[render]\nbitrate = 128\nspeed = 1.5\ndeterministic = true\n", encoding="utf-8"
    )
    faster = runner.invoke(app, ["render", "article.txt", "-o", "fast.mp3", "-q"])
    assert faster.exit_code == 0, faster.output
    plain_rate, plain_seconds = probe(workdir / "plain.mp3")
    fast_rate, fast_seconds = probe(workdir / "fast.mp3")
    assert (plain_rate, fast_rate) == ("96000", "128000")
    pauses = 0.3 + 1.2 + 0.75 + 0.6  # lead-in, title, paragraph, tail: not spoken, not faster
    ratio = (fast_seconds - pauses) / (plain_seconds - pauses)
    assert ratio == pytest.approx(1 / 1.5, abs=0.08)


def test_the_user_config_folder_is_read_when_the_working_directory_has_none(
    runner: CliRunner, workdir: Path, _no_user_settings: Path
) -> None:
    user = _no_user_settings / "letteraudio" / "letteraudio.toml"
    user.parent.mkdir(parents=True)
    user.write_text('[render]\nengine = "gtts"\n', encoding="utf-8")
    assert show(runner)["render"]["engine"] == {"value": "gtts", "source": str(user)}
    local = workdir / "letteraudio.toml"
    local.write_text("[render]\nspeed = 0.9\n", encoding="utf-8")
    shown = show(runner)  # the working directory's file wins; the two are not merged
    assert shown["render"]["engine"]["source"] == "default"
    assert shown["render"]["speed"] == {"value": 0.9, "source": str(local)}
    assert show(runner, "--config", str(user))["render"]["engine"]["value"] == "gtts"


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("speed = 3", "[render] speed = 3: choose from 0.5 to 2"),
        ('speed = "fast"', "[render] speed = 'fast': give a number from 0.5 to 2"),
        ("bitrate = 100", "[render] bitrate = 100: choose from 32, 40,"),
        ('chapters = "all"', "[render] chapters = 'all': choose from headings, paragraphs, none"),
        ("pause-ms = -5", "[render] pause-ms = -5: choose from 0 to 10000"),
        ("deterministic = 1", "[render] deterministic = 1: give true or false"),
        ("sped = 1.2", "unknown [render] key 'sped' (known: engine, voice,"),
    ],
)
def test_an_invalid_value_is_one_error_naming_the_file_and_key(
    runner: CliRunner, workdir: Path, line: str, message: str
) -> None:
    (workdir / "letteraudio.toml").write_text(f"[render]\n{line}\n", encoding="utf-8")
    for command in (["config", "show"], ["render", "article.txt", "--dry-run"]):
        result = runner.invoke(app, command)
        assert result.exit_code == 2
        (line,) = result.stderr.strip().splitlines()
        assert line.startswith(f"Error: config {workdir / 'letteraudio.toml'}: {message}")


def test_engine_from_the_file_applies_to_script(runner: CliRunner, workdir: Path) -> None:
    (workdir / "letteraudio.toml").write_text('[render]\nengine = "gtts"\n', encoding="utf-8")
    assert (
        json.loads(runner.invoke(app, ["script", "article.txt", "--json"]).stdout)["engine"]
        == "gtts"
    )


def test_config_show_refuses_an_option_render_would_refuse(tmp_path: Path) -> None:
    import sys

    result = subprocess.run(
        [sys.executable, "-m", "letteraudio", "config", "show", "--speed", "9"],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 2
    assert result.stderr.startswith("Error: Invalid value for '--speed'")
    assert result.stderr.strip().endswith("(see: letteraudio render --help)")
