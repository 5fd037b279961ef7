"""Numbers as a careful US-English narrator reads them (num2words for the words).

Phone numbers, dates, times, money, measures, fractions, ranges, percentages, ordinals,
decades, years, Roman numerals after the words that take them, and plain cardinals, in
that order: each rule rewrites only what it understands and leaves words behind, so a
later rule never reads a figure twice. Cardinals have no British "and" ("one hundred
twenty-three"); a figure with a leading zero is read digit by digit ("zero zero four").

:func:`say_numbers` runs on one sentence. It never adds or removes a sentence end: a
full stop it consumes at the very end of the sentence ("6 P.M.") is put back.

Other languages: :func:`say_numbers_in` reads plain whole numbers in the language with
num2words where it knows the language, and leaves everything else for the voice.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable

from letteraudio.text.abbreviations import AMBIGUOUS_STATES, MONTH_ABBREVIATIONS, MONTHS, STATES

Rule = tuple[re.Pattern[str], Callable[[re.Match[str]], str]]

_END = re.compile(r"[\"'\u201d\u2019)\]]*\s*$")
"""What may follow the last word of a sentence: closing quotes and brackets."""


@functools.lru_cache(maxsize=4096)
def _words(number: int, to: str = "cardinal") -> str:
    """num2words in US style: no "and", no commas."""
    from num2words import num2words

    spoken = str(num2words(number, to=to)).replace(",", "").replace(" and ", " ")
    return spoken.replace("oh-", "oh ")


_DIGIT_NAMES = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")


def digits(figure: str) -> str:
    """``0958`` -> ``zero nine five eight``."""
    return " ".join(_DIGIT_NAMES[int(d)] for d in figure if d.isdigit())


def cardinal(figure: str) -> str:
    """``13,000`` -> ``thirteen thousand``; ``004`` -> ``zero zero four``."""
    plain = figure.replace(",", "")
    if len(plain) > 1 and plain.startswith("0"):
        return digits(plain)
    return _words(int(plain))


def decimal(whole: str, fraction: str | None) -> str:
    """``3.10`` -> ``three point one zero``: the digits as written, none rounded away;
    ``.5`` -> ``point five``."""
    spoken = cardinal(whole) if whole else ("" if fraction else "zero")
    return (spoken + (f" point {digits(fraction)}" if fraction else "")).strip()


def ordinal(figure: str) -> str:
    return _words(int(figure.replace(",", "")), "ordinal")


def year(figure: str) -> str:
    """``2016`` -> ``twenty sixteen``; ``2008`` -> ``two thousand eight``."""
    return _words(int(figure), "year")


_ARTICLE = re.compile(r"(?:^|\W)[Aa]n?\s+$")
_NOUN_NEXT = re.compile(
    r"\s+(?!(?:of|or|and|to|per|a|an|the|in|on|at|for|each|apiece|is|was)\b)[a-z]"
)


def attributive(match: re.Match[str]) -> bool:
    """A measure or an amount between "a" and a noun (``a 16 oz. steak``, ``a $5 fee``)
    names a kind of thing, and its unit is said in the singular: "a sixteen ounce steak"."""
    start = match.start()
    return bool(_ARTICLE.search(match.string, max(0, start - 4), start)) and bool(
        _NOUN_NEXT.match(match.string, match.end())
    )


def _kept_stop(match: re.Match[str]) -> str:
    """A full stop the match took from the end of its sentence, to give back."""
    return "." if match.group(0).endswith(".") and _END.fullmatch(match.string, match.end()) else ""


# --- phone numbers --------------------------------------------------------------------

_PHONE = re.compile(
    r"(?<![\w.+/-])(?:"
    r"\+\d{1,3}(?:[ .-]?\(\d{1,5}\))?(?:[ .-]\d{1,5}){1,5}"  # +44 20 7946 0958
    r"|\(\d{3}\)\s?\d{3}[-. ]\d{4}"  # (555) 010-9999
    r"|(?:1[-. ])?\d{3}[-.]\d{3}[-.]\d{4}"  # 123-123-5678, 1-800-555-0199
    r"|\d{3}-\d{4}(?!-)"  # 555-1234
    r")(?![\w/-]|[.,]\d)"
)


def _phone(match: re.Match[str]) -> str:
    """Digit groups with a short pause (a comma) between them."""
    groups = re.findall(r"\+?\d+", match.group(0))
    said = [("plus " if g.startswith("+") else "") + digits(g) for g in groups]
    return ", ".join(said)


# --- dates ------------------------------------------------------------------------------

_SHORT = "|".join(sorted(MONTH_ABBREVIATIONS, key=len, reverse=True))
_SHORT_LOWER = _SHORT.lower()
_FULL = "|".join(m.lower() for m in MONTHS if m not in ("March", "May"))
_MONTH = (
    rf"(?P<month>(?i:{_FULL})|March|MARCH|May|MAY|(?:{_SHORT}|{_SHORT.upper()})\b\.?|"
    rf"(?:{_SHORT_LOWER})\.)"
)
"""A month as written: March and May only with a capital (they are words too), a short
name with a capital or, in lower case, with its full stop (the lists live in
:mod:`letteraudio.text.abbreviations`)."""
_DAY = r"(?P<day>[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?(?!\d|:\d)"
_YEAR = r"(?P<year>1[1-9]\d\d|20\d\d)(?!\d)"
_MONTH_DAY = re.compile(
    rf"(?<![\w.]){_MONTH}\s+{_DAY}\b"
    r"(?:\s?[-\u2013]\s?(?P<last>[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?\b(?![-/:.]\d))?"
    rf"(?:,?\s+{_YEAR})?"
)
_LOWER_MONTH = (
    rf"(?P<lower>(?:may|march)(?=,?\s+\d{{4}})|(?:{_SHORT_LOWER})(?:\.|(?=,?\s+\d{{4}})))"
)
_DAY_MONTH = re.compile(
    rf"(?<![\w.,:/$-])(?P<the>[Tt]he\s+)?{_DAY}\s+(?:of\s+)?(?:{_MONTH}|{_LOWER_MONTH})"
    rf"(?:,?\s+{_YEAR})?"
)
_MONTH_YEAR = re.compile(
    rf"(?<![\w.])(?P<month>(?:{_SHORT})\.?|(?:{_SHORT_LOWER})\.)\s+(?=(?:1[1-9]|20)\d\d(?!\d))"
)
_ISO_DATE = re.compile(
    r"(?<![\w./-])(1[1-9]\d\d|20\d\d)-(0?[1-9]|1[0-2])-(0?[1-9]|[12]\d|3[01])(?![\w/-])"
)
_SLASH_DATE = re.compile(
    r"(?<![\w./-])(\d{1,2})([/.-])(\d{1,2})\2((?:1[1-9]|20)\d\d)(?![\w/-]|[.,]\d)"
)
_YEAR_FIRST_DATE = re.compile(
    r"(?<![\w./-])((?:1[1-9]|20)\d\d)([/.])(0?[1-9]|1[0-2])\2(0?[1-9]|[12]\d|3[01])"
    r"(?![\w/-]|[.,]\d)"
)


def _month_name(written: str) -> str:
    key = written.rstrip(".").capitalize()
    if key in MONTH_ABBREVIATIONS:
        return MONTHS[MONTH_ABBREVIATIONS[key] - 1]
    return key


def _date(month: str, day: int, year_figure: str | None, day_first: bool = False) -> str:
    said = (
        f"the {_words(day, 'ordinal')} of {month}"
        if day_first
        else (f"{month} {_words(day, 'ordinal')}")
    )
    return said + (f", {year(year_figure)}" if year_figure else "")


def _month_day(match: re.Match[str]) -> str:
    month = _month_name(match.group("month"))
    if match.group("last"):
        first = f"{month} {_words(int(match.group('day')), 'ordinal')}"
        return f"{first} to {_date('', int(match.group('last')), match.group('year')).strip()}"
    return _date(month, int(match.group("day")), match.group("year"))


def _day_month(match: re.Match[str]) -> str:
    """``5 January 2020``, ``the 9th of April`` (its "the" said once), ``21 may 2011``."""
    month = _month_name(match.group("month") or match.group("lower"))
    said = _date(month, int(match.group("day")), match.group("year"), day_first=True)
    if match.group("the"):
        said = match.group("the")[0] + said[1:]
    return said + ("" if match.group("year") else _kept_stop(match))


def _iso_date(match: re.Match[str]) -> str:
    figure, month, day = match.groups()
    return _date(MONTHS[int(month) - 1], int(day), figure)


def _year_first_date(match: re.Match[str]) -> str:
    """``2019/04/08``, ``2012.01.05``: year, month, day."""
    figure, _, month, day = match.groups()
    return _date(MONTHS[int(month) - 1], int(day), figure)


def _slash_date(match: re.Match[str]) -> str:
    """``11/03/2016``, ``03.07.2016``, ``23-04-2021``: the US order (month first), unless
    the first cannot be a month (day first)."""
    first, second, figure = (int(g) for g in match.group(1, 3, 4))
    month, day = (first, second) if first <= 12 else (second, first)  # US order, unless it can't be
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return match.group(0)
    return _date(MONTHS[month - 1], day, str(figure))


def _month_year(match: re.Match[str]) -> str:
    return _month_name(match.group("month")) + " "


# --- times ------------------------------------------------------------------------------

_CLOCK = r"(?:[01]?\d|2[0-3]):[0-5]\d(?!\d|:\d)"
_HALF = r"(?:\s?(?:[aApP]\.\s?[mM]\.|[aApP][mM]\b))"
_TIME = rf"(?:{_CLOCK}{_HALF}?|(?:1[0-2]|0?[1-9])(?:\.[0-5]\d)?{_HALF})"
_TIME_WITH_HALF = rf"(?:(?:{_CLOCK}|(?:1[0-2]|0?[1-9])(?:\.[0-5]\d)?){_HALF})"
_TO = r"\s*(?:[-\u2013]|\bto\b)\s*"
_TIME_RANGE = re.compile(
    rf"(?<![\w:.])({_TIME}|(?:1[0-2]|0?[1-9])\.[0-5]\d(?={_TO}{_TIME_WITH_HALF}))"
    rf"{_TO}({_TIME})"
)
"""``4:00 am - 8:12 pm``; ``7.30 to 9.30 p.m.``: a dotted time before one with its half
of the day is a time too."""
_ONE_TIME = re.compile(rf"(?<![\w:.])({_TIME})")


def _say_time(written: str) -> str:
    half = re.search(r"([aApP])\.?\s?[mM]\.?$", written)
    clock = written[: half.start()].strip() if half else written
    hour, _, minute_figure = clock.replace(".", ":").partition(":")
    minute = int(minute_figure or 0)
    said = _words(int(hour))
    if minute:
        said += f" oh {_words(minute)}" if minute < 10 else f" {_words(minute)}"
    elif not half:
        said += " hundred" if int(hour) > 12 else " o'clock"
    return said + (f" {half.group(1).upper()} M" if half else "")


def _time_range(match: re.Match[str]) -> str:
    return f"{_say_time(match.group(1))} to {_say_time(match.group(2))}" + _kept_stop(match)


_DURATION = re.compile(r"(?<![\w:.])(\d{1,2}):([0-5]\d):([0-5]\d)(?![\w:]|[.,]\d)")


def _duration(match: re.Match[str]) -> str:
    """``0:02:01``: hours, minutes and seconds."""
    parts = zip((int(g) for g in match.groups()), ("hour", "minute", "second"), strict=True)
    return " ".join(f"{_words(n)} {unit}{'' if n == 1 else 's'}" for n, unit in parts)


_VERSE = re.compile(
    r"\b(?P<book>[1-3] [A-Z][a-z]+|[A-Z][a-z]+(?: of [A-Z][a-z]+)?) (\d{1,3}):(\d{1,3})"
    r"(?:[-\u2013](\d{1,3}))?(?![\d:])"
)
_BOOK_WORDS = (
    "Genesis Exodus Leviticus Numbers Deuteronomy Joshua Judges Ruth Samuel Kings Chronicles "
    "Ezra Nehemiah Esther Job Psalm Psalms Proverbs Ecclesiastes Song Isaiah Jeremiah "
    "Lamentations Ezekiel Daniel Hosea Joel Amos Obadiah Jonah Micah Nahum Habakkuk Zephaniah "
    "Haggai Zechariah Malachi Matthew Mark Luke John Acts Romans Corinthians Galatians "
    "Ephesians Philippians Colossians Thessalonians Timothy Titus Philemon Hebrews James "
    "Peter Jude Revelation Sura Surah Quran"
)
BOOKS = frozenset(_BOOK_WORDS.split())
"""Books whose chapter and verse are written ``3:16``: John 3:16 is "John three sixteen"."""


def _verse(match: re.Match[str]) -> str:
    book, chapter, verse, last = match.groups()
    if book.split()[-1] not in BOOKS:
        return match.group(0)
    if book[0].isdigit():  # 1 Corinthians: First Corinthians
        book = f"{_words(int(book[0]), 'ordinal').capitalize()}{book[1:]}"
    said = f"{book} {_words(int(chapter))} {_words(int(verse))}"
    return said + (f" to {_words(int(last))}" if last else "")


_RATIO = re.compile(r"(?<![\w:.,])(\d{1,3}):(\d{1,3})(?![\w:%]|[.,]\d)")


def _one_time(match: re.Match[str]) -> str:
    return _say_time(match.group(1)) + _kept_stop(match)


# --- money ------------------------------------------------------------------------------

_CURRENCIES = {
    "$": ("dollar", "dollars", "cent", "cents"),
    "\u00a3": ("pound", "pounds", "penny", "pence"),
    "\u20ac": ("euro", "euros", "cent", "cents"),
    "\u00a5": ("yen", "yen", "", ""),
    "\u20b9": ("rupee", "rupees", "paisa", "paise"),
}
_SCALES = {"k": "thousand", "K": "thousand", "thousand": "thousand", "m": "million",
           "mn": "million", "M": "million", "million": "million", "b": "billion",
           "bn": "billion", "billion": "billion", "tn": "trillion",
           "trillion": "trillion"}  # fmt: skip
_AMOUNT = (
    r"(\d{1,3}(?:,\d{3})+|\d+|(?=\.\d))(?:\.(\d+))?"
    r"(?:\s?(thousand|million|billion|trillion)\b|(k|K|m|mn|M|bn|b|tn)\b)?"
)
_MONEY = re.compile(
    r"(?<![\w$\u00a3\u20ac\u00a5\u20b9])(US|A|C|NZ|HK)?([$\u00a3\u20ac\u00a5\u20b9])\s?"
    + _AMOUNT
    + r"(?:\s?[-\u2013]\s?(?:US|A|C|NZ|HK)?[$\u00a3\u20ac\u00a5\u20b9]?\s?"
    + _AMOUNT
    + r")?(?![\w$\u00a3\u20ac\u00a5\u20b9]|[.,]\d)"
    r"(?:/(?P<per>[A-Za-z]{2,12})\b)?"
)
_DOLLAR_KINDS = {"US": "U S ", "A": "Australian ", "C": "Canadian ", "NZ": "New Zealand ",
                 "HK": "Hong Kong "}  # fmt: skip


def _amount(whole: str, fraction: str | None, scale: str | None, names: tuple[str, ...]) -> str:
    """An amount with its unit: ``four pounds ninety-nine``, ``two cents``."""
    one, many, small_one, small_many = names
    if scale:
        return f"{decimal(whole, fraction)} {_SCALES[scale]} {many}"
    amount = int(whole.replace(",", "") or 0)
    if fraction and len(fraction) > 2 and small_one and not fraction[2:].strip("0"):
        fraction = fraction[:2]  # $12.0500: the zeros after the cents say nothing
    if fraction and len(fraction) > 2:
        fraction = fraction.rstrip("0")
    if fraction is not None and len(fraction) == 2 and small_one:
        cents = int(fraction)
        small = f"{_words(cents)} {small_one if cents == 1 else small_many}"
        if not amount:
            return small
        big = f"{cardinal(whole)} {one if amount == 1 else many}"
        if not cents:
            return big
        return f"{big} {_words(cents)}" if one == "pound" else f"{big} and {small}"
    if fraction:
        return f"{decimal(whole, fraction)} {many}"
    return f"{cardinal(whole)} {one if amount == 1 else many}"


def _money(match: re.Match[str]) -> str:
    per = match.group("per")
    said = _money_amount(match)
    if not per and attributive(match) and " and " not in said and not said.endswith("cents"):
        said = re.sub(r"(dollar|pound|euro|rupee)s$", r"\1", said)  # a five dollar fee
    return f"{said} per {per}" if per else said


def _money_amount(match: re.Match[str]) -> str:
    kind, symbol, whole, fraction, scale, short, *upper = match.groups()[:10]
    one, many, small_one, small_many = _CURRENCIES[symbol]
    if kind and symbol == "$":
        one, many = _DOLLAR_KINDS[kind] + one, _DOLLAR_KINDS[kind] + many
    names = (one, many, small_one, small_many)
    scale = scale or short
    high, high_fraction, high_scale, high_short = upper
    if high is None:
        return _amount(whole, fraction, scale, names)
    high_scale = high_scale or high_short
    top = _amount(high, high_fraction, high_scale, names)
    if scale and scale != high_scale:
        return f"{_amount(whole, fraction, scale, names)} to {top}"
    low = decimal(whole, fraction)
    return f"{low} to {top}"


# --- measures ---------------------------------------------------------------------------

_UNITS = {
    "km/h": ("kilometer per hour", "kilometers per hour"), "kph": ("kilometer per hour",
    "kilometers per hour"), "mph": ("mile per hour", "miles per hour"),
    "m/s": ("meter per second", "meters per second"),
    "km²": ("square kilometer", "square kilometers"), "m²": ("square meter", "square meters"),
    "cm²": ("square centimeter", "square centimeters"), "mi²": ("square mile", "square miles"),
    "sq ft": ("square foot", "square feet"), "m³": ("cubic meter", "cubic meters"),
    "mm": ("millimeter", "millimeters"), "cm": ("centimeter", "centimeters"),
    "km": ("kilometer", "kilometers"), "m": ("meter", "meters"), "kg": ("kilogram", "kilograms"),
    "mg": ("milligram", "milligrams"), "g": ("gram", "grams"), "lb": ("pound", "pounds"),
    "lbs": ("pound", "pounds"), "oz": ("ounce", "ounces"), "ml": ("milliliter", "milliliters"),
    "mL": ("milliliter", "milliliters"), "l": ("liter", "liters"), "L": ("liter", "liters"),
    "ft": ("foot", "feet"), "mi": ("mile", "miles"), "GB": ("gigabyte", "gigabytes"),
    "MB": ("megabyte", "megabytes"), "kB": ("kilobyte", "kilobytes"), "KB": ("kilobyte",
    "kilobytes"), "TB": ("terabyte", "terabytes"), "GHz": ("gigahertz", "gigahertz"),
    "MHz": ("megahertz", "megahertz"), "kHz": ("kilohertz", "kilohertz"), "Hz": ("hertz",
    "hertz"), "kWh": ("kilowatt hour", "kilowatt hours"), "kW": ("kilowatt", "kilowatts"),
    "MW": ("megawatt", "megawatts"), "GW": ("gigawatt", "gigawatts"),
    "Wh": ("watt hour", "watt hours"), "mAh": ("milliamp hour", "milliamp hours"),
    "fps": ("frame per second", "frames per second"), "min": ("minute", "minutes"),
    "hrs": ("hour", "hours"),
    "hr": ("hour", "hours"), "°C": ("degree Celsius", "degrees Celsius"),
    "km2": ("square kilometer", "square kilometers"), "m2": ("square meter", "square meters"),
    "sq mi": ("square mile", "square miles"), "sq km": ("square kilometer", "square kilometers"),
    "ha": ("hectare", "hectares"), "nm": ("nanometer", "nanometers"),
    "μm": ("micrometer", "micrometers"), "µm": ("micrometer", "micrometers"),
    "hp": ("horsepower", "horsepower"), "in.": ("inch", "inches"), "yd": ("yard", "yards"),
    "tbsp": ("tablespoon", "tablespoons"), "Tbsp": ("tablespoon", "tablespoons"),
    "tsp": ("teaspoon", "teaspoons"), "gal": ("gallon", "gallons"), "qt": ("quart", "quarts"),
    "yds": ("yard", "yards"), "sec": ("second", "seconds"), "mins": ("minute", "minutes"),
    "mA": ("milliamp", "milliamps"), "kV": ("kilovolt", "kilovolts"), "cc": ("cc", "cc"),
    "g/cm3": ("gram per cubic centimeter", "grams per cubic centimeter"),
    "°F": ("degree Fahrenheit", "degrees Fahrenheit"), "°": ("degree", "degrees"),
}  # fmt: skip
_NUMBER = r"\d{1,3}(?:,\d{3})+|\d+"
_MEASURE = re.compile(
    rf"(?<![\w.,/$-])(-|\u2212)?({_NUMBER}|(?=\.\d))(?:\.(\d+))?(?:\s?[-\u2013]\s?({_NUMBER})(?:\.(\d+))?)?"
    r"\s?(/)?(" + "|".join(re.escape(u) for u in sorted(_UNITS, key=len, reverse=True)) + r")"
    r"(?![\w²³/])(\.(?!\w))?"
)
_WATTS = re.compile(r"(?<![\w.,/$-])(\d+)(?:\.(\d+))?W\b")
_INCHES = re.compile(r"(?<![\w.,])(\d+)(?:\.(\d+))?(?:\"|\u2033|'')(?!\w)")
"""``36"``: inches (a quote mark that closes a quotation was set aside before)."""
_HEIGHT = re.compile(r"(?<![\w.])(\d)['\u2032\u2019]\s?(\d{1,2})(?:\"|\u2033|''|\u201d)")


