"""A verdict on any pair of texts that should say the same thing in two languages: a machine
translation and its source, or two sentences an aligner paired.

Each pair gets a score in [0, 1] (higher: more trustworthy) and flags from a fixed vocabulary
(:data:`FLAGS`), computed together: a flagged pair never scores as clean (its score stays
below :data:`CLEAN`). The checks are the ways seq2seq models fail on news and aligners pair
wrongly:

- ``misaligned``: the sentence encoder finds the target no nearer the source than the
  sentences it is most like among unrelated ones in the target's language (and the source's
  among unrelated ones in the source's): a ratio margin, as bitext mining scores pairs, which
  reads the same for any language pair because each pair is measured against its own
  languages' neighbours (the bundled background sentences);
- ``language``: the toolkit's own language id says the target is in another language;
- ``copy``: the target is the source, or most of it, left untranslated;
- ``numbers``: a number on one side is not on the other (:mod:`.numbers` reads what news
  writes differently: decimal commas, thousands separators, number words, month names);
- ``repetition``: a word or phrase repeated in a row far beyond the source's own (a loop);
- ``length``: the target is much shorter than the source says it should be and stops where
  the source goes on (cut short), or much longer (over-generated), against the pair's usual
  length ratio, read from the bundled sentences of both languages;
- ``empty``: a side with nothing in it.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from statistics import median
from typing import Any, Mapping, Sequence

import numpy as np

from ..config import QualityConfig
from ..numbers import numbers_disagree

#: the flag vocabulary, each with what it means
FLAGS: dict[str, str] = {
    "empty": "a side is empty (or only spaces)",
    "copy": "the target is the source, or most of it, left untranslated",
    "language": "the target is not in the language it should be",
    "numbers": "a number on one side is missing or different on the other",
    "repetition": "the target repeats a word or phrase in a row far beyond the source (a decoding loop)",
    "length": "the target is far shorter (cut short) or longer (over-generated) than the pair's usual ratio",
    "misaligned": "the target does not say what the source says",
}
#: a pair scoring at least this has no flag
CLEAN = 0.5
_FLAGGED_CEILING = 0.45  # a flagged pair's score stays below CLEAN, and its order among flagged ones is kept
_WORDS = re.compile(r"[^\W\d_]+")
_ENDS = re.compile(r"[.!?…。]['\"»”’)\]]*\s*$")


@dataclass
class PairQuality:
    """The verdict on one pair: a score in [0, 1] and its flags (from :data:`FLAGS`)."""

    score: float
    flags: list[str] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not self.flags

    def to_dict(self) -> dict[str, Any]:
        return {"score": round(self.score, 4), "flags": list(self.flags)}


class QualityScorer:
    """Scores pairs of texts in known languages (:meth:`score_pairs`). ``encoder``: the sentence
    encoder (with its cache) whose similarity reads ``misaligned``; without one that check is
    left out. ``detector``: the toolkit's language detector, for ``language``. ``background``:
    unrelated sentences by language, the neighbours each pair is measured against."""

    def __init__(self, config: QualityConfig | None = None, encoder: Any = None, detector: Any = None,
                 background: Mapping[str, Sequence[str]] | None = None):
        self.config = config or QualityConfig()
        self.encoder = encoder
        self.detector = detector
        if background is None:
            from ..alignment.passages import background_by_language

            background = background_by_language()
        self.background = {lang: list(texts) for lang, texts in background.items()}
        self._background_vectors: dict[str, np.ndarray] = {}
        self._lengths = {lang: median(len(t) for t in texts) for lang, texts in self.background.items() if texts}

    @classmethod
    def from_config(cls, config: Any = None) -> "QualityScorer":
        """The scorer a pipeline config describes: its encoder (``alignment.encoder``, on the
        side for quality, behind the embedding cache) and its language detector."""
        from ..alignment.encoding import encoder_from_config
        from ..config import load_config
        from ..langid import make_detector

        cfg = load_config(config)
        seg = cfg.segmentation
        return cls(cfg.quality, encoder_from_config(cfg.alignment.encoder.for_task("quality")),
                   make_detector(seg.backend, cfg.languages, **seg.detector_options()))

    def settings(self) -> dict[str, Any]:
        """What decides the verdicts, for signatures."""
        encoder = self.encoder.settings() if self.encoder is not None else {"encoder": "none"}
        return {**self.config.model_dump(), "encoder": encoder.get("encoder"), "side": encoder.get("side", ""),
                "detector": getattr(self.detector, "name", "none"), "score": "ratio-margin-v1"}

    # --- the checks ---------------------------------------------------------------------------

    def score_pairs(self, sources: Sequence[str], targets: Sequence[str], src_lang: str,
                    tgt_lang: str) -> list[PairQuality]:
        """A verdict for each ``(sources[k], targets[k])``, the source in ``src_lang`` and the
        target in ``tgt_lang``."""
        if len(sources) != len(targets):
            raise ValueError(f"{len(sources)} sources but {len(targets)} targets")
        margins = self._margins(sources, targets, src_lang, tgt_lang)
        langs = self._languages(targets)
        expected = self._expected_ratio(src_lang, tgt_lang)
        out = []
        for k, (src, tgt) in enumerate(zip(sources, targets)):
            out.append(self._verdict(src, tgt, src_lang, tgt_lang, margins[k], langs[k], expected))
        return out

    def _verdict(self, src: str, tgt: str, src_lang: str, tgt_lang: str, margin: float | None,
                 lang: dict[str, float] | None, expected: float) -> PairQuality:
        c = self.config
        if not src.strip() or not tgt.strip():
            return PairQuality(0.0, ["empty"])
        flags = []
        if src_lang != tgt_lang and _copied(src, tgt) >= c.copy_similarity:
            flags.append("copy")
        if lang is not None and _other_language(lang, tgt_lang, tgt, c.language_confidence):
            flags.append("language")
        if numbers_disagree(src, tgt):
            flags.append("numbers")
        if _loop(tgt) >= max(c.min_repeats, _loop(src) + 2):
            flags.append("repetition")
        ratio = (len(tgt.strip()) / max(1, len(src.strip()))) / expected
        if _cut_short(src, tgt, ratio, c) or ratio > c.max_length_ratio:
            flags.append("length")
        if margin is not None and margin < c.min_margin:
            flags.append("misaligned")
        meaning = 1.0 if margin is None else 1.0 / (1.0 + math.exp(-(margin - c.min_margin) / c.margin_scale))
        # a length far from the pair's usual one weighs too, flagged or not
        shape = math.exp(-max(0.0, abs(math.log(max(ratio, 1e-6))) - math.log(c.length_tolerance)))
        score = 0.5 * (1.0 + meaning) * shape if margin is not None else shape
        score = max(0.0, min(1.0, score if not flags else _FLAGGED_CEILING * score))
        if not flags:
            score = max(score, CLEAN)
        return PairQuality(score, flags)

    def _margins(self, sources: Sequence[str], targets: Sequence[str], src_lang: str,
                 tgt_lang: str) -> list[float | None]:
        """The ratio margin of each pair: its cosine over the mean of the cosines of each side
        with its k nearest unrelated sentences of the other side's language."""
        if self.encoder is None:
            return [None] * len(sources)
        keep = [k for k, (s, t) in enumerate(zip(sources, targets)) if s.strip() and t.strip()]
        out: list[float | None] = [None] * len(sources)
        if not keep:
            return out
        x = self.encoder.encode([sources[k] for k in keep])
        y = self.encoder.encode([targets[k] for k in keep])
        near_x = self._neighbourhood(x, tgt_lang)
        near_y = self._neighbourhood(y, src_lang)
        cos = np.sum(x * y, axis=1)
        for n, k in enumerate(keep):
            base = 0.5 * (near_x[n] + near_y[n])
            out[k] = float(cos[n] / base) if base > 0 else float(cos[n])
        return out

    def _neighbourhood(self, vectors: np.ndarray, lang: str) -> np.ndarray:
        """Each vector's mean cosine with its k nearest background sentences in ``lang`` (all
        the background where there are none in that language)."""
        if lang not in self._background_vectors:
            texts = self.background.get(lang) or [t for ts in self.background.values() for t in ts]
            self._background_vectors[lang] = self.encoder.encode(texts)
        bg = self._background_vectors[lang]
        k = min(self.config.neighbours, len(bg))
        sims = vectors @ bg.T
        return np.sort(sims, axis=1)[:, -k:].mean(axis=1)

    def _languages(self, targets: Sequence[str]) -> list[dict[str, float] | None]:
        if self.detector is None:
            return [None] * len(targets)
        return self.detector.scores_many([t if t.strip() else "-" for t in targets])

    def _expected_ratio(self, src_lang: str, tgt_lang: str) -> float:
        """The pair's usual length ratio (target over source), from the median sentence lengths
        of the bundled sentences of both languages (1 where one is missing)."""
        a, b = self._lengths.get(src_lang), self._lengths.get(tgt_lang)
        return b / a if a and b else 1.0


