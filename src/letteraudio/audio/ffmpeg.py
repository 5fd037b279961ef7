"""Find ffmpeg: the binary the imageio-ffmpeg wheel ships, so no system package is needed."""

from __future__ import annotations

import functools

from letteraudio.errors import OutputError


@functools.cache
def ffmpeg_exe() -> str:
    """Path to ffmpeg (``IMAGEIO_FFMPEG_EXE`` overrides the bundled binary)."""
    try:
        import imageio_ffmpeg

        return str(imageio_ffmpeg.get_ffmpeg_exe())
    except (ImportError, RuntimeError) as error:
        raise OutputError(
            f"no ffmpeg binary found (pip install imageio-ffmpeg): {error}"
        ) from error
