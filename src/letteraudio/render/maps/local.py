"""Paragraphs on this machine's threads."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import TypeVar

from letteraudio.render.model import Part, Plan
from letteraudio.render.paragraph import Engines, render_paragraphs

Item = TypeVar("Item")


class LocalMap:
    """Paragraph tasks on this machine's threads, with one engine per voice for every
    article of a run: sentences are spoken several at once (across paragraph ends),
    paragraphs mastered a few at once, and what is in the cache is not spoken."""

    def __init__(self) -> None:
        self.engines = Engines()

    def __enter__(self) -> LocalMap:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.engines.clear()

    def identity(self, planned: Plan) -> Mapping[str, object]:
        return self.engines.identity(planned.tasks[0])

    def run(
        self, items: Iterable[Item], plan_of: Callable[[Item], Plan | None]
    ) -> Iterator[tuple[Item, Iterator[Part] | None]]:
        """Each item with the parts of its plan (None when it has none), one at a time."""
        for item in items:
            planned = plan_of(item)
            yield item, None if planned is None else self.parts(planned)

    def parts(self, planned: Plan) -> Iterator[Part]:
        """The parts of a plan, in order, as :func:`render_paragraph` makes them."""
        voices, notes = self.engines(planned.tasks[0])
        yield from render_paragraphs(voices, notes, planned.tasks, workers=os.cpu_count() or 1)
