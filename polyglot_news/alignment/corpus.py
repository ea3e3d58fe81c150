"""Which documents of two or three collections translate each other (the az, en and ru editions
of a news site), then their sentences aligned: the method of bitext mining (Buck & Koehn's WMT
2016 document-alignment task; Artetxe & Schwenk's margin) on our encoder.

1. A document's vector is the normalised mean of its sentence vectors (one encoder pass over
   every sentence of the collection).
2. Candidates: each document's nearest documents in the other collection (``candidates`` of
   the config), both ways (:class:`NeighbourSearch`: exact blocks of matrix products, or faiss's
   inverted-file index for large collections).
3. A candidate's score is its ratio margin: its similarity (the coverage of its sentences, or
   the cosine of the mean vectors) over the mean similarity of both documents' ``k`` nearest
   candidates, so a pair scores by how much it stands out from each side's
   neighbourhood rather than by an absolute similarity that depends on the encoder and topic.
   Cheap features that news translations keep scale it (:func:`feature_factor`): the numbers
   and names they share (across scripts: Баку, Bakı, Baku), their length ratio against the
   collections' usual one, and publication dates when the documents carry them (metadata
   ``date``: too far apart, never a pair).
4. One-to-one assignment by competitive linking with verification: the best-scoring
   candidate first, each document used once; a candidate whose margin is not above 1 (no
   closer than an average neighbour) is never taken, and one that fails step 5 is turned
   away and leaves both its documents free for their next candidates.
5. The sentences of each candidate taken are aligned (:func:`.sentalign.align`, lengths
   weighed by the two collections' characters per sentence, not the pair's own: an abridged
   edition's would skew them); a pair whose
   sentences mostly fail to align is rejected: fewer than half of the shorter document's
   sentences (a quarter of the longer's) in a group that costs less than ``aligned_quantile``
   of the costs of random sentence pairs and beats the margin of its sentences' nearest
   background sentences (:func:`aligned_groups`). Counting every group would not do: the DP
   pairs unrelated sentences too, as two skips can cost more than one random pair.

With three collections, the one in English (else the first) is the pivot: each other collection
is matched to it, and a pivot document with counterparts in both gives a triple.
"""

from __future__ import annotations

import datetime
import math
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Iterator, Mapping, Sequence

import numpy as np

from ..config import AlignmentConfig
from ..sentences import sentence_texts
from ..types import AlignedGroup, Document
from .documents import group_texts
from .encoders import Encoder
from .passages import background_by_language
from .scoring import EmbeddingScorer, anchors
from .sentalign import align

NEIGHBOURS = 4  # k of the margin, as in bitext mining
EXACT_LIMIT = 20_000  # up to this many documents a side, exact search; beyond, faiss IVF


@dataclass
class DocumentPair:
    """Two documents that translate each other, with the margin that paired them and their
    sentence alignment (indices into each document's sentences)."""

    src: int
    tgt: int
    margin: float
    similarity: float
    groups: list[AlignedGroup] = field(default_factory=list)
    counted: set[int] = field(default_factory=set)  # the groups that count as aligned (their indices)
    aligned: tuple[float, float] = (0.0, 0.0)  # each side's share of aligned sentences

    def shares(self, n_src: int, n_tgt: int) -> tuple[float, float]:
        """Each side's share of sentences in a group that counts as aligned (:attr:`counted`,
        see :func:`aligned_groups`)."""
        kept = [g for k, g in enumerate(self.groups) if k in self.counted and g.src and g.tgt]
        src = sum(len(g.src) for g in kept)
        tgt = sum(len(g.tgt) for g in kept)
        return src / max(1, n_src), tgt / max(1, n_tgt)

    def translates(self, n_src: int, n_tgt: int, min_share: float) -> bool:
        """Whether the pair's aligned sentences say that one document translates the other, or
        a clear part of it: the shorter document (in sentences) has at least ``min_share`` of
        its sentences aligned, and the longer at least half that (an abridged edition carries
        half of its source); the search keeps them in order."""
        src, tgt = self.shares(n_src, n_tgt)
        shorter, longer = (src, tgt) if n_src <= n_tgt else (tgt, src)
        return shorter >= min_share and longer >= min_share / 2


