"""MP3 bitrates, and output files written atomically.

:func:`atomic_output` gives a temporary file beside the target that is renamed into
place only when everything succeeded. The encoding itself is in
:mod:`letteraudio.audio.mp3join`.
"""

from __future__ import annotations

import contextlib
import glob
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from letteraudio.errors import InputError, OutputError

# Bitrates MPEG-1 Layer III can carry at 32-48 kHz.
MP3_BITRATES = (32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320)
DEFAULT_BITRATE = 96


def check_bitrate(kbps: int) -> int:
    """Return ``kbps`` if an MP3 can carry it, else raise :class:`InputError` listing choices."""
    if kbps not in MP3_BITRATES:
        choices = ", ".join(map(str, MP3_BITRATES))
        raise InputError(f"an MP3 cannot carry {kbps} kbps (choose from: {choices})")
    return kbps


def check_writable(target: Path) -> None:
    """Refuse a target that cannot be written, before any time is spent on audio."""
    if target.is_dir():
        raise InputError(f"the output {target} is a folder: give a file name ending in .mp3")
    folder = next((p for p in [target.parent, *target.parent.parents] if p.exists()), Path())
    if not folder.is_dir():
        raise InputError(f"the output {target} needs a folder where {folder} is a file")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise InputError(f"the output {target} cannot be written: {folder} is not writable")


@contextlib.contextmanager
def atomic_output(target: Path, replace: bool = True) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; move it to ``target`` on success only.

    With ``replace=False`` an existing target is never replaced, even one that another
    process creates meanwhile (a hard link fails when the name exists)."""
    prefix = f".{target.name}.{os.getpid()}."
    temporary: Path | None = None
    try:
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            remove_stale_parts(target)
            handle, name = tempfile.mkstemp(prefix=prefix, suffix=".part", dir=target.parent)
        except OSError as error:
            raise OutputError(
                f"cannot write to {target.parent}: {error.strerror or error}"
            ) from error
        temporary = Path(name)
        os.close(handle)
        yield temporary
        _apply_umask(temporary)
        try:
            if replace:
                temporary.replace(target)
            else:
                os.link(temporary, target)
        except FileExistsError as error:
            raise OutputError(
                f"{target} appeared meanwhile; not replaced (--no-clobber)"
            ) from error
        except OSError as error:
            raise OutputError(f"cannot write {target}: {error.strerror or error}") from error
    finally:
        if temporary is not None:
            temporary.unlink(missing_ok=True)
        else:  # interrupted (Ctrl-C, SIGTERM) between the file's creation and its name
            for part in target.parent.glob(f"{glob.escape(prefix)}*.part"):
                part.unlink(missing_ok=True)


def remove_stale_parts(target: Path) -> list[Path]:
    """Delete temporary files of ``target`` left by renders that were killed (their process
    is gone); those of a render still running are left alone."""
    removed = []
    for part in target.parent.glob(f".{glob.escape(target.name)}.*.part"):
        pid = part.name[len(target.name) + 2 :].split(".", 1)[0]
        if pid.isdigit() and not _process_alive(int(pid)):
            part.unlink(missing_ok=True)
            removed.append(part)
    return removed


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _apply_umask(path: Path) -> None:
    """mkstemp creates files readable by the owner only; give the usual permissions."""
    umask = os.umask(0)
    os.umask(umask)
    path.chmod(0o666 & ~umask)
