"""The ``letteraudio`` command line: a door onto the library.

Each command turns its options into :class:`letteraudio.Settings`, calls the library and
prints; library errors become one line on stderr and an exit code. One module per
group of commands; the options they share are in :mod:`letteraudio.cli.options`.
"""

from __future__ import annotations

import os
import sys
from typing import Any

import typer

from letteraudio._version import __version__
from letteraudio.cli.options import EXIT_BAD_INPUT, EXIT_INTERRUPTED, app, echo


def _version(value: bool) -> None:
    if value:
        echo(f"letteraudio {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Show the version."
    ),
) -> None:
    """Turn a written article or letter into one narrated MP3, offline by default."""


from letteraudio.cli import info, publish, speak  # noqa: E402, F401  (they add their commands)


def main() -> None:
    """Entry point for the ``letteraudio`` script: usage errors, too, are one line."""
    from letteraudio.helptext import usage_message
    from letteraudio.interrupt import INTERRUPTED, MESSAGE, install_handlers
    from letteraudio.memory import limit_heap_growth

    exceptions = _click_exceptions()
    install_handlers()
    limit_heap_growth()
    try:
        code = app(standalone_mode=False)
    except exceptions.NoArgsIsHelpError as error:
        error.show()
        sys.exit(EXIT_BAD_INPUT)
    except exceptions.UsageError as error:
        command = error.ctx.command_path if error.ctx else "letteraudio"
        message = usage_message(error.format_message())
        echo(f"Error: {message} (see: {command} --help)", err=True)
        sys.exit(EXIT_BAD_INPUT)
    except exceptions.ClickException as error:
        echo(f"Error: {' '.join(error.format_message().split())}", err=True)
        sys.exit(error.exit_code)
    except BrokenPipeError:  # the reader went away (`letteraudio script a.txt | head`)
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(0)
    except (typer.Abort, KeyboardInterrupt, Exception) as error:
        if not isinstance(error, typer.Abort | KeyboardInterrupt) and not INTERRUPTED.is_set():
            raise
        echo(f"Interrupted: {MESSAGE}", err=True)
        sys.exit(EXIT_INTERRUPTED)
    sys.exit(code if isinstance(code, int) else 0)


def _click_exceptions() -> Any:
    """Click's exception classes: typer 0.29 and later carry their own copy of click."""
    try:
        from typer._click import exceptions
    except ImportError:  # pragma: no cover - older typer uses click itself
        from click import exceptions  # type: ignore[no-redef]
    return exceptions
