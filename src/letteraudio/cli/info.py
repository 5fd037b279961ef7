"""Commands that look around: ``engines``, ``voices``, ``cache`` and ``config``."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated, Any

import typer

from letteraudio.cli import options as o

CacheFolder = Annotated[Path | None, typer.Option("--cache-dir", help="The cache folder.")]
cache_app = typer.Typer(help="Look at or empty the cache of spoken segments.", no_args_is_help=True)
config_app = typer.Typer(help="Show the settings letteraudio.toml gives.", no_args_is_help=True)
o.app.add_typer(cache_app, name="cache")
o.app.add_typer(config_app, name="config")


@o.app.command()
def engines() -> None:
    """List the text-to-speech engines and whether each can run here."""
    from letteraudio.engines import DEFAULT_ENGINE, engine_statuses

    lines = [("engine", "network", "status", "about")]
    for status in engine_statuses():
        name = f"{status.name} (default)" if status.name == DEFAULT_ENGINE else status.name
        state = "usable" if status.usable else f"unusable: {status.problem}"
        lines.append((name, "online" if status.online else "offline", state, status.description))
    o.print_columns(lines)


@o.app.command()
def voices(
    engine: Annotated[str | None, typer.Option("--engine", "-e", help="Only this engine's "
                      "voices.")] = None,
    lang: Annotated[str | None, typer.Option(help="Only voices for this language, e.g. en, "
                    "en-GB, fr.")] = None,
    tld: Annotated[str, typer.Option(help="Google domain whose accent gtts would use: com, "
                   "co.uk...")] = "com",
    voices_dir: o.VoicesDir = None,
    config: Annotated[Path | None, typer.Option(help="Config file that may name a voices "
                      "folder.")] = None,
    as_json: o.AsJson = False,
) -> None:  # fmt: skip
    """List the voices each engine offers: id, language, gender, quality, where it comes from
    and its licence."""
    from letteraudio.config import find_config
    from letteraudio.engines import EngineSettings, offered_voices
    from letteraudio.settings import layered

    with o.errors_to_exit_codes():
        given = {"voices_dir": voices_dir} if voices_dir else {}
        folder = layered(given, find_config(config), os.environ)["voices_dir"].value
        settings = EngineSettings(tld=tld, voices_dir=Path(folder) if folder else None)
        rows, notes = offered_voices(engine, lang, settings)
        for note in notes:
            o.echo(f"Note: {note}", err=True)
        if as_json:
            o.echo(json.dumps(rows, indent=2, ensure_ascii=False))
            return
        columns = ("engine", "id", "language", "gender", "quality", "source", "licence",
                   "description")  # fmt: skip
        lines = [("engine", "voice", "language", "gender", "quality", "source", "licence",
                  "about")]  # fmt: skip
        o.print_columns(lines + [tuple(row[column] for column in columns) for row in rows])


@cache_app.command("info")
def cache_info(cache_dir: CacheFolder = None) -> None:
    """Where the cache is, what it holds and its size."""
    from letteraudio.cache import ClipCache, default_cache_dir

    with o.errors_to_exit_codes():
        cache = ClipCache(cache_dir or default_cache_dir())
        info = cache.info()
        o.echo(
            f"{cache.folder}: {o.plural(info.clips, 'spoken sentence')}, "
            f"{o.plural(info.chunks, 'encoded paragraph')}, "
            f"{o.plural(info.models, 'prepared voice')}; {info.bytes / 1e6:.1f} MB"
        )


@cache_app.command("clear")
def cache_clear(cache_dir: CacheFolder = None) -> None:
    """Delete everything in the cache (it is all made again when needed)."""
    from letteraudio.cache import ClipCache, default_cache_dir

    with o.errors_to_exit_codes():
        cache = ClipCache(cache_dir or default_cache_dir())
        removed = cache.clear()
        entries = "entry" if removed == 1 else "entries"
        o.echo(f"Removed {removed:,} {entries} from {cache.folder}")


@config_app.command(
    "show", context_settings={"allow_extra_args": True, "ignore_unknown_options": True}
)
def config_show(ctx: typer.Context, as_json: o.AsJson = False) -> None:
    """Print the settings `letteraudio render` would use and where each comes from
    (default, config file, environment or option). Render options given after
    `show` (e.g. `--speed 1.2 --config my.toml`) are taken into account."""
    from letteraudio.config import user_config_path

    # Parsed by render itself (outside the error wrapper: a bad option is a usage error).
    root = ctx.find_root().command
    render_ctx = root.commands["render"].make_context(  # type: ignore[attr-defined]
        "letteraudio render", ["-", *ctx.args]
    )
    with o.errors_to_exit_codes():
        settings = o.load_settings(render_ctx, render_ctx.params["config"])
        path = settings.config
        if as_json:
            render = {k: {"value": _plain(v.value), "source": v.source}
                      for k, v in sorted(settings.sources.items())}  # fmt: skip
            document = {"config": str(path) if path else None, "render": render,
                        "metadata": dict(settings.metadata_defaults)}  # fmt: skip
            o.echo(json.dumps(document, indent=2, ensure_ascii=False))
            return
        looked = f"none (looked for ./letteraudio.toml and {user_config_path()})"
        o.echo(f"config file: {path or looked}")
        for key, setting in sorted(settings.sources.items()):
            shown = "(none)" if setting.value is None else _plain(setting.value)
            o.echo(f"{key.replace('_', '-'):<16} {shown!s:<24} {setting.source}")
        for key, text in settings.metadata_defaults.items():
            o.echo(f"{key:<16} {text!s:<24} {path} [metadata]")


def _plain(value: object) -> Any:
    """A setting as JSON or text shows it."""
    return str(value) if isinstance(value, Path) else value
