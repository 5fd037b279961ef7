"""hibari: a small offline neural voice (``hibari-tts``), distilled from Kokoro-82M.

The voice ``heart`` (American English, female) ships inside the ``hibari-tts`` wheel;
hibari's other voices are used only when they are already on disk, in hibari's own
cache folder or in ``--voices-dir``: letteraudio never downloads a voice. The model is
loaded once per process and shared by every engine and worker thread; hibari is
imported only when a segment is spoken, so listings and dry runs never load
onnxruntime.

Word times come from the model itself: it rounds each phoneme's duration to whole units
of 600 samples (25 ms) before it expands them into frames, in a node whose output
(``/Clip_output_0``) the prepared graph also returns (patched in the model's bytes, as
Piper's is, and kept in the cache). The units between the spaces
of a sentence's phonemes are its words' lengths, scaled to the stretched audio, and the
words are found in them as Piper's are (:mod:`letteraudio.engines.wordtimes`).

Speed is not hibari's own ``speed`` input: measured on the seed, its effect on the
length is uneven (1.25 gives 13 % less time, 1.35 gives 34 %). The model runs at its
teacher's pace and the frame-level spectra it predicts (12.5 ms frames) are
resampled in time before they become sound, which changes the length by exactly the
asked factor and keeps the pitch.
"""

from __future__ import annotations

import importlib.util
import json
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np
import numpy.typing as npt

from letteraudio.engines import BaseEngine, EngineSettings, Voice, model_pieces, prepared
from letteraudio.engines.wordtimes import snapped
from letteraudio.errors import EngineUnavailable
from letteraudio.languages import speaks
from letteraudio.values import Clip, empty_clip

if TYPE_CHECKING:
    from hibari import Hibari

    from letteraudio.engines.wordtimes import WordTime

BUNDLED_VOICE = "heart"
PACKAGE = "hibari-tts"
SAMPLE_RATE = 24_000
PACE = 0.82
"""The default pace, relative to the teacher's: ``--speed`` multiplies it. Measured on the
seed and the voice benchmark's text (``benchmarks/voices.py``): see the README's Voices."""
SEED = 0
"""The noise seed of ``--deterministic``."""
LICENCE = "Apache-2.0"
DURATIONS = "/Clip_output_0"
"""The graph's tensor of phoneme lengths (one per id, pads included), in UNIT samples."""
UNIT = 600
LEAD_UNITS = 2
"""The sound of a phoneme starts about two units before the model's boundary says (the
vocoder's frames overlap and each sound is anticipated): measured on the seed, every word
after a pause was timed late, by 61 ms at the median (``benchmarks/word_timing.py``)."""
MODEL_CHARS = 200
"""The most text one call of the model speaks (see :func:`~letteraudio.engines.model_pieces`):
the model and its vocoder hold every frame of what one call says, so a long sentence was one
call of up to 600 characters. Peak RSS of a render (``--no-cache``, one process each): the
seed 444 -> 380 MB, a 3,000-character paragraph of clauses 516 -> 420 MB (a two-line text
240 MB). Only sentences over 200 characters are cut, at their clauses: 4 of the seed's 15
(at 150, 400 MB but 7 cut; at 100, 374 MB but 11 cut, each piece ending as a sentence
does)."""
OUTPUTS = ["lh", "theta", "ln", "lr", "phi", "f0"]


@dataclass(frozen=True)
class HibariVoice:
    """One voice of hibari's registry (its ``voices.json``)."""

    name: str
    language: str
    gender: str
    file: str
    bundled: bool


def registry() -> dict[str, HibariVoice]:
    """hibari's voices, read from the file in its package (without importing hibari)."""
    spec = importlib.util.find_spec("hibari")
    if spec is None or not spec.submodule_search_locations:
        return {}
    path = Path(next(iter(spec.submodule_search_locations))) / "assets" / "voices.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return {
            str(name): HibariVoice(
                str(name),
                str(v["language"]),
                str(v["gender"]),
                str(v["file"]),
                bool(v.get("bundled")),
            )
            for name, v in data.items()
        }
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
        raise EngineUnavailable(f"cannot read hibari's voice list {path}: {error}") from error


