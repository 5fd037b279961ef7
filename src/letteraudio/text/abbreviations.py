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
    "Mt.": "Mount", "Ft.": "Fort", "Maj.": "Major", "Cpl.": "Corporal", "Pvt.": "Private",
    "Adm.": "Admiral", "Cmdr.": "Commander", "Brig.": "Brigadier",
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

BEFORE_A_NAME = {
    "Mr": "Mister", "Mrs": "Missus", "Ms": "Miz", "Dr": "Doctor", "dr": "doctor",
    "mr": "mister", "mrs": "missus", "mt": "mount",
    "Prof": "Professor", "Mt": "Mount", "Ft": "Fort", "Capt": "Captain", "Lt": "Lieutenant",
    "Sgt": "Sergeant", "Gov": "Governor", "Sen": "Senator", "Rev": "Reverend",
}  # fmt: skip
"""Titles written without their full stop (British style: "Mr Smith", "Dr Jones"): said
in full only before a capitalized name."""
AFTER_A_NAME = {
    "Ltd": "Limited", "ltd": "limited", "Inc": "Incorporated", "Corp": "Corporation",
    "Bros": "Brothers", "Jr": "Junior", "jr": "junior", "Sr": "Senior", "sr": "senior",
    "vs": "versus", "Vs": "versus", "Dept": "Department", "dept": "department",
    "bros": "brothers", "vol": "volume", "vols": "volumes", "ave": "avenue",
    "blvd": "boulevard", "cpl": "corporal", "pvt": "private",
}  # fmt: skip
"""Words written without their full stop that are never anything else: said in full
wherever they stand as a word."""
BEFORE_A_NUMBER = {
    "p.": ("page", "pages"), "pp.": ("pages", "pages"), "vol.": ("volume", "volumes"),
    "Vol.": ("Volume", "Volumes"), "vols.": ("volumes", "volumes"), "no.": ("number", "numbers"),
    "No.": ("number", "numbers"), "nos.": ("numbers", "numbers"), "ch.": ("chapter", "chapters"),
    "Ch.": ("Chapter", "Chapters"), "fig.": ("figure", "figures"), "Fig.": ("Figure", "Figures"),
    "sec.": ("section", "sections"), "art.": ("article", "articles"),
    "para.": ("paragraph", "paragraphs"), "p": ("page", "pages"), "pp": ("pages", "pages"),
    "vol": ("volume", "volumes"), "Vol": ("Volume", "Volumes"),
}  # fmt: skip
"""References said in full before a figure (``p. 117``, ``vol. 3``, ``pp. 12-15``): the
splitter never ends a sentence at one when a figure follows; the singular or plural
follows the figure (``p. 1`` "page one", a range "pages")."""
BEFORE_A_YEAR = {
    "c.": "circa", "ca.": "circa", "b.": "born", "d.": "died", "fl.": "flourished",
    "r.": "reigned",
}  # fmt: skip
"""Said in full before a year (``c. 1400``, ``(d. 1934)``); elsewhere "c." or "d." is an
initial."""
STATES = {
    "AL": "Alabama", "AK": "Alaska", "AZ": "Arizona", "AR": "Arkansas", "CA": "California",
    "CO": "Colorado", "CT": "Connecticut", "DE": "Delaware", "FL": "Florida",
    "GA": "Georgia", "IL": "Illinois", "IA": "Iowa", "KS": "Kansas",
    "KY": "Kentucky", "LA": "Louisiana", "MD": "Maryland", "MA": "Massachusetts",
    "MI": "Michigan", "MN": "Minnesota", "MS": "Mississippi", "MO": "Missouri",
    "MT": "Montana", "NE": "Nebraska", "NV": "Nevada", "NH": "New Hampshire",
    "NJ": "New Jersey", "NM": "New Mexico", "NY": "New York", "NC": "North Carolina",
    "ND": "North Dakota", "PA": "Pennsylvania", "RI": "Rhode Island",
    "SC": "South Carolina", "SD": "South Dakota", "TN": "Tennessee", "TX": "Texas",
    "UT": "Utah", "VT": "Vermont", "VA": "Virginia", "WA": "Washington",
    "WV": "West Virginia", "WI": "Wisconsin", "WY": "Wyoming",
    "Ala.": "Alabama", "Ariz.": "Arizona", "Ark.": "Arkansas", "Calif.": "California",
    "Colo.": "Colorado", "Conn.": "Connecticut", "Del.": "Delaware", "Fla.": "Florida",
    "Ga.": "Georgia", "Ill.": "Illinois", "Ind.": "Indiana", "Kan.": "Kansas",
    "Ky.": "Kentucky", "La.": "Louisiana", "Md.": "Maryland", "Mass.": "Massachusetts",
    "Mich.": "Michigan", "Minn.": "Minnesota", "Miss.": "Mississippi", "Mo.": "Missouri",
    "Mont.": "Montana", "Neb.": "Nebraska", "Nev.": "Nevada", "N.H.": "New Hampshire",
    "N.J.": "New Jersey", "N.M.": "New Mexico", "N.Y.": "New York",
    "N.C.": "North Carolina", "N.D.": "North Dakota", "Okla.": "Oklahoma",
    "Ore.": "Oregon", "Pa.": "Pennsylvania", "R.I.": "Rhode Island",
    "S.C.": "South Carolina", "S.D.": "South Dakota", "Tenn.": "Tennessee",
    "Tex.": "Texas", "Vt.": "Vermont", "Va.": "Virginia", "Wash.": "Washington",
    "W.Va.": "West Virginia", "Wis.": "Wisconsin", "Wyo.": "Wyoming",
}  # fmt: skip
"""US states as written after a city and a comma (``Springfield, MO``, ``Albany, N.Y.``):
said in full there only. Codes that are also words or titles (OK, OR, IN, ME, HI) are
left out; Washington, D.C. stays letters, as people say it."""

