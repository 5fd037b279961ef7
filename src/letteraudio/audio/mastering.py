"""Master one chunk of the episode (a paragraph and its pause) and encode it.

The chunk is levelled, compressed and limited to the loudness target
(:func:`letteraudio.audio.loudness.master`) at the voice's own rate, resampled once
to the output rate and encoded with LAME, in process.

What encoding does to loudness is known rather than measured again: LAME scales its
input by 0.95 (-0.45 dB at every frequency, :data:`~letteraudio.audio.mp3join.LAME_SCALE`)
and its noise at 96 kbps is 35 dB down, so the decoded chunk's gating blocks are the
encoded PCM's (measured at the output rate), 0.45 dB lower (within 0.01 LU, tested).
The chunk is mastered again before it is encoded when that prediction is off the target,
and encoded once. Only the true peak can move in ways the PCM does not show (the codec's
noise adds overshoot, seen up to 0.2 dB): a chunk whose predicted peak comes within
``CODEC_OVERSHOOT_DB`` of the limit is decoded (libsndfile, in process) and measured.

Only measurements leave this module with the MP3 frames (gating blocks and true
peak), never the PCM: the episode's loudness is computed from them.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from letteraudio.audio.loudness import (
    DEFAULT_CEILING_DBTP,
    MAX_TRUE_PEAK_DBTP,
    Mastered,
    integrated_from_blocks,
    master,
    momentary_blocks,
    true_peak,
)
from letteraudio.audio.mp3join import LAME_SCALE, EncodedChunk, encode_chunk, fit_to_frames
from letteraudio.audio.resample import resample_int16
from letteraudio.values import Span

LOUDNESS_TOLERANCE_LU = 0.3
PEAK_LIMIT_DBTP = MAX_TRUE_PEAK_DBTP - 0.2
"""What a render allows itself: decoders disagree on true peak by a tenth or two."""
ATTEMPTS = 3
LAME_GAIN_DB = 20 * math.log10(LAME_SCALE)
"""What encoding does to loudness and peaks (-0.45 dB)."""
RESAMPLING_LOSS_LU = 0.05
"""Speech measures about this much quieter at 44.1 kHz than at the voice's 22.05 kHz
(soxr's roll-off below the old Nyquist takes energy that K-weighting counts: 0.045-0.051
LU on the seed, more for hiss): where the first aim starts."""
CODEC_OVERSHOOT_DB = 0.5
"""How far above the encoded PCM's (scaled) true peak a decoded chunk may still peak
without being decoded to check (seen: at most 0.2 dB, see the closing note of issue 15)."""
MEASURABLE_SECONDS = 3.0
"""Shorter speech is not judged on loudness: gating leaves too few blocks to aim at."""


@dataclass(frozen=True)
class MasteringSettings:
    """What every chunk of an episode shares."""

    rate: int
    bitrate_kbps: int
    target_lufs: float | None
    """None leaves the engine's level untouched."""


@dataclass(frozen=True)
class MasteredChunk:
    """An encoded chunk and what its decoded audio measures: gating blocks (from the encoded
    PCM and LAME's known scale) and true peak (measured on the decoded chunk, or at most
    the encoded PCM's scaled peak plus ``CODEC_OVERSHOOT_DB``)."""

    chunk: EncodedChunk
    content_samples: int
    """PCM samples that were encoded (the chunk decodes to ``chunk.decoded_samples``)."""
    blocks: npt.NDArray[np.float32]
    true_peak_dbtp: float

    @property
    def integrated_lufs(self) -> float:
        return integrated_from_blocks([self.blocks])


@dataclass(frozen=True)
class _Candidate:
    """A mastered chunk before encoding, with what it will measure once decoded."""

    pcm: npt.NDArray[np.int16]
    blocks: npt.NDArray[np.float32]
    peak_dbtp: float
    """The encoded PCM's true peak after LAME's scale (the codec may add overshoot)."""

    @property
    def integrated_lufs(self) -> float:
        return integrated_from_blocks([self.blocks])


