"""Reading an article from a URL, against real HTTP servers on 127.0.0.1.

Each failure is one line naming the URL, exit code 1, and nothing written.
"""

from __future__ import annotations

import http.server
import json
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import feedparser
import pytest
from typer.testing import CliRunner

from letteraudio.errors import NetworkError
from letteraudio.text.fetch import USER_AGENT, Limits, fetch, is_url

PAGE = (
    "<!doctype html><html lang='en'><head><title>The Harbour at Dawn | Coast News</title>"
    "</head><body><nav><a href='/'>Home</a> <a href='/news'>News</a></nav>"
    "<article><h1>The Harbour at Dawn</h1>"
    "<p>The boats came back before the sun was up, their lamps still burning, and the "
    "gulls followed them in over the breakwater as they always do.</p>"
    "<p>By six the fish were on the quay, and the buyers had come down from the town "
    "with their notebooks and their flasks of tea.</p></article></body></html>"
)
POLISH = (
    '<html><head><meta charset="windows-1250"><title>Ci\u0119\u017car dyskusji</title></head>'
    "<body><article><h1>Ci\u0119\u017car dyskusji</h1><p>Ci\u0119\u017car dyskusji "
    "spad\u0142 na radnych, kt\u00f3rzy d\u0142ugo milczeli o \u017c\u00f3\u0142tym "
    "mo\u015bcie nad rzek\u0105, a\u017c w ko\u0144cu g\u0142os zabra\u0142a "
    "najm\u0142odsza z nich.</p></article></body></html>"
).encode("cp1250")


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    agents: list[str] = []  # noqa: RUF012 - the requests' User-Agent headers, for the test
    paths: list[str] = []  # noqa: RUF012

    def log_message(self, *args: object) -> None:  # quiet
        pass

    def send(self, status: int, body: bytes, content_type: str | None = "text/html") -> None:
        self.send_response(status)
        if content_type:
            self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        Handler.agents.append(self.headers.get("User-Agent", ""))
        Handler.paths.append(self.path)
        path = self.path.split("?")[0]
        if path.startswith("http://"):  # asked through this server as a proxy
            path = "/" + path.split("/", 3)[3]
        if path == "/page.html":
            self.send(200, PAGE.encode())
        elif path == "/polish":
            self.send(200, POLISH, "text/html")
        elif path == "/notes.md":
            self.send(200, b"# Field Notes\n\nThe heron waited in the shallows all morning.\n",
                      "text/markdown; charset=utf-8")  # fmt: skip
        elif path.startswith("/hop/"):
            left = int(path.rsplit("/", 1)[1])
            self.send_response(302)
            self.send_header("Location", f"/hop/{left - 1}" if left > 1 else "/page.html")
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif path == "/to-file":
            self.send_response(301)
            self.send_header("Location", "file:///etc/passwd")
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif path == "/image":
            self.send(200, b"\x89PNG\r\n\x1a\n" + bytes(100), "image/png")
        elif path == "/big":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(30 * 2**20))
            self.end_headers()
            self.wfile.write(b"<html>" + b" " * 1000)
        elif path == "/endless":  # no length: it just keeps coming
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.end_headers()
            try:
                for _ in range(10_000):
                    self.wfile.write(b"words " * 1000)
            except OSError:
                pass
            self.close_connection = True
        elif path == "/trickle":
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", "1000")
            self.end_headers()
            try:
                for _ in range(1000):
                    self.wfile.write(b"x")
                    self.wfile.flush()
                    time.sleep(0.1)
            except OSError:
                pass
        elif path == "/silent":
            time.sleep(3)
            self.send(200, PAGE.encode())
        elif path == "/broken":
            self.send(500, b"oops", "text/plain")
        else:
            self.send(404, b"not here", "text/plain")


