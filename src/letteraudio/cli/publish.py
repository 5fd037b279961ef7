"""Commands about finished episodes: ``check``, ``feed`` and ``serve``."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from letteraudio.cli import options as o
from letteraudio.errors import InputError

if TYPE_CHECKING:
    from letteraudio.publish.folder import Published

Folder = Annotated[
    Path, typer.Argument(metavar="OUTPUT_DIR", help="The folder of rendered episodes.")
]
Text = str | None


@o.app.command()
def check(
    mp3: Annotated[Path, typer.Argument(metavar="FILE.mp3", help="The MP3 to check.")],
    loudness: Annotated[
        float, typer.Option(help="Integrated loudness target in LUFS (pass within \u00b11 LU).")
    ] = o.D["loudness"],
    as_json: o.AsJson = False,
    speech: Annotated[bool, typer.Option("--speech", help="Instead: check that the audio "
                      "says the script, sentence by sentence, with an offline recognizer "
                      "(pip install 'letteraudio[align]').")] = False,
    text: Annotated[Path | None, typer.Option(metavar="ARTICLE", help="With --speech: the "
                    "article the episode was rendered from (default: the spoken text in "
                    "the episode's own .episode.json).")] = None,
) -> None:  # fmt: skip
    """Check an MP3 as a podcast host would; exit 1 when a rule fails."""
    from letteraudio.check import check_mp3
    from letteraudio.progress import print_report

    with o.errors_to_exit_codes():
        if not mp3.is_file():
            raise InputError(f"{mp3}: no such file" if not mp3.exists() else f"{mp3}: not a file")
        if text is not None and not speech:
            raise InputError("--text goes with --speech")
        if speech:
            check_speech_of(mp3, text, as_json)
            return
        report = check_mp3(mp3, target_lufs=loudness)
        if as_json:
            o.echo(json.dumps(report.to_json(), indent=2, ensure_ascii=False))
        else:
            print_report(report)
        if not report.passed:
            raise typer.Exit(o.EXIT_ERROR)


def check_speech_of(mp3: Path, article: Path | None, as_json: bool) -> None:
    """``check --speech``: the worst sentences, exit 1 when one fails."""
    from letteraudio.publish.episode import EPISODE_SUFFIX, EpisodeInfo, sidecar_path
    from letteraudio.speech import THRESHOLD, check_speech, require_recognizer, skipped, threshold

    require_recognizer()
    episode = sidecar_path(mp3, EPISODE_SUFFIX)
    if not episode.is_file():
        raise InputError(f"{mp3}: no {episode.name} beside it, where its sentences are timed")
    info = EpisodeInfo.from_json(episode.read_text(encoding="utf-8"), episode)
    if note := skipped(info.language):
        typer.echo(f"Note: {note}", err=True)
        return
    expected = [cue.spoken or cue.text for cue in info.cues]
    if article is not None:
        expected = _spoken_sentences(article, info.language)
        if len(expected) != len(info.cues):
            raise InputError(
                f"{article} reads as {o.plural(len(expected), 'sentence')}, but {episode.name} "
                f"times {len(info.cues)}: not the article this episode was rendered from"
            )
    cues = [(cue.start_ms, cue.end_ms, said) for cue, said in zip(info.cues, expected, strict=True)]
    report = check_speech(mp3, cues, info.language)
    if as_json:
        typer.echo(json.dumps(report.to_json(), indent=2, ensure_ascii=False))
    elif report.note:
        typer.echo(f"Note: {report.note}", err=True)
    else:
        failed = report.failed
        typer.echo(
            f"{mp3}: {len(report.sentences) - len(failed)} of "
            f"{o.plural(len(report.sentences), 'sentence')} say the script "
            f"(words aligned to the end; phone error rate at most {THRESHOLD:.2f}, more for "
            "short sentences)"
        )
        for sentence in report.worst(5 if failed else 3):
            verdict = "FAIL" if not sentence.passed else "ok  "
            aligned = "" if sentence.aligned else ", words not found in order"
            typer.echo(
                f"{verdict} {_clock(sentence.start_ms)} score {sentence.score:.2f} "
                f"(limit {threshold(sentence.phones):.2f}){aligned}\n"
                f"     expected: {sentence.expected}\n     heard:    {sentence.heard}"
            )
    if not report.passed:
        raise typer.Exit(o.EXIT_ERROR)


def _spoken_sentences(article: Path, language: str | None) -> list[str]:
    """What the voice is given for each segment of ``article`` (its spoken script, read
    with the default settings in the episode's language)."""
    import letteraudio as la

    settings = la.Settings(voice=la.Voice(lang=language) if language else la.Voice())
    planned = la.plan(la.Article.read(article, None), settings)
    return [segment.text for segment in planned.script.segments if segment.text.strip()]


def _clock(ms: int) -> str:
    seconds = ms // 1000
    return f"{seconds // 60:d}:{seconds % 60:02d}"


@o.app.command()
def feed(
    folder: Folder,
    base_url: Annotated[Text, typer.Option(help="Public address where the folder will be "
                        "published, e.g. https://example.com/podcast/ (remembered).")] = None,
    title: Annotated[Text, typer.Option(help="The show's title (default: show in the "
                     "\\[metadata] table).")] = None,
    description: Annotated[Text, typer.Option(help="The show's description, at most 4000 "
                           "bytes (default: the title).")] = None,
    language: Annotated[Text, typer.Option(help="Language of the show, e.g. en or en-GB "
                        "(default: en).")] = None,
    link: Annotated[Text, typer.Option(help="The show's web site (default: the folder's "
                    "index.html).")] = None,
    author: Annotated[Text, typer.Option(help="Author shown in podcast apps.")] = None,
    image: Annotated[Text, typer.Option(help="Artwork: a URL, or a file name in the folder "
                     "(JPEG or PNG, 1400-3000 px; default: a square drawn from the show's "
                     "title).")] = None,
    category: Annotated[Text, typer.Option(help="Apple category, e.g. 'Arts' or 'Society & "
                        "Culture > Documentary'.")] = None,
    explicit: Annotated[bool | None, typer.Option("--explicit/--no-explicit", help="Whether "
                        "the show is explicit (default: not).")] = None,
    email: Annotated[Text, typer.Option(help="Owner e-mail (itunes:owner; Apple verifies "
                     "it).")] = None,
    config: Annotated[Path | None, typer.Option(help="Config file with a \\[feed] table "
                      "(default: ./letteraudio.toml).")] = None,
) -> None:  # fmt: skip
    """Write OUTPUT_DIR/feed.xml, a page per episode and index.html, from every MP3 there.

    Settings are remembered in the folder: next time, OUTPUT_DIR alone is enough.
    """
    from letteraudio.config import find_config
    from letteraudio.publish.folder import publish_with_config

    started = time.perf_counter()
    with o.errors_to_exit_codes():
        options = {"base_url": base_url, "title": title, "description": description,
                   "language": language, "link": link, "author": author, "image": image,
                   "category": category, "explicit": explicit, "email": email}  # fmt: skip
        report_feed(publish_with_config(folder, find_config(config), options), started)


def report_feed(published: Published, started: float) -> None:
    for note in published.notes:
        o.echo(f"Note: {note}", err=True)
    o.echo(
        f"Wrote {published.feed}: {o.plural(len(published.episodes), 'episode')}, "
        f"{o.plural(len(published.pages), 'page')} (index.html and one per episode), "
        f"in {time.perf_counter() - started:.1f} s"
    )


@o.app.command()
def serve(
    folder: Annotated[Path, typer.Argument(metavar="OUTPUT_DIR", help="The folder to serve.")],
    port: Annotated[
        int, typer.Option(min=0, max=65535, help="Port on 127.0.0.1 (0: any free port).")
    ] = 8000,
) -> None:
    """Serve a published folder at http://127.0.0.1:PORT/ for a preview; Ctrl-C stops it.

    Byte ranges are answered, as podcast apps and browsers need for seeking.
    """
    from letteraudio.publish.server import make_server

    with o.errors_to_exit_codes():
        server = make_server(folder, port)
    host, bound = server.server_address[:2]
    o.echo(f"Serving {folder} at http://{host!s}:{bound}/ (Ctrl-C to stop)")
    sys.stdout.flush()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        o.echo("Stopped.")
    finally:
        server.server_close()
