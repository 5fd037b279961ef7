"""A content-addressed cache: spoken clips (one per segment), mastered chunks, and voice
models prepared for this machine (written by the engines that use them).

A clip's key is a hash of everything that shapes the audio: the engine's identity
(voice file, settings), the exact text, and the cache format version. A chunk (a
paragraph mastered and encoded, see :mod:`letteraudio.audio.mastering`) is keyed by
its clips' keys, its pauses and the mastering settings, so re-rendering an unchanged
paragraph costs a file read. Entries are written atomically and verified on read
(SHA-256): a damaged entry is deleted and treated as a miss, never used. Article text
never becomes a path.
"""

from __future__ import annotations

import hashlib
import json
import os
import struct
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from letteraudio.values import Clip

T = TypeVar("T")
FORMAT_VERSION = 2  # 2: clips keep their word times
CHUNK_FORMAT_VERSION = 4  # 3: chunks keep their word times; 4: resampled without dither
_MAGIC = b"LACLIP2\n"
_CHUNK_MAGIC = b"LACHNK1\n"
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


def chunk_key(clip_keys: list[str], layout: Mapping[str, Any]) -> str:
    """Hex SHA-256 of a chunk's clips and of how they are laid out and mastered."""
    payload = json.dumps(
        {"format": CHUNK_FORMAT_VERSION, "clips": clip_keys, "layout": layout},
        sort_keys=True,
        default=str,
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class CacheInfo:
    """What ``letteraudio cache info`` shows."""

    clips: int
    chunks: int
    models: int
    bytes: int


class ClipCache:
    """Clips under ``folder/clips/ab/abcdef....clip``; chunks under ``folder/chunks/``."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.clips = folder / "clips"
        self.chunks = folder / "chunks"
        self.models = folder / "models"
        """Voices prepared for this machine (see the piper engine)."""

    def path(self, key: str) -> Path:
        return self.clips / key[:2] / f"{key}.clip"

    def get(self, key: str) -> Clip | None:
        """The clip stored under ``key``, or None (a damaged entry is removed)."""
        return _read(self.path(key), _decode)

    def put(self, key: str, clip: Clip) -> None:
        """Store a clip atomically; a cache that cannot be written is silently skipped."""
        self._write(self.path(key), _encode(clip))

    def chunk_path(self, key: str) -> Path:
        return self.chunks / key[:2] / f"{key}.chunk"

    def has_chunk(self, key: str) -> bool:
        """Whether a chunk is stored under ``key`` (it may still turn out damaged)."""
        return self.chunk_path(key).is_file()

    def get_chunk(self, key: str) -> tuple[dict[str, Any], bytes] | None:
        """A stored chunk: (its description, its bytes), or None (a damaged entry is removed)."""
        return _read(self.chunk_path(key), _decode_chunk)

    def put_chunk(self, key: str, description: Mapping[str, Any], payload: bytes) -> None:
        """Store a chunk atomically (silently skipped when the cache cannot be written)."""
        header = json.dumps(dict(description), sort_keys=True).encode("utf-8")
        digest = hashlib.sha256(header + payload).digest()
        body = _CHUNK_MAGIC + struct.pack("<IQ", len(header), len(payload)) + digest
        self._write(self.chunk_path(key), body + header + payload)

    def _write(self, path: Path, data: bytes) -> None:
        try:
            _make_private_dirs(path.parent, self.folder)
            handle, name = tempfile.mkstemp(prefix=".", suffix=".tmp", dir=path.parent)
            with os.fdopen(handle, "wb") as stream:
                stream.write(data)
            Path(name).replace(path)
        except OSError:
            return

    def info(self) -> CacheInfo:
        """How many entries of each kind, and the bytes they use."""
        clips = _files(self.clips, "*/*.clip")
        chunks = _files(self.chunks, "*/*.chunk")
        onnx = _files(self.models, "*.onnx")
        models = [p for p in onnx if _PART not in p.name]
        # a voice's other prepared files: its lexicons, Piper's decoder (a graph of its own)
        extras = [p for p in onnx if _PART in p.name] + _files(self.models, "*.marshal")
        size = sum(p.stat().st_size for p in (*clips, *chunks, *models, *extras))
        return CacheInfo(len(clips), len(chunks), len(models), size)

    def clear(self) -> int:
        """Delete every entry (and any left half-written); return how many entries there were."""
        count = 0
        for folder, pattern in ((self.clips, "*/*"), (self.chunks, "*/*"), (self.models, "*")):
            if folder.is_dir():
                for entry in folder.glob(pattern):
                    if entry.is_file() and entry.suffix in _SUFFIXES:
                        entry.unlink(missing_ok=True)
                        count += (
                            entry.suffix not in (".tmp", ".marshal") and _PART not in entry.name
                        )
        return count


_SUFFIXES = (".clip", ".chunk", ".onnx", ".marshal", ".tmp")
_PART = ".decoder-"
"""In the name of a voice's prepared decoder, kept beside the rest of its graph
(``letteraudio.engines.piper.DECODER_PART``): part of the voice, not a voice."""


def _files(folder: Path, pattern: str) -> list[Path]:
    return list(folder.glob(pattern)) if folder.is_dir() else []


def _read(path: Path, decode: Callable[[bytes], T | None]) -> T | None:
    """Read and decode an entry; one that does not decode is deleted: a miss."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    entry = decode(data)
    if entry is None:
        path.unlink(missing_ok=True)
    return entry


_NO_WORDS = 0xFFFFFFFF


def _encode(clip: Clip) -> bytes:
    samples = np.ascontiguousarray(clip.samples, dtype="<i2").tobytes()
    if clip.words is None:
        words = struct.pack("<I", _NO_WORDS)
    else:
        pairs = np.asarray(clip.words, dtype="<i4").reshape(-1, 2)
        words = struct.pack("<I", len(pairs)) + pairs.tobytes()
    body = samples + words
    digest = hashlib.sha256(body).digest()
    return _HEADER.pack(_MAGIC, clip.sample_rate, len(samples) // 2, digest) + body


def _decode(data: bytes) -> Clip | None:
    if len(data) < _HEADER.size:
        return None
    magic, rate, count, digest = _HEADER.unpack_from(data)
    body = data[_HEADER.size :]
    samples, words = body[: count * 2], body[count * 2 :]
    if magic != _MAGIC or len(samples) != count * 2 or rate <= 0 or len(words) < 4:
        return None
    if hashlib.sha256(body).digest() != digest:
        return None
    (pairs,) = struct.unpack_from("<I", words)
    timed: tuple[tuple[int, int], ...] | None = None
    if pairs != _NO_WORDS:
        if len(words) != 4 + pairs * 8:
            return None
        table = np.frombuffer(words[4:], dtype="<i4").reshape(-1, 2)
        timed = tuple((int(a), int(b)) for a, b in table)
    return Clip(np.frombuffer(samples, dtype="<i2").astype(np.int16), int(rate), timed)


def _decode_chunk(data: bytes) -> tuple[dict[str, Any], bytes] | None:
    fixed = len(_CHUNK_MAGIC) + 12 + 32
    if len(data) < fixed or not data.startswith(_CHUNK_MAGIC):
        return None
    header_length, payload_length = struct.unpack_from("<IQ", data, len(_CHUNK_MAGIC))
    digest = data[fixed - 32 : fixed]
    rest = data[fixed:]
    if len(rest) != header_length + payload_length or hashlib.sha256(rest).digest() != digest:
        return None
    try:
        description = json.loads(rest[:header_length])
    except ValueError:
        return None
    return (description, rest[header_length:]) if isinstance(description, dict) else None


def _make_private_dirs(folder: Path, root: Path) -> None:
    """Create ``folder`` (two levels under ``root``) readable by the user only."""
    root.mkdir(mode=0o700, parents=True, exist_ok=True)
    folder.parent.mkdir(mode=0o700, exist_ok=True)
    folder.mkdir(mode=0o700, exist_ok=True)
