"""Shared fixtures: sample articles, the seed article, and a CLI runner."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

SEED = Path(__file__).resolve().parents[2] / "shared" / "seed" / "letter.txt"
"""The article the project was made for. It lives beside the repository (CI provides it),
not in it: a fresh clone has no such file."""
LONG_ARTICLE = Path(__file__).resolve().parents[1] / "examples" / "letter-to-my-sister.txt"
"""The project's own long article (about 2.5 KB, two and a half minutes of speech), for
tests that need a render that takes a while, not the seed itself."""

SHORT_ARTICLE = """\
A Walk to the Lighthouse

We left the village early, before the fog had lifted from the bay.

The path climbed slowly past the old chapel and the fields of sheep.

At the top, the lighthouse keeper waved and put the kettle on.
"""


@pytest.fixture(scope="session", autouse=True)
def _session_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Module-scoped renders use a cache of the test session, never the user's."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("LETTERAUDIO_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
        yield


@pytest.fixture(scope="session", autouse=True)
def _bytecode_for_subprocesses(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Where writing bytecode is turned off (``PYTHONDONTWRITEBYTECODE``), every process a
    test starts (``python -m letteraudio``, some 400 of them) would compile letteraudio's
    modules from source again, about 0.1 s each: they keep their bytecode in a folder of
    the test session instead (``PYTHONPYCACHEPREFIX``), never beside the sources."""
    if not os.environ.get("PYTHONDONTWRITEBYTECODE") or os.environ.get("PYTHONPYCACHEPREFIX"):
        yield
        return
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("PYTHONDONTWRITEBYTECODE")
        patch.setenv("PYTHONPYCACHEPREFIX", str(tmp_path_factory.mktemp("pycache")))
        yield


@pytest.fixture(autouse=True)
def _test_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Each test starts with an empty cache of its own (subprocesses inherit it)."""
    folder = tmp_path_factory.mktemp("test-cache")
    monkeypatch.setenv("LETTERAUDIO_CACHE_DIR", str(folder))
    return folder


@pytest.fixture(autouse=True)
def _no_user_settings(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """No test reads the user's letteraudio.toml or voices folder (nor hibari's downloaded
    voices): the config folder and hibari's are empty."""
    folder = tmp_path_factory.mktemp("config-home")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(folder))
    monkeypatch.delenv("LETTERAUDIO_VOICES", raising=False)
    monkeypatch.delenv("LETTERAUDIO_SCHEDULER", raising=False)
    monkeypatch.setenv("HIBARI_HOME", str(tmp_path_factory.mktemp("hibari-home")))
    return folder


TONE = Path(__file__).parent / "fixtures" / "tone_engine"


@pytest.fixture
def tone_installed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The tone fixture engines (``tone``, ``tone-trouble``), registered as another
    package would be: an entry point on ``sys.path`` (worker processes inherit it)."""
    info = tmp_path / "letteraudio_tone-0.1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: letteraudio-tone\n"
                                   "Version: 0.1.0\n")  # fmt: skip
    (info / "entry_points.txt").write_text(
        "[letteraudio.engines]\ntone = letteraudio_tone:ToneEngine\n"
        "tone-trouble = letteraudio_tone:TroubleToneEngine\n"
    )
    monkeypatch.syspath_prepend(str(TONE))
    monkeypatch.syspath_prepend(str(tmp_path))


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def short_article(tmp_path: Path) -> Path:
    path = tmp_path / "lighthouse.txt"
    path.write_text(SHORT_ARTICLE, encoding="utf-8")
    return path


def require_seed() -> Path:
    """The seed article; without it the test is skipped, except in CI (``CI`` set), where
    a missing seed fails as a missing decoder does."""
    if SEED.is_file():
        return SEED
    message = f"the seed article is not beside this checkout ({SEED}): test about it skipped"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture
def seed_article() -> Path:
    return require_seed()


@pytest.fixture
def long_article() -> Path:
    return LONG_ARTICLE