DAYS = {
    "Mon": "Monday", "Tue": "Tuesday", "Tues": "Tuesday", "Wed": "Wednesday",
    "Thu": "Thursday", "Thur": "Thursday", "Thurs": "Thursday", "Fri": "Friday",
    "Sat": "Saturday", "Sun": "Sunday",
}  # fmt: skip
"""Short day names: said in full in a range (``Mon.-Sun.``, ``Tue-Fri``), where they
cannot be a word ("the Sun")."""

MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
MONTH_ABBREVIATIONS = {
    "Jan": 1, "Feb": 2, "Mar": 3, "Apr": 4, "Jun": 6, "Jul": 7, "Aug": 8,
    "Sep": 9, "Sept": 9, "Oct": 10, "Nov": 11, "Dec": 12,
}  # fmt: skip
"""Short month names (with or without their full stop)."""

SLASHED = {
    "w/o": "without", "W/O": "without", "w/": "with", "W/": "with", "c/o": "care of",
    "C/O": "care of", "n/a": "not applicable", "N/A": "not applicable",
    "a/k/a": "also known as", "A/K/A": "also known as", "b/c": "because",
}  # fmt: skip
"""Abbreviations written with a slash (``w/o``, ``c/o``): said in full wherever they
stand as a word."""

AMBIGUOUS_STATES = {
    "ID": "Idaho", "IN": "Indiana", "ME": "Maine", "OH": "Ohio", "OR": "Oregon",
    "HI": "Hawaii",
}  # fmt: skip
"""State codes that are also words (``ID``, ``OR``, ``IN``): a state only after a city
and a comma where the sentence ends or a ZIP code follows (``Dayton, OH``, ``Portland,
OR 97201``)."""

DRIVE = re.compile(r"(?<=\S )([A-Z][a-z]+) Dr\.(?!\w)(?! [A-Z])")
"""``Dr.`` that is Drive: after a name inside a sentence with no name to follow (``on Elm
Dr. and``, ``at Ocean Dr. in Miami``); before a name it is Doctor (``Dr. Patel``)."""

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
