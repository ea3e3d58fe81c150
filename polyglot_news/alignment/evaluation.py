"""Evaluation helpers: synthetic parallel documents from sentence pairs, and sentence-pair F1."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass
from typing import Sequence

import numpy as np

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
    """What the alignment search charges for ``groups``: each n–m group its cost times the
    scorer's weight for its size, each sentence left alone ``skip``, and each number either
    leaves unmatched its share of the skip where the scorer has anchors (:mod:`.sentalign`)."""
    anchors = getattr(scorer, "anchors", None)
    per_number = anchors.penalty * skip if anchors is not None else 0.0
    total = 0.0
    for g in groups:
        a, b = len(g.src), len(g.tgt)
        if a and b:
            total += scorer.cost(g.src[0], g.src[-1] + 1, g.tgt[0], g.tgt[-1] + 1) * scorer.weight(a, b)
            if per_number:
                total += per_number * float(anchors.unmatched(g.src[0], g.src[-1] + 1, np.array([g.tgt[0]]),
                                                              np.array([g.tgt[-1] + 1]))[0])
        else:
            total += skip * (a + b)
            if per_number:
                side, ks = (0, g.src) if a else (1, g.tgt)
                total += per_number * float(anchors.alone()[side][ks].sum())
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
class DevPage:
    """A page built from dev sentences: its lines, each line's language (``None`` where a
    line has no single right answer, e.g. "VIDEO"), and the line pairs that translate each other."""

    kind: str
    lines: list[str]
    langs: list[str | None]
    parallel: set[tuple[int, int]]

    @property
    def text(self) -> str:
        return "\n".join(self.lines) + "\n"

    def line_spans(self) -> list[tuple[int, int]]:
        spans, pos = [], 0
        for line in self.lines:
            spans.append((pos, pos + len(line)))
            pos += len(line) + 1
        return spans


_TAGS = {"az": "Teqlər: {}, {}", "en": "Tags: {}, {}", "ru": "Теги: {}, {}"}
_TAG_WORDS = {"az": ["Bakı", "iqtisadiyyat", "siyasət", "mədəniyyət"], "en": ["Baku", "economy", "politics", "culture"],
              "ru": ["Баку", "экономика", "политика", "культура"]}
_WROTE = {"ru": "Он написал: «{}»", "az": "O yazıb: «{}»", "en": "He wrote: “{}”"}
_QUOTED = {"ru": "«{}», — написал он.", "az": "«{}», — o yazıb.", "en": "“{},” he wrote."}
_FURNITURE = [("Xəbərlər", "az"), ("News", "en"), ("Новости", "ru"), ("VIDEO", None), ("Əsas səhifə", "az"),
              ("Home", "en"), ("Главная", "ru"), ("Bizi izləyin", "az"), ("Follow us", "en"), ("Подписывайтесь", "ru"),
              ("FOTO", None), ("29.11.2021", None)]


def build_dev_pages(pairs: Sequence[ParallelPair], seed: int = 0, per_kind: int = 6,
                    held_out: Sequence[str] = ()) -> list[DevPage]:
    """Pages in the shapes of real multilingual news pages, from dev sentence pairs:

    - ``headline``: an article (headline, dateline, body, tag line) in one language, ending with
      its headline in the other languages, one line each;
    - ``quote``: an article quoting a post in English (with a "— Name (@handle) date" line) and
      giving its translation later, bare or after a lead-in;
    - ``post2``: the same with a post of two sentences, in one line or two, its translation in
      one line, bare, after a lead-in or quoted with the attribution after it ("«…», — написал
      он."); each line of the post pairs with that line;
    - negatives: ``paraphrase`` (a quoted English post and an unrelated line in the article's
      language that shares a word with it, and whose English shares under half its words),
      ``turkish`` (a Turkish quote and its English translation: Turkish is not ours),
      ``furniture`` (menu items in three languages).

    Pairs with a side in ``held_out`` (e.g. the bundled background sentences that calibrate
    the scores) are left out, so the pages test what the calibration has not seen.
    """
    rng = random.Random(seed)
    pairs, mono, linked = _page_material(pairs, held_out)
    by = {}
    for p in pairs:
        by.setdefault((p.src_lang, p.tgt_lang), []).append(p)

    def body(lang: str, count: int, avoid: set[str]) -> list[str]:
        avoid = avoid | {t for s in avoid for t in linked.get(s, ())}
        pool = [s for s in mono[lang] if s not in avoid]
        return [" ".join(rng.sample(pool, rng.randint(1, 3))) for _ in range(count)]

    def dateline() -> str:
        return f"{rng.randint(1, 28):02d}.{rng.randint(1, 12):02d}.2021 {rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}"

    def article(lang: str, headline: str, avoid: set[str]) -> tuple[list[str], list]:
        lines = [headline, dateline()] + body(lang, rng.randint(5, 15), avoid)
        lines.append(_TAGS[lang].format(*rng.sample(_TAG_WORDS[lang], 2)))
        return lines, [lang] * len(lines)

    pages: list[DevPage] = []
    headline_pairs = [("az", "en", by[("az", "en")], False), ("en", "az", by[("az", "en")], True),
                      ("en", "ru", by[("en", "ru")], False), ("ru", "en", by[("en", "ru")], True)]
    for k in range(per_kind):
        a, b, pool, flip = headline_pairs[k % len(headline_pairs)]
        p = rng.choice(pool)
        head, foreign = (p.tgt, p.src) if flip else (p.src, p.tgt)
        lines, langs = article(a, head, {head, foreign})
        lines.append(foreign)
        langs.append(b)
        pages.append(DevPage("headline", lines, langs, {(0, len(lines) - 1)}))
    for k in range(per_kind):
        lang, pool = ("ru", by[("en", "ru")]) if k % 2 == 0 else ("az", by[("az", "en")])
        p = rng.choice(pool)
        post, translation = (p.src, p.tgt) if lang == "ru" else (p.tgt, p.src)
        avoid = {post, translation}
        lines = body(lang, rng.randint(2, 5), avoid)
        at = len(lines)
        lines += [post, f"— Anna Smith (@anna_smith) November {rng.randint(1, 28)}, 2021"]
        lines += body(lang, rng.randint(0, 3), avoid)
        lines.append(_WROTE[lang].format(translation) if k % 3 == 0 else translation)
        lines += body(lang, rng.randint(2, 5), avoid)
        langs = [lang] * len(lines)
        langs[at] = langs[at + 1] = "en"
        pages.append(DevPage("quote", lines, langs, {(at, lines.index(next(x for x in lines if translation in x)))}))
    for k in range(per_kind):
        p = rng.choice(by[("az", "en")])
        word = max(p.tgt.split(), key=len).strip(".,!?").lower()
        related = [q.src for q in by[("az", "en")]  # shares a word, but no translation of the post
                   if q is not p and word in q.tgt.lower() and _word_overlap(q.tgt, p.tgt) < 0.5] or \
                  [q.src for q in rng.sample(by[("az", "en")], 1)]
        lines = body("az", rng.randint(2, 5), {p.src})
        at = len(lines)
        lines += [p.tgt, "— Anna Smith (@anna_smith) November 3, 2021", rng.choice(related)]
        lines += body("az", rng.randint(2, 5), {p.src})
        langs = ["az"] * len(lines)
        langs[at] = langs[at + 1] = "en"
        pages.append(DevPage("paraphrase", lines, langs, set()))
    for k in range(per_kind):
        p = rng.choice(by[("en", "tr")])
        lines = body("en", rng.randint(2, 5), {p.src})
        at = len(lines)
        lines += [p.tgt, p.src] + body("en", rng.randint(2, 5), {p.src})
        langs: list = ["en"] * len(lines)
        langs[at] = "und"
        pages.append(DevPage("turkish", lines, langs, set()))
    for k in range(per_kind):
        lang = ("az", "en", "ru")[k % 3]
        menu = rng.sample(_FURNITURE, 6)
        lines, langs = article(lang, body(lang, 1, set())[0], set())
        lines = [m for m, _ in menu[:3]] + lines + [m for m, _ in menu[3:]]
        langs = [g for _, g in menu[:3]] + langs + [g for _, g in menu[3:]]
        pages.append(DevPage("furniture", lines, langs, set()))
    for k in range(per_kind):  # drawn last, so the kinds above are the same pages as without it
        lang, pool = ("ru", by[("en", "ru")]) if k % 2 == 0 else ("az", by[("az", "en")])
        first, second = rng.sample(pool, 2)
        posts = [(p.src, p.tgt) if lang == "ru" else (p.tgt, p.src) for p in (first, second)]
        avoid = {t for pair in posts for t in pair}
        lines = body(lang, rng.randint(2, 5), avoid)
        at = len(lines)
        post = [posts[0][0] + " " + posts[1][0]] if k % 2 == 0 else [posts[0][0], posts[1][0]]
        lines += post + [f"— Anna Smith (@anna_smith) November {rng.randint(1, 28)}, 2021"]
        lines += body(lang, rng.randint(0, 3), avoid)
        where = len(lines)
        lines.append((_WROTE[lang], _QUOTED[lang], "{}")[k % 3].format(posts[0][1] + " " + posts[1][1]))
        lines += body(lang, rng.randint(2, 5), avoid)
        langs = [lang] * len(lines)
        for i in range(at, at + len(post) + 1):
            langs[i] = "en"
        pages.append(DevPage("post2", lines, langs, {(at + i, where) for i in range(len(post))}))
    return pages


def build_unrelated_pages(pairs: Sequence[ParallelPair], count: int, seed: int = 0,
                          held_out: Sequence[str] = ()) -> list[DevPage]:
    """Pages with text in several of our languages and no translation on them: 4–10 lines
    of 1–3 dev sentences each, most lines in the page's main language (az, en, ru in turn),
    the others in any of the three, and no two sentences of a page translations of each other
    (by the dev pairs). The commonest page in a multilingual news archive: a sidebar of other
    stories, readers' comments. Every passage found on one is wrong."""
    rng = random.Random(seed)
    _, mono, linked = _page_material(pairs, held_out)
    pools = {lang: sorted(set(mono[lang])) for lang in ("az", "en", "ru")}
    pages = []
    for k in range(count):
        main = ("az", "en", "ru")[k % 3]
        used: set[str] = set()
        lines, langs = [], []
        for _ in range(rng.randint(4, 10)):
            lang = main if rng.random() < 0.6 else rng.choice(("az", "en", "ru"))
            chosen: list[str] = []
            want = rng.randint(1, 3)
            while len(chosen) < want:
                text = rng.choice(pools[lang])
                if text not in used and not linked.get(text, set()) & used:
                    used.add(text)
                    chosen.append(text)
            lines.append(" ".join(chosen))
            langs.append(lang)
        pages.append(DevPage("unrelated", lines, langs, set()))
    return pages


def _page_material(pairs: Sequence[ParallelPair], held_out: Sequence[str]
                   ) -> tuple[list[ParallelPair], dict[str, list[str]], dict[str, set[str]]]:
    """The pairs with no side in ``held_out``; their sentences by language, in order; and every
    sentence's translations (to keep them apart on a page)."""
    held = set(held_out)
    kept = [p for p in pairs if p.src not in held and p.tgt not in held]
    mono: dict[str, list[str]] = {}
    linked: dict[str, set[str]] = {}
    for p in kept:
        mono.setdefault(p.src_lang, []).append(p.src)
        mono.setdefault(p.tgt_lang, []).append(p.tgt)
        linked.setdefault(p.src, set()).add(p.tgt)
        linked.setdefault(p.tgt, set()).add(p.src)
    return kept, mono, linked


def _word_overlap(a: str, b: str) -> float:
    """Jaccard overlap of two sentences' lower-cased words."""
    wa, wb = ({w.strip(".,!?\"'") for w in x.lower().split()} for x in (a, b))
    return len(wa & wb) / max(len(wa | wb), 1)


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
        pairs = {tuple(sorted((line_of(p.src.start), line_of(p.tgt.start))))
                 for passage in found_passages for p in passage.pairs}
        gold_pairs = {tuple(sorted(p)) for p in page.parallel}
        gold += len(gold_pairs)
        found += len(gold_pairs & pairs)
        predicted += len(pairs)
        correct += len(pairs & gold_pairs)
        if not page.parallel:
            negative += len(found_passages)
    return PageScores(right / max(total, 1), found / max(gold, 1), correct / max(predicted, 1), found, gold,
                      predicted, negative)


def build_editions(pairs: Sequence[ParallelPair], documents: int, seed: int = 0):
    """Two editions of a news site from parallel pairs (source side, target side): stories of
    3–8 sentences, ids unrelated across sides, ~25 % of the stories in one edition only (two
    unrelated documents), ~10 % only partly translated (a sentence of its own on each side).
    Returns (source documents, target documents shuffled, the set of true id pairs)."""
    from ..types import Document

    rng = random.Random(seed)
    pool = list(pairs)
    rng.shuffle(pool)
    it = iter(pool)
    src_docs, tgt_docs, truth = [], [], set()
    for _ in range(documents):
        chosen = [next(it) for _ in range(rng.randint(3, 8))]
        src, tgt = [p.src for p in chosen], [p.tgt for p in chosen]
        kind = rng.random()
        if kind < 0.25:
            tgt = [next(it).tgt for _ in chosen]
        elif kind < 0.35:
            src.append(next(it).src)
            tgt.insert(1, next(it).tgt)
        src_docs.append(Document(f"{chosen[0].src_lang}-{rng.randrange(10**8):08d}", " ".join(src)))
        tgt_docs.append(Document(f"{chosen[0].tgt_lang}-{rng.randrange(10**8):08d}", " ".join(tgt)))
        if kind >= 0.25:
            truth.add((src_docs[-1].id, tgt_docs[-1].id))
    rng.shuffle(tgt_docs)
    return src_docs, tgt_docs, truth
