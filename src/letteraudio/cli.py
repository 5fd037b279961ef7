"""The ``letteraudio`` command line: a thin Typer layer over the library."""

from __future__ import annotations

import contextlib
import os
import re
import sys
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

from letteraudio import __version__
from letteraudio.errors import EngineUnavailable, InputError, LetterAudioError

if TYPE_CHECKING:
    from letteraudio.pipeline import Progress, Script

app = typer.Typer(
    name="letteraudio",
    help="Turn a written article or letter into one narrated MP3, offline by default.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

DEFAULT_OUTPUT_DIR = Path("output")
EXIT_ERROR = 1
EXIT_BAD_INPUT = 2
EXIT_INTERRUPTED = 130


def _version(value: bool) -> None:
    if value:
        typer.echo(f"letteraudio {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool | None,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Show the version and exit."
        ),
    ] = None,
) -> None:
    """Turn a written article or letter into one narrated MP3, offline by default."""


@app.command()
def render(
    article: Annotated[
        str, typer.Argument(help="The article: a plain-text file, or - to read standard input.")
    ],
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", help="Where to write the MP3 [default: output/<article>.mp3]."
        ),
    ] = None,
    engine: Annotated[
        str,
        typer.Option("--engine", "-e", help="Text-to-speech engine (see: letteraudio engines)."),
    ] = "piper",
    voice: Annotated[
        str | None,
        typer.Option(
            help="Piper voice: a .onnx file with its .onnx.json beside it "
            "[default: the bundled en_US-joe-medium]."
        ),
    ] = None,
    lang: Annotated[str, typer.Option(help="Language (gtts).")] = "en",
    tld: Annotated[
        str, typer.Option(help="Google domain for the accent, e.g. com, co.uk, com.au (gtts).")
    ] = "com",
    slow: Annotated[bool, typer.Option("--slow", help="Speak slowly (gtts).")] = False,
    timeout: Annotated[
        float, typer.Option(min=0.1, help="Seconds to wait for each network request (gtts).")
    ] = 15.0,
    pause_ms: Annotated[
        int, typer.Option("--pause-ms", min=0, max=10_000, help="Pause between paragraphs, in ms.")
    ] = 750,
    title_pause_ms: Annotated[
        int,
        typer.Option("--title-pause-ms", min=0, max=10_000, help="Pause after the title, in ms."),
    ] = 1200,
    bitrate: Annotated[int, typer.Option(help="MP3 bitrate in kbps (constant).")] = 96,
    deterministic: Annotated[
        bool,
        typer.Option(
            "--deterministic",
            help="Same text, same audio: turn off the voice's random variation (piper).",
        ),
    ] = False,
    dry_run: Annotated[
        bool,
        typer.Option(
            "--dry-run", help="Print the segments, pauses and estimated duration; speak nothing."
        ),
    ] = False,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="No progress bar or summary.")
    ] = False,
) -> None:
    """Narrate ARTICLE into one MP3 with pauses between paragraphs."""
    from letteraudio.audio.encode import check_bitrate
    from letteraudio.engines import EngineSettings, create_engine, engine_class
    from letteraudio.pipeline import RenderSettings, build_script, narrate
    from letteraudio.text.read import STDIN, read_article
    from letteraudio.text.segment import Pauses

    with _errors_to_exit_codes():
        engine_type = engine_class(engine)
        settings = RenderSettings(
            pauses=replace(Pauses(), paragraph=pause_ms, title=title_pause_ms),
            bitrate_kbps=check_bitrate(bitrate),
        )
        target = output or DEFAULT_OUTPUT_DIR / f"{_stem(article)}.mp3"
        if article != STDIN and target.exists() and target.resolve() == Path(article).resolve():
            raise InputError(f"the output {target} is the article itself: choose another -o")
        text = read_article(article)
        script = build_script(text, engine_type.max_chars, settings.pauses)
        if dry_run:
            _print_script(script, engine_type.name, engine_type.chars_per_second)
            return
        tts = create_engine(
            engine,
            EngineSettings(
                voice=voice,
                lang=lang,
                tld=tld,
                slow=slow,
                timeout=timeout,
                deterministic=deterministic,
            ),
        )
        show_progress = not quiet and sys.stderr.isatty()
        with _progress_bar(len(script.segments), show_progress) as progress:
            episode = narrate(script, tts, target, settings, progress)
        if not quiet:
            typer.echo(
                f"Wrote {episode.path}: {_clock(episode.duration)} of audio, "
                f"{episode.size / 1e6:.1f} MB, {episode.segments} segments, "
                f"in {episode.wall_seconds:.1f} s"
            )


