"""Align two documents that translate each other, sentence by sentence (the API behind ``align-docs``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

from ..config import AlignmentConfig, load_config
from ..langid import make_detector
from ..sentences import split_sentences
from ..types import AlignedGroup
from .encoders import Encoder, encoder_from_config
from .passages import background_by_language
from .scoring import AnchorScorer, EmbeddingScorer, MarginScorer, NumberAnchors, PairScorer
from .sentalign import align


@dataclass
class DocumentAlignment:
    """Sentences of both sides, their languages and the groups that align them."""

    src: list[str]
    tgt: list[str]
    src_lang: str
    tgt_lang: str
    groups: list[AlignedGroup]
    settings: dict[str, Any]

    def pairs(self) -> list[tuple[str, str, float]]:
        """Text pairs of the groups with sentences on both sides (for TSV, TMX, Moses)."""
        return group_texts(self.src, self.tgt, self.groups)


def group_texts(src: Sequence[str], tgt: Sequence[str], groups: Sequence[AlignedGroup]) -> list[tuple[str, str, float]]:
    """(source text, target text, score) of each group with sentences on both sides, a side's
    sentences joined by spaces."""
    return [(" ".join(src[i] for i in g.src), " ".join(tgt[j] for j in g.tgt), g.score)
            for g in groups if g.src and g.tgt]


def align_documents(src: str | list[str], tgt: str | list[str], config: Any = None, sentence_per_line: bool = False,
                    src_lang: str | None = None, tgt_lang: str | None = None) -> DocumentAlignment:
    """Align two documents (texts, or lists of sentences when ``sentence_per_line``)."""
    cfg = load_config(config)
    src_sents = src if isinstance(src, list) else _sentences(src)
    tgt_sents = tgt if isinstance(tgt, list) else _sentences(tgt)
    ac = cfg.alignment
    detector = None
    if not (src_lang and tgt_lang):
        detector = make_detector(cfg.segmentation.backend, cfg.languages, **cfg.segmentation.detector_options())
    src_lang = src_lang or detector.detect(" ".join(src_sents[:50]))[0]
    tgt_lang = tgt_lang or detector.detect(" ".join(tgt_sents[:50]))[0]
    encoder = document_encoder(ac)
    settings = ac.align_settings()
    # blank lines (paragraph breaks in a sentence-per-line file) have no counterpart: each is
    # a group of its own, and the sentences around it are aligned as if it were not there
    src_keep = [i for i, t in enumerate(src_sents) if t.strip()]
    tgt_keep = [j for j, t in enumerate(tgt_sents) if t.strip()]
    src_text, tgt_text = [src_sents[i] for i in src_keep], [tgt_sents[j] for j in tgt_keep]
    scorer = document_scorer(encoder, src_text, tgt_text, src_lang, tgt_lang, ac)
    groups = align(src_text, tgt_text, scorer, settings, prepared=True)
    groups = _with_blank_lines(groups, src_keep, tgt_keep, len(src_sents), len(tgt_sents))
    return DocumentAlignment(src_sents, tgt_sents, src_lang, tgt_lang, groups,
                             {**scorer.settings(), **settings.model_dump(), "number_penalty": ac.number_penalty})


def document_encoder(config: AlignmentConfig) -> Encoder | None:
    """The encoder that :func:`align_documents` encodes both documents with: the configured one,
    on e5's ``docs_side`` (``query``, the side e5's model card names for bitext mining)."""
    return encoder_from_config(config.encoder.model_copy(update={"side": config.docs_side}))


def document_scorer(encoder: Encoder | None, src: list[str], tgt: list[str], src_lang: str, tgt_lang: str,
                    config: AlignmentConfig) -> PairScorer:
    """The group cost that :func:`align_documents` aligns with, prepared for two sentence lists:
    with an encoder, Bertalign's margin or Vecalign's distance (``config.scoring``) over
    embeddings normalised by random sentences (topped up with the bundled background in each
    side's language), groups as joined or summed sentences (``config.group_vectors``), and the
    numbers of both sides weighed beside it (``config.number_penalty``); without one, anchors."""
    if encoder is None:
        scorer: PairScorer = AnchorScorer()
        scorer.prepare(src, tgt)
        return scorer
    if config.scoring == "margin":
        scorer = MarginScorer(encoder, background_by_language(), config.samples, group_vectors=config.group_vectors,
                              skip=config.margin_skip)
    else:
        scorer = EmbeddingScorer(encoder, background_by_language(), config.samples, group_vectors=config.group_vectors)
    scorer.prepare(src, tgt, (src_lang, tgt_lang))
    scorer.anchors = NumberAnchors.of(src, tgt, config.number_penalty)
    return scorer


def _with_blank_lines(groups: list[AlignedGroup], src_keep: list[int], tgt_keep: list[int], n: int,
                      m: int) -> list[AlignedGroup]:
    """Groups over the kept sentences, renumbered to the full lists, with a 1–0 or 0–1 group
    for each left-out (blank) one, in document order."""
    out: list[AlignedGroup] = []
    i = j = 0  # next sentence of each side not yet in a group

    def blanks_before(si: int, tj: int) -> None:
        nonlocal i, j
        while i < si:
            out.append(AlignedGroup([i], [], 0.0))
            i += 1
        while j < tj:
            out.append(AlignedGroup([], [j], 0.0))
            j += 1

    for g in groups:
        src, tgt = [src_keep[k] for k in g.src], [tgt_keep[k] for k in g.tgt]
        blanks_before(src[0] if src else i, tgt[0] if tgt else j)
        out.append(AlignedGroup(src, tgt, g.score))
        i, j = (src[-1] + 1 if src else i), (tgt[-1] + 1 if tgt else j)
    blanks_before(n, m)
    return out


def _sentences(text: str) -> list[str]:
    return [text[s:e] for s, e in split_sentences(text)]
