"""Where a render's paragraphs are spoken: one small declared interface, :class:`PartsMap`,
and its implementations, :class:`~letteraudio.render.maps.local.LocalMap` (this machine's
threads) and :class:`~letteraudio.render.maps.dask.ClusterMap` (a Dask cluster)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Protocol, TypeVar

from letteraudio.render.maps.local import LocalMap
from letteraudio.render.model import Part, Plan
from letteraudio.settings import Settings

Item = TypeVar("Item")


class PartsMap(Protocol):
    """Turns a plan's tasks into its parts, each as :func:`letteraudio.render_paragraph`
    makes it, in order. A context manager: closing it lets go of its engines (and of a
    cluster's connection)."""

    def __enter__(self) -> PartsMap: ...

    def __exit__(self, *exc: object) -> None: ...

    def close(self) -> None: ...

    def identity(self, planned: Plan) -> Mapping[str, object]:
        """The identity of the engine that speaks the plan: part of its keys and digest."""
        ...

    def parts(self, planned: Plan) -> Iterator[Part]:
        """The parts of one plan, in order."""
        ...

    def run(
        self, items: Iterable[Item], plan_of: Callable[[Item], Plan | None]
    ) -> Iterator[tuple[Item, Iterator[Part] | None]]:
        """Each item with the parts of its plan (None when ``plan_of`` gives it none), in
        order; a map may already speak the next items' paragraphs meanwhile."""
        ...


def parts_map(settings: Settings) -> PartsMap:
    """Where a render's paragraphs are spoken: a Dask cluster when ``settings`` names a
    scheduler or asks for a local cluster, else this machine's threads."""
    if settings.scheduler or settings.local_cluster:
        from letteraudio.render.maps.dask import ClusterMap  # Dask is an extra

        return ClusterMap.connect(settings)
    return LocalMap()
