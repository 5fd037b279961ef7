"""Hostile files, pages and configs (issue 23): nothing run, nothing lost, nothing broken.

Each test plays an attacker or an unlucky user against the real thing: real renders,
real MP3s, real servers on 127.0.0.1. None of them may end in a traceback.
"""

from __future__ import annotations

import json
import random
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from signals import interruptible
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


# --- 5: one cleaning at the boundary -----------------------------------------------------

HOSTILE_MARKDOWN = """\
---
title: "Harbour\\e]0;pwned\\a Notes \\u202Etxt.exe"
author: "Ann\\x01 Lee"
description: "Tides\\e[2J and boats"
---

The boat came in \\u202e at dawn, and the gulls followed it.
"""
HOSTILE_PAGE = (
    "<html><head><title>Bad&#27;]0;pwned&#7; Title &#x202E;cod.exe</title></head><body>"
    "<article><h1>Bad&#27;]0;pwned&#7; Title &#x202E;cod.exe</h1><p>The boat &#1;came in "
    "&#27;[31mred&#27;[0m at dawn, and the gulls followed it in over the wall as they do.</p>"
    "</article></body></html>"
)


def _unclean(text: str) -> list[str]:
    """Controls (but tab and newline), C1 controls, bidi overrides, escape leftovers."""
    import unicodedata

    found = [f"U+{ord(ch):04X}" for ch in text if ch not in "\n\t" and
             (unicodedata.category(ch) == "Cc" or "\u202a" <= ch <= "\u202e")]  # fmt: skip
    return found + [piece for piece in ("[31m", "[2J", "pwned", "]0;") if piece in text]


def test_controls_from_entities_and_front_matter_reach_nothing(tmp_path: Path) -> None:
    from mutagen.id3 import ID3

    article = tmp_path / "hostile.md"
    article.write_text(HOSTILE_MARKDOWN.replace("\\u202e", "\u202e"), encoding="utf-8")
    config = tmp_path / "letteraudio.toml"
    config.write_text('[metadata]\nshow = "Pier\\u001b[5m Show\\u202e"\n', encoding="utf-8")
    out = tmp_path / "site" / "hostile.mp3"
    result = invoke("render", str(article), "-o", str(out), "--config", str(config),
                    "--deterministic", "--chapters", "paragraphs")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert _unclean(result.stdout + result.stderr) == []
    tag = ID3(out)
    for frame in ("TIT2", "TPE1", "TALB", "COMM"):
        assert _unclean(str(tag.getall(frame)[0].text[0])) == [], frame
    assert str(tag.getall("TIT2")[0].text[0]) == "Harbour Notes txt.exe"
    assert str(tag.getall("TPE1")[0].text[0]) == "Ann Lee"
    for suffix in (".vtt", ".srt", ".episode.json", ".chapters.json"):
        text = out.with_suffix("").with_name(out.stem + suffix).read_text(encoding="utf-8")
        assert _unclean(json.loads(json.dumps(text))) == [], suffix
        if suffix.endswith(".json"):
            assert _unclean(json.dumps(json.loads(text), ensure_ascii=False)) == [], suffix
    vtt = out.with_suffix(".vtt").read_text(encoding="utf-8")
    assert "came in at dawn" in re.sub(r"<[\d:.]+>", "", vtt)  # without word timestamps
    result = invoke("feed", str(out.parent), *FEED)
    assert result.exit_code == 0, result.output


def _serve_once(body: bytes) -> tuple[Any, str]:
    """A server on 127.0.0.1 answering every GET with ``body`` as HTML; shut it down."""
    import http.server

    class Page(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Page)
    threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    ).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/page.html"


@pytest.fixture
def hostile_page() -> Iterator[str]:
    server, url = _serve_once(HOSTILE_PAGE.encode())
    try:
        yield url
    finally:
        server.shutdown()
        server.server_close()


