"""The episode page in a real browser: Debian's headless Chromium, driven by Playwright.

A long article of the project's own is rendered, ``letteraudio feed`` publishes the folder and
``letteraudio serve`` serves it as a real subprocess. The page must play the MP3 with no
media error, report the file's duration, load every transcript cue, mark the sentence
being spoken, seek to a chapter when one is clicked (or chosen with the keyboard), and
fetch nothing from anywhere but the local server. A short article spoken by Piper (which
times its words) must have the word being spoken marked, and the mark must move on.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import feedparser
import pytest
from audio_probe import header_duration, require_tool
from conftest import LONG_ARTICLE
from test_publish import invoke, render, start_server, stop_server, vtt_cues

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
    "--autoplay-policy=no-user-gesture-required",
]
DURATION_TOLERANCE = 0.05
STEM = LONG_ARTICLE.stem


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    """The long article rendered and published, served by ``letteraudio serve``:
    (folder, URL)."""
    folder = tmp_path_factory.mktemp("site")
    render(LONG_ARTICLE, folder, "--deterministic")
    result = invoke("feed", str(folder), "--base-url", "https://example.test/letters/",
                    "--title", "Letters", "--category", "Society & Culture")  # fmt: skip
    assert result.exit_code == 0, result.output
    process, url = start_server(folder)
    try:
        yield folder, url
    finally:
        stop_server(process)


@pytest.fixture(scope="module")
def browser(site: tuple[Path, str]) -> Iterator[Any]:
    chromium = require_tool("chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=chromium, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield launched
        finally:
            launched.close()


@pytest.mark.slow
def test_feed_has_every_required_element(site: tuple[Path, str]) -> None:
    folder, _ = site
    parsed = feedparser.parse(str(folder / "feed.xml"))
    assert not parsed.bozo
    for key in ("title", "subtitle", "language", "link", "podcast_guid", "tags"):
        assert parsed.feed.get(key), key
    [entry] = parsed.entries
    for key in ("title", "summary", "id", "published", "itunes_duration", "enclosures"):
        assert entry.get(key), key
    assert int(entry.enclosures[0].length) == (folder / f"{STEM}.mp3").stat().st_size


@pytest.mark.slow
def test_episode_page_plays_with_transcript_and_chapters(
    site: tuple[Path, str], browser: Any
) -> None:
    folder, url = site
    mp3 = folder / f"{STEM}.mp3"
    cues = vtt_cues(folder / f"{STEM}.vtt")
    info = json.loads((folder / f"{STEM}.episode.json").read_text(encoding="utf-8"))
    chapters = json.loads((folder / f"{STEM}.chapters.json").read_text(encoding="utf-8"))
    started = time.perf_counter()
    page = browser.new_page()
    requests: list[str] = []
    errors: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    statuses: list[tuple[str, int]] = []
    page.on("response", lambda response: statuses.append((response.url, response.status)))
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.goto(url + f"{STEM}.html")
    assert page.title().startswith(info["title"])
    assert page.locator("a[href='feed.xml']").count() >= 1
    page.wait_for_function("document.getElementById('player').readyState >= 1")
    duration = page.evaluate("document.getElementById('player').duration")
    assert abs(duration - header_duration(mp3)) <= DURATION_TOLERANCE
    page.wait_for_function(
        f"document.getElementById('player').textTracks[0].cues.length === {len(cues)}"
    )
    starts = page.evaluate(
        "Array.from(document.getElementById('player').textTracks[0].cues, c => c.startTime)"
    )
    assert starts == pytest.approx([start for start, _, _ in cues], abs=0.001)

    page.evaluate("document.getElementById('player').play()")
    page.wait_for_function("document.getElementById('player').currentTime > 0.5")
    assert page.evaluate("document.getElementById('player').error") is None
    page.wait_for_selector("#transcript a[aria-current='true']")

    links = page.locator("nav.chapters a")
    assert links.count() == len(chapters["chapters"]) >= 2
    for index, chapter in enumerate(chapters["chapters"]):
        start = float(links.nth(index).get_attribute("data-start") or "nan")
        assert start == pytest.approx(chapter["startTime"], abs=0.001)
    target = float(links.nth(1).get_attribute("data-start") or "nan")
    links.nth(1).click()
    page.wait_for_function(
        f"Math.abs(document.getElementById('player').currentTime - {target}) < 0.5"
    )
    page.wait_for_function(
        f"document.getElementById('player').currentTime > {target} + 0.3"
    )  # it plays on from there
    current = page.locator("#transcript a[aria-current='true']").get_attribute("data-start")
    assert current is not None and float(current) >= target - 0.001

    last = links.count() - 1
    final = float(links.nth(last).get_attribute("data-start") or "nan")
    links.nth(last).focus()
    page.keyboard.press("Enter")
    page.wait_for_function(
        f"Math.abs(document.getElementById('player').currentTime - {final}) < 0.5"
    )
    assert page.evaluate("document.getElementById('player').error") is None
    assert page.locator("#status").inner_text() == ""
    assert errors == []
    assert all(200 <= status < 300 for _, status in statuses), statuses
    assert (url + f"{STEM}.mp3", 206) in statuses  # the browser seeks with byte ranges
    assert requests and all(request.startswith(url) for request in requests), requests
    page.close()
    print(f"page load, play and seek: {time.perf_counter() - started:.2f} s")


@pytest.fixture(scope="module", params=["piper", "hibari"])
def piper_site(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Path, str]]:
    """A short article spoken by an engine that times its words (Piper, then the default
    voice, hibari), published and served."""
    folder = tmp_path_factory.mktemp(f"{request.param}-site")
    article = Path(__file__).resolve().parents[1] / "examples" / "morning-harbour.txt"
    render(article, folder, "-e", request.param, "--deterministic")
    result = invoke("feed", str(folder), "--base-url", "https://example.test/harbour/",
                    "--title", "Harbour")  # fmt: skip
    assert result.exit_code == 0, result.output
    process, url = start_server(folder)
    try:
        yield folder, url
    finally:
        stop_server(process)


@pytest.mark.slow
def test_the_page_marks_the_word_being_spoken(piper_site: tuple[Path, str], browser: Any) -> None:
    folder, url = piper_site
    assert (folder / "morning-harbour.html").is_file()
    page = browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(url + "morning-harbour.html")
    words = page.locator("#transcript [data-word]")
    assert words.count() > 20  # every word of the transcript carries its time
    page.wait_for_function("document.getElementById('player').readyState >= 1")
    page.evaluate("document.getElementById('player').play()")
    marked = "#transcript [data-spoken='true']"
    page.wait_for_selector(marked)
    first = float(page.locator(marked).get_attribute("data-word") or "nan")
    page.wait_for_function(
        f'(document.querySelector("{marked}") || {{}}).getAttribute'
        f" && parseFloat(document.querySelector(\"{marked}\").getAttribute('data-word'))"
        f" > {first}"
    )
    state = page.evaluate(
        "(() => { const p = document.getElementById('player');"
        f' const all = document.querySelectorAll("{marked}");'
        " return [all.length, parseFloat(all[0].getAttribute('data-word')), p.currentTime,"
        " all[0].closest('a').getAttribute('aria-current')]; })()"
    )
    count, word_start, now, sentence_marked = state
    assert count == 1 and word_start > first
    assert word_start <= now + 0.05  # a word is marked once it has started, not before
    assert sentence_marked == "true"  # inside the sentence being spoken
    assert errors == []
    page.close()
