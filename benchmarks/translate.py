"""Translation throughput per backend, in one run, on the same model and inputs.

The model is a random-weight MarianMT of opus-mt size and release layout (6+6 layers, d_model
512, 8 heads, FFN 2048, 58,101 vocabulary, ``<pad>`` last, swish) built here; the inputs are
Azerbaijani dev sentences plus long sentences (several dev sentences joined). Paths, each in
its own process (so each reports its own peak memory), each greedy and with 4 beams:

- naive: ``model.generate`` over fixed-size batches in input order (what a plain user writes);
- polyglot_news with the transformers backend (length-sorted, token budget);
- polyglot_news with the CTranslate2 backend, float32 and int8;
- CTranslate2 called directly on the same token ids, one ``translate_batch`` call: as a user
  writes it (``intra_threads`` = all cores, batches of 64), and tuned (``inter_threads`` = all
  cores with one thread each, one batch per core side by side, batches of the size the backend
  cuts: about 40 rows greedy, 8 with 4 beams, for 160 inputs on 2 cores).

The translator's cache is off, so the ratios are batching and the engine alone.

Each path runs once on a few sentences to warm up, then ``--repeat`` times; the fastest run counts.

Usage: python benchmarks/translate.py [--sentences N] [--max-new-tokens N] [--threads N] [--repeat N]
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import random
import resource
import tempfile
import time
from pathlib import Path

from polyglot_news.io.datasets import read_parallel_dir

DEV = Path(__file__).resolve().parent.parent / "tests" / "data" / "tatoeba-dev"


def inputs(n: int, seed: int = 0) -> list[str]:
    pairs = read_parallel_dir(DEV)
    az = [p.src for p in pairs if p.src_lang == "az"]
    rng = random.Random(seed)
    short = rng.sample(az, min(n * 3 // 4, len(az)))
    long = [", ".join(rng.sample(az, rng.randint(3, 6))) for _ in range(n - len(short))]
    mixed = short + long
    rng.shuffle(mixed)
    return mixed


def _config(model: Path, backend: str, compute_type: str, beams: int, max_new: int) -> dict:
    """The translator as shipped: CTranslate2's threads left to the backend (on CPU, one batch
    per core, side by side); torch's thread count is set per process below."""
    return {"translation": {"models": {"az": str(model), "ru": str(model)}, "backend": backend,
                            "compute_type": compute_type, "cache": {"enabled": False},
                            "generation": {"num_beams": beams, "max_new_tokens": max_new}}}


def run_path(path: str, model: Path, sentences: list[str], beams: int, max_new: int, threads: int, repeat: int,
             queue) -> None:
    """One path in a fresh process: (outputs, seconds, peak MB). The path runs once on a few
    sentences first (one-time costs: thread pools, allocations), then ``repeat`` times on all of
    them; the fastest run counts, as ``timeit`` takes the best."""
    import torch

    torch.set_num_threads(threads)
    from polyglot_news.translation import Translator

    if path == "naive":
        from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

        tok = AutoTokenizer.from_pretrained(model)
        net = AutoModelForSeq2SeqLM.from_pretrained(model).eval()

        def run(texts):
            out = []
            for i in range(0, len(texts), 16):
                batch = tok(texts[i:i + 16], return_tensors="pt", padding=True)
                with torch.no_grad():
                    generated = net.generate(**batch, num_beams=beams, max_new_tokens=max_new)
                out.extend(t.strip() for t in tok.batch_decode(generated, skip_special_tokens=True))
            return out
    elif path.startswith("direct"):
        import ctranslate2

        from polyglot_news.translation.backends.ctranslate2 import piece_rows, pieces

        tr = Translator.from_config(_config(model, "ctranslate2", "int8", beams, max_new))
        backend = tr.model_for("az")  # converted already; load it as a user would
        # as a user writes it: one translator using every core on each batch; or, tuned, one
        # batch per core side by side (inter_threads) with smaller batches to share out
        parallel = path == "direct:parallel"
        direct = ctranslate2.Translator(str(backend.converted), device="cpu", compute_type="int8",
                                        inter_threads=threads if parallel else 1,
                                        intra_threads=1 if parallel else threads)
        tokens = [backend.tokenizer.convert_ids_to_tokens(row) for row in backend.encode(sentences, None)]
        most = piece_rows(beams)

        def run(texts):
            # tuned: batches of the size the backend's pieces have (CTranslate2 sorts by length)
            size = max(b - a for a, b in pieces(len(texts), most, threads)) if parallel else 64
            results = direct.translate_batch(tokens[:len(texts)], beam_size=beams, max_decoding_length=max_new - 1,
                                             max_batch_size=size, batch_type="examples")
            rows = [backend.tokenizer.convert_tokens_to_ids(r.hypotheses[0]) for r in results]
            return backend.decode(rows, None)
    else:
        backend, compute_type = path.split(":") if ":" in path else (path, "auto")
        tr = Translator.from_config(_config(model, backend, compute_type, beams, max_new))
        tr.model_for("az")

        def run(texts):
            return tr.translate(texts, "az")
    run(sentences[:16])
    seconds = []
    for _ in range(repeat):
        start = time.perf_counter()
        out = run(sentences)
        seconds.append(time.perf_counter() - start)
    queue.put((out, min(seconds), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024))


