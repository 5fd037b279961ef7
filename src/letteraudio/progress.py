"""Progress on a terminal (stderr) for renders: over the segments of one article, and
over the articles of a batch. What ``letteraudio render`` shows; a Python caller of
:func:`letteraudio.narrate` or :func:`letteraudio.render.batch.narrate_many` may pass them
too. And ``letteraudio check``'s report."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from letteraudio.check import Report
    from letteraudio.render.batch import Outcome
    from letteraudio.render.model import Progress
    from letteraudio.text.segment import Segment


@contextlib.contextmanager
def segment_bar(enabled: bool) -> Iterator[Progress | None]:
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


class BatchBar:
    """One progress line for a batch: articles done of all, minutes of audio, the
    article being written; failures are printed above it as they happen."""

    def __init__(self, shown: bool) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

        columns = "articles, {task.fields[minutes]:.1f} min of audio; {task.fields[now]}"
        self.bar = Progress(TextColumn("Rendering"), BarColumn(), MofNCompleteColumn(),
                            TextColumn(columns), console=Console(stderr=True), transient=True,
                            disable=not shown)  # fmt: skip
        self.task = self.bar.add_task("batch", total=None, minutes=0.0, now="")
        self.minutes, self.name = 0.0, ""

    def __enter__(self) -> BatchBar:
        self.bar.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.bar.stop()

    def begin(self, total: int) -> None:
        self.bar.update(self.task, total=total)

    def started(self, number: int, total: int, source: str, segments: int) -> None:
        self.name = Path(source).name
        self.bar.update(self.task, total=total, now=f"{self.name}, {segments} segments")

    def segment(self, done: int, total: int, segment: Segment) -> None:
        self.bar.update(self.task, now=f"{self.name}, segment {done} of {total}")

    def finished(self, outcome: Outcome) -> None:
        if outcome.episode is not None:
            self.minutes += outcome.episode.duration / 60
        self.bar.update(self.task, advance=1, minutes=self.minutes, now="")
        episode, told = outcome.episode, []
        if episode is not None:
            told = [f"Note: {outcome.source}: {note}" for note in episode.notes]
            if episode.fallback:
                told.append(f"Note: {outcome.source}: the fallback {episode.fallback} spoke "
                            f"{', '.join(episode.fallback_blocks)}")  # fmt: skip
        if outcome.error:
            error = outcome.error
            told.append(
                f"Failed: {error if outcome.source in error else f'{outcome.source}: {error}'}"
            )
        for line in told:  # above the bar, never wrapped
            self.bar.console.print(line, markup=False, highlight=False, soft_wrap=True)


def print_report(report: Report) -> None:
    """``letteraudio check``'s table: every finding, in colour; paths and values are text,
    never markup, with control characters shown as escapes."""
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    from letteraudio.values import printable

    colours = {"ok": "green", "warn": "yellow", "fail": "bold red"}
    title = Text(printable(str(report.path)))  # a path, never markup
    table = Table("check", "value", "result", "detail", title=title, title_justify="left")
    for finding in report.findings:
        status = finding.status.value
        table.add_row(finding.check, Text(printable(finding.value)),
                      Text(status, colours[status]), Text(printable(finding.detail)))  # fmt: skip
    console = Console(highlight=False)
    console.print(table)
    console.print("passed" if report.passed else "FAILED: a podcast host would reject this file")


def print_file_report(mp3: Path, target_lufs: float, as_json: bool) -> bool:
    """``letteraudio check FILE.mp3``: its table (or JSON); whether it passed."""
    import json

    from letteraudio.check import check_mp3

    report = check_mp3(mp3, target_lufs=target_lufs)
    if as_json:
        _echo(json.dumps(report.to_json(), indent=2, ensure_ascii=False))
    else:
        print_report(report)
    return report.passed


def print_speech_report(mp3: Path, article: Path | None, speech: bool, as_json: bool) -> bool:
    """``letteraudio check --speech``: the worst sentences (or JSON); whether all passed."""
    from letteraudio.render.plan import spoken_sentences
    from letteraudio.speech import speech_check

    return speech_check(mp3, article, speech, as_json, spoken_sentences, _echo)


def _echo(message: str, err: bool = False) -> None:
    """``typer.echo``, what could steer the terminal shown as escapes."""
    import typer

    from letteraudio.values import printable

    typer.echo(printable(message), err=err)


def print_folder_report(path: Path, target_lufs: float) -> int:
    """``letteraudio check FOLDER``: a line per problem of the folder's feed as a directory
    sees it (:mod:`letteraudio.publish.directory`), then per rule an episode's MP3 fails,
    then a count, on stdout; returns the number of problems."""
    from letteraudio.check import Status, check_mp3
    from letteraudio.publish.directory import check_feed
    from letteraudio.values import plural, printable

    found = check_feed(path)
    lines = [f"{found.feed}: {problem}" for problem in found.problems]
    for mp3 in found.episodes:
        failed = [f for f in check_mp3(mp3, target_lufs).findings if f.status is Status.FAIL]
        lines += [f"{mp3}: {f.check}: {f.value}" + (f" ({f.detail})" if f.detail else "")
                  for f in failed]  # fmt: skip
    told = plural(len(lines), "problem") if lines else "no problems"
    for line in [*lines, f"{found.feed}: {plural(len(found.episodes), 'episode')} checked, {told}"]:
        print(printable(line))
    return len(lines)
