"""Many articles in one run: each to its own MP3 and sidecars in one folder.

:func:`narrate_many` reads, plans and renders each article in turn through one map of
paragraph tasks (this machine's threads, or a Dask cluster that already speaks the next
articles while one is being written). An article that fails is reported with its one-line
error and the others still render; nothing is written for it. An article whose MP3 and
sidecars are already what this render would write
(:func:`letteraudio.render.sidecars.up_to_date`)
is skipped.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Protocol

from letteraudio.errors import InputError, LetterAudioError, NetworkError
from letteraudio.interrupt import INTERRUPTED
from letteraudio.render.join import join
from letteraudio.render.maps import parts_map
from letteraudio.render.model import Article, Episode, Part, Plan
from letteraudio.render.paragraph import build_voices
from letteraudio.render.plan import plan
from letteraudio.render.sidecars import up_to_date
from letteraudio.render.target import DEFAULT_OUTPUT_DIR, check_target, target_for
from letteraudio.settings import Settings
from letteraudio.speech import require_recognizer
from letteraudio.text.feeds import FEED_SUFFIXES, Entry, entry_page, feed_kind, parse_feed
from letteraudio.text.segment import Segment
from letteraudio.values import clock, plural

ARTICLE_SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm")
"""What a folder given as input is read for."""
RENDERED, UP_TO_DATE, FAILED = "rendered", "up to date", "failed"


@dataclass(frozen=True)
class FeedEntry:
    """A post of a feed given as input, as a batch's article: its content when the feed
    carries it, else the page at its link (fetched as any URL is, when its turn comes)."""

    entry: Entry
    feed: str
    """The feed it came from (for its name when it has no link)."""

    def __str__(self) -> str:
        return self.entry.link or f"{self.feed}#{self.entry.guid}"

    def article(self, format: str | None = None) -> Article:
        entry = self.entry
        date = entry.date.date().isoformat() if entry.date else None
        metadata = {key: value for key, value in (("title", entry.title),
                    ("author", entry.author), ("date", date)) if value}  # fmt: skip
        if entry.content:
            return Article(entry_page(entry), "html", str(self), entry.link, metadata)
        assert entry.link is not None  # an entry has content or a link (parse_feed)
        return replace(Article.read(entry.link, format), metadata=metadata)


def read_input(
    source: str, format: str | None = None, limit: int | None = None
) -> Article | list[FeedEntry]:
    """One ARTICLE given: the article, or, when it is an RSS 2.0 or Atom feed (a file or a
    URL, told by its content), its newest ``limit`` entries. A URL is fetched once."""
    from letteraudio.text.fetch import fetch, is_url
    from letteraudio.text.source import source_from_page

    if is_url(source):
        page = fetch(source)
        kind = feed_kind(page.body)
        xml = (page.media_type or "").endswith(("/xml", "+xml")) and "xhtml" not in str(
            page.media_type
        )
        if kind in ("rss", "atom") or (kind == "xml" and xml):
            return _entries(page.body, source, limit)
        read = source_from_page(source, page, format)
        return Article(read.text, read.format, read.name, read.url)
    path = Path(source)
    if source != "-" and path.is_file():
        try:
            with path.open("rb") as file:
                head = file.read(1024)
            data = path.read_bytes() if head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"<" else b""
        except OSError:
            data = b""  # Article.read says what is wrong with it
        kind = feed_kind(data) if data else None
        if kind in ("rss", "atom") or (kind == "xml" and path.suffix.lower() in FEED_SUFFIXES):
            return _entries(data, source, limit)
    return Article.read(source, format)


def _entries(data: bytes, source: str, limit: int | None) -> list[FeedEntry]:
    entries = parse_feed(data, source).entries
    return [FeedEntry(entry, source) for entry in entries[:limit]]


def read_one(name: str | Path | FeedEntry, format: str | None) -> Article:
    """One article of a batch: a feed's entry, or a path or URL."""
    return name.article(format) if isinstance(name, FeedEntry) else Article.read(name, format)


def scripts(
    sources: Sequence[str | Path | FeedEntry],
    settings: Settings,
    limit: int | None = None,
    as_json: bool = False,
) -> Iterator[str]:
    """What ``script`` and ``render --dry-run`` print, the articles read exactly as
    ``render`` reads them (:func:`read_input`, :func:`collect`): one article's script; for
    a folder, several articles or a feed (its ``limit`` newest entries), each article's
    script under its name. With ``as_json``, one JSON text: the script, or a list of
    scripts each with its ``article``. Yields as each article is read."""
    import json

    several: Sequence[str | Path | FeedEntry] = sources
    if not is_batch(sources):
        read = read_input(str(sources[0]), settings.text_format, limit)
        if isinstance(read, Article):
            planned = plan(read, settings)
            yield (json.dumps(planned.to_json(), indent=2, ensure_ascii=False) if as_json
                   else "\n".join(planned.to_text()))  # fmt: skip
            return
        several = read
    found = collect(several)
    every = []
    for number, name in enumerate(found, start=1):
        article = read_one(name, settings.text_format)
        planned = plan(article, settings)
        if as_json:
            every.append({"article": str(name), **planned.to_json()})
        else:
            heading = f"== {number} of {plural(len(found), 'article')}: {name} =="
            yield "\n".join([*([""] if number > 1 else []), heading, *planned.to_text()])
    if as_json:
        yield json.dumps(every, indent=2, ensure_ascii=False)