def _other_language(scores: dict[str, float], expected: str, text: str, confidence: float) -> bool:
    """Whether the detector puts ``text`` in another language than ``expected``: another of its
    languages, or none of them (``und``) where the text is long enough to tell or gives the
    expected language almost nothing (a short Turkish or Ukrainian line)."""
    top, sure = max(scores.items(), key=lambda kv: kv[1])
    if top == expected or sure < confidence:
        return False
    return top != "und" or scores.get(expected, 0.0) < 0.05 or len(_WORDS.findall(text)) >= 3


def _copied(src: str, tgt: str) -> float:
    """How much of the target is the source itself: 0 (nothing) … 1 (the same text)."""
    a, b = " ".join(src.lower().split()), " ".join(tgt.lower().split())
    if not _WORDS.search(a) or len(_WORDS.findall(a)) < 2:
        return 0.0  # a name, a number: the same in every language
    return SequenceMatcher(None, a, b, autojunk=False).ratio()


def _loop(text: str) -> int:
    """The most times any phrase of one to six words is repeated in a row."""
    words = [w.lower() for w in re.findall(r"\w+", text)]
    best = 1
    for n in range(1, 7):
        for start in range(0, len(words) - 2 * n + 1):
            unit, reps, pos = words[start:start + n], 1, start + n
            while words[pos:pos + n] == unit:
                reps += 1
                pos += n
            best = max(best, reps if n > 1 or reps >= 3 else 1)
    return best


def _cut_short(src: str, tgt: str, ratio: float, config: QualityConfig) -> bool:
    """A target much shorter than the pair's usual ratio says, that stops where its source
    ends as a sentence; or far shorter, however it ends."""
    if ratio < config.min_length_ratio:
        return True
    return ratio < config.short_ratio and bool(_ENDS.search(src)) and not _ENDS.search(tgt)
