"""Sentence alignment on the Bleualign benchmark's dev document (German–French), scored as
published: strict and lax precision, recall and F1 (Sennrich & Volk 2011; Vecalign's score.py).

The data is GPL-2.0 and is read from ``../shared/data/bleualign-dev`` (or ``--data``), never
copied into this repository. Prints the scores beside the published figures of Vecalign and
Bertalign on the test set, the group shapes against the gold, and the time.

Usage: python benchmarks/bleualign.py [--data DIR] [--config configs/offline.yaml] [--out PRED] [--diagnose]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections import Counter
from pathlib import Path

from polyglot_news.alignment.documents import align_documents, document_encoder, document_scorer
from polyglot_news.alignment.metrics import group_shapes, read_gold_groups, stretch_verdicts, strict_lax_scores
from polyglot_news.config import load_config

ROOT = Path(__file__).resolve().parent.parent
# the data lies beside the checkout (``../shared``) in this project; elsewhere POLYGLOT_NEWS_SHARED
# names the folder that holds data/bleualign-dev, or --data the document's folder itself
DATA = Path(os.environ.get("POLYGLOT_NEWS_SHARED", ROOT.parent / "shared")) / "data" / "bleualign-dev"
WHERE = ("the Bleualign dev document (dev.de, dev.fr, dev.defr) from the Bleualign repository "
         "(as distributed in the Vecalign repository, bleualign_data/, GPL-2.0), in a folder given with --data")
PUBLISHED = [  # test set, from the projects' READMEs
    ("Vecalign (LASER), its README", 0.899, 0.904, 0.902, 0.986),
    ("Bertalign (LaBSE), its README", 0.932, 0.941, 0.936, 0.989),
]


def read_lines(path: Path) -> list[str]:
    return [line.rstrip("\n").strip() for line in path.read_text(encoding="utf-8").splitlines()]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--config", default=str(ROOT / "configs" / "offline.yaml"))
    ap.add_argument("--out", type=Path, help="write the predicted groups here, one '[..]:[..]' a line")
    ap.add_argument("--diagnose", action="store_true",
                    help="for each stretch where ours and the gold differ, whether the gold crosses (no monotone "
                         "alignment has it), costs less under our cost (the search missed it) or more (the cost "
                         "ranks it lower)")
    args = ap.parse_args()
    missing = [name for name in ("dev.de", "dev.fr", "dev.defr") if not (args.data / name).is_file()]
    if missing:
        print(f"bleualign.py: {args.data} lacks {', '.join(missing)}: this benchmark needs {WHERE}",
              file=sys.stderr)
        sys.exit(2)
    src, tgt = read_lines(args.data / "dev.de"), read_lines(args.data / "dev.fr")
    gold = read_gold_groups(args.data / "dev.defr")

    start = time.perf_counter()
    result = align_documents(src, tgt, args.config, sentence_per_line=True, src_lang="de", tgt_lang="fr")
    seconds = time.perf_counter() - start
    pred = result.groups
    if args.out:
        args.out.write_text("".join(f"{g.src}:{g.tgt}\n".replace(" ", "") for g in pred), encoding="utf-8")

    s = strict_lax_scores(pred, gold)
    print(f"Bleualign dev document: {len(src)} German, {len(tgt)} French sentences; {len(gold)} gold groups")
    print(f"{'':<34}{'strict P':>9}{'strict R':>9}{'strict F1':>10}{'lax F1':>8}")
    print(f"{'polyglot_news (dev document)':<34}{s.strict_p:>9.3f}{s.strict_r:>9.3f}{s.strict_f1:>10.3f}{s.lax_f1:>8.3f}")
    for name, p, r, f, lf in PUBLISHED:
        print(f"{name + ' (test set)':<34}{p:>9.3f}{r:>9.3f}{f:>10.3f}{lf:>8.3f}")

    gold_keys = {(tuple(g.src), tuple(g.tgt)) for g in gold}
    print("\ngroup shapes   gold  ours  ours exact")
    pred_shapes, gold_shapes = group_shapes(pred), group_shapes(gold)
    for shape in ("1-1", "n-m", "1-0", "0-1"):
        exact = sum(1 for g in pred if (tuple(g.src), tuple(g.tgt)) in gold_keys
                    and group_shapes([g]).get(shape))
        print(f"{shape:<13}{gold_shapes[shape]:>6}{pred_shapes[shape]:>6}{exact:>12}")
    print(f"\ntime: {seconds:.1f} s (encoding included; {(len(src) + len(tgt)) / seconds:.0f} sentences/s)")
    if args.diagnose:
        diagnose(src, tgt, pred, gold, args.config)


def diagnose(src: list[str], tgt: list[str], pred, gold, config: str) -> None:
    """Cost both alignments of every stretch where they differ, as the search does."""
    ac = load_config(config).alignment
    scorer = document_scorer(document_encoder(ac), src, tgt, "de", "fr", ac)
    verdicts = stretch_verdicts(pred, gold, scorer, scorer.skip_cost(ac.search.skip_quantile))
    count = Counter(verdict for _, _, verdict in verdicts)
    print(f"\nstretches where ours and the gold differ: {len(verdicts)}; the gold crosses (no monotone "
          f"alignment has it): {count['crosses']}; the gold costs less under our cost (the search missed it): "
          f"{count['missed']}; more (the cost ranks it lower): {count['ranked lower']}")
    for ours, theirs, verdict in verdicts:
        if verdict != "ranked lower":
            print(f"  {verdict}: gold {_show(theirs)}  ours {_show(ours)}")


def _show(groups) -> str:
    return " ".join(f"{g.src}:{g.tgt}".replace(" ", "") for g in sorted(groups, key=lambda g: (g.src, g.tgt)))


if __name__ == "__main__":
    main()
