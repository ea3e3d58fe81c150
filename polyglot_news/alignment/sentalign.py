"""Sentence alignment by dynamic programming over group costs (as in Vecalign / Gale–Church).

Moves are n–m groups up to ``max_group`` sentences per side, plus 1–0 and 0–1 for sentences
without a counterpart. The search runs inside a band: for long inputs a coarse alignment of
sentence blocks is found first and the fine search stays within ``band`` sentences of it, so
the work grows about linearly with the number of sentences. Each DP row is computed with
vectorised numpy, so 10,000 × 10,000 sentences take seconds, not hours.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from ..types import AlignedGroup
from .scoring import PairScorer

INF = np.float64(1e18)
FULL_SEARCH_CELLS = 600 * 600
COARSE_SIDE = 300


@dataclass
class AlignSettings:
    """DP parameters: group sizes, skip and merge costs (in units of a sentence's cost), band."""

    max_group: int = 2
    skip_cost: float = 0.55
    merge_penalty: float = 0.3
    band: int = 20

    def moves(self) -> list[tuple[int, int]]:
        g = self.max_group
        return [(1, 0), (0, 1)] + [(a, b) for a in range(1, g + 1) for b in range(1, g + 1)]


def align(src: Sequence[str], tgt: Sequence[str], scorer: PairScorer,
          settings: AlignSettings | None = None, prepared: bool = False) -> list[AlignedGroup]:
    """Align two sentence lists; every sentence of both sides is in exactly one group, in order."""
    settings = settings or AlignSettings()
    n, m = len(src), len(tgt)
    if n == 0 or m == 0:
        return [AlignedGroup([i], [], 0.0) for i in range(n)] + [AlignedGroup([], [j], 0.0) for j in range(m)]
    if not prepared:
        scorer.prepare(src, tgt)
    if (n + 1) * (m + 1) <= FULL_SEARCH_CELLS:
        lo, hi = np.zeros(n + 1, dtype=np.int64), np.full(n + 1, m, dtype=np.int64)
    else:
        lo, hi = _band_from_coarse(n, m, scorer, settings)
    return _dp(n, m, scorer, settings, lo, hi)


def _band_from_coarse(n: int, m: int, scorer: PairScorer, settings: AlignSettings) -> tuple[np.ndarray, np.ndarray]:
    """Align blocks of sentences first; the fine search stays near that path."""
    bs = max(1, -(-max(n, m) // COARSE_SIDE))
    src_edges = list(range(0, n, bs)) + [n]
    tgt_edges = list(range(0, m, bs)) + [m]
    coarse = _BlockScorer(scorer, src_edges, tgt_edges)
    cn, cm = len(src_edges) - 1, len(tgt_edges) - 1
    coarse_settings = AlignSettings(max_group=1, skip_cost=settings.skip_cost, merge_penalty=0.0)
    path = _dp(cn, cm, coarse, coarse_settings, np.zeros(cn + 1, np.int64), np.full(cn + 1, cm, np.int64))
    lo = np.full(n + 1, m, dtype=np.int64)
    hi = np.zeros(n + 1, dtype=np.int64)
    ci = cj = 0
    for group in path:  # each coarse cell widens the window of the fine rows it covers
        ci2, cj2 = ci + len(group.src), cj + len(group.tgt)
        r0, r1 = src_edges[ci], src_edges[ci2]
        c0, c1 = tgt_edges[cj], tgt_edges[cj2]
        lo[r0:r1 + 1] = np.minimum(lo[r0:r1 + 1], c0)
        hi[r0:r1 + 1] = np.maximum(hi[r0:r1 + 1], c1)
        ci, cj = ci2, cj2
    band = settings.band + bs
    lo = np.maximum(0, lo - band)
    hi = np.minimum(m, hi + band)
    lo = np.minimum.accumulate(lo[::-1])[::-1]  # keep the band monotone and anchored at both ends
    hi = np.maximum.accumulate(hi)
    lo[0], hi[-1] = 0, m
    return lo, hi


class _BlockScorer(PairScorer):
    """A scorer over blocks of sentences, built on a fine scorer's group cost."""

    def __init__(self, fine: PairScorer, src_edges: list[int], tgt_edges: list[int]):
        self.fine, self.se, self.te = fine, src_edges, tgt_edges

    def cost(self, i0: int, i1: int, j0: int, j1: int) -> float:
        return self.fine.cost(self.se[i0], self.se[i1], self.te[j0], self.te[j1])


def _cost_row(scorer: PairScorer, i0: int, i1: int, j0s: np.ndarray, j1s: np.ndarray) -> np.ndarray:
    fn = getattr(scorer, "cost_row", None)
    if fn is not None:
        return fn(i0, i1, j0s, j1s)
    return np.array([scorer.cost(i0, i1, int(a), int(b)) for a, b in zip(j0s, j1s)], dtype=np.float64)


def _dp(n: int, m: int, scorer: PairScorer, settings: AlignSettings, lo: np.ndarray, hi: np.ndarray) -> list[AlignedGroup]:
    moves = settings.moves()
    rows: list[np.ndarray] = []
    back: list[np.ndarray] = []
    group_cost: list[np.ndarray] = []
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
            if b == 0:
                step = np.full(len(js), settings.skip_cost * a)
            else:
                live = ok & (prev < INF)
                step = np.full(len(js), INF)
                if live.any():
                    c = _cost_row(scorer, i - a, i, prev_js[live], js[live])
                    step[live] = c * (a + b) / 2.0 + settings.merge_penalty * (a + b - 2)
            total = prev + step
            better = total < best
            best[better] = total[better]
            arg[better] = k
            gcost[better] = step[better]
        # 0–1 moves inside the row: best[j] = min(best[j], best[j-1] + skip), a running minimum
        skip = settings.skip_cost
        shifted = best - skip * np.arange(len(js))
        running = np.minimum.accumulate(shifted)
        from_left = running + skip * np.arange(len(js))
        use_left = from_left < best - 1e-12
        if use_left.any():
            best = np.where(use_left, from_left, best)
            arg = np.where(use_left, moves.index((0, 1)), arg).astype(np.int16)
            gcost = np.where(use_left, skip, gcost)
        rows.append(best)
        back.append(arg)
        group_cost.append(gcost)
    return _trace(n, m, moves, lo, back, group_cost, settings)


def _trace(n, m, moves, lo, back, group_cost, settings) -> list[AlignedGroup]:
    groups: list[AlignedGroup] = []
    i, j = n, m
    while i > 0 or j > 0:
        k = int(back[i][j - lo[i]])
        if k < 0:
            raise RuntimeError("alignment search found no path (band too narrow)")
        a, b = moves[k]
        if a == 0 and b == 1:
            groups.append(AlignedGroup([], [j - 1], 0.0))
        elif b == 0:
            groups.append(AlignedGroup([i - 1], [], 0.0))
        else:
            cost = float(group_cost[i][j - lo[i]])
            raw = (cost - settings.merge_penalty * (a + b - 2)) * 2.0 / (a + b)
            groups.append(AlignedGroup(list(range(i - a, i)), list(range(j - b, j)), max(0.0, 1.0 - raw)))
        i, j = i - a, j - b
    groups.reverse()
    return groups