@app.command()
def engines() -> None:
    """List the text-to-speech engines and whether each can run here."""
    from letteraudio.engines import DEFAULT_ENGINE, engine_statuses

    for status in engine_statuses():
        where = "online " if status.online else "offline"
        default = " (default)" if status.name == DEFAULT_ENGINE else ""
        state = "usable" if status.usable else f"unusable: {status.problem}"
        typer.echo(f"{status.name:<8} {where}  {state}  - {status.description}{default}")


def main() -> None:
    """Entry point for the ``letteraudio`` script."""
    app()


# --- helpers -------------------------------------------------------------------------


@contextlib.contextmanager
def _errors_to_exit_codes() -> Iterator[None]:
    """Turn library errors into one line on stderr and an exit code, never a traceback."""
    try:
        yield
    except (typer.Exit, typer.Abort):
        raise
    except KeyboardInterrupt:
        typer.echo("Interrupted: nothing was written.", err=True)
        raise typer.Exit(EXIT_INTERRUPTED) from None
    except (InputError, EngineUnavailable) as error:
        _fail(str(error), EXIT_BAD_INPUT)
    except LetterAudioError as error:
        _fail(str(error), EXIT_ERROR)
    except Exception as error:
        if os.environ.get("LETTERAUDIO_DEBUG"):
            raise
        _fail(f"unexpected {type(error).__name__}: {error} (LETTERAUDIO_DEBUG=1 shows more)", 1)


def _fail(message: str, code: int) -> NoReturn:
    typer.echo(f"Error: {' '.join(message.split())}", err=True)
    raise typer.Exit(code)


def _stem(article: str) -> str:
    """The output name for an article: its file stem, or ``article`` for stdin."""
    stem = Path(article).stem if article != "-" else "article"
    return re.sub(r"[^\w.-]+", "-", stem).strip("-.") or "article"


def _clock(seconds: float) -> str:
    minutes, secs = divmod(round(seconds), 60)
    return f"{minutes}:{secs:02d}"


def _print_script(script: Script, engine: str, chars_per_second: float) -> None:
    for segment in script.segments:
        pause = f"pause {segment.pause_after_ms:>5} ms"
        typer.echo(f"{segment.index + 1:>4}  {segment.kind:<9}  {pause}  {segment.text}")
    characters = sum(len(s.text) for s in script.segments)
    typer.echo(
        f"{len(script.segments)} segments, {characters:,} characters; "
        f"estimated duration {_clock(script.estimated_seconds(chars_per_second))} with {engine}"
    )


@contextlib.contextmanager
def _progress_bar(total: int, enabled: bool) -> Iterator[Progress | None]:
    """A rich progress bar over segments on stderr, or None when disabled."""
    if not enabled:
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeRemainingColumn
    from rich.progress import Progress as Bar

    bar = Bar(
        TextColumn("Speaking"), BarColumn(), MofNCompleteColumn(), TextColumn("segments"),
        TimeRemainingColumn(), console=Console(stderr=True), transient=True,
    )  # fmt: skip
    task = bar.add_task("speak", total=total)
    with bar:
        yield lambda done, _total, _segment: bar.update(task, completed=done)
