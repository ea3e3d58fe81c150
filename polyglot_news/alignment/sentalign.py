"""Sentence alignment by dynamic programming over group costs (as in Vecalign / Gale–Church).

Moves are 1–0 and 0–1 for sentences without a counterpart, and n–m groups up to
``max_group`` sentences per side (``max_group_total`` in all). A group costs what its scorer
says times the scorer's weight for its size: for :class:`.scoring.EmbeddingScorer` the
normalised distance times n·m, so a merge must be much better than the 1–1 pairs it replaces
(Vecalign's weighting), and a skipped sentence costs a quantile of the costs of random
sentence pairs, so the DP needs no absolute threshold; :class:`.scoring.MarginScorer` charges
Bertalign's negated margin, unweighted. Where the scorer has :class:`.scoring.NumberAnchors`
(``align-docs``), each number a group or a skipped sentence leaves unmatched adds a share of
the skip. The search runs inside a band: for long inputs a coarse alignment of sentence
blocks is found first and the fine search stays within ``band`` sentences of it, so the work
grows about linearly with the number of sentences.
Each DP row is computed with vectorised numpy.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from ..config import AlignSettings
from ..types import AlignedGroup
from .scoring import PairScorer

INF = np.float64(1e18)
FULL_SEARCH_CELLS = 600 * 600
COARSE_SIDE = 300


def align(src: Sequence[str], tgt: Sequence[str], scorer: PairScorer,
          settings: AlignSettings | None = None, prepared: bool = False) -> list[AlignedGroup]:
    """Align two sentence lists; every sentence of both sides is in exactly one group, in order."""
    settings = settings or AlignSettings()
    n, m = len(src), len(tgt)
    if n == 0 or m == 0:
        return [AlignedGroup([i], [], 0.0) for i in range(n)] + [AlignedGroup([], [j], 0.0) for j in range(m)]
    if not prepared:
        scorer.prepare(src, tgt)
    skip = scorer.skip_cost(settings.skip_quantile)
    if (n + 1) * (m + 1) <= FULL_SEARCH_CELLS:
        lo, hi = np.zeros(n + 1, dtype=np.int64), np.full(n + 1, m, dtype=np.int64)
    else:
        lo, hi = _band_from_coarse(n, m, scorer, settings, skip)
    moves = settings.moves()
    if len(moves) > 3:
        # Bertalign's two passes: 1–1 pairs and skips first, so that a run of sentences
        # without counterpart is skipped rather than soaked up by large groups; then every
        # group size, near that path
        first = _dp(n, m, scorer, ONE_TO_ONE, skip, lo, hi)
        edges_src, edges_tgt = list(range(n + 1)), list(range(m + 1))
        lo, hi = _band_around(first, edges_src, edges_tgt, n, m, settings.max_group + 1)
    return _dp(n, m, scorer, moves, skip, lo, hi)


def join_lone(groups: Sequence[AlignedGroup], scorer: PairScorer,
              settings: AlignSettings | None = None) -> list[AlignedGroup]:
    """The search's groups (over the sentences ``scorer`` is prepared for), with each sentence it
    left alone (1–0 or 0–1) put into the group next to it on its side, before or after, where

    - the grown group means more of the other side than the group alone (a lower
      :meth:`~.scoring.PairScorer.meaning_cost`; no threshold), and
    - the sentence alone passes the margin of bitext mining against the group's other side
      (:meth:`~.scoring.PairScorer.margin_bar`): nearer to it than to its own nearest background
      sentences. A sentence inserted by one side only may move a weak group's summed vector
      towards the other side by chance; it is not near the other side itself.

    Of two such groups, the one it gains more. The search leaves such a sentence alone where a
    skip costs less than the larger group's weighted cost (n·m); the gold of the Bleualign
    document links most of them into a neighbouring n–m group. A scorer without a margin (no
    background) joins nothing; a grown group stays within ``settings``' group sizes."""
    settings = settings or AlignSettings()
    out = list(groups)
    if scorer.distractor_costs() is None:  # no margin to pass: nothing joins
        return out
    k = 0
    while k < len(out):
        g = out[k]
        if bool(g.src) == bool(g.tgt):  # a group, not a lone sentence
            k += 1
            continue
        side, s = (0, g.src[0]) if g.src else (1, g.tgt[0])
        best: tuple[float, int, AlignedGroup] | None = None
        for u in (k - 1, k + 1):
            if not 0 <= u < len(out) or not (out[u].src and out[u].tgt):
                continue
            i0, i1, j0, j1 = out[u].src[0], out[u].src[-1] + 1, out[u].tgt[0], out[u].tgt[-1] + 1
            ends = (i0, i1) if side == 0 else (j0, j1)
            if s not in (ends[0] - 1, ends[1]):
                continue
            grown = (min(i0, s), max(i1, s + 1), j0, j1) if side == 0 else (i0, i1, min(j0, s), max(j1, s + 1))
            sizes = (grown[1] - grown[0], grown[3] - grown[2])
            if max(sizes) > settings.max_group or sum(sizes) > settings.max_group_total:
                continue
            gain = scorer.meaning_cost(i0, i1, j0, j1) - scorer.meaning_cost(*grown)
            if gain <= 0 or (best and gain <= best[0]):
                continue
            alone = (s, s + 1, j0, j1) if side == 0 else (i0, i1, s, s + 1)
            if scorer.meaning_cost(*alone) >= scorer.margin_bar(*alone):  # the margin: only where it could win
                continue
            score = scorer.group_score(*grown, scorer.cost(*grown))
            best = (gain, u, AlignedGroup(list(range(grown[0], grown[1])), list(range(grown[2], grown[3])), score))
        if best is None:
            k += 1
            continue
        first = min(k, best[1])
        out[first:first + 2] = [best[2]]
        k = first + 1
    return out


