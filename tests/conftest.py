"""Shared fixtures: bundled data paths and one segmenter per test session (lingua loads slowly)."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
DEV = DATA / "tatoeba-dev"
SEED = ROOT / "examples" / "baku_news_2021-11-29.txt"


def tiny_translation_config(folder: Path, model: Path, extra: str = "") -> Path:
    """A config that translates az and ru with the tiny Marian ``model`` (greedy, 8 new
    tokens, no cache), plus ``extra`` YAML; returns its path."""
    folder.mkdir(parents=True, exist_ok=True)
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


# Tiny models (real architectures, random weights) are built once per test session from the
# dev sentences. They are read-only for tests: a test that damages a model copies it first.

@pytest.fixture(scope="session")
def dev_corpus(dev_pairs) -> list[str]:
    return [p.src for p in dev_pairs] + [p.tgt for p in dev_pairs]


@pytest.fixture(scope="session")
def tiny_marian(tmp_path_factory, dev_corpus) -> Path:
    """An opus-mt-layout Marian (``<pad>`` last, swish), tokenizer ``model_max_length`` 64."""
    from polyglot_news.testing import build_tiny_marian

    return build_tiny_marian(tmp_path_factory.mktemp("tiny") / "marian", dev_corpus, max_length=64)


@pytest.fixture(scope="session")
def tiny_m2m(tmp_path_factory, dev_corpus) -> Path:
    from polyglot_news.testing import build_tiny_m2m

    return build_tiny_m2m(tmp_path_factory.mktemp("tiny") / "m2m", dev_corpus, max_length=64)


@pytest.fixture(scope="session")
def tiny_nllb(tmp_path_factory, dev_corpus) -> Path:
    """An NLLB-200-layout model, tokenizer ``model_max_length`` 128."""
    from polyglot_news.testing import build_tiny_nllb

    return build_tiny_nllb(tmp_path_factory.mktemp("tiny") / "nllb", dev_corpus, max_length=128)


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
