"""Command-line help a person reads: Typer's Python types and ``x>=1`` ranges out, values
named (``FILE``, ``N``, ``MS``), ranges in words, the commands in the order a user needs
them, and no line broken in the middle of a sentence."""

from __future__ import annotations

import re
from typing import Any

from typer.core import TyperArgument, TyperCommand, TyperGroup, TyperOption

from letteraudio.settings import Option

ORDER = ("render", "script", "say", "check", "feed", "serve", "engines", "voices", "cache",
         "config")  # fmt: skip
"""The commands in the order a user needs them."""
METAVARS = {
    "engine": "ENGINE", "voice": "VOICE", "lang": "CODE", "speed": "RATE", "speaker": "NAME",
    "voices_dir": "FOLDER", "tld": "DOMAIN", "retries": "N", "fallback": "ENGINE",
    "timeout": "SECONDS", "pause_ms": "MS", "title_pause_ms": "MS", "bitrate": "KBPS",
    "loudness": "LUFS", "chapters": "MODE", "cache_dir": "FOLDER", "jobs": "N", "max_chars": "N",
    "text_format": "FORMAT", "lexicon": "FILE", "title": "TEXT", "author": "NAME", "show": "NAME",
    "description": "TEXT", "language": "CODE", "cover": "FILE", "date": "DATE",
    "scheduler": "URL", "local_cluster": "N", "task_retries": "N", "config": "FILE",
    "output": "PATH", "port": "PORT",
}  # fmt: skip
"""What each option's value is, in the help (Typer would show its Python type)."""
SPEECH = "Instead: does the audio say the script? (offline; pip install 'letteraudio[align]')"
TEXT = "With --speech: the article it was rendered from (default: its .episode.json)."
"""``check --speech`` and ``--text`` (here: cli/ stays within its 700 lines)."""


def readable(command: TyperCommand | TyperGroup, ctx: Any = None) -> None:
    """Help a person reads: no Python types or ``x>=1`` ranges (the help says them in
    words), arguments by name, flags bare, and no line broken in the middle of a sentence.
    Applied to a command (with its ``--help``) when its help is shown, and to a group's
    commands' summaries."""
    if command.help:
        command.help = _one_line_paragraphs(command.help)
    for param in command.get_params(ctx) if ctx is not None else command.params:
        if isinstance(param, TyperOption):
            if param.is_flag:
                param.metavar = ""
            elif param.metavar is None:
                param.metavar = METAVARS.get(param.name or "", (param.name or "value").upper())
        # Typer shows the type and the range these give: each parameter's own say nothing.
        shown = None if isinstance(param, TyperArgument) else param.metavar or None
        vars(param).update(
            display_type_rich=lambda ctx, shown=shown: shown,
            _get_number_range_help_str=lambda: None,
        )
        if isinstance(param, TyperArgument):
            param.metavar = name = param.metavar or (param.name or "").upper()
            usage = name if param.required else f"[{name}]"
            usage += "..." if param.nargs != 1 else ""
            vars(param)["get_usage_pieces"] = lambda ctx, usage=usage: [usage]
    if isinstance(command, TyperGroup):
        for child in command.commands.values():
            if child.help:
                child.help = _one_line_paragraphs(child.help)


def _one_line_paragraphs(text: str) -> str:
    return re.sub(r"(?<=\S)[ \t]*\n[ \t]*(?=\S)", " ", text.strip())


class ReadableCommand(TyperCommand):
    def format_help(self, ctx: Any, formatter: Any) -> None:
        readable(self, ctx)
        super().format_help(ctx, formatter)


class ReadableGroup(TyperGroup):
    def format_help(self, ctx: Any, formatter: Any) -> None:
        readable(self, ctx)
        super().format_help(ctx, formatter)

    def get_command(self, ctx: Any, name: str) -> Any:
        """The command, its help made :func:`readable` too (Typer builds them plain)."""
        found = super().get_command(ctx, name)
        if type(found) is TyperCommand:
            found.__class__ = ReadableCommand
        elif type(found) is TyperGroup:
            found.__class__ = ReadableGroup
        return found

    def list_commands(self, ctx: Any) -> list[str]:
        names = super().list_commands(ctx)
        return sorted(names, key=lambda n: ORDER.index(n) if n in ORDER else len(ORDER))


READABLE: dict[str, Any] = {
    "cls": ReadableGroup, "no_args_is_help": True, "pretty_exceptions_enable": False,
}  # fmt: skip
"""How the app is made: its commands' help reads as above, and no traceback is shown."""


def with_range(option: Option) -> str:
    """The option's help, with its range in words when the help does not give it."""
    low, high = (None if v is None else f"{v:g}" for v in (option.low, option.high))
    if low is None and high is None:
        return option.help
    if low is not None and high is not None:
        words = f"from {low} to {high}"
    else:
        words = f"at least {low}" if low is not None else f"at most {high}"
    if all(v is None or v in option.help for v in (low, high)):
        return option.help
    return f"{option.help.rstrip('.')} ({words})."


_VALIDATION = (
    (re.compile(r"Input should be less than or equal to "), "at most "),
    (re.compile(r"Input should be greater than or equal to "), "at least "),
    (re.compile(r"Input should be less than "), "less than "),
    (re.compile(r"Input should be greater than "), "more than "),
    (re.compile(r"Input should be a valid integer\b.*"), "expected a whole number"),
    (re.compile(r"Input should be a valid number\b.*"), "expected a number"),
    (re.compile(r"Value error, "), ""),
)
"""Typer (0.29 and later) checks option values with pydantic: its wording, in words."""


def usage_message(message: str) -> str:
    """A usage error as one plain line (pydantic's "Input should be ..." rephrased)."""
    for pattern, words in _VALIDATION:
        message = pattern.sub(words, message)
    return " ".join(message.split()).removesuffix(".")
