"""The one home of the abbreviations letteraudio knows: how each is said, and which of
them stand before a name (so they never end a sentence).

The sentence splitter (:mod:`letteraudio.text.segment`) and the normalizer
(:mod:`letteraudio.text.normalize`) both read these tables; nothing else lists them.
"""

from __future__ import annotations

import re

PREPOSITIVE = {
    "Mr.": "Mister", "Mrs.": "Missus", "Ms.": "Miz", "Dr.": "Doctor", "Prof.": "Professor",
    "Sen.": "Senator", "Gov.": "Governor", "Rep.": "Representative", "Gen.": "General",
    "Capt.": "Captain", "Lt.": "Lieutenant", "Col.": "Colonel", "Sgt.": "Sergeant",
    "Rev.": "Reverend", "Hon.": "Honorable", "Pres.": "President", "Supt.": "Superintendent",
    "Mt.": "Mount", "Ft.": "Fort",
}  # fmt: skip
"""Titles and place words that stand before a name: they never end a sentence."""

ABBREVIATIONS = {
    **PREPOSITIVE,
    "Jr.": "Junior", "Sr.": "Senior", "co.": "company", "Co.": "Company",
    "Inc.": "Incorporated", "Ltd.": "Limited", "Corp.": "Corporation", "Bros.": "Brothers",
    "vs.": "versus", "etc.": "et cetera", "e.g.": "for example", "i.e.": "that is",
    "approx.": "approximately", "Ph.D.": "P H D", "Dept.": "Department",
    "Ave.": "Avenue", "Blvd.": "Boulevard", "Rd.": "Road", "Univ.": "University",
    "est.": "established", "Fig.": "Figure", "Vol.": "Volume", "pp.": "pages",
}  # fmt: skip
"""Every abbreviation the normalizer expands (case as written)."""

MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
MONTH_ABBREVIATIONS = {
    "Jan": 1, "Feb": 2, "Mar": 3, "Apr": 4, "Jun": 6, "Jul": 7, "Aug": 8,
    "Sep": 9, "Sept": 9, "Oct": 10, "Nov": 11, "Dec": 12,
}  # fmt: skip
"""Short month names (with or without their full stop)."""

NUMBER_SIGN = "No."
"""Said "number" before a figure (``No. 5``); elsewhere it is the word "No"."""
SAINT_OR_STREET = "St."
"""Saint before a name (``St. Michael's``), Street after a name or a number (``5th St.``)."""
STREET = re.compile(
    r"(\b\d+(?:st|nd|rd|th)|(?<=\S )[A-Z][a-z]+|\b[A-Z][a-z]+(?= [Ss]t\.(?! [A-Z])))"
    r" [Ss]t\.(?!\w)"
)
"""``St.`` that is Street: after an ordinal (``5th St.``), after a name inside a sentence
(``on Baker St.``), or after a name with no name to follow (``Main St. is shut``), so a
sentence may end with it. After the sentence's first word and before a name (``In St.
Louis``, ``Visit St. Mary``), or after a lower-case word (``at St. Paul's``), it is Saint."""
