"""Master one chunk of the episode (a paragraph and its pause) and encode it.

The chunk is levelled, compressed and limited to the loudness target
(:func:`letteraudio.audio.loudness.normalize`), encoded, then decoded and measured,
because encoding moves loudness (the encoder's low-pass takes energy that
K-weighting counts) and adds inter-sample overshoot. When the encoded chunk is off,
it is mastered again aiming past the difference (most chunks land on the first try).

Only measurements leave this module with the MP3 frames (gating blocks and true
peak), never the PCM: the episode's loudness is computed from them.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import soxr

from letteraudio.audio.loudness import (
    DEFAULT_CEILING_DBTP,
    MAX_TRUE_PEAK_DBTP,
    gating_blocks,
    integrated_from_blocks,
    normalize,
)
from letteraudio.audio.mp3join import EncodedChunk, encode_chunk, fit_to_frames
from letteraudio.values import Span

LOUDNESS_TOLERANCE_LU = 0.3
PEAK_LIMIT_DBTP = MAX_TRUE_PEAK_DBTP - 0.2
"""What a render allows itself: decoders disagree on true peak by a tenth or two."""
ATTEMPTS = 3
ENCODING_LOSS_LU = 0.4
"""How much quieter speech measures after MP3 encoding (seen here: 0.4-0.5 LU at 96 kbps)."""
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
    """An encoded chunk and its measurements on the decoded audio."""

    chunk: EncodedChunk
    content_samples: int
    """PCM samples that were encoded (the chunk decodes to ``chunk.decoded_samples``)."""
    blocks: npt.NDArray[np.float32]
    true_peak_dbtp: float

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
    work), then resampled once to the output rate for encoding; the encoded chunk is what
    is measured. Every chunk starts from the same aim, so chunks can be mastered in any
    order, in parallel, and always come out the same. The closest of the attempts wins.
    """

    def output(audio: npt.NDArray[np.int16]) -> npt.NDArray[np.int16]:
        if rate == settings.rate:
            return audio
        return np.asarray(soxr.resample(audio, rate, settings.rate, quality="HQ"), np.int16)

    silent_tail = silent_tail * settings.rate // rate
    target = settings.target_lufs
    if target is None:
        return _encode_and_measure(output(pcm), silent_tail, settings)
    measurable = (speech.end_ms - speech.start_ms) / 1000 >= MEASURABLE_SECONDS
    aim, ceiling = target + ENCODING_LOSS_LU, DEFAULT_CEILING_DBTP
    best: tuple[tuple[bool, float], MasteredChunk, npt.NDArray[np.int16], float] | None = None
    for _ in range(ATTEMPTS):
        mastered = output(normalize(pcm, rate, [speech], aim, ceiling))
        result = _encode_and_measure(mastered, silent_tail, settings)
        off = target - result.integrated_lufs
        if not math.isfinite(off) or not measurable:
            off = 0.0
        overshoot = result.true_peak_dbtp - PEAK_LIMIT_DBTP
        score = (overshoot > 0, abs(off))
        if best is None or score < best[0]:
            best = (score, result, mastered, overshoot)
        if abs(off) <= LOUDNESS_TOLERANCE_LU and overshoot <= 0:
            break
        aim += off
        ceiling -= max(0.0, overshoot + 0.2)
    assert best is not None
    _, result, mastered, overshoot = best
    if overshoot > 0:  # plain gain passes through the encoder unchanged
        quieter = mastered.astype(np.float32) * 10 ** (-(overshoot + 0.05) / 20)
        result = _encode_and_measure(np.round(quieter).astype(np.int16), silent_tail, settings)
    return result


def _encode_and_measure(
    pcm: npt.NDArray[np.int16], silent_tail: int, settings: MasteringSettings
) -> MasteredChunk:
    fitted = fit_to_frames(pcm, silent_tail)
    chunk = encode_chunk(fitted, settings.rate, settings.bitrate_kbps)
    blocks, true_peak = gating_blocks(decode_chunk(chunk), settings.rate)
    return MasteredChunk(chunk, len(fitted), blocks, true_peak)


def decode_chunk(chunk: EncodedChunk) -> npt.NDArray[np.int16]:
    """Decode a chunk on its own, in process (libsndfile), gapless."""
    import soundfile

    data = io.BytesIO(chunk.info_frame + chunk.frames)
    samples, _ = soundfile.read(data, dtype="int16", always_2d=True)
    return np.ascontiguousarray(samples[:, 0])
