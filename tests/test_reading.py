"""Reading like a careful narrator: sentence boundaries on the written text, numbers and
the rest said as a person says them, and the written text kept for readers."""

from __future__ import annotations

import itertools
import json
import re
from pathlib import Path

import pytest
from golden_rules import GOLDEN_RULES
from mutagen.id3 import ID3
from reading_cases import TABLE
from typer.testing import CliRunner

from letteraudio.cli import app
from letteraudio.render.plan import ReadingSettings, build_script
from letteraudio.text.lexicon import lexicon_from_table
from letteraudio.text.markdown import parse_markdown
from letteraudio.text.normalize import (
    KEPT_ON_PURPOSE,
    LEFT_FOR_THE_VOICE,
    normalize_text,
    normalizer,
)
from letteraudio.text.prepare import reading_language, speaker
from letteraudio.text.segment import Pauses, sentences

MOST_GOLDEN_FAILURES = 2


def test_golden_rules() -> None:
    failed = [n for n, (text, want) in enumerate(GOLDEN_RULES, 1) if sentences(text) != want]
    assert len(GOLDEN_RULES) == 48
    assert len(failed) <= MOST_GOLDEN_FAILURES, f"golden rules failed: {failed}"


@pytest.mark.parametrize("row", list(TABLE))
def test_the_table_row_by_row(row: str) -> None:
    cases = TABLE[row]
    assert len(cases) >= 5
    wrong = [(w, normalize_text(w), said) for w, said in cases if normalize_text(w) != said]
    assert wrong == []


@pytest.mark.parametrize(("written", "said"), [c for cases in TABLE.values() for c in cases])
def test_normalizing_a_sentence_never_makes_or_hides_a_boundary(written: str, said: str) -> None:
    assert sentences(written) == [written]
    assert sentences(normalize_text(written)) == [said]


def segments_of(text: str, **reading: object) -> list[tuple[str, str]]:
    settings = ReadingSettings(**reading)  # type: ignore[arg-type]
    script = build_script(text, 600, Pauses(), settings)
    return [(s.written, s.text) for s in script.segments]


def test_the_cuts_the_issue_found_are_gone() -> None:
    text = (
        "Were Jane and co. at the party? She works at Yahoo! in the accounting department. "
        "'Well!' thought Alice. He has Ph.D. level training. I can see Mt. Fuji from here, "
        "e.g. on a clear day. I never meant that.... She left the store."
    )
    found = segments_of(f"Notes\n\n{text}\n\nThe end of the notes, as written.")
    assert [w for w, _ in found[1:-1]] == [
        "Were Jane and co. at the party?",
        "She works at Yahoo! in the accounting department.",
        "'Well!' thought Alice.",
        "He has Ph.D. level training.",
        "I can see Mt. Fuji from here, e.g. on a clear day.",
        "I never meant that....",
        "She left the store.",
    ]
    said = [s for _, s in found[1:-1]]
    assert said[4] == "I can see Mount Fuji from here, for example on a clear day."
    assert said[5] == "I never meant that."


def test_a_sentence_ends_at_st_where_it_is_street() -> None:
    text = (
        "We live on 5th St. Call us soon. She lived on Baker St. Then she moved. "
        "In St. Louis the river rose. We met at St. Paul's church."
    )
    found = segments_of(f"Notes\n\n{text}\n\nThe end of the notes, as written.")
    assert found[1:-1] == [
        ("We live on 5th St.", "We live on fifth Street."),
        ("Call us soon.", "Call us soon."),
        ("She lived on Baker St.", "She lived on Baker Street."),
        ("Then she moved.", "Then she moved."),
        ("In St. Louis the river rose.", "In Saint Louis the river rose."),
        ("We met at St. Paul's church.", "We met at Saint Paul's church."),
    ]


def test_never_a_cut_before_a_lower_case_word() -> None:
    for text in ("See https://example.com/a?b=1 for more.", "The U.S. dollar rose.",
                 "It was approx. three feet."):  # fmt: skip
        assert sentences(text) == [text]
    assert sentences("1. The first item 2. The second item") == [
        "1. The first item",
        "2. The second item",
    ]


