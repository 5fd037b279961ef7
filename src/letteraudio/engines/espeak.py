"""eSpeak NG: the system's small formant synthesizer, offline, in over a hundred languages.

The ``espeak-ng`` program (``apt-get install espeak-ng``) runs once per segment as a
subprocess with an argument list (never a shell); the text goes in on standard input,
so nothing in it can be read as an option, and the WAV it writes to standard output is
decoded here. The engine keeps no state that changes after it is built, so threads can
share one instance.
"""

from __future__ import annotations

import os
import re
import shutil
import struct
import subprocess
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from letteraudio.engines import BaseEngine, EngineSettings, Voice
from letteraudio.errors import EngineUnavailable, SynthesisError
from letteraudio.languages import language_tag, speaks
from letteraudio.values import Clip, empty_clip

PROGRAM = "espeak-ng"
INSTALL_HINT = "apt-get install espeak-ng"
DEFAULT_VOICE = "en-us"
WORDS_PER_MINUTE = 175
"""espeak-ng's own default rate; ``--speed`` scales it."""
SAMPLE_RATE = 22_050
TIMEOUT_S = 120.0
_OTHER = re.compile(r"\(([^\s()]+) (\d+)\)")


@dataclass(frozen=True)
class EspeakVoice:
    """One line of ``espeak-ng --voices``."""

    language: str
    name: str
    gender: str
    file: str
    other_languages: dict[str, int]
    """Further languages it speaks, each with its priority (lower is preferred)."""


def program() -> str | None:
    """Path to ``espeak-ng``, or None when it is not installed."""
    return shutil.which(PROGRAM)


def list_voices(binary: str) -> list[EspeakVoice]:
    """Every voice ``espeak-ng --voices`` lists (MBROLA voices need more than espeak-ng)."""
    try:
        result = subprocess.run([binary, "--voices"], capture_output=True, timeout=30, check=True)
    except (OSError, subprocess.SubprocessError) as error:
        raise EngineUnavailable(f"cannot list the voices of {binary}: {error}") from error
    voices = []
    for line in result.stdout.decode("utf-8", "replace").splitlines()[1:]:
        fields = line.split()
        if len(fields) < 5 or fields[4].startswith("mb/"):
            continue
        rest = line.split(f" {fields[4]}", 1)[-1]
        others = {code: int(priority) for code, priority in _OTHER.findall(rest)}
        gender = fields[2].split("/")[-1]
        voices.append(
            EspeakVoice(fields[1], fields[3].replace("_", " "), gender, fields[4], others)
        )
    return voices


def choose_voice(voices: list[EspeakVoice], voice: str | None, lang: str | None) -> str:
    """The ``-v`` argument for ``--voice`` and ``--lang``; unknown ones list the choices."""
    ids = {v.language for v in voices}
    if voice is not None:
        if voice not in ids:
            raise EngineUnavailable(
                f"espeak-ng has no voice {voice!r} (see: letteraudio voices --engine espeak)"
            )
        if lang is not None and not speaks(voice, lang):
            raise EngineUnavailable(f"the espeak-ng voice {voice} does not speak {lang}")
        return voice
    if lang is None:
        return DEFAULT_VOICE if DEFAULT_VOICE in ids else sorted(ids)[0]
    wanted = _code(lang)
    if wanted in ids:
        return wanted
    if speaks(DEFAULT_VOICE, wanted):
        return DEFAULT_VOICE  # "en" is American English, as without --lang
    speakers = [v for v in voices if wanted in v.other_languages]  # "zh" finds cmn
    if speakers:
        return min(speakers, key=lambda v: v.other_languages[wanted]).language
    for candidate in voices:
        if candidate.language.startswith(f"{wanted}-"):
            return candidate.language
    raise EngineUnavailable(
        f"espeak-ng has no voice for language {lang!r} (choose from: {', '.join(sorted(ids))})"
    )


def _code(lang: str) -> str:
    return language_tag(lang)


