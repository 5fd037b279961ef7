"""letteraudio: turn a written article or letter into one narrated MP3.

Three lines render an article::

    import letteraudio as la
    article = la.Article.read("letter.md")
    episode = la.narrate(article, la.Settings.load(), "out/letter.mp3")

``la.plan``, ``la.render_paragraph`` and ``la.join`` are the same render as a map, for
any scheduler (see :mod:`letteraudio.api`; :mod:`letteraudio.render` tells the layout).
The names are imported when first used, so
``import letteraudio.cli`` (and ``letteraudio --help``) loads none of the render.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from letteraudio._version import __version__ as __version__
from letteraudio.errors import (
    EngineUnavailable,
    InputError,
    LetterAudioError,
    NetworkError,
    OutputError,
    SynthesisError,
)

if TYPE_CHECKING:
    from letteraudio.render.join import join
    from letteraudio.render.model import Article, Episode, Part, Plan, Task
    from letteraudio.render.narrate import narrate
    from letteraudio.render.paragraph import render_paragraph
    from letteraudio.render.plan import plan
    from letteraudio.render.target import target_for
    from letteraudio.settings import Settings, Voice

__all__ = [
    "Article",
    "EngineUnavailable",
    "Episode",
    "InputError",
    "LetterAudioError",
    "NetworkError",
    "OutputError",
    "Part",
    "Plan",
    "Settings",
    "SynthesisError",
    "Task",
    "Voice",
    "__version__",
    "join",
    "narrate",
    "plan",
    "render_paragraph",
    "target_for",
]
_HOMES = {
    "Article": "letteraudio.render.model",
    "Episode": "letteraudio.render.model",
    "Part": "letteraudio.render.model",
    "Plan": "letteraudio.render.model",
    "Task": "letteraudio.render.model",
    "join": "letteraudio.render.join",
    "narrate": "letteraudio.render.narrate",
    "plan": "letteraudio.render.plan",
    "render_paragraph": "letteraudio.render.paragraph",
    "target_for": "letteraudio.render.target",
    "Settings": "letteraudio.settings",
    "Voice": "letteraudio.settings",
}
"""Where each name lives (imported when first used)."""


def __getattr__(name: str) -> Any:
    if name not in __all__:
        raise AttributeError(f"module 'letteraudio' has no attribute {name!r}")
    value = getattr(importlib.import_module(_HOMES[name]), name)
    globals()[name] = value
    return value
