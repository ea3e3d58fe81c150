"""Tiny translation models of the real architectures, for tests, demos and benchmarks offline.

No real az→en or ru→en weights can be downloaded here, so these helpers build models with the
real classes (MarianMT, M2M-100), random weights from a fixed seed and a sentencepiece
vocabulary trained on the sentences given, and save them with ``save_pretrained`` (safetensors).
They are then loaded through exactly the same ``from_pretrained`` path as a real model. Their
output is meaningless text from random weights; it is never dressed up as a translation.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any, Iterable

from .logs import quiet_transformers

# opus-mt release layout: </s> 0, <unk> 1, … , <pad> last (see shared/reference)
SPECIALS = ["</s>", "<unk>"]


def train_sentencepiece(sentences: Iterable[str], prefix: Path, vocab_size: int) -> Path:
    """Train a unigram sentencepiece model on ``sentences``; returns the ``.model`` path."""
    import sentencepiece as spm

    sentences = [s for s in sentences if s.strip()]
    if not sentences:
        raise ValueError("need at least one non-empty sentence to train a vocabulary")
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus.txt"
        corpus.write_text("\n".join(" ".join(s.split()) for s in sentences) + "\n", encoding="utf-8")
        spm.SentencePieceTrainer.train(
            input=str(corpus), model_prefix=str(prefix), vocab_size=vocab_size, model_type="unigram",
            character_coverage=1.0, hard_vocab_limit=False, bos_id=-1, eos_id=-1, pad_id=-1, unk_id=0,
            num_threads=1, minloglevel=2,
        )
    return prefix.with_suffix(".model")


def _pieces(model_file: Path) -> list[str]:
    import sentencepiece as spm

    sp = spm.SentencePieceProcessor(model_file=str(model_file))
    return [sp.id_to_piece(i) for i in range(sp.get_piece_size())]


def _vocabulary(path: Path, sentences: Iterable[str], vocab_size: int, specials: list[str],
                pad_to: int | None = None, last: list[str] = ()) -> tuple[Path, dict[str, int]]:
    """Train sentencepiece in ``path`` and write ``vocab.json``: specials, pieces, unused
    tokens up to ``pad_to``, then ``last`` (opus-mt releases end their vocabulary with
    ``<pad>``). Returns the sentencepiece model file (for the caller to move into place under
    the name its tokenizer expects) and the vocabulary."""
    path.mkdir(parents=True, exist_ok=True)
    spm_file = train_sentencepiece(sentences, path / "spm", vocab_size)
    vocab = {tok: i for i, tok in enumerate(specials)}
    for piece in _pieces(spm_file):
        if piece not in last:
            vocab.setdefault(piece, len(vocab))
    while pad_to and len(vocab) < pad_to - len(last):
        vocab[f"<unused{len(vocab)}>"] = len(vocab)
    for tok in last:
        vocab[tok] = len(vocab)
    (path / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")
    (path / "spm.vocab").unlink(missing_ok=True)
    return spm_file, vocab


#: ``build_tiny_marian(path, corpus, **OPUS_MT_SIZE)``: the width, depth and vocabulary of a
#: released opus-mt model (random weights), for benchmarks
OPUS_MT_SIZE = {"vocab_size": 8000, "d_model": 512, "layers": 6, "heads": 8, "ffn_dim": 2048, "max_length": 512,
                "pad_vocab_to": 58101}


def build_tiny_marian(
    path: str | Path,
    sentences: Iterable[str],
    vocab_size: int = 400,
    d_model: int = 32,
    layers: int = 2,
    heads: int = 2,
    ffn_dim: int = 64,
    max_length: int = 64,
    seed: int = 0,
    pad_vocab_to: int | None = None,
) -> Path:
    """Build and save a MarianMT model with random weights; returns ``path``.

    ``pad_vocab_to`` fills the vocabulary with unused tokens up to that size, to match the
    compute cost of a real model's output layer (opus-mt: about 58,000) in benchmarks.

    ``max_length`` becomes the tokenizer's ``model_max_length`` (512 in real opus-mt models), so
    tests can exercise chunking with short inputs.
    """
    from transformers import MarianConfig, MarianMTModel, MarianTokenizer

    path = Path(path)
    spm_file, vocab = _vocabulary(path, sentences, vocab_size, SPECIALS, pad_vocab_to, last=["<pad>"])
    for name in ("source.spm", "target.spm"):
        (path / name).write_bytes(spm_file.read_bytes())
    spm_file.unlink()

    tokenizer = MarianTokenizer(
        source_spm=str(path / "source.spm"), target_spm=str(path / "target.spm"),
        vocab=str(path / "vocab.json"), model_max_length=max_length,
    )
    config = MarianConfig(
        vocab_size=len(vocab), decoder_vocab_size=len(vocab), d_model=d_model,
        encoder_layers=layers, decoder_layers=layers, encoder_attention_heads=heads,
        decoder_attention_heads=heads, encoder_ffn_dim=ffn_dim, decoder_ffn_dim=ffn_dim,
        max_position_embeddings=max(max_length, 64), pad_token_id=vocab["<pad>"],
        eos_token_id=vocab["</s>"], bos_token_id=vocab["</s>"], decoder_start_token_id=vocab["<pad>"],
        forced_eos_token_id=vocab["</s>"], scale_embedding=True, share_encoder_decoder_embeddings=True,
        activation_function="swish", static_position_embeddings=True,
    )
    return _save_random_model(path, MarianMTModel, config, tokenizer, seed, bad_words_ids=[[vocab["<pad>"]]])


def build_tiny_m2m(
    path: str | Path,
    sentences: Iterable[str],
    vocab_size: int = 400,
    d_model: int = 32,
    layers: int = 2,
    heads: int = 2,
    ffn_dim: int = 64,
    max_length: int = 64,
    seed: int = 0,
) -> Path:
    """Build and save a multilingual M2M-100 model (language tokens ``__az__``, ``__en__`` …)."""
    from transformers import M2M100Config, M2M100ForConditionalGeneration, M2M100Tokenizer

    path = Path(path)
    spm_file, _ = _vocabulary(path, sentences, vocab_size, ["<s>", "<pad>", "</s>", "<unk>"])
    spm_file.rename(path / "sentencepiece.bpe.model")

    tokenizer = M2M100Tokenizer(
        vocab_file=str(path / "vocab.json"), spm_file=str(path / "sentencepiece.bpe.model"),
        model_max_length=max_length,
    )
    config = M2M100Config(
        vocab_size=max(tokenizer.lang_token_to_id.values()) + 1 + 8, d_model=d_model, encoder_layers=layers,
        decoder_layers=layers,
        encoder_attention_heads=heads, decoder_attention_heads=heads, encoder_ffn_dim=ffn_dim,
        decoder_ffn_dim=ffn_dim, max_position_embeddings=max(max_length, 64) + 2,
        pad_token_id=1, bos_token_id=0, eos_token_id=2, decoder_start_token_id=2,
    )
    return _save_random_model(path, M2M100ForConditionalGeneration, config, tokenizer, seed)


def build_tiny_nllb(
    path: str | Path,
    sentences: Iterable[str],
    vocab_size: int = 400,
    d_model: int = 32,
    layers: int = 2,
    heads: int = 2,
    ffn_dim: int = 64,
    max_length: int = 64,
    seed: int = 0,
) -> Path:
    """Build and save an NLLB-200-layout model (M2M-100 architecture, ``NllbTokenizer`` with the
    200 language codes as special tokens, relu, bos 0 / pad 1 / eos 2, decoder start = eos).
    The config's vocabulary is the tokenizer's, as in releases, so CTranslate2 converts it."""
    from transformers import AutoTokenizer, M2M100Config, M2M100ForConditionalGeneration
    from transformers.models.nllb.tokenization_nllb import FAIRSEQ_LANGUAGE_CODES

    path = Path(path)
    path.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp)
        train_sentencepiece(sentences, source / "sentencepiece.bpe", vocab_size)
        (source / "tokenizer_config.json").write_text(json.dumps({
            "tokenizer_class": "NllbTokenizer", "model_max_length": max_length, "src_lang": "eng_Latn",
            "tgt_lang": "eng_Latn", "additional_special_tokens": list(FAIRSEQ_LANGUAGE_CODES)}), encoding="utf-8")
        with quiet_transformers():
            tokenizer = AutoTokenizer.from_pretrained(source)  # built from the sentencepiece model
    config = M2M100Config(
        vocab_size=len(tokenizer), d_model=d_model, encoder_layers=layers, decoder_layers=layers,
        encoder_attention_heads=heads, decoder_attention_heads=heads, encoder_ffn_dim=ffn_dim,
        decoder_ffn_dim=ffn_dim, max_position_embeddings=max(max_length, 64) + 2, activation_function="relu",
        scale_embedding=True, pad_token_id=tokenizer.pad_token_id, bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id, decoder_start_token_id=tokenizer.eos_token_id,
    )
    return _save_random_model(path, M2M100ForConditionalGeneration, config, tokenizer, seed)


def _save_random_model(path: Path, model_class: Any, config: Any, tokenizer: Any, seed: int, **generation: Any) -> Path:
    """A model of ``model_class`` with random weights from ``seed``, greedy by default (and the
    ``generation`` defaults given), saved as safetensors beside its tokenizer; returns ``path``."""
    import torch

    torch.manual_seed(seed)
    model = model_class(config).eval()
    model.generation_config.num_beams = 1
    for key, value in generation.items():
        setattr(model.generation_config, key, value)
    with quiet_transformers():
        model.save_pretrained(path, safe_serialization=True)
        tokenizer.save_pretrained(path)
    return path
