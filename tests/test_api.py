"""The public API: ``la.narrate`` is the render the CLI does; ``plan`` + ``render_paragraph``
in other processes + ``join`` is the same render again; settings agree between commands;
engines declare what they take; every command and option is in the README."""

from __future__ import annotations

import json
import multiprocessing
import re
import subprocess
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest
from audio_probe import require_tool
from typer.testing import CliRunner

import letteraudio as la
from letteraudio.cli import app

ARTICLE = """\
The Night Ferry

The ferry left at nine, its deck lamps swinging in the wind.

Below, a child counted the waves aloud until she fell asleep.
"""
README = Path(__file__).resolve().parents[1] / "README.md"


@pytest.fixture
def article(tmp_path: Path) -> Path:
    path = tmp_path / "ferry.txt"
    path.write_text(ARTICLE, encoding="utf-8")
    return path


@pytest.mark.slow
def test_narrate_and_a_process_pool_give_the_bytes_of_the_cli(
    article: Path, tmp_path: Path
) -> None:
    cli_mp3 = tmp_path / "cli.mp3"
    result = CliRunner().invoke(
        app, ["render", str(article), "-o", str(cli_mp3), "--deterministic", "-q", "--no-cache"]
    )
    assert result.exit_code == 0, result.output

    # The default engine, with its bundled voice.
    settings = la.Settings.load(voice=la.Voice(deterministic=True), no_cache=True)
    episode = la.narrate(la.Article.read(str(article)), settings, tmp_path / "api.mp3")
    assert episode.path.read_bytes() == cli_mp3.read_bytes()
    assert {p.suffix for p in episode.sidecars} >= {".vtt", ".srt", ".json"}
    assert all(path.is_file() for path in episode.sidecars)

    planned = la.plan(la.Article.read(str(article)), settings)
    assert len(planned.tasks) == 3  # the title and two paragraphs
    spawn = multiprocessing.get_context("spawn")  # nothing inherited: each builds its engine
    with ProcessPoolExecutor(2, mp_context=spawn) as pool:
        parts = list(pool.map(la.render_paragraph, planned.tasks))
    mapped = la.join(planned, reversed(parts), tmp_path / "mapped.mp3")  # any order
    assert mapped.path.read_bytes() == cli_mp3.read_bytes()
    assert (tmp_path / "mapped.vtt").read_text() == (tmp_path / "api.vtt").read_text()


