"""ID3 tags for podcast players: metadata, cover art, and chapters (CHAP + CTOC).

ID3v2.3 by default (id3lib-based readers see no tag at all in v2.4); v2.4 on request.
Nothing depends on the clock: the same settings give the same bytes.
"""

from __future__ import annotations

import datetime
import re
import stat
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from letteraudio.errors import InputError, OutputError
from letteraudio.languages import primary_language
from letteraudio.values import Chapter, Metadata

GENRE = "Podcast"
TOC_ID = "toc"
MAX_COVER_BYTES = 10 * 2**20
_IMAGE_TYPES = {b"\xff\xd8\xff": "image/jpeg", b"\x89PNG\r\n\x1a\n": "image/png"}
# ISO 639-1 -> ISO 639-2/B for the TLAN frame (the languages gTTS and Piper voices cover most).
_LANGUAGES = {
    "af": "afr", "ar": "ara", "bg": "bul", "bn": "ben", "bs": "bos", "ca": "cat", "cs": "cze",
    "cy": "wel", "da": "dan", "de": "ger", "el": "gre", "en": "eng", "es": "spa", "et": "est",
    "fa": "per", "fi": "fin", "fr": "fre", "gu": "guj", "he": "heb", "hi": "hin", "hr": "hrv",
    "hu": "hun", "id": "ind", "is": "ice", "it": "ita", "ja": "jpn", "ka": "geo", "kk": "kaz",
    "kn": "kan", "ko": "kor", "lt": "lit", "lv": "lav", "ml": "mal", "mr": "mar", "ms": "may",
    "ne": "nep", "nl": "dut", "no": "nor", "pl": "pol", "pt": "por", "ro": "rum", "ru": "rus",
    "sk": "slo", "sl": "slv", "sq": "alb", "sr": "srp", "sv": "swe", "sw": "swa", "ta": "tam",
    "te": "tel", "th": "tha", "tr": "tur", "uk": "ukr", "ur": "urd", "vi": "vie", "zh": "chi",
}  # fmt: skip


def language_code(language: str) -> str | None:
    """ISO 639-2 code for TLAN from ``en``, ``en-US`` or ``eng``; None when unknown."""
    code = primary_language(language)
    if len(code) == 3 and code.isalpha():
        return code
    return _LANGUAGES.get(code)


def read_cover(path: Path) -> tuple[str, bytes]:
    """(MIME type, bytes) of a JPEG or PNG cover; anything else is an :class:`InputError`:
    a cover must be a regular file (never a device or a FIFO, read forever or waited on
    forever) of at most :data:`MAX_COVER_BYTES`."""
    try:
        if not stat.S_ISREG(path.stat().st_mode):
            raise InputError(f"cover {path}: not a regular file")
        with path.open("rb") as file:
            data = file.read(MAX_COVER_BYTES + 1)
    except OSError as error:
        raise InputError(f"cover {path}: cannot read ({error.strerror or error})") from error
    if len(data) > MAX_COVER_BYTES:
        raise InputError(f"cover {path}: over {MAX_COVER_BYTES // 2**20} MB; podcast apps "
                         "want a JPEG or PNG of at most a few hundred KB")  # fmt: skip
    for magic, mime in _IMAGE_TYPES.items():
        if data.startswith(magic):
            return mime, data
    raise InputError(f"cover {path}: not a JPEG or PNG image")


def check_date(value: str) -> None:
    """Refuse a release date that is neither ``YYYY`` nor ``YYYY-MM-DD``."""
    try:
        if re.fullmatch(r"\d{4}", value):
            return
        datetime.date.fromisoformat(value)
    except ValueError:
        pass
    else:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            return
    raise InputError(f"date {value!r}: give YYYY or YYYY-MM-DD")


