"""What every node of a Dask cluster must agree on before it renders: the versions of
letteraudio, Dask, the audio libraries and the engines' packages, and each voice's
identity, here, on the scheduler and on every worker. Needs no Dask itself: the checks
run on the nodes through the client they are given."""

from __future__ import annotations

import importlib.metadata
from collections.abc import Mapping
from typing import Any

from letteraudio.errors import LetterAudioError
from letteraudio.render.paragraph import build_voices
from letteraudio.settings import Settings, Voice

AUDIO_PACKAGES = ("letteraudio", "dask", "distributed", "cloudpickle", "numpy", "lameenc",
                  "soxr", "pedalboard", "pyebur128", "soundfile")  # fmt: skip
"""Distributions whose versions shape the audio or the tasks, on every node."""


class ClusterError(LetterAudioError):
    """The cluster cannot be reached, has no workers, or its nodes differ."""


def node_packages(names: list[str]) -> dict[str, str | None]:
    """The installed version of each distribution (None: not installed)."""
    versions: dict[str, str | None] = {}
    for name in names:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = None
    return versions


def node_facts(names: list[str], voices: list[Voice]) -> dict[str, Any]:
    """What this node would render with: package versions and each voice's identity
    (without paths and modification times), or why it cannot build that voice."""
    from letteraudio.publish.episode import portable

    identities: dict[str, Any] = {}
    for voice in voices:
        try:
            identities[voice.engine] = portable(build_voices(voice, None)[0].engine.identity())
        except LetterAudioError as error:
            identities[voice.engine] = f"cannot speak: {error}"
    return {"packages": node_packages(names), "voices": identities}


def check_nodes(client: Any, settings: Settings) -> None:
    """Refuse a cluster whose scheduler or workers would render differently from here:
    a one-line :class:`ClusterError` naming the first package or voice that differs."""
    voices = [v for v in (settings.voice, settings.fallback) if v is not None]
    names = list(AUDIO_PACKAGES)
    for voice in voices:
        names += [n for n in getattr(voice.engine_class(), "packages", ()) if n not in names]
    here = node_facts(names, voices)
    try:
        on_scheduler = client.run_on_scheduler(node_packages, names)
    except Exception as error:  # noqa: BLE001 - whatever the scheduler raises
        raise ClusterError(
            f"cannot run letteraudio on the scheduler ({type(error).__name__}: {error}): "
            "install letteraudio[dask] there too"
        ) from None
    _compare(here["packages"], on_scheduler, "the scheduler")
    try:
        on_workers = client.run(node_facts, names, voices)
    except Exception as error:  # noqa: BLE001 - whatever a worker raises
        raise ClusterError(
            f"cannot run letteraudio on a worker ({type(error).__name__}: {error}): "
            "install letteraudio[dask] on every worker"
        ) from None
    for address, facts in sorted(on_workers.items()):
        where = f"worker {address}"
        _compare(here["packages"], facts["packages"], where)
        for engine, identity in here["voices"].items():
            theirs = facts["voices"].get(engine)
            if isinstance(theirs, str) and theirs.startswith("cannot speak"):
                raise ClusterError(f"the {engine} voice on {where} {theirs}")
            if theirs != identity:
                keys = sorted(k for k in {*identity, *(theirs or {})}
                              if (theirs or {}).get(k) != identity.get(k))  # fmt: skip
                raise ClusterError(
                    f"the {engine} voice differs on {where} ({', '.join(keys)}): install the "
                    "same voices on every node"
                )


def _compare(here: Mapping[str, str | None], there: Mapping[str, str | None], where: str) -> None:
    for name, version in here.items():
        if there.get(name) != version:
            theirs = there.get(name) or "not installed"
            raise ClusterError(
                f"{name} {version or 'not installed'} here but {theirs} on {where}: install "
                "the same versions on every node"
            )
