"""Word times from phoneme alignments: which samples of a clip each written word takes.

An engine that knows how many samples each phoneme lasted (Piper, with alignments on)
gives the sentence's phonemes with their lengths, and each word's phonemes spoken on
its own. The phonemizer joins short words ("in the" becomes one word), so
words are found by lining up the letters of the words' phonemes with the sentence's
(stress marks, spaces and punctuation left out) rather than by counting spaces.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

WordTime = tuple[int, int]
"""First sample and the sample after the last, from the start of the clip."""

_STRESS = {"\u02c8", "\u02cc"}  # primary and secondary stress
_IGNORED = _STRESS | set("^$ -_.,;:!?¡¿—…\"'«»“”()[]{}\u0329")


def _letters(phonemes: Sequence[str]) -> list[int]:
    """Indexes of the phonemes that are sounds (not stress, spaces or punctuation)."""
    return [i for i, p in enumerate(phonemes) if p not in _IGNORED and p.strip()]


def word_times(
    sentence: Sequence[str], lengths: Sequence[int], words: Sequence[Sequence[str]]
) -> list[WordTime] | None:
    """Where each word of ``words`` (its phonemes, spoken alone) is in ``sentence`` (the
    phonemes spoken, each lasting ``lengths`` samples, silence and pauses included).

    None when the two do not line up well enough to trust (less than 70 % of the words'
    sounds found as they are), so the caller keeps sentence timing rather than guess.
    """
    if len(sentence) != len(lengths):
        raise ValueError("one length per phoneme is needed")
    starts = [0]
    for length in lengths:
        starts.append(starts[-1] + int(length))
    spoken = _letters(sentence)
    heard = [sentence[i] for i in spoken]
    owners: list[int] = []
    alone: list[str] = []
    for number, phonemes in enumerate(words):
        sounds = [phonemes[i] for i in _letters(phonemes)]
        alone += sounds
        owners += [number] * len(sounds)
    if not words or not alone:
        return None
    matcher = difflib.SequenceMatcher(None, alone, heard, autojunk=False)
    # Where each of the words' sounds is among the sentence's: matched ones exactly, a
    # stretch that differs (a word reduced in the sentence: "a" said as a schwa) in proportion.
    first = [0] * len(alone)
    after = [0] * len(alone)
    matched = 0
    for tag, a0, a1, b0, b1 in matcher.get_opcodes():
        if tag == "equal":
            matched += a1 - a0
        for k in range(a0, a1):
            share = (b1 - b0) / (a1 - a0)
            first[k] = b0 + int((k - a0) * share)
            after[k] = max(first[k], b0 + int((k - a0 + 1) * share))
    if matched < 0.7 * len(alone):
        return None
    times: list[WordTime] = []
    for number in range(len(words)):
        mine = [k for k, owner in enumerate(owners) if owner == number]
        if not mine:  # a word with no sounds of its own (a symbol): where the next starts
            times.append((-1, -1))
            continue
        start, end = first[mine[0]], after[mine[-1]]
        index = spoken[start] if start < len(spoken) else len(sentence)
        while index > 0 and sentence[index - 1] in _STRESS:  # a stress mark starts the sound
            index -= 1
        begin = starts[index]
        finish = starts[spoken[end - 1] + 1] if end > start else begin
        times.append((begin, finish))
    for i in range(len(times) - 1, -1, -1):
        if times[i][0] < 0:
            point = times[i + 1][0] if i + 1 < len(times) else starts[-1]
            times[i] = (point, point)
    # Words keep their order and never overlap (a word that lost a sound to its neighbour
    # in the matching is cut at the neighbour's start).
    for i in range(1, len(times)):
        if times[i][0] < times[i - 1][1]:
            start = max(times[i][0], times[i - 1][0])
            times[i - 1] = (times[i - 1][0], start)
            times[i] = (start, max(times[i][1], start))
    return times


QUIET_BELOW_DB = -40.0
"""A 10 ms frame this far under the clip's loudest is quiet (no speech in it yet)."""


def snapped(samples: npt.NDArray[np.int16], rate: int, times: Sequence[WordTime]) -> list[WordTime]:
    """``times`` with each word's start moved to where its sound begins: a word whose
    span opens on quiet (a pause given to the word after it) starts at its first frame
    that is not quiet, never past its end. Model lengths in 25 ms units and an aligner's
    10 ms frames both leave some of a pause inside the next word."""
    frame = max(1, rate // 100)
    count = len(samples) // frame
    if count == 0:
        return list(times)
    levels = np.sqrt(
        np.mean(samples[: count * frame].astype(np.float64).reshape(count, frame) ** 2, axis=1)
    )
    loud = levels >= levels.max() * 10 ** (QUIET_BELOW_DB / 20)
    result = []
    for start, end in times:
        first = start // frame
        while first < count and first * frame < end and not loud[first]:
            first += 1
        result.append((min(max(start, first * frame), end), end))
    return result