def master_chunk(
    pcm: npt.NDArray[np.int16],
    rate: int,
    speech: Span,
    silent_tail: int,
    settings: MasteringSettings,
) -> MasteredChunk:
    """Master, encode and measure one chunk of ``rate`` Hz audio; ``speech`` is where its
    speech is (ms) and ``silent_tail`` how many samples of silence end it (room to fit
    whole frames).

    It is mastered at its own rate (the voice's, usually half the output rate: half the
    work), then resampled once to the output rate for encoding. Every chunk starts from
    the same aim, so chunks can be mastered in any order, in parallel, and always come
    out the same. The closest of the attempts is encoded.
    """

    def candidate(audio: Mastered) -> _Candidate:
        out, blocks = audio.samples, audio.blocks
        if rate != settings.rate:  # measured again as encoded (resampling moves it a little)
            out = resample_int16(out, rate, settings.rate)
            blocks = momentary_blocks(out, settings.rate)
        fitted = fit_to_frames(out, silent_tail)
        gain = np.float32(LAME_GAIN_DB)
        return _Candidate(fitted, blocks + gain, audio.true_peak_dbtp + LAME_GAIN_DB)

    silent_tail = silent_tail * settings.rate // rate
    target = settings.target_lufs
    if target is None:
        blocks = momentary_blocks(pcm, rate) if rate == settings.rate else np.zeros(0, np.float32)
        as_is = Mastered(pcm, blocks, true_peak(pcm, rate))  # blocks: see candidate()
        return _encode(candidate(as_is), settings)
    measurable = (speech.end_ms - speech.start_ms) / 1000 >= MEASURABLE_SECONDS
    aim = target - LAME_GAIN_DB + RESAMPLING_LOSS_LU
    ceiling = DEFAULT_CEILING_DBTP
    best: tuple[tuple[bool, float], _Candidate] | None = None
    for _ in range(ATTEMPTS):
        result = candidate(master(pcm, rate, [speech], aim, ceiling))
        off = target - result.integrated_lufs
        if not math.isfinite(off) or not measurable:
            off = 0.0
        overshoot = result.peak_dbtp - PEAK_LIMIT_DBTP
        score = (overshoot > 0, abs(off))
        if best is None or score < best[0]:
            best = (score, result)
        if abs(off) <= LOUDNESS_TOLERANCE_LU and overshoot <= 0:
            break
        aim += off
        ceiling -= max(0.0, overshoot + 0.2)
    assert best is not None
    return _encode(best[1], settings)


def _encode(candidate: _Candidate, settings: MasteringSettings) -> MasteredChunk:
    """Encode a candidate; decode and measure its true peak when the codec's overshoot could
    take it over the limit, and make it quieter (plain gain passes through LAME as it is)
    when it does."""
    pcm = candidate.pcm
    for _ in range(ATTEMPTS):
        chunk = encode_chunk(pcm, settings.rate, settings.bitrate_kbps)
        peak = candidate.peak_dbtp + CODEC_OVERSHOOT_DB
        if peak > PEAK_LIMIT_DBTP:
            peak = true_peak(decode_chunk(chunk), settings.rate)
        if peak <= PEAK_LIMIT_DBTP or settings.target_lufs is None:
            break
        quieter = 10 ** (-(peak - PEAK_LIMIT_DBTP + 0.05) / 20)
        pcm = np.round(pcm.astype(np.float32) * quieter).astype(np.int16)
        candidate = _Candidate(pcm, candidate.blocks + np.float32(20 * math.log10(quieter)),
                               candidate.peak_dbtp + 20 * math.log10(quieter))  # fmt: skip
    return MasteredChunk(chunk, len(pcm), candidate.blocks, peak)


def decode_chunk(chunk: EncodedChunk) -> npt.NDArray[np.int16]:
    """Decode a chunk on its own, in process (libsndfile), gapless."""
    import soundfile

    data = io.BytesIO(chunk.info_frame + chunk.frames)
    samples, _ = soundfile.read(data, dtype="int16", always_2d=True)
    return np.ascontiguousarray(samples[:, 0])
