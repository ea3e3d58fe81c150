"""Sentence-level language detectors.

Each detector turns a text into a probability over the target languages plus ``und``.
Three backends:

* ``ensemble`` (default): lingua in tiers. A core detector over the targets and their closest
  rivals (Turkish for Azerbaijani, Ukrainian for Russian); a pairwise detector that settles each
  target against its rival with a prior for the target; letters that a language never uses
  exclude it (``ə`` is never Turkish; ``і ї є ґ`` never Russian; ``ы э ъ ё`` never Ukrainian);
  and a gate that sends text whose best match is another common language to ``und``.
* ``lingua``: lingua restricted to the target languages alone. It cannot say ``und`` for text
  with letters, so Turkish comes out as Azerbaijani and Ukrainian as Russian.
* ``langdetect``: langdetect with a fixed seed. It has no Azerbaijani profile.

``benchmarks/langid.py`` measures all three on the Tatoeba dev data.
"""

from __future__ import annotations

import math
import unicodedata
from abc import ABC, abstractmethod
from functools import lru_cache
from importlib.metadata import version
from typing import Any, Sequence

from ..scripts import script_counts

UND = "und"

# Letters a language's orthography never uses: their presence rules the language out.
FORBIDDEN_LETTERS: dict[str, frozenset[str]] = {
    "tr": frozenset("əƏ"),
    "ru": frozenset("іїєґІЇЄҐ"),
    "uk": frozenset("ыэъёЫЭЪЁ"),
}

DEFAULT_RIVALS: dict[str, list[str]] = {"az": ["tr"], "ru": ["uk"], "en": []}
DEFAULT_OTHERS = ["de", "fr", "es", "it", "pt", "nl", "pl", "ro", "cs", "sv", "hu", "fi",
                  "be", "bg", "kk", "sr", "mk"]

# Longest text handed to a detector: a sample this long decides as well as the whole.
MAX_DETECT_CHARS = 2000


def letter_count(text: str) -> int:
    return sum(1 for ch in text if ch.isalpha())


def normalise_for_detection(text: str) -> str:
    """NFC, a bounded sample, and the Cyrillic schwa (ә, common in scraped Azerbaijani) as ə."""
    text = unicodedata.normalize("NFC", text[:MAX_DETECT_CHARS])
    if "ә" in text or "Ә" in text:
        counts = script_counts(text)
        if counts["Latin"] > counts["Cyrillic"]:
            text = text.replace("ә", "ə").replace("Ә", "Ə")
    return text


class Detector(ABC):
    """A language detector over a fixed set of target languages."""

    name: str = "detector"

    def __init__(self, languages: Sequence[str]):
        if not languages:
            raise ValueError("a detector needs at least one target language")
        self.languages: tuple[str, ...] = tuple(languages)

    @property
    def labels(self) -> tuple[str, ...]:
        return self.languages + (UND,)

    def scores(self, text: str) -> dict[str, float]:
        """Probability of each label (targets and ``und``) for ``text``; sums to 1."""
        return self.scores_many([text])[0]

    def scores_many(self, texts: Sequence[str]) -> list[dict[str, float]]:
        out = []
        for text in texts:
            clean = normalise_for_detection(text)
            out.append(self._scores(clean) if letter_count(clean) else {UND: 1.0})
        return [self._complete(s) for s in out]

    def detect(self, text: str) -> tuple[str, float]:
        """The most probable label and its probability."""
        s = self.scores(text)
        label = max(s, key=s.get)
        return label, s[label]

    @abstractmethod
    def _scores(self, text: str) -> dict[str, float]:
        """Scores for a normalised text that has at least one letter."""

    def settings(self) -> dict[str, Any]:
        """Everything that determines this detector's output, for signatures."""
        return {"backend": self.name, "languages": list(self.languages)}

    def _complete(self, scores: dict[str, float]) -> dict[str, float]:
        full = {label: max(0.0, float(scores.get(label, 0.0))) for label in self.labels}
        total = sum(full.values())
        if total <= 0:
            return {label: (1.0 if label == UND else 0.0) for label in self.labels}
        return {label: value / total for label, value in full.items()}


def _lingua_language(code: str):
    from lingua import IsoCode639_1, Language

    try:
        return Language.from_iso_code_639_1(getattr(IsoCode639_1, code.upper()))
    except (AttributeError, ValueError):
        raise ValueError(f"language {code!r} is not known to lingua") from None


@lru_cache(maxsize=16)
def _lingua_detector(codes: tuple[str, ...]):
    from lingua import LanguageDetectorBuilder

    return LanguageDetectorBuilder.from_languages(*[_lingua_language(c) for c in codes]).build()


def _lingua_code(language) -> str:
    return language.iso_code_639_1.name.lower()


def _lingua_confidences(codes: tuple[str, ...], text: str) -> dict[str, float]:
    detector = _lingua_detector(codes)
    return {_lingua_code(c.language): c.value for c in detector.compute_language_confidence_values(text)}