def hibari_cache() -> Path:
    """Where hibari keeps the voices it downloaded (``HIBARI_HOME``, else the user cache)."""
    from hibari.voices import cache_dir

    return Path(cache_dir())


def bundled_model() -> Path:
    spec = importlib.util.find_spec("hibari")
    if spec is None or not spec.submodule_search_locations:
        raise EngineUnavailable(f"the {PACKAGE} package is not installed (pip install {PACKAGE})")
    return Path(next(iter(spec.submodule_search_locations))) / "assets" / "hibari.onnx"


def voice_file(voice: HibariVoice, voices_dir: Path | None) -> Path | None:
    """The model of ``voice`` on this machine, or None when it is not here."""
    if voice.bundled:
        return bundled_model()
    for folder in (voices_dir, hibari_cache()):
        if folder is not None and (folder / voice.file).is_file():
            return folder / voice.file
    return None


def how_to_get(voice: HibariVoice, voices_dir: Path | None) -> str:
    where = f"{voices_dir} (--voices-dir) or " if voices_dir else ""
    return (
        f"the hibari voice {voice.name!r} is not on this machine and letteraudio never "
        f"downloads voices: fetch it once with hibari's own command "
        f"(hibari 'Hello.' --voice {voice.name} -o /dev/null), or put {voice.file} in "
        f"{where}{hibari_cache()}"
    )


