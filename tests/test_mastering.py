"""One chunk mastered and encoded: what it promises about its decoded audio holds.

Mastering predicts the decoded chunk's gating blocks from the encoded PCM and LAME's
known scale, and bounds its true peak, instead of decoding every chunk: these tests
decode and measure with libebur128 (pyebur128) to check the promise.
"""

from __future__ import annotations

import numpy as np
import pytest
import soxr

from letteraudio.audio.loudness import (
    integrated_from_blocks,
    measure,
    momentary_blocks,
    true_peak,
)
from letteraudio.audio.mastering import (
    PEAK_LIMIT_DBTP,
    MasteringSettings,
    _Candidate,
    _encode,
    decode_chunk,
    master_chunk,
)
from letteraudio.audio.mp3join import fit_to_frames
from letteraudio.audio.stitch import Span

VOICE_RATE = 22_050
SETTINGS = MasteringSettings(44_100, 96, -16.0)


def speechlike(seconds: float, seed: int, rate: int = VOICE_RATE) -> np.ndarray:
    """Voiced syllables (a buzz with harmonics), hissed consonants (noise up to the top of
    the band), uneven levels and pauses: int16 at ``rate``, quiet like a raw voice."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * rate)) / rate
    pitch = 110 + 30 * np.sin(2 * np.pi * 0.3 * t)
    phase = 2 * np.pi * np.cumsum(pitch) / rate
    voiced = sum(np.sin(k * phase) / k for k in range(1, 25))
    hiss = rng.standard_normal(len(t)) * (np.sin(2 * np.pi * 2.7 * t) > 0.8)
    syllables = np.clip(np.sin(2 * np.pi * 3.1 * t), 0, None) ** 0.5
    level = rng.uniform(0.3, 1.0, size=int(seconds) + 1)[t.astype(int)]
    audio = (0.15 * voiced * syllables + 0.05 * hiss) * level
    audio[: rate // 4] = audio[-rate // 2 :] = 0  # lead-in and a pause after
    return np.round(np.clip(audio, -1, 1) * 12000).astype(np.int16)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_predicted_loudness_and_peak_hold_for_the_decoded_chunk(seed: int) -> None:
    pcm = speechlike(8.0, seed)
    speech = Span(250, 7500)
    mastered = master_chunk(pcm, VOICE_RATE, speech, VOICE_RATE // 2, SETTINGS)
    decoded = decode_chunk(mastered.chunk)
    assert len(decoded) == mastered.content_samples
    real = measure(decoded, SETTINGS.rate)
    # The blocks kept for the episode are the decoded chunk's, block for block.
    blocks = momentary_blocks(decoded, SETTINGS.rate)
    assert len(blocks) == pytest.approx(len(mastered.blocks), abs=1)
    assert mastered.integrated_lufs == pytest.approx(real.integrated_lufs, abs=0.05)
    assert integrated_from_blocks([blocks]) == pytest.approx(real.integrated_lufs, abs=0.01)
    assert abs(real.integrated_lufs - SETTINGS.target_lufs) <= 0.3
    # The peak it reports is a bound on the decoded one, and under the limit.
    assert real.true_peak_dbtp <= mastered.true_peak_dbtp + 0.05
    assert real.true_peak_dbtp <= PEAK_LIMIT_DBTP


def test_unnormalized_chunks_keep_their_level() -> None:
    pcm = speechlike(5.0, 4)
    settings = MasteringSettings(44_100, 96, None)
    mastered = master_chunk(pcm, VOICE_RATE, Span(250, 4500), VOICE_RATE // 2, settings)
    real = measure(decode_chunk(mastered.chunk), 44_100)
    raw = measure(pcm, VOICE_RATE)
    assert real.integrated_lufs == pytest.approx(raw.integrated_lufs - 0.45 - 0.05, abs=0.1)
    assert mastered.integrated_lufs == pytest.approx(real.integrated_lufs, abs=0.05)


def test_a_chunk_that_may_peak_too_high_is_decoded_and_taken_down() -> None:
    """When the codec's overshoot could take a chunk over the limit, the decoded chunk is
    measured and the chunk made quieter by plain gain."""
    t = np.arange(3 * 44_100) / 44_100
    loud = np.round(32000 * 0.97 * np.sin(2 * np.pi * 440 * t)).astype(np.int16)
    pcm = fit_to_frames(loud, 0)
    blocks = momentary_blocks(pcm, 44_100) - np.float32(0.45)
    candidate = _Candidate(pcm, blocks, true_peak(pcm, 44_100) - 0.45)
    mastered = _encode(candidate, SETTINGS)
    real = measure(decode_chunk(mastered.chunk), 44_100)
    assert real.true_peak_dbtp <= PEAK_LIMIT_DBTP + 0.02
    assert mastered.true_peak_dbtp == pytest.approx(real.true_peak_dbtp, abs=0.05)
    assert mastered.integrated_lufs == pytest.approx(real.integrated_lufs, abs=0.05)


def test_true_peak_agrees_with_libebur128_and_sees_between_samples() -> None:
    for seed in (5, 6):  # a voice's audio as it is encoded: resampled to 44.1 kHz
        pcm = np.round(soxr.resample(speechlike(4.0, seed), VOICE_RATE, 44_100)).astype(np.int16)
        assert true_peak(pcm, 44_100) == pytest.approx(
            measure(pcm, 44_100).true_peak_dbtp, abs=0.05
        )
    # A tone at a quarter of the rate sampled 45 degrees off its crests: every sample is
    # 3 dB under the wave's peak.
    n = np.arange(44_100)
    tone = (0.5 * np.sin(np.pi / 2 * n + np.pi / 4)).astype(np.float32)
    fade = np.minimum(1, np.minimum(n, n[::-1]) / 2000).astype(np.float32)
    tone *= fade
    assert 20 * np.log10(np.abs(tone).max()) == pytest.approx(-9.03, abs=0.05)
    assert true_peak(tone, 44_100) == pytest.approx(-6.02, abs=0.05)
    assert true_peak(np.zeros(0, np.int16), 44_100) == -np.inf


def test_resampled_int16_is_rounded_float_resampling() -> None:
    """soxr dithers the 16-bit output it writes (about a quarter of the samples move by
    one, silence too), so two resamplings of the same paragraph could differ: a Dask
    worker's render differed from the local one. Resampled in float32 and rounded, the
    samples are a function of the input."""
    from letteraudio.audio.resample import resample_int16

    rng = np.random.default_rng(7)
    pcm = np.round(rng.standard_normal(16_000) * 8000).clip(-32768, 32767).astype(np.int16)
    expected = np.rint(soxr.resample(pcm.astype(np.float32), 16_000, 44_100, "HQ"))
    for _ in range(5):
        out = resample_int16(pcm, 16_000, 44_100)
        assert out.dtype == np.int16 and np.array_equal(out, np.clip(expected, -32768, 32767))


@pytest.mark.parametrize("rates", [(22_050, 44_100), (24_000, 44_100), (44_100, 22_050)])
def test_a_long_paragraph_is_resampled_in_pieces_to_the_samples_of_one_call(
    rates: tuple[int, int],
) -> None:
    """A paragraph goes through soxr in pieces (its float copies are never held whole),
    and comes out as one call would make it, sample for sample, loud peaks clipped."""
    from letteraudio.audio import resample

    rng = np.random.default_rng(11)
    count = 3 * resample.PIECE + 12_345
    pcm = np.round(rng.standard_normal(count) * 12_000).clip(-32768, 32767).astype(np.int16)
    whole = soxr.resample(pcm.astype(np.float32), *rates, "HQ")
    expected = np.clip(np.rint(whole), -32768, 32767).astype(np.int16)
    out = resample.resample_int16(pcm, *rates)
    assert len(out) == len(expected) and np.array_equal(out, expected)
    assert np.abs(whole).max() > 32767  # the clipping was needed
    assert len(resample.resample_int16(np.zeros(0, np.int16), *rates)) == 0
