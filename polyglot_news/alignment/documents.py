"""Align two documents that translate each other, sentence by sentence (the API behind ``align-docs``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

from ..config import AlignmentConfig, load_config
from ..langid import make_detector
from ..sentences import sentence_texts, unwrap
from ..types import AlignedGroup
from .encoders import Encoder
from .encoding import encoder_from_config
from .passages import background_by_language
from .scoring import AnchorScorer, EmbeddingScorer, MarginScorer, NumberAnchors, PairScorer
from .sentalign import align, join_lone


@dataclass
class DocumentAlignment:
    """Sentences of both sides, their languages and the groups that align them."""

    src: list[str]
    tgt: list[str]
    src_lang: str
    tgt_lang: str
    groups: list[AlignedGroup]
    settings: dict[str, Any]

    def pairs(self) -> list[tuple[str, str, float, dict | None]]:
        """Text pairs of the groups with sentences on both sides (for TSV, TMX, Moses)."""
        return group_texts(self.src, self.tgt, self.groups)


def group_texts(src: Sequence[str], tgt: Sequence[str],
                groups: Sequence[AlignedGroup]) -> list[tuple[str, str, float, dict | None]]:
    """(source text, target text, score, quality) of each group with sentences on both sides,
    a side's sentences joined by spaces (``quality``: the group's verdict where scored)."""
    return [(" ".join(src[i] for i in g.src), " ".join(tgt[j] for j in g.tgt), g.score, g.quality)
            for g in groups if g.src and g.tgt]


def align_documents(src: str | list[str], tgt: str | list[str], config: Any = None, sentence_per_line: bool = False,
                    src_lang: str | None = None, tgt_lang: str | None = None,
                    progress: bool = False) -> DocumentAlignment:
    """Align two documents (texts, or lists of sentences when ``sentence_per_line``).
    ``progress``: a bar with an ETA on standard error while the sentences are encoded."""
    cfg = load_config(config)
    # a text is split line by line: a caption or a headline never joins the next line's sentence,
    # unless the config says the lines are wrapped (alignment.documents.wrapped)
    wrapped = cfg.alignment.documents.wrapped
    src_sents = src if isinstance(src, list) else sentence_texts(unwrap(src) if wrapped else src)
    tgt_sents = tgt if isinstance(tgt, list) else sentence_texts(unwrap(tgt) if wrapped else tgt)
    ac = cfg.alignment
    detector = None
    if not (src_lang and tgt_lang):
        detector = make_detector(cfg.segmentation.backend, cfg.languages, **cfg.segmentation.detector_options())
    src_lang = src_lang or detector.detect(" ".join(src_sents[:50]))[0]
    tgt_lang = tgt_lang or detector.detect(" ".join(tgt_sents[:50]))[0]
    encoder = document_encoder(ac)
    bar = None
    if progress and encoder is not None:
        import sys

        from tqdm import tqdm

        from .encoders import ProgressEncoder

        # both documents and the bundled sentences that calibrate the costs (joined groups, with
        # scoring margin, add more than the bar knows of)
        calibration = sum(len(v) for v in background_by_language().values())
        bar = tqdm(total=len(src_sents) + len(tgt_sents) + calibration, desc="encoding", unit="sentence",
                   file=sys.stderr, dynamic_ncols=True)
        encoder = ProgressEncoder(encoder, bar)
    settings = ac.search
    # blank lines (paragraph breaks in a sentence-per-line file) have no counterpart: each is
    # a group of its own, and the sentences around it are aligned as if it were not there
    src_keep = [i for i, t in enumerate(src_sents) if t.strip()]
    tgt_keep = [j for j, t in enumerate(tgt_sents) if t.strip()]
    src_text, tgt_text = [src_sents[i] for i in src_keep], [tgt_sents[j] for j in tgt_keep]
    scorer = document_scorer(encoder, src_text, tgt_text, src_lang, tgt_lang, ac)
    if bar is not None:
        bar.close()
    groups = align_sentences(src_text, tgt_text, scorer, ac)
    groups = _with_blank_lines(groups, src_keep, tgt_keep, len(src_sents), len(tgt_sents))
    return DocumentAlignment(src_sents, tgt_sents, src_lang, tgt_lang, groups,
                             {**scorer.settings(), **settings.model_dump(), "number_penalty": ac.documents.number_penalty,
                              "lone_sentences": ac.documents.lone_sentences})


def align_sentences(src: list[str], tgt: list[str], scorer: PairScorer, config: AlignmentConfig) -> list[AlignedGroup]:
    """What :func:`align_documents` does once ``scorer`` is prepared for the two sentence lists
    (:func:`document_scorer`): the search, then its lone sentences joined to a neighbouring group
    where they translate part of its other side (``documents.lone_sentences``,
    :func:`.sentalign.join_lone`)."""
    groups = align(src, tgt, scorer, config.search, prepared=True)
    if config.documents.lone_sentences == "join":
        groups = join_lone(groups, scorer, config.search)
    return groups


def document_encoder(config: AlignmentConfig) -> Encoder | None:
    """The encoder that :func:`align_documents` encodes both documents with: the configured one,
    on its side for documents (``query`` under ``side: auto``, the side e5's model card names for
    bitext mining)."""
    return encoder_from_config(config.encoder.for_task("documents"))


def document_scorer(encoder: Encoder | None, src: list[str], tgt: list[str], src_lang: str, tgt_lang: str,
                    config: AlignmentConfig) -> PairScorer:
    """The group cost that :func:`align_documents` aligns with, prepared for two sentence lists:
    with an encoder, Bertalign's margin or Vecalign's distance (``config.documents.scoring``)
    over embeddings normalised by random sentences (topped up with the bundled background in
    each side's language), groups as joined or summed sentences (``documents.group_vectors``),
    and the numbers of both sides weighed beside it (``documents.number_penalty``); without
    one, anchors."""
    docs = config.documents
    if encoder is None:
        scorer: PairScorer = AnchorScorer()
        scorer.prepare(src, tgt)
        return scorer
    if docs.scoring == "margin":
        scorer = MarginScorer(encoder, background_by_language(), config.search.samples,
                              group_vectors=docs.group_vectors, skip=docs.margin_skip)
    else:
        scorer = EmbeddingScorer(encoder, background_by_language(), config.search.samples,
                                 group_vectors=docs.group_vectors)
    scorer.prepare(src, tgt, (src_lang, tgt_lang))
    scorer.anchors = NumberAnchors.of(src, tgt, docs.number_penalty)
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


