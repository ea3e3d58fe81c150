"""Parallel passages on pages in the shapes of real multilingual news pages, built from the dev
sentences (``build_dev_pages``): articles ending with their headline in the other languages,
quoted English posts with their translation (of one sentence, and of two), a thread of three
numbered posts whose translation joins two of them, a headline printed twice, times and layout
tokens among the lines, a notice in two languages in four layouts, and negatives (a paraphrase, a Turkish quote, menu furniture in three
languages, credit lines). Prints the four figures of the issue over all pages, each kind's
pairs found and wrong, the seed page's passages, and the time per page. Then, as many pages with text in several of our languages and
no translation on them (``build_unrelated_pages``: the commonest page of a multilingual archive),
and how many of them get a passage, every one of them wrong.

The pages of ``--seeds`` draws are scored together (8 pages of each kind a draw): one draw
holds only 16 parallel pairs, and its figures swing by ±0.2 from draw to draw.

Then the same pages (and the unrelated ones) with each line of article text made one long
sentence (``with_long_sentences``): the dev sentences are short, a news article's are two to
three times a post's, and a page's length ratio taken of its languages' sentences (an
article's against a post's) charged every translated post for it.

Usage: python benchmarks/passages.py [--per-kind N] [--seeds N] [--config F]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from polyglot_news import Pipeline
from polyglot_news.alignment.metrics import PageScores, score_pages
from polyglot_news.alignment.devdata import build_dev_pages, build_unrelated_pages, with_long_sentences
from polyglot_news.alignment.passages import background_sentences
from polyglot_news.io.datasets import read_parallel_dir

ROOT = Path(__file__).resolve().parent.parent
DEV = ROOT / "tests" / "data" / "tatoeba-dev"
SEED = ROOT / "examples" / "baku_news_2021-11-29.txt"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--per-kind", type=int, default=8)
    ap.add_argument("--seeds", type=int, default=5, help="draws of pages, seeds 0..N-1")
    ap.add_argument("--config", default=str(ROOT / "configs" / "offline.yaml"))
    args = ap.parse_args()
    pairs = read_parallel_dir(DEV)
    pages = [page for seed in range(args.seeds)
             for page in build_dev_pages(pairs, seed=seed, per_kind=args.per_kind, held_out=background_sentences())]
    pipeline = Pipeline.from_config(args.config, stages=("segment", "align"))
    start = time.perf_counter()
    results = [pipeline(page.text) for page in pages]
    seconds = time.perf_counter() - start
    def scores_of(keep) -> PageScores:
        """The figures of the pages ``keep`` selects."""
        chosen = [(page, r) for page, r in zip(pages, results) if keep(page)]
        return score_pages([p for p, _ in chosen], [r.segments for _, r in chosen], [r.passages or [] for _, r in chosen])

    scores = scores_of(lambda page: True)
    kinds = sorted({p.kind for p in pages})
    print(f"{len(pages)} dev pages ({', '.join(kinds)}; {args.seeds} draws), {sum(len(p.lines) for p in pages)} lines")
    print("\n".join(scores.lines()))
    for kind in kinds:  # where the pairs and the wrong ones are
        ks = scores_of(lambda page: page.kind == kind)
        wrong = ks.predicted - ks.found  # a predicted pair is right when it is a gold one
        print(f"  {kind:<11} pairs found {ks.found:>3} / {ks.gold:<3} wrong pairs {wrong:>2}   passages on pages with no pairs"
              f" {ks.negative_passages}")
    issue = scores_of(lambda page: page.kind != "bilingual")  # the kinds of issue #36
    print(f"without the bilingual notices: found {issue.found} / {issue.gold} = {issue.pair_recall:.3f}, "
          f"right {issue.found} / {issue.predicted}")
    print(f"time: {seconds / len(pages) * 1000:.0f} ms per page (segmentation and passages)")
    unrelated = [page for seed in range(args.seeds)
                 for page in build_unrelated_pages(pairs, 5 * args.per_kind, seed=seed, held_out=background_sentences())]
    found = [pipeline(page.text).passages or [] for page in unrelated]
    print(f"unrelated pages (az/en/ru text, no translation on them): {sum(1 for f in found if f)} / {len(unrelated)}"
          f" with a passage, {sum(len(p.pairs) for f in found for p in f)} sentence pairs in them")
    long_pages = [with_long_sentences(page) for page in pages]
    long_results = [pipeline(page.text) for page in long_pages]
    both = score_pages(long_pages, [r.segments for r in long_results], [r.passages or [] for r in long_results])
    kinds_of_issue = [(p, r) for p, r in zip(long_pages, long_results) if p.kind != "bilingual"]
    issue = score_pages([p for p, _ in kinds_of_issue], [r.segments for _, r in kinds_of_issue],
                        [r.passages or [] for _, r in kinds_of_issue])
    long_unrelated = sum(1 for page in unrelated if pipeline(with_long_sentences(page).text).passages)
    print("the same pages, each line of article text one long sentence:")
    print("\n".join("  " + line for line in both.lines()))
    print(f"  without the bilingual notices: found {issue.found} / {issue.gold} = {issue.pair_recall:.3f}; "
          f"unrelated pages with a passage {long_unrelated} / {len(unrelated)}")
    seed = pipeline(SEED.read_text(encoding="utf-8"))
    print(f"seed page: {len(seed.passages)} passage(s): " + "; ".join(
        "+".join(m.lang for m in p.members) + f" ({len(p.pairs)} pairs)" for p in seed.passages))


if __name__ == "__main__":
    main()
