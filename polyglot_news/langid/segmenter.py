"""Split a document into language runs: blocks → sentences → labels → context smoothing → runs.

Blocks are lines. Each line is split into sentences; a sentence is the smallest unit that gets a
label, so no sentence is ever split by language. Sentence labels are smoothed with a Viterbi pass
over the whole document: each sentence's detector scores count in proportion to how much text it
has, and every change of language costs a penalty (more inside a line than between lines), so a
short caption, headline or name takes the language its context supports while a clear sentence
keeps its own. A label whose script contradicts the sentence's letters is never chosen.

The segments partition the text exactly: ``"".join(s.text for s in segments) == text``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from importlib.metadata import version
from typing import Any, Sequence

from ..config import PipelineConfig, SegmentationConfig
from ..scripts import script_of
from ..sentences import split_sentences
from ..types import Document, Segment, Signature
from .detectors import UND, Detector, letter_count, log_prob, make_detector

# Which script each language is written in; a label never goes to a sentence of another script.
LANGUAGE_SCRIPTS = {
    "en": "Latin", "az": "Latin", "tr": "Latin", "de": "Latin", "fr": "Latin", "es": "Latin",
    "it": "Latin", "pt": "Latin", "nl": "Latin", "pl": "Latin", "uz": "Latin",
    "ru": "Cyrillic", "uk": "Cyrillic", "be": "Cyrillic", "bg": "Cyrillic", "kk": "Cyrillic",
    "sr": "Cyrillic", "mk": "Cyrillic",
}

_LINE = re.compile(r"[^\n]*\n|[^\n]+")


@dataclass
class Unit:
    """A sentence (or a line without letters) with its detector scores."""

    start: int
    end: int
    line: int
    letters: int
    scores: dict[str, float] = field(default_factory=dict)
    label: str = UND


class Segmenter:
    """Configurable language segmenter.

    >>> seg = Segmenter(languages=["en", "az", "ru", "tr"], backend="ensemble")
    >>> segments = seg("Salam! Hello there, friend.")

    Settings are the config's ``segmentation`` section (defaults there); keyword arguments
    override single keys of it.
    """

    def __init__(self, languages: Sequence[str] | None = None, settings: SegmentationConfig | None = None,
                 detector: Detector | None = None, **overrides: Any):
        base = settings or SegmentationConfig()
        settings = SegmentationConfig(**{**base.model_dump(), **overrides}) if overrides else base
        languages = list(languages or PipelineConfig().languages)
        self.detector = detector or make_detector(settings.backend, languages, **settings.detector)
        self.full_weight_letters = settings.full_weight_letters
        self.switch_cost_line = settings.switch_cost_line
        self.switch_cost_inline = settings.switch_cost_inline

    @classmethod
    def from_config(cls, config: Any = None) -> "Segmenter":
        """A segmenter from a pipeline config (path, dict or :class:`PipelineConfig`)."""
        from ..config import load_config

        cfg = load_config(config)
        return cls(cfg.languages, cfg.segmentation)

    @property
    def languages(self) -> tuple[str, ...]:
        return self.detector.languages

    @property
    def signature(self) -> Signature:
        from .. import __version__

        return Signature(
            {
                "polyglot_news": __version__,
                "detector": self.detector.settings(),
                "segmenter": {
                    "pysbd": version("pysbd"),
                    "full_weight_letters": self.full_weight_letters,
                    "switch_cost_line": self.switch_cost_line,
                    "switch_cost_inline": self.switch_cost_inline,
                },
            }
        )

    def __call__(self, text: str | Document) -> list[Segment]:
        return self.segment(text)

    def segment(self, text: str | Document) -> list[Segment]:
        """Language runs covering ``text`` exactly, in order."""
        if isinstance(text, Document):
            text = text.text
        if not isinstance(text, str):
            raise TypeError(f"expected str or Document, got {type(text).__name__}")
        if not text:
            return []
        units = self._units(text)
        if not units:  # whitespace only
            return [Segment(0, len(text), UND, 1.0, text)]
        scored = [u for u in units if u.letters]
        for unit, scores in zip(scored, self.detector.scores_many([text[u.start:u.end] for u in scored])):
            unit.scores = scores
        self._smooth(text, scored)
        return self._runs(text, units)

    def _units(self, text: str) -> list[Unit]:
        units: list[Unit] = []
        for line_no, match in enumerate(_LINE.finditer(text)):
            line_units: list[Unit] = []
            for s, e in split_sentences(match.group()):
                start, end = match.start() + s, match.start() + e
                line_units.append(Unit(start, end, line_no, letter_count(text[start:end])))
            units.extend(_attach_letterless(line_units))
        return units

    def _smooth(self, text: str, units: list[Unit]) -> None:
        """Viterbi over the sentences: detector evidence against the cost of switching."""
        if not units:
            return
        labels = self.detector.labels
        impossible = float("-inf")
        prev_score: dict[str, float] = {}
        back: list[dict[str, str]] = []
        for i, unit in enumerate(units):
            weight = min(1.0, unit.letters / self.full_weight_letters)
            script = script_of(text[unit.start:unit.end])
            emission = {}
            for label in labels:
                lang_script = LANGUAGE_SCRIPTS.get(label)
                if lang_script and lang_script != script:
                    emission[label] = impossible
                else:
                    emission[label] = weight * log_prob(unit.scores.get(label, 0.0))
            if i == 0:
                prev_score = emission
                back.append({})
                continue
            cost = self.switch_cost_inline if unit.line == units[i - 1].line else self.switch_cost_line
            score, pointers = {}, {}
            for label in labels:
                best_prev = max(labels, key=lambda p: prev_score[p] - (0.0 if p == label else cost))
                score[label] = prev_score[best_prev] - (0.0 if best_prev == label else cost) + emission[label]
                pointers[label] = best_prev
            prev_score = score
            back.append(pointers)
        label = max(labels, key=lambda lab: prev_score[lab])
        for i in range(len(units) - 1, -1, -1):
            units[i].label = label
            if i:
                label = back[i][label]

    def _runs(self, text: str, units: list[Unit]) -> list[Segment]:
        """Merge units of one language; whitespace between units joins the run before it."""
        bounds: list[list[Any]] = []  # [start, end, label, weighted confidence, weight]
        for i, unit in enumerate(units):
            start = 0 if i == 0 else unit.start
            end = units[i + 1].start if i + 1 < len(units) else len(text)
            weight = max(unit.letters, 1)
            conf = unit.scores.get(unit.label, 0.0) if unit.letters else 1.0
            if bounds and bounds[-1][2] == unit.label:
                bounds[-1][1] = end
                bounds[-1][3] += conf * weight
                bounds[-1][4] += weight
            else:
                bounds.append([start, end, unit.label, conf * weight, weight])
        return [Segment(s, e, lab, c / w, text[s:e]) for s, e, lab, c, w in bounds]


def _attach_letterless(units: list[Unit]) -> list[Unit]:
    """Sentences without letters ("-0—", "2024.") join a neighbour in their line; a line with
    no letters at all stays one ``und`` unit."""
    if all(u.letters == 0 for u in units):
        if not units:
            return []
        return [Unit(units[0].start, units[-1].end, units[0].line, 0, {UND: 1.0})]
    merged: list[Unit] = []
    pending_start: int | None = None
    for unit in units:
        if unit.letters == 0:
            if merged:
                merged[-1].end = unit.end
            elif pending_start is None:
                pending_start = unit.start
            continue
        if pending_start is not None:
            unit.start = pending_start
            pending_start = None
        merged.append(unit)
    return merged


_default: Segmenter | None = None


def segment(text: str | Document) -> list[Segment]:
    """Segment ``text`` with the default segmenter (en, az, ru; ensemble detector)."""
    global _default
    if _default is None:
        _default = Segmenter()
    return _default.segment(text)
