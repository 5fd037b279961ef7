"""Numbers as words (num2words): counts, ordinals, years, decades, money, percentages, times.

Only forms a voice gets wrong or reads ambiguously are rewritten; the rest is left alone.
"""

from __future__ import annotations

import re

_CURRENCIES = {"$": "USD", "\u00a3": "GBP", "\u20ac": "EUR"}
_MONEY = re.compile(
    r"([$\u00a3\u20ac])(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d{2}))?(?!\d)(\s*(?:million|billion))?"
)
_PERCENT = re.compile(r"(?<![\w.])(\d+(?:\.\d+)?)\s?%")
_DECADE = re.compile(r"(?<![\w'])(1[0-9]|20)([0-9]0)s\b")
_SHORT_DECADE = re.compile(r"(?<![\w])['\u2019]([2-9]0)s\b")
_ORDINAL = re.compile(r"(?<![\w.])(\d+)(st|nd|rd|th)\b")
_TIME = re.compile(r"(?<![\w:])([01]?\d|2[0-3]):([0-5]\d)(?:\s?([ap])\.?m\.?\b)?", re.IGNORECASE)
_YEAR = re.compile(
    r"\b((?:in|of|since|by|until|from|year|during|early|late|mid) )(1[1-9]\d\d|20\d\d)\b(?![,.]\d)",
    re.IGNORECASE,
)
_HYPHENATED = re.compile(r"(?<![\w.,])(\d{1,3})(?=-[A-Za-z])")
_PLAIN = re.compile(
    r"(?<![\w.,:/$\u00a3\u20ac])(?<!\d-)(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?(?![\w,:%]|\.\d|-\d)"
)


def _words(number: int | float, **options: str) -> str:
    from num2words import num2words

    return str(num2words(number, **options)).replace(",", "")


def _money(match: re.Match[str]) -> str:
    symbol, whole, cents, scale = match.groups()
    amount = int(whole.replace(",", ""))
    unit = {"USD": "dollars", "GBP": "pounds", "EUR": "euros"}[_CURRENCIES[symbol]]
    if scale:
        return f"{_words(amount)} {scale.strip()} {unit}"
    if amount == 1:
        unit = unit[:-1]
    spoken = f"{_words(amount)} {unit}"
    if cents and int(cents):
        spoken += f" and {_words(int(cents))} {'cents' if unit != 'pounds' else 'pence'}"
    return spoken


def _decade(match: re.Match[str]) -> str:
    year = _words(int(match.group(1) + match.group(2)), to="year")
    return year[:-1] + "ies" if year.endswith("y") else year + "s"


def _time(match: re.Match[str]) -> str:
    hour, minute, half = int(match.group(1)), int(match.group(2)), match.group(3)
    spoken = _words(hour) + (
        "" if minute == 0 and half else " o'clock" if minute == 0 else
        f" oh {_words(minute)}" if minute < 10 else f" {_words(minute)}"
    )  # fmt: skip
    return spoken + (f" {half.lower()} m" if half else "")


def _plain(match: re.Match[str]) -> str:
    whole, fraction = match.group(1), match.group(2)
    if fraction:
        return _words(float(f"{whole.replace(',', '')}.{fraction}"))
    return _words(int(whole.replace(",", "")))


def say_numbers(text: str) -> str:
    """Rewrite numbers as words: ``$500`` -> ``five hundred dollars``, ``1990s`` ->
    ``nineteen nineties``, ``3-year-old`` -> ``three-year-old``, ``21st`` -> ``twenty-first``."""
    text = _MONEY.sub(_money, text)
    text = _PERCENT.sub(lambda m: f"{_plain(_PLAIN.match(m.group(1)))} percent", text)  # type: ignore[arg-type]
    text = _DECADE.sub(_decade, text)
    text = _SHORT_DECADE.sub(lambda m: _decade(re.match(r"(19)(\d0)", "19" + m.group(1))), text)  # type: ignore[arg-type]
    text = _ORDINAL.sub(lambda m: _words(int(m.group(1)), to="ordinal"), text)
    text = _TIME.sub(_time, text)
    text = _YEAR.sub(lambda m: m.group(1) + _words(int(m.group(2)), to="year"), text)
    text = _HYPHENATED.sub(lambda m: _words(int(m.group(1))), text)
    return _PLAIN.sub(_plain, text)
