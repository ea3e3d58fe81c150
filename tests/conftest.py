"""Shared fixtures: bundled data paths and one segmenter per test session (lingua loads slowly)."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
DEV = DATA / "tatoeba-dev"
SEED = ROOT / "examples" / "baku_news_2021-11-29.txt"


@pytest.fixture(scope="session")
def segmenter():
    from polyglot_news.langid import Segmenter

    return Segmenter()


@pytest.fixture(scope="session")
def seed_text() -> str:
    return SEED.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def dev_pairs():
    from polyglot_news.io.datasets import read_parallel_dir

    return read_parallel_dir(DEV)