class HibariEngine(BaseEngine):
    """Offline neural text-to-speech with hibari."""

    name: ClassVar[str] = "hibari"
    description: ClassVar[str] = "hibari neural voice, offline (bundled: heart, American English)"
    online: ClassVar[bool] = False
    max_chars: ClassVar[int] = 600
    chars_per_second: ClassVar[float] = 14.8  # the seed at the default pace
    takes: ClassVar[frozenset[str]] = frozenset(
        {"voice", "lang", "speed", "speaker", "voices_dir", "deterministic"}
    )
    """``speaker`` is taken to be refused with a word on why (its voices have one each)."""
    word_timing: ClassVar[str | None] = "model"
    packages: ClassVar[tuple[str, ...]] = ("hibari-tts", "onnxruntime")
    """Each clip says where its words are (the model's phoneme lengths, marked as an output
    of its graph: see :func:`timed_model`)."""
    phoneme_alphabet: ClassVar[str | None] = "misaki"
    """Lexicon entries may give ``misaki = "..."``: phonemes in hibari's (misaki's) alphabet."""

    @classmethod
    def unavailable_reason(cls) -> str | None:
        if importlib.util.find_spec("hibari") is None:
            return f"the {PACKAGE} package is not installed (pip install {PACKAGE})"
        return None

    @classmethod
    def voices(cls, settings: EngineSettings) -> list[Voice]:
        """The bundled voice, then hibari's other voices that are on this machine."""
        listed = []
        for voice in registry().values():
            path = voice_file(voice, settings.voices_dir)
            if path is None:
                continue
            source = f"bundled ({PACKAGE})" if voice.bundled else str(path)
            listed.append(
                Voice(voice.name, voice.language, "medium", source, gender=voice.gender,
                      licence=LICENCE)
            )  # fmt: skip
        return listed

    def __init__(self, settings: EngineSettings) -> None:
        problem = self.unavailable_reason()
        if problem:
            raise EngineUnavailable(f"the hibari engine cannot run here: {problem}")
        voices = registry()
        if settings.voice is None:
            wanted = [
                v for v in voices.values() if settings.lang and speaks(v.language, settings.lang)
            ]
            here = [v for v in wanted if voice_file(v, settings.voices_dir) is not None]
            if settings.lang and not wanted:
                raise EngineUnavailable(
                    f"hibari speaks English only, not {settings.lang}: "
                    "use --engine espeak or gtts for that language"
                )
            if settings.lang and not here:
                raise EngineUnavailable(how_to_get(wanted[0], settings.voices_dir))
            chosen = ([v for v in here if v.bundled] or here or [voices[BUNDLED_VOICE]])[0]
        elif settings.voice in voices:
            chosen = voices[settings.voice]
            if settings.lang and not speaks(chosen.language, settings.lang):
                raise EngineUnavailable(
                    f"the hibari voice {chosen.name} speaks {chosen.language}, not {settings.lang}"
                )
        else:
            piper = (
                " (a Piper voice file: add --engine piper)"
                if settings.voice.endswith(".onnx")
                else ""
            )
            raise EngineUnavailable(
                f"hibari has no voice {settings.voice!r} (choose from: {', '.join(voices)})" + piper
            )
        model = voice_file(chosen, settings.voices_dir)
        if model is None:
            raise EngineUnavailable(how_to_get(chosen, settings.voices_dir))
        if settings.speaker is not None:
            raise EngineUnavailable(
                f"the hibari voice {chosen.name} has a single speaker: leave out --speaker"
            )
        self.voice = chosen
        self.model = model
        self.cache_dir = settings.cache_dir
        self.stretch = 1 / (PACE * settings.speed)
        self.deterministic = settings.deterministic
        # One shared model; each call runs on one core (hibari's signal processing is
        # single-threaded numpy), so as many calls at once as there are cores. Measured on
        # the 9.4 KB benchmark text, 2 cores: 10.3 s with two against 13.5 s with one, the
        # same CPU time, 50 MB more memory.
        self.jobs = settings.jobs or max(1, os.cpu_count() or 1)
        stat = model.stat()
        self._identity = {
            "engine": self.name,
            "voice": chosen.name,
            "model": str(model.resolve()),
            "model_size": stat.st_size,
            "model_mtime": stat.st_mtime_ns,
            "hibari": _version(),
            "stretch": round(self.stretch, 6),
            "deterministic": self.deterministic,
        }

    def identity(self) -> dict[str, Any]:
        return self._identity

    def synthesize(self, text: str) -> Clip:
        return self._synthesize(text, SEED if self.deterministic else None)

    def synthesize_variant(self, text: str, attempt: int) -> Clip:
        """``text`` spoken with another noise seed (``render --verify`` speaks a sentence
        the recognizer did not hear right again): the same for the same attempt."""
        return self._synthesize(text, SEED + attempt)

    def _synthesize(self, text: str, seed: int | None) -> Clip:
        tts = loaded(self.voice.name, self.model, self.cache_dir)
        with _G2P_LOCK:  # hibari's G2P keeps caches: one thread at a time
            pieces = model_pieces(text, MODEL_CHARS)
            sentences = [sentence for piece in pieces for sentence in tts.phonemize(piece)]
        rng = np.random.default_rng(seed)
        timed = DURATIONS in {output.name for output in tts.sess.get_outputs()}
        parts = [self._speak(tts, phonemes, rng, timed) for phonemes in sentences]
        parts = closer([part for part in parts if len(part[0])])
        if not parts:
            return empty_clip(SAMPLE_RATE)
        audio = np.concatenate([part[0] for part in parts])
        samples = np.clip(np.round(audio * 32767.0), -32768, 32767).astype(np.int16)
        words = self._word_times(tts, text, parts) if timed else None
        if words is not None:
            words = snapped(samples, SAMPLE_RATE, words)
        return Clip(samples, SAMPLE_RATE, None if words is None else tuple(words))

    def _speak(
        self, tts: Hibari, phonemes: str, rng: np.random.Generator, timed: bool
    ) -> tuple[npt.NDArray[np.float32], list[str], list[int]]:
        """One sentence's audio, with its phonemes and the samples each lasts (when timed)."""
        from hibari import dsp

        ids = tts.ids(phonemes)
        if len(ids) < 3:
            return np.zeros(0, np.float32), [], []
        names = [*OUTPUTS, DURATIONS] if timed else OUTPUTS
        outputs = tts.sess.run(
            names, {"ids": np.asarray([ids], np.int64), "speed": np.asarray([1.0], np.float32)}
        )
        lh, th, ln, lr, phi, f0 = (np.asarray(o[0]) for o in outputs[: len(OUTPUTS)])
        if self.stretch != 1.0:
            lh, th, ln, lr, phi, f0 = stretch_frames((lh, th, ln, lr, phi, f0), self.stretch)
        audio: npt.NDArray[np.float32] = dsp.synth(lh, th, ln, lr, phi, f0, rng)
        if not timed:
            return audio, [], []
        spoken = ["^", *[c for c in phonemes if c in tts.vocab], "$"]  # ids() pads both ends
        return audio, spoken, phoneme_lengths(np.asarray(outputs[-1]), len(audio))

    def _word_times(
        self,
        tts: Hibari,
        text: str,
        parts: list[tuple[npt.NDArray[np.float32], list[str], list[int]]],
    ) -> list[WordTime] | None:
        """Each word of ``text``'s samples, found in the sentences' phoneme lengths."""
        from letteraudio.engines.wordtimes import word_times

        sentence = [p for part in parts for p in part[1]]
        lengths = [n for part in parts for n in part[2]]
        if len(sentence) != len(lengths):
            return None  # the model gave a length per id: a graph that does not is not used
        with _G2P_LOCK:
            words = [list(tts.g2p(word)) for word in text.split()]
        return word_times(sentence, lengths, words)


