"""Keep the heap from growing with the length of an article (glibc's malloc only).

Measured on generated articles, 2 cores, peak RSS of a cold render:

=========================  =======  ========  ======
malloc settings            5 KB     15 KB     growth
=========================  =======  ========  ======
glibc's defaults           379 MB   451 MB    +19 %
at most 2 arenas           352 MB   432 MB    +23 %
both settings below        346 MB   361 MB    +4 %
=========================  =======  ========  ======

Each thread that allocates gets a malloc arena of its own, and glibc raises its mmap
threshold after every large block it frees, so audio buffers end up on the heap,
where fragments pile up. Two arenas and a fixed 1 MB threshold (large buffers are
mapped and given back whole) keep the heap flat.

The heap is then grown 64 MB at a time and kept (trimmed only past 512 MB free): given
back and grown again after every paragraph, its fresh pages cost the kernel more than
the work itself (issue 15; cold hibari render of the seed, 2 cores):

================================  ============  ==========  ===========================
heap top                          system CPU    wall        peak RSS, Piper, 5 / 15 KB
================================  ============  ==========  ===========================
glibc's (128 KB trim, no pad)     1.07-1.37 s   2.6-3.2 s   412 / 421 MB
16 or 32 MB pad                   0.72-0.83 s   2.5-3.3 s
64 MB pad, 512 MB trim            0.26-0.31 s   2.2 s       481 / 469 MB
================================  ============  ==========  ===========================

Buffers above 1 MB stay mapped: a higher mmap threshold also cut system time (0.37 s
at 16 MB) but let the heap grow with the article (+17 % from 5 to 15 KB at 4, 8 or 16 MB).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import sys

_M_TRIM_THRESHOLD = -1
_M_TOP_PAD = -2
_M_MMAP_THRESHOLD = -3
_M_ARENA_MAX = -8
MMAP_THRESHOLD_BYTES = 1 << 20
ARENAS = 2
TOP_PAD_BYTES = 64 << 20
TRIM_THRESHOLD_BYTES = 512 << 20


def limit_heap_growth() -> bool:
    """Apply the settings above; False where the C library is not glibc.

    Also, before numpy is imported, one OpenBLAS thread: letteraudio does no linear algebra,
    and OpenBLAS otherwise starts a thread per core that spins a while after numpy's import
    and keeps a buffer each (a cached render of the seed: 0.46-0.50 s of CPU -> 0.37-0.38)."""
    if "numpy" not in sys.modules:
        os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    settings = (
        (_M_ARENA_MAX, ARENAS),
        (_M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES),
        (_M_TOP_PAD, TOP_PAD_BYTES),
        (_M_TRIM_THRESHOLD, TRIM_THRESHOLD_BYTES),
    )
    return all([bool(mallopt(option, value)) for option, value in settings])