def _signed_range(sign: str | None, whole: str, fraction: str | None, high: str | None,
            high_fraction: str | None) -> str:  # fmt: skip
    """A number or a range, with its sign: "minus two point five to three"."""
    said = ("minus " if sign else "") + decimal(whole, fraction)
    return f"{said} to {decimal(high, high_fraction)}" if high else said


def _measure(match: re.Match[str]) -> str:
    """``12kg``, ``2 oz. of butter`` (its full stop goes inside a sentence), ``797/km²``
    ("per square kilometer")."""
    sign, whole, fraction, high, high_fraction, per, unit, stop = match.groups()
    one, many = _UNITS[unit]
    said = _signed_range(sign, whole, fraction, high, high_fraction)
    if per:
        said = f"{said} per {one}"
    elif attributive(match):
        said = f"{said} {one}"
    else:
        said = f"{said} {one if whole == '1' and not fraction and not high else many}"
    return said + (_kept_stop(match) if stop or unit.endswith(".") else "")


def _watts(match: re.Match[str]) -> str:
    whole, fraction = match.groups()
    return f"{decimal(whole, fraction)} watt{'' if whole == '1' and not fraction else 's'}"


def _inches(match: re.Match[str]) -> str:
    whole, fraction = match.groups()
    return f"{decimal(whole, fraction)} inch{'' if whole == '1' and not fraction else 'es'}"


