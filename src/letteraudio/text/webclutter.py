"""What web pages put around an article that nobody reads aloud, in several languages.

Section headings that start a block of links ("Related stories", "You might also like:",
"Lesen Sie auch", "À lire aussi"), reading-time labels ("4 Min Read"), tag lists
("Tags: ...") and author boxes ("About the author"). A heading that opens such a
section takes the short blocks after it (the links' titles, the author's blurb) with it,
up to the next heading or real paragraph.
"""

from __future__ import annotations

import re

from letteraudio.text.parse import Dropped

RELATED_MAX_WORDS = 8
"""A related-links heading is short: a sentence mentioning related stories is content."""
LINK_TITLE_MAX_WORDS = 20
"""Blocks under a related-links heading this short are the links' titles."""
AUTHOR_BLURB_MAX_WORDS = 80

_RELATED = re.compile(
    r"^\W*("
    # English
    r"related( stories| articles| posts| content| coverage| links| reading| news| topics)?"
    r"|more (stories|articles|news|coverage|from|on|in|to read|like this)\b.*"
    r"|(you|we think you) (might|may|will|would) (also )?(like|enjoy|be interested)\b.*"
    r"|recommended( for you| stories| articles| reading)?|read (next|this next|also)"
    r"|(most )?(popular|read|viewed|shared)( now| stories| articles| posts)?|trending( now)?"
    r"|also (read|see|on \w+)|see also|don'?t miss|editor'?s picks|top stories|latest( news)?"
    # German, French, Spanish, Portuguese, Italian, Dutch, Polish, Czech
    r"|(lesen sie|lies) (auch|mehr)|auch interessant|mehr zum thema|das k\u00f6nnte sie auch "
    r"interessieren|weitere artikel|meistgelesen|\u00e0 lire aussi|lire aussi|voir aussi"
    r"|sur le m\u00eame sujet|articles? (similaires|li\u00e9s)|les plus lus"
    r"|(tambi\u00e9n )?te puede interesar|lee tambi\u00e9n|leer m\u00e1s|noticias relacionadas"
    r"|art\u00edculos relacionados|lo m\u00e1s le\u00eddo|leia (tamb\u00e9m|mais)"
    r"|mat\u00e9rias relacionadas|leggi anche|potrebbe interessarti|articoli correlati"
    r"|lees ook|meer over|gerelateerde artikelen|czytaj (te\u017c|tak\u017ce|wi\u0119cej)"
    r"|zobacz (te\u017c|tak\u017ce)|polecane|najcz\u0119\u015bciej czytane"
    r"|p\u0159e\u010dt\u011bte si"
    r"|souvisej\u00edc\u00ed \u010dl\u00e1nky"
    r")\W*$",
    re.IGNORECASE,
)
_READING_TIME = re.compile(
    r"^\W*(\d+\s*(-\s*\d+\s*)?(min(ute)?s?\.?|m)\s*(read|reading( time)?|de lecture|de lectura"
    r"|di lettura|leestijd|czytania|lesezeit)"
    r"|(reading time|lesezeit|temps de lecture|tiempo de lectura|tempo de leitura"
    r"|tempo di lettura|leestijd|czas czytania)\W*\d+\s*(min(ute)?s?|minuten|minutos|minuti)?\.?"
    r")\W*$",
    re.IGNORECASE,
)
_TAGS = re.compile(
    r"^\W*(tags?|tagged( with| as)?|topics?|filed (under|in)|categor(y|ies)|posted in"
    r"|schlagw\u00f6rter|themen|mots[- ]cl\u00e9s|etiquetas|temas|tag|argomenti|tagi"
    r"|\u0161t\u00edtky"
    r")\s*(:|$)",
    re.IGNORECASE,
)
_AUTHOR_BOX = re.compile(
    r"^\W*(about the (author|writer)s?|about me|(the )?author'?s? bio|written by|"
    r"\u00fcber (den|die) autor(in)?|zum autor|\u00e0 propos de l'auteur|l'auteur|"
    r"sobre (el|la|o|a) autor(a)?|informazioni sull'autore|l'autore|over de auteur|o autorze)"
    r"\W*$",
    re.IGNORECASE,
)
_SECTIONS = ("related links", "author box")
"""Headings whose section (links, a blurb) goes with them."""
_REASONS = (
    (_RELATED, "related links", RELATED_MAX_WORDS),
    (_READING_TIME, "reading time", 8),
    (_TAGS, "tag list", 40),
    (_AUTHOR_BOX, "author box", 8),
)


def block_reason(text: str) -> str | None:
    """Why a block (a heading, item or short paragraph) is page furniture, or None."""
    words = len(text.split())
    for pattern, reason, max_words in _REASONS:
        if words <= max_words and pattern.search(text):
            return reason
    return None


def remove_page_furniture(
    blocks: list[tuple[str, str]],
) -> tuple[list[tuple[str, str]], list[Dropped]]:
    """Blocks without related-link sections, reading times, tag lists and author boxes,
    and what was left out."""
    kept: list[tuple[str, str]] = []
    dropped: list[Dropped] = []
    section: str | None = None
    for kind, text in blocks:
        words = len(text.split())
        reason = block_reason(text)
        if reason is not None:
            dropped.append(Dropped.of(text, reason))
            if reason in _SECTIONS:
                section = reason
            continue
        if section is not None and kind not in ("h1", "heading"):
            limit = AUTHOR_BLURB_MAX_WORDS if section == "author box" else LINK_TITLE_MAX_WORDS
            if kind == "item" or words <= limit:
                dropped.append(Dropped.of(text, section))
                if section == "author box":
                    section = None  # one blurb
                continue
        section = None
        kept.append((kind, text))
    return kept, dropped
