"""The command line: dry runs, engine listing, and one-line errors that leave no file behind."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from letteraudio.cli import app


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    import os

    return subprocess.run(
        [sys.executable, "-m", "letteraudio", *args],
        capture_output=True, text=True, check=False, timeout=120, env={**os.environ, **(env or {})},
    )  # fmt: skip


def assert_one_line_error(result: subprocess.CompletedProcess[str], code: int, *words: str) -> None:
    assert result.returncode == code, (result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: ")
    assert "Traceback" not in result.stderr
    for word in words:
        assert word in lines[0]


def test_dry_run_lists_segments_and_loads_no_voice(seed_article: Path) -> None:
    probe = (
        "import sys; from letteraudio.cli import app\n"
        "try:\n"
        f"    app(['render', {str(seed_article)!r}, '--dry-run'])\n"
        "except SystemExit as e:\n"
        "    assert not e.code, e.code\n"
        "heavy = ('onnxruntime', 'piper', 'hibari')\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in heavy)))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", "import json\n" + probe], capture_output=True, text=True, check=True
    )
    *lines, loaded = result.stdout.strip().splitlines()
    assert json.loads(loaded) == []
    segments = [line for line in lines if re.match(r"\s*\d+  [a-z]+ +(pause|tail) ", line)]
    assert segments[0].split()[:4] == ["1", "title", "pause", "1200"]
    assert segments[1].split()[:4] == ["2", "subtitle", "pause", "1000"]
    assert all(line.split()[1] == "paragraph" for line in segments[2:])
    # One segment per sentence; 9 paragraphs (the two promotional lines are dropped).
    assert len(segments) == 15
    assert sum(" 750 ms " in line for line in segments) == 8
    (summary,) = [line for line in lines if "estimated duration" in line]
    assert re.match(r"15 segments, [\d,]+ characters; estimated duration [12]:\d\d", summary)
    assert [line.split(":")[0] for line in lines if line.startswith("dropped")] == [
        "dropped (newsletter sign-up)",
        "dropped (newsletter sign-up)",
    ]


def test_dry_run_splits_for_the_engine_limit(tmp_path: Path, runner: CliRunner) -> None:
    article = tmp_path / "long.txt"
    article.write_text(" ".join(["A sentence of several plain words."] * 40), encoding="utf-8")
    piper = runner.invoke(app, ["render", str(article), "--dry-run"])
    gtts = runner.invoke(app, ["render", str(article), "--dry-run", "--engine", "gtts"])
    assert piper.exit_code == gtts.exit_code == 0
    piper_texts = [line.split(" ms  ", 1)[1] for line in piper.stdout.splitlines()[:-1]]
    gtts_texts = [line.split(" ms  ", 1)[1] for line in gtts.stdout.splitlines()[:-1]]
    assert max(map(len, piper_texts)) <= 600 < len(article.read_text())
    assert max(map(len, gtts_texts)) <= 100
    assert (
        " ".join(piper_texts).split() == " ".join(gtts_texts).split() == article.read_text().split()
    )
    assert not (tmp_path / "output").exists()


def test_engines_lists_hibari_as_usable_default_and_piper_as_usable(runner: CliRunner) -> None:
    result = runner.invoke(app, ["engines"])
    assert result.exit_code == 0
    lines = {line.split()[0]: line for line in result.stdout.splitlines()}
    assert set(lines) >= {"hibari", "piper", "gtts"}
    for offline in ("hibari", "piper"):
        assert "usable" in lines[offline] and "unusable" not in lines[offline]
    assert "(default)" in lines["hibari"] and "(default)" not in lines["piper"]


TYPE_NAMES = re.compile(
    r"<[a-z][a-z_\[\]|, ]*>"  # <bool>, <str>, <list[str]>, <int range>
    r"|\b(?:int|float|path|datetime) range\b|\bx\s*[<>]=|[<>]=\s*x\b"  # [x>=1], [1<=x<=64]
    r"|\{[A-Za-z_.]+\}"  # {ARTICLE}, {text}
)


def command_paths(command: object, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every command and group, as the words that name it on the command line."""
    children = getattr(command, "commands", {})
    return [
        path,
        *[p for name, child in children.items() for p in command_paths(child, (*path, name))],
    ]