def write_tags(
    path: Path,
    metadata: Metadata,
    chapters: Sequence[Chapter],
    length_ms: int,
    id3v24: bool = False,
) -> None:
    """Replace the MP3's ID3 tag with one built from ``metadata`` and ``chapters``."""
    from mutagen import MutagenError
    from mutagen.id3 import (
        APIC,
        CHAP,
        COMM,
        CTOC,
        TALB,
        TCON,
        TDRC,
        TIT2,
        TLAN,
        TLEN,
        TPE1,
        CTOCFlags,
        Encoding,
    )  # fmt: skip

    text = Encoding.UTF8 if id3v24 else Encoding.UTF16
    tag = _time_ordered_id3()()
    tag.add(TIT2(encoding=text, text=[metadata.title]))
    if metadata.author:
        tag.add(TPE1(encoding=text, text=[metadata.author]))
    if metadata.show:
        tag.add(TALB(encoding=text, text=[metadata.show]))
    tag.add(TCON(encoding=text, text=[GENRE]))
    if metadata.date:
        tag.add(TDRC(encoding=text, text=[metadata.date]))
    language = language_code(metadata.language) if metadata.language else None
    if metadata.description:
        tag.add(COMM(encoding=text, lang=language or "eng", desc="", text=[metadata.description]))
    if language:
        tag.add(TLAN(encoding=text, text=[language]))
    tag.add(TLEN(encoding=text, text=[str(length_ms)]))
    if metadata.cover:
        mime, data = read_cover(metadata.cover)
        tag.add(APIC(encoding=Encoding.LATIN1, mime=mime, type=3, desc="", data=data))
    ids = [f"chp{i}" for i in range(len(chapters))]
    if chapters:
        tag.add(
            CTOC(
                element_id=TOC_ID,
                flags=CTOCFlags.TOP_LEVEL | CTOCFlags.ORDERED,
                child_element_ids=ids,
                sub_frames=[TIT2(encoding=text, text=["Chapters"])],
            )
        )
    for element_id, chapter in zip(ids, chapters, strict=True):
        tag.add(
            CHAP(
                element_id=element_id,
                start_time=chapter.start_ms,
                end_time=chapter.end_ms,
                start_offset=0xFFFFFFFF,
                end_offset=0xFFFFFFFF,
                sub_frames=[TIT2(encoding=text, text=[chapter.title])],
            )
        )
    if not id3v24:
        tag.update_to_v23()
    try:
        tag.save(path, v1=0, v2_version=4 if id3v24 else 3, padding=lambda info: 0)
    except MutagenError as error:
        raise OutputError(f"cannot write tags to {path}: {error}") from error


def _frame_order(frame: Any) -> tuple[int, int, str]:
    """Text frames first, then the table of contents, chapters by start time, pictures last."""
    if frame.FrameID == "CTOC":
        return (1, 0, frame.HashKey)
    if frame.FrameID == "CHAP":
        return (2, frame.start_time, frame.HashKey)
    if frame.FrameID == "APIC":
        return (3, 0, frame.HashKey)
    return (0, _TEXT_ORDER.get(frame.FrameID, len(_TEXT_ORDER)), frame.HashKey)


_TEXT_ORDER = {name: i for i, name in enumerate(["TIT2", "TPE1", "TALB", "TYER", "TDRC", "TCON"])}


def _time_ordered_id3() -> type:
    from mutagen.id3 import ID3
    from mutagen.id3._tags import save_frame

    class TimeOrderedID3(ID3):
        """mutagen orders frames by size; players that list chapters in file order (ffmpeg
        and the players built on it) then show them shuffled. Write them in time order."""

        def _write(self, config: Any) -> bytearray:
            frames = sorted(self.values(), key=_frame_order)
            return bytearray().join(save_frame(frame, config=config) for frame in frames)

    return TimeOrderedID3


# --- reading -------------------------------------------------------------------------


def read_tag(path: Path) -> Any | None:
    """The ID3 tag of an MP3 (mutagen's ``ID3``), or None when it has none or cannot be read.
    What ``check`` judges and what ``feed`` shows of an MP3 without an episode file. A tag
    that is there but damaged (a foreign version, sizes that are not synchsafe, frames cut
    short) is an :class:`InputError` saying so."""
    import struct

    from mutagen import MutagenError
    from mutagen.id3 import ID3, ID3NoHeaderError

    try:
        return ID3(path)
    except (ID3NoHeaderError, OSError):
        return None
    except (MutagenError, ValueError, LookupError, EOFError, struct.error) as error:
        raise InputError(f"{path}: damaged ID3 tag ({error or type(error).__name__})") from None


def frame_text(tag: Any, frame: str) -> str | None:
    """The first text of a frame (``TIT2``, ``TPE1``...), or None when it is missing or empty."""
    from letteraudio.values import clean_text

    found = tag.get(frame)
    if found is None or not getattr(found, "text", None):
        return None
    return clean_text(str(found.text[0]), newlines=False) or None


def tag_chapters(tag: Any) -> list[Chapter]:
    """The tag's CHAP frames as chapters, in time order (a chapter without a title is
    named by its element id)."""
    return sorted(
        (Chapter(frame_text(c.sub_frames, "TIT2") or c.element_id, int(c.start_time),
                 int(c.end_time))
         for c in tag.getall("CHAP")),
        key=lambda chapter: chapter.start_ms,
    )  # fmt: skip
