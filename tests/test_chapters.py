"""Chapters from segments and their speech spans (pure)."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
from mutagen.id3 import ID3

from letteraudio.audio.mp3join import Mp3Joiner, encode_chunk, samples_for_frames
from letteraudio.audio.stitch import Span
from letteraudio.chapters import MAX_CHAPTERS, Chapter, ChapterMode, build_chapters, first_words
from letteraudio.tags import Metadata, write_tags
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


def test_a_long_article_gets_at_most_255_chapters_and_they_fit_in_the_tag(tmp_path: Path) -> None:
    paragraphs = 600
    segments = [seg(0, "title", 0, "Title")]
    segments += [seg(i, "paragraph", i, f"Paragraph number {i} speaks.") for i in range(1, 601)]
    spans = [Span(1000 * i, 1000 * i + 800) for i in range(paragraphs + 1)]
    chapters = build_chapters(segments, spans, 1000 * (paragraphs + 1), ChapterMode.PARAGRAPHS)
    assert 200 <= len(chapters) <= MAX_CHAPTERS
    assert chapters[0].start_ms == 0 and chapters[-1].end_ms == 1000 * (paragraphs + 1)
    assert all(a.end_ms == b.start_ms for a, b in itertools.pairwise(chapters))
    assert chapters[1].title == "Paragraph number 4 speaks."  # three paragraphs a chapter

    mp3 = tmp_path / "long.mp3"
    with mp3.open("wb") as stream:
        joiner = Mp3Joiner(stream)
        silence = np.zeros(samples_for_frames(20), dtype=np.int16)
        joiner.add(encode_chunk(silence, 44_100, 96), len(silence))
        joiner.finish()
    write_tags(mp3, Metadata(title="Long"), chapters, 1000 * (paragraphs + 1))
    tag = ID3(mp3)
    assert len(tag.getall("CHAP")) == len(chapters)
    (toc,) = tag.getall("CTOC")
    assert len(toc.child_element_ids) == len(chapters)
