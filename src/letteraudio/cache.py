"""A content-addressed cache of synthesized clips, one file per segment.

The key is a hash of everything that shapes the audio: the engine's identity (voice
file, settings), the exact text, and the cache format version. Entries are written
atomically and verified on read (length and SHA-256 of the samples): a damaged entry
is deleted and treated as a miss, never stitched. Article text never becomes a path.
"""

from __future__ import annotations

import hashlib
import json
import os
import struct
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from letteraudio.engines import Clip

FORMAT_VERSION = 1
_MAGIC = b"LACLIP1\n"
_HEADER = struct.Struct("<8sIQ32s")  # magic, sample rate, sample count, sha256 of samples


def default_cache_dir() -> Path:
    """The user's cache folder for letteraudio (``LETTERAUDIO_CACHE_DIR`` overrides it)."""
    override = os.environ.get("LETTERAUDIO_CACHE_DIR")
    if override:
        return Path(override)
    import platformdirs

    return Path(platformdirs.user_cache_dir("letteraudio"))


def cache_key(identity: Mapping[str, Any], text: str) -> str:
    """Hex SHA-256 of the engine identity, the text and the format version."""
    payload = json.dumps(
        {"format": FORMAT_VERSION, "engine": identity, "text": text},
        sort_keys=True,
        ensure_ascii=False,
        default=str,
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


class ClipCache:
    """Clips stored under ``folder/clips/ab/abcdef....clip``."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.clips = folder / "clips"

    def path(self, key: str) -> Path:
        return self.clips / key[:2] / f"{key}.clip"

    def get(self, key: str) -> Clip | None:
        """The clip stored under ``key``, or None (a damaged entry is removed)."""
        path = self.path(key)
        try:
            data = path.read_bytes()
        except OSError:
            return None
        clip = _decode(data)
        if clip is None:
            path.unlink(missing_ok=True)
        return clip

    def put(self, key: str, clip: Clip) -> None:
        """Store a clip atomically; a cache that cannot be written is silently skipped."""
        path = self.path(key)
        try:
            _make_private_dirs(path.parent, self.folder)
            handle, name = tempfile.mkstemp(prefix=".", suffix=".tmp", dir=path.parent)
            with os.fdopen(handle, "wb") as stream:
                stream.write(_encode(clip))
            Path(name).replace(path)
        except OSError:
            return

    def info(self) -> tuple[int, int]:
        """(number of entries, bytes used)."""
        entries = list(self.clips.glob("*/*.clip")) if self.clips.is_dir() else []
        return len(entries), sum(p.stat().st_size for p in entries)

    def clear(self) -> int:
        """Delete every entry; return how many there were."""
        count = 0
        if self.clips.is_dir():
            for entry in self.clips.glob("*/*"):
                if entry.is_file() and entry.suffix in (".clip", ".tmp"):
                    entry.unlink(missing_ok=True)
                    count += entry.suffix == ".clip"
        return count


def _encode(clip: Clip) -> bytes:
    samples = np.ascontiguousarray(clip.samples, dtype="<i2").tobytes()
    digest = hashlib.sha256(samples).digest()
    return _HEADER.pack(_MAGIC, clip.sample_rate, len(samples) // 2, digest) + samples


def _decode(data: bytes) -> Clip | None:
    if len(data) < _HEADER.size:
        return None
    magic, rate, count, digest = _HEADER.unpack_from(data)
    samples = data[_HEADER.size :]
    if magic != _MAGIC or len(samples) != count * 2 or rate <= 0:
        return None
    if hashlib.sha256(samples).digest() != digest:
        return None
    return Clip(np.frombuffer(samples, dtype="<i2").astype(np.int16), int(rate))


def _make_private_dirs(folder: Path, root: Path) -> None:
    """Create ``folder`` (under ``root``) readable by the user only."""
    root.mkdir(mode=0o700, parents=True, exist_ok=True)
    (root / "clips").mkdir(mode=0o700, exist_ok=True)
    folder.mkdir(mode=0o700, exist_ok=True)
