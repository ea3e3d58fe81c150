"""What ``eval align`` and the benchmarks score: sentence-pair F1, strict and lax group
precision/recall/F1 (Bleualign's, as Vecalign's score.py counts them), the passages of dev pages
against their gold, and where a predicted alignment and a gold one differ, with why the search
chose its own."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Sequence

import numpy as np

from ..types import AlignedGroup

if TYPE_CHECKING:
    from .devdata import DevPage


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
    """Sentence groups, one a line: in the Bleualign/Vecalign file format (``[0,1]:[2]``) or as
    ``align-docs`` writes them in JSONL (``{"src": [0, 1], "tgt": [2], "score": …}``), so that
    its output is scored as it is."""
    import json

    from ..io.readers import read_text_file

    groups = []
    for line_no, line in enumerate(read_text_file(path).splitlines(), 1):
        if not line.strip():
            continue
        try:
            if line.lstrip().startswith("{"):
                row = json.loads(line)
                left, right = row["src"], row["tgt"]
            else:
                left, right = (json.loads(side) for side in line.split(":"))
            if not (isinstance(left, list) and isinstance(right, list)
                    and all(isinstance(k, int) for k in left + right)):
                raise ValueError
            groups.append(AlignedGroup(left, right, 1.0))
        except (ValueError, KeyError, TypeError):
            raise ValueError(f"{path}:{line_no}: not a '[src ids]:[tgt ids]' group nor an align-docs "
                             "JSON line with src and tgt") from None
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


def differing_stretches(predicted: Sequence[AlignedGroup], gold: Sequence[AlignedGroup]
                        ) -> list[tuple[list[AlignedGroup], list[AlignedGroup]]]:
    """The stretches where two alignments differ: each is the smallest set of predicted groups
    not in the gold and of gold groups that covers the same sentences on both sides."""
    def key(g: AlignedGroup) -> tuple:
        return tuple(g.src), tuple(g.tgt)

    gold_keys = {key(g) for g in gold}
    pred_ids = {id(g) for g in predicted}
    owner: dict[tuple[int, int], list[AlignedGroup]] = {}  # (side, sentence) -> groups holding it
    for g in list(predicted) + list(gold):
        for side, sentences in ((0, g.src), (1, g.tgt)):
            for k in sentences:
                owner.setdefault((side, k), []).append(g)
    seen: set[int] = set()
    out = []
    for start in predicted:
        if key(start) in gold_keys or id(start) in seen:
            continue
        stretch, todo = {id(start): start}, [start]
        while todo:
            g = todo.pop()
            for side, sentences in ((0, g.src), (1, g.tgt)):
                for k in sentences:
                    for h in owner[(side, k)]:
                        if id(h) not in stretch:
                            stretch[id(h)] = h
                            todo.append(h)
        seen.update(stretch)
        out.append(([g for g in stretch.values() if id(g) in pred_ids],
                    [g for g in stretch.values() if id(g) not in pred_ids]))
    return out


def path_cost(groups: Sequence[AlignedGroup], scorer, skip: float) -> float:
    """What the alignment search charges for ``groups``, step by step as the search itself
    charges them (:class:`.sentalign.StepCost`, the one definition of a step's cost)."""
    from .sentalign import StepCost

    n = 1 + max((k for g in groups for k in g.src), default=-1)
    m = 1 + max((k for g in groups for k in g.tgt), default=-1)
    steps = StepCost(scorer, skip, n, m)
    total = 0.0
    for g in groups:
        if g.src and g.tgt:
            weighted, numbers = steps.group(g.src[0], g.src[-1] + 1, np.array([g.tgt[0]]), np.array([g.tgt[-1] + 1]))
            total += float(weighted[0] + numbers[0])
        else:
            total += float(steps.src_alone[g.src].sum() + steps.tgt_alone[g.tgt].sum())
    return total


def stretch_verdicts(predicted: Sequence[AlignedGroup], gold: Sequence[AlignedGroup], scorer, skip: float
                     ) -> list[tuple[list[AlignedGroup], list[AlignedGroup], str]]:
    """Each stretch where the two alignments differ (:func:`differing_stretches`), with why the
    search chose its own: ``crosses`` (the gold's groups cross, which no monotone alignment
    has), ``missed`` (the gold costs less under the search's own cost: a better search would
    find it) or ``ranked lower`` (the gold costs more: the cost, not the search, decides).
    Sentences one of the two leaves out of every group count as left alone there, as the search
    counts them (a skip, and the numbers they hold)."""
    out = []
    for ours, theirs in differing_stretches(predicted, gold):
        if not _monotone(theirs):
            out.append((ours, theirs, "crosses"))
            continue
        covered = [{(side, k) for g in gs for side, ks in ((0, g.src), (1, g.tgt)) for k in ks} for gs in (ours, theirs)]
        gold_cost = path_cost(list(theirs) + _alone(covered[0] - covered[1]), scorer, skip)
        our_cost = path_cost(list(ours) + _alone(covered[1] - covered[0]), scorer, skip)
        out.append((ours, theirs, "missed" if gold_cost < our_cost else "ranked lower"))
    return out


def _monotone(groups: Sequence[AlignedGroup]) -> bool:
    """Whether the groups keep the sentences' order on both sides, as a search's path does."""
    spans = sorted((min(g.src), min(g.tgt), max(g.src), max(g.tgt)) for g in groups if g.src and g.tgt)
    return all(a[2] < b[0] and a[3] < b[1] for a, b in zip(spans, spans[1:]))


def _alone(sentences: set[tuple[int, int]]) -> list[AlignedGroup]:
    """Each (side, index) as a sentence left alone: a 1–0 or 0–1 group."""
    return [AlignedGroup([k] if side == 0 else [], [k] if side == 1 else [], 0.0) for side, k in sorted(sentences)]


def group_shapes(groups: Sequence[AlignedGroup]) -> Counter:
    """How many groups of each shape: ``1-1``, ``n-m`` (anything larger), ``1-0``, ``0-1``."""
    shapes: Counter = Counter()
    for g in groups:
        a, b = len(g.src), len(g.tgt)
        shapes["1-0" if b == 0 else "0-1" if a == 0 else "1-1" if a == b == 1 else "n-m"] += 1
    return shapes


@dataclass
class PageScores:
    """Line language accuracy, parallel line-pair recall and precision, passages on negatives."""

    line_lang: float
    pair_recall: float
    pair_precision: float
    found: int
    gold: int
    predicted: int
    negative_passages: int

    def lines(self) -> list[str]:
        return [f"language of each line            {self.line_lang:.3f}",
                f"parallel line pairs found        {self.found} / {self.gold} = {self.pair_recall:.2f}",
                f"predicted pairs that are right   {round(self.pair_precision * self.predicted)} / {self.predicted}"
                f" = {self.pair_precision:.2f}",
                f"passages on pages with no pairs  {self.negative_passages}"]


def score_pages(pages: Sequence[DevPage], segments: Sequence[Sequence], passages: Sequence[Sequence]) -> PageScores:
    """Score each page's segments and passages (as the pipeline returns them) against its gold."""
    right = total = found = gold = predicted = correct = negative = 0
    for page, segs, found_passages in zip(pages, segments, passages):
        spans = page.line_spans()

        def line_of(offset: int) -> int:
            return next(k for k, (s, e) in enumerate(spans) if s <= offset <= e)

        for (s, e), lang in zip(spans, page.langs):
            if lang is None or s == e:
                continue
            overlap: Counter = Counter()
            for seg in segs:
                overlap[seg.lang] += max(0, min(e, seg.end) - max(s, seg.start))
            total += 1
            right += overlap.most_common(1)[0][0] == lang
        def lines_of(span) -> range:  # a group of sentences on several lines pairs each of them
            return range(line_of(span.start), line_of(max(span.start, span.end - 1)) + 1)

        pairs = {tuple(sorted((a, b))) for passage in found_passages for p in passage.pairs
                 for a in lines_of(p.src) for b in lines_of(p.tgt)}
        gold_pairs = {tuple(sorted(p)) for p in page.parallel}
        gold += len(gold_pairs)
        found += len(gold_pairs & pairs)
        predicted += len(pairs)
        correct += len(pairs & gold_pairs)
        if not page.parallel:
            negative += len(found_passages)
    return PageScores(right / max(total, 1), found / max(gold, 1), correct / max(predicted, 1), found, gold,
                      predicted, negative)
