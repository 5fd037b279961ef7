"""Text clean-up before speaking: an ordered list of small ``str -> str`` passes.

Each pass does one thing and can be tested alone. They run on each block (title,
heading, paragraph) after parsing, so they never change the article's structure.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from letteraudio.text.numbers import say_numbers

Pass = Callable[[str], str]

_EMOJI = re.compile(
    "["
    "\U0001f000-\U0001faff"  # pictographs, emoticons, transport, flags, symbols & pictographs
    "\u2600-\u27bf"  # miscellaneous symbols and dingbats
    "\u2b00-\u2bff"  # arrows and stars used as emoji
    "\ufe00-\ufe0f"  # variation selectors
    "\U000e0020-\U000e007f"  # tag characters (flag sequences)
    "]+"
)
_HASHTAG = re.compile(r"(?<![\w&])#([A-Za-z][A-Za-z0-9_]*)")
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])|(?<=[A-Za-z])(?=\d)|_+")
_BRACKETED = re.compile(r"\[([^\[\]]{1,60})\]")
_CITATION = re.compile(r"\s?\[\d{1,3}\]")
_NUMBERED = re.compile(r"(?<![\w&])#(\d+)\b")
_URL = re.compile(r"\b(?:https?://|www\.)[^\s<>\"')\]]*[^\s<>\"')\].,;:!?]", re.IGNORECASE)
_EMAIL = re.compile(r"\b([\w.+-]+)@([\w-]+(?:\.[\w-]+)+)\b")
_ELLIPSIS = re.compile(r"\s*(?:\.\s?\.\s?\.|\u2026)(?=\s*\w)")
_DASH = re.compile(r"\s+[\u2014\u2013-]{1,2}\s+|(?<=\w)\u2014(?=\w)")
_QUOTE_GAP = re.compile(
    r"(?<=[\"'\u201c\u201d\u2018\u2019])\s+(?=[\"'\u201c\u201d\u2018\u2019](?:\s|$))"
)

TITLES = {"Mr.": "Mister", "Mrs.": "Missus", "Ms.": "Miz", "Dr.": "Doctor", "Prof.": "Professor"}
"""Abbreviations that always stand before a name, so never end a sentence."""
ABBREVIATIONS = {
    **TITLES, "Jr.": "Junior", "Sr.": "Senior", "Mt.": "Mount", "vs.": "versus",
    "etc.": "et cetera", "e.g.": "for example", "i.e.": "that is", "approx.": "approximately",
}  # fmt: skip
_ABBREVIATION = re.compile(
    r"(?<![\w.])(" + "|".join(re.escape(a) for a in ABBREVIATIONS) + r")(?=(\s+\S|\s*$|,))"
)
_NUMBER_SIGN = re.compile(r"(?<![\w.])No\.(?=\s*\d)")
_SAINT = re.compile(r"(?<![\w.])St\.(?=\s+[A-Z])")
_STREET = re.compile(r"\b([A-Z][a-z]+) St\.")


def remove_emoji(text: str) -> str:
    """Drop emoji and pictographs: a voice would read out their names ("party popper")."""
    return _EMOJI.sub(" ", text)


def spell_hashtags(text: str) -> str:
    """``#MeToo`` -> ``hashtag Me Too``; ``#1`` -> ``number 1``."""
    text = _NUMBERED.sub(r"number \1", text)
    return _HASHTAG.sub(lambda m: "hashtag " + _CAMEL.sub(" ", m.group(1)).strip(), text)


def unbracket(text: str) -> str:
    """Editorial brackets are read as their words (``[her] power`` -> ``her power``);
    citation marks (``[1]``) go."""
    return _BRACKETED.sub(r"\1", _CITATION.sub("", text))


def shorten_links(text: str) -> str:
    """A URL is read as its site (``example.com``); an e-mail address as ``name at site``."""
    text = _URL.sub(lambda m: _site(m.group(0)), text)
    return _EMAIL.sub(lambda m: f"{m.group(1)} at {m.group(2)}", text)


def expand_abbreviations(text: str) -> str:
    """``Dr.`` -> ``Doctor``, ``e.g.`` -> ``for example``, ``No. 5`` -> ``number 5``;
    ``St.`` is Street after a name (``Main St.``) and Saint before one (``St. Paul``).
    An abbreviation that ends a sentence keeps its full stop (``etc. Then`` -> ``et
    cetera. Then``); titles never end one."""
    text = _NUMBER_SIGN.sub("number", text)
    text = _STREET.sub(
        lambda m: f"{m.group(1)} Street" + ("." if _ends_sentence(text, m.end()) else ""), text
    )
    text = _SAINT.sub("Saint", text)

    def expand(match: re.Match[str]) -> str:
        word = ABBREVIATIONS[match.group(1)]
        ends = match.group(1) not in TITLES and _ends_sentence(text, match.end())
        return word + ("." if ends else "")

    return _ABBREVIATION.sub(expand, text)


def _ends_sentence(text: str, end: int) -> bool:
    """True when what follows ``end`` starts a new sentence (a capital) or nothing follows."""
    rest = text[end:].lstrip()
    return not rest or rest[0].isupper()


def soften_punctuation(text: str) -> str:
    """Ellipses and spaced dashes become short pauses (commas); stray spaces between quote
    marks go (``'me too,' "`` -> ``'me too,'"``), so sentences are not cut there."""
    text = _QUOTE_GAP.sub("", text)
    text = _ELLIPSIS.sub(",", text)
    return _DASH.sub(", ", text)


def _site(url: str) -> str:
    host = re.sub(r"^(?:https?://)?(?:www\.)?", "", url, flags=re.IGNORECASE)
    return host.split("/", 1)[0].split("?", 1)[0].rstrip(".,;:")


DEFAULT_PASSES: tuple[Pass, ...] = (
    remove_emoji,
    shorten_links,
    spell_hashtags,
    unbracket,
    expand_abbreviations,
    say_numbers,
    soften_punctuation,
)


def normalize_text(text: str, passes: Sequence[Pass] = DEFAULT_PASSES) -> str:
    """Apply each pass in order."""
    for step in passes:
        text = step(text)
    return text
