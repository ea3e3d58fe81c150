"""Single-sentence language-id accuracy and speed of each detector backend on the dev data.

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
    detector.scores("warm up the models")
    correct: dict[str, float] = {}
    n = 0
    started = time.perf_counter()
    for lang, sentences in by_lang.items():
        want = lang if lang in TARGETS else "und"
        hits = sum(1 for s in sentences if detector.detect(s)[0] == want)
        correct[lang] = hits / len(sentences)
        n += len(sentences)
    return correct, n / (time.perf_counter() - started)


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
