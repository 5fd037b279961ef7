"""A local HTTP server that speaks gTTS's protocol, for tests.

gTTS posts ``f.req=<urlencoded JSON>`` to Google Translate's ``batchexecute``
endpoint, one request per chunk of at most 100 characters. The JSON is
``[[["jQ1olc", "<JSON of [text, lang, speed, 'null']>", null, "generic"]]]``;
the answer is an anti-JSON-hijacking prefix, then length-prefixed chunks, one of
which carries the MP3 as base64::

    )]}'

    123
    [["wrb.fr","jQ1olc","[\\"<base64 MP3>\\"]",null,null,null,"generic"]]

:class:`FakeGtts` runs such a server on ``127.0.0.1`` (a free port) in a
background thread. It records every request (:class:`Request`) and answers with
real MP3 audio: a sine tone (24 kHz mono, like Google's), whose frequency a
pluggable function chooses (by default 300, 450, 600, ... Hz for requests 0, 1,
2, ...), so a test can tell from the output audio which answer went where.

What the server does with each request is a :data:`Behaviour`: a function from
the :class:`Request` to a :class:`Reply`. Replies: :class:`Tone` (the default),
:class:`Audio` (any bytes, e.g. empty or not MP3), :class:`Status` (429 with or
without Retry-After, 500, 503, ...), :class:`Body` (a raw 200 body, e.g.
garbage), :class:`Delay` (wait, then another reply) and :class:`Close` (drop the
connection without answering). :func:`always` and :func:`in_turn` build common
behaviours.

Use it as a context manager, or through the :func:`fake_gtts` fixture::

    def test_something(fake_gtts):
        fake_gtts.behaviour = always(Status(503))
        env = {..., "LETTERAUDIO_GTTS_URL": fake_gtts.url}
"""

from __future__ import annotations

import base64
import functools
import json
import os
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from urllib.parse import parse_qs

import numpy as np
import pytest

RPC_ID = "jQ1olc"
BATCHEXECUTE_PATH = "/_/TranslateWebserverUi/data/batchexecute"
TONE_SECONDS = 0.6
TONE_RATE = 24_000
TONE_BITRATE = "32k"


@dataclass
class Request:
    """One request the server received, as gTTS sent it."""

    index: int
    """Order of arrival, from 0."""
    text: str
    lang: str
    slow: bool
    path: str
    arrived: float
    """``time.monotonic()`` when the request had been read."""
    in_flight: int
    """Requests being handled at arrival, this one included (1 = no concurrency)."""
    frequency: float | None = None
    """The tone sent back, if the reply was a :class:`Tone`."""


Behaviour = Callable[[Request], "Reply"]
"""Chooses the reply to one request."""

FrequencyFor = Callable[[Request], float]
"""Chooses the tone's frequency (Hz) for one request."""


def by_index(base: float = 300.0, step: float = 150.0) -> FrequencyFor:
    """A distinct frequency per request: ``base + step * index``."""
    return lambda request: base + step * request.index


# --- replies -------------------------------------------------------------------------


class Reply:
    """What the server does with one request."""

    def send(self, handler: Handler, request: Request) -> None:
        raise NotImplementedError


@dataclass(frozen=True)
class Body(Reply):
    """A raw body as is, e.g. garbage, with a status (200 by default)."""

    data: bytes
    status: int = 200
    content_type: str = "application/json; charset=utf-8"

    def send(self, handler: Handler, request: Request) -> None:
        handler.respond(self.status, self.data, {"Content-Type": self.content_type})


@dataclass(frozen=True)
class Audio(Reply):
    """A well-formed answer carrying ``mp3`` (which may be empty, or not MP3 at all)."""

    mp3: bytes

    def send(self, handler: Handler, request: Request) -> None:
        Body(rpc_body(base64.b64encode(self.mp3).decode("ascii"))).send(handler, request)


@dataclass(frozen=True)
class Tone(Reply):
    """A well-formed answer carrying a sine tone as MP3 (the default reply).

    ``frequency`` None lets the server's ``frequency_for`` choose.
    """

    frequency: float | None = None
    seconds: float = TONE_SECONDS

    def send(self, handler: Handler, request: Request) -> None:
        frequency = (
            self.frequency if self.frequency is not None else handler.fake.frequency_for(request)
        )
        request.frequency = frequency
        Audio(tone_mp3(frequency, self.seconds)).send(handler, request)


