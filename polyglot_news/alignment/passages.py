"""Find parallel passages inside one document: sentences in different languages that translate
each other, wherever they sit (a headline repeated at the end of an article in two other
languages, a quoted post and its translation, a notice printed three times).

As in bitext mining: every sentence of each target language is compared with every sentence
of each other language (a quote's sentences count as sentences of their own, see
:func:`_with_quotes`); a pair is kept when each side is the other's best match, its cost is
below the mean of both sides' costs to their nearest background sentences in the other
language (the ratio margin of Artetxe & Schwenk 2019) and below a low quantile of the costs of
random pairs (by meaning; without background sentences, that alone), both sides have a few
words or end as sentences do
(menu items, datelines and a post's byline never pair), both sides' language labels are clear
(``min_language_odds``: a Turkish line barely taken for Azerbaijani claims no translation),
where both sides have numbers
they share one, and a labelled list ("Tags: …, …") pairs only with a labelled list. A mutual
best pair that misses the margin is kept where it sits next to a kept pair on both sides and
passes that quantile (the second sentence of a translated post). Lengths are weighed at one
character per character, a few characters of slack on each side (``passages.length_ratio``,
``passages.length_slack``): a page's languages are no parallel text. Runs of kept
pairs within two sentences of each other (a pair too weak to make a passage alone: right next
to it) are then aligned sentence by sentence (:mod:`.sentalign`), and runs that share a
sentence join into one passage with one span per language.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from importlib.resources import files
from itertools import combinations
from typing import Any, Sequence

import numpy as np

from .. import budget
from ..config import AlignmentConfig, PipelineConfig
from ..numbers import numbers as numbers_in
from ..scripts import letter_count, mask_links
from ..sentences import ENDS_AS_SENTENCE, lines, quotations, split_sentences
from ..types import Passage, Segment, SentencePair, Span
from .encoders import Encoder
from .encoding import encoder_from_config
from .scoring import AnchorScorer, EmbeddingScorer, PairScorer, TranslationScorer
from .sentalign import _cost_row, align

_WORD = re.compile(r"[^\W\d_]{2,}")
# the byline under an embedded post: "— Anna Smith (@anna_smith) November 3, 2021". It stays
# among the sentences a pair must beat (it draws near-misses), but never pairs itself
_BYLINE = re.compile(r"\s*[—–-]\s*[^\n]*\(@\w+\)")
# a labelled list, as in a tag or category line: "Tags: politics, economy", "Теги: Баку, экономика"
_ITEM = r"\s*[^\W\d_][^\s,.!?:;]*(?:[ -][^\s,.!?:;]+){0,2}\s*"  # one to three words
_LIST = re.compile(rf"\s*[^\W\d_][\w ]{{0,30}}:(?:{_ITEM},)+{_ITEM}")
ROW_CHUNK = 1024


def background_by_language() -> dict[str, list[str]]:
    """Bundled sentences (Tatoeba, CC BY 2.0 FR) that calibrate similarity for short inputs,
    by language."""
    text = files("polyglot_news").joinpath("data/background.txt").read_text(encoding="utf-8")
    out: dict[str, list[str]] = {}
    lang = "und"
    for line in text.splitlines():
        if line.startswith("## "):
            lang = line[3:].strip()
        elif line and not line.startswith("#"):
            out.setdefault(lang, []).append(line)
    return out


def background_sentences() -> list[str]:
    """All the bundled background sentences, whatever their language."""
    return [s for sentences in background_by_language().values() for s in sentences]


# a credit line: a photo, a source, an archive, and names ("Съемка, фото из архива - Sputnik
# Azərbaycan", "Foto: AZƏRTAC", "Photo: Reuters/John Smith", "Mənbə: APA"): it names and
# translates nothing, so it never pairs (it may share its names with a line that does)
_CREDIT_WORDS = {
    "photo", "photos", "foto", "fotolar", "фото", "фотография", "съемка", "сьемка", "съёмка", "снимок", "video",
    "видео", "source", "mənbə", "источник", "credit", "credits", "archive", "arxiv", "архив", "архива", "kadr",
    "кадр", "illustration", "иллюстрация", "şəkil"}
_CREDIT_JOINS = {"из", "by", "via", "from", "courtesy", "of", "and", "və", "и", "tərəfindən"}


def is_credit(line: str) -> bool:
    """Whether a line credits a photo or a source and says nothing else: a credit word
    ("Photo", "Фото", "Mənbə", "©"), and every other word a joining word ("from", "из") or a name
    (capitalised, or an agency's in capitals), a handle or a date."""
    words = _CREDIT_TOKEN.findall(line)
    lowered = [w.lower() for w in words]
    if not any(w in _CREDIT_WORDS for w in lowered) and "©" not in line:
        return False
    rest = [w for w, low in zip(words, lowered) if low not in _CREDIT_WORDS and low not in _CREDIT_JOINS]
    return all(w[0].isupper() or w[0].isdigit() or w.startswith("@") for w in rest)


_CREDIT_TOKEN = re.compile(r"@?[^\W_][\w.'’-]*")


@dataclass
class _Sentence:
    start: int
    end: int
    lang: str
    # quoted words inside a sentence ("He wrote: «…»"), mined on their own, sentence by
    # sentence: the quote's start offset (its sentences share it); -1 for a sentence of the text
    quote: int = -1
    byline: bool = False  # of a post's byline line: it names the post and translates nothing
    # where a quote's sentence stands: its quote's words (offsets into the text); ``None`` for a
    # sentence of the text, which stands on its line (:func:`_line_around`, looked up when asked)
    unit: tuple[int, int] | None = None


@dataclass
class _Run:
    """Consecutive mined pairs between two languages, aligned sentence by sentence."""

    members: dict[str, tuple[int, int]]  # lang -> (first, last) global sentence index
    pairs: list[SentencePair]
    score: float
    # the mean score of the groups holding its pairs that passed the margin on their own, and of
    # its mined groups: what a passage must reach (a neighbour taken in on their strength does
    # not pull it under)
    anchor_score: float = 0.0


class PassageFinder:
    """Finds parallel passages among a document's sentences."""

    def __init__(self, encoder: Encoder | None, languages: Sequence[str] | None = None,
                 settings: AlignmentConfig | None = None, to_english=None, detector=None):
        """``to_english(sentences, lang)``, used when there is no encoder, gives English for
        sentences (the translation stage's output); without either, anchors are compared.
        ``detector`` (a language detector with ``scores_many``: the segmenter's) reads the
        language of quotations inside sentences; without it a quotation has its sentence's.
        ``languages`` and ``settings`` default to the config's."""
        self.encoder = encoder
        self.to_english = to_english
        self.detector = detector
        self.languages = tuple(languages or PipelineConfig().languages)
        self.config = settings or AlignmentConfig()
        self.align_settings = self.config.search
        self._background = background_by_language()

    @classmethod
    def from_config(cls, config: Any = None, to_english=None, detector=None) -> "PassageFinder":
        from ..config import load_config

        cfg = load_config(config)
        ac = cfg.alignment
        encoder = encoder_from_config(ac.encoder.for_task("passages"))
        return cls(encoder, cfg.languages, ac, to_english, detector)

    def settings(self) -> dict[str, Any]:
        if self.encoder is not None:
            scorer = self._scorer().settings()
        elif self.to_english is not None:
            scorer = TranslationScorer.settings()
        else:
            scorer = AnchorScorer().settings()
        c = self.config.passages
        return {**scorer, "min_score": c.min_score, "pair_quantile": c.pair_quantile,
                "min_language_odds": c.min_language_odds,
                "margin": "both-sides-mean", "min_pair_words": c.min_pair_words,
                "short_pairs": "sentence-ends", "links": "not-words",
                "numbers": "shared-if-both-by-value",
                "quotes": "per-sentence",
                "quote_language": "detected" if self.detector is not None else "its-sentence's",
                "bylines": "never", "lists": "with-lists",
                "neighbours": "beside-a-kept-pair-below-pair-quantile", "numbers_clash": "barred",
                "groups": "two-to-one-mined-beside-runs", "weak_runs": "held-by-strong-runs",
                "lone_pairs": c.lone_pairs, "length_ratio": c.length_ratio, "length_slack": c.length_slack,
                **self.align_settings.model_dump()}

    def _scorer(self, src_lang: str = "", tgt_lang: str = "") -> PairScorer:
        if self.encoder is not None:
            if not hasattr(self, "_embedding_scorer"):
                self._embedding_scorer = EmbeddingScorer(self.encoder, self._background, self.align_settings.samples,
                                                         length_slack=self.config.passages.length_slack)
            return self._embedding_scorer
        if self.to_english is not None:
            return TranslationScorer(self.to_english, src_lang, tgt_lang)
        return AnchorScorer()

    def _sentences(self, text: str, segments: Sequence[Segment], read_quotes: bool = True) -> list[_Sentence]:
        """The sentences a document's passages are mined from (none where it has fewer than
        two languages to mine); ``read_quotes``: with each quotation in its own language
        (:meth:`_quotes_in_their_language`)."""
        sentences = []
        for seg in segments:
            if seg.lang not in self.languages or not self._sure_of(seg):
                continue
            for start, line in lines(seg.text):
                byline = bool(_BYLINE.match(line)) or is_credit(line)  # once a line, not once a sentence
                sentences += [_Sentence(seg.start + start + s, seg.start + start + e, seg.lang, byline=byline)
                              for s, e in split_sentences(line)]
        if not sentences:
            return []
        sentences = [part for s in sentences for part in _with_quotes(text, s)]
        if read_quotes:
            sentences = self._quotes_in_their_language(text, sentences)
        if len({s.lang for s in sentences}) < 2:
            return []
        sentences.sort(key=lambda s: (s.start, s.quote >= 0))
        return sentences

    def _quotes_in_their_language(self, text: str, sentences: list[_Sentence]) -> list[_Sentence]:
        """The sentences, each quotation's in the language the detector reads in it where that is
        another of ours, as sure as a segment must be (``min_language_odds``): an English
        statement quoted inside a Russian sentence ('Он сказал: "We will sign the agreement next
        month."') is mined against the Russian that renders it. Quotations of fewer than
        ``min_pair_words`` words keep their sentence's language (a name, a title)."""
        if self.detector is None:
            return sentences
        least = self.config.passages.min_pair_words
        quoted = [k for k, s in enumerate(sentences) if s.quote >= 0
                  and len(_WORD.findall(text[s.start:s.end])) >= least]
        if not quoted:
            return sentences
        odds = self.config.passages.min_language_odds
        out = list(sentences)
        for k, scores in zip(quoted, self.detector.scores_many([text[sentences[k].start:sentences[k].end]
                                                                 for k in quoted])):
            label, confidence = max(scores.items(), key=lambda kv: kv[1]) if scores else (sentences[k].lang, 0.0)
            if label in self.languages and label != sentences[k].lang and confidence >= odds * (1.0 - confidence):
                out[k] = replace(sentences[k], lang=label)
        return out

    def prefetch(self, items: Sequence[tuple[str, Sequence[Segment]]]) -> None:
        """Encode the sentences of several documents in one call (the encoder's batches fill up
        across documents), so that :meth:`find` of each finds its vectors ready."""
        if self.encoder is None:
            return
        # the quotations' languages are read once, by find (a page of one language whose
        # quotation is in another is encoded there)
        texts = [text[s.start:s.end] for text, segments in items
                 for s in self._sentences(text, segments, read_quotes=False)]
        if texts:
            self.encoder.encode(list(dict.fromkeys(texts)))

    def find(self, text: str, segments: Sequence[Segment]) -> list[Passage]:
        """The parallel passages of a document. A sentence printed again word for word (a
        headline at the top and in a related-links block) is mined once, as one text with
        several positions; each of its occurrences gets the pair its first one found."""
        sentences, repeats = _without_repeats(text, self._sentences(text, segments))
        if len({s.lang for s in sentences}) < 2:
            return []
        return _with_repeats(self._find(text, sentences), sentences, repeats)

    def _find(self, text: str, sentences: list[_Sentence]) -> list[Passage]:
        texts = [text[s.start:s.end] for s in sentences]
        vectors = self.encoder.encode(texts) if self.encoder is not None else None
        runs: list[_Run] = []
        for a, b in combinations(self.languages, 2):
            xs = [k for k, s in enumerate(sentences) if s.lang == a]
            ys = [k for k, s in enumerate(sentences) if s.lang == b]
            if xs and ys:
                budget.check()
                runs.extend(self._runs(text, sentences, texts, vectors, xs, ys))
        return self._passages(text, sentences, runs)

    def _sure_of(self, segment: Segment) -> bool:
        """Whether a segment's label is clear enough for its sentences to claim a translation:
        its confidence at least ``min_language_odds`` times what is left for all other labels."""
        return segment.confidence >= self.config.passages.min_language_odds * (1.0 - segment.confidence)

    def _runs(self, text, sentences, texts, vectors, xs: list[int], ys: list[int]) -> list[_Run]:
        """Mined pairs between two languages, cut into runs of neighbouring pairs."""
        scorer = self._scorer(sentences[xs[0]].lang, sentences[ys[0]].lang)
        src, tgt = [texts[k] for k in xs], [texts[k] for k in ys]
        if vectors is not None:
            scorer.prepare_vectors(vectors[xs], vectors[ys], [len(t) for t in src], [len(t) for t in tgt],
                                   langs=(sentences[xs[0]].lang, sentences[ys[0]].lang),
                                   length_ratio=self.config.passages.length_ratio)
        else:
            scorer.prepare(src, tgt)
        numbers = [_numbers_of(t) for t in src], [_numbers_of(t) for t in tgt]
        mined = [(i, j, c) for i, j, c in _mutual_best(scorer, len(xs), len(ys), _numbers_clash(*numbers))
                 if self._pairable(src[i], tgt[j]) and not (sentences[xs[i]].byline or sentences[ys[j]].byline)]
        mining = scorer.distractor_costs() is not None
        # a quantile of the costs of random pairs: a pair must mean its other side more (by
        # meaning where there is a margin besides: long sentences that translate nothing cost
        # under 1 often, and under the margin of short background sentences: "Visitors can also
        # attend evening lectures…" / "По данным ведомства…", 0.90)
        threshold = scorer.skip_cost(self.config.passages.pair_quantile)

        def margin(i: int, j: int, c: float) -> bool:
            if mining:  # the margin of bitext mining: beat both sides' mean distractor
                return c < scorer.margin_bar(i, i + 1, j, j + 1) and scorer.meaning_cost(i, i + 1, j, j + 1) < threshold
            return c <= threshold

        passes = [margin(i, j, c) for i, j, c in mined]
        # a pair beside one that passes is kept on weaker evidence, but not on none (a pair that
        # passed is under the quantile already)
        unrelated = np.array([not ok and scorer.meaning_cost(i, i + 1, j, j + 1) >= threshold
                              for (i, j, _), ok in zip(mined, passes)], dtype=bool) if mining else None
        quote = [sentences[k].quote for k in xs], [sentences[k].quote for k in ys]
        anchors = {(i, j) for (i, j, _), ok in zip(mined, passes) if ok}  # pairs that passed on their own
        kept = _with_neighbours(mined, anchors, quote, unrelated)
        runs: list[list[tuple[int, int, float]]] = []
        weak = 1.0 - self.config.passages.min_score  # a pair that could not make a passage alone
        for i, j, c in sorted(kept):
            # a pair joins the run before it when it is near (a weak one, or one after a weak
            # one, only right next to it on both sides), and both are of the text or both of
            # the same quote on each side (a quote's sentences are not its line's neighbours)
            reach = 1 if runs and (c > weak or runs[-1][-1][2] > weak) else 2
            if runs and 0 < i - runs[-1][-1][0] <= reach and 0 < j - runs[-1][-1][1] <= reach \
                    and (quote[0][i], quote[1][j]) == (quote[0][runs[-1][-1][0]], quote[1][runs[-1][-1][1]]):
                runs[-1].append((i, j, c))
            else:
                runs.append([(i, j, c)])
        taken = ({i for i, _, _ in kept}, {j for _, j, _ in kept})
        byline = [sentences[k].byline for k in xs], [sentences[k].byline for k in ys]
        # whether a sentence and the next of its language follow each other in the text, with
        # nothing but white space between (no line of another language, a time or a date)
        nextto = [[b == a + 1 and not text[sentences[a].end:sentences[b].start].strip()
                   for a, b in zip(ids, ids[1:])] + [False] for ids in (xs, ys)]
        # a sentence held by a run of one pair may go to a pair grown by it, or to a mined group,
        # that means more of the other side than that pair does: the pair, a look-alike of one
        # post ("2/ Ask yourself that question." / the page's first Russian sentence), then goes
        dropped: set[int] = set()
        lone = {(side, run[0][side]): (r, run[0][:2]) for r, run in enumerate(runs) if len(run) == 1
                for side in (0, 1)}
        for r, run in enumerate(runs):
            runs[r] = self._with_merged_ends(run, scorer, src, tgt, quote, byline, taken, margin, nextto, lone, dropped,
                                             threshold)
            if len(run) == 1 and len(runs[r]) > 1:  # grown: no longer a lone pair to yield
                for side in (0, 1):
                    lone.pop((side, run[0][side]), None)
        groups: list[list[tuple[int, int, int, int, float]]] = [[] for _ in runs]
        single = {key: r for key, (r, _) in lone.items() if r not in dropped}  # runs still of one pair
        held = ({k for k in taken[0] if (0, k) not in single}, {k for k in taken[1] if (1, k) not in single})
        for group in self._mined_groups(scorer, src, tgt, quote, byline, held, mining, nextto):
            i0, i1, j0, j1, c = group
            rivals = {single[(0, k)] for k in range(i0, i1) if (0, k) in single} | \
                     {single[(1, k)] for k in range(j0, j1) if (1, k) in single}
            if rivals & dropped or any(c >= scorer.meaning_cost(runs[r][0][0], runs[r][0][0] + 1, runs[r][0][1],
                                                                 runs[r][0][1] + 1) for r in rivals):
                continue
            near = [r for r, run in enumerate(runs) if run and r not in rivals and r not in dropped and (
                (i0 - run[-1][0], j0 - run[-1][1]) == (1, 1) or (run[0][0] - i1, run[0][1] - j1) == (0, 0))]
            if near:  # right after a run's last pair or before its first: the same passage
                groups[near[0]].append(group)
                dropped |= rivals
        return [self._aligned_run(sentences, scorer, xs, ys, run, anchors, fixed)
                for r, (run, fixed) in enumerate(zip(runs, groups)) if r not in dropped]

    def _mined_groups(self, scorer: PairScorer, src, tgt, quote, byline, taken, mining: bool, nextto
                      ) -> list[tuple[int, int, int, int, float]]:
        """Two-to-one and one-to-two groups mined like pairs, among the sentences not ``taken``
        (held by no mined pair but one that makes a run alone, see :meth:`_runs`): two
        sentences that follow each other in the text (of one text or quote, no byline) against
        one, where each is the other's cheapest of its kind, the group costs
        less than each of its one-to-one pairs, it passes the margin (its own distractors:
        two sentences' summed vector is nearer much than one's) and the numbers of either side
        are carried to the other (:func:`_numbers_carried`).
        A thread's second and third posts translated as one sentence: neither post alone is
        near the joined translation, both together are. Costs here are by meaning, as the
        margin's distractors are (no length penalty): the length ratio of a page's sentences
        (short posts, an article's long sentences) is no guide to a translation that joins two
        posts, and charged the true group twice its meaning's cost, more than a shorter
        unrelated sentence beside it."""
        found: list[tuple[int, int, int, int, float]] = []
        if not mining:
            return found
        for flip in (False, True):
            n, m = (len(tgt), len(src)) if flip else (len(src), len(tgt))
            two_side, one_side = (1, 0) if flip else (0, 1)
            free_one = np.array([k not in taken[one_side] and not byline[one_side][k] for k in range(m)])
            starts = [i for i in range(n - 1) if all(k not in taken[two_side] and not byline[two_side][k]
                                                      for k in (i, i + 1))
                      and quote[two_side][i] == quote[two_side][i + 1] and nextto[two_side][i]]
            if not starts or not free_one.any():
                continue
            js, st = np.arange(m), np.array(starts)
            if flip:  # one source sentence against two target sentences: a source row at a time
                costs = np.stack([scorer.meaning_row(j, j + 1, st, st + 2) for j in range(m)]).T
            else:
                costs = np.stack([scorer.meaning_row(i, i + 2, js, js + 1) for i in starts])
            costs = np.where(free_one[None, :], costs, np.inf)
            for r, i in enumerate(starts):
                j = int(costs[r].argmin())
                c = float(costs[r, j])
                if not np.isfinite(c) or int(costs[:, j].argmin()) != r:
                    continue
                # the one-to-one pairs it must beat: those that could be a translation at all
                singles = [scorer.meaning_cost(j, j + 1, k, k + 1) if flip else scorer.meaning_cost(k, k + 1, j, j + 1)
                           for k in (i, i + 1)
                           if _numbers_agree((tgt if flip else src)[k], (src if flip else tgt)[j])] or [np.inf]
                bar = scorer.margin_bar(j, j + 1, i, i + 2) if flip else scorer.margin_bar(i, i + 2, j, j + 1)
                if c >= min(singles) or c >= bar:
                    continue
                two, one = " ".join((tgt if flip else src)[i:i + 2]), (src if flip else tgt)[j]
                if not (self._pairable(one, two) if flip else self._pairable(two, one)) \
                        or not _numbers_carried(two, one):
                    continue
                found.append((j, j + 1, i, i + 2, c) if flip else (i, i + 2, j, j + 1, c))
                taken[two_side].update((i, i + 1))
                taken[one_side].add(j)
        return found

    def _with_merged_ends(self, run, scorer: PairScorer, src, tgt, quote, byline, taken, margin, nextto,
                          lone: dict, dropped: set[int], threshold: float) -> list:
        """The run with the sentence just after its last pair (or before its first) on one
        side, where it passes the margin against the pair's other side on its own (or the
        pair grown by it passes as a mined group must, :func:`_group_passes`, also a pair taken
        in on its neighbours' strength: "2/ As long as you're not eighteen…" passes no margin
        against a translation that joins it to "3/ Ask somebody else.", the two posts do),
        the grown pair is nearer the other side than the pair (by meaning, or by its whole cost,
        length included, where it still means its other side more than ``threshold``, the
        quantile of random pairs), and the run's alignment puts it into one group with that pair:
        two posts of a thread merged into one translated sentence ("2/ … and we agreed …" for
        "2/ …" and "3/ …"), a two-to-one group that no one-to-one pair is mined for. The group
        grows again while a sentence passes, up to the search's group size: an article's long
        sentence cut into three by its translation (the small encoder puts it no nearer two of
        the three by meaning alone; their lengths add up). Only a sentence no mined pair holds,
        of the same text or quote, no byline, with nothing but white space between it and the
        pair's (a headline is not grown by the sentence under its time line), or one that a run
        of one pair holds (``lone``: (side, sentence) → (run, pair)) where the grown pair means
        more of its other side than that pair: the run is then ``dropped`` (the third post of a
        thread paired with a far look-alike, "3/ We also agreed to meet again in Baku next spring." /
        "Окончательное решение будет принято на заседании кабинета в декабре.")."""
        for end, step in ((-1, 1), (0, -1)):
            i, j, c = run[end]
            rows, cols = [i], [j]
            grew = True
            while grew and len(rows) + len(cols) < self.align_settings.max_group_total:
                grew = False
                corner = (rows[-1], cols[-1]) if step > 0 else (rows[0], cols[0])  # the group's end
                for di, dj in ((step, 0), (0, step)):
                    a, b = corner[0] + di, corner[1] + dj  # the run's new end: the group grown by a or b
                    side, k = (0, a) if di else (1, b)
                    if not (0 <= a < len(src) and 0 <= b < len(tgt)) or byline[side][k] \
                            or quote[side][k] != quote[side][i if di else j] \
                            or not nextto[side][min(k, corner[side])]:
                        continue
                    rival = lone.get((side, k)) if k in taken[side] else None
                    if k in taken[side] and (rival is None or rival[0] in dropped):
                        continue
                    grown_rows, grown_cols = sorted({*rows, a}), sorted({*cols, b})
                    pair = (a, j) if di else (i, b)
                    now = (rows[0], rows[-1] + 1, cols[0], cols[-1] + 1)
                    then = (grown_rows[0], grown_rows[-1] + 1, grown_cols[0], grown_cols[-1] + 1)
                    grown = scorer.meaning_cost(*then)
                    if grown >= scorer.meaning_cost(*now) and (scorer.cost(*then) >= scorer.cost(*now)
                                                               or grown >= threshold):
                        continue  # the pair grown by it is no nearer its other side than the pair
                    if rival is not None and grown >= scorer.meaning_cost(rival[1][0], rival[1][0] + 1, rival[1][1],
                                                                         rival[1][1] + 1):
                        continue
                    if not (margin(*pair, scorer.cost(pair[0], pair[0] + 1, pair[1], pair[1] + 1))
                            or _group_passes(scorer, grown_rows, grown_cols, scorer.cost(*now), side, k)):
                        continue
                    if not self._pairable(" ".join(src[then[0]:then[1]]), " ".join(tgt[then[2]:then[3]])):
                        continue
                    extended = run + [(a, b, c)] if step > 0 else [(a, b, c)] + run
                    i0, i1 = extended[0][0], extended[-1][0] + 1
                    j0, j1 = extended[0][1], extended[-1][1] + 1
                    found = align([""] * (i1 - i0), [""] * (j1 - j0), _SubScorer(scorer, i0, j0, i1 - i0, j1 - j0),
                                  self.align_settings, prepared=True)
                    if any({r - i0 for r in grown_rows} <= set(g.src) and {q - j0 for q in grown_cols} <= set(g.tgt)
                           for g in found):
                        run = extended
                        rows, cols = grown_rows, grown_cols
                        taken[side].add(k)
                        if rival is not None:
                            dropped.add(rival[0])
                        grew = True
                        break
        return run

    def _pairable(self, a: str, b: str) -> bool:
        return _enough_words(a, b, self.config.passages.min_pair_words) and _numbers_agree(a, b) \
            and _shapes_agree(a, b)

    def _aligned_run(self, sentences, scorer: PairScorer, xs, ys, run, anchors: set[tuple[int, int]],
                     fixed: Sequence[tuple[int, int, int, int, float]] = ()) -> _Run:
        """A run's pairs: its window aligned sentence by sentence, and its ``fixed`` mined
        groups as they are."""
        groups: list[tuple[int, int, int, int, float]] = []
        if run:
            i0, i1 = run[0][0], run[-1][0] + 1
            j0, j1 = run[0][1], run[-1][1] + 1
            if i1 - i0 == 1 and j1 - j0 == 1:
                groups = [(i0, i1, j0, j1, max(0.0, 1.0 - run[0][2]))]
            else:
                sub = _SubScorer(scorer, i0, j0, i1 - i0, j1 - j0)
                found = align([""] * (i1 - i0), [""] * (j1 - j0), sub, self.align_settings, prepared=True)
                groups = [(i0 + g.src[0], i0 + g.src[-1] + 1, j0 + g.tgt[0], j0 + g.tgt[-1] + 1, g.score)
                          for g in found if g.src and g.tgt]
        groups += [(a0, a1, b0, b1, max(0.0, 1.0 - c)) for a0, a1, b0, b1, c in fixed]
        pairs = []
        for a0, a1, b0, b1, score in groups:
            s0, s1 = sentences[xs[a0]], sentences[xs[a1 - 1]]
            t0, t1 = sentences[ys[b0]], sentences[ys[b1 - 1]]
            pairs.append(SentencePair(Span(s0.lang, s0.start, s1.end), Span(t0.lang, t0.start, t1.end), score))
        spans = [(run[0][0], run[-1][0] + 1, run[0][1], run[-1][1] + 1)] if run else []
        spans += [g[:4] for g in fixed]
        first_i, last_i = min(g[0] for g in spans), max(g[1] for g in spans) - 1
        first_j, last_j = min(g[2] for g in spans), max(g[3] for g in spans) - 1
        members = {sentences[xs[first_i]].lang: (xs[first_i], xs[last_i]),
                   sentences[ys[first_j]].lang: (ys[first_j], ys[last_j])}
        # a pair that passed on its own scores as the group the alignment puts it in (a post's
        # first sentence grown by its second into the one sentence that renders both)
        own = [score for a0, a1, b0, b1, score in groups
               if any(a0 <= i < a1 and b0 <= j < b1 for i, j, _ in run if (i, j) in anchors)]
        own += [max(0.0, 1.0 - g[4]) for g in fixed]
        return _Run(members, pairs, float(np.mean([p.score for p in pairs])) if pairs else 0.0,
                    float(np.mean(own)) if own else 0.0)

    def _passages(self, text: str, sentences: list[_Sentence], runs: list[_Run]) -> list[Passage]:
        """Join runs that share a sentence; one span per language, from its first to last sentence.

        A run too weak to make a passage alone (its own pairs under ``passages.min_score``)
        joins one only where a strong run holds a sentence of each of its sides (the third side
        of a triangle: az–ru beside az–en and en–ru); a weak pair that merely shares a sentence
        with a strong pair (a metro headline with the football headline's Russian) is dropped.
        A passage of one pair must stand apart (``passages.lone_pairs``, :func:`_stands_apart`)."""
        least = self.config.passages.min_score
        strong = [run for run in runs if run.anchor_score >= least]
        parent = list(range(len(strong)))

        def root(k: int) -> int:
            while parent[k] != k:
                parent[k] = parent[parent[k]]
                k = parent[k]
            return k

        owner: dict[int, int] = {}
        for r, run in enumerate(strong):
            for first, last in run.members.values():
                for k in range(first, last + 1):
                    if k in owner:
                        parent[root(r)] = root(owner[k])
                    owner[k] = r
        components: dict[int, list[_Run]] = {}
        for r, run in enumerate(strong):
            components.setdefault(root(r), []).append(run)
        for run in runs:
            if run.anchor_score >= least:
                continue
            held = [{root(owner[k]) for k in range(first, last + 1) if k in owner} for first, last in run.members.values()]
            shared = set.intersection(*held) if held else set()
            if shared:
                components[min(shared)].append(run)
        passages = []
        for group in components.values():
            spans: dict[str, list[int]] = {}
            for run in group:
                for lang, (first, last) in run.members.items():
                    lo, hi = spans.get(lang, [first, last])
                    spans[lang] = [min(lo, first), max(hi, last)]
            score = float(np.mean([run.score for run in group]))
            if np.mean([run.anchor_score for run in group]) < least:
                continue
            members = sorted((Span(lang, sentences[lo].start, sentences[hi].end) for lang, (lo, hi) in spans.items()),
                             key=lambda s: s.start)
            pairs = sorted((p for run in group for p in run.pairs), key=lambda p: (p.src.start, p.tgt.start))
            if len(pairs) == 1 and self.config.passages.lone_pairs == "never":
                continue
            if len(pairs) == 1 and self.config.passages.lone_pairs == "own-line" \
                    and not _stands_apart(text, pairs[0], sentences, self.config.passages.min_pair_words):
                continue
            passages.append(Passage(members, score, pairs))
        return sorted(passages, key=lambda p: p.members[0].start)


class _SubScorer(PairScorer):
    """A window ``[i0, i0+n) × [j0, j0+m)`` of a prepared scorer, for aligning one run."""

    def __init__(self, scorer: PairScorer, i0: int, j0: int, n: int, m: int):
        self.scorer, self.i0, self.j0, self.n, self.m = scorer, i0, j0, n, m

    def sizes(self) -> tuple[int, int]:
        return self.n, self.m

    def cost(self, i0: int, i1: int, j0: int, j1: int) -> float:
        return self.scorer.cost(self.i0 + i0, self.i0 + i1, self.j0 + j0, self.j0 + j1)

    def cost_row(self, i0: int, i1: int, j0s: np.ndarray, j1s: np.ndarray) -> np.ndarray:
        return _cost_row(self.scorer, self.i0 + i0, self.i0 + i1, self.j0 + j0s, self.j0 + j1s)

    def skip_cost(self, quantile: float) -> float:
        return self.scorer.skip_cost(quantile)

    def weight(self, a: int, b: int) -> float:
        return self.scorer.weight(a, b)

    def group_score(self, i0: int, i1: int, j0: int, j1: int, cost: float) -> float:
        return self.scorer.group_score(self.i0 + i0, self.i0 + i1, self.j0 + j0, self.j0 + j1, cost)


def _group_passes(scorer: PairScorer, rows: list[int], cols: list[int], pair_cost: float, side: int,
                  added: int) -> bool:
    """Whether a pair grown by the sentence ``added`` on ``side`` (``rows`` against ``cols``)
    costs less than the pair alone, beats the margin of its own distractors, as a mined group
    must (:meth:`PassageFinder._mined_groups`), and the added sentence beats its margin
    against the other side by meaning, its shorter length not held against it: a short post
    is far from a translation that joins it to a longer one by length, not by meaning."""
    bar = scorer.margin_bar(rows[0], rows[-1] + 1, cols[0], cols[-1] + 1)
    if bar is None:
        return False
    one = cols[0] if side == 0 else rows[0]
    alone = (added, added + 1, one, one + 1) if side == 0 else (one, one + 1, added, added + 1)
    cost = scorer.cost(rows[0], rows[-1] + 1, cols[0], cols[-1] + 1)
    return cost < pair_cost and cost < bar and scorer.meaning_cost(*alone) < scorer.margin_bar(*alone)


def _numbers_clash(src: list[set[str]], tgt: list[set[str]]) -> np.ndarray:
    """For every 1–1 pair, whether both sides have numbers and share none (no translation, see
    :func:`_numbers_agree`)."""
    clash = np.zeros((len(src), len(tgt)), dtype=bool)
    with_numbers = [j for j, b in enumerate(tgt) if b]
    for i, a in enumerate(src):
        if a:
            for j in with_numbers:
                clash[i, j] = not (a & tgt[j])
    return clash


def _mutual_best(scorer: PairScorer, n: int, m: int, barred: np.ndarray | None = None) -> list[tuple[int, int, float]]:
    """1–1 pairs that are each other's cheapest, found a block of rows at a time; a ``barred``
    pair (numbers that clash: "3/" against "2/") is no one's cheapest, so it does not keep
    the pairs it would have beaten from being mutual best."""
    row_best = np.zeros(n, dtype=np.int64)
    row_cost = np.zeros(n)
    col_best = np.zeros(m, dtype=np.int64)
    col_cost = np.full(m, np.inf)
    js = np.arange(m)
    for start in range(0, n, ROW_CHUNK):
        budget.check()
        rows = range(start, min(n, start + ROW_CHUNK))
        unit = getattr(scorer, "unit_costs", None)
        block = unit(np.arange(rows.start, rows.stop)) if unit else \
            np.stack([_cost_row(scorer, i, i + 1, js, js + 1) for i in rows])
        if barred is not None:
            block = np.where(barred[rows.start:rows.stop], np.inf, block)
        row_best[start:start + len(rows)] = block.argmin(axis=1)
        row_cost[start:start + len(rows)] = block.min(axis=1)
        better = block.min(axis=0) < col_cost
        col_cost = np.where(better, block.min(axis=0), col_cost)
        col_best = np.where(better, start + block.argmin(axis=0), col_best)
    return [(i, int(row_best[i]), float(row_cost[i])) for i in range(n) if col_best[row_best[i]] == i]


def _with_neighbours(mined: list[tuple[int, int, float]], anchors: set[tuple[int, int]],
                     quote: tuple[list[int], list[int]], unrelated: np.ndarray | None = None
                     ) -> list[tuple[int, int, float]]:
    """The mined pairs that pass the margin (``anchors``), and those next to one on both sides (the
    sentence before or after on each, of the same text or quote) that cost less than unrelated
    text: where ``unrelated`` is given (one flag a mined pair), those it does not flag, else
    those under 1 (the scorer's normalisation). A pair found beside a translation is evidence
    the margin alone lacks: the second sentence of a translated post is most often the
    translation of the post's second sentence, even where a short sentence's encoding is too
    weak to beat its distractors."""
    kept = set(anchors)
    flags = unrelated if unrelated is not None else [c >= 1.0 for _, _, c in mined]
    waiting = {(i, j): c for (i, j, c), far in zip(mined, flags) if (i, j) not in anchors and not far}
    grew = True
    while grew and waiting:
        grew = False
        for (i, j) in list(waiting):
            for di in (-1, 1):
                a, b = i + di, j + di
                if (a, b) in kept and quote[0][a] == quote[0][i] and quote[1][b] == quote[1][j]:
                    kept.add((i, j))
                    del waiting[(i, j)]
                    grew = True
                    break
    return [(i, j, c) for i, j, c in mined if (i, j) in kept]


def _without_repeats(text: str, sentences: list[_Sentence]) -> tuple[list[_Sentence], dict[int, list[_Sentence]]]:
    """The sentences with each one printed again word for word (same language, same text, not
    inside a quote) left out, and the later occurrences of each kept one, by its index."""
    first: dict[tuple[str, str], int] = {}
    kept: list[_Sentence] = []
    repeats: dict[int, list[_Sentence]] = {}
    for sentence in sentences:
        key = (sentence.lang, " ".join(text[sentence.start:sentence.end].split()))
        if sentence.quote < 0 and key in first:
            repeats.setdefault(first[key], []).append(sentence)
            continue
        if sentence.quote < 0:
            first[key] = len(kept)
        kept.append(sentence)
    return kept, repeats


def _with_repeats(passages: list[Passage], sentences: list[_Sentence],
                  repeats: dict[int, list[_Sentence]]) -> list[Passage]:
    """Each pair whose side is one sentence with later occurrences, given again for each."""
    if not repeats:
        return passages
    at = {(s.start, s.end): k for k, s in enumerate(sentences)}
    for passage in passages:
        extra = []
        for pair in passage.pairs:
            for side in ("src", "tgt"):
                span = getattr(pair, side)
                for again in repeats.get(at.get((span.start, span.end), -1), []):
                    moved = Span(span.lang, again.start, again.end)
                    extra.append(SentencePair(moved, pair.tgt, pair.score) if side == "src"
                                 else SentencePair(pair.src, moved, pair.score))
        passage.pairs = sorted(passage.pairs + extra, key=lambda p: (p.src.start, p.tgt.start))
    return passages


def _with_quotes(text: str, sentence: _Sentence) -> list[_Sentence]:
    """A sentence and the sentences of the quotes inside it ("He wrote: «…»"), each quote's
    sentences marked with the quote's start. Where its quotes hold most of its letters
    ("«…», — he wrote."), the sentence itself is left out: it would compete with its own quote
    for the same translation, and the encoder finds a longer text near much."""
    inner = text[sentence.start:sentence.end]
    quotes = [(sentence.start + a, inner[a:b]) for a, b in quotations(inner) if 3 <= b - a < len(inner) - 1]
    parts = [_Sentence(q + a, q + b, sentence.lang, quote=q, byline=sentence.byline, unit=(q, q + len(body)))
             for q, body in quotes for a, b in split_sentences(body)]
    quoted = sum(letter_count(body) for _, body in quotes)
    if parts and quoted == letter_count(inner):
        # nothing but a quotation ('"Are you asking me out?"', '- "Well... yes!"'): a sentence
        # of the text that stands in quotes, its neighbours the text's
        return [_Sentence(p.start, p.end, p.lang, byline=p.byline, unit=p.unit) for p in parts]
    return parts if parts and 2 * quoted > letter_count(inner) else [sentence] + parts


def _line_around(text: str, start: int, end: int) -> tuple[int, int]:
    """The line (or lines) that ``text[start:end]`` lies on, without the line breaks."""
    last = text.find("\n", end)
    return text.rfind("\n", 0, start) + 1, len(text) if last < 0 else last


def _stands_apart(text: str, pair: SentencePair, sentences: list[_Sentence], least_words: int) -> bool:
    """Whether a pair with nothing beside it translated is where translations stand alone:
    each side its line or quotation but for fewer than ``least_words`` words (what a pair
    needs: a headline, a caption, a post quoted on its own line, a headline with an agency's
    name after it), or the two sides side by side in one line, no letters between them ("Əziz
    Bakı sakini! (Dear resident of Baku!)"). A sentence inside a paragraph that matches one
    inside another paragraph, and nothing around either, is more often a look-alike ("Are you
    Russian?" / "Вы итальянец?") than a translation; so is the first sentence of a line right
    under a line it matches, its line going on ("Ты уверен, что здесь больше никого нет?" above
    "Are you sure you don't want anything? How was New York?"): one line ending and the next
    beginning are no side by side. A turn of a dialogue (a quotation with another quotation on
    its line: '"Ты вегетарианка?" - "Нет, а Вы?"') stands apart only against a turn of a
    dialogue: a dialogue translates into one."""
    first, second = sorted((pair.src, pair.tgt), key=lambda span: span.start)
    by_start = {s.start: s for s in sentences}
    by_end = {s.end: s for s in sentences}
    heads = [by_start.get(span.start) for span in (pair.src, pair.tgt)]
    turns = [head is not None and _is_turn(text, head, sentences) for head in heads]
    if turns[0] != turns[1]:
        return False

    def around(s: _Sentence) -> tuple[int, int]:
        return s.unit or _line_around(text, s.start, s.end)

    between = text[first.end:second.start]
    if not letter_count(between) and "\n" not in between:  # side by side in one line
        return True
    for span in (pair.src, pair.tgt):
        head, tail = by_start.get(span.start), by_end.get(span.end)
        if head is None or tail is None:
            return False
        lo = min(around(head)[0], span.start)
        hi = max(around(tail)[1], span.end)
        rest = f"{text[lo:span.start]} {text[span.end:hi]}"
        if len(_WORD.findall(mask_links(rest))) >= least_words:
            return False
    return True


#: the end of a quotation that is said: a sentence's end or a comma
_SAID = re.compile(r"[.!?…,]\s*$")
#: what a said quotation's opening mark follows: its line's start, a dash, a colon or a quotation
_SAID_AFTER = re.compile(r"(?:^|[-–—:\"»”“'])\s*$", re.MULTILINE)


def _is_turn(text: str, sentence: _Sentence, sentences: list[_Sentence]) -> bool:
    """Whether a quoted sentence is a turn of a dialogue: another quotation on its line, apart
    from its own (neither inside the other), that is said, not named: it ends as a sentence or
    with a comma ('"Нет, а ты?"', '"Well," he said'), or it opens its line or follows a dash, a
    colon or another quotation ('- "Не очень".'), where a quoted name or title does neither
    ('выставка "Caspian Oil & Gas".', 'проект "Shah Deniz 2"')."""
    if sentence.unit is None:
        return False
    (a, b), line = sentence.unit, _line_around(text, sentence.start, sentence.end)
    return any(o.unit is not None and (o.unit[1] <= a or o.unit[0] >= b) and line[0] <= o.unit[0] < line[1]
               and (_SAID.search(text, o.unit[0], o.unit[1]) or _SAID_AFTER.search(text, line[0], o.unit[0] - 1))
               for o in sentences)


def _numbers_of(text: str) -> set[float]:
    """What the numbers in digits of a text, outside its links, may say, as the quality verdict
    reads them (:mod:`..numbers`: "5 000", "5,000" and "5000" say the same, so do "1,5 млн" and
    "1.5 million")."""
    return {value for number in numbers_in(mask_links(text)) if number.required for value in number.values}


def _numbers_agree(a: str, b: str) -> bool:
    """A translation keeps its numbers: where both sides have some (outside links), they share
    one. "5 people died" is no translation of "12 nəfər həlak olub", however alike the rest."""
    numbers = _numbers_of(a), _numbers_of(b)
    return not (numbers[0] and numbers[1]) or bool(numbers[0] & numbers[1])


def _numbers_carried(a: str, b: str) -> bool:
    """Stricter than :func:`_numbers_agree`, for mined groups (two sentences' summed vector is
    near much, and weaker evidence than one's): where either side has numbers, the other
    shares one. "3/ Photos from the meeting…" is no translation of two unnumbered sentences."""
    numbers = _numbers_of(a), _numbers_of(b)
    return not (numbers[0] or numbers[1]) or bool(numbers[0] & numbers[1])


def _shapes_agree(a: str, b: str) -> bool:
    """A translation keeps its shape: a labelled list ("Tags: politics, economy") translates
    into a labelled list, never into a menu item or a sentence."""
    return bool(_LIST.fullmatch(a)) == bool(_LIST.fullmatch(b))


def _enough_words(a: str, b: str, least: int) -> bool:
    """Menu items and labels ("Home", "Follow us") are one or two words in every language and
    end without a full stop; a pair needs ``least`` words on its longer side and two on the
    shorter, unless both sides end as sentences do ("Ask Alex." / "Спросите у Алекса."). The
    words of links do not count: the same link in two editions is no translation."""
    counts = sorted((len(_WORD.findall(mask_links(a))), len(_WORD.findall(mask_links(b)))))
    if counts[0] >= 1 and ENDS_AS_SENTENCE.search(a) and ENDS_AS_SENTENCE.search(b):
        return True
    return counts[0] >= 2 and counts[1] >= least
