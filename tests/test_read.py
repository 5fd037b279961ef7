"""Reading: encodings and newline styles give the same text and the same segments."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from letteraudio.errors import InputError
from letteraudio.text.parse import parse_text
from letteraudio.text.read import decode_text, read_article
from letteraudio.text.segment import Pauses, segment_document

ARTICLE = (
    "Letters From the Coast\n"
    "\n"
    "\u201cWrite when you can,\u201d she said \u2014 and I did, every week.\n"
    "\n"
    "The caf\u00e9 by the harbour served tea in chipped cups; nobody minded.\n"
    "It was the kind of place where time slowed down.\n"
)


def segments_of(text: str) -> list[tuple[str, str, int]]:
    document = parse_text(text)
    return [(s.kind, s.text, s.pause_after_ms) for s in segment_document(document, 600, Pauses())]


def encodings() -> dict[str, bytes]:
    return {
        "utf-8": ARTICLE.encode("utf-8"),
        "utf-8 with BOM": codecs.BOM_UTF8 + ARTICLE.encode("utf-8"),
        "utf-16-le with BOM": codecs.BOM_UTF16_LE + ARTICLE.encode("utf-16-le"),
        "utf-16-be with BOM": codecs.BOM_UTF16_BE + ARTICLE.encode("utf-16-be"),
        "cp1252": ARTICLE.encode("cp1252"),
        "utf-8 CRLF": ARTICLE.replace("\n", "\r\n").encode("utf-8"),
        "utf-8 CR": ARTICLE.replace("\n", "\r").encode("utf-8"),
        "cp1252 CRLF": ARTICLE.replace("\n", "\r\n").encode("cp1252"),
        "utf-16 CRLF": ARTICLE.replace("\n", "\r\n").encode("utf-16"),
    }


@pytest.mark.parametrize("name", list(encodings()))
def test_every_encoding_and_newline_style_gives_the_same_segments(name: str) -> None:
    data = encodings()[name]
    assert decode_text(data) == ARTICLE
    assert segments_of(decode_text(data)) == segments_of(ARTICLE)


def test_curly_quotes_survive_cp1252() -> None:
    text = decode_text("\u201cHello,\u201d she said \u2013 it\u2019s late.".encode("cp1252"))
    assert text == "\u201cHello,\u201d she said \u2013 it\u2019s late."


def test_hard_wrapped_lines_join_into_one_paragraph() -> None:
    wrapped = (
        "Title Here\n\n"
        "The first line of a paragraph\nwraps onto a second line\n  and a third.\n\n"
        "Next."
    )
    document = parse_text(wrapped)
    assert document.paragraphs[0] == (
        "The first line of a paragraph wraps onto a second line and a third."
    )
    assert document.paragraphs[1] == "Next."


def test_read_article_from_file(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_bytes(ARTICLE.encode("cp1252"))
    assert read_article(path) == ARTICLE


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: p / "missing.txt", "no such file"),
        (lambda p: p, "is a directory"),
    ],
)
def test_unusable_paths_raise_input_error(tmp_path: Path, make, message: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InputError, match=message):
        read_article(make(tmp_path))


def test_binary_input_is_refused() -> None:
    with pytest.raises(InputError, match="binary"):
        decode_text(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4)


@pytest.mark.parametrize(
    "text",
    [
        "It\u2019s late.",
        "A short note \u2014 one dash.",
        "Caf\u00e9 cr\u00e8me \u2014 \u201cnice\u201d.",
        "Hello \u2022 bullet \u2122 trademark",
    ],
)
def test_short_cp1252_lines_are_not_mistaken_for_exotic_code_pages(text: str) -> None:
    assert decode_text(text.encode("cp1252")) == text


def test_non_western_code_pages_still_decode() -> None:
    russian = "\u041f\u0440\u0438\u0432\u0435\u0442, \u043a\u0430\u043a \u0434\u0435\u043b\u0430?"
    assert decode_text(russian.encode("cp1251")) == russian


def test_utf8_with_one_pasted_cp1252_line_keeps_both() -> None:
    data = "Milan\u00f6 wrote.\n".encode() + "It\u2019s late.".encode("cp1252")
    assert decode_text(data) == "Milan\u00f6 wrote.\nIt\u2019s late."


def test_doubly_converted_line_endings() -> None:
    assert decode_text(b"One\r\r\ntwo.\r\r\n\r\r\nThree.") == "One\ntwo.\n\nThree."
