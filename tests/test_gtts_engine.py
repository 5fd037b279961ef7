"""The gtts engine, end to end through the CLI, against a local fake of Google's endpoint.

Every render runs ``letteraudio render`` with ``LETTERAUDIO_GTTS_URL`` pointing at
:class:`fake_gtts.FakeGtts`, which answers each request with a sine tone of its own
frequency. Decoding the MP3 and finding the tones in it shows what was spoken, in which
order, with which pauses. A render whose failure, exit code or stopping is under test,
or whose requests in flight are counted, runs ``python -m letteraudio`` in a process of
its own; one that must simply succeed (what it checks is the requests the server saw
and the audio) runs the same command in this process (:func:`render_here`).
"""

from __future__ import annotations

import itertools
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

import numpy as np
import pytest
import soundfile
from audio_probe import decode
from fake_gtts import (
    TONE_SECONDS,
    Audio,
    Body,
    Close,
    Delay,
    FakeGtts,
    Reply,
    Request,
    Status,
    Tone,
    Trickle,
    always,
    in_turn,
    rpc_body,
    tone_mp3,
    unused_port,
)
from signals import interruptible
from typer.testing import CliRunner

from letteraudio.cli import app
from letteraudio.engines.gtts import DEFAULT_JOBS

ARTICLE = """\
The Harbour at Dawn

The boats came in before the sun rose,
heavy with the night's catch.

Gulls followed them along the pier
and waited for the nets to open.

By seven the market was loud with voices
and the smell of salt and ice.
"""

# What gTTS should send, one request per segment: the title, then each paragraph
# with its hard-wrapped lines joined. (No "?", "!" or words such as "last." in
# the text: gTTS's own pre-processors would change those before sending.)
SEGMENTS = [
    "The Harbour at Dawn",
    "The boats came in before the sun rose, heavy with the night's catch.",
    "Gulls followed them along the pier and waited for the nets to open.",
    "By seven the market was loud with voices and the smell of salt and ice.",
]
TITLE_PAUSE_MS = 1200
PARAGRAPH_PAUSE_MS = 700
OUTPUT_RATE = 44_100
GUARD_SECONDS = 30  # a hung render fails the test instead of hanging the suite
PROXY_VARIABLES = ("http_proxy", "https_proxy", "all_proxy", "no_proxy")


@pytest.fixture
def server() -> Iterator[FakeGtts]:
    with FakeGtts() as fake:
        yield fake


@pytest.fixture
def article(tmp_path: Path) -> Path:
    path = tmp_path / "harbour.txt"
    path.write_text(ARTICLE, encoding="utf-8")
    return path


@pytest.fixture
def out(tmp_path: Path) -> Path:
    return tmp_path / "episode" / "harbour.mp3"


def command(article: Path, out: Path, *options: str) -> list[str]:
    """``render ARTICLE -e gtts -o OUT --quiet``, the arguments after ``letteraudio``.

    No retries unless the test asks for them, so failures are quick; one request at a
    time unless the test asks for more, as faults are injected by order of arrival.
    """
    if "--retries" not in options:
        options = ("--retries", "0", *options)
    if "--jobs" not in options:
        options = ("--jobs", "1", *options)
    elif options[options.index("--jobs") + 1] == "default":
        at = options.index("--jobs")
        options = options[:at] + options[at + 2 :]
    return ["render", str(article), "-e", "gtts", "-o", str(out), "--quiet", *options]


def render(article: Path, out: Path, url: str, *options: str) -> subprocess.CompletedProcess[str]:
    """``letteraudio render ARTICLE -e gtts -o OUT --quiet`` against ``url``, in a process
    of its own."""
    env = {k: v for k, v in os.environ.items() if k.lower() not in PROXY_VARIABLES}
    env.pop("LETTERAUDIO_DEBUG", None)
    env["LETTERAUDIO_GTTS_URL"] = url
    return subprocess.run(
        [sys.executable, "-m", "letteraudio", *command(article, out, *options)],
        env=env,
        capture_output=True,
        text=True,
        timeout=GUARD_SECONDS,
        check=False,
    )


