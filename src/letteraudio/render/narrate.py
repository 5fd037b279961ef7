"""One article rendered: plan, a local map of paragraphs (or a cluster's), join."""

from __future__ import annotations

from pathlib import Path

from letteraudio.render.join import join
from letteraudio.render.maps import parts_map
from letteraudio.render.model import Article, Episode, Progress
from letteraudio.render.plan import plan
from letteraudio.render.target import check_target, target_for
from letteraudio.settings import Settings


def narrate(
    article: Article,
    settings: Settings,
    target: str | Path | None = None,
    progress: Progress | None = None,
) -> Episode:
    """Render ``article`` to a tagged MP3 with its sidecars: :func:`plan`, a local map of
    :func:`render_paragraph`, :func:`join`. ``target`` is a file, or a folder to write
    ``<name>.mp3`` in (see :func:`target_for`); by default ``output/<name>.mp3``."""
    planned = plan(article, settings)
    path = target_for(article, target, planned.script.document.title)
    check_target(article, path, settings)
    with parts_map(settings) as parts:
        return join(planned, parts.parts(planned), path, progress)