def test_a_long_paragraph_is_read_in_windows_without_a_cut_before_a_lower_case_word(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """pySBD's time grows faster than the text: a long paragraph goes to it in windows."""
    import letteraudio.text.segment as segment

    paragraph = " ".join(text for text, _ in GOLDEN_RULES)
    whole = sentences(paragraph)
    monkeypatch.setattr(segment, "WINDOW_CHARS", 120)
    windowed = sentences(paragraph)
    assert " ".join(windowed).split() == paragraph.split()
    assert not [s for s in windowed if s[0].islower() and not re.match(r"[a-z][.)] ", s)]
    assert abs(len(windowed) - len(whole)) <= 3  # the same, give or take a window's edge


def test_language_follows_lang_then_the_document_then_the_voice() -> None:
    assert reading_language("fr", {"language": "de"}, "en_US-joe") == "fr"
    assert reading_language(None, {"language": "de-AT"}, "en_US-joe") == "de-AT"
    assert reading_language(None, {"lang": "es"}) == "es"
    assert reading_language(None, {}, "/v/de_DE-thorsten-medium.onnx") == "de"
    assert reading_language(None, {}, None) is None
    german = segments_of("Es kostet 123 Euro und 5 Tage.", lang="de")
    assert german == [("Es kostet 123 Euro und 5 Tage.", "Es kostet einhundertdreiundzwanzig Euro "
                       "und fünf Tage.")]  # fmt: skip
    document = parse_markdown("---\nlang: de\n---\nEs waren 21 Leute.\n")
    assert document.metadata["lang"] == "de"
    assert normalizer("de")("Es waren 21 Leute.") == "Es waren einundzwanzig Leute."
    german_dates = segments_of("Es war am 3. Oktober. Dann kamen 21 Leute.", lang="de")
    assert german_dates == [
        ("Es war am 3. Oktober.", "Es war am 3. Oktober."),  # "3." is left for the voice
        ("Dann kamen 21 Leute.", "Dann kamen einundzwanzig Leute."),
    ]
    # Zulu: no rules here and none in num2words, so the voice gets the figures.
    assert normalizer("zu")("Abantu abangu-21 no 2020.") == "Abantu abangu-21 no 2020."


def test_the_lexicon_changes_only_what_is_spoken() -> None:
    lexicon = lexicon_from_table({"Ellewhere": "Elle, where"}, "test")
    found = segments_of("We met in Ellewhere on Jan. 5, 2020.", lexicon=lexicon)
    assert found == [("We met in Ellewhere on Jan. 5, 2020.",
                      "We met in Elle, where on January fifth, twenty twenty.")]  # fmt: skip


def test_script_shows_both_texts(tmp_path: Path) -> None:
    article = tmp_path / "note.txt"
    article.write_text(
        "Her 3-Year-Old Daughter and #MeToo\n\nShe paid $5 at https://example.com/a/b?c=1 today.\n"
        "\nNothing to rewrite here.\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(app, ["script", str(article), "--json"])
    assert result.exit_code == 0, result.output
    segments = json.loads(result.stdout)["segments"]
    assert segments[0]["written"] == "Her 3-Year-Old Daughter and #MeToo"
    assert segments[0]["text"] == "Her three-Year-Old Daughter and hashtag Me Too"
    assert segments[1]["text"] == "She paid five dollars at example dot com today."
    printed = CliRunner().invoke(app, ["script", str(article)]).stdout.splitlines()
    assert "Her 3-Year-Old Daughter and #MeToo" in printed[0]
    assert printed[1].split(None, 1) == ["said", "Her three-Year-Old Daughter and hashtag Me Too"]
    assert sum("Nothing to rewrite here." in line for line in printed) == 1  # said as written
    assert any(line.startswith("link read as its site (example.com") for line in printed)


def test_a_long_sentence_is_cut_on_its_spoken_form_and_keeps_its_words() -> None:
    text = "On Jan. 5, 2020 we paid $1,234.56, and on 2016-11-03 we paid £4.99 for 12kg of it."
    script = build_script(text, 70, Pauses(), ReadingSettings())
    assert len(script.segments) > 2
    assert all(len(s.text) <= 70 for s in script.segments)
    assert " ".join(s.written for s in script.segments).split() == text.split()
    speak = speaker(lang="en")
    assert all(s.text == " ".join(speak(s.written).split()) for s in script.segments)
    assert "November third, twenty sixteen" in " ".join(s.text for s in script.segments)


def test_markdown_nested_deeper_than_the_parser_goes_is_read_in_order() -> None:
    deep_list = "".join("  " * level + f"- item {level}\n" for level in range(3000))
    document = parse_markdown(deep_list)
    assert list(document.paragraphs) == [f"item {level}" for level in range(3000)]
    assert set(document.items) == set(range(3000))
    quote = parse_markdown("Before it.\n\n" + "> " * 3000 + "deep *quote*\n\nAfter it.\n")
    assert quote.paragraphs == ("Before it.", "deep quote", "After it.")


@pytest.mark.slow
def test_the_seed_shows_its_own_words_and_says_the_spoken_ones(
    seed_article: Path, tmp_path: Path
) -> None:
    site = tmp_path / "site"
    site.mkdir()
    out = site / "letter.mp3"
    rendered = CliRunner().invoke(app, ["render", str(seed_article), "-o", str(out), "-q",
                                        "--deterministic", "--vtt", "--srt"])  # fmt: skip
    assert rendered.exit_code == 0, rendered.output
    tag = ID3(out)
    title = str(tag["TIT2"])
    chapters = [str(c.sub_frames["TIT2"]) for c in tag.getall("CHAP")]
    vtt = out.with_suffix(".vtt").read_text(encoding="utf-8")
    srt = out.with_suffix(".srt").read_text(encoding="utf-8")
    for shown in (title, chapters[0], " ".join(vtt.split()), " ".join(srt.split())):
        assert "3-Year-Old" in shown and "#MeToo" in shown, shown
    assert "hashtag" not in vtt + srt + title
    feed = CliRunner().invoke(app, ["feed", str(site), "--base-url", "https://example.test/p",
                                    "--title", "Letters", "--description", "Letters read.",
                                    "--author", "A. Writer", "--language", "en"])  # fmt: skip
    assert feed.exit_code == 0, feed.output
    pages = [p.read_text(encoding="utf-8") for p in site.rglob("*.html")]
    assert any("3-Year-Old" in page and "#MeToo" in page for page in pages)
    assert "3-Year-Old" in (site / "feed.xml").read_text(encoding="utf-8")
    said = CliRunner().invoke(app, ["script", str(seed_article), "--json"])
    spoken = " ".join(s["text"] for s in json.loads(said.stdout)["segments"])
    assert "three-Year-Old" in spoken and "hashtag Me Too" in spoken and "#" not in spoken


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z]+", text.lower())


_FIGURE_WORD = re.compile(
    r"(?:zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|\w+teen|\w+ty|"
    r"hundred|thousand|million|point|oh)$"
)


def _accounted() -> set[str]:
    """Written words a rule may replace: the lists' abbreviations, units and month names,
    the operator "x" ("12 x 15": "by"), and "a" ("a $80 fee": "an eighty dollar fee")."""
    from letteraudio.text import numbers
    from letteraudio.text.abbreviations import (
        ABBREVIATIONS,
        AFTER_A_NAME,
        AMBIGUOUS_STATES,
        BEFORE_A_NAME,
        BEFORE_A_NUMBER,
        BEFORE_A_YEAR,
        DAYS,
        MONTH_ABBREVIATIONS,
        SAINT_OR_STREET,
        SLASHED,
        STATES,
    )

    listed = [*ABBREVIATIONS, *AFTER_A_NAME, *BEFORE_A_NAME, *BEFORE_A_NUMBER, *BEFORE_A_YEAR]
    listed += [*STATES, *AMBIGUOUS_STATES, *SLASHED, *DAYS, "a"]
    listed += [*MONTH_ABBREVIATIONS, *numbers._UNITS, SAINT_OR_STREET, "x", "https", "www"]
    return {word for entry in listed for word in _words(entry)}


TABLE_CASES = [case for cases in TABLE.values() for case in cases]


@pytest.mark.parametrize(("written", "said"), TABLE_CASES)
def test_no_rewrite_doubles_or_drops_a_word(written: str, said: str) -> None:
    """The spoken text never has a word twice in a row where the written text does not
    (figures read one by one, "Genesis one one", aside), and every written word is kept
    or is one a rule replaces (an abbreviation, a unit, a Roman numeral, a figure)."""
    spoken = normalize_text(written)
    pairs = {a for a, b in itertools.pairwise(_words(spoken)) if a == b}
    pairs -= {a for a, b in itertools.pairwise(_words(written)) if a == b}
    pairs -= {"plus"} if "++" in written else set()  # C++: "C plus plus"
    assert not [word for word in pairs if not _FIGURE_WORD.match(word)], spoken
    letters = re.sub(r"\b([A-Za-z]) (?=[A-Za-z]\b)", r"\1", spoken)  # "P M" is "pm"
    said_words, accounted = set(_words(spoken)) | set(_words(letters)), _accounted()
    for token in written.split():
        if re.search(r"[\d@&#/<>=~]", token):
            continue  # figures and symbols: read by the number, link and symbol rules
        for word in _words(token):
            roman = re.fullmatch(r"[mdclxvi]+(?:th)?", word) is not None
            assert word in said_words or word in accounted or roman, (word, spoken)


@pytest.mark.parametrize(("written", "said"), TABLE_CASES)
def test_nothing_a_voice_would_misread_is_left(written: str, said: str) -> None:
    """No digit and none of # % & = + / < > @ ^ ~ | after normalization, except what
    KEPT_ON_PURPOSE lists."""
    spoken = KEPT_ON_PURPOSE.sub("", normalize_text(written))
    assert not LEFT_FOR_THE_VOICE.search(spoken), spoken


@pytest.mark.parametrize(
    "written",
    [
        "On 4/5/2020 at 10:15 pm, 3 of 12 items (25%) cost $4.50 + tax = $5.",
        "Flight BA-2490 left gate B12 at 06.30 a.m. on the 2nd of May.",
        "Scores: 3-1, 2:2 and 10-7; see pp. 4-9 & Fig. 12 (c. 1890s).",
        "It is ~30 km/h, < 2 °C and ≈ 5 kg per 1/2 m², i.e. 24/7 at 3.5 mph.",
        "Mail <sam@example.net> or visit shop.example.co.uk by Dec 31 | Jan 2.",
        "The 1960s, the '70s, 1 in 3 and #5 of 10 in 2019/20.",
    ],
)
def test_our_own_busy_sentences_keep_nothing_for_the_voice(written: str) -> None:
    spoken = normalize_text(written)
    assert not LEFT_FOR_THE_VOICE.search(spoken), spoken
    assert sentences(written) == [written]
