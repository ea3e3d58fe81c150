"""Development pairs for the quality scorer, built from sentence pairs (the Tatoeba dev sets) by
corrupting true pairs the way real failures look. For tests and benchmarks only.

Every pair is turned into the direction translation runs (source in Azerbaijani or Russian,
target in English). Kinds: ``clean`` (a true pair; a share of them with a figure added to both
sides, written with a decimal comma in the source and a point in English, as news writes them),
``wrong`` (the target of another sentence of similar length), ``truncated`` (the target cut after
40–60 % of its words), ``copy`` (the source as the target), ``language`` (a Turkish or Ukrainian
sentence as the target), ``repetition`` (the target's last words repeated several times) and
``numbers`` (a figure that both sides share changed in the target).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Sequence

from ..io.datasets import ParallelPair

KINDS = ("clean", "wrong", "truncated", "copy", "language", "repetition", "numbers")
_FIGURE = {"az": "Bu, {} faiz deməkdir.", "ru": "Это {} процента.", "en": "That is {} percent."}


@dataclass(frozen=True)
class QualityPair:
    src_lang: str
    tgt_lang: str
    src: str
    tgt: str
    kind: str


def _with_figure(pair: ParallelPair, rng: random.Random) -> tuple[str, str, str]:
    whole, tail = rng.randint(1, 99), rng.randint(1, 9)
    src = f"{pair.src} {_FIGURE[pair.src_lang].format(f'{whole},{tail}')}"
    tgt = f"{pair.tgt} {_FIGURE['en'].format(f'{whole}.{tail}')}"
    return src, tgt, f"{whole}.{tail}"


def build_quality_pairs(pairs: Sequence[ParallelPair], seed: int = 0, per_kind: int = 200) -> list[QualityPair]:
    """``per_kind`` pairs of each kind (fewer where the data has fewer), az→en and ru→en."""
    rng = random.Random(seed)
    oriented = []
    for p in pairs:
        if {p.src_lang, p.tgt_lang} in ({"az", "en"}, {"ru", "en"}):
            oriented.append(p if p.tgt_lang == "en" else ParallelPair(p.tgt_lang, p.src_lang, p.tgt, p.src))
    foreign = [p.tgt if p.tgt_lang in ("tr", "uk") else p.src for p in pairs
               if {p.src_lang, p.tgt_lang} & {"tr", "uk"}]
    rng.shuffle(oriented)
    by_length = sorted(range(len(oriented)), key=lambda k: len(oriented[k].tgt))
    rank = {k: r for r, k in enumerate(by_length)}
    out: list[QualityPair] = []
    pool = iter(oriented * 8)

    def take() -> ParallelPair:
        return next(pool)

    for k in range(per_kind):  # clean: a third with a figure in both sides
        p = take()
        if k % 3 == 0:
            src, tgt, _ = _with_figure(p, rng)
            out.append(QualityPair(p.src_lang, "en", src, tgt, "clean"))
        else:
            out.append(QualityPair(p.src_lang, "en", p.src, p.tgt, "clean"))
    for _ in range(per_kind):  # wrong: the target of a sentence of similar length
        idx = rng.randrange(len(oriented))
        p = oriented[idx]
        r = rank[idx]
        near = [by_length[j] for j in range(max(0, r - 10), min(len(by_length), r + 11)) if by_length[j] != idx]
        other = oriented[rng.choice(near)]
        if other.tgt != p.tgt:
            out.append(QualityPair(p.src_lang, "en", p.src, other.tgt, "wrong"))
    for _ in range(per_kind):  # truncated after 40–60 % of the words
        p = take()
        words = p.tgt.split()
        if len(words) < 4:
            continue
        cut = max(1, round(len(words) * rng.uniform(0.4, 0.6)))
        out.append(QualityPair(p.src_lang, "en", p.src, " ".join(words[:cut]), "truncated"))
    for _ in range(per_kind):
        p = take()
        out.append(QualityPair(p.src_lang, "en", p.src, p.src, "copy"))
    for _ in range(per_kind):
        p = take()
        out.append(QualityPair(p.src_lang, "en", p.src, rng.choice(foreign), "language"))
    for _ in range(per_kind):  # the last one to three words, three to six more times
        p = take()
        words = p.tgt.rstrip(".!?").split()
        tail = words[-rng.randint(1, min(3, len(words))):]
        looped = " ".join(words + tail * rng.randint(3, 6))
        out.append(QualityPair(p.src_lang, "en", p.src, looped, "repetition"))
    for _ in range(per_kind):  # a figure both sides share, changed in the target
        p = take()
        src, tgt, figure = _with_figure(p, rng)
        whole, tail = figure.split(".")
        changed = f"{int(whole) + rng.randint(1, 9)}.{tail}" if rng.random() < 0.5 else f"{whole}.{(int(tail) + 3) % 10}"
        out.append(QualityPair(p.src_lang, "en", src, tgt.replace(figure, changed), "numbers"))
    return out
