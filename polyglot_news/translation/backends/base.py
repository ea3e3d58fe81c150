"""The translation backend protocol: load one model, count and encode tokens, generate a batch.

Batching, ordering, chunking and the cache stay in :class:`~polyglot_news.translation.Translator`;
a backend receives the token ids of one batch and returns the output token ids. The tokenizer
is the model's own (transformers), shared by every backend, so all of them see the same ids.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from pathlib import Path
from typing import Any

from ... import budget
from ...config import TranslationConfig
from ...logs import quiet_transformers


class TranslationBackend(ABC):
    """One loaded model behind one inference engine."""

    #: the name in ``translation.backend``
    name: str = "backend"
    #: where a backend that converts models keeps this one's converted copy, and whether this
    #: load made it (``None`` for a backend that runs the model as it is)
    converted: Path | None = None
    converted_now: bool = False

    def __init__(self, model_name: str, path: Path, revision: str, config: TranslationConfig):
        from transformers import AutoConfig, AutoTokenizer

        self.model_name, self.path, self.revision, self.config = model_name, path, revision, config
        with quiet_transformers():
            self.tokenizer = AutoTokenizer.from_pretrained(path, trust_remote_code=False)
            self.model_config = AutoConfig.from_pretrained(path, trust_remote_code=False)

    @property
    def max_source_tokens(self) -> int:
        """The most source tokens the model takes (tokenizer limit and position table)."""
        limits = [getattr(self.tokenizer, "model_max_length", 0) or 0,
                  getattr(self.model_config, "max_position_embeddings", 0) or 0]
        limits = [x for x in limits if 0 < x < 1_000_000]
        return min(limits) if limits else 512

    @property
    def max_new_tokens(self) -> int:
        """The configured limit, capped by the decoder's position table."""
        positions = getattr(self.model_config, "max_position_embeddings", None)
        limit = self.config.generation.max_new_tokens
        return min(limit, positions - 1) if positions else limit

    def count_tokens(self, text: str) -> int:
        return len(self.tokenizer(text.strip(), truncation=False, verbose=False)["input_ids"])

    def encode(self, texts: list[str], src_code: str | None) -> list[list[int]]:
        """Source token ids (with the model's special tokens) of each text."""
        if src_code is not None and hasattr(self.tokenizer, "src_lang"):
            self.tokenizer.src_lang = src_code
        return self.tokenizer(texts, truncation=False, verbose=False)["input_ids"]

    @abstractmethod
    def generate(self, batch: list[list[int]], tgt_code: str | None) -> list[list[int]]:
        """Output token ids for each row of source ids; ``tgt_code`` is the forced target
        language of a multilingual model (``None`` for a per-pair model)."""

    def generate_many(self, batches: list[list[list[int]]], tgt_code: str | None) -> list[list[list[int]]]:
        """:meth:`generate` for each of several batches (the translator's length-sorted,
        token-budgeted batches of one call); a backend that can run batches side by side
        overrides it. Between batches the document's time budget is checked."""
        out = []
        for batch in batches:
            budget.check()
            out.append(self.generate(batch, tgt_code))
        return out

    def decode(self, rows: list[list[int]], tgt_code: str | None) -> list[str]:
        if tgt_code is not None:  # drop the forced language token, special or not
            lang_id = self.lang_token_id(tgt_code)
            rows = [[t for t in row if t != lang_id] for row in rows]
        return [t.strip() for t in self.tokenizer.batch_decode(rows, skip_special_tokens=True)]

    def lang_token_id(self, code: str) -> int:
        if hasattr(self.tokenizer, "get_lang_id"):  # M2M-100: "en" → "__en__"
            return self.tokenizer.get_lang_id(code)
        token_id = self.tokenizer.convert_tokens_to_ids(code)  # NLLB: "eng_Latn" is a token
        if token_id is None or token_id == self.tokenizer.unk_token_id:
            raise ValueError(f"language code {code!r} is not a token of this model")
        return token_id

    def lang_token(self, code: str) -> str:
        return self.tokenizer.convert_ids_to_tokens(self.lang_token_id(code))

    def settings(self) -> dict[str, Any]:
        """What identifies this backend's output (for cache keys and signatures)."""
        return {"backend": self.name}
