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
    """``samples`` at ``to_rate`` (soxr HQ), rounded to the nearest 16-bit value."""
    import soxr

    floats = np.asarray(
        soxr.resample(samples.astype(np.float32), from_rate, to_rate, quality="HQ"), np.float32
    )
    return np.clip(np.rint(floats), -32768, 32767).astype(np.int16)
