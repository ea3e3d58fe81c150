"""Language-id evaluation on mixed documents built from monolingual dev sentences.

``build_mixed_documents`` makes documents of paragraphs in several languages (targets and the
rivals that must come out ``und``), many of them one sentence long between paragraphs of other
languages, which is where context smoothing goes wrong. ``score_documents`` scores what a
segmenter returns against the gold label of every sentence.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from typing import Mapping, Sequence

from .detectors import UND


@dataclass
class MixedDocument:
    """A text and, for each sentence placed in it, its span, language and gold label."""

    text: str
    spans: list[tuple[int, int]] = field(default_factory=list)
    langs: list[str] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)


def build_mixed_documents(by_lang: Mapping[str, Sequence[str]], targets: Sequence[str], documents: int,
                          seed: int = 0, single_share: float = 0.4) -> list[MixedDocument]:
    """``documents`` documents of 3–7 paragraphs, each paragraph 1–4 sentences of one language.

    Neighbouring paragraphs are in different languages; ``single_share`` of the paragraphs are
    one sentence long. Sentences are drawn without replacement per language until a language
    runs out, then reshuffled. Gold labels: the language for targets, ``und`` for the others.
    """
    rng = random.Random(seed)
    langs = sorted(by_lang)
    pools: dict[str, list[str]] = {}

    def draw(lang: str) -> str:
        if not pools.get(lang):
            pools[lang] = list(by_lang[lang])
            rng.shuffle(pools[lang])
        return pools[lang].pop()

    out = []
    for _ in range(documents):
        doc = MixedDocument("")
        parts: list[str] = []
        pos = 0
        previous = None
        for p in range(rng.randint(3, 7)):
            lang = rng.choice([x for x in langs if x != previous])
            previous = lang
            count = 1 if rng.random() < single_share else rng.randint(2, 4)
            if p:
                parts.append("\n\n")
                pos += 2
            for k in range(count):
                if k:
                    parts.append(" ")
                    pos += 1
                sentence = draw(lang)
                parts.append(sentence)
                doc.spans.append((pos, pos + len(sentence)))
                doc.langs.append(lang)
                doc.labels.append(lang if lang in targets else UND)
                pos += len(sentence)
        doc.text = "".join(parts)
        out.append(doc)
    return out


def build_inline_documents(by_lang: Mapping[str, Sequence[str]], targets: Sequence[str], documents: int,
                           seed: int = 0, min_words: int = 5) -> list[tuple[MixedDocument, MixedDocument]]:
    """``documents`` one-line paragraphs of 2–4 sentences of a target language with one sentence
    of another language inside the line (a Turkish quote in an Azerbaijani paragraph, an English
    sentence in a Russian one), of at least ``min_words`` words each. Each comes twice, as (the
    guest sentence alone scored, the host sentences around it scored); gold labels as in
    :func:`build_mixed_documents`."""
    rng = random.Random(seed)
    pools = {lang: [x for x in group if len(x.split()) >= min_words] for lang, group in by_lang.items()}
    hosts = [lang for lang in targets if lang in pools]
    out = []
    for _ in range(documents):
        host = rng.choice(hosts)
        guest = rng.choice([lang for lang in pools if lang != host])
        before = rng.sample(pools[host], rng.randint(1, 2))
        sentences = before + [rng.choice(pools[guest])] + rng.sample(pools[host], rng.randint(1, 2))
        at = len(before)
        text = " ".join(sentences)
        guest_doc, host_doc = MixedDocument(text), MixedDocument(text)
        pos = 0
        for k, sentence in enumerate(sentences):
            lang = guest if k == at else host
            doc = guest_doc if k == at else host_doc
            doc.spans.append((pos, pos + len(sentence)))
            doc.langs.append(lang)
            doc.labels.append(lang if lang in targets else UND)
            pos += len(sentence) + 1
        out.append((guest_doc, host_doc))
    return out


def span_label(segments: Sequence, start: int, end: int) -> str:
    """The label covering most of ``[start, end)`` among ``segments`` (objects with
    ``start``, ``end``, ``lang``)."""
    overlap: Counter = Counter()
    for seg in segments:
        if seg.end > start and seg.start < end:
            overlap[seg.lang] += min(end, seg.end) - max(start, seg.start)
    return overlap.most_common(1)[0][0] if overlap else UND


@dataclass
class LabelScores:
    """Accuracy per language (Turkish counts as right when labelled ``und``), and the wrong
    predictions as (language, predicted label, sentence)."""

    right: Counter = field(default_factory=Counter)
    total: Counter = field(default_factory=Counter)
    errors: list[tuple[str, str, str]] = field(default_factory=list)

    def add(self, lang: str, gold: str, predicted: str, sentence: str) -> None:
        self.total[lang] += 1
        if gold == predicted:
            self.right[lang] += 1
        else:
            self.errors.append((lang, predicted, sentence))

    def accuracy(self, lang: str) -> float:
        return self.right[lang] / self.total[lang] if self.total[lang] else float("nan")


def score_documents(documents: Sequence[MixedDocument], segments: Sequence[Sequence]) -> LabelScores:
    """Per-sentence accuracy of each document's segments against its gold labels."""
    scores = LabelScores()
    for doc, segs in zip(documents, segments):
        for (s, e), lang, gold in zip(doc.spans, doc.langs, doc.labels):
            scores.add(lang, gold, span_label(segs, s, e), doc.text[s:e])
    return scores
