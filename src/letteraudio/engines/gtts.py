"""gTTS: Google Translate's online voice, through the gtts package.

It needs the network. Every request carries an explicit timeout (gTTS waits
forever by default). ``LETTERAUDIO_GTTS_URL`` points the engine at another
endpoint that speaks the same protocol (a proxy, or a local test server).
"""

from __future__ import annotations

import importlib.util
import io
import os
import socket
import threading
from typing import ClassVar
from urllib.parse import urlsplit

import numpy as np

from letteraudio.engines import Clip, EngineSettings
from letteraudio.errors import EngineUnavailable, SynthesisError

ENDPOINT_VARIABLE = "LETTERAUDIO_GTTS_URL"
OFFLINE_HINT = "the default engine (piper) speaks offline: leave out --engine gtts"


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


class GttsEngine:
    """Google Translate's text-to-speech voice (online)."""

    name: ClassVar[str] = "gtts"
    description: ClassVar[str] = "Google Translate voice, online (--lang, --tld, --slow)"
    online: ClassVar[bool] = True
    max_chars: ClassVar[int] = 100
    chars_per_second: ClassVar[float] = 14.0

    @classmethod
    def unavailable_reason(cls) -> str | None:
        if importlib.util.find_spec("gtts") is None:
            return "the gtts package is not installed (pip install gtts)"
        host = urlsplit(endpoint_override() or "https://translate.google.com").hostname or ""
        if not host_resolves(host):
            return f"cannot resolve {host}: no network? ({OFFLINE_HINT})"
        return None

    def __init__(self, settings: EngineSettings) -> None:
        from gtts.lang import tts_langs

        languages = tts_langs()
        if settings.lang not in languages:
            choices = ", ".join(sorted(languages))
            raise EngineUnavailable(
                f"gtts has no language {settings.lang!r} (choose from: {choices})"
            )
        if settings.voice is not None:
            raise EngineUnavailable("gtts has no voices to choose: use --lang and --tld instead")
        self.settings = settings
        _install_endpoint_override()

    def synthesize(self, text: str) -> Clip:
        from gtts import gTTS, gTTSError

        tts = gTTS(
            text,
            lang=self.settings.lang,
            tld=self.settings.tld,
            slow=self.settings.slow,
            lang_check=False,
            timeout=self.settings.timeout,
        )
        try:
            mp3 = b"".join(tts.stream())
        except gTTSError as error:
            raise SynthesisError(
                f"Google text-to-speech failed: {error} ({OFFLINE_HINT})"
            ) from error
        return decode_mp3(mp3)


def decode_mp3(data: bytes) -> Clip:
    """Decode one MP3 answer in process (libsndfile); undecodable audio is an error."""
    import soundfile

    if not data:
        raise SynthesisError("the text-to-speech service returned no audio")
    try:
        samples, rate = soundfile.read(io.BytesIO(data), dtype="int16", always_2d=True)
    except (soundfile.LibsndfileError, RuntimeError, ValueError) as error:
        raise SynthesisError(
            f"the text-to-speech service returned audio that does not decode: {error}"
        ) from error
    if len(samples) == 0:
        raise SynthesisError("the text-to-speech service returned audio that decodes to nothing")
    mono = samples.mean(axis=1).astype(np.int16) if samples.shape[1] > 1 else samples[:, 0]
    return Clip(np.ascontiguousarray(mono), int(rate))


def _install_endpoint_override() -> None:
    """Send gTTS's requests to ``LETTERAUDIO_GTTS_URL`` when it is set."""
    url = endpoint_override()
    if url is None:
        return
    import gtts.tts

    def translate_url(tld: str = "com", path: str = "") -> str:
        return url

    gtts.tts._translate_url = translate_url
