"""``letteraudio check --speech``: does the audio say the script? Offline, sentence by sentence.

Each sentence's stretch of the MP3 (its cue in the episode file) goes to pocketsphinx
(the ``align`` extra) twice: a phone recognizer, free to hear any sounds, and the
aligner, which must fit the expected words into the audio, in order, to the end. A
sentence passes when the aligner places every word and its path fits the sound (a
score per frame at least FIT), and the phones heard are close enough to the expected
words' pronunciations (their phone error rate, the score, at most THRESHOLD).

The phone error rate of a few phones is too noisy to judge a short sentence alone:
broken three-word headings (cut, reversed) stayed within its limit while clean ones
went over it, so below FEW phones (a heading, a title) the aligner's fit judges, at a
stricter score per frame (FIT_FEW), and only a rate above FEW_LIMIT fails. Every clip
is heard at the same level (PEAK), the mastered episode's as the engine's, and afresh
(the recognizer's cepstral mean reset), so ``render --verify`` and ``check --speech``
hear a sentence alike; the phone recognizer weighs its phone bigrams at PHONE_LW, not
at the words' 6.5 that made it hear one phone in clean "Next year" and fail it at 1.00.

Why not words: free word recognition of a clean render of a licence text missed 12 % of
the words at the median and over half of them in 2 sentences of 43 (hard words for its
language model, not for the voice). Measured on clean renders of the project's texts
and on sentences broken on purpose (another sentence's audio, the first half only, the
audio reversed; ``benchmarks/speech_check.py``), the phone error rate with the aligner's
verdict separates them best: see the README.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from letteraudio.engines.align import INSTALL, LANGUAGE, installed, known, pcm16k, tokens
from letteraudio.errors import EngineUnavailable, InputError
from letteraudio.languages import primary_language
from letteraudio.publish.episode import EPISODE_SUFFIX, EpisodeInfo, sidecar_path
from letteraudio.values import Clip, plural

THRESHOLD = 0.80
"""Highest phone error rate of a long sentence that passes; a short one may have more
(see :func:`threshold`)."""
FIT = -35.0
"""Lowest score per frame of the aligner's path through the expected words that passes
(the recognizer's log units: each frame scores against the best sound model for it, so
0 is a perfect fit). Clean sentences measured -9 to -26 (median -12), whatever their
length and pace; the short ones it misplaced, played backwards, -48 and -55
(``benchmarks/speech_check.py``)."""
FEW = 16
"""Fewer phones than this (two to four short words) and the phone error rate is too noisy
to judge alone (:func:`threshold`)."""
FEW_LIMIT = 2.0
"""The phone error rate that fails a sentence of fewer than FEW phones: twice as many edits
as phones expected (the recognizer heard something else, and much longer)."""
FIT_FEW = -30.0
"""The lowest score per frame that passes for fewer than FEW phones: broken short sentences
fit closer than long ones (fewer frames to misfit), cut ones -24 to -35, while clean ones
measured -10 to -28 (64 headings and titles spoken by hibari and joe)."""
MARGIN_MS = 60
"""Audio taken before and after a cue: its first and last sounds are never cut."""
PEAK = 0.25
"""The level a clip is heard at, its loudest sample's share of full scale (-12 dBFS): the
recognizer's features start from a mean measured on quieter speech, so a mastered
episode's loud sentence (peaks at -2 dBFS) fitted the words far worse than the same
sentence as the engine spoke it (hibari's peaks at -8 to -13 dBFS), and ``check --speech``
failed a heading ``render --verify`` had passed ("Arrival": -45 a frame, against -23)."""
PHONE_LW = 2.0
"""The phone recognizer's language weight: pocketsphinx's default (6.5, for words) let its
phone bigrams outweigh the sound, so it heard a few phones where there were many (clean
"Next year" as one phone, ``ER``: a score of 1.00); CMU's advice for phone decoding is 2."""
_FILLERS = {"SIL", "+NSN+", "+SPN+", "+BREATH+", "+COUGH+", "+NOISE+", "+UH+", "+UM+"}


@dataclass(frozen=True)
class Sentence:
    """One sentence as the check heard it."""

    start_ms: int
    end_ms: int
    expected: str
    score: float
    """Phone error rate: edits between the phones heard and those expected, per expected."""
    aligned: bool
    """Whether the aligner fitted every expected word into the audio, in order, to the
    end, at a score per frame of at least :func:`fit` (FIT, stricter for a few phones)."""
    phones: int = 100
    """How many phones were expected (a short sentence's rate is noisier)."""
    heard: str = ""
    """What a free recognizer heard (filled in for the sentences shown)."""

    @property
    def passed(self) -> bool:
        return self.aligned and self.score <= threshold(self.phones)

    @property
    def badness(self) -> float:
        """For ordering: a sentence the aligner could not follow comes first."""
        return self.score + (0.0 if self.aligned else 10.0)


@dataclass(frozen=True)
class SpeechReport:
    path: Path
    sentences: list[Sentence] = field(default_factory=list)
    note: str = ""
    """Why nothing was checked (a language the recognizer lacks), else empty."""

    @property
    def failed(self) -> list[Sentence]:
        return [s for s in self.sentences if not s.passed]

    @property
    def passed(self) -> bool:
        return not self.failed

    def worst(self, count: int) -> list[Sentence]:
        """The ``count`` sentences that agree least, failed or not, worst first."""
        return sorted(self.sentences, key=lambda s: -s.badness)[:count]

    def lines(self) -> list[str]:
        """How many sentences agree, then the worst few: time, score, expected, heard."""
        failed = self.failed
        lines = [
            f"{self.path}: {len(self.sentences) - len(failed)} of "
            f"{plural(len(self.sentences), 'sentence')} say the script (words aligned to the "
            f"end; phone error rate at most {THRESHOLD:.2f}, more for short sentences)"
        ]
        for s in self.worst(5 if failed else 3):
            seconds = s.start_ms // 1000
            lines += [
                f"{'FAIL' if not s.passed else 'ok  '} {seconds // 60:d}:{seconds % 60:02d} "
                f"score {s.score:.2f} (limit {threshold(s.phones):.2f})"
                + ("" if s.aligned else ", the words do not fit the audio in order"),
                f"     expected: {s.expected}",
                f"     heard:    {s.heard}",
            ]
        return lines

    def to_json(self) -> dict[str, Any]:
        return {
            "file": str(self.path),
            "passed": self.passed,
            "note": self.note,
            "threshold": THRESHOLD,
            "sentences": [
                {**asdict(s), "limit": round(threshold(s.phones), 3), "passed": s.passed}
                for s in self.sentences
            ],
        }


def threshold(phones: int) -> float:
    """The highest phone error rate that passes for a sentence of ``phones`` phones: the
    rate of a few phones varies more, so the limit falls with the square root of their
    count, to THRESHOLD at 100. Below FEW phones (a heading, a title: two to four words)
    the rate is noise (clean ones measured 0.2 to 1.2, cut ones as low as 0.5, and on 64
    headings it caught none the aligner's fit let pass): there the aligner's stricter fit
    (:func:`fit`) judges, and only a rate above FEW_LIMIT fails."""
    if phones < FEW:
        return FEW_LIMIT
    return THRESHOLD - 0.035 + 0.35 / math.sqrt(max(1, phones))


def fit(phones: int) -> float:
    """The lowest score per frame of the aligner's path that passes for a sentence of
    ``phones`` phones: FIT, or FIT_FEW below FEW phones."""
    return FIT_FEW if phones < FEW else FIT


def require_recognizer() -> None:
    """The recognizer must be installed: say how otherwise (exit 2 from the CLI)."""
    if not installed():
        raise EngineUnavailable(f"the speech check needs pocketsphinx: {INSTALL}")


def skipped(language: str | None) -> str:
    """Why a check in ``language`` is skipped (the recognizer knows English only), or ""."""
    if primary_language(language) == LANGUAGE:
        return ""
    return f"the recognizer has no model for {language}: speech check skipped"


def check_speech(
    path: Path,
    cues: Sequence[tuple[int, int, str]],
    language: str | None,
    show: int = 5,
) -> SpeechReport:
    """Check that each cue's audio says its expected text (start ms, end ms, text)."""
    require_recognizer()
    if note := skipped(language):
        return SpeechReport(path, note=note)
    samples, rate = decode(path)
    checker = Checker()
    sentences = []
    for start, end, text in cues:
        clip = _excerpt(samples, rate, start, end)
        score, aligned, phones = checker.score(clip, text)
        sentences.append(Sentence(start, end, text, score, aligned, phones))
    report = SpeechReport(path, sentences)
    shown = {id(s) for s in report.worst(show)}
    heard = [
        Sentence(**{**asdict(s), "heard": checker.recognize(_excerpt(samples, rate, s.start_ms,
                 s.end_ms))}) if id(s) in shown else s
        for s in sentences
    ]  # fmt: skip
    return SpeechReport(path, heard)


def speech_check(
    mp3: Path,
    article: Path | None,
    speech: bool,
    as_json: bool,
    spoken_of: Callable[[Path, str | None], list[str]],
    echo: Callable[..., Any],
) -> bool:
    """``check --speech``: check the episode ``mp3`` against the spoken text in its
    episode file (or ``article``'s, read by ``spoken_of``), print the worst sentences (or
    JSON) with ``echo``, and say whether every sentence passed."""
    if not speech:
        raise InputError("--text goes with --speech")
    require_recognizer()
    episode = sidecar_path(mp3, EPISODE_SUFFIX)
    if not episode.is_file():
        raise InputError(f"{mp3}: no {episode.name} beside it, where its sentences are timed")
    info = EpisodeInfo.from_json(episode.read_text(encoding="utf-8"), episode)
    if note := skipped(info.language):
        echo(f"Note: {note}", err=True)
        return True
    expected = [cue.spoken or cue.text for cue in info.cues]
    if article is not None:
        expected = spoken_of(article, info.language)
        if len(expected) != len(info.cues):
            raise InputError(
                f"{article} reads as {plural(len(expected), 'sentence')}, but {episode.name} "
                f"times {len(info.cues)}: not the article this episode was rendered from"
            )
    cues = [(c.start_ms, c.end_ms, said) for c, said in zip(info.cues, expected, strict=True)]
    report = check_speech(mp3, cues, info.language)
    if as_json:
        echo(json.dumps(report.to_json(), indent=2, ensure_ascii=False))
    else:
        echo("\n".join(report.lines()))
    return report.passed


def decode(path: Path) -> tuple[np.ndarray[Any, np.dtype[np.int16]], int]:
    """The file's audio as mono 16-bit samples and its rate (libsndfile reads MP3)."""
    import soundfile

    try:
        data, rate = soundfile.read(str(path), dtype="int16", always_2d=True)
    except (RuntimeError, soundfile.LibsndfileError) as error:
        raise InputError(f"{path}: cannot decode it ({error})") from error
    mono = data.mean(axis=1).astype(np.int16) if data.shape[1] > 1 else data[:, 0]
    return np.ascontiguousarray(mono), int(rate)


def _excerpt(samples: np.ndarray[Any, Any], rate: int, start_ms: int, end_ms: int) -> Clip:
    first = max(0, (start_ms - MARGIN_MS) * rate // 1000)
    last = min(len(samples), (end_ms + MARGIN_MS) * rate // 1000)
    return Clip(samples[first:last].copy(), rate)


class Checker:
    """The recognizer's three decoders, loaded once for a whole file."""

    def __init__(self) -> None:
        from pocketsphinx import Decoder, get_model_path

        self.aligner = Decoder(samprate=16_000, lm=None, loglevel="FATAL")
        self.phones = Decoder(
            samprate=16_000,
            lm=None,
            allphone=get_model_path("en-us/en-us-phone.lm.bin"),
            lw=PHONE_LW,
            loglevel="FATAL",
        )
        self._words: Any = None

    def score(self, clip: Clip, text: str) -> tuple[float, bool, int]:
        """The phone error rate of ``clip`` against ``text``, whether it aligns, and how
        many phones were expected."""
        said = [t for word in text.split() for t in tokens(word) if known(self.aligner, t)]
        if not said:
            return 0.0, True, 0  # nothing the recognizer could expect (symbols only)
        expected = [p for t in said for p in self.aligner.lookup_word(t).split()]
        pcm = pcm16k(leveled(clip))
        hyp = _decode(self.phones, pcm)
        heard = [p for p in (hyp.hypstr.split() if hyp else []) if p not in _FILLERS]
        self.aligner.set_align_text(" ".join(said))
        _decode(self.aligner, pcm)
        rate = edits(expected, heard) / len(expected)
        return rate, self._fits(len(said), len(expected)), len(expected)

    def _fits(self, words: int, phones: int) -> bool:
        """Whether the aligner placed all ``words`` expected words, in order, and they fit
        the sound well enough (its score per frame of their stretch at least
        :func:`fit` for ``phones`` phones)."""
        hyp = self.aligner.hyp()
        if hyp is None:
            return False
        placed = [s for s in self.aligner.seg() if not s.word.startswith(("<", "["))]
        if len(placed) != words:  # it can end with words left out
            return False
        frames = int(placed[-1].end_frame - placed[0].start_frame + 1)
        score = float(self.aligner.get_logmath().log(hyp.score)) if hyp.score > 0 else -math.inf
        return score / frames >= fit(phones)

    def recognize(self, clip: Clip) -> str:
        """What the recognizer hears with its own vocabulary (for the report)."""
        if self._words is None:
            from pocketsphinx import Decoder

            self._words = Decoder(samprate=16_000, loglevel="FATAL")
        hyp = _decode(self._words, pcm16k(leveled(clip)))
        return re.sub(r"\(\d+\)", "", hyp.hypstr) if hyp else ""


def leveled(clip: Clip) -> Clip:
    """``clip`` scaled so that its loudest sample is at PEAK (silence as it is)."""
    loudest = int(np.abs(clip.samples.astype(np.int32)).max()) if len(clip.samples) else 0
    if not loudest:
        return clip
    scaled = clip.samples.astype(np.float32) * (PEAK * 32767 / loudest)
    return Clip(np.round(scaled).astype(np.int16), clip.sample_rate)


def _decode(decoder: Any, pcm: bytes) -> Any:
    """``decoder``'s hypothesis for one utterance, heard afresh: its cepstral mean is reset
    first (pocketsphinx carries it over from the utterances before, so a sentence heard
    after others was heard differently, and ``render --verify``, hearing clips in the order
    spoken, and ``check --speech``, the whole episode in order, disagreed)."""
    decoder.reinit_feat()
    decoder.start_utt()
    decoder.process_raw(pcm, full_utt=True)
    decoder.end_utt()
    return decoder.hyp()


def edits(a: Sequence[str], b: Sequence[str]) -> int:
    """Levenshtein distance between two sequences."""
    previous = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        current = [i]
        for j, y in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (x != y)))
        previous = current
    return previous[-1]
