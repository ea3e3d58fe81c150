"""Evaluation helpers: synthetic parallel documents from sentence pairs, and sentence-pair F1."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass
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


def read_gold_groups(path) -> list[AlignedGroup]:
    """Gold alignment in the Bleualign/Vecalign file format: one ``[0,1]:[2]`` group a line."""
    import json
    from pathlib import Path

    groups = []
    for line_no, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            left, right = line.split(":")
            groups.append(AlignedGroup(json.loads(left), json.loads(right), 1.0))
        except ValueError:
            raise ValueError(f"{path}:{line_no}: not a '[src ids]:[tgt ids]' group") from None
    return groups


@dataclass
class StrictLax:
    """Strict and lax precision, recall and F1 of sentence groups (Sennrich & Volk 2011)."""

    strict_p: float
    strict_r: float
    strict_f1: float
    lax_p: float
    lax_r: float
    lax_f1: float

    def to_dict(self) -> dict[str, float]:
        return {k: round(v, 4) for k, v in self.__dict__.items()}


def _hits(gold: set, test: set) -> tuple[int, int, int]:
    """Strict hits, lax hits and the number of test groups, as Vecalign's ``score.py`` counts
    them: strict when a test group equals a gold group; lax when any of its target sentences is
    linked in the gold to any of its source sentences."""
    linked: dict[int, set[int]] = {}
    for src, tgt in gold:
        for i in src:
            linked.setdefault(i, set()).update(tgt)
    strict = lax = 0
    for src, tgt in test:
        if (src, tgt) in gold:
            strict += 1
            lax += 1
        elif set(tgt) & set().union(*(linked.get(i, set()) for i in src)):
            lax += 1
    return strict, lax, len(test)


def strict_lax_scores(predicted: Sequence[AlignedGroup], gold: Sequence[AlignedGroup]) -> StrictLax:
    """The published scoring of the Bleualign benchmark: precision over predicted groups with
    at least one side, recall over gold groups with both sides against predicted groups with
    both sides."""

    def groups(gs, both: bool) -> set:
        keep = (lambda g: g.src and g.tgt) if both else (lambda g: g.src or g.tgt)
        return {(tuple(g.src), tuple(g.tgt)) for g in gs if keep(g)}

    ps, pl, pn = _hits(groups(gold, False), groups(predicted, False))
    rs, rl, rn = _hits(groups(predicted, True), groups(gold, True))

    def f1(p: float, r: float) -> float:
        return 0.0 if p + r == 0 else 2 * p * r / (p + r)

    sp, sr = ps / max(pn, 1), rs / max(rn, 1)
    lp, lr = pl / max(pn, 1), rl / max(rn, 1)
    return StrictLax(sp, sr, f1(sp, sr), lp, lr, f1(lp, lr))


def group_shapes(groups: Sequence[AlignedGroup]) -> Counter:
    """How many groups of each shape: ``1-1``, ``n-m`` (anything larger), ``1-0``, ``0-1``."""
    shapes: Counter = Counter()
    for g in groups:
        a, b = len(g.src), len(g.tgt)
        shapes["1-0" if b == 0 else "0-1" if a == 0 else "1-1" if a == b == 1 else "n-m"] += 1
    return shapes