def show_remembered(settings: Settings, output: str | None, feed: bool = False) -> Settings:
    """Episodes written into a published folder are tagged with its show's title (TALB)
    unless --show or the config file says otherwise, so that a later ``render --feed``
    finds them up to date (``feed``: refresh the feed after, as --base-url asks)."""
    from letteraudio.publish.folder import remembered_title

    if feed:
        settings = replace(settings, feed=True)
    if settings.metadata_defaults.get("show"):
        return settings
    folder = Path(output).parent if output and output.lower().endswith(".mp3") else None
    title = remembered_title(folder or folder_for(output))
    if title is None:
        return settings
    return replace(settings, metadata_defaults={**settings.metadata_defaults, "show": title})


def collect(sources: Sequence[str | Path | FeedEntry]) -> list[str | FeedEntry]:
    """The articles named: files, URLs, ``-`` and feed entries as given; for a folder,
    every file in it with an article's extension (not its subfolders, nor the pages
    letteraudio wrote: :func:`own_pages`), sorted by name. A folder without any is an
    :class:`InputError`; a name given twice is read once."""
    found: list[str | FeedEntry] = []
    for source in sources:
        if isinstance(source, FeedEntry):
            found.append(source)
            continue
        path = Path(source)
        if "://" not in str(source) and path.is_dir():
            ours = set(_own_pages(path))
            inside = sorted(p for p in _article_files(path) if p not in ours)
            if not inside:
                skipped = f" (only {plural(len(ours), 'page')} letteraudio wrote)" if ours else ""
                raise InputError(
                    f"{source}: a folder with no {', '.join(ARTICLE_SUFFIXES)} files{skipped}"
                )
            found += [str(p) for p in inside]
        else:
            found.append(str(source))
    return list(dict.fromkeys(found))


def own_pages(sources: Sequence[str | Path | FeedEntry]) -> str | None:
    """What :func:`collect` leaves out of the folders among ``sources``, said once (e.g.
    ``skipped 3 pages letteraudio wrote``): the episode pages and index that publishing
    writes, told by their generator mark, whatever their names. None when there are none."""
    folders = [Path(s) for s in sources if not isinstance(s, FeedEntry)
               and "://" not in str(s) and Path(s).is_dir()]  # fmt: skip
    count = sum(len(_own_pages(folder)) for folder in dict.fromkeys(folders))
    return f"skipped {plural(count, 'page')} letteraudio wrote" if count else None


def _article_files(folder: Path) -> list[Path]:
    return [p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in ARTICLE_SUFFIXES]


def _own_pages(folder: Path) -> list[Path]:
    from letteraudio.publish.page import written_by_letteraudio

    pages = (p for p in _article_files(folder) if p.suffix.lower() in (".html", ".htm"))
    return [p for p in pages if written_by_letteraudio(p)]


def folder_for(output: str | Path | None = None) -> Path:
    """The folder a batch writes its MP3s in: ``output``, else ``output/``."""
    return Path(output).expanduser() if output else DEFAULT_OUTPUT_DIR


def is_batch(sources: Sequence[str | Path | FeedEntry]) -> bool:
    """Whether these inputs make a batch (several articles, or a folder)."""
    return len(sources) > 1 or any(
        isinstance(s, FeedEntry) or ("://" not in str(s) and Path(s).is_dir()) for s in sources
    )


@dataclass(frozen=True)
class Outcome:
    """What became of one article of a batch."""

    source: str
    status: str
    """``rendered``, ``up to date`` or ``failed``."""
    path: Path | None = None
    episode: Episode | None = None
    error: str | None = None
    seconds: float = 0.0


class BatchProgress(Protocol):
    """What a batch reports as it goes (all optional to act on)."""

    def begin(self, total: int) -> None: ...

    def started(self, number: int, total: int, source: str, segments: int) -> None: ...

    def segment(self, done: int, total: int, segment: Segment) -> None: ...

    def finished(self, outcome: Outcome) -> None: ...


@dataclass
class _Item:
    number: int
    source: str
    entry: FeedEntry | None = None
    planned: Plan | None = None
    target: Path | None = None
    error: str | None = None
    fresh: bool = False
    """Its MP3 is up to date: nothing to do."""


