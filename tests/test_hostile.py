"""Hostile files, pages and configs (issue 23): nothing run, nothing lost, nothing broken.

Each test plays an attacker or an unlucky user against the real thing: real renders,
real MP3s, real servers on 127.0.0.1. None of them may end in a traceback.
"""

from __future__ import annotations

import json
import random
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from letteraudio.cli import app
from letteraudio.errors import NetworkError
from letteraudio.text.fetch import Limits, fetch

ARTICLE = "Notes From the Pier\n\nThe gulls were loud this morning. The ferry was late.\n"
FEED = ["--base-url", "https://example.test/show", "--title", "Pier Notes"]


def invoke(*args: str) -> Result:
    result = CliRunner().invoke(app, list(args))
    assert "Traceback" not in result.output, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    return result


@pytest.fixture(scope="module")
def episode(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One short deterministic render and its sidecars."""
    folder = tmp_path_factory.mktemp("rendered")
    article = folder / "pier.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    result = invoke("render", str(article), "-o", str(folder / "pier.mp3"), "--quiet",
                    "--deterministic")  # fmt: skip
    assert result.exit_code == 0, result.output
    article.unlink()
    return folder / "pier.mp3"


@pytest.fixture
def site(episode: Path, tmp_path: Path) -> Path:
    """A private copy of the rendered folder."""
    return Path(shutil.copytree(episode.parent, tmp_path / "site"))


# --- 3: the feed state file names nothing outside its folder ----------------------------


def test_feed_state_cannot_remove_files_outside_its_folder(site: Path, tmp_path: Path) -> None:
    page = '<!DOCTYPE html>\n<meta name="generator" content="letteraudio">\n'
    outside = tmp_path / "othersite"
    outside.mkdir()
    victims = [outside / "index.html", outside / "absolute.html", outside / "linked.html"]
    for victim in victims:
        victim.write_text(page, encoding="utf-8")
    (site / "linked.html").symlink_to(victims[2])
    assert invoke("feed", str(site), *FEED).exit_code == 0
    state = json.loads((site / "letteraudio-feed.json").read_text(encoding="utf-8"))
    state["pages"] += ["../othersite/index.html", str(victims[1]), "linked.html", "..", ""]
    (site / "letteraudio-feed.json").write_text(json.dumps(state), encoding="utf-8")
    result = invoke("feed", str(site))
    assert result.exit_code == 0, result.output
    assert all(victim.is_file() for victim in victims)
    assert (site / "linked.html").is_symlink()
    assert "../othersite/index.html" in result.stderr and "left alone" in result.stderr
    assert "../othersite/index.html" not in (site / "letteraudio-feed.json").read_text()


def test_feed_artwork_named_outside_the_folder_is_refused(site: Path, tmp_path: Path) -> None:
    from PIL import Image

    Image.new("RGB", (1400, 1400), (40, 60, 90)).save(tmp_path / "cover.png")
    result = invoke("feed", str(site), *FEED, "--image", "../cover.png")
    assert result.exit_code == 2, result.output
    assert "../cover.png is not in" in result.stderr
    assert not (site / "feed.xml").exists()


# --- 6: damaged MP3s are skipped by feed and failed by check ----------------------------


def _damaged(mp3: Path, folder: Path) -> dict[str, bytes]:
    data = mp3.read_bytes()
    assert data.startswith(b"ID3\x03")
    return {
        "version.mp3": data[:3] + b"\x1f" + data[4:],  # ID3v2.31
        "sizes.mp3": data[:6] + b"\xff\xff\xff\xff" + data[10:],  # not synchsafe
        "noaudio.mp3": b"ID3\x03\x00\x00\x00\x00\x00\x00" + bytes(500),
    }


def test_feed_skips_damaged_mp3s_and_publishes_the_rest(site: Path) -> None:
    for name, data in _damaged(site / "pier.mp3", site).items():
        (site / name).write_bytes(data)
    result = invoke("feed", str(site), *FEED)
    assert result.exit_code == 0, result.output
    notes = [line for line in result.stderr.splitlines() if line.startswith("Note: ")]
    for name in ("version.mp3", "sizes.mp3", "noaudio.mp3"):
        assert sum(name in line and "left out" in line for line in notes) == 1, notes
    feed = (site / "feed.xml").read_text(encoding="utf-8")
    assert feed.count("<item>") == 1 and "pier.mp3" in feed
    assert "1 episode" in result.stdout


@pytest.mark.parametrize("name", ["version.mp3", "sizes.mp3"])
def test_check_fails_the_tag_rule_of_a_damaged_mp3(site: Path, name: str) -> None:
    path = site / name
    path.write_bytes(_damaged(site / "pier.mp3", site)[name])
    result = invoke("check", str(path), "--json")
    assert result.exit_code == 1, result.output
    report = json.loads(result.stdout)
    tag = next(f for f in report["checks"] if f["check"] == "ID3 tag")
    assert (tag["value"], tag["status"]) == ("damaged", "fail")
    assert "ID3" in tag["detail"]


def _mutants(mp3: Path, count: int, seed: int) -> Iterator[tuple[int, bytes]]:
    """Seeded mutations: a few bytes changed, mostly in the tag and the first frames, some
    files cut short."""
    source = mp3.read_bytes()
    rng = random.Random(seed)
    for number in range(count):
        data = bytearray(source)
        for _ in range(rng.randint(1, 8)):
            end = min(len(data), 4000) if rng.random() < 0.8 else len(data)
            data[rng.randrange(end)] = rng.randrange(256)
        if rng.random() < 0.1:
            data = data[: rng.randrange(len(data))]
        yield number, bytes(data)


FUZZ_FILES = 300
FUZZ_CHECK_SECONDS = 8.0


def test_mutated_mp3s_never_end_feed_or_check_in_a_traceback(site: Path, tmp_path: Path) -> None:
    folder = tmp_path / "mutants"
    folder.mkdir()
    for number, data in _mutants(site / "pier.mp3", FUZZ_FILES, seed=23):
        (folder / f"m{number:03d}.mp3").write_bytes(data)
    result = invoke("feed", str(folder), *FEED)
    assert result.exit_code == 0, result.output
    published = int(result.stdout.split(": ", 1)[1].split()[0])
    left_out = sum("left out" in line for line in result.stderr.splitlines())
    assert published + left_out == FUZZ_FILES, (published, left_out)
    started, checked = time.monotonic(), 0
    for path in sorted(folder.glob("m*.mp3")):  # as many as the time allows, in order
        if time.monotonic() - started > FUZZ_CHECK_SECONDS:
            break
        result = invoke("check", str(path), "--json")
        assert result.exit_code in (0, 1), (path.name, result.output)
        json.loads(result.stdout)
        checked += 1
    assert checked >= 20, checked


# --- 7: the download deadline covers the headers ----------------------------------------


@pytest.fixture
def trickling_headers() -> Iterator[str]:
    """A server that answers with one header byte every 0.1 s (about 30 s in all)."""
    listener = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def serve() -> None:
        connection, _ = listener.accept()
        with connection:
            connection.recv(65536)
            head = b"HTTP/1.1 200 OK\r\nX-Slow: " + b"a" * 300 + b"\r\nContent-Length: 2\r\n\r\nhi"
            for byte in head:
                if stop.is_set():
                    return
                try:
                    connection.sendall(bytes([byte]))
                except OSError:
                    return
                time.sleep(0.1)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/page.html"
    finally:
        stop.set()
        listener.close()


def test_the_download_deadline_covers_trickled_headers(trickling_headers: str) -> None:
    started = time.monotonic()
    with pytest.raises(NetworkError, match=r"page.html: the download took more than 1 s"):
        fetch(trickling_headers, Limits(total_timeout=1.0, read_timeout=5.0))
    assert time.monotonic() - started < 3.0  # not the 30 s the headers take


# --- 8: page links are percent-encoded and ./-prefixed ----------------------------------


@pytest.mark.parametrize("stem", ["javascript:alert(1)", "a#b?c", "sp ace&amp"])
def test_page_links_to_odd_file_names_stay_file_links(site: Path, stem: str) -> None:
    from html.parser import HTMLParser
    from urllib.parse import unquote

    for path in list(site.iterdir()):
        path.rename(site / path.name.replace("pier", stem, 1))
    result = invoke("feed", str(site), *FEED)
    assert result.exit_code == 0, result.output

    class Links(HTMLParser):
        found: list[str] = []  # noqa: RUF012

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            self.found += [value or "" for key, value in attrs if key in ("href", "src")]

    for page in ("index.html", f"{stem}.html"):
        parser = Links()
        parser.found = []
        parser.feed((site / page).read_text(encoding="utf-8"))
        local = [link for link in parser.found if link.startswith("./")]
        others = set(parser.found) - set(local)
        assert others <= {"feed.xml", "index.html", "data:,"}, others
        for link in local:
            assert "#" not in link.split("#t=")[0] and "?" not in link and ":" not in link
            name = unquote(link[2:].split("#t=")[0])
            assert (site / name).is_file(), (page, link)
        assert any(unquote(link[2:]) == f"{stem}.mp3" for link in local) or page == "index.html"
