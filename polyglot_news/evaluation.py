"""Evaluation in the spirit of sacrebleu: translation metrics (sacrebleu's own, with their
signatures), language identification (per-language precision/recall/F1 and a confusion
matrix) and alignment (strict and lax group precision/recall/F1). Plain functions that the
``polyglot-news eval`` command and the notebooks both call."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any, Sequence

METRICS = ("bleu", "chrf", "ter")


def translation_scores(hypotheses: Sequence[str], references: Sequence[str],
                       metrics: Sequence[str] = METRICS) -> dict[str, dict[str, Any]]:
    """``{metric: {"score", "signature"}}`` computed by sacrebleu itself (numerically its own)."""
    from sacrebleu.metrics import BLEU, CHRF, TER

    if len(hypotheses) != len(references):
        raise ValueError(f"{len(hypotheses)} hypotheses but {len(references)} references")
    classes = {"bleu": BLEU, "chrf": CHRF, "ter": TER}
    out = {}
    for name in metrics:
        if name not in classes:
            raise ValueError(f"unknown metric {name!r}; choose from {', '.join(METRICS)}")
        metric = classes[name]()
        score = metric.corpus_score(list(hypotheses), [list(references)])
        out[name] = {"score": score.score, "signature": str(metric.get_signature())}
    return out


def translate_test_set(tsv: str | Path, config: Any) -> tuple[list[str], list[str]]:
    """Hypotheses and references from a test set in the dev data's columns (source language,
    target language, source, target): the non-English side of each English pair is translated
    with the configured translator; the English side is the reference."""
    from .io.datasets import read_parallel_tsv
    from .translation import Translator

    translator = Translator.from_config(config)
    by_lang: dict[str, list[tuple[str, str]]] = {}
    for pair in read_parallel_tsv(tsv):
        if pair.tgt_lang == "en" and pair.src_lang in translator.routes:
            by_lang.setdefault(pair.src_lang, []).append((pair.src, pair.tgt))
        elif pair.src_lang == "en" and pair.tgt_lang in translator.routes:
            by_lang.setdefault(pair.tgt_lang, []).append((pair.tgt, pair.src))
    if not by_lang:
        raise ValueError(f"{tsv}: no pair of English and a language the config translates")
    hypotheses, references = [], []
    for lang, rows in sorted(by_lang.items()):
        hypotheses += translator.translate([src for src, _ in rows], lang)
        references += [ref for _, ref in rows]
    return hypotheses, references


def read_labels(path: str | Path) -> list[str]:
    """Language labels, one a line, or the toolkit's own ``segment``/``run`` JSONL output (each
    record's label: the language of most of its characters). ``ValueError`` naming the file and
    line for anything else."""
    import json
    import re

    from .io.readers import read_sentence_lines

    labels = []
    for line_no, line in enumerate(read_sentence_lines(path), 1):
        text = line.strip()
        if text.startswith("{"):
            try:
                record = json.loads(text)
                if "error" in record:
                    raise ValueError(f"the record of a failed document ({record['error']})")
                chars: Counter = Counter()
                for seg in record["segments"]:
                    chars[seg["lang"]] += len(seg["text"].strip())
                labels.append(chars.most_common(1)[0][0] if chars else "und")
            except (ValueError, KeyError, TypeError, AttributeError, IndexError) as exc:
                why = exc if isinstance(exc, ValueError) and not isinstance(exc, json.JSONDecodeError) else \
                    "not a segment or run record"
                raise ValueError(f"{path}:{line_no}: {why}") from None
        elif re.fullmatch(r"[A-Za-z]{2,3}([-_][A-Za-z0-9]+)?", text):
            labels.append(text)
        else:
            raise ValueError(f"{path}:{line_no}: not a language label (one a line, e.g. 'az') nor a record of "
                             f"'segment' or 'run': {text[:40]!r}")
    return labels


def langid_scores(gold: Sequence[str], predicted: Sequence[str]) -> dict[str, Any]:
    """Per-language precision, recall and F1, accuracy, and the confusion matrix
    ``confusion[gold][predicted]`` over aligned labels (one per sentence or segment)."""
    if len(gold) != len(predicted):
        raise ValueError(f"{len(gold)} gold labels but {len(predicted)} predicted")
    confusion: dict[str, Counter] = {}
    for g, p in zip(gold, predicted):
        confusion.setdefault(g, Counter())[p] += 1
    labels = sorted(set(gold) | set(predicted))
    per = {}
    for lang in labels:
        tp = confusion.get(lang, Counter())[lang]
        predicted_n = sum(row[lang] for row in confusion.values())
        gold_n = sum(confusion.get(lang, Counter()).values())
        p = tp / predicted_n if predicted_n else 0.0
        r = tp / gold_n if gold_n else 0.0
        per[lang] = {"precision": p, "recall": r, "f1": 2 * p * r / (p + r) if p + r else 0.0, "support": gold_n}
    accuracy = sum(g == p for g, p in zip(gold, predicted)) / max(len(gold), 1)
    return {"accuracy": accuracy, "languages": per,
            "confusion": {g: {p: confusion.get(g, Counter())[p] for p in labels} for g in labels}}


def align_scores(gold_path: str | Path, predicted_path: str | Path) -> dict[str, float]:
    """Strict and lax precision/recall/F1 of predicted groups against gold ones, each file in the
    ``[src ids]:[tgt ids]`` line format (Bleualign, Vecalign) or align-docs' JSONL."""
    from .alignment.metrics import read_gold_groups, strict_lax_scores

    return strict_lax_scores(read_gold_groups(predicted_path), read_gold_groups(gold_path)).to_dict()


def plot_confusion(scores: dict[str, Any], path: str | Path) -> None:
    """The confusion matrix of :func:`langid_scores` as a PNG heatmap, counts in the cells."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    labels = list(scores["confusion"])
    matrix = [[scores["confusion"][g][p] for p in labels] for g in labels]
    fig, ax = plt.subplots(figsize=(1 + 0.7 * len(labels), 1 + 0.6 * len(labels)))
    ax.imshow(matrix, cmap="cividis")  # readable for colour-blind readers
    ax.set_xticks(range(len(labels)), labels)
    ax.set_yticks(range(len(labels)), labels)
    ax.set_xlabel("predicted")
    ax.set_ylabel("gold")
    top = max(max(row) for row in matrix) or 1
    for i, row in enumerate(matrix):
        for j, value in enumerate(row):
            ax.text(j, i, str(value), ha="center", va="center", color="black" if value > top / 2 else "white")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