def test_no_help_shows_a_python_type(runner: CliRunner) -> None:
    """A person reads the help: values are named (FILE, N, MS), ranges said in words, flags
    bare; Typer's type names (<bool>, <list[str]>, [x>=1], {ARTICLE}) never show."""
    import typer

    paths = command_paths(typer.main.get_command(app))
    assert len(paths) >= 14 and ("render",) in paths and ("cache", "clear") in paths
    for path in paths:
        result = runner.invoke(app, [*path, "--help"], terminal_width=100)
        assert result.exit_code == 0, (path, result.output)
        found = TYPE_NAMES.findall(result.stdout)
        assert not found, (path, found)
    render = runner.invoke(app, ["render", "--help"], terminal_width=100).stdout
    for words in ("ARTICLE...", "--pause-ms", " MS ", "--jobs", " N ", "--lexicon", " FILE "):
        assert words in render, words
    assert "(from 1 to 64)" in " ".join(render.replace("\u2502", " ").split())


def test_commands_are_listed_in_the_order_a_user_needs_them(runner: CliRunner) -> None:
    listing = runner.invoke(app, ["--help"], terminal_width=100).stdout
    names = re.findall(r"^\W ([a-z]+)\s{2,}[A-Z]", listing, re.M)
    assert names[:3] == ["render", "script", "say"], names
    assert names.index("check") < names.index("engines")
    summary = listing[listing.index("voices") :]
    assert "where it comes from and its licence" in " ".join(summary.replace("\u2502", " ").split())


def test_help_and_version(runner: CliRunner) -> None:
    bare = runner.invoke(app, [])
    assert "render" in bare.stdout + bare.stderr and "check" in bare.stdout + bare.stderr
    boxed = runner.invoke(app, ["render", "--help"]).stdout
    help_text = " ".join(re.sub(r"[\u2500-\u257f]", " ", boxed).split())  # no box drawing
    for option in ("--output", "--engine", "--voice", "--pause-ms", "--bitrate", "--dry-run",
                   "--loudness", "--chapters", "--cover"):  # fmt: skip
        assert option in help_text
    assert "(default: output/ARTICLE.mp3; for a URL, named from the page's title)" in help_text
    assert "(default: the bundled heart;" in help_text
    assert "(default: the bundled en_US-joe-medium)" in help_text
    assert runner.invoke(app, ["--version"]).stdout.startswith("letteraudio ")