JOIN_KEEP_SECONDS = (0.2, 0.05)
"""Silence kept after a piece's speech and before the next one's where one segment was
spoken in several calls (see :data:`MODEL_CHARS`): each call begins with about 0.4 s of
silence and ends with about 0.6 s, which joined would pause a second mid-sentence, longer
than between paragraphs; kept, it is a clause's pause."""
SILENT_AMPLITUDE = 10 ** (-50 / 20)
"""Below -50 dBFS: silence, as the stitcher trims it (``audio.stitch``)."""


def closer(
    parts: list[tuple[npt.NDArray[np.float32], list[str], list[int]]],
) -> list[tuple[npt.NDArray[np.float32], list[str], list[int]]]:
    """Parts of one segment with the silence where they meet cut to :data:`JOIN_KEEP_SECONDS`
    (the segment's own first and last silences stay as they are), their phoneme lengths
    (when timed) shortened by what was cut from each end."""
    after, before = (round(keep * SAMPLE_RATE) for keep in JOIN_KEEP_SECONDS)
    kept = []
    for number, (audio, spoken, lengths) in enumerate(parts):
        loud = np.flatnonzero(np.abs(audio) > SILENT_AMPLITUDE)
        if not len(loud):
            kept.append((audio, spoken, lengths))
            continue
        start = 0 if number == 0 else max(0, int(loud[0]) - before)
        end = len(audio) if number == len(parts) - 1 else min(len(audio), int(loud[-1]) + after)
        if lengths:
            lengths = _shortened(_shortened(lengths, start)[::-1], len(audio) - end)[::-1]
        kept.append((audio[start:end], spoken, lengths))
    return kept


def _shortened(lengths: list[int], cut: int) -> list[int]:
    """``lengths`` less ``cut`` samples taken from the first ones."""
    out = list(lengths)
    for index, length in enumerate(out):
        taken = min(length, cut)
        out[index], cut = length - taken, cut - taken
        if not cut:
            break
    return out


