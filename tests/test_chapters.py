"""Chapters from segments and their speech spans (pure)."""

from __future__ import annotations

from letteraudio.audio.stitch import Span
from letteraudio.chapters import Chapter, ChapterMode, build_chapters, first_words
from letteraudio.text.segment import Segment


def seg(index: int, kind: str, paragraph: int, text: str) -> Segment:
    return Segment(index=index, kind=kind, paragraph=paragraph, text=text, pause_after_ms=750)


SEGMENTS = [
    seg(0, "title", 0, "The Title"),
    seg(1, "paragraph", 1, "First paragraph, first piece."),
    seg(2, "paragraph", 1, "First paragraph, second piece."),
    seg(3, "paragraph", 2, "---"),  # nothing was spoken for it
    seg(4, "paragraph", 3, "Third paragraph with quite a few words in it."),
]
SPANS = [Span(300, 1500), Span(2700, 4000), Span(4250, 5000), None, Span(5750, 9000)]


def test_one_chapter_per_spoken_paragraph_first_at_zero() -> None:
    chapters = build_chapters(SEGMENTS, SPANS, 9600, ChapterMode.PARAGRAPHS, title="The Title")
    assert chapters == [
        Chapter("The Title", 0, 5750),
        Chapter("Third paragraph with quite a few\u2026", 5750, 9600),
    ]


def test_without_a_title_the_first_chapter_is_named_by_its_words() -> None:
    chapters = build_chapters(SEGMENTS[1:], SPANS[1:], 9600, ChapterMode.PARAGRAPHS)
    assert chapters[0] == Chapter("First paragraph, first piece.", 0, 5750)


def test_headings_fall_back_to_paragraphs_and_none_gives_none() -> None:
    assert build_chapters(SEGMENTS, SPANS, 9600, ChapterMode.HEADINGS) == build_chapters(
        SEGMENTS, SPANS, 9600, ChapterMode.PARAGRAPHS
    )
    assert build_chapters(SEGMENTS, SPANS, 9600, ChapterMode.NONE) == []


def test_headings_open_chapters_when_present() -> None:
    segments = [
        seg(0, "heading", 1, "Part One"),
        seg(1, "paragraph", 1, "Text."),
        seg(2, "heading", 2, "Part Two"),
        seg(3, "paragraph", 2, "More text."),
    ]
    spans = [Span(300, 900), Span(1700, 2500), Span(3500, 4000), Span(4800, 6000)]
    chapters = build_chapters(segments, spans, 6600, ChapterMode.HEADINGS)
    assert chapters == [Chapter("Part One", 0, 3500), Chapter("Part Two", 3500, 6600)]


def test_first_words() -> None:
    assert first_words("one two three", 6) == "one two three"
    assert first_words("a b c d e f g", 6) == "a b c d e f\u2026"


def test_an_opening_chapter_comes_before_the_first_heading() -> None:
    segments = [
        seg(0, "title", 0, "The Title"),
        seg(1, "paragraph", 1, "Opening words."),
        seg(2, "heading", 2, "Part One"),
        seg(3, "paragraph", 3, "Body."),
    ]
    spans = [Span(300, 900), Span(2100, 3000), Span(4200, 4800), Span(5800, 7000)]
    chapters = build_chapters(segments, spans, 7600, ChapterMode.HEADINGS, title="The Title")
    assert chapters == [Chapter("The Title", 0, 4200), Chapter("Part One", 4200, 7600)]
    by_paragraph = build_chapters(segments, spans, 7600, ChapterMode.PARAGRAPHS, title="The Title")
    assert [c.start_ms for c in by_paragraph] == [0, 5800]
