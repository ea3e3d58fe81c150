"""Split a document into language runs: blocks → sentences → labels → context smoothing → runs.

Blocks are lines. Each line is split into sentences; a sentence is the smallest unit that gets a
label, so no sentence is ever split by language. Sentence labels are smoothed with a Viterbi pass
over the whole document: each sentence's detector scores count in proportion to how much prose it
has (letters of lower-case words; capitalised words are names, captions, datelines; up to three
full weights, so a long quote in another language can leave its line's language), and every
change of language costs a penalty (more inside a line than between lines), so a caption or a
name takes the language its context supports while a clear sentence keeps its own. A label whose
script contradicts the sentence's letters is never chosen (a sentence without prose in two
scripts, a dateline "Баку, Trend:", may take a language of either), and ``und`` is a state of
its own in each script (Turkish then Ukrainian is a change of language too); a line without
letters takes the language around it. Links and e-mail addresses are no evidence: their
letters are not counted, nor shown to the detector (:func:`..scripts.mask_links`), so a line
that is only a link is such a line.

The segments partition the text exactly: ``"".join(s.text for s in segments) == text``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Sequence

import regex

from ..config import PipelineConfig, SegmentationConfig
from ..scripts import letter_count, mask_links, script_of, scripts_present
from ..sentences import ENDS_AS_SENTENCE, SPLITTER, sentences_by_line
from ..types import Document, Segment, Signature
from .detectors import UND, Detector, log_prob, make_detector

# Which script each language is written in; a label never goes to a sentence of another script.
LANGUAGE_SCRIPTS = {
    "en": "Latin", "az": "Latin", "tr": "Latin", "de": "Latin", "fr": "Latin", "es": "Latin",
    "it": "Latin", "pt": "Latin", "nl": "Latin", "pl": "Latin", "uz": "Latin",
    "ru": "Cyrillic", "uk": "Cyrillic", "be": "Cyrillic", "bg": "Cyrillic", "kk": "Cyrillic",
    "sr": "Cyrillic", "mk": "Cyrillic",
}

# "und" is no one language: a run of it stays in one script (Turkish, then Ukrainian, is a switch)
UND_SCRIPTS = ("Latin", "Cyrillic", "Other")

# a word after the first whose first letter is lower case ("2021-ci" counts, "Aliyev" does not)
_LOWER_WORD = regex.compile(r"(?<=\s)[^\p{L}\s]*\p{Ll}\S*")
_SPACE = re.compile(r"\s")
#: what may stand before a sentence and is no part of its language: the separator of a
#: bilingual line ("Maşın istəyirsən? / Do you want a car?"), a bullet, a dash, a heading's mark
_LEAD = re.compile(r"^[\s/|\\•·*#>~=+\-–—]+")
_WORDS = regex.compile(r"\p{L}{2,}")


def prose_letters(text: str) -> int:
    """Letters in the words of ``text`` (a sentence, stripped) that start in lower case, its
    first word aside; a one-word sentence ("Read!", "Извинись.") counts whole.

    This is how much of a unit is evidence of its language. The capitalised words of prose (its
    first word, names) and labels (names, captions, datelines, "VIDEO") say little about the
    language around them: "Aliyev and Raisi" reads Azerbaijani to a detector in any article.

    Where no word starts in lower case and there are four words or more, case says nothing: a
    headline set in capitals or in Title Case ("PRESIDENT MEETS THE DELEGATION", "President
    Meets The Delegation") is prose and is read as if in lower case, while "VIDEO", "Ilham
    Aliyev" and "Son Xəbərlər" stay labels."""
    if not _SPACE.search(text.strip()):
        return letter_count(text) if ENDS_AS_SENTENCE.search(text) else 0
    lower = _LOWER_WORD.findall(text)
    if not lower and len(_WORDS.findall(text)) >= 4:
        lower = _LOWER_WORD.findall(text.lower())
    return letter_count("".join(lower))


@dataclass
class Unit:
    """A sentence (or a line without letters) with its detector scores."""

    start: int
    end: int
    line: int
    letters: int
    scores: dict[str, float] = field(default_factory=dict)
    label: str = UND


def _bracketed(evidence: str, unit: "Unit") -> bool:
    """Whether a sentence is one in brackets ("(We will win.)", "(Dear resident of Baku!)")."""
    text = evidence[unit.start:unit.end]
    return text.startswith(("(", "[")) and text.rstrip(".!?…").endswith((")", "]"))


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
        self.detector = detector or make_detector(settings.backend, languages, **settings.detector_options())
        self.full_weight_letters = settings.full_weight_letters
        self.label_weight = settings.label_weight
        # the Viterbi's states: the languages, then "und" once per script, so that Turkish next to
        # a Russian sentence is no context for calling that sentence "und" too
        self._states = list(self.detector.languages) + [UND] * len(UND_SCRIPTS)
        self._und = len(self.detector.languages)  # the first "und" state
        self.full_weight_prose = settings.full_weight_prose
        self.max_weight = settings.max_weight
        self.switch_cost_line = settings.switch_cost_line
        self.switch_cost_inline = settings.switch_cost_inline

    def warm(self) -> None:
        """Load the detector's models now (a worker's set-up), not mid-run."""
        self.detector.warm()

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
                    "splitter": SPLITTER,
                    "full_weight_letters": self.full_weight_letters,
                    "label_weight": self.label_weight,
                    "full_weight_prose": self.full_weight_prose,
                    "max_weight": self.max_weight,
                    "switch_cost_line": self.switch_cost_line,
                    "switch_cost_inline": self.switch_cost_inline,
                    "und_states": "per-script",
                    "links": "no-evidence",
                    "capitals": "all-caps-4-words-as-lower",
                    "label_scripts": "quarter-of-letters",
                    "no_letters": "und", "layout_tokens": "und", "leading_separators": "not-read",
                    "brackets": "switch-as-at-a-line-break",
                },
            }
        )

    def __call__(self, text: str | Document) -> list[Segment]:
        return self.segment(text)

    def segment(self, text: str | Document) -> list[Segment]:
        """Language runs covering ``text`` exactly, in order."""
        return self.segment_many([text])[0]

    def segment_many(self, texts: Sequence[str | Document]) -> list[list[Segment]]:
        """:meth:`segment` for several texts: the sentences of all of them go to the detector
        in one call (lingua's parallel tier is cheapest per sentence in large batches, from
        :data:`.detectors.LINGUA_PARALLEL_FROM` texts)."""
        plain = []
        for text in texts:
            if isinstance(text, Document):
                text = text.text
            if not isinstance(text, str):
                raise TypeError(f"expected str or Document, got {type(text).__name__}")
            plain.append(text)
        # what the detector and the smoothing read: the texts with their links blanked out
        evidence = [mask_links(text) for text in plain]
        all_units = [self._units(text, ev) if text else [] for text, ev in zip(plain, evidence)]
        scored = [[u for u in units if u.letters] for units in all_units]
        # the detector reads a sentence without what stands before it ("/ Do you want a car?"
        # read 0.87 English, the sentence itself 0.99, and its line's Azerbaijani took it in)
        sentences = [_LEAD.sub("", ev[u.start:u.end]) for ev, units in zip(evidence, scored) for u in units]
        found = iter(self.detector.scores_many(sentences))
        out = []
        for text, ev, units, with_letters in zip(plain, evidence, all_units, scored):
            for unit in with_letters:
                unit.scores = next(found)
            if not text:
                out.append([])
            elif not units:  # whitespace only
                out.append([Segment(0, len(text), UND, 1.0, text)])
            else:
                self._smooth(ev, with_letters)
                _no_language(units)
                out.append(self._runs(text, units))
        return out

    def _units(self, text: str, evidence: str) -> list[Unit]:
        """The sentences of ``text``, each with the letters it has in ``evidence`` (the text
        with its links blanked out)."""
        units: list[Unit] = []
        for line_no, spans in enumerate(sentences_by_line(text)):
            layout = bool(spans) and _layout_only(evidence[spans[0][0]:spans[-1][1]])
            line_units = [Unit(start, end, line_no, 0 if layout else letter_count(evidence[start:end]))
                          for start, end in spans]
            units.extend(_attach_letterless(line_units))
        return units

    def _emissions(self, evidence: str, unit: Unit) -> list[float]:
        """A unit's own evidence for each state (the labels, ``und`` once per script): its
        log-probabilities, weighted by how much of it is prose (more prose, more weight, up to
        ``max_weight``); minus infinity for a language of another script, and for the ``und``
        of another script."""
        unit_text = evidence[unit.start:unit.end]
        prose = prose_letters(unit_text)
        weight = max(min(self.max_weight, prose / self.full_weight_prose),
                     self.label_weight * min(1.0, unit.letters / self.full_weight_letters))
        # a label in two scripts (a dateline "Баку, Trend:", a caption) may take the language of
        # either from its context; a sentence of prose keeps to its dominant script
        scripts = scripts_present(unit_text, unit.letters) if not prose else [script_of(unit_text, unit.letters)]
        script = scripts[0]
        scores = unit.scores
        out = [float("-inf") if LANGUAGE_SCRIPTS.get(label, script) not in scripts
               else weight * log_prob(scores.get(label, 0.0)) for label in self._states]
        for k, und_script in enumerate(UND_SCRIPTS):
            if und_script != script or (not prose and max(scores, key=scores.get) != UND):
                # a label (menu item, name) takes its language from its context, but "und" is
                # no language to take: next to labels in other scripts it would bridge them all
                out[self._und + k] = float("-inf")
        return out

    def _smooth(self, evidence: str, units: list[Unit]) -> None:
        """Viterbi over the sentences: detector evidence against the cost of switching. Every
        switch costs the same, so the best way into a label is staying in it or leaving the
        best label so far: linear in the number of labels."""
        if not units:
            return
        labels = self._states
        n = len(labels)
        score = self._emissions(evidence, units[0])
        back: list[list[int]] = [[]]
        for i in range(1, len(units)):
            unit = units[i]
            apart = unit.line != units[i - 1].line or _bracketed(evidence, unit) or _bracketed(evidence, units[i - 1])
            cost = self.switch_cost_line if apart else self.switch_cost_inline
            best = max(range(n), key=score.__getitem__)
            leave = score[best] - cost
            emission = self._emissions(evidence, unit)
            pointers = []
            new = []
            for k in range(n):
                if score[k] >= leave:
                    new.append(score[k] + emission[k])
                    pointers.append(k)
                else:
                    new.append(leave + emission[k])
                    pointers.append(best)
            score = new
            back.append(pointers)
        k = max(range(n), key=score.__getitem__)
        for i in range(len(units) - 1, -1, -1):
            units[i].label = labels[k]
            if i:
                k = back[i][k]

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
        # six decimals: lingua's parallel sums differ in the last bits from batch to batch, and a
        # document's record must not depend on which documents it was batched with
        return [Segment(s, e, lab, round(c / w, 6), text[s:e]) for s, e, lab, c, w in bounds]


def _no_language(units: list[Unit]) -> None:
    """A line without letters (a time "• 21:17", "0:00 0:30:00", a score, a dash, a link alone)
    or with layout tokens alone ("XS SM MD LG") is in no language: ``und``, whatever is around
    it, so that nothing is translated or aligned for it."""
    for unit in units:
        if not unit.letters:
            unit.label = UND


_LETTER_RUN = re.compile(r"[^\W\d_]+")


def _layout_only(line: str) -> bool:
    """A line whose only letters are layout tokens: one or two capitals a word ("XS SM MD LG",
    "RU | EN"), no word to tell a language by."""
    words = _LETTER_RUN.findall(line)
    return bool(words) and all(len(w) <= 2 and w.isupper() for w in words)


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
