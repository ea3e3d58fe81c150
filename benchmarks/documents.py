"""Cross-document batching: documents per second when a batch's documents are translated
together (``runner.documents_per_batch``) against one document at a time, same model, same
documents, in one run.

News arrives as many short documents (a headline, a notice, a quote of one to three sentences
in Azerbaijani or Russian). Translated one document at a time, each makes its own small model
batch; handed to the translator together, their segments fill length-sorted batches under the
token budget. The model is the random-weight opus-mt-size MarianMT of ``translate.py``; the
pipeline runs segmentation and translation (alignment off), the translator's cache off.

Usage: python benchmarks/documents.py [--documents N] [--backend ctranslate2|transformers ...]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import tempfile
import time
from pathlib import Path

from polyglot_news import Pipeline
from polyglot_news.io.datasets import read_parallel_dir, sentences_by_language
from polyglot_news.types import Document

DEV = Path(__file__).resolve().parent.parent / "tests" / "data" / "tatoeba-dev"


def documents(n: int, seed: int = 0) -> list[Document]:
    """Short news items: 1–3 dev sentences in az or ru, sometimes with an English line."""
    by_lang = sentences_by_language(read_parallel_dir(DEV))
    rng = random.Random(seed)
    docs = []
    for k in range(n):
        lines = [" ".join(rng.sample(by_lang[rng.choice(["az", "ru"])], rng.randint(1, 3)))]
        if rng.random() < 0.3:
            lines.append(rng.choice(by_lang["en"]))
        docs.append(Document(f"doc{k:04d}", "\n".join(lines) + "\n"))
    return docs


def run(model: Path, docs: list[Document], backend: str, per_batch: int, out: Path, max_new: int,
        inter_threads: int = 0):
    config = {"translation": {"enabled": True, "models": {"az": str(model), "ru": str(model)}, "backend": backend,
                              "inter_threads": inter_threads,
                              "cache": {"enabled": False}, "generation": {"num_beams": 1, "max_new_tokens": max_new}},
              "alignment": {"enabled": False}, "runner": {"documents_per_batch": per_batch}}
    pipeline = Pipeline.from_config(config)
    pipeline.run_batch(docs[:4], out.with_suffix(".warm.jsonl"))  # loads (and converts) the model first
    started = time.perf_counter()
    pipeline.run_batch(docs, out)
    seconds = time.perf_counter() - started
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    texts = {r["id"]: [s.get("translation", {}).get("text") for s in r["segments"]] for r in records}
    return seconds, pipeline.translator.stats.model_calls, texts


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--documents", type=int, default=96)
    ap.add_argument("--max-new-tokens", type=int, default=32)
    ap.add_argument("--backend", nargs="+", default=["ctranslate2", "transformers"])
    ap.add_argument("--batches", type=int, nargs="+", default=[1, 8, 32])
    ap.add_argument("--inter-threads", type=int, default=0, help="ctranslate2's (0: the backend's choice)")
    args = ap.parse_args()

    from polyglot_news.testing import OPUS_MT_SIZE, build_tiny_marian

    docs = documents(args.documents)
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["XDG_CACHE_HOME"] = str(Path(tmp) / "cache")
        pairs = read_parallel_dir(DEV)
        model = build_tiny_marian(Path(tmp) / "opus-mt-size", [p.src for p in pairs] + [p.tgt for p in pairs],
                                  **OPUS_MT_SIZE)
        print(f"{len(docs)} short documents (1–3 az/ru sentences, some with an English line); "
              f"greedy, max_new_tokens {args.max_new_tokens}; {os.cpu_count()} CPUs\n")
        print(f"{'backend':<14}{'documents/batch':>16}{'docs/s':>9}{'model calls':>13}{'vs 1/batch':>12}{'same output':>13}")
        for backend in args.backend:
            base = None
            for per_batch in args.batches:
                secs, calls, texts = run(model, docs, backend, per_batch, Path(tmp) / f"{backend}-{per_batch}.jsonl",
                                         args.max_new_tokens, args.inter_threads)
                base = base or (secs, texts)
                same = sum(texts[k] == base[1][k] for k in texts)
                print(f"{backend:<14}{per_batch:>16}{len(docs) / secs:>9.2f}{calls:>13}{base[0] / secs:>11.2f}x"
                      f"{same:>9}/{len(docs)}")


if __name__ == "__main__":
    main()