def _height(match: re.Match[str]) -> str:
    return f"{_words(int(match.group(1)))} foot {_words(int(match.group(2)))}"


# --- fractions, ranges, percentages --------------------------------------------------

_VULGAR = {"\u00bd": (1, 2), "\u2153": (1, 3), "\u2154": (2, 3), "\u00bc": (1, 4),
           "\u00be": (3, 4), "\u2155": (1, 5), "\u2159": (1, 6), "\u215b": (1, 8),
           "\u215c": (3, 8), "\u215d": (5, 8), "\u215e": (7, 8)}  # fmt: skip
_VULGAR_FRACTION = re.compile(r"(?<![\w.])(?:(\d+)\s?)?([" + "".join(_VULGAR) + r"])")
_FRACTION = re.compile(
    r"(?<![\w./-])(?:(\d+)\s)?(\d{1,2})/(\d{1,2})(?:st|nd|rd|th|s)?(?![\w/]|[.,]\d)"
)
_DENOMINATORS = frozenset((2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 16, 32, 64, 100))
"""What a fraction is divided into, as recipes, rulers and shares write it (``5/16``);
``9/11`` and ``24/7`` are not fractions."""


def _fraction_words(numerator: int, denominator: int, mixed: bool) -> str:
    if denominator == 2:
        name = "half" if numerator == 1 else "halves"
    elif denominator == 4:
        name = "quarter" if numerator == 1 else "quarters"
    else:
        name = _words(denominator, "ordinal") + ("" if numerator == 1 else "s")
    if mixed and numerator == 1:
        return f"a {name}"
    return f"{_words(numerator)} {name}"