def test_controls_from_html_entities_reach_neither_voice_nor_terminal(
    hostile_page: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    result = invoke("script", hostile_page, "--json")
    assert result.exit_code == 0, result.output
    assert _unclean(result.output) == []
    said = json.loads(result.stdout)
    assert _unclean(json.dumps(said, ensure_ascii=False)) == []
    assert "Bad Title cod.exe" in json.dumps(said, ensure_ascii=False)
    assert "came in red at dawn" in json.dumps(said, ensure_ascii=False)


def test_a_foreign_mp3_with_controls_in_its_tags_is_published_clean(site: Path) -> None:
    from mutagen.id3 import ID3, TIT2, Encoding

    (site / "pier.episode.json").unlink()
    tag = ID3(site / "pier.mp3")
    tag.add(TIT2(encoding=Encoding.UTF16, text=["Pier\x1b]0;pwned\x07 \x01Notes\u202e"]))
    tag.save(site / "pier.mp3")
    result = invoke("feed", str(site), *FEED)
    assert result.exit_code == 0, result.output
    feed = (site / "feed.xml").read_text(encoding="utf-8")
    assert "<title>Pier Notes</title>" in feed
    assert _unclean(feed) == []


def test_terminal_output_shows_controls_in_paths_as_escapes(site: Path) -> None:
    path = site / "\x1b]0;pwned\x07[/bold].mp3"  # a folder "...[" and a file "bold].mp3"
    path.parent.mkdir()
    path.write_bytes(b"not an mp3 at all")
    result = invoke("check", str(path))
    assert result.exit_code == 1, result.output
    assert "\x1b" not in result.output and "\x07" not in result.output
    shown = "".join(result.output.split())  # as rich wrapped it
    assert "\\u001b]0;pwned\\u0007[/bold].mp3" in shown  # escaped, not read as markup


# --- 10: a cover is a regular image file under a size cap --------------------------------


def _limited_memory() -> None:
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (1536 * 2**20, 1536 * 2**20))


@pytest.mark.parametrize("kind", ["device", "fifo", "huge"])
def test_a_cover_that_is_not_a_regular_small_file_is_refused(tmp_path: Path, kind: str) -> None:
    import os

    cover = {"device": Path("/dev/zero"), "fifo": tmp_path / "cover.png",
             "huge": tmp_path / "huge.png"}[kind]  # fmt: skip
    if kind == "fifo":
        os.mkfifo(cover)
    if kind == "huge":
        cover.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(11 * 2**20))
    article = tmp_path / "pier.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    command = [sys.executable, "-m", "letteraudio", "render", str(article), "-o",
               str(tmp_path / "out" / "pier.mp3"), "--cover", str(cover)]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False,
                            preexec_fn=_limited_memory)  # fmt: skip
    assert result.returncode == 2, result.stderr
    expected = "over 10 MB" if kind == "huge" else "not a regular file"
    assert result.stderr.strip() == f"Error: cover {cover}: {expected}" or (
        expected in result.stderr and result.stderr.count("\n") == 1
    ), result.stderr
    assert not (tmp_path / "out").exists()


# --- 9: a prepared voice changed in the cache is never used --------------------------------


def test_a_corrupted_prepared_voice_that_still_loads_is_made_again(
    tmp_path: Path, _test_cache: Path
) -> None:
    article = tmp_path / "pier.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    first, second = tmp_path / "first.mp3", tmp_path / "second.mp3"
    for out in (first, second):
        if out == second:
            (model,) = [
                m for m in (_test_cache / "models").glob("*.onnx") if ".decoder-" not in m.name
            ]
            data = bytearray(model.read_bytes())
            middle = len(data) // 2  # inside the weights: the graph still loads
            data[middle : middle + 4096] = bytes(4096)
            model.write_bytes(bytes(data))
            for folder in ("clips", "chunks"):
                for entry in (_test_cache / folder).glob("*/*"):
                    entry.unlink()
        result = subprocess.run(  # a process of its own: nothing loaded already
            [sys.executable, "-m", "letteraudio", "render", str(article), "-o", str(out), "-q",
             "--deterministic"], capture_output=True, text=True, check=False, timeout=300,
        )  # fmt: skip
        assert result.returncode == 0, result.stderr
    assert first.read_bytes() == second.read_bytes()
    (rebuilt,) = [m for m in (_test_cache / "models").glob("*.onnx") if ".decoder-" not in m.name]
    assert rebuilt.read_bytes() != bytes(data)