def test_plan_loads_no_voice_and_article_read_takes_text_bytes_and_paths(article: Path) -> None:
    probe = (
        "import sys, letteraudio as la\n"
        f"plan = la.plan(la.Article.read({str(article)!r}), la.Settings.load())\n"
        "print(len(plan.tasks), sorted(m for m in sys.modules if m.startswith('onnxruntime')))\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["3", "[]"]
    by_path = la.Article.read(article)
    assert (by_path.stem(), by_path.format, by_path.path) == ("ferry", "text", article)
    assert la.Article.read(ARTICLE).text == la.Article.read(ARTICLE.encode("utf-16")).text
    assert la.Article.read(b"# Heading\n\nWords.\n", format="markdown").format == "markdown"
    assert la.Article.read("<!doctype html><p>Hi there.</p>\n").format == "html"
    with pytest.raises(la.InputError, match="no such file"):
        la.Article.read("missing.txt")


def test_script_and_dry_run_agree_with_a_config_file(
    article: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    runner = CliRunner()
    monkeypatch.chdir(tmp_path)
    plain = json.loads(runner.invoke(app, ["script", str(article), "--json"]).stdout)
    assert plain["language"] == "en"  # an English article says so (it was null)
    french = json.loads(runner.invoke(app, ["script", str(article), "--lang", "fr", "-e", "gtts",
                                            "--json"]).stdout)  # fmt: skip
    assert french["language"] == "fr"
    (tmp_path / "letteraudio.toml").write_text(
        "[render]\npause-ms = 900\ntitle-pause-ms = 400\nspeed = 1.5\n", encoding="utf-8"
    )
    script = runner.invoke(app, ["script", str(article)])
    dry = runner.invoke(app, ["render", str(article), "--dry-run"])
    assert script.exit_code == dry.exit_code == 0, script.output + dry.output
    assert script.stdout == dry.stdout
    assert "pause   400 ms  The Night Ferry" in script.stdout
    assert "pause   900 ms  The ferry left at nine" in script.stdout
    configured = json.loads(runner.invoke(app, ["script", str(article), "--json"]).stdout)
    speech = sum(s["estimated_seconds"] for s in plain["segments"])
    faster = sum(s["estimated_seconds"] for s in configured["segments"])
    assert faster == pytest.approx(speech / 1.5, abs=0.2)


@pytest.mark.slow
def test_the_fallback_keeps_deterministic_and_lang(
    article: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # gtts cannot be reached: the fallback speaks it all, deterministically as configured.
    monkeypatch.setenv("LETTERAUDIO_GTTS_URL", "http://no-such-host.invalid/x")
    config = tmp_path / "la.toml"
    config.write_text("[render]\ndeterministic = true\n", encoding="utf-8")
    text = la.Article.read(article)
    runs = []
    for name in ("a", "b"):
        settings = la.Settings.load(config, engine="gtts", fallback="piper", no_cache=True)
        assert settings.fallback is not None and settings.fallback.options["deterministic"]
        assert "deterministic" not in settings.voice.options  # gtts cannot promise it
        episode = la.narrate(text, settings, tmp_path / f"{name}.mp3")
        assert any("piper speaks it all" in note for note in episode.notes)
        runs.append(episode.path.read_bytes())
    assert runs[0] == runs[1]

    require_tool("espeak-ng")
    settings = la.Settings.load(engine="gtts", lang="fr", fallback="espeak")
    assert settings.fallback is not None
    assert settings.fallback.build().voice.startswith("fr")  # type: ignore[attr-defined]
    english = la.Settings.load(engine="gtts", fallback="espeak").fallback
    assert english is not None and english.build().voice == "en-us"  # type: ignore[attr-defined]


def test_an_option_the_engine_does_not_declare_is_refused() -> None:
    with pytest.raises(
        la.InputError, match="--tld is a gtts option; the piper engine does not take it"
    ):
        la.Voice("piper", tld="co.uk")
    with pytest.raises(la.InputError, match="--speaker is not an option of the espeak engine"):
        la.Voice("espeak", speaker="ana")
    with pytest.raises(la.InputError, match="--deterministic is for offline voices"):
        la.Settings.load(engine="gtts", deterministic=True)
    assert la.Voice("gtts", tld="co.uk").options == {"tld": "co.uk"}


def test_the_tone_engine_takes_phonemes_because_it_declares_so(
    tone_installed: None, tmp_path: Path
) -> None:
    lexicon = tmp_path / "words.toml"
    lexicon.write_text('Nguyen = { say = "Win", phonemes = "n w i n" }\n', encoding="utf-8")
    article = la.Article.read("Dear Nguyen,\n\nThank you.\n")

    def spoken(engine: str) -> str:
        settings = la.Settings.load(engine=engine, lexicon=lexicon, find=False)
        return " ".join(s.text for s in la.plan(article, settings).script.segments)

    assert "[[ n w i n ]]" in spoken("tone")  # ToneEngine.phoneme_alphabet = "espeak"
    assert "[[" not in spoken("gtts") and "Win" in spoken("gtts")  # gtts takes words
    engine = la.Voice("tone").build()
    # four phonemes, four tones; the brackets are not words
    assert len(engine.synthesize("[[ n w i n ]]").samples) == len(
        engine.synthesize("a b c d").samples
    )


def test_every_command_and_option_is_in_the_readme() -> None:
    import typer.main

    readme = README.read_text(encoding="utf-8")
    missing = []

    def walk(command: object, path: str) -> None:
        for name, sub in getattr(command, "commands", {}).items():
            full = f"{path} {name}"
            if f"letteraudio{full}" not in readme:
                missing.append(f"letteraudio{full}")
            for param in sub.params:
                for opt in param.opts + param.secondary_opts:
                    if (
                        opt.startswith("--")
                        and opt != "--help"
                        and not re.search(rf"{re.escape(opt)}(?![\w-])", readme)
                    ):
                        missing.append(f"letteraudio{full} {opt}")
            walk(sub, full)

    walk(typer.main.get_command(app), "")
    assert missing == []


def test_the_readme_example_runs_as_written(tmp_path: Path, article: Path) -> None:
    readme = README.read_text(encoding="utf-8")
    (example,) = re.findall(r"```python\n(import letteraudio as la\n.*?)```", readme, re.S)
    assert len(example.strip().splitlines()) == 4  # the import and three lines
    target = tmp_path / "out" / "morning-harbour-96k.mp3"
    script = example.replace('"output/morning-harbour-96k.mp3"', repr(str(target)))
    assert script != example  # it names the sample's output, which the test moves here
    subprocess.run(  # from a checkout's top folder, as a reader of the README would
        [sys.executable, "-c", script], cwd=README.parent, check=True, capture_output=True,
        timeout=300,
    )  # fmt: skip
    assert target.stat().st_size > 10_000


def test_the_cli_is_a_thin_door() -> None:
    """At most 700 lines in cli/, no command body over 30 lines, no engine named there."""
    import ast

    import letteraudio.cli

    folder = Path(letteraudio.cli.__file__).parent
    sources = {path: path.read_text(encoding="utf-8") for path in folder.glob("*.py")}
    assert sum(len(text.splitlines()) for text in sources.values()) <= 700
    for path, text in sources.items():
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.FunctionDef) and node.decorator_list:
                body = node.body[1:] if ast.get_docstring(node) else node.body
                assert not body or body[-1].end_lineno - body[0].lineno + 1 <= 30, (
                    path.name,
                    node.name,
                )
        assert not re.search(r"""["'](piper|gtts|espeak|hibari|tone)["']""", text), path.name
