"""Sentence-pair costs for alignment: margin-normalised embeddings and cheap anchors.

Raw cosine from e5 has a high floor (unrelated sentences score about 0.8), so each pair's
distance ``1 - cos`` is divided by the mean distance of each side to its neighbours, as in
margin-based bitext mining (LASER) and Vecalign: a translation scores well below 1, unrelated
text about 1, whatever the encoder's floor.

Without an encoder, :class:`AnchorScorer` compares numbers, capitalised names (transliterated
across scripts, so Баку, Bakı and Baku meet) and lengths.
"""

from __future__ import annotations

import re
from typing import Sequence

import numpy as np

from .encoders import Encoder

# Cyrillic → Latin, and Azerbaijani/Turkish letters → plain Latin, for comparing names.
_TRANSLIT = str.maketrans({
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh", "з": "z", "и": "i",
    "й": "i", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t",
    "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "sh", "ъ": "", "ы": "y", "ь": "",
    "э": "e", "ю": "yu", "я": "ya", "ə": "a", "ı": "i", "ş": "sh", "ç": "ch", "ğ": "g", "ö": "o", "ü": "u",
    "x": "kh", "q": "g", "j": "zh", "c": "dzh", "w": "v", "y": "i", "h": "kh",
})
_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")
_WORD = re.compile(r"\w+")


def transliterate(word: str) -> str:
    """A rough common Latin spelling of a word in any of the three languages."""
    return word.lower().translate(_TRANSLIT)


def name_key(word: str) -> str:
    """Consonant skeleton of the transliteration: ``Баку``, ``Bakı`` and ``Baku`` all give ``bk``.
    Vowels are where the three spellings of a name differ most."""
    return "".join(ch for ch in transliterate(word) if ch not in "aeiouy")[:5]


class PairScorer:
    """Cost of aligning a group of source sentences with a group of target sentences."""

    def prepare(self, src: Sequence[str], tgt: Sequence[str]) -> None:
        raise NotImplementedError

    def cost(self, i0: int, i1: int, j0: int, j1: int) -> float:
        """Cost of aligning ``src[i0:i1]`` with ``tgt[j0:j1]``: ~0 for translations, ~1 unrelated."""
        raise NotImplementedError

    def settings(self) -> dict:
        return {}


class EmbeddingScorer(PairScorer):
    """Margin-normalised cosine distance of (averaged) sentence embeddings."""

    def __init__(self, encoder: Encoder, neighbours: int = 4, background: Sequence[str] = ()):
        self.encoder = encoder
        self.neighbours = neighbours
        self.background = encoder.encode(list(background)) if background else None

    def prepare(self, src: Sequence[str], tgt: Sequence[str]) -> None:
        self.prepare_vectors(self.encoder.encode(list(src)), self.encoder.encode(list(tgt)))

    def prepare_vectors(self, x: np.ndarray, y: np.ndarray) -> None:
        """Use embeddings computed elsewhere (e.g. once for a whole document)."""
        self.x, self.y = x, y
        self._cx = np.vstack([np.zeros((1, self.x.shape[1]), np.float32), np.cumsum(self.x, axis=0)])
        self._cy = np.vstack([np.zeros((1, self.y.shape[1]), np.float32), np.cumsum(self.y, axis=0)])
        self.dx, self.dy = _neighbour_distances(self.x, self.y, self.neighbours, self.background)
        self._cdy = np.concatenate([[0.0], np.cumsum(self.dy, dtype=np.float64)])

    def cost_row(self, i0: int, i1: int, j0s: np.ndarray, j1s: np.ndarray) -> np.ndarray:
        """Vectorised :meth:`cost` for one source group against many target groups."""
        vx = self._cx[i1] - self._cx[i0]
        vy = self._cy[j1s] - self._cy[j0s]
        cos = (vy @ vx) / np.maximum(np.linalg.norm(vy, axis=1) * np.linalg.norm(vx), 1e-12)
        dy = (self._cdy[j1s] - self._cdy[j0s]) / np.maximum(j1s - j0s, 1)
        norm = 0.5 * (float(self.dx[i0:i1].mean()) + dy)
        return (1.0 - cos) / np.maximum(norm, 1e-6)

    def cost(self, i0: int, i1: int, j0: int, j1: int) -> float:
        vx = self._cx[i1] - self._cx[i0]
        vy = self._cy[j1] - self._cy[j0]
        cos = float(vx @ vy) / max(float(np.linalg.norm(vx) * np.linalg.norm(vy)), 1e-12)
        norm = 0.5 * (float(self.dx[i0:i1].mean()) + float(self.dy[j0:j1].mean()))
        return (1.0 - cos) / max(norm, 1e-6)

    def settings(self) -> dict:
        return {**self.encoder.settings(), "score": "margin-ratio", "neighbours": self.neighbours}