# --- 14: the smaller items ------------------------------------------------------------------

BAD_CONFIGS = [
    ("date", '[metadata]\ndate = "2026-99-99"\n', "date '2026-99-99': give YYYY or YYYY-MM-DD"),
    ("list", '[metadata]\nauthor = ["a", "b"]\n', "author must be a string"),
    ("table", '[rendr]\nspeed = 1.2\n', "unknown table [rendr]"),
]  # fmt: skip


@pytest.mark.parametrize(("name", "text", "words"), BAD_CONFIGS, ids=[c[0] for c in BAD_CONFIGS])
def test_a_config_is_held_to_what_options_are(
    tmp_path: Path, name: str, text: str, words: str
) -> None:
    config = tmp_path / "letteraudio.toml"
    config.write_text(text, encoding="utf-8")
    article = tmp_path / "pier.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    result = invoke("render", str(article), "-o", str(tmp_path / "out" / "pier.mp3"),
                    "--config", str(config))  # fmt: skip
    assert result.exit_code == 2, result.output
    assert words in result.stderr and result.stderr.count("\n") == 1, result.stderr
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("option", "value"),
    [("--link", "javascript:alert(1)"), ("--email", '"><x@y'), ("--image", "data:x://y")],
)
def test_feed_refuses_links_and_addresses_that_are_not(site: Path, option: str, value: str) -> None:
    result = invoke("feed", str(site), *FEED, option, value)
    assert result.exit_code == 2, result.output
    assert option in result.stderr and result.stderr.count("\n") == 1, result.stderr
    assert not (site / "feed.xml").exists()


def test_a_very_long_show_title_still_gets_artwork(site: Path) -> None:
    from PIL import Image

    from letteraudio.publish.artwork import ARTWORK_NAME

    title = "Harbour-lights-and-winter-tides-" * 3200  # one word that fits on no line
    result = invoke("feed", str(site), "--base-url", "https://example.test/show", "--title",
                    title, "--description", "Tides.")  # fmt: skip
    assert result.exit_code == 0, result.output
    with Image.open(site / ARTWORK_NAME) as image:
        assert image.size[0] == image.size[1] >= 1400


def test_srt_text_cannot_carry_markup() -> None:
    from letteraudio.publish.transcript import Cue, to_srt

    srt = to_srt([Cue(0, 2000, "Say <b>bold</b> and <font color=red>x</font> --> here", 0)])
    lines = srt.splitlines()
    assert lines[1] == "00:00:00,000 --> 00:00:02,000"
    text = " ".join(lines[2:])
    assert "<" not in text and ">" not in text
    assert "\u2039b\u203abold\u2039/b\u203a" in text.replace(" ", "")


@pytest.fixture
def served(site: Path, tmp_path: Path) -> Iterator[tuple[Path, int]]:
    import re
    import signal

    secret = tmp_path / "secret.txt"
    secret.write_text("private", encoding="utf-8")
    (site / "leak.txt").symlink_to(secret)
    (site / "inside.mp3").symlink_to(site / "pier.mp3")
    process = subprocess.Popen(
        [sys.executable, "-m", "letteraudio", "serve", str(site), "--port", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, preexec_fn=interruptible,
    )  # fmt: skip
    assert process.stdout is not None
    match = re.search(r"http://127\.0\.0\.1:(\d+)/", process.stdout.readline())
    assert match, process.stderr.read() if process.stderr else ""
    try:
        yield site, int(match.group(1))
    finally:
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=10)
        assert "Traceback" not in err, err


