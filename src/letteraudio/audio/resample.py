"""Sample-rate conversion of 16-bit PCM that gives the same samples on every run.

libsoxr adds TPDF dither when it writes 16-bit output (measured: about a quarter of the
samples one step away from the rounded float result, silence included), and its dither
does not repeat from one call to the next: the same paragraph mastered twice in one
process could differ, and a Dask worker's render differed from the local one. So int16
audio is resampled in float32, where soxr adds no dither, and rounded here.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt


def resample_int16(
    samples: npt.NDArray[np.int16], from_rate: int, to_rate: int
) -> npt.NDArray[np.int16]:
    """``samples`` at ``to_rate`` (soxr HQ), rounded to the nearest 16-bit value.

    Resampled in pieces of :data:`PIECE` samples through one soxr stream, which gives the
    samples a single call gives (tested), so that a paragraph's float copies are never
    held whole: about 8 bytes per output sample at most, instead of 14."""
    import soxr

    stream = soxr.ResampleStream(from_rate, to_rate, 1, dtype="float32", quality="HQ")
    pieces = []
    for start in range(0, max(1, len(samples)), PIECE):
        floats = stream.resample_chunk(
            samples[start : start + PIECE].astype(np.float32), last=start + PIECE >= len(samples)
        )
        np.rint(floats, out=floats)
        np.clip(floats, -32768, 32767, out=floats)
        pieces.append(floats.astype(np.int16))
    return np.concatenate(pieces)


PIECE = 1 << 16
