"""Text clean-up before parsing: an ordered list of small ``str -> str`` passes.

Each pass does one thing and can be tested alone.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

Pass = Callable[[str], str]

_EMOJI = re.compile(
    "["
    "\U0001f000-\U0001faff"  # pictographs, emoticons, transport, flags, symbols & pictographs
    "\u2600-\u27bf"  # miscellaneous symbols and dingbats
    "\u2b00-\u2bff"  # arrows and stars used as emoji
    "\ufe00-\ufe0f"  # variation selectors
    "\U000e0020-\U000e007f"  # tag characters (flag sequences)
    "]+"
)


def remove_emoji(text: str) -> str:
    """Drop emoji and pictographs: a voice would read out their names ("party popper")."""
    return _EMOJI.sub(" ", text)


DEFAULT_PASSES: tuple[Pass, ...] = (remove_emoji,)


def normalize_text(text: str, passes: Sequence[Pass] = DEFAULT_PASSES) -> str:
    """Apply each pass in order."""
    for step in passes:
        text = step(text)
    return text
