"""What the voice is given for one written sentence: an ordered list of small
``str -> str`` passes.

Each pass does one thing and can be tested alone. They run on one sentence at a time,
after the sentences were found on the written text (:mod:`letteraudio.text.segment`),
so they can neither make a boundary nor hide one: an abbreviation inside a sentence
loses its full stop ("Mt. Fuji" -> "Mount Fuji"), one at its end keeps it.

English gets every pass (US conventions). Another language gets the passes that are
the same in every language (emoji, editorial brackets) and its whole numbers in its own
words where num2words speaks it; the rest is left for its voice (:func:`normalizer`).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Sequence

from letteraudio.text.abbreviations import (
    ABBREVIATIONS,
    AFTER_A_NAME,
    AMBIGUOUS_STATES,
    BEFORE_A_NAME,
    BEFORE_A_NUMBER,
    BEFORE_A_YEAR,
    DAYS,
    DRIVE,
    PREPOSITIVE,
    SAINT_OR_STREET,
    SLASHED,
    STATES,
    STREET,
)
from letteraudio.text.numbers import say_numbers, say_numbers_in

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
_HASHTAG = re.compile(r"(?<![\w&])#((?=\d*[A-Za-z])[A-Za-z0-9][A-Za-z0-9_]*)")
_CAMEL = re.compile(
    r"(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])|(?<=[A-Za-z])(?=\d)|(?<=\d)(?=[A-Za-z])|_+"
)
_BRACKETED = re.compile(r"\[([^\[\]]{1,60})\]")
_CITATION = re.compile(r"\s?\[\d{1,3}\]")
_NUMBERED = re.compile(r"(?<![\w&])#\s?(\d+)\b")
URL = re.compile(r"\b(?:https?://|www\.)[^\s<>\"')\]]*[^\s<>\"')\].,;:!?]", re.IGNORECASE)
"""A web address as written (the ``script`` command lists the ones read as their site)."""
_TOP_LEVEL = (
    "com|org|net|edu|gov|mil|int|info|biz|io|co|tv|me|fm|app|dev|ai|uk|us|ca|au|nz|ie|de|fr|"
    "nl|be|ch|at|it|es|pt|se|no|dk|fi|pl|cz|ru|jp|cn|in|br|mx|za|ro|id"
)
_DOMAIN = re.compile(
    rf"(?<![\w.@/-])((?:[A-Za-z0-9][\w-]*\.)+(?:{_TOP_LEVEL}))(?![\w@-]|\.\w)", re.IGNORECASE
)
"""A bare web address (``example.org``, ``Archive.org``): the last part is a domain,
in lower case or as the name is written, never an initial (``U.S.``) or a file
(``notes.txt``)."""
_ANGLED = re.compile(r"<([^<>\s]+@[^<>\s]+|(?:https?://|www\.)[^<>\s]+)>")
_EMAIL = re.compile(r"(?<![\w.+-])([\w+-]+(?:\.[\w+-]+)*)@([\w-]+(?:\.[\w-]+)+)\b")
_ELLIPSIS = r"(?:\.\s?\.\s?\.(?:\s?\.)?|\u2026)"
_INNER_ELLIPSIS = re.compile(rf"\s*{_ELLIPSIS}(?=\s*\w)")
_FINAL_ELLIPSIS = re.compile(rf"\s*{_ELLIPSIS}(?=[\"'\u201d\u2019)\]]*\s*$)")
_LEADING_ELLIPSIS = re.compile(rf"^\s*{_ELLIPSIS}\s*")
_DASH = re.compile(r"\s+[\u2014\u2013-]{1,2}\s+|(?<=\w)\u2014(?=\w)")
_QUOTE_GAP = re.compile(
    r"(?<=[\"'\u201c\u201d\u2018\u2019])\s+(?=[\"'\u201c\u201d\u2018\u2019](?:\s|$))"
)
_END = re.compile(r"[\"'\u201d\u2019)\]]*\s*$")

_ABBREVIATION = re.compile(
    r"(?<![\w.])("
    + "|".join(re.escape(a) for a in sorted(ABBREVIATIONS, key=len, reverse=True))
    + r")(?![\w])"
)


def _words_of(table: Iterable[str]) -> str:
    return "|".join(re.escape(a) for a in sorted(table, key=len, reverse=True))


_REFERENCE = re.compile(
    rf"(?<![\w.])({_words_of(BEFORE_A_NUMBER)})(?<=\.)?\s?(?=(\d+(?:\s?[-\u2013,]\s?\d)?))"
)
_BEFORE_A_YEAR = re.compile(rf"(?<![\w.])({_words_of(BEFORE_A_YEAR)})\s?(?=\d{{3,4}}(?!\w))")
_DAY_RANGE = re.compile(rf"\b({_words_of(DAYS)})\.?\s?[-\u2013]\s?({_words_of(DAYS)})\b(\.?)")
_BEFORE_A_NAME = re.compile(rf"(?<![\w.])({_words_of(BEFORE_A_NAME)})(?=\s+[A-Z][a-z])")
_AFTER_A_NAME = re.compile(rf"(?<![\w.'-])({_words_of(AFTER_A_NAME)})(?![\w.'-])")
_STATE = re.compile(
    rf"(\b[A-Z][a-z]+, )(?:({_words_of(s for s in STATES if not s.endswith('.'))})"
    rf"(?!\w|\.\w)(?=[\s,;:)\]\"'.]|$)|({_words_of(s for s in STATES if s.endswith('.'))})(?!\w))"
)
_AMBIGUOUS_STATE = re.compile(
    rf"(\b[A-Z][a-z]+, )({_words_of(AMBIGUOUS_STATES)})"
    r"(?=[.!?]?[\"'\u201d\u2019)\]]*\s*$|\s+\d{5}(?!\d))"
)
"""A state code that is also a word (``OH``, ``ID``), after a city where the sentence
ends or before a ZIP code."""
_SLASHED = re.compile(
    rf"(?<![\w/])(?:({_words_of(a for a in SLASHED if not a.endswith('/'))})(?![\w/])"
    rf"|({_words_of(a for a in SLASHED if a.endswith('/'))})\s?(?=[A-Za-z])(?!o\b))"
)
_DOTLESS_SAINT = re.compile(r"(?<![\w.])[Ss]t(?=\s+[A-Z][a-z])")
_DOTLESS_STREET = re.compile(r"(\b[A-Z][a-z]+ )[Ss]t(?![\w.'])(?!\s+[A-Z])")
_SAINT = re.compile(r"(?<![\w.])" + re.escape(SAINT_OR_STREET) + r"(?=\s+[A-Z])")
_INITIALISM = re.compile(r"(?<![\w.])((?:[A-Za-z]\.){2,})(?![\w])")


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


def site(url: str) -> str:
    """The site of a web address: ``https://www.example.com/a/b?c=1`` -> ``example.com``."""
    host = re.sub(r"^(?:https?://)?(?:www\.)?", "", url, flags=re.IGNORECASE)
    return host.split("/", 1)[0].split("?", 1)[0].split("#", 1)[0].rstrip(".,;:")


def _dotted(name: str) -> str:
    return " dot ".join(part for part in name.split(".") if part)


def shorten_links(text: str) -> str:
    """A URL is read as its site (``example dot com``), and so is a bare domain
    (``Archive.org``); an e-mail address as ``jo at example dot com``, without the angle
    brackets around it (``<jo@example.org>``)."""
    text = _ANGLED.sub(r"\1", text)
    text = URL.sub(lambda m: _dotted(site(m.group(0))), text)
    text = _EMAIL.sub(lambda m: f"{_dotted(m.group(1))} at {_dotted(m.group(2))}", text)
    return _DOMAIN.sub(_domain, text)


def _domain(match: re.Match[str]) -> str:
    name = match.group(1)
    last = name.rsplit(".", 1)[1]
    if last != last.lower() and name != name.upper():
        return name  # "Acme.Com"? a name, not an address
    return _dotted(name)


def _stop(match: re.Match[str]) -> str:
    """The full stop of an abbreviation that ends the sentence, which stays."""
    return "." if _END.fullmatch(match.string, match.end()) else ""


def _reference(match: re.Match[str]) -> str:
    """``p. 117`` "page", ``pp. 12-15`` and ``p. 3-5`` "pages" (a range follows)."""
    one, many = BEFORE_A_NUMBER[match.group(1)]
    return (many if re.search(r"[-\u2013,]", match.group(2)) else one) + " "


def expand_abbreviations(text: str) -> str:
    """``Dr.`` -> ``Doctor``, ``co.`` -> ``company``, ``No. 5`` -> ``number 5``; ``St.``
    is Street after a name or a number (``5th St.``) and Saint before a name (``St.
    Michael's``). Inside a sentence the full stop goes (a voice would pause there); an
    abbreviation that ends the sentence keeps it (``etc.`` -> ``et cetera.``).

    By context: a reference before a figure (``p. 117`` "page", ``vol 3``), ``c.`` or
    ``d.`` before a year (``c. 1400`` "circa", ``d. 1934`` "died"); a title
    written without its full stop before a name (``Mr Smith``, ``dr Jones``); ``Ltd``,
    ``jr``, ``vs`` wherever they stand; a state after a city and a comma
    (``Springfield, MO`` "Missouri", ``Albany, N.Y.``); ``st`` as ``St.``."""
    text = _REFERENCE.sub(_reference, text)
    text = _DAY_RANGE.sub(
        lambda m: f"{DAYS[m.group(1)]} to {DAYS[m.group(2)]}" + (_stop(m) if m.group(3) else ""),
        text,
    )
    text = _BEFORE_A_YEAR.sub(lambda m: BEFORE_A_YEAR[m.group(1)] + " ", text)
    text = STREET.sub(lambda m: f"{m.group(1)} Street{_stop(m)}", text)
    text = _SAINT.sub("Saint", text)
    text = _DOTLESS_SAINT.sub("Saint", text)
    text = _DOTLESS_STREET.sub(r"\1Street", text)
    text = _STATE.sub(
        lambda m: m.group(1) + STATES[m.group(2) or m.group(3)] + (_stop(m) if m.group(3) else ""),
        text,
    )
    text = _AMBIGUOUS_STATE.sub(lambda m: m.group(1) + AMBIGUOUS_STATES[m.group(2)], text)
    text = DRIVE.sub(lambda m: f"{m.group(1)} Drive{_stop(m)}", text)
    if "/" in text:
        text = _SLASHED.sub(
            lambda m: SLASHED[m.group(1)] if m.group(1) else SLASHED[m.group(2)] + " ", text
        )
    text = _BEFORE_A_NAME.sub(lambda m: BEFORE_A_NAME[m.group(1)], text)
    text = _AFTER_A_NAME.sub(lambda m: AFTER_A_NAME[m.group(1)], text)

    def expand(match: re.Match[str]) -> str:
        written = match.group(1)
        return ABBREVIATIONS[written] + ("" if written in PREPOSITIVE else _stop(match))

    return _ABBREVIATION.sub(expand, text)


def spell_initialisms(text: str) -> str:
    """``U.S.`` -> ``U S``, ``a.m.`` -> ``A M``: letters, without the full stops a voice
    would pause at (the last one stays when it ends the sentence)."""
    return _INITIALISM.sub(lambda m: " ".join(m.group(1).replace(".", "").upper()) + _stop(m), text)


_AMPERSAND = re.compile(r"\s*&\s*(?=\w)")
_EQUALS = re.compile(r"\s*={1,3}\s*")
_PLUS_PLUS = re.compile(r"(?<=\w)\+\+(?![\w+])")
"""``C++``, ``Notepad++``: "C plus plus"."""
_PLUS = re.compile(r"(?<=\w)\s*\+\s*(?=\w)|(?<=\s)\+(?=\s)")
_ABOUT = re.compile(r"(?<![\w~])[~\u2248]\s?(?=\w)")
_LESS = re.compile(r"(?<![\w<])(?:<|\u2264)\s?(?=\w)(?![^<>]*>)")
_MORE = re.compile(r"(?<![\w>-])(?:>|\u2265)\s?(?=\w)")
_BAR = re.compile(r"\s*\|\s*")
_POWER = re.compile(r"(?<=\w)\^(?=\w)")
_SHARP = re.compile(r"(?<=\b[A-Z])#")
_HASH = re.compile(r"#\s?")
_AT = re.compile(r"(?<!\w)@(?=\w)|\s@\s")
_PERCENT_SIGN = re.compile(r"\s?%")
_WORD_SLASH = re.compile(r"(?<=[A-Za-z])/(?=[A-Za-z])")
_SPACED_SLASH = re.compile(r"\s+/\s*|\s*/\s+")