class QuietServer(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # a client that hangs up early (a refused download) is expected here


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    for name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY",
                 "all_proxy"):  # fmt: skip
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    httpd = QuietServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(
        target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    Handler.agents.clear()
    Handler.paths.clear()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def cli(*args: str, cwd: Path) -> tuple[int, str, str]:
    import os

    before = os.getcwd()
    os.chdir(cwd)
    try:
        result = CliRunner().invoke(__import__("letteraudio.cli").cli.app, list(args))
    finally:
        os.chdir(before)
    return result.exit_code, result.stdout, result.stderr


def test_is_url() -> None:
    assert is_url("https://example.com/a") and is_url("HTTP://x") and is_url("file:///etc")
    assert is_url("ftp://host/x") and is_url("data:text/html,hi")
    assert not is_url("article.html") and not is_url("-") and not is_url("notes/x.txt")


def test_output_names_from_the_title_or_the_url() -> None:
    from letteraudio.text.source import Source

    page = Source("u", "", "html", "https://example.com/2026/05/the-harbour.html?x=1")
    assert page.stem("The Harbour at Dawn: A Report!") == "the-harbour-at-dawn-a-report"
    assert page.stem(None) == "the-harbour"
    assert page.stem("\u2014") == "the-harbour"  # a title with no word in it
    assert Source("u", "", "html", "https://example.com/").stem(None) == "example-com"
    assert len(page.stem("word " * 60)) <= 80
    assert Source("notes/My Letter.txt", "", "text").stem("Ignored") == "My-Letter"


def test_script_reads_a_page_and_names_letteraudio(server: str, tmp_path: Path) -> None:
    code, out, err = cli("script", f"{server}/hop/2", "--json", cwd=tmp_path)
    assert code == 0, err
    report = json.loads(out)
    assert report["title"] == "The Harbour at Dawn"
    said = " ".join(s["text"] for s in report["segments"])
    assert "boats came back" in said and "flasks of tea" in said and "Home" not in said
    assert Handler.agents and all(agent == USER_AGENT for agent in Handler.agents)
    assert "letteraudio" in USER_AGENT
    assert list(tmp_path.iterdir()) == []  # script writes nothing


def test_a_page_in_windows_1250_declared_in_its_meta(server: str, tmp_path: Path) -> None:
    code, out, err = cli("script", f"{server}/polish", "--json", cwd=tmp_path)
    assert code == 0, err
    report = json.loads(out)
    assert report["title"] == "Ci\u0119\u017car dyskusji"
    assert "\u017c\u00f3\u0142tym mo\u015bcie" in " ".join(s["text"] for s in report["segments"])


def test_markdown_by_its_content_type(server: str, tmp_path: Path) -> None:
    code, out, err = cli("script", f"{server}/notes.md", "--json", cwd=tmp_path)
    assert code == 0, err
    report = json.loads(out)
    assert report["title"] == "Field Notes"
    assert report["segments"][0]["kind"] == "title"


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/missing", "the server answered 404 Not Found"),
        ("/broken", "the server answered 500"),
        ("/image", "not a text or HTML page (it is image/png)"),
        ("/big", "over 20 MB; not an article"),
        ("/hop/9", "more than 5 redirects"),
        ("/to-file", "only http and https URLs are read, not file:"),
    ],
)
def test_failures_are_one_line_naming_the_url(
    server: str, tmp_path: Path, path: str, message: str
) -> None:
    url = f"{server}{path}"
    for command in ("script", "render"):
        code, out, err = cli(command, url, cwd=tmp_path)
        assert code == 1, (command, out, err)
        assert err.startswith(f"Error: {url}") and message in err, err
        assert err.count("\n") == 1 and "Traceback" not in err
        assert list(tmp_path.iterdir()) == []  # nothing written, not even output/


def test_other_schemes_refused(tmp_path: Path) -> None:
    secret = tmp_path / "secret.html"
    secret.write_text(PAGE, encoding="utf-8")
    for url in (f"file://{secret}", "ftp://127.0.0.1/x.html", "data:text/html,<p>hi</p>"):
        code, _, err = cli("script", url, cwd=tmp_path)
        assert code == 1 and "only http and https URLs are read" in err and url in err, err


def test_refused_connection_and_unknown_host(tmp_path: Path) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    code, _, err = cli("script", f"http://127.0.0.1:{port}/a.html", cwd=tmp_path)
    assert code == 1 and f"http://127.0.0.1:{port}/a.html: cannot connect" in err, err
    code, _, err = cli("script", "http://no-such-host.invalid/a.html", cwd=tmp_path)
    assert code == 1 and "http://no-such-host.invalid/a.html: cannot connect" in err, err
    assert err.count("\n") == 1


def test_a_slow_trickle_meets_the_deadline(server: str) -> None:
    started = time.monotonic()
    with pytest.raises(NetworkError, match=r"trickle: the download took more than 1 s"):
        fetch(f"{server}/trickle", Limits(total_timeout=1.0))
    assert time.monotonic() - started < 2.5  # not the 100 s the trickle would take


def test_a_silent_server_meets_the_read_timeout(server: str) -> None:
    with pytest.raises(NetworkError, match=r"silent: no answer within 0.5 s"):
        fetch(f"{server}/silent", Limits(read_timeout=0.5))


def test_a_body_without_length_is_cut_at_the_cap(server: str) -> None:
    with pytest.raises(NetworkError, match=r"endless: over 1 MB; not an article"):
        fetch(f"{server}/endless", Limits(max_bytes=2**20))


def test_the_environment_proxy_is_used(server: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTP_PROXY", server)
    monkeypatch.delenv("NO_PROXY")
    page = fetch("http://coast-news.invalid/page.html")
    assert b"The Harbour at Dawn" in page.body
    assert Handler.paths == ["http://coast-news.invalid/page.html"]  # asked as a proxy


@pytest.mark.slow
def test_a_page_renders_and_its_feed_item_links_back(server: str, tmp_path: Path) -> None:
    url = f"{server}/page.html"
    code, _, err = cli("render", url, "--quiet", "--deterministic", cwd=tmp_path)
    assert code == 0, err
    mp3 = tmp_path / "output" / "the-harbour-at-dawn.mp3"
    assert mp3.stat().st_size > 10_000
    code, _, err = cli("feed", "output", "--base-url", "https://pod.example/", "--title",
                         "Coast", cwd=tmp_path)  # fmt: skip
    assert code == 0, err
    parsed = feedparser.parse((tmp_path / "output" / "feed.xml").read_bytes())
    (entry,) = parsed.entries
    assert entry.link == url
    assert entry.title == "The Harbour at Dawn"