def _ask(port: int, target: str, host: str | None = None) -> tuple[int, bytes]:
    import http.client

    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        connection.putrequest("GET", target, skip_host=True)
        connection.putheader("Host", f"127.0.0.1:{port}" if host is None else host)
        connection.endheaders()
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def test_serve_keeps_to_its_folder_and_its_address(served: tuple[Path, int]) -> None:
    _, port = served
    assert _ask(port, "/pier.mp3")[0] == 200
    assert _ask(port, "/inside.mp3")[0] == 200  # a symlink that stays inside is fine
    assert _ask(port, "/pier.mp3", host=f"localhost:{port}")[0] == 200
    status, body = _ask(port, "/leak.txt")
    assert status == 404 and b"private" not in body
    assert _ask(port, "/%00")[0] == 404
    assert _ask(port, "/%2e%2e/secret.txt")[0] == 404
    for host in (f"attacker.example:{port}", "attacker.example", f"127.0.0.1:{port + 1}", ""):
        status, body = _ask(port, "/pier.mp3", host=host)
        assert status == 421 and not body.startswith(b"ID3"), host


# --- 13: no window where a temporary file escapes clean-up ---------------------------------


def test_a_signal_just_after_the_temporary_file_is_made_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SIGTERM during encoding left ``.letter.mp3.<pid>.<random>.part`` once in four runs:
    the file existed before the clean-up that removes it was in force. Here the signal
    lands at that very moment, every time."""
    import signal
    import tempfile

    from letteraudio.audio.encode import atomic_output

    made: list[str] = []
    real = tempfile.mkstemp

    def signalled(*args: object, **kwargs: object) -> tuple[int, str]:
        handle, name = real(*args, **kwargs)  # type: ignore[call-overload]
        made.append(name)
        signal.raise_signal(signal.SIGINT)  # its handler runs before mkstemp has returned
        return handle, name

    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    monkeypatch.setattr(tempfile, "mkstemp", signalled)
    try:
        with pytest.raises(KeyboardInterrupt), atomic_output(tmp_path / "letter.mp3"):
            pytest.fail("the body never runs: the signal came first")
    finally:
        signal.signal(signal.SIGINT, previous)
    assert made and list(tmp_path.iterdir()) == []


# --- 11: output names are capped in bytes ----------------------------------------------------


@pytest.mark.parametrize("given", ["file", "url"])
def test_a_long_non_latin_name_still_renders(
    tmp_path: Path, given: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    title = "港の朝と冬の潮" * 12  # 84 characters, 252 bytes of UTF-8
    server = None
    if given == "file":
        article = tmp_path / f"{title[:80]}.txt"  # 244 bytes: a name the disk allows
        article.write_text(ARTICLE, encoding="utf-8")
        source = str(article)
    else:
        monkeypatch.setenv("NO_PROXY", "127.0.0.1")
        paragraphs = "".join(f"<p>{line}</p>" for line in ARTICLE.splitlines()[2:] * 3)
        page = f"<html><head><title>{title}</title></head><body><article><h1>{title}</h1>"
        server, source = _serve_once(f"{page}{paragraphs}</article></body></html>".encode())
    out = tmp_path / "out"
    try:
        result = invoke("render", source, "-o", f"{out}/", "-q", "--deterministic")
    finally:
        if server is not None:
            server.shutdown()
            server.server_close()
    assert result.exit_code == 0, result.output
    (mp3,) = out.glob("*.mp3")
    names = sorted(p.name for p in out.iterdir())
    assert len(names) >= 4, names  # the MP3 and its sidecars
    assert all(len(name.encode()) <= 255 - 37 for name in names), names
    assert mp3.stem.startswith(title[:40].casefold() if given == "url" else title[:40])


# --- 1: a scheduler only from the command line, the environment or a named config ----------

MARKER_PRELOAD = """\
from pathlib import Path

from distributed.diagnostics.plugin import SchedulerPlugin

MARK = Path(__file__).with_name("connected")


class Mark(SchedulerPlugin):
    # a hostile scheduler could send this client pickles that run code; this one only notes
    def add_client(self, scheduler, client):
        MARK.write_text(client)


def dask_setup(scheduler):
    scheduler.add_plugin(Mark())