Render = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def render_here(monkeypatch: pytest.MonkeyPatch) -> Render:
    """:func:`render` in this process, through the command's own code (CliRunner), in the
    same environment: for renders that must succeed, which need no fresh interpreter
    (about a second each). An exception that escapes the command fails the test."""
    for name in list(os.environ):
        if name.lower() in PROXY_VARIABLES:
            monkeypatch.delenv(name)
    monkeypatch.delenv("LETTERAUDIO_DEBUG", raising=False)

    def run(article: Path, out: Path, url: str, *options: str) -> subprocess.CompletedProcess[str]:
        monkeypatch.setenv("LETTERAUDIO_GTTS_URL", url)
        args = command(article, out, *options)
        result = CliRunner().invoke(app, args, catch_exceptions=False)
        return subprocess.CompletedProcess(args, result.exit_code, result.stdout, result.stderr)

    return run


def one_line_error(result: subprocess.CompletedProcess[str]) -> str:
    """The single ``Error: ...`` line a failed render prints, with no traceback."""
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: "), result.stderr
    return lines[0]


def assert_failed_cleanly(result: subprocess.CompletedProcess[str], out: Path) -> str:
    """Non-zero exit, one error line, and nothing (not even a temporary file) left behind."""
    assert result.returncode != 0, result.stdout
    message = one_line_error(result)
    assert not out.exists()
    assert not out.parent.exists() or not list(out.parent.glob(".*.part"))
    return message


# --- reading the tones back out of the MP3 -------------------------------------------


@dataclass(frozen=True)
class Stretch:
    """One run of sound in the decoded output, in seconds."""

    start: float
    end: float
    frequency: float


