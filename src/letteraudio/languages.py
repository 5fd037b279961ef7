"""The one home of language matching: how a language tag is written, and whether a
voice's language is the one asked for (``en`` finds ``en_US`` and ``en-GB``)."""

from __future__ import annotations


def language_tag(language: str) -> str:
    """``en_US`` and ``EN-us`` as ``en-us``: the form tags are compared in."""
    return language.replace("_", "-").lower()


def speaks(language: str, lang: str) -> bool:
    """Whether a voice's ``language`` is ``lang`` or a variety of it (``en`` finds ``en_US``)."""
    have, want = language_tag(language), language_tag(lang)
    return have == want or have.startswith(f"{want}-")


def primary_language(lang: str | None, default: str = "en") -> str:
    """A tag's language without its region or script: ``en-US`` and ``en_GB`` are ``en``;
    None is ``default``."""
    return language_tag(lang or default).split("-")[0]
