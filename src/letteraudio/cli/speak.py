"""Commands that speak or plan an article: ``render``, ``script`` and ``say``."""

from __future__ import annotations

import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from letteraudio.cli import options as o
from letteraudio.values import ChapterMode

if TYPE_CHECKING:
    from letteraudio.render.model import Episode
    from letteraudio.settings import Settings

Output = Annotated[str | None, typer.Option("--output", "-o", help="MP3 file, or a folder "
                  "(existing, or ending in /) to write ARTICLE.mp3 in (default: output/ARTICLE"
                  ".mp3; for a URL, named from the page's title); with several articles, the "
                  "folder.")]  # fmt: skip
DryRun = Annotated[bool, typer.Option("--dry-run", help="Print the segments, pauses and "
                   "estimated duration; speak nothing.")]  # fmt: skip
Quiet = Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar or summary.")]
BaseUrl = Annotated[str | None, typer.Option(metavar="URL", help="Public address of the output "
                    "folder: implies --feed, titled --show (remembered).")]  # fmt: skip
Limit = Annotated[int | None, typer.Option(metavar="N", min=1, help="A feed's N newest only.")]


@o.app.command()
def render(
    ctx: typer.Context,
    articles: o.Articles,
    output: Output = None,
    engine: o.Engine = o.D["engine"],
    voice: o.VoiceName = None,
    lang: o.Lang = None,
    speed: o.Speed = o.D["speed"],
    speaker: o.Speaker = None,
    voices_dir: o.VoicesDir = None,
    tld: o.Tld = None,
    slow: o.Slow = False,
    retries: o.Retries = None,
    fallback: o.Fallback = None,
    timeout: o.Timeout = None,
    deterministic: o.Deterministic = False,
    pause_ms: o.PauseMs = o.D["pause_ms"],
    title_pause_ms: o.TitlePauseMs = o.D["title_pause_ms"],
    bitrate: o.Bitrate = o.D["bitrate"],
    loudness: o.Loudness = o.D["loudness"],
    no_normalize: o.NoNormalize = False,
    title: o.Title = None,
    author: o.Author = None,
    show: o.Show = None,
    description: o.Description = None,
    language: o.Language = None,
    cover: o.Cover = None,
    date: o.Date = None,
    chapters: o.Chapters = o.D["chapters"],
    id3v24: o.Id3v24 = False,
    config: o.Config = None,
    cache_dir: o.CacheDir = None,
    no_cache: o.NoCache = False,
    jobs: o.Jobs = None,
    no_clobber: o.NoClobber = False,
    max_chars: o.MaxChars = o.D["max_chars"],
    text_format: o.TextFormat = None,
    keep_boilerplate: o.KeepBoilerplate = False,
    lexicon: o.LexiconFile = None,
    vtt: o.Vtt = True,
    srt: o.Srt = True,
    chapters_json: o.ChaptersJson = True,
    feed: o.Feed = False,
    base_url: BaseUrl = None,
    limit: Limit = None,
    scheduler: o.Scheduler = None,
    local_cluster: o.LocalCluster = None,
    task_retries: o.TaskRetries = o.D["task_retries"],
    verify: o.Verify = False,
    dry_run: DryRun = False,
    quiet: Quiet = False,
) -> None:
    """Narrate each ARTICLE into one tagged MP3 with pauses between paragraphs."""
    import letteraudio as la
    from letteraudio.progress import segment_bar
    from letteraudio.render.batch import is_batch, read_input, scripts, show_remembered

    started = time.perf_counter()
    with o.errors_to_exit_codes():
        settings = show_remembered(o.load_settings(ctx, config), output, bool(base_url))
        channel = {"base_url": base_url, "title": show}
        if settings.scheduler and not dry_run:  # the first line, even with --quiet
            o.echo(f"Note: {settings.scheduler_note()}", err=True)
        if "-" in articles and sys.stdin.isatty() and not quiet:
            o.echo("Reading the article from standard input; end it with Ctrl-D.", err=True)
        if dry_run:
            for text in scripts(articles, settings, limit):
                o.echo(text)
        elif is_batch(articles):
            render_batch(articles, settings, output, quiet, channel)
        elif isinstance(read := read_input(articles[0], settings.text_format, limit), list):
            render_batch(read, settings, output, quiet, channel)  # a feed's entries
        else:
            with segment_bar(not quiet and sys.stderr.isatty()) as progress:
                publish_after(settings, la.target_for(read, output).parent, True, True, channel)
                episode = la.narrate(read, settings, output, progress)
            report(episode, time.perf_counter() - started, quiet)
            publish_after(settings, episode.path.parent, channel=channel)


