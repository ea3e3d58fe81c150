"""Evaluation helpers: synthetic parallel documents from sentence pairs, and sentence-pair F1."""

from __future__ import annotations

import random
from typing import Sequence

from ..io.datasets import ParallelPair
from ..types import AlignedGroup


def build_document_pair(
    pairs: Sequence[ParallelPair], seed: int = 0, insert: float = 0.05, delete: float = 0.05, merge: float = 0.05
) -> tuple[list[str], list[str], list[AlignedGroup]]:
    """Two 'documents' (sentence lists) from parallel pairs, with the true alignment.

    About ``insert`` of the pairs keep only their target sentence (an insertion), ``delete``
    only their source (a deletion), and ``merge`` join two consecutive source sentences into
    one, giving 1–2 groups.
    """
    rng = random.Random(seed)
    src: list[str] = []
    tgt: list[str] = []
    gold: list[AlignedGroup] = []
    i = 0
    while i < len(pairs):
        r = rng.random()
        p = pairs[i]
        if r < delete:
            gold.append(AlignedGroup([len(src)], [], 1.0))
            src.append(p.src)
        elif r < delete + insert:
            gold.append(AlignedGroup([], [len(tgt)], 1.0))
            tgt.append(p.tgt)
        elif r < delete + insert + merge and i + 1 < len(pairs):
            q = pairs[i + 1]
            gold.append(AlignedGroup([len(src)], [len(tgt), len(tgt) + 1], 1.0))
            src.append(f"{p.src} {q.src}")
            tgt.extend([p.tgt, q.tgt])
            i += 1
        else:
            gold.append(AlignedGroup([len(src)], [len(tgt)], 1.0))
            src.append(p.src)
            tgt.append(p.tgt)
        i += 1
    return src, tgt, gold


def links(groups: Sequence[AlignedGroup]) -> set[tuple[int, int]]:
    """Sentence-pair links of an alignment: every (src, tgt) pair inside a group."""
    return {(i, j) for g in groups for i in g.src for j in g.tgt}


def pair_f1(predicted: Sequence[AlignedGroup], gold: Sequence[AlignedGroup]) -> float:
    """F1 of predicted sentence-pair links against the gold links."""
    p, g = links(predicted), links(gold)
    if not p or not g:
        return 1.0 if p == g else 0.0
    tp = len(p & g)
    precision, recall = tp / len(p), tp / len(g)
    return 0.0 if tp == 0 else 2 * precision * recall / (precision + recall)
