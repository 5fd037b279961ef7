"""Commands that speak or plan an article: ``render``, ``script`` and ``say``."""

from __future__ import annotations

import contextlib
import json
import sys
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from letteraudio.cli.options import Article as ArticleArgument
from letteraudio.cli.options import (
    AsJson,
    Author,
    Bitrate,
    CacheDir,
    Chapters,
    ChaptersJson,
    Config,
    Cover,
    D,
    Date,
    Description,
    Deterministic,
    Engine,
    Fallback,
    Id3v24,
    Jobs,
    KeepBoilerplate,
    Lang,
    Language,
    LexiconFile,
    Loudness,
    MaxChars,
    NoCache,
    NoClobber,
    NoNormalize,
    PauseMs,
    Retries,
    Show,
    Slow,
    Speaker,
    Speed,
    Srt,
    TextFormat,
    Timeout,
    Title,
    TitlePauseMs,
    Tld,
    VoiceName,
    VoicesDir,
    Vtt,
    errors_to_exit_codes,
    load_settings,
    plural,
)
from letteraudio.values import ChapterMode, clock

if TYPE_CHECKING:
    from letteraudio.api import Episode, Plan, Progress

Output = Annotated[
    str | None,
    typer.Option("--output", "-o", help="MP3 file, or a folder (existing, or ending in /) to "
                 "write ARTICLE.mp3 in (default: output/ARTICLE.mp3)."),
]  # fmt: skip
DryRun = Annotated[
    bool,
    typer.Option("--dry-run", help="Print the segments, pauses and estimated duration; speak "
                 "nothing."),
]  # fmt: skip
Quiet = Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar or summary.")]


def render(
    ctx: typer.Context,
    article: ArticleArgument,
    output: Output = None,
    engine: Engine = D["engine"],
    voice: VoiceName = None,
    lang: Lang = None,
    speed: Speed = D["speed"],
    speaker: Speaker = None,
    voices_dir: VoicesDir = None,
    tld: Tld = None,
    slow: Slow = False,
    retries: Retries = None,
    fallback: Fallback = None,
    timeout: Timeout = None,
    deterministic: Deterministic = False,
    pause_ms: PauseMs = D["pause_ms"],
    title_pause_ms: TitlePauseMs = D["title_pause_ms"],
    bitrate: Bitrate = D["bitrate"],
    loudness: Loudness = D["loudness"],
    no_normalize: NoNormalize = False,
    title: Title = None,
    author: Author = None,
    show: Show = None,
    description: Description = None,
    language: Language = None,
    cover: Cover = None,
    date: Date = None,
    chapters: Chapters = D["chapters"],
    id3v24: Id3v24 = False,
    config: Config = None,
    cache_dir: CacheDir = None,
    no_cache: NoCache = False,
    jobs: Jobs = None,
    no_clobber: NoClobber = False,
    max_chars: MaxChars = D["max_chars"],
    text_format: TextFormat = None,
    keep_boilerplate: KeepBoilerplate = False,
    lexicon: LexiconFile = None,
    vtt: Vtt = True,
    srt: Srt = True,
    chapters_json: ChaptersJson = True,
    dry_run: DryRun = False,
    quiet: Quiet = False,
) -> None:
    """Narrate ARTICLE into one tagged MP3 with pauses between paragraphs."""
    import letteraudio as la

    started = time.perf_counter()
    with errors_to_exit_codes():
        settings = load_settings(ctx, config)
        if article == "-" and sys.stdin.isatty() and not quiet:
            typer.echo("Reading the article from standard input; end it with Ctrl-D.", err=True)
        text = la.Article.read(article, settings.text_format)
        if dry_run:
            print_script(la.plan(text, settings))
            return
        with progress_bar(not quiet and sys.stderr.isatty()) as progress:
            episode = la.narrate(text, settings, la.target_for(text, output), progress)
        report(episode, time.perf_counter() - started, quiet)