def _fraction(whole: str | None, numerator: int, denominator: int) -> str:
    if whole is not None:
        return f"{cardinal(whole)} and {_fraction_words(numerator, denominator, mixed=True)}"
    return _fraction_words(numerator, denominator, mixed=False)


def _slash(match: re.Match[str]) -> str:
    whole, top, bottom = match.group(1), int(match.group(2)), int(match.group(3))
    if bottom in _DENOMINATORS and top > 0 and (top < bottom or (whole and top < 10 * bottom)):
        return _fraction(whole, top, bottom)
    if top == bottom in (5, 10, 100) and not whole:
        return f"{_words(top)} out of {_words(bottom)}"  # a score: 10/10, 5/5 (not 50/50)
    said = f"{_words(top)} {_words(bottom)}"  # 24/7, 50/50, 9/11: as people say them
    return f"{cardinal(whole)} {said}" if whole else said


_FRACTION_UNIT = re.compile(
    r"(?<![\w./-])(?:(\d+)\s)?(\d{1,2})/(\d{1,2})\s?("
    + "|".join(
        re.escape(u) for u in sorted(_UNITS, key=len, reverse=True) if u.isalpha() or u == "in."
    )
    + r")(?![\w/])(\.(?!\w))?"
)
"""``1/2 tsp.``, ``1 1/2 in.``: a fraction of a unit ("one half teaspoon", "one and a half
inches")."""