class LinguaDetector(Detector):
    """lingua restricted to the target languages."""

    name = "lingua"

    def __init__(self, languages: Sequence[str]):
        super().__init__(languages)
        self._codes = tuple(sorted(set(self.languages)))
        for code in self._codes:
            _lingua_language(code)

    def _scores(self, text: str) -> dict[str, float]:
        return _lingua_confidences(self._codes, text)

    def settings(self) -> dict[str, Any]:
        return {**super().settings(), "lingua": version("lingua-language-detector")}


class EnsembleDetector(Detector):
    """Tiered lingua detector that knows each target's rivals and says ``und`` for others."""

    name = "ensemble"

    def __init__(
        self,
        languages: Sequence[str],
        rivals: dict[str, list[str]] | None = None,
        others: Sequence[str] | None = None,
        rival_prior: float = 2.0,
        other_ratio: float = 3.0,
    ):
        super().__init__(languages)
        targets = set(self.languages)
        rivals = DEFAULT_RIVALS if rivals is None else rivals
        self.rivals = {t: [r for r in rivals.get(t, []) if r not in targets] for t in self.languages}
        self.rival_prior = float(rival_prior)
        self.other_ratio = float(other_ratio)
        rival_set = {r for rs in self.rivals.values() for r in rs}
        others = DEFAULT_OTHERS if others is None else others
        self.others = tuple(sorted(set(others) - targets - rival_set))
        self._core = tuple(sorted(targets | rival_set))
        self._broad = tuple(sorted(set(self._core) | set(self.others)))
        for code in self._broad:
            _lingua_language(code)

    def _scores(self, text: str) -> dict[str, float]:
        letters = set(text)
        allowed = {c for c in self._core if not (FORBIDDEN_LETTERS.get(c, frozenset()) & letters)}
        core = {c: v for c, v in _lingua_confidences(self._core, text).items() if c in allowed}
        scores = {t: core.get(t, 0.0) for t in self.languages}
        und = 0.0
        for target, rivals in self.rivals.items():
            live = [r for r in rivals if r in allowed]
            mass = scores[target] + sum(core.get(r, 0.0) for r in live)
            if not live or mass < 1e-3:
                und += sum(core.get(r, 0.0) for r in live)
                continue
            pair = _lingua_confidences(tuple(sorted([target, *live])), text)
            weights = {target: pair.get(target, 0.0) * self.rival_prior}
            weights.update({r: pair.get(r, 0.0) for r in live})
            total = sum(weights.values()) or 1.0
            scores[target] = mass * weights[target] / total
            und += mass - scores[target]
        scores[UND] = und
        if self.others:
            scores = self._gate_others(text, scores)
        return scores

    def _gate_others(self, text: str, scores: dict[str, float]) -> dict[str, float]:
        best = max(self.languages, key=lambda t: scores[t])
        broad = _lingua_confidences(self._broad, text)
        other = max(broad.get(o, 0.0) for o in self.others)
        mine = broad.get(best, 0.0)
        if other <= self.other_ratio * max(mine, 1e-9):
            return scores
        share = other / (other + mine)
        gated = {k: v * (1.0 - share) for k, v in scores.items()}
        gated[UND] += share
        return gated

    def settings(self) -> dict[str, Any]:
        return {
            **super().settings(),
            "lingua": version("lingua-language-detector"),
            "rivals": {k: v for k, v in self.rivals.items() if v},
            "others": list(self.others),
            "rival_prior": self.rival_prior,
            "other_ratio": self.other_ratio,
        }


class LangdetectDetector(Detector):
    """langdetect with a fixed seed (deterministic). It has no Azerbaijani profile."""

    name = "langdetect"

    def __init__(self, languages: Sequence[str], seed: int = 0):
        super().__init__(languages)
        self.seed = int(seed)

    def _scores(self, text: str) -> dict[str, float]:
        from langdetect import DetectorFactory, detect_langs
        from langdetect.lang_detect_exception import LangDetectException

        DetectorFactory.seed = self.seed
        try:
            found = detect_langs(text)
        except LangDetectException:
            return {UND: 1.0}
        scores = {UND: 0.0}
        for item in found:
            code = item.lang.split("-")[0]
            key = code if code in self.languages else UND
            scores[key] = scores.get(key, 0.0) + item.prob
        return scores

    def settings(self) -> dict[str, Any]:
        return {**super().settings(), "langdetect": version("langdetect"), "seed": self.seed}


BACKENDS = {"ensemble": EnsembleDetector, "lingua": LinguaDetector, "langdetect": LangdetectDetector}


def make_detector(backend: str, languages: Sequence[str], **options: Any) -> Detector:
    """Build a detector by backend name, e.g. ``make_detector("ensemble", ["en", "az", "ru"])``."""
    try:
        cls = BACKENDS[backend]
    except KeyError:
        raise ValueError(f"unknown detector backend {backend!r}; choose one of {sorted(BACKENDS)}") from None
    return cls(languages, **options)


def log_prob(p: float, floor: float = 1e-4) -> float:
    return math.log(max(p, floor))
