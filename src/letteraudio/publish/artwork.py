"""Square show artwork drawn from the show's title, for a feed given no ``--image``.

Podcast directories refuse a feed without square artwork of 1400-3000 px. This draws the
title in white on a plain dark background, 3000 x 3000 px, in the font Pillow carries
(so nothing depends on the system's fonts), and gives the same bytes for the same title.
"""

from __future__ import annotations

import functools
import io
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PIL.ImageDraw import ImageDraw
    from PIL.ImageFont import FreeTypeFont

ARTWORK_NAME = "letteraudio-artwork.png"
"""Beside the feed; a name of letteraudio's own, so a file of the user's is never replaced."""
SIZE = 3000
BACKGROUND = (28, 46, 74)
"""Dark blue: white text on it has a contrast ratio of about 13:1 (WCAG asks 4.5:1)."""
FOREGROUND = (255, 255, 255)
MARGIN = 300
LARGEST_FONT = 360
SMALLEST_FONT = 90
LINE_SPACING = 1.25


MAX_TITLE_CHARS = 160
"""A longer show title is drawn cut at a word, with an ellipsis."""


def artwork_png(title: str) -> bytes:
    """The artwork for ``title``, as a PNG file's bytes."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (SIZE, SIZE), BACKGROUND)
    draw = ImageDraw.Draw(image)
    words = " ".join(title.split()) or "Podcast"
    if len(words) > MAX_TITLE_CHARS:  # no one reads more on a square; Pillow would refuse it
        words = words[:MAX_TITLE_CHARS].rsplit(" ", 1)[0].rstrip(" ,;:-") + "\u2026"
    font, lines = _fit(draw, words)
    height = font.size * LINE_SPACING
    top = (SIZE - height * len(lines)) / 2
    for number, line in enumerate(lines):
        y = top + height * (number + 0.5)
        draw.text((SIZE / 2, y), line, font=font, fill=FOREGROUND, anchor="mm")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def _fit(draw: ImageDraw, title: str) -> tuple[FreeTypeFont, list[str]]:
    """The largest font (and the title wrapped in it) that fits inside the margins."""
    from PIL import ImageFont

    width = SIZE - 2 * MARGIN
    size = LARGEST_FONT
    while True:
        font = ImageFont.load_default(size=size)
        if not isinstance(font, ImageFont.FreeTypeFont):  # pragma: no cover
            raise RuntimeError("this Pillow has no FreeType: it cannot draw the artwork")
        lines = _wrap(title, functools.partial(draw.textlength, font=font), width)
        fits = all(draw.textlength(line, font=font) <= width for line in lines)
        if size <= SMALLEST_FONT or (fits and size * LINE_SPACING * len(lines) <= width):
            return font, lines
        size = int(size * 0.9)


def _wrap(title: str, measure: Callable[[str], float], width: float) -> list[str]:
    """Words in lines no wider than ``width`` (a longer word has a line of its own)."""
    lines: list[str] = []
    for word in title.split(" "):
        if lines and measure(f"{lines[-1]} {word}") <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines
