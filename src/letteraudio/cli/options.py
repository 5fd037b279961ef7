"""What the commands share: the app, options built from :data:`letteraudio.settings.OPTIONS`
(their defaults, ranges and help live there), errors to exit codes, printing helpers."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer

from letteraudio.errors import EngineUnavailable, InputError, LetterAudioError
from letteraudio.helptext import READABLE, with_range
from letteraudio.interrupt import INTERRUPTED, MESSAGE
from letteraudio.settings import OPTIONS
from letteraudio.values import ChapterMode, columns, printable
from letteraudio.values import plural as plural

if TYPE_CHECKING:
    from letteraudio.settings import Settings

ABOUT = "Turn a written article or letter into one narrated MP3, offline by default."
app = typer.Typer(name="letteraudio", help=ABOUT, add_completion=False, **READABLE)
EXIT_ERROR, EXIT_BAD_INPUT, EXIT_INTERRUPTED = 1, 2, 130
D = {key: option.default for key, option in OPTIONS.items()}
"""Each option's default, for the commands' signatures."""


def opt(key: str, *names: str, **extra: Any) -> Any:
    """The Typer option for a setting: its help, panel and range from the settings module."""
    option = OPTIONS[key]
    if not names and option.default is False:
        names = (f"--{key.replace('_', '-')}",)  # a flag, not --x/--no-x
    settings: dict[str, Any] = dict(help=with_range(option), rich_help_panel=option.panel, **extra)
    settings.update({k: v for k, v in (("min", option.low), ("max", option.high)) if v is not None})
    return typer.Option(*names, **settings)


Engine = Annotated[str, opt("engine", "--engine", "-e")]
VoiceName = Annotated[str | None, opt("voice")]
Lang = Annotated[str | None, opt("lang")]
Speed = Annotated[float, opt("speed")]
Speaker = Annotated[str | None, opt("speaker")]
VoicesDir = Annotated[Path | None, opt("voices_dir")]
Tld = Annotated[str | None, opt("tld")]
Slow = Annotated[bool, opt("slow")]
Retries = Annotated[int | None, opt("retries")]
Fallback = Annotated[str | None, opt("fallback")]
Timeout = Annotated[float | None, opt("timeout")]
Deterministic = Annotated[bool, opt("deterministic")]
PauseMs = Annotated[int, opt("pause_ms")]
TitlePauseMs = Annotated[int, opt("title_pause_ms")]
Bitrate = Annotated[int, opt("bitrate")]
Loudness = Annotated[float, opt("loudness")]
NoNormalize = Annotated[bool, opt("no_normalize")]
Chapters = Annotated[ChapterMode, opt("chapters")]
Id3v24 = Annotated[bool, opt("id3v24")]
CacheDir = Annotated[Path | None, opt("cache_dir")]
NoCache = Annotated[bool, opt("no_cache")]
Jobs = Annotated[int | None, opt("jobs", "--jobs", "-j")]
NoClobber = Annotated[bool, opt("no_clobber")]
MaxChars = Annotated[int, opt("max_chars")]
TextFormat = Annotated[str | None, opt("text_format", "--format")]
KeepBoilerplate = Annotated[bool, opt("keep_boilerplate")]
LexiconFile = Annotated[Path | None, opt("lexicon")]
Vtt = Annotated[bool, opt("vtt")]
Srt = Annotated[bool, opt("srt")]
ChaptersJson = Annotated[bool, opt("chapters_json")]
Title = Annotated[str | None, opt("title")]
Author = Annotated[str | None, opt("author")]
Show = Annotated[str | None, opt("show")]
Description = Annotated[str | None, opt("description")]
Language = Annotated[str | None, opt("language")]
Cover = Annotated[Path | None, opt("cover")]
Date = Annotated[str | None, opt("date")]
Feed = Annotated[bool, opt("feed")]
Scheduler = Annotated[str | None, opt("scheduler")]
LocalCluster = Annotated[int | None, opt("local_cluster")]
TaskRetries = Annotated[int, opt("task_retries")]
Verify = Annotated[bool, opt("verify")]
Config = Annotated[
    Path | None,
    typer.Option(help="Config file with \\[render], \\[metadata] and \\[lexicon] tables (default: "
                 "./letteraudio.toml, else the one in the user config folder)."),
]  # fmt: skip
ARTICLE = ("The article: a text, Markdown or HTML file, - for standard input, or an http(s) "
           "URL to fetch (the only time input is read from the network; proxy settings from "
           "the environment are used).")  # fmt: skip
Article = Annotated[str, typer.Argument(metavar="ARTICLE", help=ARTICLE)]
Articles = Annotated[
    list[str],
    typer.Argument(metavar="ARTICLE", help=f"{ARTICLE} Several, or a folder (its .txt, .md, "
                   ".markdown, .html and .htm files): one MP3 each in the -o folder, skipping "
                   "those already up to date."),
]  # fmt: skip
AsJson = Annotated[bool, typer.Option("--json", help="Print it as JSON.")]


def given(ctx: typer.Context) -> dict[str, Any]:
    """The settings given on this command line (not left at their defaults)."""
    chosen = {}
    for key, value in ctx.params.items():
        source = ctx.get_parameter_source(key)
        if key in OPTIONS and source is not None and source.name not in ("DEFAULT", "DEFAULT_MAP"):
            chosen[key] = str(value) if isinstance(value, Path) and key == "cover" else value
    return chosen


def load_settings(ctx: typer.Context, config: Path | None, **fixed: Any) -> Settings:
    """Settings from this command's options, the environment, the config file, defaults."""
    from letteraudio.settings import Settings

    return Settings.load(config, **{**given(ctx), **fixed})


@contextlib.contextmanager
def errors_to_exit_codes() -> Iterator[None]:
    """Turn library errors into one line on stderr and an exit code, never a traceback."""
    try:
        yield
    except (typer.Exit, typer.Abort, BrokenPipeError):
        raise
    except KeyboardInterrupt as error:  # a batch says what it had finished
        echo(f"Interrupted: {''.join(error.args[:1]) or MESSAGE}", err=True)
        raise typer.Exit(EXIT_INTERRUPTED) from None
    except Exception as error:
        if INTERRUPTED.is_set():  # the signal landed mid-way (a lock, a child): the cause
            echo(f"Interrupted: {MESSAGE}", err=True)
            raise typer.Exit(EXIT_INTERRUPTED) from None
        if isinstance(error, InputError | EngineUnavailable):
            fail(str(error), EXIT_BAD_INPUT)
        if isinstance(error, LetterAudioError):
            fail(str(error), EXIT_ERROR)
        if os.environ.get("LETTERAUDIO_DEBUG"):
            raise
        fail(f"unexpected {type(error).__name__}: {error} (LETTERAUDIO_DEBUG=1 shows more)", 1)


def echo(message: str, err: bool = False) -> None:
    """``typer.echo``, what could steer the terminal shown as escapes (``printable``)."""
    typer.echo(printable(message), err=err)


def fail(message: str, code: int) -> NoReturn:
    echo(f"Error: {' '.join(message.split())}", err=True)
    raise typer.Exit(code)


def print_columns(lines: Sequence[Sequence[str]]) -> None:
    for line in columns(lines):
        echo(line)