def _fraction_unit(match: re.Match[str]) -> str:
    whole, top, bottom, unit, stop = match.groups()
    if int(bottom) not in _DENOMINATORS or not 0 < int(top) < int(bottom):
        return match.group(0)
    one, many = _UNITS[unit]
    said = f"{_fraction(whole, int(top), int(bottom))} {many if whole else one}"
    return said + (_kept_stop(match) if stop else "")


def _vulgar(match: re.Match[str]) -> str:
    return _fraction(match.group(1), *_VULGAR[match.group(2)])


_PERCENT = re.compile(
    rf"(?<![\w.,])(-|\u2212)?({_NUMBER})(?:\.(\d+))?%?(?:\s?[-\u2013]\s?({_NUMBER})(?:\.(\d+))?)?\s?%"
)
_YEAR_SPAN = re.compile(
    r"(?<![\w.,/$-])(1[1-9]\d\d|20\d\d)(?:\s?[-\u2013]\s?(\d\d)|/(\d\d?))(?![\w%'\"/]|[.,]\d|-\d)"
)
_RANGE = re.compile(
    r"(?<![\w.,/$\u00a3\u20ac-])(\d{1,3}|1\d\d\d|20\d\d)\s?[\u2013-]\s?(\d{1,3}|1\d\d\d|20\d\d)"
    r"(?![\w/%'\"]|[.,]\d|-\d)"
)


def _percent(match: re.Match[str]) -> str:
    return f"{_signed_range(*match.groups())} percent"


def _year_span(match: re.Match[str]) -> str:
    """``1990-95``, ``2019/20``, ``1527/8``: the second year by its last figures."""
    start, end = match.group(1), match.group(2) or match.group(3)
    tail = f"oh {_words(int(end))}" if end.startswith("0") and end != "00" else _words(int(end))
    return f"{year(start)} to {tail}"


def _range(match: re.Match[str]) -> str:
    low, high = match.groups()
    if (len(low) == 4) != (len(high) == 4):
        return match.group(0)
    if len(low) == 4:
        return f"{year(low)} to {year(high)}"
    return f"{cardinal(low)} to {cardinal(high)}"


# --- ordinals, decades, Roman numerals, years, the rest -----------------------------

_ORDINAL = re.compile(rf"(?<![\w.,])({_NUMBER})(st|nd|rd|th)\b")
_DECADE = re.compile(r"(?<![\w'])(1[0-9]|20)([0-9]0)s\b")
_SHORT_DECADE = re.compile(r"(?<![\w])['\u2019]([2-9]0)s\b")
_AGE_DECADE = re.compile(r"(?<![\w'$.,-])([2-9]0)s\b")
"""``in their 40s``: the forties."""
_NUMBER_SIGN = re.compile(r"(?<![\w&])#\s?(\d+)\b")

_ROMAN = (
    r"(?=[MDCLXVI]{1,12}\b)(?=[MDCLXVI])"
    r"M{0,3}(?:CM|CD|D?C{0,3})(?:XC|XL|L?X{0,3})(?:IX|IV|V?I{0,3})"
)
_ROMAN_VALUES = {"M": 1000, "D": 500, "C": 100, "L": 50, "X": 10, "V": 5, "I": 1}
_REGNAL_WORDS = (
    "Henry Louis Elizabeth George Edward Charles James William Richard John Mary Anne Paul "
    "Pius Benedict Leo Gregory Innocent Clement Urban Boniface Peter Catherine Frederick "
    "Philip Alexander Nicholas Ivan Napoleon Ramesses Constantine Otto Wilhelm Ludwig Gustav "
    "Charlemagne Carlos Felipe Juan Harald Olav Haakon Christian Frederik Umberto Victor "
    "Emmanuel Rama Selim Mehmed Suleiman Darius Cyrus Ptolemy Antiochus Sancho Alfonso "
    "Ferdinand Isabella Francis Leopold Joseph Rudolf Sigismund Casimir Stanislaus "
    "Amenhotep Thutmose Seti Psamtik Sobekhotep Tiglath Shalmaneser Sargon Nebuchadnezzar "
    "Artaxerxes Xerxes Seleucus Herod Malcolm Duncan Robert David Alexios Basil Manuel "
    "Michael Andronikos Baldwin Bohemond Raymond Tancred Amadeus Vittorio Pedro Manuel "
    "Sebastian Afonso Jaime Ramiro Ordono Bermudo Fernando Enrique Valdemar Eric Magnus "
    "Canute Sweyn Olaf Knut Karl Gustaf Sverre Inge Hakon Kamehameha Farouk Fuad Hussein "
    "Abdullah Mohammed Hassan Akihito Tupou Innocent Sixtus Julius Honorius Celestine Adrian "
    "Stephen Martin Eugene Callixtus Nicholas Marcellus Pelagius Sergius Felix Lucius"
)
REGNAL = frozenset(_REGNAL_WORDS.split())
"""Names a Roman numeral follows as an ordinal: Henry VIII is Henry the eighth."""
_NUMBERED_WORDS = (
    "chapter part volume vol book act scene section war phase episode article title round "
    "level stage class type grade schedule appendix bowl apollo rocky vatican series psalm "
    "canto movement symphony op opus mark league division tier gen generation season "
    "lecture lesson unit plate figure fig table vol. book. no grade"
)
NUMBERED = frozenset(_NUMBERED_WORDS.split())
"""Words a Roman numeral follows as a cardinal: Chapter IV is chapter four."""
_ROMAN_AFTER = re.compile(rf"\b([A-Za-z]+)(\.?\s+)({_ROMAN})\b(?!['\u2019](?!s\b)\w|\.\w|-\w)")
_SMALL_ROMAN = re.compile(r"^(?=[IVX]{2,6}$)X{0,3}(?:IX|IV|V?I{0,3})$")
"""II to XXXIX: after a capitalized name (``Crocodile Dundee II``) a Roman numeral."""
_ROMAN_ORDINAL = re.compile(
    r"\b(?=[MDCLXVI]+(?:th)?\b)(M{0,3}(?:CM|CD|D?C{0,3})(?:XC|XL|L?X{0,3})(?:IX|IV|V?I{0,3}))"
    r"(?<=[MDCLXVI])(?:th)?(?=\s+(?:[Cc]entur(?:y|ies)|[Dd]ynast(?:y|ies)|[Mm]illennium)\b)"
)
_ROMAN_HEADING = re.compile(rf"^(\s*[\"'(]?)((?=[IVXL]{{2,}}\b){_ROMAN})(\.?\s*$|[.:](?=\s))")
"""A heading that is only a numeral (``IV.``)."""