@dataclass(frozen=True)
class Status(Reply):
    """An HTTP error status, optionally with a Retry-After header."""

    code: int
    retry_after: str | None = None
    body: bytes = b""

    def send(self, handler: Handler, request: Request) -> None:
        headers = {"Content-Type": "text/html; charset=utf-8"}
        if self.retry_after is not None:
            headers["Retry-After"] = self.retry_after
        handler.respond(self.code, self.body, headers)


@dataclass(frozen=True)
class Close(Reply):
    """Close the connection without answering."""

    def send(self, handler: Handler, request: Request) -> None:
        handler.close_connection = True


@dataclass(frozen=True)
class Delay(Reply):
    """Wait ``seconds`` (cut short when the server stops), then reply with ``then``."""

    seconds: float
    then: Reply = field(default_factory=Tone)

    def send(self, handler: Handler, request: Request) -> None:
        if handler.fake.wait(self.seconds):
            handler.close_connection = True  # the server is stopping: just hang up
            return
        self.then.send(handler, request)


@dataclass(frozen=True)
class Trickle(Reply):
    """A 200 whose body arrives one byte every ``interval`` seconds (for a long while)."""

    interval: float = 0.2

    def send(self, handler: Handler, request: Request) -> None:
        body = rpc_body("QUJD" * 100)
        handler.send_response(200)
        handler.send_header("Content-Length", str(len(body)))
        handler.send_header("Connection", "close")
        handler.end_headers()
        for byte in body:
            if handler.fake.wait(self.interval):
                break
            try:
                handler.wfile.write(bytes([byte]))
                handler.wfile.flush()
            except OSError:
                break
        handler.close_connection = True


def always(reply: Reply) -> Behaviour:
    """The same reply to every request."""
    return lambda request: reply


def in_turn(*replies: Reply, then: Reply | None = None) -> Behaviour:
    """Request ``i`` gets ``replies[i]``; later requests get ``then`` (a :class:`Tone`)."""
    after = then or Tone()
    return lambda request: replies[request.index] if request.index < len(replies) else after


# --- the protocol --------------------------------------------------------------------


def rpc_body(payload: str) -> bytes:
    """A batchexecute answer whose jQ1olc result is ``["<payload>"]`` (payload as is)."""
    envelope = json.dumps(
        [["wrb.fr", RPC_ID, json.dumps([payload]), None, None, None, "generic"]],
        separators=(",", ":"),
    )
    trailer = '[["di",42],["af.httprm",41,"-4242424242424242424",7]]'
    chunks = "".join(f"{len(chunk)}\n{chunk}\n" for chunk in (envelope, trailer))
    return f")]}}'\n\n{chunks}".encode()


def parse_rpc(body: bytes) -> tuple[str, str, bool]:
    """(text, lang, slow) from a gTTS request body; ValueError when it is not one."""
    try:
        (f_req,) = parse_qs(body.decode("utf-8"), strict_parsing=False)["f.req"]
        ((rpc,),) = json.loads(f_req)
        rpc_id, parameter, _, _ = rpc
        text, lang, speed, _ = json.loads(parameter)
    except (KeyError, TypeError, ValueError) as error:
        raise ValueError(f"not a gTTS request: {body[:200]!r}") from error
    if rpc_id != RPC_ID:
        raise ValueError(f"unknown rpc {rpc_id!r}")
    return str(text), str(lang), speed is True


def _ffmpeg() -> str:
    """Debian's ffmpeg, which CI installs (letteraudio itself ships none)."""
    path = shutil.which("ffmpeg")
    if path is None:
        message = "ffmpeg is not installed (apt-get install ffmpeg; .ci/run does)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return path


