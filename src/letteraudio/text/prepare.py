"""Make a parsed document ready to speak: drop boilerplate, normalize, apply the lexicon."""

from __future__ import annotations

from dataclasses import replace

from letteraudio.text.boilerplate import boilerplate_reason
from letteraudio.text.lexicon import Lexicon, restore
from letteraudio.text.normalize import normalize_text
from letteraudio.text.parse import Document, Dropped


def prepare(
    document: Document,
    keep_boilerplate: bool = False,
    lexicon: Lexicon | None = None,
    phonemes: bool | str = False,
) -> Document:
    """The document as it will be spoken; what was left out is listed in ``dropped``."""
    kept: list[int] = []
    dropped = list(document.dropped)
    for index, text in enumerate(document.paragraphs):
        reason = None if keep_boilerplate else boilerplate_reason(text)
        if reason and document.kind(index) == "paragraph":
            dropped.append(Dropped(text, reason))
        else:
            kept.append(index)

    def speak(text: str | None) -> str | None:
        if text is None:
            return None
        if lexicon is None:
            return normalize_text(text)
        # The lexicon sees the words as written (COVID-19, #MeToo); its output is kept
        # away from the normalization passes.
        protected, said = lexicon.protect(text, phonemes)
        return restore(normalize_text(protected), said)

    return replace(
        document,
        title=speak(document.title),
        subtitle=speak(document.subtitle),
        paragraphs=tuple(speak(document.paragraphs[i]) or "" for i in kept),
        headings=tuple(n for n, i in enumerate(kept) if document.kind(i) == "heading"),
        items=tuple(n for n, i in enumerate(kept) if document.kind(i) == "item"),
        dropped=tuple(dropped),
    )
