"""Single-sentence language-id accuracy and speed of each detector backend on the dev data
(every sentence on its own, all handed to the detector in one call).

Usage: python benchmarks/langid.py [DEV_DIR]

Turkish and Ukrainian sentences are expected to come out as ``und``.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from polyglot_news.io.datasets import read_parallel_dir, sentences_by_language
from polyglot_news.langid import BACKENDS, make_detector

DEV = Path(__file__).resolve().parent.parent / "tests" / "data" / "tatoeba-dev"
TARGETS = ["en", "az", "ru"]


def evaluate(backend: str, by_lang: dict[str, list[str]]) -> tuple[dict[str, float], float]:
    detector = make_detector(backend, TARGETS)
    detector.scores_many(["warm up the models", "Ich weiß nicht, was du meinst.", "Не знам какво искаш."])
    correct: dict[str, float] = {}
    sentences = [s for group in by_lang.values() for s in group]
    started = time.perf_counter()
    found = iter(detector.scores_many(sentences))  # all at once, as the segmenter asks
    seconds = time.perf_counter() - started
    for lang, group in by_lang.items():
        want = lang if lang in TARGETS else "und"
        hits = 0
        for _ in group:
            scores = next(found)
            hits += max(scores, key=scores.get) == want
        correct[lang] = hits / len(group)
    return correct, len(sentences) / seconds


def main() -> None:
    dev = Path(sys.argv[1]) if len(sys.argv) > 1 else DEV
    by_lang = sentences_by_language(read_parallel_dir(dev))
    langs = list(by_lang)
    print(f"dev data: {dev}  sentences: " + ", ".join(f"{k}={len(v)}" for k, v in by_lang.items()))
    print("accuracy per language (tr and uk: share labelled und)")
    print(f"{'backend':<12}" + "".join(f"{lang:>8}" for lang in langs) + f"{'sent/s':>10}")
    for backend in BACKENDS:
        acc, speed = evaluate(backend, by_lang)
        print(f"{backend:<12}" + "".join(f"{acc[lang]:>8.4f}" for lang in langs) + f"{speed:>10.0f}")


if __name__ == "__main__":
    main()