def phoneme_lengths(units: npt.NDArray[Any], samples: int) -> list[int]:
    """The samples each phoneme lasts in audio of ``samples``: the model's lengths (in
    units of 600 samples before the frames are stretched) scaled to the audio, every
    boundary moved LEAD_UNITS earlier, rounded so that they add up to it exactly."""
    units = np.asarray(units, dtype=np.float64).reshape(-1)
    total = float(units.sum())
    if total <= 0:
        return [0] * len(units)
    ends = np.cumsum(units) - LEAD_UNITS
    ends[-1] = total
    ends = np.round(np.clip(ends, 0, total) * (samples / total)).astype(np.int64)
    return [int(n) for n in np.diff(ends, prepend=0)]


def stretch_frames(
    frames: tuple[npt.NDArray[np.float32], ...], factor: float
) -> tuple[npt.NDArray[np.float32], ...]:
    """hibari's frame tracks (spectra ``[bins, F]`` and the pitch ``[F]``) resampled to
    ``round(F * factor)`` frames by linear interpolation; the free phase is interpolated
    as a unit vector, so it never jumps where it wraps."""
    lh, th, ln, lr, phi, f0 = frames
    count = lh.shape[1]
    wanted = max(1, round(count * factor))
    if wanted == count or count < 2:
        return frames
    position = np.linspace(0, count - 1, wanted)
    low = np.minimum(position.astype(np.int64), count - 2)
    weight = (position - low).astype(np.float32)

    def along(track: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
        result = track[..., low] * (1 - weight) + track[..., low + 1] * weight
        return np.ascontiguousarray(result, dtype=np.float32)

    phase = np.angle(along(np.cos(phi)) + 1j * along(np.sin(phi))).astype(np.float32)
    return along(lh), along(th), along(ln), along(lr), phase, along(f0)


_G2P_LOCK = threading.Lock()
_LOADING = threading.Lock()
_LOADED: dict[Path, Hibari] = {}


def loaded(voice: str, model: Path, cache_dir: Path | None = None) -> Hibari:
    """The process's one loaded model for ``model`` (one onnxruntime session, one thread:
    a single-threaded session has no thread pool, so nothing spins while it waits).

    With a cache, the graph comes already optimized for this machine and the G2P's
    lexicons from copies that load faster (see :func:`prepared_model`, :func:`_g2p`)."""
    with _LOADING:
        tts = _LOADED.get(model)
        if tts is None:
            try:
                from hibari import Hibari

                g2p = _g2p(voice, cache_dir)
                source = prepared_model(model, cache_dir)
                try:
                    tts = Hibari(voice=voice, model=_loadable(source), threads=1, g2p=g2p)
                except Exception:
                    if source == model:
                        raise
                    if isinstance(source, Path):
                        source.unlink(missing_ok=True)  # made again next time
                    tts = Hibari(voice=voice, model=str(model), threads=1, g2p=g2p)
            except Exception as error:
                raise EngineUnavailable(f"cannot load the hibari voice {model}: {error}") from error
            _LOADED[model] = tts
        return tts


def prepared_model(model: Path, cache_dir: Path | None) -> Path | bytes:
    """``model`` with its phoneme lengths as an extra output (see :func:`timed_model`) and
    its graph optimized by onnxruntime for this machine, kept in the cache (made once,
    atomically); without a cache, or when that fails, the patched graph in memory (or
    ``model`` itself, when it cannot be patched).

    onnxruntime optimizes a graph every time it loads it: the bundled voice loads in
    0.02-0.035 s from the optimized copy instead of 0.075-0.09 s, and speaks the same
    samples (checked on ``--deterministic`` output)."""
    source = timed_model(model)
    if cache_dir is None:
        return source
    folder, stem = cache_dir / "models", f"hibari-{_machine_key(model, source != model)}"
    found = prepared.find(folder, stem)  # only a file whose bytes match its name
    if found is not None:
        return found
    try:
        import onnxruntime

        prepared.private_folder(folder)
        partial = folder / f".{stem}.onnx.{os.getpid()}.tmp"
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = options.inter_op_num_threads = 1
        options.log_severity_level = 3
        options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.optimized_model_filepath = str(partial)
        onnxruntime.InferenceSession(_loadable(source), options, providers=["CPUExecutionProvider"])
        return prepared.keep(partial, folder, stem)
    except Exception:  # noqa: BLE001 (the graph in memory still works)
        return source


_TIMED: dict[Path, bytes] = {}
_PATCHING = threading.Lock()


def timed_model(model: Path) -> Path | bytes:
    """The model with its phoneme lengths (``/Clip_output_0``, the rounded durations before
    the frames are expanded) marked as a graph output, patched in its bytes (as Piper's
    are: :mod:`letteraudio.engines.alignment`) once per process; ``model`` itself when its
    graph has no such tensor (another export): those voices keep sentence timing."""
    from letteraudio.engines.alignment import with_output

    with _PATCHING:
        if model not in _TIMED:
            data = model.read_bytes()
            try:
                patched = with_output(data, DURATIONS.encode())
            except ValueError:
                return model
            _TIMED[model] = data if patched is None else patched
        return _TIMED[model]


def _loadable(source: Path | bytes) -> str | bytes:
    return source if isinstance(source, bytes) else str(source)


def _machine_key(model: Path, timed: bool = False) -> str:
    """What an optimized graph depends on: the model file, onnxruntime, the CPU, the patch."""
    import hashlib
    import platform

    import onnxruntime

    stat = model.stat()
    try:
        flags = [line for line in Path("/proc/cpuinfo").read_text().splitlines()
                 if line.startswith("flags")][:1]  # fmt: skip
    except OSError:
        flags = [platform.processor()]
    key = f"{model.resolve()}|{stat.st_size}|{stat.st_mtime_ns}|{onnxruntime.__version__}|"
    key += f"{platform.machine()}|{''.join(flags)}" + ("|timed" if timed else "")
    return hashlib.sha256(key.encode()).hexdigest()[:24]


def _g2p(voice: str, cache_dir: Path | None) -> Any:
    """hibari's G2P for ``voice``, its JSON lexicons read from marshal copies in the cache.

    hibari parses about 11 MB of gzipped JSON each time a process loads its G2P (0.25-0.35
    s); the same data from marshal copies loads in about 0.12 s. The copies are named by
    the asset's size and time and by Python's marshal version, and made again when they do
    not read. Without a cache (or when hibari reads its assets another way) it is built
    as hibari builds it."""
    import marshal
    import sys

    from hibari import g2p as module
    from hibari.voices import VOICES

    british = bool(VOICES[voice].get("british", False)) if voice in VOICES else False
    reader = getattr(module, "_load_json", None)
    assets = getattr(module, "ASSETS", None)
    if cache_dir is None or reader is None or assets is None:
        return module.G2P(british=british)
    version = f"py{sys.version_info[0]}{sys.version_info[1]}m{marshal.version}"

    def load(name: str) -> Any:
        source = Path(assets) / name
        stat = source.stat()
        copy = (
            cache_dir
            / "models"
            / f"hibari-{name}-{stat.st_size}-{stat.st_mtime_ns}-{version}.marshal"
        )
        try:
            return marshal.loads(copy.read_bytes())  # noqa: S302 (our own file, private folder)
        except (OSError, EOFError, ValueError, TypeError):
            pass
        data = reader(name)
        try:
            prepared.private_folder(copy.parent)
            partial = copy.with_name(f".{copy.name}.{os.getpid()}.tmp")
            partial.write_bytes(marshal.dumps(data))
            partial.replace(copy)
        except (OSError, ValueError):
            pass
        return data

    module._load_json = load  # only while the G2P is built, under _LOADING
    try:
        return module.G2P(british=british)
    finally:
        module._load_json = reader


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(PACKAGE)
    except PackageNotFoundError:
        return "unknown"
