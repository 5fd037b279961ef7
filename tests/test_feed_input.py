"""A blog's own feed as input (issue 25): ``letteraudio render FEED -o site/`` with FEED an
RSS 2.0 or Atom feed served over real HTTP on 127.0.0.1, told by its content."""

from __future__ import annotations

import http.server
import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pytest
from click.testing import Result
from mutagen.id3 import ID3
from typer.testing import CliRunner

from letteraudio.cli import app

Served = dict[str, tuple[bytes, str]]


class Handler(http.server.BaseHTTPRequestHandler):
    served: ClassVar[Served] = {}

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        body, kind = self.served.get(self.path, (b"not here", ""))
        self.send_response(200 if kind else 404)
        self.send_header("Content-Type", kind or "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class QuietServer(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        pass


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, Served]]:
    for name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY",
                 "all_proxy"):  # fmt: skip
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    Handler.served = {}
    httpd = QuietServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(
        target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", Handler.served
    finally:
        httpd.shutdown()
        httpd.server_close()


def invoke(*args: str) -> Result:
    result = CliRunner().invoke(app, list(args))
    assert "Traceback" not in result.output
    return result


def render(feed: str, site: Path, *extra: str) -> Result:
    return invoke("render", feed, "-o", f"{site}/", "--engine", "tone", *extra)


RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"
     xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel><title>The Harbour Blog</title><link>{base}/</link><description>Posts</description>
{items}
</channel></rss>
"""


def rss_item(base: str, n: int, full: bool) -> str:
    content = (f"<content:encoded><![CDATA[<p>Post {n} says hello &amp; goodbye.</p>"
               f"<p>Its second paragraph.</p>]]></content:encoded>") if full else ""  # fmt: skip
    return (f"<item><title>Post number {n}</title><link>{base}/posts/{n}</link>"
            f"<guid isPermaLink='false'>harbour-{n}</guid>"
            f"<pubDate>0{n} Jun 2026 10:00:00 +0000</pubDate><dc:creator>Ann Writer</dc:creator>"
            f"<description>Only a summary.</description>{content}</item>")  # fmt: skip


def page(n: int) -> bytes:
    return (f"<!DOCTYPE html><html><head><title>Page {n}</title></head><body><article>"
            f"<h1>Page {n}</h1><p>Fetched post {n}, read from its page.</p></article>"
            "</body></html>").encode()  # fmt: skip


@pytest.mark.usefixtures("tone_installed")
def test_a_served_rss_feed_becomes_episodes_and_a_new_post_one_more(
    served: tuple[str, Served], tmp_path: Path
) -> None:
    base, files = served
    for n in (2, 4):  # link-only posts: their pages are fetched
        files[f"/posts/{n}"] = (page(n), "text/html; charset=utf-8")

    def publish(count: int) -> None:
        items = "\n".join(rss_item(base, n, n not in (2, 4)) for n in range(1, count + 1))
        files["/feed"] = (RSS.format(base=base, items=items).encode(), "application/rss+xml")

    publish(5)
    site = tmp_path / "site"
    result = render(f"{base}/feed", site, "--base-url", "https://pod.test/", "--show", "Pod")
    assert result.exit_code == 0, result.output
    mp3s = sorted(site.glob("*.mp3"))
    assert len(mp3s) == 5, result.output
    rows = [line.split()[0] for line in result.stdout.splitlines()[1:6]]
    assert rows == [f"{base}/posts/{n}" for n in (5, 4, 3, 2, 1)]  # newest first
    first = json.loads((site / "post-number-1.episode.json").read_text(encoding="utf-8"))
    assert first["title"] == "Post number 1" and first["author"] == "Ann Writer"
    assert first["link"] == f"{base}/posts/1"
    assert [c["text"] for c in first["cues"]][1] == "Post 1 says hello & goodbye."
    tag = ID3(site / "post-number-1.mp3")
    assert str(tag["TDRC"].text[0]) == "2026-06-01"
    fetched = json.loads((site / "post-number-2.episode.json").read_text(encoding="utf-8"))
    assert fetched["title"] == "Post number 2"  # the entry's title, over the page's
    assert "Fetched post 2, read from its page." in [c["text"] for c in fetched["cues"]]
    before = {p.name: (p.stat().st_mtime_ns, json.loads(p.with_suffix("").with_suffix(
        ".episode.json").read_text(encoding="utf-8"))["guid"]) for p in mp3s}  # fmt: skip
    # A sixth post: exactly one new MP3; the others up to date, their guids kept.
    publish(6)
    result = render(f"{base}/feed", site, "--feed")
    assert result.exit_code == 0, result.output
    assert "1 rendered, 5 up to date" in result.stdout
    after = sorted(site.glob("*.mp3"))
    assert sorted(set(p.name for p in after) - set(before)) == ["post-number-6.mp3"]
    for p in mp3s:
        guid = json.loads(p.with_suffix("").with_suffix(".episode.json").read_text())["guid"]
        assert (p.stat().st_mtime_ns, guid) == before[p.name]
    feed = (site / "feed.xml").read_text(encoding="utf-8")
    assert feed.count("<item>") == 6 and f"<link>{base}/posts/6</link>" in feed


ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Atom Notes</title><id>urn:notes</id>
<updated>2026-06-05T10:00:00Z</updated>
<entry><title>Html content</title><id>urn:notes:1</id><link href="{base}/a/1"/>
 <published>2026-06-01T09:00:00Z</published><author><name>Bo Atom</name></author>
 <content type="html">&lt;p&gt;An html entry &amp;amp; its text.&lt;/p&gt;</content></entry>
<entry><title>Xhtml content</title><id>urn:notes:2</id><link rel="alternate" href="{base}/a/2"/>
 <updated>2026-06-02T09:00:00Z</updated>
 <content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>An xhtml entry.</p></div>
 </content></entry>
<entry><title>Link only</title><id>urn:notes:3</id><link href="{base}/posts/3"/>
 <updated>2026-06-03T09:00:00Z</updated><summary>See the page.</summary></entry>
<entry><title>Broken</title><id>urn:notes:4</id><link href="{base}/gone"/>
 <updated>2026-06-04T09:00:00Z</updated></entry>
</feed>
"""


@pytest.mark.usefixtures("tone_installed")
def test_an_atom_feed_with_a_broken_entry_and_a_limit(
    served: tuple[str, Served], tmp_path: Path
) -> None:
    base, files = served
    files["/atom"] = (ATOM.format(base=base).encode(), "application/atom+xml")
    files["/posts/3"] = (page(3), "text/html")
    site = tmp_path / "site"
    result = render(f"{base}/atom", site)
    assert result.exit_code == 1, result.output  # one entry failed, the others rendered
    failed = [line for line in result.stdout.splitlines() if " failed " in line]
    assert len(failed) == 1 and failed[0].startswith(f"{base}/gone"), result.stdout
    assert "4 articles: 1 failed, 3 rendered" in result.stdout
    assert sorted(p.name for p in site.glob("*.mp3")) == [
        "html-content.mp3", "link-only.mp3", "xhtml-content.mp3"]  # fmt: skip
    info = json.loads((site / "html-content.episode.json").read_text(encoding="utf-8"))
    assert info["author"] == "Bo Atom" and info["link"] == f"{base}/a/1"
    assert "An html entry & its text." in [c["text"] for c in info["cues"]]
    xhtml = json.loads((site / "xhtml-content.episode.json").read_text(encoding="utf-8"))
    assert "An xhtml entry." in [c["text"] for c in xhtml["cues"]]
    # --limit: the two newest entries only (the broken one and the link-only one).
    other = tmp_path / "other"
    result = render(f"{base}/atom", other, "--limit", "2")
    assert result.exit_code == 1
    assert [p.name for p in other.glob("*.mp3")] == ["link-only.mp3"]


@pytest.mark.parametrize(
    ("body", "kind", "message"),
    [
        ('<?xml version="1.0"?><rss version="2.0"><channel><title>x</title></channel></rss>',
         "application/rss+xml", "a feed with no entries"),
        ('<?xml version="1.0"?><note>hi</note>', "application/xml",
         "XML that is not an RSS 2.0 or Atom feed"),
        ('<?xml version="1.0"?><rss><channel><item><title>a</title>', "application/rss+xml",
         "not well-formed XML"),
    ],
)  # fmt: skip
def test_a_bad_feed_is_one_line_and_exit_2(
    served: tuple[str, Served], tmp_path: Path, body: str, kind: str, message: str
) -> None:
    base, files = served
    files["/feed"] = (body.encode(), kind)
    (tmp_path / "feed.xml").write_text(body, encoding="utf-8")
    for source in (f"{base}/feed", str(tmp_path / "feed.xml")):
        result = invoke("render", source, "-o", f"{tmp_path}/site/")
        assert result.exit_code == 2, (source, result.output)
        assert message in result.output and result.output.count("\n") == 1, result.output
        assert not (tmp_path / "site").exists()


def test_script_and_dry_run_read_a_feed_file_as_render_does(tmp_path: Path) -> None:
    """``script FEED`` and ``render FEED --dry-run`` show each entry's script, never the
    feed's XML as if it were the article; a plain article's script is as it was."""
    items = "\n".join(rss_item("https://blog.test", n, True) for n in (1, 2))
    feed = tmp_path / "blog.xml"
    feed.write_text(RSS.format(base="https://blog.test", items=items), encoding="utf-8")

    shown = invoke("script", str(feed))
    assert shown.exit_code == 0, shown.output
    assert "<" not in shown.stdout and "CDATA" not in shown.stdout, shown.stdout
    assert "== 1 of 2 articles: https://blog.test/posts/2 ==" in shown.stdout
    assert "== 2 of 2 articles: https://blog.test/posts/1 ==" in shown.stdout
    assert "Post 1 says hello & goodbye." in shown.stdout
    assert shown.stdout.count("title      pause") == 2  # each entry's own title

    dry = invoke("render", str(feed), "--dry-run", "--limit", "1", "-o", f"{tmp_path}/site/")
    assert dry.exit_code == 0, dry.output
    assert "1 of 1 article: https://blog.test/posts/2" in dry.stdout
    assert "Post number 2" in dry.stdout and "Post number 1" not in dry.stdout
    assert not (tmp_path / "site").exists()

    as_json = json.loads(invoke("script", str(feed), "--json").stdout)
    assert [s["article"] for s in as_json] == ["https://blog.test/posts/2",
                                               "https://blog.test/posts/1"]  # fmt: skip
    assert [s["title"] for s in as_json] == ["Post number 2", "Post number 1"]

    article = tmp_path / "one.txt"
    article.write_text("One Title\n\nA line.\n", encoding="utf-8")
    single = json.loads(invoke("script", str(article), "--json").stdout)
    assert single["title"] == "One Title"  # one article: its script, not a list
    assert "==" not in invoke("render", str(article), "--dry-run").stdout
