"""gTTS: Google Translate's online voice.

The gtts package builds the requests (text cleaning, splitting at its 100-character
limit, the RPC body, the headers); this module sends them itself, on one keep-alive
session, with TLS verification, the environment's proxy settings (``NO_PROXY``
included) and an explicit timeout, since gTTS's own sender waits forever by default,
skips certificate checks and swallows the cause of a failure.

``LETTERAUDIO_GTTS_URL`` sends the requests to another endpoint speaking the same
protocol (a proxy, or a local test server); ``--tld`` then has no effect.
"""

from __future__ import annotations

import base64
import binascii
import email.utils
import importlib.util
import io
import os
import random
import re
import socket
import threading
import time
import urllib.request
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import urlsplit

import numpy as np

from letteraudio.engines import BaseEngine, EngineSettings, Voice
from letteraudio.engines.throttle import AdaptiveLimit
from letteraudio.errors import EngineUnavailable, InputError, NetworkError, SynthesisError
from letteraudio.values import Clip, empty_clip

if TYPE_CHECKING:
    import requests

ENDPOINT_VARIABLE = "LETTERAUDIO_GTTS_URL"
OFFLINE_HINT = "the default engine (hibari) speaks offline: leave out --engine gtts"
DEFAULT_LANG = "en"
DEFAULT_JOBS = 8
"""Requests in flight at once: enough to hide network latency (at 150 ms, 4 in flight left
the seed 3.4x faster than gtts-cli, 8 make it 4.5x); a 429 halves it (throttle.py)."""
SAMPLE_RATE = 24_000
"""What Google's voice answers with."""
RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
BACKOFF_BASE_S = 0.5
BACKOFF_CAP_S = 8.0
RETRY_AFTER_CAP_S = 60.0
SLOW_SPEED = 0.6
"""At or below this ``--speed`` Google's own slow voice is asked for; above it, other
speeds are a pitch-preserving time stretch of the normal voice."""
_AUDIO = re.compile(rb'jQ1olc","\[\\"([A-Za-z0-9+/=]*)\\"\]')


def endpoint_override() -> str | None:
    """The endpoint set through ``LETTERAUDIO_GTTS_URL``, if any."""
    return os.environ.get(ENDPOINT_VARIABLE) or None


def host_resolves(host: str, timeout: float = 2.0) -> bool:
    """True when ``host`` resolves within ``timeout`` seconds."""
    result: list[bool] = []

    def look_up() -> None:
        try:
            socket.getaddrinfo(host, 443)
        except OSError:
            result.append(False)
        else:
            result.append(True)

    thread = threading.Thread(target=look_up, daemon=True)
    thread.start()
    thread.join(timeout)
    return bool(result and result[0])