@pytest.mark.parametrize(
    ("setup", "args", "code", "words"),
    [
        (None, ["missing.txt"], 2, ["missing.txt", "no such file"]),
        ("dir", ["folder"], 2, ["a folder with no .txt"]),
        ("empty", ["empty.txt"], 2, ["nothing to speak"]),
        ("blank", ["blank.txt"], 2, ["nothing to speak"]),
        ("symbols", ["symbols.txt"], 2, ["nothing to speak"]),
        ("binary", ["binary.txt"], 2, ["binary"]),
        ("good", ["good.txt", "--engine", "nope"], 2, ["unknown engine", "hibari", "piper"]),
        ("good", ["good.txt", "-e", "piper", "--voice", "nope.onnx"], 2, ["voice file not found"]),
        (
            "good",
            ["good.txt", "-e", "piper", "--voice", "Alice"],
            2,
            ["unknown piper voice", "en_US-joe-medium"],
        ),
        ("good", ["good.txt", "--voice", "Alice"], 2, ["hibari has no voice", "heart"]),
        (
            "good",
            ["good.txt", "--voice", "nope.onnx"],
            2,
            ["hibari has no voice", "--engine piper"],
        ),
        (
            "good",
            ["good.txt", "--voice", "fable", "--voices-dir", "."],
            2,
            ["not on this machine", "never downloads", "bm_fable.int8.onnx"],
        ),
        ("good", ["good.txt", "--bitrate", "100"], 2, ["100 kbps", "96"]),
        ("good", ["good.txt", "-o", "good.txt"], 2, ["is the article itself"]),
    ],
)
def test_bad_input_is_one_line_and_writes_nothing(
    tmp_path: Path, setup: str | None, args: list[str], code: int, words: list[str]
) -> None:
    contents = {
        "empty": b"",
        "blank": b"  \n\n\t\n",
        "symbols": b"---\n\n***\n\n* * *\n",
        "binary": b"\x00\x01\x02\xff\xfe\x00PK\x03\x04" * 20,
        "good": b"Some words to say.\n",
    }
    if setup == "dir":
        (tmp_path / "folder").mkdir()
    elif setup:
        (tmp_path / args[0]).write_bytes(contents[setup])
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.is_file()}
    args = [
        str(tmp_path / args[0]),
        *(str(tmp_path / a) if a == "good.txt" else a for a in args[1:]),
    ]
    result = (
        run("render", *args, "-o", str(tmp_path / "out.mp3"))
        if "-o" not in args
        else run("render", *args)
    )
    assert_one_line_error(result, code, *words)
    after = {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.is_file()}
    assert after == before


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["--speed", "3"], "'--speed': at most 2"),
        (["--speed", "0.1"], "'--speed': at least 0.5"),
        (["--pause-ms", "-5"], "'--pause-ms': at least 0"),
        (["--bitrate", "abc"], "'--bitrate': expected a whole number"),
        (["--chapters", "chapter"], "'chapter' is not one of 'headings', 'paragraphs', 'none'"),
    ],
)
def test_a_bad_option_value_is_said_in_words_not_a_validators(
    tmp_path: Path, args: list[str], said: str
) -> None:
    article = tmp_path / "a.txt"
    article.write_text("Some words to say.\n", encoding="utf-8")
    result = run("render", str(article), *args)
    assert_one_line_error(result, 2, said, "letteraudio render --help)")
    assert "Input should" not in result.stderr and "Value error" not in result.stderr


def test_encoder_failure_keeps_the_previous_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """LAME itself fails (it refuses an input rate of 1 Hz): one line, nothing replaced."""
    import lameenc

    real = lameenc.Encoder

    class Refused:
        def __init__(self) -> None:
            self.encoder = real()

        def set_in_sample_rate(self, rate: int) -> None:
            self.encoder.set_in_sample_rate(1)

        def __getattr__(self, name: str) -> object:
            return getattr(self.encoder, name)

    monkeypatch.setattr(lameenc, "Encoder", Refused)
    article = tmp_path / "good.txt"
    article.write_text("A few words.\n", encoding="utf-8")
    target = tmp_path / "out.mp3"
    target.write_bytes(b"previous render")
    cache = tmp_path / "cache"
    result = CliRunner().invoke(
        app, ["render", str(article), "-o", str(target), "--cache-dir", str(cache)]
    )
    assert result.exit_code == 1, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and "LAME could not encode" in lines[0], result.output
    assert target.read_bytes() == b"previous render"
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_file()) == ["good.txt", "out.mp3"]


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--tld", "co.uk"], ["--tld is a gtts option; the hibari engine does not take it"]),
        (["--slow"], ["--slow is a gtts option; the hibari engine does not take it"]),
        (["--timeout", "3"], ["--timeout and --retries are for online engines"]),
        (["--retries", "2"], ["--timeout and --retries are for online engines"]),
        (["-e", "piper", "--lang", "de"], ["speaks en_US, not de"]),
        (["--lang", "de"], ["hibari speaks English only, not de"]),
        (["-e", "gtts", "--deterministic"], ["--deterministic is for offline voices"]),
    ],
)
def test_options_the_engine_would_ignore_are_refused(
    tmp_path: Path, args: list[str], words: list[str]
) -> None:
    article = tmp_path / "a.txt"
    article.write_text("Some words.\n", encoding="utf-8")
    result = run("render", str(article), "-o", str(tmp_path / "a.mp3"), *args)
    assert_one_line_error(result, 2, *words)
    assert not (tmp_path / "a.mp3").exists()