"""


@pytest.fixture
def scheduler(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A real `dask scheduler` process on 127.0.0.1 (no workers) that notes any client."""
    pytest.importorskip("distributed", reason="the test extra brings Dask")
    folder = tmp_path / "scheduler"
    folder.mkdir()
    (folder / "marker.py").write_text(MARKER_PRELOAD, encoding="utf-8")
    info = folder / "scheduler.json"
    process = subprocess.Popen(
        [sys.executable, "-m", "distributed.cli.dask_scheduler", "--host", "127.0.0.1",
         "--port", "0", "--no-dashboard", "--dashboard-address", "127.0.0.1:0",
         "--scheduler-file", str(info),
         "--preload", str(folder / "marker.py")],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        while not (info.is_file() and info.stat().st_size):
            assert process.poll() is None and time.monotonic() < deadline, "no scheduler"
            time.sleep(0.1)
        time.sleep(0.2)  # the file is written whole, then the scheduler listens
        yield json.loads(info.read_text(encoding="utf-8"))["address"], folder / "connected"
    finally:
        process.terminate()
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:  # never leave a scheduler behind
            process.kill()
            process.wait(30)


def test_a_scheduler_in_a_config_found_on_disk_is_never_contacted(
    scheduler: tuple[str, Path], tmp_path: Path
) -> None:
    address, connected = scheduler
    work = tmp_path / "work"
    work.mkdir()
    (work / "letteraudio.toml").write_text(f'[render]\nscheduler = "{address}"\n')
    (work / "pier.txt").write_text(ARTICLE, encoding="utf-8")

    def render(*options: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "letteraudio", "render", "pier.txt", "-q", *options],
            cwd=work, capture_output=True, text=True, timeout=300, check=False,
        )  # fmt: skip

    found = render()  # the file in the working folder, not named
    assert found.returncode == 2, found.stderr
    assert found.stderr.count("\n") == 1 and "names a scheduler" in found.stderr
    assert "--config" in found.stderr
    assert not connected.exists() and not (work / "output").exists()
    # named: used, and said first. The scheduler has no workers, so the render would wait
    # for one (10 s) and fail: once the scheduler has seen it connect, it is stopped.
    named = subprocess.Popen(
        [sys.executable, "-m", "letteraudio", "render", "pier.txt", "-q", "--config",
         "letteraudio.toml"],
        cwd=work, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 300
        while not connected.exists() and named.poll() is None:
            assert time.monotonic() < deadline, "the render never connected"
            time.sleep(0.05)
    finally:
        if named.poll() is None:
            named.terminate()
        _, stderr = named.communicate(timeout=60)
    first = stderr.splitlines()[0]
    assert first.startswith(f"Note: paragraph tasks go to the Dask scheduler at {address}")
    assert "trust" in first
    assert connected.exists()


# --- 2: no file a render writes is its input ------------------------------------------------


def _render_process(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "letteraudio", "render", *args],
        cwd=cwd, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("name", "output"),
    [("story.vtt", "story.mp3"), ("story.srt", "./"), ("story.episode.json", "story.mp3"),
     ("story.chapters.json", "story.mp3")],
)  # fmt: skip
def test_an_input_is_never_replaced_by_its_own_sidecar(
    tmp_path: Path, name: str, output: str
) -> None:
    article = tmp_path / name
    article.write_text(ARTICLE, encoding="utf-8")
    result = _render_process(name, "-o", output, "-q", cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ") and name in lines[0], lines
    assert article.read_text(encoding="utf-8") == ARTICLE
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]


# --- 4: an episode is replaced as one set ----------------------------------------------------