ONE_TO_ONE = [(1, 0), (0, 1), (1, 1)]
#: paths whose costs differ by less than this are tied (the costs come from float32 vectors,
#: whose rounding is about 1e-7 a cost). A tie goes to the move tried first, in the order of
#: ``moves`` (a 1–0 skip, then groups, smaller before larger: two identical lines stay two 1–1
#: pairs, not one 2–2), and a 0–1 skip is taken only where it costs less by more than this
TIE = 1e-6


def _band_from_coarse(n: int, m: int, scorer: PairScorer, settings: AlignSettings,
                      skip: float) -> tuple[np.ndarray, np.ndarray]:
    """Align blocks of sentences first; the fine search stays near that path."""
    bs = max(1, -(-max(n, m) // COARSE_SIDE))
    src_edges = list(range(0, n, bs)) + [n]
    tgt_edges = list(range(0, m, bs)) + [m]
    coarse = _BlockScorer(scorer, src_edges, tgt_edges)
    cn, cm = len(src_edges) - 1, len(tgt_edges) - 1
    path = _dp(cn, cm, coarse, ONE_TO_ONE, skip, np.zeros(cn + 1, np.int64), np.full(cn + 1, cm, np.int64))
    return _band_around(path, src_edges, tgt_edges, n, m, settings.band + bs)


def _band_around(path: list[AlignedGroup], src_edges: list[int], tgt_edges: list[int], n: int, m: int,
                 width: int) -> tuple[np.ndarray, np.ndarray]:
    """For each source row, the target columns within ``width`` of a path over blocks
    (``src_edges``/``tgt_edges`` give each block's first sentence)."""
    lo = np.full(n + 1, m, dtype=np.int64)
    hi = np.zeros(n + 1, dtype=np.int64)
    ci = cj = 0
    for group in path:  # each cell widens the window of the rows it covers
        ci2, cj2 = ci + len(group.src), cj + len(group.tgt)
        r0, r1 = src_edges[ci], src_edges[ci2]
        c0, c1 = tgt_edges[cj], tgt_edges[cj2]
        lo[r0:r1 + 1] = np.minimum(lo[r0:r1 + 1], c0)
        hi[r0:r1 + 1] = np.maximum(hi[r0:r1 + 1], c1)
        ci, cj = ci2, cj2
    lo = np.maximum(0, lo - width)
    hi = np.minimum(m, hi + width)
    lo = np.minimum.accumulate(lo[::-1])[::-1]  # keep the band monotone and anchored at both ends
    hi = np.maximum.accumulate(hi)
    lo[0], hi[-1] = 0, m
    return lo, hi


class _BlockScorer(PairScorer):
    """A scorer over blocks of sentences, built on a fine scorer's group cost."""

    def __init__(self, fine: PairScorer, src_edges: list[int], tgt_edges: list[int]):
        self.fine, self.se, self.te = fine, np.asarray(src_edges), np.asarray(tgt_edges)

    def cost(self, i0: int, i1: int, j0: int, j1: int) -> float:
        return self.fine.cost(int(self.se[i0]), int(self.se[i1]), int(self.te[j0]), int(self.te[j1]))

    def cost_row(self, i0: int, i1: int, j0s: np.ndarray, j1s: np.ndarray) -> np.ndarray:
        return _cost_row(self.fine, int(self.se[i0]), int(self.se[i1]), self.te[j0s], self.te[j1s])

    def weight(self, a: int, b: int) -> float:
        return self.fine.weight(a, b)


def _cost_row(scorer: PairScorer, i0: int, i1: int, j0s: np.ndarray, j1s: np.ndarray) -> np.ndarray:
    fn = getattr(scorer, "cost_row", None)
    if fn is not None:
        return fn(i0, i1, j0s, j1s)
    return np.array([scorer.cost(i0, i1, int(a), int(b)) for a, b in zip(j0s, j1s)], dtype=np.float64)


class StepCost:
    """What the search charges for each step, the one definition that the search (:func:`_dp`)
    and its diagnosis (:func:`..evaluation.path_cost`) share: an n–m group its scorer's cost
    times the scorer's weight for its size, plus, where the scorer has number anchors, each
    number the group leaves unmatched at its share of a skip; a sentence left alone a skip,
    plus the numbers it holds at that share."""

    def __init__(self, scorer: PairScorer, skip: float, n: int, m: int):
        self.scorer = scorer
        self.skip = skip
        self.anchors = getattr(scorer, "anchors", None)
        self.per_number = self.anchors.penalty * skip if self.anchors is not None else 0.0
        alone = self.anchors.alone() if self.anchors is not None else (np.zeros(n), np.zeros(m))
        self.src_alone = skip + self.per_number * np.asarray(alone[0], dtype=np.float64)
        self.tgt_alone = skip + self.per_number * np.asarray(alone[1], dtype=np.float64)

    def group(self, i0: int, i1: int, j0s: np.ndarray, j1s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """For groups ``[i0, i1) × [j0s[k], j1s[k])``: the weighted cost (whose quotient by the
        weight is the group's own cost, for its score) and the numbers' penalty."""
        weighted = _cost_row(self.scorer, i0, i1, j0s, j1s) * self.scorer.weight(i1 - i0, int(j1s[0] - j0s[0]))
        numbers = (self.per_number * self.anchors.unmatched(i0, i1, j0s, j1s) if self.per_number
                   else np.zeros(len(j0s)))
        return weighted, numbers


def _dp(n: int, m: int, scorer: PairScorer, moves: list[tuple[int, int]], skip: float,
        lo: np.ndarray, hi: np.ndarray) -> list[AlignedGroup]:
    rows: list[np.ndarray] = []
    back: list[np.ndarray] = []
    group_cost: list[np.ndarray] = []
    weight = {(a, b): scorer.weight(a, b) for a, b in moves if a and b}
    expect = getattr(scorer, "expect_groups", None)
    if expect is not None:  # e.g. encode joined groups in one go
        expect(moves, lo, hi)
    steps = StepCost(scorer, skip, n, m)
    src_alone = np.concatenate([[0.0], np.cumsum(steps.src_alone)])
    tgt_skip = np.concatenate([[0.0], steps.tgt_alone])  # reaching column j by leaving j-1 alone
    tgt_alone = np.cumsum(tgt_skip)
    for i in range(n + 1):
        js = np.arange(lo[i], hi[i] + 1)
        best = np.full(len(js), INF)
        arg = np.full(len(js), -1, dtype=np.int16)
        gcost = np.zeros(len(js))
        if i == 0:
            best[js == 0] = 0.0
        for k, (a, b) in enumerate(moves):
            if a == 0 or i - a < 0:
                continue
            prev_js = js - b
            plo, phi = lo[i - a], hi[i - a]
            ok = (prev_js >= plo) & (prev_js <= phi)
            if not ok.any():
                continue
            prev = np.full(len(js), INF)
            prev[ok] = rows[i - a][prev_js[ok] - plo]
            total = prev.copy()
            if b == 0:
                step = np.full(len(js), src_alone[i] - src_alone[i - a])
            else:
                live = ok & (prev < INF)
                step = np.full(len(js), INF)
                if live.any():
                    step[live], numbers = steps.group(i - a, i, prev_js[live], js[live])
                    total[live] += numbers
            total += step
            better = total < best - TIE
            best[better] = total[better]
            arg[better] = k
            gcost[better] = step[better]  # the group's own cost, for its score
        # 0–1 moves inside the row: best[j] = min(best[j], best[j-1] + skip of j-1), a running minimum
        before = tgt_alone[js]
        from_left = np.minimum.accumulate(best - before) + before
        use_left = from_left < best - TIE
        if use_left.any():
            best = np.where(use_left, from_left, best)
            arg = np.where(use_left, moves.index((0, 1)), arg).astype(np.int16)
            gcost = np.where(use_left, tgt_skip[js], gcost)
        rows.append(best)
        back.append(arg)
        group_cost.append(gcost)
    return _trace(n, m, moves, lo, back, group_cost, weight, scorer)


def _trace(n, m, moves, lo, back, group_cost, weight, scorer: PairScorer) -> list[AlignedGroup]:
    groups: list[AlignedGroup] = []
    i, j = n, m
    while i > 0 or j > 0:
        k = int(back[i][j - lo[i]])
        if k < 0:
            raise RuntimeError("alignment search found no path (band too narrow)")
        a, b = moves[k]
        if a == 0:
            groups.append(AlignedGroup([], [j - 1], 0.0))
        elif b == 0:
            groups.append(AlignedGroup([i - 1], [], 0.0))
        else:
            cost = float(group_cost[i][j - lo[i]]) / weight[a, b]
            groups.append(AlignedGroup(list(range(i - a, i)), list(range(j - b, j)),
                                       scorer.group_score(i - a, i, j - b, j, cost)))
        i, j = i - a, j - b
    groups.reverse()
    return groups