def roman_value(numeral: str) -> int:
    total = 0
    for i, letter in enumerate(numeral):
        value = _ROMAN_VALUES[letter]
        following = _ROMAN_VALUES[numeral[i + 1]] if i + 1 < len(numeral) else 0
        total += -value if value < following else value
    return total


def _roman(match: re.Match[str]) -> str:
    """``Henry VIII`` (also ``Henry VIII's``) the eighth, ``Chapter IV`` four, ``Rocky
    II`` two; a single D, C, L or M after a name is an initial (``Charles D.``), and a
    single I only a numeral where nothing follows it."""
    word, gap, numeral = match.groups()
    if not numeral or (len(numeral) == 1 and numeral in "DCLM") or f"{word} {numeral}" in _LETTERS:
        return match.group(0)
    value = roman_value(numeral)
    if len(numeral) == 2 and re.search("[MD]", numeral):
        return match.group(0)  # MD, CD, DC, MC: letters, not 1500, 400, 600, 1100
    alone = _ALONE.match(match.string, match.end())
    if word in REGNAL and (value > 1 or alone) and value < 40:
        return f"{word} the {_words(value, 'ordinal')}"
    if word.lower() in NUMBERED and (numeral != "I" or word[0].isupper()):
        return f"{word}{gap}{_words(value)}"
    if (
        word[0].isupper()
        and gap == " "
        and word.lower() not in _NOT_A_NAME
        and _SMALL_ROMAN.match(numeral)
    ):
        return f"{word}{gap}{_words(value)}"
    return match.group(0)


_LETTERS = frozenset(("Malcolm X", "Generation X", "Gen X"))
"""Names whose X is a letter, not ten."""
_ALONE = re.compile(r"\s*(?:[,;:)'\u2019.]|$)|\s+of\s+[A-Z]")
"""What may follow a lone "I" that is a numeral: "Charles I, king", "Elizabeth I of England"."""
_NOT_A_NAME_WORDS = (
    "the a an this that these those in on at of by for to with from his her its their my our "
    "your and or but if as is was are were be"
)
_NOT_A_NAME = frozenset(_NOT_A_NAME_WORDS.split())
"""Capitalized words that open a sentence and are no name: "The IV drip" has no numeral."""


def _year_or_count(match: re.Match[str]) -> str:
    """``in 1990`` nineteen ninety, but ``1990 people`` one thousand nine hundred ninety:
    a figure before a plural noun counts where it opens the sentence or a word of
    quantity leads to it (``over 1500 soldiers``); elsewhere (``in 1992 productions``,
    ``the 2010 elections``) it is a year."""
    figure = match.group(1)
    before = match.string[max(0, match.start() - 16) : match.start()].split()
    leads = not before or before[-1].lower() in _QUANTITY
    if leads and _COUNTED.match(match.string, match.end()):
        return cardinal(figure)
    return year(figure)


_COUNTED = re.compile(
    r"\s+(?:more\s+|new\s+|other\s+)?(?:[a-z]{2,}[^\Wsuiy']s|people|men|women|children|feet|sheep|cattle|deer|fish|mice|geese|teeth|oxen)\b"
    r"(?!['\u2019])"
)
_QUANTITY_WORDS = (
    "over nearly almost some approximately roughly only than least just exactly another "
    "additional had has have with employs employed about"
)
_QUANTITY = frozenset(_QUANTITY_WORDS.split())


_IDENTIFIER = re.compile(
    r"\b(ISBN(?:-1[03])?|ISSN|LCCN|OCLC|ASIN|PMID|PMC|ISRC|UPC)(:?\s*)"
    r"([\dX](?:[\d -]*[\dXx])?)(?![\w-])"
)
"""A book's or a record's number (``ISBN 0-440-21323-1``): figure by figure, as a
catalogue number is read; its hyphens are no pause worth making."""


def _identifier(match: re.Match[str]) -> str:
    name, gap, figures = match.groups()
    said = [digits(c) if c.isdigit() else c.upper() for c in figures if c.isalnum()]
    return f"{name}{gap.rstrip()} " + " ".join(said)


_SCORE = re.compile(r"(?<![\w.,/-])(\d{1,3})-(\d{1,3})-(\d{1,3})(?![\w/-]|[.,]\d)")
"""``49-30-4`` (won, lost, drawn), ``1-2-3``: the numbers one after another."""


_CODE = re.compile(r"(?<![\w.,'\u2019-])(?=[\w-]*\d)(?=[\w-]*[A-Za-z])"
                   r"([A-Za-z\d]+(?:-[A-Za-z\d]+)*)(?![\w-])")  # fmt: skip
"""A name with figures in it: ``3D``, ``COVID-19``, ``X42T``, ``MK-4``."""


def _code(match: re.Match[str]) -> str:
    """The letters as written, each run of figures read: one or two figures as a number
    ("X forty-two T"), more or ones with a leading zero figure by figure ("C two one
    two"), as a model number is read."""
    said = []
    for run in re.findall(r"[A-Za-z]+|\d+", match.group(1)):
        if not run.isdigit():
            said.append(run)
        elif len(run) <= 2 and not (len(run) > 1 and run.startswith("0")):
            said.append(_words(int(run)))
        else:
            said.append(digits(run))
    return " ".join(said)


_CODE_NUMBER = re.compile(r"(?<![\w.])([A-Z]{2,5}) (\d{5,})(?![\w.,]\d|[\w%/])")
"""A long number after a code of capitals (``PMID 10667370``, ``PIN 503165``): figure by
figure, as a serial number is read (``LM 800`` stays "LM eight hundred")."""


