"""Shared fixtures: bundled data paths and one segmenter per test session (lingua loads slowly)."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
DEV = DATA / "tatoeba-dev"
SEED = ROOT / "examples" / "baku_news_2021-11-29.txt"


def tiny_translation_config(folder: Path, dev_pairs, extra: str = "") -> Path:
    """A config that translates az and ru with a tiny Marian built from the dev sentences
    (greedy, 8 new tokens, no cache), plus ``extra`` YAML; returns its path."""
    from polyglot_news.testing import build_tiny_marian

    model = build_tiny_marian(folder / "marian", [p.src for p in dev_pairs] + [p.tgt for p in dev_pairs])
    config = folder / "tiny-translation.yaml"
    config.write_text(f"""languages: [en, az, ru]
translation:
  enabled: true
  backend: transformers
  models: {{az: "{model}", ru: "{model}"}}
  cache: {{enabled: false}}
  generation: {{num_beams: 1, max_new_tokens: 8}}
{extra}""", encoding="utf-8")
    return config


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
