"""Translation throughput: this translator against a naive baseline, in one run, same outputs.

The model is a random-weight MarianMT of opus-mt size (6+6 layers, d_model 512, 8 heads,
FFN 2048, ~58k vocabulary) built here; the inputs are the Azerbaijani dev sentences plus long
news-style sentences (several dev sentences joined). The baseline is what a plain user writes:
``model.generate`` over fixed-size batches in input order, no sorting, no cache, same decoding
settings. The translator runs with its cache disabled, so the ratio is batching alone.

Usage: python benchmarks/translate.py [--sentences N] [--max-new-tokens N] [--baseline-batch N]
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from pathlib import Path

import torch

from polyglot_news.io.datasets import read_parallel_dir
from polyglot_news.testing import build_tiny_marian
from polyglot_news.translation import Translator

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


def naive(model, tokenizer, sentences: list[str], batch_size: int, num_beams: int, max_new_tokens: int) -> list[str]:
    out: list[str] = []
    for i in range(0, len(sentences), batch_size):
        batch = tokenizer(sentences[i:i + batch_size], return_tensors="pt", padding=True)
        with torch.no_grad():
            generated = model.generate(**batch, num_beams=num_beams, max_new_tokens=max_new_tokens)
        out.extend(t.strip() for t in tokenizer.batch_decode(generated, skip_special_tokens=True))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sentences", type=int, default=160)
    ap.add_argument("--max-new-tokens", type=int, default=48)
    ap.add_argument("--num-beams", type=int, default=1)
    ap.add_argument("--baseline-batch", type=int, default=16)
    ap.add_argument("--batch-tokens", type=int, default=4096)
    args = ap.parse_args()

    sentences = inputs(args.sentences)
    with tempfile.TemporaryDirectory() as tmp:
        corpus = [p.src for p in read_parallel_dir(DEV)] + [p.tgt for p in read_parallel_dir(DEV)]
        path = build_tiny_marian(Path(tmp) / "opus-mt-size", corpus, vocab_size=8000, d_model=512, layers=6,
                                 heads=8, ffn_dim=2048, max_length=512, pad_vocab_to=58101)
        translator = Translator.from_config({"translation": {
            "models": {"az": str(path), "ru": str(path)}, "cache": {"enabled": False},
            "batch_tokens": args.batch_tokens,
            "generation": {"num_beams": args.num_beams, "max_new_tokens": args.max_new_tokens}}})
        loaded = translator.model_for("az")
        lengths = [len(loaded.tokenizer(s)["input_ids"]) for s in sentences]
        print(f"model: MarianMT 6+6 layers, d_model 512, vocab {loaded.model.config.vocab_size}, random weights")
        print(f"inputs: {len(sentences)} az sentences, source tokens mean {sum(lengths) / len(lengths):.1f}, "
              f"max {max(lengths)}; greedy={args.num_beams == 1}, max_new_tokens {args.max_new_tokens}; "
              f"torch threads {torch.get_num_threads()}")
        naive(loaded.model, loaded.tokenizer, sentences[:4], 4, args.num_beams, 4)  # warm-up

        start = time.perf_counter()
        base = naive(loaded.model, loaded.tokenizer, sentences, args.baseline_batch, args.num_beams, args.max_new_tokens)
        t_base = time.perf_counter() - start

        start = time.perf_counter()
        ours = translator.translate(sentences, "az")
        t_ours = time.perf_counter() - start

    same = sum(a == b for a, b in zip(base, ours))
    print(f"naive   (batch {args.baseline_batch}, input order): {len(sentences) / t_base:7.2f} sentences/s  ({t_base:.1f} s)")
    print(f"polyglot_news (length-sorted, {args.batch_tokens}-token budget): {len(sentences) / t_ours:7.2f} sentences/s  "
          f"({t_ours:.1f} s, {translator.stats.model_calls} generate calls)")
    print(f"speed-up: {t_base / t_ours:.2f}x   identical outputs: {same}/{len(sentences)}")


if __name__ == "__main__":
    main()
