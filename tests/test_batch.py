"""Many articles in one command: ``render A B C -o site/`` and ``render folder/``.

Real renders (the bundled voice through the command line; the tone fixture engines
through the library where only the batch's bookkeeping is under test), real files."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from audio_probe import decode, require_tool

import letteraudio as la
from letteraudio.render.batch import FAILED, RENDERED, UP_TO_DATE, collect, narrate_many

FIRST = "The Harbour Wall\n\nThe wall held through the winter storms.\n"
SECOND = "# The Night Bus\n\nIt came at midnight, nearly empty.\n"
BAD_BYTES = b"\xff\xfe\x00"  # a UTF-16 byte-order mark and then half a character


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "letteraudio", *args],
        cwd=cwd, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip


def articles(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "a.txt").write_text(FIRST, encoding="utf-8")
    (folder / "b.md").write_text(SECOND, encoding="utf-8")
    (folder / "c.html").write_bytes(BAD_BYTES)
    return [folder / "a.txt", folder / "b.md", folder / "c.html"]


@pytest.mark.slow
def test_three_articles_one_bad_render_two_name_the_failure_and_a_rerun_renders_nothing(
    tmp_path: Path,
) -> None:
    require_tool("mpg123")
    a, b, c = (str(p.relative_to(tmp_path)) for p in articles(tmp_path / "in"))

    first = cli("render", a, b, c, "-o", "site/", "--deterministic", cwd=tmp_path)
    assert first.returncode == 1, first.stderr
    site = tmp_path / "site"
    assert sorted(p.name for p in site.glob("*.mp3")) == ["a.mp3", "b.mp3"]
    assert not list(site.glob("c.*")) and not list(site.glob(".*"))  # nothing half-written
    failed = [line for line in first.stderr.splitlines() if line.startswith("Failed:")]
    assert len(failed) == 1 and "c.html" in failed[0] and "utf-16" in failed[0], first.stderr
    assert "Traceback" not in first.stderr
    assert "3 articles: 2 rendered, 1 failed" in first.stdout
    for name in ("a", "b"):  # real audio, with its sidecars
        assert len(decode(site / f"{name}.mp3")) > 16_000
        assert (site / f"{name}.vtt").is_file() and (site / f"{name}.episode.json").is_file()

    stamps = {p.name: p.stat().st_mtime_ns for p in site.iterdir()}
    again = cli("render", a, b, c, "-o", "site/", "--deterministic", cwd=tmp_path)
    assert again.returncode == 1
    assert "3 articles: 2 up to date, 1 failed" in again.stdout, again.stdout
    assert {p.name: p.stat().st_mtime_ns for p in site.iterdir()} == stamps  # nothing new

    (tmp_path / b).write_text(SECOND.replace("midnight", "dawn"), encoding="utf-8")
    third = cli("render", "in", "-o", "site", "--deterministic", cwd=tmp_path)  # the folder
    assert "3 articles: 1 up to date, 1 rendered, 1 failed" in third.stdout, third.stdout
    assert (site / "a.mp3").stat().st_mtime_ns == stamps["a.mp3"]
    assert (site / "b.mp3").stat().st_mtime_ns != stamps["b.mp3"]


def test_a_folder_gives_its_article_files_sorted_and_nothing_else(tmp_path: Path) -> None:
    folder = tmp_path / "letters"
    folder.mkdir()
    for name in ("b.md", "a.txt", "c.markdown", "d.HTML", "e.htm", "notes.pdf", ".hidden"):
        (folder / name).write_text("Hello.\n", encoding="utf-8")
    (folder / "sub.txt").mkdir()  # a folder, whatever its name
    (folder / "deeper").mkdir()
    (folder / "deeper" / "z.txt").write_text("Not read.\n", encoding="utf-8")
    names = [Path(p).name for p in collect([folder, str(folder / "a.txt")])]
    assert names == ["a.txt", "b.md", "c.markdown", "d.HTML", "e.htm"]  # a.txt once
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(la.InputError, match=r"a folder with no \.txt"):
        collect([empty])


def test_a_folder_rendered_into_itself_never_reads_the_pages_letteraudio_wrote(
    tone_installed: None, tmp_path: Path
) -> None:
    """``render inplace/ -o inplace/ --base-url ...`` writes episode pages and an index
    beside the articles; a second run reads the articles only (the pages are told by
    their generator mark, whatever their names) and finds them up to date."""
    folder = tmp_path / "inplace"
    folder.mkdir()
    (folder / "notes.md").write_text("# Notes\n\nThe beans did nothing.\n", encoding="utf-8")
    (folder / "tide.txt").write_text("The Tide\n\nIt came in slowly.\n", encoding="utf-8")
    (tmp_path / "letteraudio.toml").write_text('[render]\nengine = "tone"\n', encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "letteraudio", "render", "inplace/",
                               "-o", "inplace/", *args], cwd=tmp_path, capture_output=True,
                              text=True, env=env, timeout=120, check=False)  # fmt: skip

    first = run("--base-url", "https://pod.test/", "--show", "S")
    assert first.returncode == 0, first.stderr
    pages = sorted(p.name for p in folder.glob("*.html"))
    assert pages == ["index.html", "notes.html", "tide.html"]
    assert "letteraudio wrote" not in first.stderr
    stamps = {p.name: p.stat().st_mtime_ns for p in folder.glob("*.mp3")}

    again = run("--feed")
    assert again.returncode == 0, again.stderr + again.stdout
    assert "2 articles: 2 up to date" in again.stdout, again.stdout
    assert again.stderr.count("skipped 3 pages letteraudio wrote") == 1, again.stderr
    assert {p.name: p.stat().st_mtime_ns for p in folder.glob("*.mp3")} == stamps
    assert not (folder / "index.mp3").exists()
    names = [Path(str(p)).name for p in collect([folder])]
    assert names == ["notes.md", "tide.txt"]
    (folder / "notes.html").rename(folder / "renamed.htm")  # its mark, not its name
    assert [Path(str(p)).name for p in collect([folder])] == names
    for name in ("notes.md", "tide.txt"):
        (folder / name).unlink()
    with pytest.raises(la.InputError, match="only 3 pages letteraudio wrote"):
        collect([folder])


def test_an_engine_failure_fails_its_article_only_and_leaves_nothing_of_it(
    tone_installed: None, tmp_path: Path
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "1-good.txt").write_text("Good Morning\n\nAll is well here.\n", encoding="utf-8")
    (folder / "2-bad.txt").write_text("Trouble\n\nThis is Unsayable here.\n", encoding="utf-8")
    (folder / "3-good.txt").write_text("Good Night\n\nSleep well.\n", encoding="utf-8")
    settings = la.Settings.load(engine="tone-trouble", find=False)

    class Told:  # what a progress display is told, in order
        def __init__(self) -> None:
            self.events: list[tuple[object, ...]] = []

        def begin(self, total: int) -> None:
            self.events.append(("begin", total))

        def started(self, number: int, total: int, source: str, segments: int) -> None:
            self.events.append(("started", number, total, Path(source).name, segments))

        def segment(self, done: int, total: int, segment: object) -> None:
            self.events.append(("segment", done, total))

        def finished(self, outcome: object) -> None:
            self.events.append(("finished", getattr(outcome, "status", None)))

    told = Told()
    outcomes = list(narrate_many([folder], settings, tmp_path / "site", told))
    assert [o.status for o in outcomes] == [RENDERED, FAILED, RENDERED]
    assert told.events[0] == ("begin", 3)
    assert ("started", 1, 3, "1-good.txt", 2) in told.events
    assert ("segment", 2, 2) in told.events  # both segments of an article, one by one
    assert [e[1] for e in told.events if e[0] == "finished"] == [RENDERED, FAILED, RENDERED]
    assert "cannot say" in str(outcomes[1].error) and outcomes[1].path is None
    site = tmp_path / "site"
    assert sorted(p.stem for p in site.glob("*.mp3")) == ["1-good", "3-good"]
    assert not [p for p in site.iterdir() if p.name.startswith(("2-bad", "."))]


def test_two_articles_that_would_share_a_name_and_an_output_file(
    tone_installed: None, tmp_path: Path
) -> None:
    for folder in ("x", "y"):
        (tmp_path / folder).mkdir()
    (tmp_path / "x" / "letter.txt").write_text("One\n\nFirst letter.\n", encoding="utf-8")
    (tmp_path / "y" / "letter.md").write_text("Two\n\nSecond letter.\n", encoding="utf-8")
    settings = la.Settings.load(engine="tone", find=False)
    sources = [tmp_path / "x" / "letter.txt", tmp_path / "y" / "letter.md"]
    outcomes = list(narrate_many(sources, settings, tmp_path / "site"))
    assert [o.status for o in outcomes] == [RENDERED, FAILED]
    assert "site/letter.mp3" in str(outcomes[1].error) and "x/letter.txt" in str(outcomes[1].error)
    (tmp_path / "file").write_text("", encoding="utf-8")
    with pytest.raises(la.InputError, match="-o names a folder"):
        list(narrate_many(sources, settings, tmp_path / "file"))


def test_up_to_date_means_same_words_voice_tags_and_sidecars(
    tone_installed: None, tmp_path: Path
) -> None:
    source = tmp_path / "walk.txt"
    source.write_text("The Walk\n\nWe walked to the sea.\n", encoding="utf-8")
    site = tmp_path / "site"

    def statuses(**given: object) -> list[str]:
        settings = la.Settings.load(engine="tone", find=False, **given)
        return [o.status for o in narrate_many([source, source.with_name("w2.txt")],
                                               settings, site)]  # fmt: skip

    source.with_name("w2.txt").write_text("Second\n\nAnother walk.\n", encoding="utf-8")
    assert statuses() == [RENDERED, RENDERED]
    assert statuses() == [UP_TO_DATE, UP_TO_DATE]
    assert statuses(author="Ann Other") == [RENDERED, RENDERED]  # a tag changed
    assert statuses(author="Ann Other", speed=1.2) == [RENDERED, RENDERED]  # the voice
    (site / "walk.vtt").unlink()  # a sidecar went missing
    assert statuses(author="Ann Other", speed=1.2) == [RENDERED, UP_TO_DATE]
    assert statuses(author="Ann Other", speed=1.2, vtt=False) == [RENDERED, RENDERED]
    assert not (site / "walk.vtt").exists()
    assert statuses(author="Ann Other", speed=1.2, vtt=False) == [UP_TO_DATE, UP_TO_DATE]


def test_feed_after_a_batch_from_the_config_file_feed_table(
    tone_installed: None, tmp_path: Path
) -> None:
    """A ``[feed]`` table in the config file (or --feed) refreshes the folder's feed."""
    pytest.importorskip("feedparser")
    import feedparser

    for name, text in (
        ("one.txt", "Episode One\n\nHello.\n"),
        ("two.txt", "Episode Two\n\nBye.\n"),
    ):
        (tmp_path / name).write_text(text, encoding="utf-8")
    (tmp_path / "letteraudio.toml").write_text(
        '[render]\nengine = "tone"\n\n[feed]\nbase_url = "https://pod.test/show/"\n'
        'title = "Letters"\n', encoding="utf-8",
    )  # fmt: skip
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    done = subprocess.run(
        [sys.executable, "-m", "letteraudio", "render", "one.txt", "two.txt", "-o", "site"],
        cwd=tmp_path, capture_output=True, text=True, env=env, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "Wrote site/feed.xml: 2 episodes" in done.stdout, done.stdout
    parsed = feedparser.parse((tmp_path / "site" / "feed.xml").read_bytes())
    assert sorted(entry.title for entry in parsed.entries) == ["Episode One", "Episode Two"]
    # rendered within a second or two: dates a second apart at least, in the folder's order
    dates = {entry.title: entry.published_parsed for entry in parsed.entries}
    assert dates["Episode Two"] > dates["Episode One"]
    assert [entry.title for entry in parsed.entries] == ["Episode Two", "Episode One"]


def test_render_feed_reports_the_time_the_feed_took(tone_installed: None, tmp_path: Path) -> None:
    """``render --feed`` said the feed took "0.0 s" whatever it took (the clock was read
    after the work). A clock running 1,000 times fast makes the real work show."""
    (tmp_path / "one.txt").write_text("Episode One\n\nHello there.\n", encoding="utf-8")
    (tmp_path / "letteraudio.toml").write_text(
        '[render]\nengine = "tone"\n\n[feed]\nbase_url = "https://pod.test/show/"\n'
        'title = "Letters"\n', encoding="utf-8",
    )  # fmt: skip
    fast_clock = (
        "import time\n"
        "real = time.perf_counter\n"
        "time.perf_counter = lambda: real() * 1_000\n"
        "from letteraudio.cli import main\n"
        "main()\n"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    done = subprocess.run(
        [sys.executable, "-c", fast_clock, "render", "one.txt", "-o", "site/", "--feed"],
        cwd=tmp_path, capture_output=True, text=True, env=env, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    line = next(line for line in done.stdout.splitlines() if "feed.xml" in line)
    seconds = float(line.rsplit(" in ", 1)[1].removesuffix(" s"))
    assert seconds >= 10.0, line  # 10 ms of real work: writing a feed takes far more


def test_an_episode_the_fallback_spoke_in_part_is_never_up_to_date(
    tone_installed: None, tmp_path: Path
) -> None:
    source = tmp_path / "mixed.txt"
    source.write_text("Mixed\n\nThis is Unsayable here.\n\nThis is fine.\n", encoding="utf-8")
    settings = la.Settings.load(engine="tone-trouble", fallback="tone", find=False)

    def once() -> la.batch.Outcome:
        (outcome,) = narrate_many([source], settings, tmp_path / "site")
        return outcome

    first = once()
    assert first.status == RENDERED and first.episode is not None
    assert first.episode.fallback == "tone" and "paragraph 1" in first.episode.fallback_blocks
    assert once().status == RENDERED  # spoken again: the voice may manage it this time


def test_an_existing_file_that_is_not_an_mp3_is_never_replaced(
    tone_installed: None, tmp_path: Path
) -> None:
    """`-o letters/02-summer.txt` once replaced another article with MP3 bytes."""
    first, second = tmp_path / "01-spring.txt", tmp_path / "02-summer.txt"
    first.write_text("Spring\n\nThe first letter.\n", encoding="utf-8")
    second.write_text("Summer\n\nThe second letter.\n", encoding="utf-8")
    settings = la.Settings.load(engine="tone", find=False)
    with pytest.raises(la.InputError, match=r"exists and is not an \.mp3"):
        la.narrate(la.Article.read(str(first)), settings, second)
    assert second.read_text(encoding="utf-8") == "Summer\n\nThe second letter.\n"
    assert sorted(p.name for p in tmp_path.glob("0*")) == ["01-spring.txt", "02-summer.txt"]
    episode = la.narrate(la.Article.read(str(first)), settings, tmp_path / "spring.mp3")
    again = la.narrate(la.Article.read(str(first)), settings, episode.path)  # an MP3: replaced
    assert again.path.read_bytes() == episode.path.read_bytes()


@pytest.fixture
def interrupted() -> Iterator[None]:
    """As after Ctrl-C: the command line's handler has set the flag (cleared after)."""
    from letteraudio.interrupt import INTERRUPTED

    INTERRUPTED.set()
    yield
    INTERRUPTED.clear()


def test_an_error_after_ctrl_c_stops_the_batch_instead_of_failing_one_article(
    tone_installed: None, tmp_path: Path, interrupted: None
) -> None:
    # Ctrl-C can surface as another error where it lands (a lock's release, a child
    # killed by the same signal); a batch that took it for one article's failure would
    # go on with the next article after the user asked it to stop.
    a, b, c = articles(tmp_path / "in")
    settings = la.Settings.load(engine="tone", find=False)
    with pytest.raises(KeyboardInterrupt, match="0 of 3 articles done"):
        list(narrate_many([c, a, b], settings, tmp_path / "site"))  # c cannot be read
    assert not (tmp_path / "site").exists() or not list((tmp_path / "site").glob("*.mp3"))