_ERA = re.compile(
    r"(?<=\bAD )(\d{1,4})(?![\w.,]\d|\w)|(?<=\bA\.D\. )(\d{1,4})(?![\w.,]\d|\w)"
    r"|(?<![\w.,])(\d{1,4})(?=\s?(?:BCE?|CE|AD|B\.C\.|A\.D\.|B\.C\.E\.|C\.E\.)(?!\w))"
)
"""A year with its era (``AD 1066``, ``44 BC``, ``1500 B.C.``): ten sixty-six."""


_VERSION = re.compile(r"(?<![\w.])(\d+)((?:\.\d+){2,})(?![\w.]|\.\d)")


def _version(match: re.Match[str]) -> str:
    """``1.1.3``: one point one point three."""
    parts = [match.group(1), *match.group(2).split(".")[1:]]
    return " point ".join(cardinal(p) if len(p) < 4 else digits(p) for p in parts)


_OPERATORS = {"+": "plus", "-": "minus", "\u2212": "minus", "*": "times", "\u00d7": "times",
              "x": "times", "\u00f7": "divided by", "/": "divided by", "=": "equals"}  # fmt: skip
_EQUATION = re.compile(
    r"(?<![\w.,/-])\d+(?:\.\d+)?(?:\s?[-+*\u00d7\u00f7/\u2212]\s?\d+(?:\.\d+)?)*\s?=\s?"
    r"[-\u2212]?\d+(?:\.\d+)?(?![\w]|[.,]\d)"
)
_ARITHMETIC = re.compile(r"(?<![\w.,/-])(\d+(?:\.\d+)?)\s?([+*\u00d7\u00f7])\s?(?=\d)")
_BY = re.compile(r"(?<![\w.,/-])(\d+(?:\.\d+)?)\s?x\s?(?=\d)")
"""``914 x 15 m``: nine hundred fourteen by fifteen meters."""


def _equation(match: re.Match[str]) -> str:
    """``12-5=7``: twelve minus five equals seven."""
    said = []
    for number, operator in re.findall(
        r"(\d+(?:\.\d+)?)|([-+*\u00d7\u00f7/=\u2212])", match.group(0)
    ):
        if number:
            whole, _, fraction = number.partition(".")
            said.append(decimal(whole, fraction or None))
        else:
            said.append(_OPERATORS[operator])
    return " ".join(said)


_YEAR_ALONE = re.compile(
    r"(?<![\w.,$\u00a3\u20ac/#-])(1[1-9]\d\d|20\d\d)(?![\w%\"/]|['\u2019](?!s\b)|[.,]\d|-\d)"
)
"""A year, also one with its possessive (``1999's``)."""
_HYPHENATED = re.compile(r"(?<![\w.,-])(\d{1,3}(?:,\d{3})+|\d{1,3})(?=-[A-Za-z])")
_NEGATIVE = re.compile(r"(?:(?<=\s)|(?<=^)|(?<=\())[-\u2212](?=\d)")
_POINT = re.compile(r"(?<![\w.,$])\.(\d+)(?![\w.,]\d|\w)")
"""``.5`` alone: "point five"."""
_PLAIN = re.compile(
    r"(?<![\w.,:/$\u00a3\u20ac#+-])(\d{1,3}(?:,\d{3})+|\d{1,15})(?:\.(\d+))?"
    r"(?![\w%/]|:\d|[.,]\d|-\d)"
)

_CENTS = re.compile(r"(?<![\w.,])(\d{1,3}(?:,\d{3})+|\d+)\s?\u00a2")
"""``99¢``: ninety-nine cents."""
_FEET_INCHES = re.compile(r"(?<=\bfeet )(\d{1,2})\s?in\b(?!['\u2019])")
"""``6 ft 2 in tall``: "in" after a number of feet is inches."""
_FEET = re.compile(
    r"(?<![\w.,'\u2018\u2019$])(\d{1,3}(?:\.\d+)?)['\u2032](?!\w|['\u2032])(\s?[x\u00d7]\s?(?=\d))?"
)
"""``6' tall``, ``50' x 120'``: a foot mark after a number (not a quotation's closing
mark: no single quote opens before it)."""
_OPENING_SINGLE = re.compile(r"(?:^|[\s(\[\"\u201c])['\u2018](?=\w)")


def _feet(match: re.Match[str]) -> str:
    if _OPENING_SINGLE.search(match.string, 0, match.start()):
        return match.group(0)
    whole, _, fraction = match.group(1).partition(".")
    said = f"{decimal(whole, fraction or None)} {'foot' if match.group(1) == '1' else 'feet'}"
    return said + (" by " if match.group(2) else "")


_EARLY_YEAR = re.compile(
    r"\b((?:[Ii]n|[Yy]ear|[Ss]ince|[Uu]ntil|[Bb]efore|[Aa]fter|[Ff]rom|[Bb]y|circa|around) )"
    r"(10\d\d)(?![\w%\"/]|['\u2019](?!s\b)|[.,]\d|-\d)"
)
"""``in 1066``, ``the year 1066``: a year of the eleventh century after a word of time
("ten sixty-six"); elsewhere such a figure is more often a count."""


def _early_year(match: re.Match[str]) -> str:
    if _COUNTED.match(match.string, match.end()):
        return match.group(0)
    return match.group(1) + year(match.group(2))


_STATE_NAMES = "|".join(
    sorted({*STATES.values(), *AMBIGUOUS_STATES.values()}, key=len, reverse=True)
)
_ZIP = re.compile(
    rf"((?:\b(?:ZIP|[Zz]ip|[Pp]ostal)(?: [Cc]ode)?(?: is|:)?|\b(?:{_STATE_NAMES}),?) )"
    r"(\d{5})(?:-(\d{4}))?(?![\w-]|[.,]\d)"
)
"""A ZIP code, after a state or the word: figure by figure."""


def _zip(match: re.Match[str]) -> str:
    extra = match.group(3)
    if not extra and _COUNTED.match(match.string, match.end()):
        return match.group(0)  # Texas 11779 votes: a count
    return match.group(1) + digits(match.group(2)) + (f", {digits(extra)}" if extra else "")


_DIALED = re.compile(
    r"\b((?:[Cc]all|[Dd]ial|[Dd]ialed|[Dd]ialing|[Cc]alling|[Cc]alled|[Tt]ext)(?: to)? )"
    r"(\d{3})(?![\w.,:/%-])"
)
"""``Call 911``, ``dial 999``: a short service number is dialed figure by figure."""