def test_an_episode_is_replaced_as_one_set_or_not_at_all(episode: Path, tmp_path: Path) -> None:
    site = Path(shutil.copytree(episode.parent, tmp_path / "site"))
    old = {p.name: p.read_bytes() for p in site.iterdir()}
    (site / "pier.vtt").unlink()
    (site / "pier.vtt").mkdir()  # a sidecar that cannot be written
    del old["pier.vtt"]
    article = tmp_path / "pier.txt"
    article.write_text(ARTICLE.replace("late", "early"), encoding="utf-8")  # a new episode
    result = _render_process(str(article), "-o", str(site / "pier.mp3"), "-q", cwd=tmp_path)
    assert result.returncode != 0, result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and "pier.vtt" in lines[0] and "Traceback" not in result.stderr
    now = {p.name: p.read_bytes() for p in site.iterdir() if p.is_file()}
    assert now == old  # the old MP3 with its own transcript, chapters and episode file
    assert sorted(p.name for p in site.iterdir()) == sorted([*old, "pier.vtt"])


def test_a_name_too_long_for_its_sidecars_leaves_nothing(tmp_path: Path) -> None:
    article = tmp_path / "pier.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    stem = "harbour-" * 27 + "end"  # 219 bytes:: the MP3's name fits, a sidecar's does not
    result = _render_process(str(article), "-o", str(out / f"{stem}.mp3"), "-q", cwd=tmp_path)
    assert result.returncode in (1, 2), result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ") and stem in lines[0], lines
    assert "too long" in lines[0]
    assert list(out.iterdir()) == []


# --- 12: speech that is missing is said --------------------------------------------------------

ARABIC = "وصل القارب عند الفجر، وتبعته النوارس فوق الجدار كما تفعل دائما."


def test_segments_without_speech_are_counted_and_named(tmp_path: Path) -> None:
    mixed = tmp_path / "mixed.txt"
    mixed.write_text(f"{ARTICLE}\n{ARABIC}\n", encoding="utf-8")
    result = _render_process(str(mixed), "-o", "mixed.mp3", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    warning = [line for line in result.stderr.splitlines() if "no speech" in line]
    assert len(warning) == 1 and "1 segment" in warning[0] and ARABIC[:12] in warning[0], (
        result.stderr
    )
    assert (tmp_path / "mixed.mp3").is_file()
    arabic = tmp_path / "arabic.txt"
    arabic.write_text(f"{ARABIC}\n\n{ARABIC[::-1]}\n", encoding="utf-8")
    result = _render_process(str(arabic), "-o", "arabic.mp3", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and "no speech" in lines[0] and "2 segments" in lines[0], lines
    assert not (tmp_path / "arabic.mp3").exists()


# --- 14: a scheduler address that is not one, a scheduler that speaks garbage ------------------


@pytest.fixture
def garbage_server() -> Iterator[str]:
    """Something on 127.0.0.1 that greets every connection with bytes that are not Dask's."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.2)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
            except OSError:
                continue
            with connection:
                try:
                    connection.sendall(b"\xde\xad\xbe\xef garbage " * 64)
                    connection.recv(65536)
                except OSError:
                    pass

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"tcp://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        stop.set()
        thread.join(5)
        listener.close()


def test_bad_scheduler_addresses_and_garbage_are_one_line(
    tmp_path: Path, garbage_server: str
) -> None:
    pytest.importorskip("distributed", reason="the test extra brings Dask")
    (tmp_path / "pier.txt").write_text(ARTICLE, encoding="utf-8")
    inproc = _render_process("pier.txt", "--scheduler", "inproc://x", "-q", cwd=tmp_path)
    assert inproc.returncode == 2 and "Traceback" not in inproc.stderr, inproc.stderr
    assert inproc.stderr.splitlines()[-1].startswith("Error: --scheduler inproc://x")
    started = time.monotonic()
    garbage = _render_process("pier.txt", "--scheduler", garbage_server, "-q", cwd=tmp_path)
    assert time.monotonic() - started < 18  # not Dask's 20 s, plus a traceback
    assert garbage.returncode == 1 and "Traceback" not in garbage.stderr, garbage.stderr
    assert "Exception ignored" not in garbage.stderr
    assert garbage.stderr.splitlines()[-1].startswith("Error: ")
    assert len(garbage.stderr.splitlines()) == 2  # the scheduler's note, then the error
    assert not (tmp_path / "output").exists()
