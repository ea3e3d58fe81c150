"""Find parallel passages inside one document: segments in different languages that translate
each other, grouped (2 or 3 languages, one segment per language) and aligned sentence by sentence.

Every pair of segments in different languages is sentence-aligned (:mod:`.sentalign`). The
pair's score is the share of its sentences that land in a good group, weighted by group
quality, so a two-sentence notice and its translation score near 1 while an article against
an unrelated notice scores near 0. Pairs above ``min_score`` are joined greedily, best first,
into passages with at most one segment per language.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib.resources import files
from itertools import combinations
from typing import Any, Sequence

import numpy as np

from ..sentences import split_sentences
from ..types import Passage, Segment, SentencePair, Span
from .encoders import Encoder, make_encoder
from .scoring import AnchorScorer, EmbeddingScorer, PairScorer, TranslationScorer
from ..config import AlignSettings
from .sentalign import align


def background_sentences() -> list[str]:
    """Bundled sentences (Tatoeba, CC BY 2.0 FR) that calibrate similarity for short inputs."""
    text = files("polyglot_news").joinpath("data/background.txt").read_text(encoding="utf-8")
    return [line for line in text.splitlines() if line and not line.startswith("#")]


@dataclass
class _Unit:
    index: int
    segment: Segment
    sentences: list[tuple[int, int]]  # document offsets

    def texts(self, text: str) -> list[str]:
        return [text[s:e] for s, e in self.sentences]


class PassageFinder:
    """Finds parallel passages among a document's segments."""

    def __init__(self, encoder: Encoder | None, languages: Sequence[str] = ("en", "az", "ru"),
                 min_score: float = 0.3, settings: AlignSettings | None = None, to_english=None):
        """``to_english(sentences, lang)``, used when there is no encoder, gives English for
        sentences (the translation stage's output); without either, anchors are compared."""
        self.encoder = encoder
        self.to_english = to_english
        self.languages = tuple(languages)
        self.min_score = min_score
        self.align_settings = settings or AlignSettings()
        self._scorer: PairScorer = (EmbeddingScorer(encoder, background_sentences(), self.align_settings.samples)
                                    if encoder else AnchorScorer())

    @classmethod
    def from_config(cls, config: Any = None, to_english=None) -> "PassageFinder":
        from ..config import load_config

        cfg = load_config(config)
        ac = cfg.alignment
        encoder = make_encoder(ac.encoder.backend, ac.encoder.model, ac.encoder.batch_size)
        return cls(encoder, cfg.languages, ac.min_passage_score, ac.align_settings(), to_english)

    def settings(self) -> dict[str, Any]:
        scorer = self._scorer.settings() if self.encoder or not self.to_english else TranslationScorer.settings()
        return {**scorer, "min_score": self.min_score, **self.align_settings.model_dump()}

    def find(self, text: str, segments: Sequence[Segment]) -> list[Passage]:
        units = [
            _Unit(i, seg, [(seg.start + s, seg.start + e) for s, e in split_sentences(seg.text)])
            for i, seg in enumerate(segments) if seg.lang in self.languages
        ]
        units = [u for u in units if u.sentences]
        if len(units) < 2:
            return []
        vectors = self._vectors(text, units)
        edges = []
        for a, b in combinations(units, 2):
            if a.segment.lang == b.segment.lang:
                continue
            score, pairs = self._score_pair(text, a, b, vectors)
            if score >= self.min_score:
                edges.append((score, a.index, b.index, pairs))
        return self._group(edges, {u.index: u for u in units})

    def _vectors(self, text: str, units: list[_Unit]) -> dict[int, np.ndarray] | None:
        if self.encoder is None:
            return None
        all_texts = [t for u in units for t in u.texts(text)]
        mat = self.encoder.encode(all_texts)
        out, pos = {}, 0
        for u in units:
            out[u.index] = mat[pos:pos + len(u.sentences)]
            pos += len(u.sentences)
        return out

    def _score_pair(self, text: str, a: _Unit, b: _Unit, vectors) -> tuple[float, list[SentencePair]]:
        src, tgt = a.texts(text), b.texts(text)
        scorer = self._scorer
        if vectors is not None:
            scorer.prepare_vectors(vectors[a.index], vectors[b.index])
        elif self.to_english is not None:
            scorer = TranslationScorer(self.to_english, a.segment.lang, b.segment.lang)
            scorer.prepare(src, tgt)
        else:
            scorer.prepare(src, tgt)
        groups = align(src, tgt, scorer, self.align_settings, prepared=True)
        total = len(src) + len(tgt)
        covered = sum(g.score * (len(g.src) + len(g.tgt)) for g in groups if g.src and g.tgt)
        pairs = [
            SentencePair(
                Span(a.segment.lang, a.sentences[g.src[0]][0], a.sentences[g.src[-1]][1]),
                Span(b.segment.lang, b.sentences[g.tgt[0]][0], b.sentences[g.tgt[-1]][1]),
                g.score,
            )
            for g in groups if g.src and g.tgt
        ]
        return covered / total, pairs

    def _group(self, edges, units: dict[int, _Unit]) -> list[Passage]:
        """Greedy, best edge first: join components while no language appears twice."""
        component = {i: {i} for i in units}
        accepted: dict[frozenset, list] = {}
        for score, i, j, pairs in sorted(edges, key=lambda e: -e[0]):
            ci, cj = component[i], component[j]
            if ci is cj:
                accepted.setdefault(frozenset(ci), []).append((score, pairs))
                continue
            langs_i = {units[k].segment.lang for k in ci}
            langs_j = {units[k].segment.lang for k in cj}
            if langs_i & langs_j:
                continue
            merged = ci | cj
            edges_before = accepted.pop(frozenset(ci), []) + accepted.pop(frozenset(cj), [])
            for k in merged:
                component[k] = merged
            accepted[frozenset(merged)] = edges_before + [(score, pairs)]
        passages = []
        for members, found in accepted.items():
            segs = sorted((units[k].segment for k in members), key=lambda s: s.start)
            passages.append(Passage(
                members=[Span(s.lang, s.start, s.end) for s in segs],
                score=float(np.mean([score for score, _ in found])),
                pairs=sorted((p for _, pairs in found for p in pairs), key=lambda p: (p.src.start, p.tgt.start)),
            ))
        return sorted(passages, key=lambda p: p.members[0].start)