def _dialed(match: re.Match[str]) -> str:
    if _COUNTED.match(match.string, match.end()):
        return match.group(0)  # called 100 people
    return match.group(1) + digits(match.group(2))


_FIGURE = re.compile(r"[\d\u00bc-\u00be\u2150-\u215e]")
RULES: tuple[Rule, ...] = (
    (_IDENTIFIER, _identifier),
    (_ZIP, _zip),
    (_DIALED, _dialed),
    (_EQUATION, _equation),
    (_PHONE, _phone),
    (_ISO_DATE, _iso_date),
    (_YEAR_FIRST_DATE, _year_first_date),
    (_SLASH_DATE, _slash_date),
    (_DAY_MONTH, _day_month),
    (_MONTH_DAY, _month_day),
    (_MONTH_YEAR, _month_year),
    (_VERSE, _verse),
    (_DURATION, _duration),
    (_TIME_RANGE, _time_range),
    (_ONE_TIME, _one_time),
    (_RATIO, lambda m: f"{cardinal(m.group(1))} to {cardinal(m.group(2))}"),
    (_VERSION, _version),
    (_MONEY, _money),
    (_CENTS, lambda m: f"{cardinal(m.group(1))} cent{'' if m.group(1) == '1' else 's'}"),
    (_HEIGHT, _height),
    (_FEET, _feet),
    (_INCHES, _inches),
    (_PERCENT, _percent),
    (_BY, lambda m: f"{m.group(1)} by "),
    (_ARITHMETIC, lambda m: f"{m.group(1)} {_OPERATORS[m.group(2)]} "),
    (_MEASURE, _measure),
    (_FEET_INCHES, lambda m: f"{cardinal(m.group(1))} inch{'' if m.group(1) == '1' else 'es'}"),
    (_WATTS, _watts),
    (_VULGAR_FRACTION, _vulgar),
    (_FRACTION_UNIT, _fraction_unit),
    (_FRACTION, _slash),
    (_SCORE, lambda m: " ".join(cardinal(g) for g in m.groups())),
    (_YEAR_SPAN, _year_span),
    (_RANGE, _range),
    (_ORDINAL, lambda m: ordinal(m.group(1))),
    (_DECADE, lambda m: _decade(m.group(1), m.group(2))),
    (_SHORT_DECADE, lambda m: _decade("19", m.group(1)[0] + "0")),
    (_AGE_DECADE, lambda m: _decade("", m.group(1))),
    (_NUMBER_SIGN, lambda m: f"number {cardinal(m.group(1))}"),
    (_ROMAN_ORDINAL, lambda m: _words(roman_value(m.group(1)), "ordinal")),
    (_ROMAN_HEADING, lambda m: f"{m.group(1)}{_words(roman_value(m.group(2)))}{m.group(3)}"),
    (_ROMAN_AFTER, _roman),
    (_ERA, lambda m: year(next(g for g in m.groups() if g))),
    (_CODE_NUMBER, lambda m: f"{m.group(1)} {digits(m.group(2))}"),
    (_EARLY_YEAR, _early_year),
    (_YEAR_ALONE, _year_or_count),
    (_HYPHENATED, lambda m: cardinal(m.group(1))),
    (_CODE, _code),
    (_NEGATIVE, lambda m: "minus "),
    (_POINT, lambda m: decimal("", m.group(1))),
    (_PLAIN, lambda m: decimal(m.group(1), m.group(2))),
)
"""The English rules, in the order they run."""


def _decade(century: str, decade: str) -> str:
    said = year(century + decade) if century else _words(int(decade))
    return said[:-1] + "ies" if said.endswith("y") else said + "s"


def say_numbers(text: str) -> str:
    """Rewrite the numbers of one English sentence as words: ``$0.02`` -> ``two cents``,
    ``Jan. 5, 2020`` -> ``January fifth, twenty twenty``, ``123`` -> ``one hundred
    twenty-three``, ``Henry VIII`` -> ``Henry the eighth``."""
    if not _FIGURE.search(text) and not _ANY_ROMAN.search(text):
        return text
    closing = '"' in text and _closing_quotes(text)
    if closing:
        text = "".join(_QUOTE_MARK if i in closing else c for i, c in enumerate(text))
    for pattern, spoken in RULES:
        text = pattern.sub(spoken, text)
    text = _A_BEFORE_A_VOWEL.sub(r"\1n ", text)
    return text.replace(_QUOTE_MARK, '"') if closing else text


_A_BEFORE_A_VOWEL = re.compile(r"\b([Aa]) (?=(?:eight|eleven|eighteen|eighty)\w*\b)")
"""``a $80 fee`` was written for "a dollar"; said "an eighty dollar fee"."""
_ANY_ROMAN = re.compile(r"\b[MDCLXVI]+(?:th)?\b")
_QUOTE_MARK = "\ue011"


def _closing_quotes(text: str) -> set[int]:
    """Where a straight quote after a figure closes a quotation (``"Sold in 2010".``)
    rather than marking inches (``36"``): an odd number of quote marks stand before it."""
    return {i for i, c in enumerate(text) if c == '"' and i and text[i - 1].isdigit()
            and text.count('"', 0, i) % 2}  # fmt: skip


_WHOLE = re.compile(r"(?<![\w.,:/])\d{1,9}(?![\w.,:/%]|[.,]\d)")
"""A whole number standing alone; ``3.`` (an ordinal in German) is left for the voice."""


@functools.lru_cache(maxsize=32)
def number_language(lang: str) -> str | None:
    """The num2words language for a tag (``de-AT`` -> ``de``), or None when it has none."""
    from num2words import CONVERTER_CLASSES

    tag = lang.replace("-", "_")
    for candidate in (tag, tag.split("_")[0].lower()):
        if candidate in CONVERTER_CLASSES:
            return candidate
    return None


def say_numbers_in(text: str, lang: str) -> str:
    """Plain whole numbers in ``lang``'s words (num2words); everything else, and every
    number in a language num2words does not speak, is left for the voice."""
    code = number_language(lang)
    if code is None:
        return text
    from num2words import num2words

    def spoken(match: re.Match[str]) -> str:
        try:
            return str(num2words(int(match.group(0)), lang=code))
        except (NotImplementedError, OverflowError, ValueError):
            return match.group(0)

    return _WHOLE.sub(spoken, text)
