"""Make a parsed document ready to speak: drop boilerplate, and build the function that
turns each written sentence into what the voice is given (normalization and lexicon).

The document stays as written (readers see it: title tag, chapters, transcripts); the
spoken form is made sentence by sentence when the document is segmented.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace

from letteraudio.text.boilerplate import boilerplate_reason
from letteraudio.text.lexicon import Lexicon, restore
from letteraudio.text.normalize import normalizer
from letteraudio.text.parse import Document, Dropped
from letteraudio.text.segment import Speak

_LANGUAGE_TAG = re.compile(r"^([A-Za-z]{2,3})(?:[-_][A-Za-z0-9]{2,8})*$")
_VOICE_LANGUAGE = re.compile(r"^([a-z]{2,3})(?:[-_]|$)")


def prepare(document: Document, keep_boilerplate: bool = False) -> Document:
    """The document without its boilerplate; what was left out is listed in ``dropped``."""
    kept: list[int] = []
    dropped = list(document.dropped)
    for index, text in enumerate(document.paragraphs):
        reason = None if keep_boilerplate else boilerplate_reason(text)
        if reason and document.kind(index) == "paragraph":
            dropped.append(Dropped(text, reason))
        else:
            kept.append(index)
    return replace(
        document,
        paragraphs=tuple(document.paragraphs[i] for i in kept),
        headings=tuple(n for n, i in enumerate(kept) if document.kind(i) == "heading"),
        items=tuple(n for n, i in enumerate(kept) if document.kind(i) == "item"),
        dropped=tuple(dropped),
    )


def speaker(
    lexicon: Lexicon | None = None, phonemes: bool | str = False, lang: str | None = None
) -> Speak:
    """What the voice gets for one written sentence: the lexicon's words (it sees the
    words as written: COVID-19, #MeToo), then the normalization of ``lang``; the lexicon's
    output is kept away from the normalization passes."""
    normalize = normalizer(lang)
    if lexicon is None or not lexicon.entries:
        return normalize

    def speak(text: str) -> str:
        protected, said = lexicon.protect(text, phonemes)
        return restore(normalize(protected), said)

    return speak


def reading_language(
    given: str | None, metadata: Mapping[str, str], voice: str | None = None
) -> str | None:
    """The article's language: ``--lang``, else the document's own (HTML ``lang``, front
    matter ``lang``/``language``), else the voice's (``de_DE-thorsten-medium``: de);
    None when nothing says (English rules)."""
    for value in (given, metadata.get("language"), metadata.get("lang")):
        if value and _LANGUAGE_TAG.match(value.strip()):
            return value.strip()
    if voice:
        name = re.split(r"[\\/]", voice)[-1]
        found = _VOICE_LANGUAGE.match(name)
        if found:
            return found.group(1)
    return None