def script(
    ctx: typer.Context,
    article: ArticleArgument,
    engine: Engine = D["engine"],
    speed: Speed = D["speed"],
    pause_ms: PauseMs = D["pause_ms"],
    title_pause_ms: TitlePauseMs = D["title_pause_ms"],
    text_format: TextFormat = None,
    keep_boilerplate: KeepBoilerplate = False,
    lexicon: LexiconFile = None,
    config: Config = None,
    max_chars: MaxChars = D["max_chars"],
    as_json: AsJson = False,
) -> None:
    """Print what would be spoken: each segment, its kind and pause, and what was dropped."""
    import letteraudio as la

    with errors_to_exit_codes():
        settings = load_settings(ctx, config)
        planned = la.plan(la.Article.read(article, settings.text_format), settings)
        if as_json:
            typer.echo(json.dumps(script_json(planned), indent=2, ensure_ascii=False))
        else:
            print_script(planned)


def say(
    ctx: typer.Context,
    text: Annotated[str, typer.Argument(help="The words to say, e.g. a name to audition.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Where to write the MP3.")] = Path(
        "output/say.mp3"
    ),
    engine: Engine = D["engine"],
    voice: VoiceName = None,
    lang: Lang = None,
    speed: Speed = D["speed"],
    speaker: Speaker = None,
    voices_dir: VoicesDir = None,
    lexicon: LexiconFile = None,
) -> None:
    """Speak a short phrase to an MP3, to audition a pronunciation."""
    import letteraudio as la

    with errors_to_exit_codes():
        settings = load_settings(
            ctx, None, keep_boilerplate=True, chapters=ChapterMode.NONE, no_cache=True,
            title=text[:100],
        )  # fmt: skip
        episode = la.narrate(la.Article(text), replace(settings, sidecars=None), output)
        typer.echo(f"Wrote {episode.path}: {episode.duration:.1f} s")


def register(app: typer.Typer) -> None:
    app.command()(script)
    app.command()(say)
    app.command()(render)


def report(episode: Episode, seconds: float, quiet: bool) -> None:
    """The notes on stderr; unless ``quiet``, what was written and who spoke."""
    for note in episode.notes:
        typer.echo(f"Note: {note}", err=True)
    if quiet:
        return
    parts = [f"{clock(episode.duration)} of audio"]
    if loudness := episode.loudness:
        parts.append(f"{loudness.integrated_lufs:.1f} LUFS, {loudness.true_peak_dbtp:.1f} dBTP")
    size = episode.size
    parts += [plural(len(episode.chapters), "chapter"),
              f"{size / 1e6:.1f} MB" if size >= 1e6 else f"{size / 1e3:.0f} kB",
              f"in {seconds:.1f} s"]  # fmt: skip
    typer.echo(f"Wrote {episode.path}: {', '.join(parts)}")
    if episode.fallback:
        typer.echo(f"The fallback {episode.fallback} spoke: {', '.join(episode.fallback_blocks)}")


def script_json(planned: Plan) -> dict[str, Any]:
    script, pace = planned.script, planned.chars_per_second
    segments = [{"index": s.index, "kind": s.kind, "paragraph": s.paragraph, "text": s.text,
                 "pause_after_ms": s.pause_after_ms,
                 "estimated_seconds": round(len(s.text) / pace, 1)}
                for s in script.segments]  # fmt: skip
    return {
        "title": script.document.title,
        "engine": planned.settings.voice.engine,
        "estimated_seconds": round(planned.estimated_seconds, 1),
        "segments": segments,
        "tail_ms": script.pauses.tail,
        "dropped": [{"text": d.text, "reason": d.reason} for d in script.document.dropped],
    }


def print_script(planned: Plan) -> None:
    script = planned.script
    for segment in script.segments:
        if segment is script.segments[-1]:
            pause = f"tail  {script.pauses.tail:>5} ms"
        else:
            pause = f"pause {segment.pause_after_ms:>5} ms"
        typer.echo(f"{segment.index + 1:>4}  {segment.kind:<9}  {pause}  {segment.text}")
    characters = sum(len(s.text) for s in script.segments)
    typer.echo(
        f"{plural(len(script.segments), 'segment')}, {plural(characters, 'character')}; "
        f"estimated duration {clock(planned.estimated_seconds)} with "
        f"{planned.settings.voice.engine}"
    )
    for dropped in script.document.dropped:
        typer.echo(f"dropped ({dropped.reason}): {dropped.text}")


@contextlib.contextmanager
def progress_bar(enabled: bool) -> Iterator[Progress | None]:
    """A rich progress bar over segments on stderr (shown from the first one), or None."""
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
    task = bar.add_task("speak", total=None)
    with bar:
        yield lambda done, total, _segment: bar.update(task, completed=done, total=total)