def decode_wav(data: bytes) -> Clip:
    """Mono 16-bit PCM from the WAV espeak-ng writes to a pipe (whose sizes are placeholders)."""
    if len(data) < 12 or data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise SynthesisError("espeak-ng wrote something that is not WAV audio")
    position, rate, channels, bits = 12, None, 1, 16
    while position + 8 <= len(data):
        chunk, size = data[position : position + 4], struct.unpack_from("<I", data, position + 4)[0]
        body = position + 8
        if chunk == b"fmt ":
            _format, channels, rate, _rate, _align, bits = struct.unpack_from("<HHIIHH", data, body)
        elif chunk == b"data":
            if rate is None or bits != 16:
                raise SynthesisError("espeak-ng wrote WAV audio in an unexpected format")
            pcm = data[body : body + size]  # a streamed header claims far more than there is
            samples = np.frombuffer(pcm[: len(pcm) // (2 * channels) * 2 * channels], "<i2")
            if channels > 1:
                samples = samples.reshape(-1, channels).mean(axis=1).astype(np.int16)
            return Clip(np.ascontiguousarray(samples, dtype=np.int16), int(rate))
        position = body + size + (size & 1)
    raise SynthesisError("espeak-ng wrote WAV audio without any data")


class EspeakEngine(BaseEngine):
    """eSpeak NG through the system ``espeak-ng`` program (offline)."""

    name: ClassVar[str] = "espeak"
    description: ClassVar[str] = "eSpeak NG, offline, many languages (system espeak-ng; --lang)"
    online: ClassVar[bool] = False
    word_timing: ClassVar[str | None] = "aligned"
    """Its words are found in its audio with the ``align`` extra (English), else sentence timing."""
    max_chars: ClassVar[int] = 600
    chars_per_second: ClassVar[float] = 15.0

    @classmethod
    def unavailable_reason(cls) -> str | None:
        if program() is None:
            return f"the {PROGRAM} program is not installed ({INSTALL_HINT})"
        return None

    @classmethod
    def voices(cls, settings: EngineSettings) -> list[Voice]:
        binary = program()
        if binary is None:
            return []
        return [
            Voice(v.language, v.language, "formant", f"system ({v.file})", v.name)
            for v in list_voices(binary)
        ]

    def __init__(self, settings: EngineSettings) -> None:
        binary = program()
        if binary is None:
            raise EngineUnavailable(
                f"the espeak engine needs the {PROGRAM} program ({INSTALL_HINT})"
            )
        self.binary = binary
        self.voice = choose_voice(list_voices(binary), settings.voice, settings.lang)
        self.words_per_minute = round(WORDS_PER_MINUTE * settings.speed)
        self.jobs = settings.jobs or os.cpu_count() or 1
        """Segments it can speak at once: one espeak-ng process per core."""
        self._identity = {
            "engine": self.name,
            "voice": self.voice,
            "words_per_minute": self.words_per_minute,
            "version": _version(binary),
        }

    def identity(self) -> dict[str, Any]:
        return self._identity

    def synthesize(self, text: str) -> Clip:
        if not text.strip():
            return empty_clip(SAMPLE_RATE)
        command = [
            self.binary, "--stdin", "-b", "1", "-v", self.voice,
            "-s", str(self.words_per_minute), "--stdout",
        ]  # fmt: skip
        try:
            result = subprocess.run(
                command, input=text.encode("utf-8"), capture_output=True, timeout=TIMEOUT_S,
                check=False,
            )  # fmt: skip
        except subprocess.TimeoutExpired as error:
            raise SynthesisError(f"{PROGRAM} did not finish within {TIMEOUT_S:g} s") from error
        except OSError as error:
            raise SynthesisError(f"cannot run {PROGRAM}: {error}") from error
        if result.returncode != 0:
            reason = result.stderr.decode("utf-8", "replace").strip() or "no message"
            raise SynthesisError(f"{PROGRAM} failed (exit {result.returncode}): {reason}")
        return decode_wav(result.stdout)


def _version(binary: str) -> str:
    """``espeak-ng --version``'s first line: a new release may sound different."""
    try:
        result = subprocess.run([binary, "--version"], capture_output=True, timeout=30, check=True)
    except (OSError, subprocess.SubprocessError) as error:
        raise EngineUnavailable(f"cannot run {binary}: {error}") from error
    return result.stdout.decode("utf-8", "replace").split("  Data at")[0].strip()
