"""Word times found in the audio: forced alignment for engines that do not report them.

An engine without phoneme lengths (espeak, gtts, a third-party engine) gives only its
audio; with the ``align`` extra (``pip install 'letteraudio[align]'``: pocketsphinx, an
offline recognizer under a BSD-style licence whose English model is inside its wheel),
the spoken text is aligned against that audio and each word gets the frames (10 ms)
the recognizer places it in. English only (the model's language); elsewhere, or when
the alignment does not reach the end of the text, the clip keeps sentence timing.

The audio goes to the recognizer at 16 kHz with half a second of quiet on each side
(faint, seeded noise, so the result is the same every time): espeak's digital silence
right at the first sample left the aligner lost for the whole sentence.
"""

from __future__ import annotations

import importlib.util
import re
import threading
from typing import Any

import numpy as np

from letteraudio.engines.wordtimes import snapped
from letteraudio.languages import primary_language
from letteraudio.values import Clip

PACKAGE = "pocketsphinx"
INSTALL = "pip install 'letteraudio[align]'"
RATE = 16_000
FRAME = RATE // 100
"""Samples of one recognizer frame (10 ms)."""
MARGIN = RATE // 2
"""Quiet added before and after the clip."""
LANGUAGE = "en"

WordTime = tuple[int, int]


def installed() -> bool:
    """Whether the recognizer is installed (cheap: nothing is imported)."""
    return importlib.util.find_spec(PACKAGE) is not None


def aligns(lang: str | None) -> bool:
    """Whether words in ``lang`` (None: English) can be aligned here."""
    return installed() and primary_language(lang) == LANGUAGE


def tokens(word: str) -> list[str]:
    """A spoken word as the recognizer's dictionary writes it: lower case, letters and
    apostrophes, hyphenated parts apart (``eighty-seven.`` is ``eighty``, ``seven``)."""
    word = word.lower().replace("\u2019", "'")
    return [part.strip("'") for part in re.split(r"[^a-z']+", word) if part.strip("'")]


_LOCAL = threading.local()


def decoder() -> Any:
    """This thread's aligner (a pocketsphinx decoder without a language model)."""
    found = getattr(_LOCAL, "decoder", None)
    if found is None:
        from pocketsphinx import Decoder

        found = _LOCAL.decoder = Decoder(samprate=RATE, lm=None, loglevel="FATAL")
    return found


_DIGRAPHS = {"th": "TH", "sh": "SH", "ch": "CH", "ph": "F", "ng": "NG", "ck": "K",
             "ee": "IY", "ea": "IY", "oo": "UW", "ou": "AW", "ai": "EY", "ay": "EY",
             "oa": "OW", "qu": "K W"}  # fmt: skip
_LETTERS = dict(
    zip(
        "abcdefghijklmnopqrstuvwxyz",
        ["AE", "B", "K", "D", "EH", "F", "G", "HH", "IH", "JH", "K", "L", "M", "N", "AA",
         "P", "K", "R", "S", "T", "AH", "V", "W", "K_S", "IY", "Z"],
        strict=True,
    )
)  # fmt: skip


def spelled(word: str) -> str:
    """A rough pronunciation of a word the dictionary lacks (a name, a coinage), from its
    letters: enough for the aligner to give it a place, not to recognize it."""
    phones: list[str] = []
    rest = re.sub(r"(.)\1+", r"\1", word.replace("'", ""))
    while rest:
        if rest[:2] in _DIGRAPHS:
            phones += _DIGRAPHS[rest[:2]].split()
            rest = rest[2:]
            continue
        if rest[0] in _LETTERS and not (rest[0] == "e" and len(rest) == 1 and phones):
            phones += _LETTERS[rest[0]].replace("_", " ").split()
        rest = rest[1:]
    return " ".join(phones)


def known(ps: Any, token: str) -> bool:
    """Whether the aligner can place ``token``: in its dictionary, or added spelled out."""
    if ps.lookup_word(token):
        return True
    phones = spelled(token)
    if not phones:
        return False
    ps.add_word(token, phones, True)
    return True


def pcm16k(clip: Clip) -> bytes:
    """The clip at 16 kHz with MARGIN of faint noise before and after, as 16-bit PCM."""
    import soxr

    audio = clip.samples.astype(np.float32) / 32768.0
    if clip.sample_rate != RATE:
        audio = soxr.resample(audio, clip.sample_rate, RATE)
    quiet = np.zeros(MARGIN, np.float32)
    padded = np.concatenate([quiet, audio, quiet])
    padded += np.random.default_rng(0).normal(0.0, 1e-4, len(padded)).astype(np.float32)
    return np.clip(np.round(padded * 32767.0), -32768, 32767).astype(np.int16).tobytes()


def align(clip: Clip, text: str) -> tuple[WordTime, ...] | None:
    """Where each word of ``text`` (split at spaces) is in ``clip``, in its samples; None
    when the recognizer cannot follow the text to its end."""
    words = text.split()
    if not words or not len(clip.samples):
        return None
    ps = decoder()
    parts = [[t for t in tokens(word) if known(ps, t)] for word in words]
    said = [t for part in parts for t in part]
    if not said:
        return None
    ps.set_align_text(" ".join(said))
    ps.start_utt()
    ps.process_raw(pcm16k(clip), full_utt=True)
    ps.end_utt()
    if ps.hyp() is None:
        return None
    found = [
        (s.start_frame, s.end_frame + 1)
        for s in ps.seg()
        if not s.word.startswith(("<", "[")) and s.word != "</s>"
    ]
    if len(found) != len(said):
        return None
    scale = clip.sample_rate / RATE
    total = len(clip.samples)

    def sample(frame: int) -> int:
        return min(total, max(0, round((frame * FRAME - MARGIN) * scale)))

    times: list[WordTime | None] = []
    index = 0
    for part in parts:
        if not part:  # nothing the dictionary knows: placed below, between its neighbours
            times.append(None)
            continue
        first, last = found[index], found[index + len(part) - 1]
        times.append((sample(first[0]), sample(last[1])))
        index += len(part)
    for number, time in enumerate(times):
        if time is None:
            before = next((t[1] for t in reversed(times[:number]) if t), 0)
            after = next((t[0] for t in times[number + 1 :] if t), total)
            times[number] = (before, max(before, after))
    return tuple(snapped(clip.samples, clip.sample_rate, [t for t in times if t is not None]))