class GttsEngine(BaseEngine):
    """Google Translate's text-to-speech voice (online)."""

    name: ClassVar[str] = "gtts"
    description: ClassVar[str] = "Google Translate voice, online (--lang, --tld, --speed)"
    online: ClassVar[bool] = True
    max_chars: ClassVar[int] = 100
    chars_per_second: ClassVar[float] = 14.0
    takes: ClassVar[frozenset[str]] = frozenset(
        {"voice", "lang", "speed", "tld", "slow", "timeout", "retries"}
    )
    can_cancel: ClassVar[bool] = True
    word_timing: ClassVar[str | None] = "aligned"
    """Its words are found in its audio with the ``align`` extra (English), else sentence timing."""
    packages: ClassVar[tuple[str, ...]] = ("gTTS",)

    @classmethod
    def unavailable_reason(cls) -> str | None:
        if importlib.util.find_spec("gtts") is None:
            return "the gtts package is not installed (pip install gtts)"
        host = urlsplit(endpoint_override() or "https://translate.google.com").hostname or ""
        if not host_resolves(host):
            return f"cannot resolve {host} (no network?)"
        return None

    @classmethod
    def voices(cls, settings: EngineSettings) -> list[Voice]:
        """One voice per language gTTS knows (the accent comes from ``--tld``)."""
        if importlib.util.find_spec("gtts") is None:
            return []
        from gtts.lang import tts_langs

        source = f"Google Translate, online (translate.google.{settings.tld})"
        return [
            Voice(code, code, "online", source, str(name))
            for code, name in sorted(tts_langs().items())
        ]

    def __init__(self, settings: EngineSettings) -> None:
        if importlib.util.find_spec("gtts") is None:
            raise EngineUnavailable("the gtts package is not installed (pip install gtts)")
        from gtts.lang import tts_langs

        if settings.voice is not None and settings.lang not in (None, settings.voice):
            raise EngineUnavailable("gtts voices are languages: give --lang or --voice, not both")
        self.lang = settings.lang or settings.voice or DEFAULT_LANG  # a gtts voice is a language
        languages = tts_langs()
        if self.lang not in languages:
            choices = ", ".join(sorted(languages))
            raise EngineUnavailable(f"gtts has no language {self.lang!r} (choose from: {choices})")
        if settings.slow and settings.speed != 1.0 and settings.speed > SLOW_SPEED:
            raise InputError(
                f"--slow is Google's slow voice, the same as --speed {SLOW_SPEED:g} or less: "
                "give one of them"
            )
        self.settings = settings
        self.slow = settings.slow or settings.speed <= SLOW_SPEED
        self.stretch = 1.0 if self.slow else settings.speed
        self.endpoint = endpoint_override()
        host = urlsplit(self.endpoint or f"https://translate.google.{settings.tld}").hostname
        # Behind a proxy the name may resolve only at the proxy: let the request try.
        if not urllib.request.getproxies() and not host_resolves(host or ""):
            raise NetworkError(f"cannot resolve {host} (no network?); {OFFLINE_HINT}")
        self.jobs = settings.jobs or DEFAULT_JOBS
        self.limit = AdaptiveLimit(self.jobs)
        self._local = threading.local()  # one keep-alive session per worker thread
        self._cancelled = threading.Event()

    def cancel(self) -> None:
        """Stop retrying: the render was stopped (requests already sent still finish)."""
        self._cancelled.set()

    def identity(self) -> dict[str, Any]:
        return {
            "engine": self.name,
            "lang": self.lang,
            "tld": self.settings.tld,
            "slow": self.slow,
            "stretch": self.stretch,
            "endpoint": self.endpoint,
        }

    def synthesize(self, text: str) -> Clip:
        from gtts import gTTS

        if not text.strip():  # gTTS asserts that it has text
            return empty_clip(SAMPLE_RATE)
        tts = gTTS(
            text, lang=self.lang, tld=self.settings.tld, slow=self.slow, lang_check=False,
        )  # fmt: skip
        try:
            prepared = tts._prepare_requests()
        except AssertionError:  # gTTS asserts that its cleaned text is not empty
            prepared = []
        # gTTS may still cut a text into several requests (it adds spaces after "!" and "?").
        clips = [self._fetch(request) for request in prepared]
        if not clips:
            return empty_clip(SAMPLE_RATE)
        clip = Clip(np.concatenate([c.samples for c in clips]), clips[0].sample_rate)
        return time_stretch(clip, self.stretch)

    def _fetch(self, request: requests.PreparedRequest) -> Clip:
        """One request's audio, retried with backoff when the failure may pass."""
        attempts = self.settings.retries + 1
        for attempt in range(attempts):
            if self._cancelled.is_set():
                raise SynthesisError("stopped")
            try:
                with self.limit.slot():
                    body = self._send(request)
                clip = decode_mp3(extract_audio(body))
                self.limit.succeeded()
                return clip
            except TransientError as error:
                if error.status == 429:
                    self.limit.throttled()
                if attempt + 1 == attempts:
                    tries = f" (after {attempts} attempts)" if attempts > 1 else ""
                    raise SynthesisError(f"{error}{tries}; {OFFLINE_HINT}") from error
                wait = error.retry_after if error.retry_after is not None else _backoff(attempt)
                if self._cancelled.wait(wait):  # a stopped render does not wait out backoffs
                    raise SynthesisError("stopped") from error
        raise AssertionError("unreachable")  # pragma: no cover

    def _session(self) -> requests.Session:
        """This thread's session (requests does not promise that one is thread-safe)."""
        import requests

        session: requests.Session | None = getattr(self._local, "session", None)
        if session is None:
            session = self._local.session = requests.Session()
        return session

    def _send(self, request: requests.PreparedRequest) -> bytes:
        """Send one prepared request and return the answer's body, or raise a clear error."""
        import requests
        import urllib3

        if self.endpoint:
            request.url = self.endpoint
        host = urlsplit(request.url or "").netloc
        timeout = self.settings.timeout
        session = self._session()
        environment = session.merge_environment_settings(request.url or "", {}, None, None, None)
        late = TransientError(f"no answer from {host} within {timeout:g} s (see --timeout)")
        started = time.monotonic()
        environment["stream"] = True  # the body is read against a deadline, below
        try:
            with session.send(request, timeout=timeout, **environment) as response:
                # The socket timeout only bounds each read; a server trickling bytes would
                # never trip it, so the whole answer has a deadline, checked after every
                # read (read1 returns whatever one read brings).
                body = bytearray()
                while chunk := response.raw.read1(65536, decode_content=True):
                    body += chunk
                    if time.monotonic() - started > timeout:
                        raise late
        except (requests.Timeout, urllib3.exceptions.TimeoutError) as error:
            raise late from error
        except (requests.RequestException, urllib3.exceptions.HTTPError) as error:
            raise TransientError(f"cannot reach {host}: {_reason(error)}") from error
        if response.status_code == 200:
            return bytes(body)
        message = (
            f"{host} answered {response.status_code} {response.reason or ''}"
            f"{_probable_cause(response.status_code)}"
        )
        if response.status_code in RETRY_STATUSES:
            retry_after = _retry_after(response.headers.get("Retry-After"))
            raise TransientError(message, retry_after, status=response.status_code)
        raise SynthesisError(f"{message}; {OFFLINE_HINT}")


