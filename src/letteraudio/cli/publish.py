"""Commands about finished episodes: ``check``, ``feed`` and ``serve``."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from letteraudio import helptext
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
    mp3: Annotated[Path, typer.Argument(metavar="FILE.mp3", help="The MP3 to check; or a "
                   "published folder (or its feed.xml), checked as a directory would.")],
    loudness: Annotated[float, typer.Option(help="Integrated loudness target in LUFS (pass "
                        "within \u00b11 LU).")] = o.D["loudness"],
    as_json: o.AsJson = False,
    speech: Annotated[bool, typer.Option("--speech", help=helptext.SPEECH)] = False,
    text: Annotated[Path | None, typer.Option(metavar="ARTICLE", help=helptext.TEXT)] = None,
) -> None:  # fmt: skip
    """Check an MP3 as a podcast host would (a folder: as a directory would); exit 1 on a fail."""
    from letteraudio.progress import print_file_report, print_folder_report, print_speech_report

    with o.errors_to_exit_codes():
        if mp3.is_dir() or mp3.suffix.lower() == ".xml":  # a published folder, or its feed
            raise typer.Exit(o.EXIT_ERROR if print_folder_report(mp3, loudness) else 0)
        if not mp3.is_file():
            raise InputError(f"{mp3}: no such file" if not mp3.exists() else f"{mp3}: not a file")
        if speech or text is not None:  # does the audio say the script?
            raise typer.Exit(0 if print_speech_report(mp3, text, speech, as_json) else o.EXIT_ERROR)
        raise typer.Exit(0 if print_file_report(mp3, loudness, as_json) else o.EXIT_ERROR)


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
    email: Annotated[Text, typer.Option("--owner-email", "--email", metavar="EMAIL", help="Owner "
                     "e-mail (itunes:owner, podcast:locked; Apple verifies it).")] = None,
    locked: Annotated[bool | None, typer.Option("--locked/--unlocked", help="Whether other "
                      "platforms may not import the show (default: locked).")] = None,
    type: Annotated[Text, typer.Option(metavar="episodic|serial", help="itunes:type (default: "
                    "episodic, newest first; serial: in order).")] = None,
    config: Annotated[Path | None, typer.Option(help="Config file with a \\[feed] table "
                      "(default: ./letteraudio.toml).")] = None,
) -> None:  # fmt: skip
    """Write OUTPUT_DIR/feed.xml, a page per episode and index.html, from every MP3 there.

    Settings are remembered in the folder: next time, OUTPUT_DIR alone is enough.
    """
    from letteraudio.config import find_config
    from letteraudio.publish.folder import CHANNEL_KEYS, publish_with_config

    started = time.perf_counter()
    with o.errors_to_exit_codes():
        options = {k: v for k, v in locals().items() if k in CHANNEL_KEYS}  # named as settings
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