def sound_stretches(samples: np.ndarray, min_gap: float = 0.2) -> list[Stretch]:
    """Runs of 10 ms frames louder than -40 dBFS, split at gaps of ``min_gap`` seconds."""
    frame = OUTPUT_RATE // 100
    frames = samples[: len(samples) // frame * frame].reshape(-1, frame)
    loud = np.flatnonzero(np.sqrt((frames**2).mean(axis=1)) > 10 ** (-40 / 20))
    if len(loud) == 0:
        return []
    breaks = np.flatnonzero(np.diff(loud) > min_gap * 100)
    runs = zip(np.r_[loud[0], loud[breaks + 1]], np.r_[loud[breaks], loud[-1]], strict=True)
    return [
        Stretch(
            float(first) / 100,
            float(last + 1) / 100,
            peak_frequency(samples[first * frame : (last + 1) * frame]),
        )
        for first, last in runs
    ]


def peak_frequency(chunk: np.ndarray) -> float:
    """The strongest frequency in ``chunk``, in Hz."""
    spectrum = np.abs(np.fft.rfft(chunk * np.hanning(len(chunk))))
    return float(np.fft.rfftfreq(len(chunk), 1 / OUTPUT_RATE)[spectrum.argmax()])


# --- the tests -----------------------------------------------------------------------


def test_renders_each_segment_as_its_own_answer_in_order(
    server: FakeGtts, article: Path, out: Path, render_here: Render
) -> None:
    pauses = ["--title-pause-ms", str(TITLE_PAUSE_MS), "--pause-ms", str(PARAGRAPH_PAUSE_MS)]
    result = render_here(article, out, server.url, *pauses)

    assert result.returncode == 0, result.stderr
    # Requests go out in parallel, so they may arrive in any order; the episode keeps it.
    assert sorted(server.texts) == sorted(SEGMENTS)
    assert {(r.lang, r.slow) for r in server.requests} == {("en", False)}

    info = soundfile.info(str(out))
    assert (info.samplerate, info.channels) == (OUTPUT_RATE, 1)

    # Each segment is heard as the tone the server sent for its text, in order.
    sent = {request.text: request.frequency for request in server.requests}
    stretches = sound_stretches(decode(out))
    heard = [s.frequency for s in stretches]
    assert heard == pytest.approx([sent[text] for text in SEGMENTS], abs=10), stretches
    for stretch in stretches:
        assert stretch.end - stretch.start == pytest.approx(TONE_SECONDS, abs=0.1), stretch

    # Silence of the asked length separates them: longer after the title.
    gaps = [after.start - before.end for before, after in pairwise(stretches)]
    expected = [TITLE_PAUSE_MS / 1000] + [PARAGRAPH_PAUSE_MS / 1000] * 2
    assert gaps == pytest.approx(expected, abs=0.1), stretches


def test_a_segment_gtts_splits_in_two_is_heard_whole(
    server: FakeGtts, tmp_path: Path, out: Path, render_here: Render
) -> None:
    # 100 characters, one sentence: one segment for letteraudio. gTTS adds a space after
    # "!" and, now over its own limit of 100, sends the segment as two requests.
    text = (
        "Look out!\u2014the tide is turning now and the boats must be in before the wind comes"
        " round to the north."
    )
    assert len(text) == 100
    article = tmp_path / "tide.txt"
    article.write_text(text + "\n", encoding="utf-8")

    result = render_here(article, out, server.url)

    assert result.returncode == 0, result.stderr
    assert server.texts == ["Look out!", text.removeprefix("Look out!\u2014")]
    # Both answers are in the episode, back to back, first one first.
    samples = decode(out)
    (stretch,) = sound_stretches(samples)
    assert stretch.end - stretch.start == pytest.approx(2 * TONE_SECONDS, abs=0.15)
    start, end = round(stretch.start * OUTPUT_RATE), round(stretch.end * OUTPUT_RATE)
    halves = np.array_split(samples[start:end], 2)
    heard = [peak_frequency(half) for half in halves]
    assert heard == pytest.approx([r.frequency for r in server.requests], abs=10)


def test_lang_reaches_the_server(
    server: FakeGtts, article: Path, out: Path, render_here: Render
) -> None:
    result = render_here(article, out, server.url, "--lang", "fr", "--slow")

    assert result.returncode == 0, result.stderr
    assert len(server.requests) == len(SEGMENTS)
    assert {(r.lang, r.slow) for r in server.requests} == {("fr", True)}


def test_unknown_lang_is_refused_before_any_request(
    server: FakeGtts, article: Path, out: Path
) -> None:
    result = render(article, out, server.url, "--lang", "xx")

    assert result.returncode == 2
    message = assert_failed_cleanly(result, out)
    assert "'xx'" in message
    assert "choose from:" in message
    assert " en," in message
    assert " fr," in message
    assert server.requests == []


@pytest.mark.parametrize(
    "reply",
    [Status(500), Status(503), Status(429), Status(429, retry_after="1")],
    ids=["500", "503", "429", "429-retry-after"],
)
def test_server_errors_fail_with_a_hint_at_the_offline_default(
    reply: Status, server: FakeGtts, article: Path, out: Path
) -> None:
    server.behaviour = always(reply)

    result = render(article, out, server.url, "--retries", "2")

    message = assert_failed_cleanly(result, out)
    assert str(reply.code) in message
    assert "(after 3 attempts)" in message
    assert "hibari" in message
    assert "title" in message  # names the segment that failed
    assert len(server.requests) == 3  # the first attempt and two retries, then it gives up
    if reply.retry_after:
        gaps = [b.arrived - a.arrived for a, b in itertools.pairwise(server.requests)]
        assert all(gap >= 0.95 for gap in gaps), gaps  # Retry-After: 1 was honoured


def test_failure_midway_keeps_an_existing_episode(
    server: FakeGtts, article: Path, out: Path
) -> None:
    out.parent.mkdir()
    out.write_bytes(b"last week's episode")
    server.behaviour = in_turn(Tone(), Tone(), Status(503))

    result = render(article, out, server.url)

    assert result.returncode == 1
    message = one_line_error(result)
    assert 'paragraph 2 ("Gulls followed' in message
    assert out.read_bytes() == b"last week's episode"
    assert not list(out.parent.glob(".*.part"))
    assert len(server.requests) == 3


def test_silent_server_times_out_with_a_message_that_says_so(
    server: FakeGtts, article: Path, out: Path
) -> None:
    server.behaviour = always(Delay(GUARD_SECONDS * 2, then=Close()))

    result = render(article, out, server.url, "--timeout", "1")

    message = assert_failed_cleanly(result, out)
    assert "no answer from 127.0.0.1" in message
    assert "within 1 s (see --timeout)" in message
    assert "hibari" in message


def test_unreachable_endpoint_fails_with_a_hint_at_the_offline_default(
    article: Path, out: Path
) -> None:
    url = f"http://127.0.0.1:{unused_port()}/batchexecute"

    result = render(article, out, url, "--timeout", "5")

    message = assert_failed_cleanly(result, out)
    assert "hibari" in message


def test_dropped_connection_fails_cleanly(server: FakeGtts, article: Path, out: Path) -> None:
    server.behaviour = always(Close())

    result = render(article, out, server.url)

    message = assert_failed_cleanly(result, out)
    assert "hibari" in message


@pytest.mark.parametrize(
    "reply",
    [
        pytest.param(Body(b"<html><body>Sorry...</body></html>"), id="html-page"),
        pytest.param(Body(b"\x00\xff garbage \xfe"), id="binary-noise"),
        pytest.param(Body(rpc_body("QUJD" * 100)[:200]), id="truncated-rpc"),
        pytest.param(Body(rpc_body("!!! not base64 !!!")), id="not-base64"),
        pytest.param(Audio(b""), id="empty-audio"),
        pytest.param(Audio(b"ID3 this is not an mp3 at all " * 20), id="not-mp3"),
    ],
)
def test_garbage_answer_fails_cleanly(
    reply: Audio | Body, server: FakeGtts, article: Path, out: Path
) -> None:
    server.behaviour = always(reply)

    result = render(article, out, server.url)

    assert result.returncode == 1
    message = assert_failed_cleanly(result, out)
    assert "unexpected" not in message  # a known failure, not a crash caught at the top
    assert "title" in message  # names the segment that failed


# --- retries, fallback and resuming ------------------------------------------------------


@pytest.mark.parametrize(
    "fault",
    [
        Status(429),
        Status(500),
        Status(503),
        Close(),
        Body(b"<html>busy</html>"),
        Audio(b""),
        Audio(tone_mp3(440.0)[:-50]),
    ],
    ids=["429", "500", "503", "reset", "garbage", "empty-audio", "truncated-audio"],
)
def test_a_transient_fault_is_retried_and_the_render_succeeds(
    fault: Reply, server: FakeGtts, article: Path, out: Path, render_here: Render
) -> None:
    server.behaviour = in_turn(Tone(), fault, fault)

    result = render_here(article, out, server.url, "--retries", "3")

    assert result.returncode == 0, result.stderr
    texts = server.texts
    assert texts == [SEGMENTS[0], SEGMENTS[1], SEGMENTS[1], SEGMENTS[1], *SEGMENTS[2:]]
    assert len(sound_stretches(decode(out))) == len(SEGMENTS)  # nothing damaged was stitched


def test_retry_after_is_honoured(
    server: FakeGtts, article: Path, out: Path, render_here: Render
) -> None:
    server.behaviour = in_turn(Status(429, retry_after="2"))

    result = render_here(article, out, server.url, "--retries", "1")

    assert result.returncode == 0, result.stderr
    first, second = server.requests[:2]
    assert second.text == first.text
    assert second.arrived - first.arrived >= 1.95


def test_a_client_error_is_not_retried(server: FakeGtts, article: Path, out: Path) -> None:
    server.behaviour = always(Status(400))

    result = render(article, out, server.url, "--retries", "3")

    assert "400" in assert_failed_cleanly(result, out)
    assert len(server.requests) == 1


def test_fallback_speaks_the_paragraph_that_still_fails(
    server: FakeGtts, article: Path, out: Path, render_here: Render
) -> None:
    server.behaviour = lambda request: Status(503) if "Gulls" in request.text else Tone()

    result = render_here(article, out, server.url, "--fallback", "piper")
    # (render passes --quiet; run again without it to read the summary)
    assert result.returncode == 0, result.stderr
    loud = CliRunner().invoke(  # here too, against the same server (render_here set it)
        app, ["render", str(article), "-e", "gtts", "--retries", "0", "--fallback", "piper",
              "-o", str(out), "--jobs", "1"], catch_exceptions=False,
    )  # fmt: skip
    assert loud.exit_code == 0, loud.output
    # Once gtts has failed a paragraph, piper speaks the rest (the title and the first
    # paragraph came from the cache of the first run).
    assert "The fallback piper spoke: paragraph 2, paragraph 3" in loud.stdout
    stretches = sound_stretches(decode(out))
    tones = [s for s in stretches if abs(s.end - s.start - TONE_SECONDS) < 0.1]
    assert len(tones) == 2  # the title and the first paragraph


def test_a_failed_render_resumes_from_the_cache(server: FakeGtts, article: Path, out: Path) -> None:
    server.behaviour = in_turn(Tone(), Tone(), Status(503))
    assert render(article, out, server.url).returncode == 1
    assert len(server.requests) == 3

    server.behaviour = always(Tone())
    assert render(article, out, server.url).returncode == 0, "second run failed"
    # Only the two segments that were not spoken yet were asked for again.
    assert server.texts[3:] == SEGMENTS[2:]


def test_no_cache_asks_for_everything_again(
    server: FakeGtts, article: Path, out: Path, render_here: Render
) -> None:
    assert render_here(article, out, server.url).returncode == 0
    assert render_here(article, out, server.url, "--no-cache").returncode == 0
    assert server.texts == SEGMENTS + SEGMENTS


def test_a_trickling_answer_times_out_as_a_whole(
    server: FakeGtts, article: Path, out: Path
) -> None:
    server.behaviour = always(Trickle(interval=0.2))  # each byte within the socket timeout
    started = time.monotonic()
    result = render(article, out, server.url, "--timeout", "2")
    message = assert_failed_cleanly(result, out)
    assert "no answer from 127.0.0.1" in message and "within 2 s" in message
    assert time.monotonic() - started < GUARD_SECONDS  # (the guard: it did not hang)


def test_after_one_failed_segment_the_fallback_speaks_the_rest(
    server: FakeGtts, article: Path, out: Path
) -> None:
    server.behaviour = lambda request: Status(503) if request.index >= 1 else Tone()

    result = render(article, out, server.url, "--retries", "1", "--fallback", "piper")

    assert result.returncode == 0, result.stderr
    # The title, then two attempts at the first paragraph; the others are not asked for.
    assert len(server.requests) == 3


def test_an_unreachable_service_hands_everything_to_the_fallback(
    article: Path, out: Path, render_here: Render
) -> None:
    result = render_here(article, out, "http://no-such-host.invalid/x", "--fallback", "piper")
    assert result.returncode == 0, result.stderr
    assert "cannot resolve no-such-host.invalid" in result.stderr
    assert out.is_file()


def test_a_damaged_cache_entry_is_spoken_again(
    server: FakeGtts, article: Path, out: Path, _test_cache: Path, render_here: Render
) -> None:
    assert render_here(article, out, server.url).returncode == 0
    entries = sorted((_test_cache / "clips").glob("*/*.clip"))
    assert len(entries) == len(SEGMENTS)
    # Without their encoded paragraphs, the clips themselves are read again.
    shutil.rmtree(_test_cache / "chunks")
    damaged = entries[0]
    damaged.write_bytes(damaged.read_bytes()[:-100])  # truncated
    flipped = bytearray(entries[1].read_bytes())
    flipped[-1] ^= 0xFF  # one sample changed: the hash no longer matches
    entries[1].write_bytes(bytes(flipped))

    assert render_here(article, out, server.url).returncode == 0
    assert len(server.requests) == len(SEGMENTS) + 2  # exactly the two damaged ones again
    assert len(sound_stretches(decode(out))) == len(SEGMENTS)


def test_a_damaged_chunk_is_rebuilt_from_its_clips(
    server: FakeGtts, article: Path, out: Path, _test_cache: Path, render_here: Render
) -> None:
    assert render_here(article, out, server.url).returncode == 0
    first = decode(out)
    chunks = sorted((_test_cache / "chunks").glob("*/*.chunk"))
    assert len(chunks) == len(SEGMENTS)  # one paragraph per segment in this article
    for chunk in chunks[:2]:
        data = bytearray(chunk.read_bytes())
        data[len(data) // 2] ^= 0x01  # one bit of the MP3 frames flipped
        chunk.write_bytes(bytes(data))

    assert render_here(article, out, server.url).returncode == 0
    assert len(server.requests) == len(SEGMENTS)  # the clips were still good: no new request
    again = decode(out)
    assert len(again) == len(first)
    assert len(sound_stretches(again)) == len(SEGMENTS)


def test_backoff_grows_with_full_jitter_and_retry_after_is_capped() -> None:
    import random

    from letteraudio.engines.gtts import BACKOFF_BASE_S, BACKOFF_CAP_S, _backoff, _retry_after

    random.seed(7)
    for attempt in range(6):
        waits = [_backoff(attempt) for _ in range(200)]
        ceiling = min(BACKOFF_CAP_S, BACKOFF_BASE_S * 2**attempt)
        assert all(0 <= w <= ceiling for w in waits)
        assert max(waits) > 0.8 * ceiling  # jitter spreads over the whole window
    assert _retry_after("3") == 3.0
    assert _retry_after("100000") == 60.0
    assert _retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0  # a date in the past
    assert _retry_after("soon") is None


# --- speed: the paragraph cache and requests in flight -------------------------------


def many_sentences(tmp_path: Path, count: int) -> Path:
    words = ["harbour", "boats", "gulls", "market", "nets", "tide", "pier", "salt"]
    sentences = [f"Sentence {words[i % 8]} number {i + 1} is here." for i in range(count)]
    paragraphs = [" ".join(sentences[i : i + 4]) for i in range(0, count, 4)]
    path = tmp_path / "many.txt"
    path.write_text("Many Sentences\n\n" + "\n\n".join(paragraphs) + "\n", encoding="utf-8")
    return path


def test_editing_one_sentence_speaks_only_that_sentence(
    server: FakeGtts, tmp_path: Path, out: Path, _test_cache: Path, render_here: Render
) -> None:
    article = many_sentences(tmp_path, 12)
    assert render_here(article, out, server.url, "--jobs", "4").returncode == 0
    first = len(server.requests)
    assert first == 13  # the title and 12 sentences
    chunks = set((_test_cache / "chunks").glob("*/*.chunk"))

    text = article.read_text(encoding="utf-8")
    article.write_text(text.replace("number 6 is here", "number six is there"), encoding="utf-8")
    assert render_here(article, out, server.url, "--jobs", "4").returncode == 0

    assert server.texts[first:] == ["Sentence tide number six is there."]  # one synthesis
    new_chunks = set((_test_cache / "chunks").glob("*/*.chunk")) - chunks
    assert len(new_chunks) == 1  # and one paragraph encoded again
    assert len(sound_stretches(decode(out))) == 13


@pytest.mark.parametrize("jobs", [None, "2", "5"])
def test_requests_in_flight_never_exceed_the_limit(
    server: FakeGtts, tmp_path: Path, out: Path, jobs: str | None
) -> None:
    limit = int(jobs) if jobs else DEFAULT_JOBS

    def behaviour(request: Request) -> Reply:
        # Every answer waits until the client has filled its places (or 10 s have gone):
        # however busy the machine, the client then reaches its limit, and one that sent
        # more than its limit is seen sending more.
        deadline = time.monotonic() + 10
        while server.max_in_flight < limit and time.monotonic() < deadline:
            if server.wait(0.02):
                break
        return Delay(0.05, Tone())

    server.behaviour = behaviour
    options = ("--jobs", jobs) if jobs else ("--jobs", "default")
    result = render(many_sentences(tmp_path, 20), out, server.url, *options)
    assert result.returncode == 0, result.stderr
    assert server.max_in_flight == limit  # used to the full, never beyond
    assert len(sound_stretches(decode(out))) == 21


def test_429_halves_the_requests_in_flight_then_they_grow_back(
    server: FakeGtts, tmp_path: Path, out: Path
) -> None:
    refused: dict[str, int] = {}  # text -> index of the request that was refused
    lock = threading.Lock()

    def behaviour(request: Request) -> Reply:
        # The first four texts asked for are told to slow down, once each: a retry of the
        # same text is answered, however the requests interleave on a busy machine.
        with lock:
            if len(refused) < 4 and request.text not in refused:
                refused[request.text] = request.index
                return Status(429, retry_after="0")
        return Delay(0.3, Tone())  # long enough that a busy machine keeps 4 in flight

    server.behaviour = behaviour
    result = render(many_sentences(tmp_path, 40), out, server.url, "--jobs", "4", "--retries", "2")
    assert result.returncode == 0, result.stderr
    assert len(refused) == 4
    last_refused = max(refused.values())
    after = [r.in_flight for r in server.requests if r.index > last_refused]
    assert max(after[:4]) == 1  # four 429s took the allowance from 4 to 1
    assert max(after[-10:]) == 4  # successes brought it back, a step per 4 successes
    assert server.max_in_flight <= 4


def test_ctrl_c_does_not_wait_out_the_backoff(server: FakeGtts, article: Path, out: Path) -> None:
    server.behaviour = always(Status(503, retry_after="30"))
    env = {k: v for k, v in os.environ.items() if k.lower() not in PROXY_VARIABLES}
    env["LETTERAUDIO_GTTS_URL"] = server.url
    command = [sys.executable, "-m", "letteraudio", "render", str(article), "-e", "gtts",
               "-o", str(out), "--quiet", "--retries", "3", "--jobs", "4"]  # fmt: skip
    render = subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        preexec_fn=interruptible,
    )  # fmt: skip
    deadline = time.monotonic() + GUARD_SECONDS
    while len(server.requests) < 4:  # every segment asked once, each now told to wait 30 s
        assert time.monotonic() < deadline, "the requests never came"
        time.sleep(0.05)
    time.sleep(0.3)
    stopped = time.monotonic()
    render.send_signal(signal.SIGINT)
    _, stderr = render.communicate(timeout=GUARD_SECONDS)
    assert time.monotonic() - stopped < 5  # not the 30 s of Retry-After
    assert render.returncode == 130, stderr
    assert len(stderr.strip().splitlines()) == 1 and "Traceback" not in stderr
    assert not out.exists() and not list(out.parent.glob(".*.part"))
