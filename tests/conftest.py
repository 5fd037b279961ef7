"""Shared fixtures: sample articles, the seed article, and a CLI runner."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

SEED = Path(__file__).resolve().parents[2] / "shared" / "seed" / "letter.txt"

SHORT_ARTICLE = """\
A Walk to the Lighthouse

We left the village early, before the fog had lifted from the bay.

The path climbed slowly past the old chapel and the fields of sheep.

At the top, the lighthouse keeper waved and put the kettle on.
"""


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def short_article(tmp_path: Path) -> Path:
    path = tmp_path / "lighthouse.txt"
    path.write_text(SHORT_ARTICLE, encoding="utf-8")
    return path


@pytest.fixture
def seed_article() -> Path:
    if not SEED.is_file():
        pytest.fail(f"the seed article is missing: {SEED}")
    return SEED