@functools.lru_cache(maxsize=64)
def tone_mp3(frequency: float, seconds: float = TONE_SECONDS) -> bytes:
    """A sine tone as a 24 kHz mono MP3 (encoded once per frequency and length)."""
    t = np.arange(round(seconds * TONE_RATE)) / TONE_RATE
    wave = 0.5 * np.sin(2 * np.pi * frequency * t)
    fade = np.minimum(1.0, np.minimum(t, t[-1] - t) / 0.01)  # 10 ms fades: no clicks
    pcm = (wave * fade * 32767).astype("<i2").tobytes()
    command = [
        _ffmpeg(), "-hide_banner", "-loglevel", "error", "-nostdin",
        "-f", "s16le", "-ar", str(TONE_RATE), "-ac", "1", "-i", "pipe:0",
        "-c:a", "libmp3lame", "-b:a", TONE_BITRATE, "-f", "mp3", "pipe:1",
    ]  # fmt: skip
    result = subprocess.run(command, input=pcm, capture_output=True, check=True, timeout=30)
    return bytes(result.stdout)


# --- the server ----------------------------------------------------------------------


class Handler(BaseHTTPRequestHandler):
    """Reads one gTTS request, records it, and lets the behaviour answer."""

    protocol_version = "HTTP/1.1"
    server: _Server

    @property
    def fake(self) -> FakeGtts:
        return self.server.fake

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        try:
            text, lang, slow = parse_rpc(body)
        except ValueError as error:
            self.respond(400, str(error).encode(), {"Content-Type": "text/plain"})
            return
        request = self.fake._arrive(text, lang, slow, self.path)
        self._counted = True
        try:
            self.fake.behaviour(request).send(self, request)
        finally:
            self._done()

    def _done(self) -> None:
        """This request stops counting as in flight (once): before its answer is written,
        since the client may send its next request the moment it has read the answer."""
        if getattr(self, "_counted", False):
            self._counted = False
            self.fake._leave()

    def respond(self, status: int, body: bytes, headers: dict[str, str]) -> None:
        """Send a complete answer and close the connection."""
        self._done()
        self.send_response(status)
        for name, value in {**headers, "Content-Length": str(len(body))}.items():
            self.send_header(name, value)
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)
        self.close_connection = True

    def log_message(self, format: str, *args: object) -> None:
        pass  # keep test output clean


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, fake: FakeGtts) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.fake = fake


class FakeGtts:
    """A gTTS-compatible server on 127.0.0.1 for the duration of a ``with`` block."""

    def __init__(
        self, behaviour: Behaviour | None = None, frequency_for: FrequencyFor | None = None
    ) -> None:
        self.behaviour: Behaviour = behaviour or always(Tone())
        self.frequency_for: FrequencyFor = frequency_for or by_index()
        self.requests: list[Request] = []
        self._lock = threading.Lock()
        self._in_flight = 0
        self._stopping = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """The endpoint to put in ``LETTERAUDIO_GTTS_URL``."""
        if self._server is None:
            raise RuntimeError("the fake gTTS server is not running")
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}{BATCHEXECUTE_PATH}"

    @property
    def texts(self) -> list[str]:
        """The texts received, in order of arrival."""
        with self._lock:
            return [request.text for request in self.requests]

    @property
    def max_in_flight(self) -> int:
        """The most requests handled at once."""
        with self._lock:
            return max((request.in_flight for request in self.requests), default=0)

    def wait(self, seconds: float) -> bool:
        """Sleep up to ``seconds``; True when cut short because the server is stopping."""
        return self._stopping.wait(seconds)

    def __enter__(self) -> FakeGtts:
        self._server = _Server(self)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._stopping.set()  # ends every Delay at once
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def _arrive(self, text: str, lang: str, slow: bool, path: str) -> Request:
        with self._lock:
            self._in_flight += 1
            request = Request(
                index=len(self.requests),
                text=text,
                lang=lang,
                slow=slow,
                path=path,
                arrived=time.monotonic(),
                in_flight=self._in_flight,
            )
            self.requests.append(request)
            return request

    def _leave(self) -> None:
        with self._lock:
            self._in_flight -= 1


def unused_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (free a moment ago)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def fake_gtts() -> Iterator[FakeGtts]:
    """A running :class:`FakeGtts`, stopped at teardown.

    Other test modules can use it through ``pytest_plugins = ["fake_gtts"]`` in
    ``tests/conftest.py``, or wrap :class:`FakeGtts` in a fixture of their own.
    """
    with FakeGtts() as fake:
        yield fake