def narrate_many(
    sources: Sequence[str | Path | FeedEntry],
    settings: Settings,
    output_dir: str | Path | None = None,
    progress: BatchProgress | None = None,
) -> Iterator[Outcome]:
    """Render each article of ``sources`` (see :func:`collect`) to ``<name>.mp3`` in
    ``output_dir`` (default ``output/``), yielding what became of each, in order."""
    names = collect(sources)
    folder = folder_for(output_dir)
    if (folder.exists() and not folder.is_dir()) or (
        not folder.exists() and folder.suffix.lower() == ".mp3"
    ):
        raise InputError(f"-o {output_dir}: with several articles or a folder, -o names a folder")
    _check_voices(settings)
    claimed: dict[Path, str] = {}
    with parts_map(settings) as mapper:

        def prepare(item: _Item) -> Plan | None:
            try:
                article = read_one(item.entry or item.source, settings.text_format)
                item.planned = plan(article, settings)
                title = (article.metadata or {}).get("title") or item.planned.script.document.title
                target = target_for(article, folder, title, folder=True)
                if target in claimed:
                    raise InputError(f"its MP3 would be {target}, as {claimed[target]}'s is")
                claimed[target] = item.source
                item.target = target
                if up_to_date(item.planned, mapper.identity(item.planned), target):
                    item.fresh = True
                    return None
                check_target(article, target, settings)
            except Exception as error:  # one article's surprise fails it alone
                if INTERRUPTED.is_set():  # Ctrl-C landed mid-way: the batch stops
                    raise
                item.error = (str(error) if isinstance(error, LetterAudioError)
                              else f"unexpected {type(error).__name__}: {error}")  # fmt: skip
                return None
            return item.planned

        items = (_Item(n, str(source), source if isinstance(source, FeedEntry) else None)
                 for n, source in enumerate(names, start=1))  # fmt: skip
        if progress is not None:
            progress.begin(len(names))
        done = 0
        try:
            for item, parts in mapper.run(items, prepare):
                started = time.perf_counter()
                outcome = _rendered(item, parts, len(names), progress)
                outcome = replace(outcome, seconds=time.perf_counter() - started)
                if progress is not None:
                    progress.finished(outcome)
                done += 1
                yield outcome
        except (KeyboardInterrupt, Exception) as error:
            if not isinstance(error, KeyboardInterrupt) and not INTERRUPTED.is_set():
                raise
            raise KeyboardInterrupt(
                f"{done} of {plural(len(names), 'article')} done (their files are written); "
                "nothing of the one being written is left."
            ) from None


def _check_voices(settings: Settings) -> None:
    """A voice or engine that cannot be built is the batch's bad input, said once, not a
    failure of every article (an online engine out of reach is left to each article); so
    is ``verify`` without the recognizer."""
    if settings.verify:
        require_recognizer()
    for voice in (settings.voice, settings.fallback):
        if voice is not None:
            with contextlib.suppress(NetworkError):
                build_voices(voice, None, settings.jobs, settings.cache_dir)


def summary(outcomes: Sequence[Outcome], seconds: float) -> tuple[list[tuple[str, ...]], str]:
    """A batch's table (a header and a row per article) and its closing line."""
    rows: list[tuple[str, ...]] = [("article", "result", "audio", "loudness", "file or error")]
    for outcome in outcomes:
        episode = outcome.episode
        level = episode.loudness if episode else None
        rows.append((
            outcome.source,
            outcome.status,
            clock(episode.duration) if episode else "",
            f"{level.integrated_lufs:.1f} LUFS" if level else "",
            str(outcome.error if outcome.status == FAILED else outcome.path or "")
            + _disagreeing(episode),
        ))  # fmt: skip
    counts = {status: sum(o.status == status for o in outcomes)
              for status in dict.fromkeys(o.status for o in outcomes)}  # fmt: skip
    audio = sum(o.episode.duration for o in outcomes if o.episode)
    told = ", ".join(f"{count} {status}" for status, count in counts.items())
    line = f"{plural(len(outcomes), 'article')}: {told}; {clock(audio)} of audio in {seconds:.1f} s"
    return rows, line


def _disagreeing(episode: Episode | None) -> str:
    """What a batch's row says of sentences ``--verify`` still did not hear right."""
    heard = episode.verification if episode else None
    if heard is None or not heard.failing:
        return ""
    return f" ({plural(len(heard.failing), 'sentence')} not heard right: see its episode file)"


def _rendered(
    item: _Item, parts: Iterator[Part] | None, total: int, progress: BatchProgress | None
) -> Outcome:
    if item.error is not None:
        return Outcome(item.source, FAILED, error=item.error)
    if item.fresh:
        return Outcome(item.source, UP_TO_DATE, path=item.target)
    assert item.planned is not None and item.target is not None and parts is not None
    segments = len(item.planned.script.segments)
    if progress is not None:
        progress.started(item.number, total, item.source, segments)
    try:
        episode = join(item.planned, parts, item.target,
                       progress.segment if progress is not None else None)  # fmt: skip
    except Exception as error:  # one article's surprise fails it alone
        if INTERRUPTED.is_set():  # an error raised by Ctrl-C landing mid-way: stop the batch
            raise
        if isinstance(error, LetterAudioError):
            return Outcome(item.source, FAILED, error=str(error))
        return Outcome(item.source, FAILED, error=f"unexpected {type(error).__name__}: {error}")
    return Outcome(item.source, RENDERED, path=episode.path, episode=episode)