@o.app.command()
def script(
    ctx: typer.Context,
    article: o.Article,
    engine: o.Engine = o.D["engine"],
    voice: o.VoiceName = None,
    lang: o.Lang = None,
    speed: o.Speed = o.D["speed"],
    pause_ms: o.PauseMs = o.D["pause_ms"],
    title_pause_ms: o.TitlePauseMs = o.D["title_pause_ms"],
    text_format: o.TextFormat = None,
    keep_boilerplate: o.KeepBoilerplate = False,
    lexicon: o.LexiconFile = None,
    config: o.Config = None,
    max_chars: o.MaxChars = o.D["max_chars"],
    as_json: o.AsJson = False,
    limit: Limit = None,
) -> None:
    """Print what would be spoken: each segment as written and, where it differs, as
    spoken; its kind and pause; and what was dropped. A feed: each entry's, as render reads it."""
    from letteraudio.render.batch import scripts

    with o.errors_to_exit_codes():
        for text in scripts([article], o.load_settings(ctx, config), limit, as_json):
            o.echo(text)


@o.app.command()
def say(
    ctx: typer.Context,
    text: Annotated[str, typer.Argument(help="The words to say, e.g. a name to audition.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Where to write the MP3.")] = Path(
        "output/say.mp3"
    ),
    engine: o.Engine = o.D["engine"],
    voice: o.VoiceName = None,
    lang: o.Lang = None,
    speed: o.Speed = o.D["speed"],
    speaker: o.Speaker = None,
    voices_dir: o.VoicesDir = None,
    lexicon: o.LexiconFile = None,
) -> None:
    """Speak a short phrase to an MP3, to audition a pronunciation."""
    import letteraudio as la

    with o.errors_to_exit_codes():
        settings = o.load_settings(
            ctx, None, keep_boilerplate=True, chapters=ChapterMode.NONE, no_cache=True,
            title=text[:100],
        )  # fmt: skip
        episode = la.narrate(la.Article(text), replace(settings, sidecars=None), output)
        o.echo(f"Wrote {episode.path}: {episode.duration:.1f} s")


def report(episode: Episode, seconds: float, quiet: bool) -> None:
    """The notes on stderr; unless ``quiet``, what was written and who spoke."""
    for note in episode.notes:
        o.echo(f"Note: {note}", err=True)
    if not quiet:
        o.echo("\n".join(episode.to_text(seconds)))


def render_batch(articles: list[Any], settings: Settings, output: str | None, quiet: bool,
                 channel: dict[str, str | None] | None = None) -> None:  # fmt: skip
    """Render every article; a line for each failure, a summary table, exit 1 if any failed."""
    from letteraudio.progress import BatchBar
    from letteraudio.render.batch import FAILED, folder_for, narrate_many, own_pages, summary

    started, folder = time.perf_counter(), folder_for(output)
    if skipped := own_pages(articles):
        o.echo(f"Note: {skipped}", err=True)
    publish_after(settings, folder, batch=True, check=True, channel=channel)
    with BatchBar(not quiet and sys.stderr.isatty()) as bar:
        outcomes = list(narrate_many(articles, settings, output, bar))
    rows, line = summary(outcomes, time.perf_counter() - started)
    if not quiet:
        o.print_columns(rows)
        o.echo(line)
    publish_after(settings, folder, batch=True, channel=channel)
    if any(outcome.status == FAILED for outcome in outcomes):
        raise typer.Exit(o.EXIT_ERROR)


def publish_after(settings: Settings, folder: Path, batch: bool = False, check: bool = False,
                  channel: dict[str, str | None] | None = None) -> None:  # fmt: skip
    """Refresh the folder's feed after --feed, or a batch when the config has a [feed]
    (``check``: only refuse, before rendering, a feed that could not be written)."""
    from letteraudio.cli.publish import report_feed
    from letteraudio.publish import folder as feeds

    if not feeds.feed_wanted(settings.feed, settings.config, batch):
        return
    if check:
        feeds.check_publishable(folder, settings.config, channel)
    else:
        started = time.perf_counter()  # before the work, not after it
        report_feed(feeds.publish_with_config(folder, settings.config, channel), started)
