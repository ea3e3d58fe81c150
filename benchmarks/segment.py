"""Segmentation end to end on mixed documents, beside lingua restricted to {en, az, ru}.

Builds mixed documents from the dev sentences (paragraphs of az/en/ru/tr/uk, many one sentence
long between paragraphs of other languages), segments them, and scores every sentence's label
(Turkish and Ukrainian must come out ``und``). Also each sentence alone, as its own document.
Speed: sentences per second end to end (splitting, detection, smoothing, runs; documents in
batches of ``runner.documents_per_batch``, as a run hands them over), beside lingua's
``detect_language_of`` over the same sentences in the same run: in document order (what a user
would run instead), and sorted by language (lingua is faster when one language's models stay
in the cache; the issue's lingua figure). Finally the cold start of ``polyglot-news segment`` on
the seed page, in a fresh process.

Usage: python benchmarks/segment.py [--documents N] [--seed S] [--batch N] [--errors]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

from polyglot_news.config import RunnerConfig
from polyglot_news.io.datasets import read_parallel_dir, sentences_by_language
from polyglot_news.langid.evaluation import (LabelScores, build_inline_documents, build_mixed_documents, score_documents,
                                             span_label)
from polyglot_news.langid.segmenter import Segmenter
from polyglot_news.scripts import script_of

ROOT = Path(__file__).resolve().parent.parent
DEV = ROOT / "tests" / "data" / "tatoeba-dev"
SEED = ROOT / "examples" / "baku_news_2021-11-29.txt"
TARGETS = ["en", "az", "ru"]


def lingua_speed(sentences: list[str]) -> float:
    """lingua {en, az, ru}'s ``detect_language_of`` over ``sentences``, in their order."""
    from lingua import Language, LanguageDetectorBuilder

    detector = LanguageDetectorBuilder.from_languages(Language.ENGLISH, Language.AZERBAIJANI,
                                                      Language.RUSSIAN).build()
    detector.detect_language_of("warm up")
    start = time.perf_counter()
    for s in sentences:
        detector.detect_language_of(s)
    return len(sentences) / (time.perf_counter() - start)


def cold_start() -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "polyglot_news.cli", "segment", str(SEED), "-o", "/dev/null"],
                   check=True, capture_output=True)
    return time.perf_counter() - start


def table(name: str, scores: LabelScores, langs: list[str], speed: float, lingua: tuple[float, float]) -> str:
    cells = "".join(f"{scores.accuracy(lang):>8.4f}" for lang in langs)
    return f"{name:<18}{cells}{speed:>10.0f}{speed / lingua[0]:>8.2f}x{speed / lingua[1]:>8.2f}x"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--documents", type=int, default=400)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--batch", type=int, default=RunnerConfig().documents_per_batch,
                    help="documents per segmentation call (default: the runner's batch)")
    ap.add_argument("--errors", action="store_true", help="print every wrong sentence")
    args = ap.parse_args()

    by_lang = sentences_by_language(read_parallel_dir(DEV))
    langs = list(by_lang)
    documents = build_mixed_documents(by_lang, TARGETS, args.documents, seed=args.seed)
    labelled = [(lang, s) for lang, group in by_lang.items() for s in group]
    sentences = [s for _, s in labelled]
    n_doc_sentences = sum(len(d.spans) for d in documents)

    segmenter = Segmenter(TARGETS)
    # load every tier's models (lingua loads a language's models when it first meets it)
    segmenter.segment_many(["Warm up. Salam. Привет.", "Ich weiß nicht, was du meinst.", "Не знам какво искаш."])
    start = time.perf_counter()
    segmented = []
    for k in range(0, len(documents), args.batch):
        segmented += segmenter.segment_many([d.text for d in documents[k:k + args.batch]])
    doc_speed = n_doc_sentences / (time.perf_counter() - start)
    in_docs = score_documents(documents, segmented)

    start = time.perf_counter()
    alone_segments = []
    for k in range(0, len(sentences), args.batch):
        alone_segments += segmenter.segment_many(sentences[k:k + args.batch])
    alone_speed = len(sentences) / (time.perf_counter() - start)
    alone = LabelScores()
    for (lang, s), segments in zip(labelled, alone_segments):
        alone.add(lang, lang if lang in TARGETS else "und", span_label(segments, 0, len(s)), s)

    inline_documents = build_inline_documents(by_lang, TARGETS, args.documents, seed=args.seed)
    inline_segments = segmenter.segment_many([guest.text for guest, _ in inline_documents])
    inline = score_documents([guest for guest, _ in inline_documents], inline_segments)
    around = score_documents([host for _, host in inline_documents], inline_segments)

    in_order = [d.text[s:e] for d in documents for s, e in d.spans]
    lingua = (lingua_speed(in_order), lingua_speed(sorted(in_order, key=lambda s: (script_of(s), s))))
    print(f"dev data: {DEV.name}; {len(documents)} mixed documents, {n_doc_sentences} sentences; "
          f"{len(sentences)} single sentences; {args.batch} documents per call")
    print("accuracy per language (tr and uk: share labelled und); sentences/s end to end; vs lingua's "
          "sentences/s on the same sentences (in document order | sorted by script)")
    print(f"{'':<18}" + "".join(f"{lang:>8}" for lang in langs) + f"{'sent/s':>10}{'order':>9}{'sorted':>9}")
    print(table("in documents", in_docs, langs, doc_speed, lingua))
    print(table("single sentences", alone, langs, alone_speed, lingua))
    print(f"{'inside a line':<18}" + "".join(f"{inline.accuracy(lang):>8.4f}" for lang in langs)
          + "   (one sentence of another language inside a one-line paragraph)")
    print(f"{'  around it':<18}" + "".join(f"{around.accuracy(lang):>8.4f}" for lang in langs)
          + "   (the paragraph's own sentences)")
    for name, speed in zip(("document order", "sorted by script"), lingua):
        print(f"{'lingua, ' + name:<26}" + " " * (8 * len(langs) - 8) + f"{speed:>10.0f}")
    print(f"cold start of `polyglot-news segment` on the seed page: {cold_start():.2f} s")
    if args.errors:
        for name, scores in (("in documents", in_docs), ("single", alone), ("inside a line", inline),
                             ("around it", around)):
            for lang, predicted, sentence in scores.errors:
                print(f"  [{name}] {lang} -> {predicted}: {sentence}")


if __name__ == "__main__":
    main()