def _neighbour_distances(x: np.ndarray, y: np.ndarray, k: int, background: np.ndarray | None = None,
                         window: int = 200) -> tuple[np.ndarray, np.ndarray]:
    """Mean distance of each row to its ``k`` nearest rows of the other side, searched in a
    window around the diagonal so the cost stays linear in the number of sentences. Background
    sentences, when given, join every search: short inputs then still have enough neighbours."""

    def side(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        n, m = len(a), len(b)
        out = np.ones(n, dtype=np.float32)
        if n == 0 or (m == 0 and background is None):
            return out
        step = 256
        for s in range(0, n, step):
            e = min(n, s + step)
            centre = int((s + e) / 2 * m / max(n, 1))
            lo, hi = max(0, centre - window), min(m, centre + window)
            if hi - lo < min(m, 2 * window):
                lo, hi = max(0, min(lo, m - 2 * window)), min(m, max(hi, 2 * window))
            sims = a[s:e] @ b[lo:hi].T
            if background is not None:
                sims = np.hstack([sims, a[s:e] @ background.T])
            kk = min(k, sims.shape[1])
            top = -np.sort(-sims, axis=1)[:, :kk]
            out[s:e] = 1.0 - top.mean(axis=1)
        return out

    return side(x, y), side(y, x)


class AnchorScorer(PairScorer):
    """Encoder-free cost from shared numbers and names (across scripts) and length ratio."""

    def prepare(self, src: Sequence[str], tgt: Sequence[str]) -> None:
        self.src = [_anchors(s) for s in src]
        self.tgt = [_anchors(t) for t in tgt]
        self.src_len = [len(s) for s in src]
        self.tgt_len = [len(t) for t in tgt]

    def cost(self, i0: int, i1: int, j0: int, j1: int) -> float:
        a = set().union(*[self.src[i] for i in range(i0, i1)]) if i1 > i0 else set()
        b = set().union(*[self.tgt[j] for j in range(j0, j1)]) if j1 > j0 else set()
        la, lb = sum(self.src_len[i0:i1]), sum(self.tgt_len[j0:j1])
        ratio = min(la, lb) / max(la, lb, 1)
        length_cost = 1.0 - ratio
        if a or b:
            overlap = len(a & b) / max(len(a | b), 1)
            return 0.6 * (1.0 - overlap) + 0.4 * length_cost + (0.3 if not (a & b) else 0.0)
        return 0.5 + 0.5 * length_cost

    def settings(self) -> dict:
        return {"encoder": "none", "score": "anchors(numbers,names,length)"}


def _anchors(sentence: str) -> set[str]:
    found = set(_NUMBER.findall(sentence))
    words = _WORD.findall(sentence)
    for pos, word in enumerate(words):
        if word[:1].isupper() and len(word) > 2 and pos > 0:
            found.add(name_key(word))
    return found


class TranslationScorer(PairScorer):
    """Encoder-free cost from chrF (sacrebleu) between English versions of the two sides.

    ``to_english(sentences, lang)`` returns English for each sentence: the translation stage's
    output for a non-English side, the sentences themselves for English. Distances ``1 - chrF``
    are normalised by each sentence's mean distance to its nearest candidates, as for embeddings.
    """

    def __init__(self, to_english, src_lang: str, tgt_lang: str, neighbours: int = 4, window: int = 50):
        self.to_english = to_english
        self.src_lang, self.tgt_lang = src_lang, tgt_lang
        self.neighbours = neighbours
        self.window = window

    def prepare(self, src: Sequence[str], tgt: Sequence[str]) -> None:
        self.src = list(self.to_english(list(src), self.src_lang))
        self.tgt = list(self.to_english(list(tgt), self.tgt_lang))
        n, m = len(self.src), len(self.tgt)
        self.dx = np.ones(n)
        self.dy = np.ones(m)
        near: dict[int, list[float]] = {}
        near_y: dict[int, list[float]] = {}
        for i in range(n):
            centre = int(i * m / max(n, 1))
            for j in range(max(0, centre - self.window), min(m, centre + self.window + 1)):
                d = self._distance(self.src[i], self.tgt[j])
                near.setdefault(i, []).append(d)
                near_y.setdefault(j, []).append(d)
        for i, ds in near.items():
            self.dx[i] = np.mean(sorted(ds)[: self.neighbours])
        for j, ds in near_y.items():
            self.dy[j] = np.mean(sorted(ds)[: self.neighbours])

    @staticmethod
    def _distance(hyp: str, ref: str) -> float:
        from sacrebleu.metrics import CHRF

        return 1.0 - CHRF().sentence_score(hyp, [ref]).score / 100.0

    def cost(self, i0: int, i1: int, j0: int, j1: int) -> float:
        d = self._distance(" ".join(self.src[i0:i1]), " ".join(self.tgt[j0:j1]))
        norm = 0.5 * (float(self.dx[i0:i1].mean()) + float(self.dy[j0:j1].mean()))
        return d / max(norm, 1e-6)

    @classmethod
    def settings(cls) -> dict:
        """The same for every instance, so it can be read before any pair is scored."""
        from importlib.metadata import version

        return {"encoder": "none", "score": "chrF(translation)", "sacrebleu": version("sacrebleu")}