class NeighbourSearch:
    """The ``k`` nearest neighbours (inner product of normalised vectors) of every query among
    a collection's vectors: exact, a block of queries at a time (memory bounded), or with a
    faiss inverted-file index when the collection is large (``nlist`` ≈ 4·√n cells, ``nprobe``
    of them searched)."""

    def __init__(self, vectors: np.ndarray, exact_limit: int = EXACT_LIMIT, nprobe: int = 16):
        self.vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        self.index = None
        if len(vectors) > exact_limit:
            try:
                import faiss
            except ImportError:
                raise RuntimeError(f"{len(vectors)} documents a side need faiss's index: "
                                   "pip install 'polyglot-news[corpus]'") from None

            nlist = max(1, min(int(4 * math.sqrt(len(vectors))), len(vectors) // 39))  # faiss: ≥ 39 points a cell
            quantiser = faiss.IndexFlatIP(vectors.shape[1])
            self.index = faiss.IndexIVFFlat(quantiser, vectors.shape[1], nlist, faiss.METRIC_INNER_PRODUCT)
            self.index.train(self.vectors)
            self.index.add(self.vectors)
            self.index.nprobe = nprobe

    def search(self, queries: np.ndarray, k: int, block: int = 2048) -> tuple[np.ndarray, np.ndarray]:
        """(similarities, indices), each ``len(queries) × k``, best first."""
        queries = np.ascontiguousarray(queries, dtype=np.float32)
        k = min(k, len(self.vectors))
        if self.index is not None:
            sims, ids = self.index.search(queries, k)
            return sims, ids
        sims = np.empty((len(queries), k), dtype=np.float32)
        ids = np.empty((len(queries), k), dtype=np.int64)
        for start in range(0, len(queries), block):
            scores = queries[start:start + block] @ self.vectors.T
            top = np.argpartition(-scores, k - 1, axis=1)[:, :k]
            top_scores = np.take_along_axis(scores, top, axis=1)
            order = np.argsort(-top_scores, axis=1)
            ids[start:start + block] = np.take_along_axis(top, order, axis=1)
            sims[start:start + block] = np.take_along_axis(top_scores, order, axis=1)
        return sims, ids


def match_vectors(x: np.ndarray, y: np.ndarray, k: int = NEIGHBOURS,
                  exact_limit: int = EXACT_LIMIT,
                  features: Callable[[int, int], float] | None = None,
                  similarity: Callable[[int, int], float] | None = None,
                  candidates: int | None = None) -> list[DocumentPair]:
    """One-to-one pairs of rows of ``x`` and ``y`` (normalised document vectors) by margin,
    best first (steps 2–4 of the module's method). ``features(i, j)``: a factor on the margin
    of candidate ``(i, j)`` (see :func:`feature_factor`). ``similarity(i, j)``: where given,
    the similarity the margins are taken of, for the candidates and their neighbours (the
    document vectors still find the candidates): :func:`coverage`, which an abridged
    translation does not dilute as it dilutes a mean vector. ``candidates``: see
    :func:`ranked_candidates`."""
    return linked(ranked_candidates(x, y, k, exact_limit, features, similarity, candidates))


def linked(candidates: Iterable[DocumentPair], verify: Callable[[DocumentPair], bool] | None = None
           ) -> list[DocumentPair]:
    """Competitive linking: the candidates best first, each document used once. With
    ``verify``, a candidate whose documents are both free is taken only where ``verify`` says
    so; one it turns away leaves both documents free for their next candidates (a wrong
    candidate that outranked a document's true partner no longer costs it the partner)."""
    used_x, used_y, pairs = set(), set(), []
    for pair in candidates:
        if pair.src in used_x or pair.tgt in used_y or (verify is not None and not verify(pair)):
            continue
        used_x.add(pair.src)
        used_y.add(pair.tgt)
        pairs.append(pair)
    return pairs


def ranked_candidates(x: np.ndarray, y: np.ndarray, k: int = NEIGHBOURS, exact_limit: int = EXACT_LIMIT,
                      features: Callable[[int, int], float] | None = None,
                      similarity: Callable[[int, int], float] | None = None,
                      candidates: int | None = None) -> list[DocumentPair]:
    """Every candidate pair of :func:`match_vectors` whose margin is above 1, best first.
    ``candidates``: how many nearest documents (by vector) each document takes as candidates,
    both ways (``k`` where not given, and never fewer); a neighbourhood is the mean of the
    ``k`` most similar among them by ``similarity``. An abridged edition's mean vector is
    diluted by the half it lacks, so its partner may rank fifth or sixth by vector, and first
    by coverage."""
    if len(x) == 0 or len(y) == 0:
        return []
    wide = max(k, candidates or k)
    x_sims, x_ids = NeighbourSearch(y, exact_limit).search(x, wide)  # x's neighbours among y
    y_sims, y_ids = NeighbourSearch(x, exact_limit).search(y, wide)
    if similarity is not None:
        x_sims = np.array([[similarity(i, int(j)) if j >= 0 else 0.0 for j in row] for i, row in enumerate(x_ids)])
        y_sims = np.array([[similarity(int(i), j) if i >= 0 else 0.0 for i in row] for j, row in enumerate(y_ids)])
    x_mean, y_mean = _nearest_mean(x_sims, k), _nearest_mean(y_sims, k)
    pairs: dict[tuple[int, int], float] = {}
    for i in range(len(x)):
        for s, j in zip(x_sims[i], x_ids[i]):
            if j >= 0:
                pairs[(i, int(j))] = float(s)
    for j in range(len(y)):
        for s, i in zip(y_sims[j], y_ids[j]):
            if i >= 0:
                pairs[(int(i), j)] = float(s)
    factor = features or (lambda i, j: 1.0)
    scored = []
    for (i, j), s in pairs.items():
        margin = _margin(s, (x_mean[i] + y_mean[j]) / 2)
        if margin <= 1.0:
            continue  # no closer than an average neighbour: never a pair, whatever the features
        f = factor(i, j)
        if f > 0:
            scored.append((margin * f, margin, s, i, j))
    scored.sort(reverse=True)
    return [DocumentPair(i, j, float(margin), float(sim)) for _, margin, sim, i, j in scored]


@dataclass(frozen=True)
class DocumentFeatures:
    """What a translation of a news story keeps, cheap to compare: its numbers and names (as
    name keys, across scripts), its length in characters, its publication date (if known)."""

    anchors: frozenset[str]
    length: int
    date: datetime.date | None = None

    @classmethod
    def of(cls, doc: Document, sentences: Sequence[str]) -> "DocumentFeatures":
        found: set[str] = set()
        for sentence in sentences:
            found |= anchors(sentence)
        return cls(frozenset(found), len(doc.text), publication_date(doc))


def publication_date(doc: Document) -> datetime.date | None:
    """The date in a document's metadata (``date``, ``published`` or ``publication_date``, ISO
    8601, date or date and time), or ``None``."""
    fields = doc.metadata if isinstance(doc.metadata, dict) else {}
    fields = {**fields, **(fields.get("meta") or {})}  # a JSONL line's own fields (io.readers)
    for key in ("date", "published", "publication_date"):
        value = fields.get(key)
        if isinstance(value, str) and len(value) >= 10:
            try:
                return datetime.date.fromisoformat(value[:10])
            except ValueError:
                continue
    return None


def feature_factor(a: DocumentFeatures, b: DocumentFeatures, length_ratio: float = 1.0,
                   max_days: int = 7, weight: float = 0.2) -> float:
    """The factor on a candidate pair's margin from its cheap features:

    - publication dates more than ``max_days`` apart: 0, never a pair;
    - shared anchors: with at least two on each side, ``1 + weight * (share - 0.5)``, where
      ``share`` is the part of the smaller set found in the other (a translation keeps its
      numbers and names; two stories on one topic share a few);
    - length: only a gross mismatch counts (translations and partial translations vary a lot):
      for ``r`` the ratio of the two lengths to ``length_ratio`` (the collections' usual one),
      taken as at most 1, ``(2 r) ** weight`` below ``r = 0.5`` (three times as long: 0.92).

    ``weight`` keeps the features to re-ranking close candidates: a candidate must still stand
    out of its neighbourhood (margin above 1) on its vectors alone."""
    if a.date is not None and b.date is not None and abs((a.date - b.date).days) > max_days:
        return 0.0
    factor = 1.0
    if len(a.anchors) >= 2 and len(b.anchors) >= 2:
        share = len(a.anchors & b.anchors) / min(len(a.anchors), len(b.anchors))
        factor *= 1.0 + weight * (share - 0.5)
    if a.length and b.length and length_ratio > 0:
        r = a.length / (b.length * length_ratio)
        r = min(r, 1.0 / r)
        if r < 0.5:
            factor *= (2.0 * r) ** weight
    return factor


def coverage(a: np.ndarray, b: np.ndarray) -> float:
    """How well two documents' sentences cover each other: each sentence of the document with
    fewer sentences, its best cosine among the other's where that sentence's best is it in turn
    (mutual nearest neighbours, as in bitext mining), else its mean cosine with the other's
    sentences (what an unrelated sentence gets); averaged. A translation that carries half of
    its source (an abridged edition) covers its half as a whole translation does; two stories
    on one topic cover each other only loosely; and one generic sentence ("Tom is lazy.") of a
    short document does not cover a whole unrelated one by its best match alone."""
    if len(a) == 0 or len(b) == 0:
        return 0.0
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    sims = short @ long_.T
    best = sims.argmax(axis=1)
    mutual = sims.argmax(axis=0)[best] == np.arange(len(short))
    return float(np.where(mutual, sims[np.arange(len(short)), best], sims.mean(axis=1)).mean())


def _margin(similarity: float, neighbourhood: float) -> float:
    """The ratio margin; 0 where the neighbourhood is not above 0 (a document without sentences
    has a zero vector): never a pair, and never a nan that would disorder the ranking."""
    return similarity / neighbourhood if neighbourhood > 0 else 0.0


def _nearest_mean(sims: np.ndarray, k: int) -> np.ndarray:
    """Each row's mean of its ``k`` largest similarities."""
    return -np.sort(-sims, axis=1)[:, :k].mean(axis=1)


def _sentence_length_ratio(a: Sequence[Sequence[str]], b: Sequence[Sequence[str]]) -> float | None:
    """Characters per sentence in the first collection's documents over the second's: what the
    sentence search scales a candidate pair's lengths by. Taken of the two documents alone, the
    ratio of an abridged edition (half its source, all of its own) skews every sentence pair's
    length penalty; the collections' own ratio does not depend on how much of a story a pair
    shares. ``None`` where a side has no sentences."""
    na, nb = sum(len(d) for d in a), sum(len(d) for d in b)
    ca, cb = sum(len(s) for d in a for s in d), sum(len(s) for d in b for s in d)
    return (ca / na) / (cb / nb) if na and nb and ca and cb else None


def _usual_length_ratio(a: Sequence[DocumentFeatures], b: Sequence[DocumentFeatures]) -> float:
    """How much longer the first collection's documents are than the second's, typically (the
    ratio of median lengths): az and ru run longer than en."""
    la = [f.length for f in a if f.length]
    lb = [f.length for f in b if f.length]
    return float(np.median(la) / np.median(lb)) if la and lb else 1.0


def document_sentences(doc: Document) -> list[str]:
    """The sentences of a document, line by line (no sentence across a line break)."""
    return sentence_texts(doc.text)


@dataclass
class CorpusAlignment:
    """The result of :func:`align_corpus`: each collection's documents and sentences, and the
    document pairs accepted (and rejected, for inspection) between each collection and the pivot."""

    langs: list[str]
    documents: dict[str, list[Document]]
    sentences: dict[str, list[list[str]]]
    pivot: str
    accepted: dict[str, list[DocumentPair]]
    rejected: dict[str, list[DocumentPair]]
    #: seconds spent in each stage: ``encoding``, ``matching`` (features, neighbours, margins,
    #: linking) and ``sentence alignment``
    seconds: dict[str, float] = field(default_factory=dict)

    def records(self) -> list[dict[str, Any]]:
        """One record per document group (triples through the pivot, pairs, and every document
        without a counterpart alone with ``"score": null``)."""
        by_pivot: dict[int, dict[str, DocumentPair]] = {}
        for lang, pairs in self.accepted.items():
            for pair in pairs:
                by_pivot.setdefault(pair.tgt, {})[lang] = pair
        records, placed = [], {lang: set() for lang in self.langs}
        for p in sorted(by_pivot):
            members = by_pivot[p]
            docs = {self.pivot: self.documents[self.pivot][p].id}
            alignments = []
            for lang, pair in sorted(members.items()):
                docs[lang] = self.documents[lang][pair.src].id
                placed[lang].add(pair.src)
                alignments += [{"src_lang": lang, "tgt_lang": self.pivot, "src": g.src, "tgt": g.tgt,
                                "score": round(g.score, 4), **({"quality": g.quality} if g.quality else {})}
                               for g in pair.groups]
            placed[self.pivot].add(p)
            score = min(pair.margin for pair in members.values())
            aligned = {self.pivot: round(min(pair.aligned[1] for pair in members.values()), 4)}
            aligned.update({lang: round(pair.aligned[0], 4) for lang, pair in members.items()})
            records.append({"documents": {lang: docs[lang] for lang in self.langs if lang in docs},
                            "score": round(score, 4), "aligned": {lang: aligned[lang] for lang in self.langs
                                                                   if lang in aligned},
                            "pairs": alignments})
        for lang in self.langs:
            for k, doc in enumerate(self.documents[lang]):
                if k not in placed[lang]:
                    records.append({"documents": {lang: doc.id}, "score": None, "pairs": []})
        return records

    def text_pairs(self) -> dict[tuple[str, str], list[tuple[str, str, float, dict | None]]]:
        """Aligned sentence pairs of every accepted document pair, per language pair (for TSV,
        TMX, Moses), each with its verdict where scored."""
        out: dict[tuple[str, str], list[tuple[str, str, float, dict | None]]] = {}
        for lang, pairs in self.accepted.items():
            for pair in pairs:
                out.setdefault((lang, self.pivot), []).extend(
                    group_texts(self.sentences[lang][pair.src], self.sentences[self.pivot][pair.tgt], pair.groups))
        return out


def aligned_groups(scorer: EmbeddingScorer, groups: Sequence[AlignedGroup], quantile: float) -> set[int]:
    """The groups of a document pair's alignment (prepared in ``scorer``) that count as aligned:
    each costs less than ``quantile`` of the costs of random sentence pairs, and less than its
    sentences' nearest background sentences do (the margin of bitext mining, as passages are
    mined), where the scorer has a background. The search pairs unrelated sentences too (two
    skips can cost more than one random pair), and between two unrelated documents of short
    sentences it finds several groups under the quantile alone: the margin turns them away."""
    bar = 1.0 - scorer.skip_cost(quantile)
    counted = set()
    for k, g in enumerate(groups):
        if not (g.src and g.tgt) or g.score <= bar:
            continue
        bounds = (g.src[0], g.src[-1] + 1, g.tgt[0], g.tgt[-1] + 1)
        margin = scorer.margin_bar(*bounds)
        if margin is not None and scorer.cost(*bounds) >= margin:
            continue
        counted.add(k)
    return counted


def _bar(enabled: bool, total: int, desc: str, unit: str):
    if not enabled:
        return None
    import sys

    from tqdm import tqdm

    return tqdm(total=total, desc=desc, unit=unit, file=sys.stderr, dynamic_ncols=True)


def _ticking(items: Sequence, bar) -> Iterator:
    """The items, the bar moved on by one for each."""
    for item in items:
        yield item
        bar.update(1)


def _encode_in_steps(encoder: Encoder, sentences: list[str], bar, step: int = 512) -> np.ndarray:
    """The encoder's vectors of ``sentences``, asked for ``step`` at a time so that a bar moves."""
    if bar is None:
        return encoder.encode(sentences)
    parts = []
    for k in range(0, len(sentences), step):
        parts.append(encoder.encode(sentences[k:k + step]))
        bar.update(len(sentences[k:k + step]))
    return np.concatenate(parts)


def as_documents(items: Sequence[Document | str | Mapping[str, Any]], lang: str = "") -> list[Document]:
    """Documents from what a caller has at hand: :class:`Document` objects, dicts with ``id``
    and ``text`` (more keys go to the metadata, as a JSONL line's do), or plain strings (ids
    ``0``, ``1`` … in order)."""
    out = []
    for k, item in enumerate(items):
        if isinstance(item, Document):
            out.append(item)
        elif isinstance(item, str):
            out.append(Document(str(k), item))
        elif isinstance(item, Mapping) and isinstance(item.get("text"), str):
            meta = {key: v for key, v in item.items() if key not in ("id", "text")}
            out.append(Document(str(item.get("id", k)), item["text"], {"meta": meta} if meta else {}))
        else:
            raise TypeError(f"collection {lang or '?'}, item {k}: a Document, a dict with 'id' and 'text', or a "
                            f"string, not {type(item).__name__}")
    return out


def align_corpus(collections: Mapping[str, Sequence[Document | str | Mapping[str, Any]]], encoder: Encoder,
                 config: AlignmentConfig | None = None,
                 background: Sequence[str] | Mapping[str, Sequence[str]] | None = None,
                 progress: bool = False) -> CorpusAlignment:
    """Pair the documents of two or three collections (language → documents) and align the
    sentences of each pair. A collection's documents may be :class:`Document` objects, dicts
    with ``id`` and ``text``, or plain strings (:func:`as_documents`). ``config``: the ``alignment`` config section (the sentence search,
    ``min_aligned_share``, ``aligned_quantile``, ``feature_weight``, ``max_days_apart``; its
    defaults when not given). ``background``: sentences that calibrate the sentence scorer, best
    by language; by default the bundled ones (:func:`.passages.background_by_language`), as the
    command line uses; ``()`` for none. ``progress``: bars with an ETA on standard error for the
    encoding (sentences) and the sentence alignment of the candidate pairs."""
    if background is None:
        background = background_by_language()
    config = config or AlignmentConfig()
    settings = config.search
    langs = list(collections)
    if not 2 <= len(langs) <= 3:
        raise ValueError(f"align_corpus takes two or three collections, not {len(langs)}")
    pivot = "en" if "en" in langs else langs[0]
    documents = {lang: as_documents(docs, lang) for lang, docs in collections.items()}
    sentences = {lang: [document_sentences(d) for d in docs] for lang, docs in documents.items()}
    vectors, doc_vectors = {}, {}
    seconds = dict.fromkeys(("encoding", "matching", "sentence alignment"), 0.0)
    clock = time.perf_counter()
    bar = _bar(progress, sum(len(s) for sents in sentences.values() for s in sents), "encoding", "sentence")
    for lang in langs:
        flat = [s for sents in sentences[lang] for s in sents]
        encoded = _encode_in_steps(encoder, flat, bar) if flat else np.zeros((0, 1), dtype=np.float32)
        vectors[lang], start, rows = [], 0, []
        for sents in sentences[lang]:
            part = encoded[start:start + len(sents)]
            start += len(sents)
            vectors[lang].append(part)
            mean = part.mean(axis=0) if len(part) else np.zeros(encoded.shape[1], dtype=np.float32)
            rows.append(mean / (np.linalg.norm(mean) or 1.0))
        doc_vectors[lang] = np.array(rows, dtype=np.float32)
    if bar is not None:
        bar.close()
    scorer = EmbeddingScorer(encoder, background)
    seconds["encoding"] += time.perf_counter() - clock
    clock = time.perf_counter()
    accepted: dict[str, list[DocumentPair]] = {}
    rejected: dict[str, list[DocumentPair]] = {}
    features_of = {lang: [DocumentFeatures.of(d, s) for d, s in zip(documents[lang], sentences[lang])]
                   for lang in langs}
    there = features_of[pivot]
    for lang in langs:
        if lang == pivot:
            continue
        accepted[lang], rejected[lang] = [], []
        here = features_of[lang]
        ratio = _usual_length_ratio(here, there)
        sentence_ratio = _sentence_length_ratio(sentences[lang], sentences[pivot])

        def features(i: int, j: int) -> float:
            return feature_factor(here[i], there[j], ratio, config.corpus.max_days_apart, config.corpus.feature_weight)

        cache: dict[tuple[int, int], float] = {}

        def covered(i: int, j: int, lang: str = lang) -> float:
            if (i, j) not in cache:
                cache[(i, j)] = coverage(vectors[lang][i], vectors[pivot][j])
            return cache[(i, j)]

        ranked = ranked_candidates(doc_vectors[lang], doc_vectors[pivot], features=features,
                                   similarity=covered if config.corpus.match == "coverage" else None,
                                   candidates=config.corpus.candidates)
        seconds["matching"] += time.perf_counter() - clock
        clock = time.perf_counter()
        bar = _bar(progress, len(ranked), f"aligning {lang}-{pivot} pairs", "candidate")

        def verified(pair: DocumentPair, lang: str = lang) -> bool:
            src, tgt = sentences[lang][pair.src], sentences[pivot][pair.tgt]
            scorer.prepare_vectors(vectors[lang][pair.src], vectors[pivot][pair.tgt],
                                   [len(s) for s in src], [len(t) for t in tgt], (lang, pivot), sentence_ratio)
            pair.groups = align(src, tgt, scorer, settings, prepared=True) if src and tgt else []
            pair.counted = aligned_groups(scorer, pair.groups, config.corpus.aligned_quantile) if src and tgt else set()
            pair.aligned = pair.shares(len(src), len(tgt))
            ok = pair.translates(len(src), len(tgt), config.corpus.min_aligned_share)
            if not ok:
                rejected[lang].append(pair)
            return ok

        accepted[lang] = linked(ranked if bar is None else _ticking(ranked, bar), verified)
        if bar is not None:
            bar.close()
        seconds["sentence alignment"] += time.perf_counter() - clock
        clock = time.perf_counter()
    return CorpusAlignment(langs, documents, sentences, pivot, accepted, rejected, seconds)
