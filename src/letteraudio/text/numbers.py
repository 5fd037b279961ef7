"""Numbers as words (num2words): money, ranges, percentages, decades, ordinals, times,
years, signs and decimals.

The rule is to rewrite only what is understood and to leave the rest to the voice: a
phone number, a version string, a fraction, a measurement in feet and inches or a very
long digit string stays as written.
"""

from __future__ import annotations

import re

_UNITS = {"$": ("dollar", "cent"), "\u00a3": ("pound", "penny"), "\u20ac": ("euro", "cent")}
_NUMBER = r"\d{1,3}(?:,\d{3})+|\d{1,15}"
_MONEY = re.compile(
    rf"(?<![\w$\u00a3\u20ac])([$\u00a3\u20ac])({_NUMBER})(?:\.(\d+))?"
    r"(?:\s*(million|billion|trillion)\b)?(?![\w$\u00a3\u20ac])"
)
_PERCENT = re.compile(rf"(?<![\w.,])({_NUMBER})(?:\.(\d+))?(?:\s?[\u2013-]\s?({_NUMBER}))?\s?%")
_RANGE = re.compile(
    r"(?<![\w.,/$\u00a3\u20ac-])(\d{1,3}|1[1-9]\d\d|20\d\d)\s?[\u2013-]\s?(\d{1,3}|1[1-9]\d\d|20\d\d)"
    r"(?![\w/%'\"]|[.,]\d|-\d)"
)
_DECADE = re.compile(r"(?<![\w'])(1[0-9]|20)([0-9]0)s\b")
_SHORT_DECADE = re.compile(r"(?<![\w])['\u2019]([2-9]0)s\b")
_ORDINAL = re.compile(r"(?<![\w.])(\d{1,6})(st|nd|rd|th)\b")
_TIME = re.compile(r"(?<![\w:.])([01]?\d|2[0-3]):([0-5]\d)(?!:|\d)(?:\s?([ap])\.?m\.?\b)?", re.I)
_YEAR = re.compile(r"(?<![\w.,$\u00a3\u20ac/#-])(1[1-9]\d\d|20\d\d)(?![\w%'\"/]|[.,]\d|-\d)")
_PHONE = re.compile(
    r"(?<![\w.])(?:\+\d{1,3}[\s.-]?)?(?:\(\d{2,5}\)\s?)?(?:\d{3}[\s.-])?\d{3}[.-]\d{4}(?![\w.]\d)"
)
_HYPHENATED = re.compile(r"(?<![\w.,-])(\d{1,3})(?=-[A-Za-z])")
_NEGATIVE = re.compile(r"(?:(?<=\s)|(?<=^)|(?<=\())[-\u2212](?=\d)")
_PLAIN = re.compile(
    rf"(?<![\w.,:/$\u00a3\u20ac#'\"+-])({_NUMBER})(?:\.(\d+))?(?![\w:%'\"/]|[.,]\d|-\d)"
)


def _words(number: int, **options: str) -> str:
    from num2words import num2words

    return str(num2words(number, **options)).replace(",", "")


def _decimal(whole: str, fraction: str | None) -> str:
    """``3.10`` -> ``three point one zero``: the digits as written, none rounded away."""
    spoken = _words(int(whole.replace(",", "")))
    if fraction:
        spoken += " point " + " ".join(_words(int(d)) for d in fraction)
    return spoken


def _money(match: re.Match[str]) -> str:
    symbol, whole, fraction, scale = match.groups()
    unit, small = _UNITS[symbol]
    if scale:
        return f"{_decimal(whole, fraction)} {scale} {unit}s"
    amount = int(whole.replace(",", ""))
    spoken = f"{_words(amount)} {unit}{'' if amount == 1 else 's'}"
    if fraction is None:
        return spoken
    if len(fraction) != 2:
        return f"{_decimal(whole, fraction)} {unit}s"
    cents = int(fraction)
    if cents:
        plural = "pence" if small == "penny" else f"{small}s"
        spoken += f" and {_words(cents)} {small if cents == 1 else plural}"
    return spoken


def _percent(match: re.Match[str]) -> str:
    whole, fraction, upper = match.groups()
    if upper:
        return f"{_decimal(whole, fraction)} to {_decimal(upper, None)} percent"
    return f"{_decimal(whole, fraction)} percent"


def _range(match: re.Match[str]) -> str:
    low, high = match.groups()
    if (len(low) == 4) != (len(high) == 4):
        return match.group(0)  # 555-1234: a phone number, not a range
    if len(low) == 4:
        return f"{_words(int(low), to='year')} to {_words(int(high), to='year')}"
    return f"{_words(int(low))} to {_words(int(high))}"


def _decade(century: str, decade: str) -> str:
    year = _words(int(century + decade), to="year")
    return year[:-1] + "ies" if year.endswith("y") else year + "s"


def _time(match: re.Match[str]) -> str:
    hour, minute, half = int(match.group(1)), int(match.group(2)), match.group(3)
    spoken = _words(hour) + (
        "" if minute == 0 and half else " o'clock" if minute == 0 else
        f" oh {_words(minute)}" if minute < 10 else f" {_words(minute)}"
    )  # fmt: skip
    return spoken + (f" {half.lower()} m" if half else "")


def say_numbers(text: str) -> str:
    """Rewrite numbers as words: ``$500`` -> ``five hundred dollars``, ``1990s`` ->
    ``nineteen nineties``, ``3-year-old`` -> ``three-year-old``, ``10-15`` -> ``ten to
    fifteen``, ``21st`` -> ``twenty-first``, ``-5`` -> ``minus five``. Phone numbers are
    left as written."""
    phones: list[str] = []

    def keep(match: re.Match[str]) -> str:
        phones.append(match.group(0))
        return f"\ue000{chr(0xE100 + len(phones) - 1)}\ue001"

    text = _PHONE.sub(keep, text)
    text = _spell(text)
    return re.sub("\ue000(.)\ue001", lambda m: phones[ord(m.group(1)) - 0xE100], text)


def _spell(text: str) -> str:
    text = _MONEY.sub(_money, text)
    text = _PERCENT.sub(_percent, text)
    text = _RANGE.sub(_range, text)
    text = _DECADE.sub(lambda m: _decade(m.group(1), m.group(2)), text)
    text = _SHORT_DECADE.sub(lambda m: _decade("19", m.group(1)[0] + "0"), text)
    text = _ORDINAL.sub(lambda m: _words(int(m.group(1)), to="ordinal"), text)
    text = _TIME.sub(_time, text)
    text = _YEAR.sub(lambda m: _words(int(m.group(1)), to="year"), text)
    text = _HYPHENATED.sub(lambda m: _words(int(m.group(1))), text)
    text = _NEGATIVE.sub("minus ", text)
    return _PLAIN.sub(lambda m: _decimal(m.group(1), m.group(2)), text)