def say_symbols(text: str) -> str:
    """Symbols left in running text after the numbers, as a narrator says them: ``&``
    "and", ``=`` "equals", ``+`` "plus", ``~5`` "about five", ``< 5`` "less than five",
    ``C#`` "C sharp", ``@jo`` "at jo", ``and/or`` "and or", a spaced ``/`` or ``|`` a
    short pause. An HTML-like tag (``<p>``) stays as written, and so does a symbol with
    nothing to say around it."""
    if not any(c in text for c in "&=+~\u2248<>\u2264\u2265|^#@%/"):
        return text
    text = _AMPERSAND.sub(" and ", text)
    text = _EQUALS.sub(" equals ", text)
    text = _PLUS_PLUS.sub(" plus plus", text)
    text = _PLUS.sub(" plus ", text)
    text = _ABOUT.sub("about ", text)
    text = _LESS.sub("less than ", text)
    text = _MORE.sub(lambda m: m.group(0) if "<" in text[: m.start()] else "more than ", text)
    text = _POWER.sub(" to the power of ", text)
    text = _SHARP.sub(" sharp", text)
    text = _HASH.sub("number ", text)
    text = _AT.sub(" at ", text)
    text = _PERCENT_SIGN.sub(" percent", text)
    text = _WORD_SLASH.sub(" ", text)
    text = _SPACED_SLASH.sub(", ", text)
    return _BAR.sub(", ", text)


LEFT_FOR_THE_VOICE = re.compile(r"[\d#%&=+/<>@^~|]")
"""What a voice would read its own way: after normalization an English sentence holds
none of these, except where :data:`KEPT_ON_PURPOSE` says so."""
KEPT_ON_PURPOSE = re.compile(r"</?[A-Za-z][A-Za-z0-9]*>")
"""Left as written on purpose: an HTML-like tag named in running text (``the tag <p>``),
which has no words to be said in."""


def soften_punctuation(text: str) -> str:
    """Ellipses and spaced dashes inside a sentence become short pauses (commas); an
    ellipsis that ends the sentence becomes its full stop (``that....`` -> ``that.``), one
    that opens it goes; stray spaces between quote marks go (``'me too,' "`` ->
    ``'me too,'"``)."""
    text = _QUOTE_GAP.sub("", text)
    text = _LEADING_ELLIPSIS.sub("", text)
    text = _FINAL_ELLIPSIS.sub(".", text)
    text = _INNER_ELLIPSIS.sub(",", text)
    return _DASH.sub(", ", text)


DEFAULT_PASSES: tuple[Pass, ...] = (
    remove_emoji,
    shorten_links,
    spell_hashtags,
    unbracket,
    expand_abbreviations,
    say_numbers,
    say_symbols,
    spell_initialisms,
    soften_punctuation,
)
"""The English passes, in order."""


def normalize_text(text: str, passes: Sequence[Pass] = DEFAULT_PASSES) -> str:
    """Apply each pass in order."""
    for step in passes:
        text = step(text)
    return text


def is_english(lang: str | None) -> bool:
    from letteraudio.languages import primary_language

    return lang is None or primary_language(lang) == "en"


@functools.lru_cache(maxsize=16)
def normalizer(lang: str | None = None) -> Pass:
    """The normalization of one sentence in ``lang`` (a BCP 47 tag; None is English)."""
    if is_english(lang):
        return normalize_text
    assert lang is not None

    def other(text: str) -> str:
        return soften_punctuation(say_numbers_in(unbracket(remove_emoji(text)), lang))

    return other