def measure(path, model, sentences, beams, max_new, threads, repeat):
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=run_path, args=(path, model, sentences, beams, max_new, threads, repeat, queue))
    proc.start()
    result = queue.get()
    proc.join()
    return result


def folder_mb(path: Path) -> float:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 1e6


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sentences", type=int, default=160)
    ap.add_argument("--max-new-tokens", type=int, default=48)
    ap.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--beams", type=int, nargs="+", default=[1, 4])
    ap.add_argument("--repeat", type=int, default=3, help="timed runs per path after a warm-up; the fastest counts")
    args = ap.parse_args()

    from polyglot_news.testing import OPUS_MT_SIZE, build_tiny_marian

    sentences = inputs(args.sentences)
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["XDG_CACHE_HOME"] = str(Path(tmp) / "cache")  # conversions of this run only
        pairs = read_parallel_dir(DEV)
        model = build_tiny_marian(Path(tmp) / "opus-mt-size", [p.src for p in pairs] + [p.tgt for p in pairs],
                                  **OPUS_MT_SIZE)
        print(f"model: MarianMT 6+6, d_model 512, vocab 58,101, release layout, random weights; "
              f"{folder_mb(model):.0f} MB safetensors")
        print(f"inputs: {len(sentences)} az sentences; max_new_tokens {args.max_new_tokens}; "
              f"{args.threads} threads; cache off; best of {args.repeat} runs after a warm-up\n")
        paths = ["naive", "transformers", "ctranslate2:float32", "ctranslate2:int8", "direct", "direct:parallel"]
        for beams in args.beams:
            rows = {p: measure(p, model, sentences, beams, args.max_new_tokens, args.threads, args.repeat)
                    for p in paths}
            naive_s, tf_s = rows["naive"][1], rows["transformers"][1]
            print(f"{'greedy' if beams == 1 else f'{beams} beams'}:")
            print(f"  {'path':<34}{'sent/s':>8}{'vs naive':>10}{'vs transformers':>17}{'peak MB':>9}{'same as transformers':>22}")
            for p, (out, secs, peak) in rows.items():
                same = sum(a == b for a, b in zip(out, rows["transformers"][0]))
                print(f"  {p:<34}{len(sentences) / secs:>8.2f}{naive_s / secs:>9.2f}x{tf_s / secs:>16.2f}x"
                      f"{peak:>9.0f}{same:>17}/{len(sentences)}")
            print(f"  ctranslate2 int8 through polyglot_news vs calling ctranslate2 directly: "
                  f"{rows['direct'][1] / rows['ctranslate2:int8'][1]:.2f}x (as a user writes it), "
                  f"{rows['direct:parallel'][1] / rows['ctranslate2:int8'][1]:.2f}x (tuned: a batch per core)\n")
        root = Path(os.environ["XDG_CACHE_HOME"]) / "polyglot_news" / "ctranslate2"
        for folder in sorted(root.iterdir()):
            if not folder.name.startswith("."):
                print(f"on disk: {folder.name.split('-')[-2]} conversion {folder_mb(folder):.0f} MB")


if __name__ == "__main__":
    main()
