"""The loudness stage alone, on synthetic audio: levelling, target and true peak."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from letteraudio.audio.loudness import (
    gating_blocks,
    integrated_from_blocks,
    integrated_lufs,
    level_spans,
    measure,
    normalize,
)
from letteraudio.audio.stitch import Span

RATE = 44_100


def burst(seconds: float, dbfs: float, frequency: float = 440.0) -> np.ndarray:
    """A speech-like burst: a tone with a syllable-rate envelope."""
    t = np.arange(int(seconds * RATE)) / RATE
    envelope = 0.5 + 0.5 * np.sin(2 * np.pi * 4 * t) ** 2
    return (10 ** (dbfs / 20) * envelope * np.sin(2 * np.pi * frequency * t)).astype(np.float32)


def timeline(*levels: float) -> tuple[np.ndarray, list[Span | None]]:
    """Bursts at the given levels, 2 s each, with 0.75 s of silence between them."""
    parts, spans, position = [np.zeros(int(0.3 * RATE), np.float32)], [], 0.3
    for level in levels:
        parts += [burst(2.0, level), np.zeros(int(0.75 * RATE), np.float32)]
        spans.append(Span(round(position * 1000), round((position + 2.0) * 1000)))
        position += 2.75
    return np.concatenate(parts), spans


def span_loudness(audio: np.ndarray, spans: list[Span | None]) -> list[float]:
    return [
        integrated_lufs(audio[s.start_ms * RATE // 1000 : s.end_ms * RATE // 1000], RATE)
        for s in spans
        if s
    ]


def test_level_spans_evens_out_quiet_and_loud_paragraphs() -> None:
    audio, spans = timeline(-30.0, -12.0, -22.0)
    before = span_loudness(audio, spans)
    assert max(before) - min(before) > 15
    after = span_loudness(level_spans(audio, RATE, spans, -20.0), spans)
    assert max(after) - min(after) < 0.5
    assert abs(np.mean(after) - -20.0) < 0.5


def test_normalize_lands_on_the_target_under_the_ceiling() -> None:
    audio, spans = timeline(-35.0, -8.0, -25.0, -18.0)
    pcm = np.round(audio * 32767).astype(np.int16)
    for target in (-16.0, -20.0):
        result = measure(normalize(pcm, RATE, spans, target, ceiling_dbtp=-1.5), RATE)
        assert abs(result.integrated_lufs - target) <= 0.3
        assert result.true_peak_dbtp <= -1.4


def test_measure_counts_every_channel() -> None:
    tone = burst(3.0, -20.0)
    mono = measure(tone, RATE)
    stereo = measure(np.stack([tone, tone], axis=1), RATE)
    # BS.1770 sums the channels' power: identical channels measure 3 dB louder.
    assert abs(stereo.integrated_lufs - mono.integrated_lufs - 3.01) < 0.1
    left_only = measure(np.stack([tone * 4, tone * 0], axis=1), RATE)
    assert left_only.true_peak_dbtp > mono.true_peak_dbtp + 11


def test_blocks_of_pieces_give_the_loudness_of_the_whole() -> None:
    audio, _ = timeline(-30, -18, -24, -12, -40, -20)
    pcm = np.round(audio * 32767).astype(np.int16)
    whole = measure(pcm, RATE)
    # Cut in the pauses, as chunks are (each piece keeps all of its own sound).
    silences = [round((0.3 + 2.0 + 0.375 + 2.75 * k) * RATE) for k in (0, 2, 3)]
    cuts = [0, *silences, len(pcm)]
    measured = [gating_blocks(pcm[a:b], RATE) for a, b in itertools.pairwise(cuts)]
    assert integrated_from_blocks([blocks for blocks, _ in measured]) == pytest.approx(
        whole.integrated_lufs, abs=0.1
    )
    assert max(peak for _, peak in measured) == pytest.approx(whole.true_peak_dbtp, abs=0.01)
    assert integrated_from_blocks([gating_blocks(pcm, RATE)[0]]) == pytest.approx(
        whole.integrated_lufs, abs=0.01
    )
    assert integrated_from_blocks([]) == -np.inf
