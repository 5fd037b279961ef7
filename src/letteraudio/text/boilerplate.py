"""Web-article clutter that nobody reads aloud: sign-up prompts, share buttons, credits.

Only short blocks are candidates, so a real paragraph that mentions a newsletter stays.
"""

from __future__ import annotations

import re

MAX_WORDS = 40
PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (reason, re.compile(pattern, re.IGNORECASE))
    for reason, pattern in (
        ("newsletter sign-up",
         r"\b(sign up|subscribe|join)\b.{0,80}\b(newsletter|mailing list|updates|inbox)\b"),
        ("subscription prompt", r"^\s*subscribe\b"),
        ("share prompt", r"^\s*(share|tweet|pin) (this|on|via)\b|^\s*share\s*$"),
        ("advertisement", r"^\s*(advertisement|sponsored( content)?|promoted)\s*$"),
        ("photo credit", r"^\s*(photo|image|picture|illustration)s?\s*(credit|courtesy|by)?\s*[:(]|"
                         r"^\s*\(?(photo|image)s? (credit|courtesy|by)\b"),
        ("read-more link", r"^\s*(read more|continue reading|related:|see also:)"),
        ("follow prompt", r"^\s*follow us\b"),
    )
)  # fmt: skip


def boilerplate_reason(text: str) -> str | None:
    """Why a block is clutter, or None when it is content."""
    if len(text.split()) > MAX_WORDS:
        return None
    for reason, pattern in PATTERNS:
        if pattern.search(text):
            return reason
    return None