class TransientError(SynthesisError):
    """A failure that may pass: a timeout, a refused connection, 429, a 5xx, damaged audio."""

    def __init__(
        self, message: str, retry_after: float | None = None, status: int | None = None
    ) -> None:
        super().__init__(message)
        self.retry_after = retry_after
        self.status = status


def _backoff(attempt: int) -> float:
    """Exponential backoff with full jitter: up to 0.5 s, 1 s, 2 s... (capped at 8 s)."""
    return random.uniform(0, min(BACKOFF_CAP_S, BACKOFF_BASE_S * 2**attempt))  # noqa: S311


def _retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header (seconds or an HTTP date), capped."""
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        seconds = when.timestamp() - time.time()
    return max(0.0, min(seconds, RETRY_AFTER_CAP_S))


def extract_audio(body: bytes) -> bytes:
    """The MP3 inside a batchexecute answer; an answer without valid audio is an error."""
    match = _AUDIO.search(body)
    if match is None:
        raise TransientError("the text-to-speech service answered without any audio")
    try:
        return base64.b64decode(match.group(1), validate=True)
    except (binascii.Error, ValueError) as error:
        raise TransientError("the text-to-speech service answered with damaged audio") from error


def decode_mp3(data: bytes) -> Clip:
    """Decode one MP3 answer in process (libsndfile); undecodable audio is an error."""
    import soundfile

    from letteraudio.mp3frames import walk

    if not data:
        raise TransientError("the text-to-speech service returned empty audio")
    if walk(data).truncated:
        raise TransientError("the text-to-speech service returned audio that was cut short")
    try:
        samples, rate = soundfile.read(io.BytesIO(data), dtype="int16", always_2d=True)
    except (soundfile.LibsndfileError, RuntimeError, ValueError) as error:
        raise TransientError("the text-to-speech service returned audio that is not MP3") from error
    if len(samples) == 0:
        raise TransientError("the text-to-speech service returned audio that decodes to nothing")
    mono = samples.mean(axis=1).astype(np.int16) if samples.shape[1] > 1 else samples[:, 0]
    return Clip(np.ascontiguousarray(mono), int(rate))


def time_stretch(clip: Clip, speed: float) -> Clip:
    """``clip`` played ``speed`` times as fast at the same pitch (Rubber Band, via pedalboard)."""
    if speed == 1.0 or len(clip.samples) == 0:
        return clip
    from pedalboard import time_stretch as stretch

    audio = (clip.samples.astype(np.float32) / 32768.0)[np.newaxis, :]
    faster = stretch(audio, float(clip.sample_rate), stretch_factor=speed)[0]
    samples = np.clip(np.round(faster * 32768.0), -32768, 32767).astype(np.int16)
    return Clip(samples, clip.sample_rate)


def _probable_cause(status: int) -> str:
    if status == 429:
        return " (too many requests: Google is rate-limiting; wait and try again)"
    if status == 403:
        return " (refused: Google may have changed its API)"
    if status >= 500:
        return " (a server error at Google; try again later)"
    return ""


def _reason(error: Exception) -> str:
    """The innermost cause of a requests error, without urllib3's object reprs."""
    while error.__cause__ is not None or (error.args and isinstance(error.args[0], Exception)):
        inner = error.__cause__ or error.args[0]
        if not isinstance(inner, Exception):
            break
        error = inner
    text = str(error.args[-1] if error.args else error)
    return re.sub(r"<[^>]*object at 0x[0-9a-f]+>:?\s*", "", text).strip() or type(error).__name__
