"""Web-article clutter that nobody reads aloud: sign-up prompts, share buttons, credits.

Each pattern says how short a block must be to count: a call to action is a line or
two, so a real paragraph that mentions a newsletter or asks to share stays.
"""

from __future__ import annotations

import re

PATTERNS: tuple[tuple[str, int, re.Pattern[str]], ...] = tuple(
    (reason, max_words, re.compile(pattern, re.IGNORECASE))
    for reason, max_words, pattern in (
        ("newsletter sign-up", 25,
         r"\b(sign up|subscribe|join|get)\b.{0,60}\b(newsletter|mailing list)\b"),
        ("subscription prompt", 15, r"^\s*subscribe\b"),
        ("share prompt", 6, r"^\s*(share|tweet|pin|email) (this|on|via|the)\b|^\s*share\s*$"),
        ("advertisement", 3, r"^\s*(advertisement|sponsored( content)?|promoted)\s*$"),
        ("photo credit", 12, r"^\s*\(?(photo|image|picture|illustration)s?\s*(credit|courtesy|by)?"
                             r"\s*[:(]|^\s*\(?(photo|image)s? (credit|courtesy|by)\b"),
        ("read-more link", 8, r"^\s*(read more|continue reading|related:|see also:)"),
        ("follow prompt", 8, r"^\s*follow us (on|at)\b"),
    )
)  # fmt: skip


def boilerplate_reason(text: str) -> str | None:
    """Why a block is clutter, or None when it is content."""
    words = len(text.split())
    for reason, max_words, pattern in PATTERNS:
        if words <= max_words and pattern.search(text):
            return reason
    return None
