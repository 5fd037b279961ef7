"""Structure: title, subtitle and paragraphs."""

from __future__ import annotations

import pytest

from letteraudio.text.parse import Document, parse_text


def test_title_subtitle_and_paragraphs() -> None:
    first = "The boats came in early, one after another, and the gulls followed them."
    second = "Nobody minded the noise; it was the sound of the harbour waking up again."
    text = f"The Harbour at Dawn\n\nA short morning walk.\n\n{first}\n\n{second}"
    assert parse_text(text) == Document(
        title="The Harbour at Dawn", subtitle="A short morning walk.", paragraphs=(first, second)
    )


def test_a_first_paragraph_as_long_as_the_others_is_not_a_subtitle() -> None:
    text = "A Title\n\nOne line of seven words in it.\n\nAnother line of seven words here.\n\nEnd."
    document = parse_text(text)
    assert document.title == "A Title"
    assert document.subtitle is None
    assert document.paragraphs[0] == "One line of seven words in it."


def test_a_first_line_ending_like_a_sentence_is_not_a_title() -> None:
    document = parse_text("This opens with a sentence.\n\nAnd goes on.")
    assert document.title is None
    assert document.paragraphs == ("This opens with a sentence.", "And goes on.")


def test_a_long_first_line_is_not_a_title() -> None:
    long_line = " ".join(["word"] * 30)
    document = parse_text(f"{long_line}\n\nSecond block.")
    assert document.title is None
    assert document.paragraphs[0] == long_line


def test_a_lone_line_is_a_paragraph_not_a_title() -> None:
    assert parse_text("Just One Line") == Document(paragraphs=("Just One Line",))


def test_title_question_mark_is_allowed_and_wrapped_subtitle_is_a_paragraph() -> None:
    document = parse_text("Why Walk?\n\nBecause the hills\nare there.\n\nMore.")
    assert document.title == "Why Walk?"
    assert document.subtitle is None
    assert document.paragraphs == ("Because the hills are there.", "More.")


def test_whitespace_only_lines_separate_paragraphs() -> None:
    document = parse_text("One.\n   \t\nTwo.\n\n\n\nThree.")
    assert document.paragraphs == ("One.", "Two.", "Three.")


def test_seed_article_structure(seed_article) -> None:  # type: ignore[no-untyped-def]
    from letteraudio.text.read import read_article

    document = parse_text(read_article(seed_article))
    assert document.title is not None and document.title.startswith("Alyssa Milano Writes")
    assert document.subtitle == '"Know that mama is always here for you."'
    # Eleven blocks of body text, the two newsletter lines included (boilerplate is issue 6).
    assert len(document.paragraphs) == 11
    assert document.paragraphs[-1].startswith("Subscribe to our newsletter")


def test_a_title_glued_to_its_first_paragraph() -> None:
    text = (
        "The Harbour at Dawn\n"
        "The boats came in early, one after another, and the gulls\n"
        "followed them all the way to the pier.\n"
    )
    document = parse_text(text)
    assert document.title == "The Harbour at Dawn"
    assert document.paragraphs == (
        "The boats came in early, one after another, and the gulls followed them all the way "
        "to the pier.",
    )


def test_a_hard_wrapped_first_paragraph_is_not_a_title() -> None:
    text = "The boats came in early, one after another, and\nthe gulls followed them.\n\nMore."
    assert parse_text(text).title is None


def test_unicode_spaces_make_a_blank_line() -> None:
    assert parse_text("One.\n\u2003\u00a0\nTwo.").paragraphs == ("One.", "Two.")


def test_short_lines_before_longer_paragraphs_are_headings() -> None:
    text = (
        "The Title\n\n"
        "An opening paragraph that sets the scene for everything that follows here.\n\n"
        "Part One\n\n"
        "The first part has a paragraph that is clearly longer than its heading.\n\n"
        "What Came Next\n\n"
        "And a second part, also longer than the heading above it, ends the piece.\n"
    )
    document = parse_text(text)
    assert document.title == "The Title"
    assert [document.paragraphs[i] for i in document.headings] == ["Part One", "What Came Next"]


@pytest.mark.parametrize(
    "text",
    [
        "Title\n\nFirst paragraph with words.\n\nWhy?\n\nBecause the words go on and on here.",
        "Title\n\nFirst paragraph with words.\n\nA closing line",  # last block: not a heading
        "Title\n\nFirst paragraph with words.\n\nShort line here\n\nShort too.",  # not followed
    ],
)
def test_not_headings(text: str) -> None:
    assert parse_text(text).headings == ()


@pytest.mark.parametrize(
    ("block", "items"),
    [
        ("- apples\n- pears\n* bread", ["apples", "pears", "bread"]),
        ("\u2022 one thing\n\u2022 another", ["one thing", "another"]),
        ("1. Open the box.\n2. Take the lamp.", ["1. Open the box.", "2. Take the lamp."]),
        (
            "| Name | Town | Count |\n|------|:----:|------:|\n"
            "| Ann | Leeds | 12 |\n| Bob | York | 7 |",
            ["Name, Town, Count", "Ann, Leeds, 12", "Bob, York, 7"],
        ),
        ("Item 1 | river | 12\nItem 2 | garden | 7", ["Item 1, river, 12", "Item 2, garden, 7"]),
        ("a | b\n---+---\nc | d", ["a, b", "c, d"]),
    ],
)
def test_plain_text_rows_and_list_items_are_read_one_by_one(block: str, items: list[str]) -> None:
    # Joined as hard wraps, "golden Item 2" ran one row into the next with no pause.
    document = parse_text(
        f"A Title\n\nFirst a sentence of prose here.\nIt wraps.\n\n{block}\n\nThe end.\n"
    )
    assert list(document.paragraphs) == [
        "First a sentence of prose here. It wraps.",
        *items,
        "The end.",
    ]
    assert [document.kind(i) for i in range(len(document.paragraphs))] == [
        "paragraph", *["item"] * len(items), "paragraph",
    ]  # fmt: skip


@pytest.mark.parametrize(
    "block",
    [
        "A line wrapped by hand\n- and a line that starts with a dash",
        "the pipe | in one line\nbut not in the next one",
        "- one item alone",
        "x | y",
    ],
)
def test_hard_wrapped_lines_stay_one_paragraph(block: str) -> None:
    document = parse_text(
        f"A Title\n\nFirst a sentence of prose here.\nIt wraps.\n\n{block}\n\nThe end.\n"
    )
    assert list(document.paragraphs)[-2:] == [" ".join(block.split("\n")), "The end."]
    assert document.items == ()