def test_output_folder_gets_the_article_name(tmp_path: Path, runner: CliRunner) -> None:
    article = tmp_path / "note.txt"
    article.write_text("A note.\n", encoding="utf-8")
    folder = tmp_path / "episodes"
    folder.mkdir()
    result = runner.invoke(app, ["render", str(article), "-o", str(folder)])
    assert result.exit_code == 0, result.output
    assert (folder / "note.mp3").is_file()
    assert " kB, in " in result.stdout


def test_an_unwritable_target_is_refused_before_any_speech(tmp_path: Path) -> None:
    article = tmp_path / "note.txt"
    article.write_text("A note.\n", encoding="utf-8")
    (tmp_path / "afile").write_text("x", encoding="utf-8")
    result = run("render", str(article), "-o", str(tmp_path / "afile" / "x.mp3"))
    assert_one_line_error(result, 2, "is a file")


def test_gtts_without_name_resolution_is_a_network_error(tmp_path: Path) -> None:
    article = tmp_path / "note.txt"
    article.write_text("A note.\n", encoding="utf-8")
    env = {"LETTERAUDIO_GTTS_URL": "http://no-such-host.invalid/batchexecute"}
    for proxy in (
        "http_proxy",
        "https_proxy",
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "all_proxy",
        "ALL_PROXY",
    ):
        env[proxy] = ""
    result = run("render", str(article), "-e", "gtts", "-o", str(tmp_path / "n.mp3"), env=env)
    assert_one_line_error(result, 1, "cannot resolve no-such-host.invalid", "hibari")


@pytest.mark.parametrize(
    "command",
    [["--help"], ["render", "--help"], ["engines"], ["cache", "info"], ["voices", "-e", "hibari"]],
)
def test_light_commands_never_import_onnxruntime(command: list[str]) -> None:
    probe = (
        "import json, sys\nfrom letteraudio.cli import app\n"
        f"try:\n    app({command!r})\nexcept SystemExit as e:\n    assert not e.code, e.code\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] == 'onnxruntime')))\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == []


def test_an_output_neither_mp3_nor_folder_is_one_line_saying_what_to_write(
    tmp_path: Path, runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``-o mysite`` (no such folder) once wrote an MP3 named ``mysite`` beside
    ``mysite.vtt``; ``-o ep.wav`` MP3 data under a WAV's name. An existing folder without
    ``/``, ``-o ./`` and any ``.mp3`` (whatever its case) still work (rendered in this
    process: the refusals are the command line's own, in a process of their own)."""
    (tmp_path / "good.txt").write_text("Good Words\n\nSome words to say.\n", encoding="utf-8")

    def render(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "letteraudio", "render", "good.txt", *args,
                               "-q"], cwd=tmp_path, capture_output=True, text=True, check=False,
                              timeout=120)  # fmt: skip

    before = sorted(p.name for p in tmp_path.iterdir())
    assert_one_line_error(render("-o", "mysite"), 2, "-o mysite.mp3", "-o mysite/")
    assert_one_line_error(render("-o", "ep.wav"), 2, "writes MP3", "name it ep.mp3")
    assert_one_line_error(say := run("say", "Hi.", "-o", str(tmp_path / "hi")), 2, "hi.mp3")
    assert "Traceback" not in say.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # nothing written

    (tmp_path / "site").mkdir()
    monkeypatch.chdir(tmp_path)
    for output in ("site", "./", "Loud.MP3"):
        result = runner.invoke(app, ["render", "good.txt", "-o", output, "-q"])
        assert result.exit_code == 0, (output, result.output)
    assert (tmp_path / "site" / "good.mp3").is_file() and (tmp_path / "good.mp3").is_file()
    assert (tmp_path / "Loud.MP3").is_file() and (tmp_path / "Loud.vtt").is_file()
