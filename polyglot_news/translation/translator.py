"""Translate non-English segments into English with transformers seq2seq models.

Two families: per-pair MarianMT (one model per source language) and one multilingual model
(NLLB-200 or M2M-100, with language codes and a forced English first token). Segments are cut
into chunks that fit the model (see :mod:`.chunking`); unique chunk texts are looked up in the
SQLite cache, the rest are sorted by length and batched under a token budget, generated under
``torch.inference_mode()``, and put back in input order.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from typing import Any, Sequence

from ..config import PipelineConfig, TranslationConfig, load_config
from ..types import Document, Segment, Signature, Translation, TranslationChunk
from .cache import TranslationCache, cache_key
from .chunking import plan_chunks
from .models import LoadedModel, ModelNotAvailable, load, resolve


@dataclass
class TranslatorStats:
    """Counters for one translator: model calls (``generate``), chunks sent and cache hits."""

    model_calls: int = 0
    chunks_generated: int = 0
    cache_hits: int = 0


@dataclass
class _Route:
    """How one source language is translated: which model and which language codes."""

    model_name: str
    src_code: str | None = None
    tgt_code: str | None = None


@dataclass
class Translator:
    """Translate texts and document segments into English.

    >>> tr = Translator.from_config({"translation": {"models": {"az": "path/to/model"}}})
    >>> tr.translate(["Salam!"], "az")
    """

    config: TranslationConfig
    languages: Sequence[str] = ("en", "az", "ru")
    stats: TranslatorStats = field(default_factory=TranslatorStats)

    def __post_init__(self) -> None:
        self._loaded: dict[str, LoadedModel] = {}
        self.routes = self._routes()
        self.cache = TranslationCache(self.config.cache.path) if self.config.cache.enabled else None

    @classmethod
    def from_config(cls, config: Any = None) -> "Translator":
        """From a pipeline config (YAML path, dict or :class:`PipelineConfig`)."""
        cfg = config if isinstance(config, PipelineConfig) else load_config(config)
        return cls(cfg.translation, tuple(cfg.languages))

    # --- models -------------------------------------------------------------------------------

    def _routes(self) -> dict[str, _Route]:
        wanted = [lang for lang in self.languages if lang != "en"]
        if self.config.translate_und:
            wanted.append("und")
        routes = {}
        for lang in wanted:
            if self.config.family == "marian":
                if lang not in self.config.models:
                    if lang == "und":
                        raise ValueError("translate_und needs a model for 'und' in translation.models")
                    raise ValueError(f"no translation model configured for {lang!r} (translation.models.{lang})")
                routes[lang] = _Route(self.config.models[lang])
            else:
                codes = self.config.lang_codes
                if lang not in codes or "en" not in codes:
                    raise ValueError(f"no language code for {lang!r} or 'en' in translation.lang_codes")
                routes[lang] = _Route(self.config.model, codes[lang], codes["en"])
        return routes

    def check_available(self) -> None:
        """Fail now, before any document, if a configured model cannot be found."""
        problems = []
        for name in sorted({r.model_name for r in self.routes.values()}):
            try:
                resolve(name, self.config.revision)
            except ModelNotAvailable as exc:
                problems.append(str(exc))
        if problems:
            raise ModelNotAvailable("; ".join(problems))

    @property
    def loaded_models(self) -> int:
        """How many models have been loaded so far (they load on first use)."""
        return len(self._loaded)

    def model_for(self, lang: str) -> LoadedModel:
        route = self.routes.get(lang)
        if route is None:
            raise ValueError(f"no translation route for language {lang!r}")
        if route.model_name not in self._loaded:
            self._loaded[route.model_name] = load(route.model_name, self.config.revision, self.config.device)
        return self._loaded[route.model_name]

    def _model_key(self, lang: str) -> dict[str, Any]:
        loaded = self.model_for(lang)
        route = self.routes[lang]
        return {
            "model": loaded.name, "revision": loaded.revision, "src": route.src_code or lang,
            "tgt": route.tgt_code or "en", "generation": self.config.generation.model_dump(),
            "max_source_tokens": self.max_source_tokens(lang),
        }

    def max_source_tokens(self, lang: str) -> int:
        limit = self.model_for(lang).max_source_tokens
        return min(limit, self.config.max_source_tokens) if self.config.max_source_tokens else limit

    @property
    def signature(self) -> Signature:
        from .. import __version__

        parts: dict[str, Any] = {}
        for lang, route in sorted(self.routes.items()):
            entry: dict[str, Any] = {"model": route.model_name, "revision": self.config.revision or "default"}
            if route.model_name in self._loaded:
                entry["revision"] = self._loaded[route.model_name].revision
            parts[lang] = entry
        return Signature({
            "polyglot_news": __version__,
            "translation": {
                "family": self.config.family,
                "routes": parts,
                "generation": self.config.generation.model_dump(),
                "batch_tokens": self.config.batch_tokens,
            },
        })

    # --- translation --------------------------------------------------------------------------

    def translate(self, texts: Sequence[str], src_lang: str) -> list[str]:
        """English translations of ``texts`` (each chunked as needed), in order."""
        return [t.text for t in self.translate_spans(list(texts), src_lang)]

    def translate_spans(self, texts: list[str], src_lang: str, offsets: Sequence[int] | None = None) -> list[Translation]:
        """Translations with their chunks; ``offsets`` shift chunk spans into document offsets."""
        loaded = self.model_for(src_lang)
        limit = self.max_source_tokens(src_lang)
        counter = _token_counter(loaded)
        plans = [plan_chunks(text, counter, limit) for text in texts]
        sources = [text[s:e].strip() for text, plan in zip(texts, plans) for s, e in plan]
        outputs = dict(zip(sources, self._translate_unique(sources, src_lang)))
        results = []
        for i, (text, plan) in enumerate(zip(texts, plans)):
            base = offsets[i] if offsets is not None else 0
            chunks = [TranslationChunk(base + s, base + e, text[s:e], outputs.get(text[s:e].strip(), ""))
                      for s, e in plan]
            results.append(Translation(_join(chunks), loaded.name, chunks))
        return results

    def translate_document(self, document: Document, segments: list[Segment]) -> dict[int, Translation]:
        """Translations of the segments that need one, keyed by segment index."""
        by_lang: dict[str, list[int]] = {}
        for i, seg in enumerate(segments):
            if seg.lang in self.routes and seg.text.strip():
                by_lang.setdefault(seg.lang, []).append(i)
        out: dict[int, Translation] = {}
        for lang, idxs in by_lang.items():
            spans = self.translate_spans([segments[i].text for i in idxs], lang, [segments[i].start for i in idxs])
            out.update(zip(idxs, spans))
        return out

    def _translate_unique(self, sources: list[str], lang: str) -> list[str]:
        unique = list(dict.fromkeys(s for s in sources if s))
        result: dict[str, str] = {"": ""}
        model_key = self._model_key(lang) if unique else {}
        keys = {s: cache_key(model_key, s) for s in unique}
        if self.cache is not None and unique:
            found = self.cache.get_many(list(keys.values()))
            for s in unique:
                if keys[s] in found:
                    result[s] = found[keys[s]]
                    self.stats.cache_hits += 1
        todo = [s for s in unique if s not in result]
        if todo:
            generated = self.generate(todo, lang)
            result.update(zip(todo, generated))
            if self.cache is not None:
                name = self.model_for(lang).name
                self.cache.put_many((keys[s], name, s, t) for s, t in zip(todo, generated))
        return [result[s] for s in sources]

    def generate(self, sources: list[str], lang: str) -> list[str]:
        """Run the model on ``sources`` (each within the limit), length-sorted and batched."""
        import torch

        loaded = self.model_for(lang)
        route = self.routes[lang]
        tok = loaded.tokenizer
        if route.src_code is not None and hasattr(tok, "src_lang"):
            tok.src_lang = route.src_code
        ids = tok(sources, truncation=False, verbose=False)["input_ids"]
        lengths = [len(row) for row in ids]
        order = sorted(range(len(sources)), key=lambda i: -lengths[i])
        gen_config = self._generation_config(loaded, route)
        outputs: list[str] = [""] * len(sources)
        for batch in _batches(order, lengths, self.config.batch_tokens, self.config.max_batch_size):
            # pad the ids tokenised above rather than tokenising the batch again
            enc = tok.pad({"input_ids": [ids[i] for i in batch]}, return_tensors="pt")
            enc = {k: v.to(loaded.device) for k, v in enc.items()}
            with torch.inference_mode():
                generated = loaded.model.generate(**enc, generation_config=gen_config)
            self.stats.model_calls += 1
            self.stats.chunks_generated += len(batch)
            for i, text in zip(batch, _decode(tok, generated, route)):
                outputs[i] = text
        return outputs

    def _generation_config(self, loaded: LoadedModel, route: _Route):
        from transformers import GenerationConfig

        # the model's own defaults (bad words, forced eos…), minus max_length: max_new_tokens rules
        base = {k: v for k, v in loaded.model.generation_config.to_diff_dict().items()
                if k not in ("max_length", "transformers_version")}
        settings = self.config.generation.model_dump()
        # the decoder cannot go past its position table, whatever the config asks
        positions = getattr(loaded.model.config, "max_position_embeddings", None)
        if positions:
            settings["max_new_tokens"] = min(settings["max_new_tokens"], positions - 1)
        gen = GenerationConfig(**{**base, **settings, "do_sample": False})
        if route.tgt_code is not None:
            gen.forced_bos_token_id = _lang_token_id(loaded.tokenizer, route.tgt_code)
        return gen

    def close(self) -> None:
        if self.cache is not None:
            self.cache.close()


def _token_counter(loaded: LoadedModel):
    tok = loaded.tokenizer

    def count(text: str) -> int:
        return len(tok(text.strip(), truncation=False, verbose=False)["input_ids"])

    return count


def _batches(order: list[int], lengths: list[int], budget: int, max_size: int) -> list[list[int]]:
    """Consecutive runs of the length-sorted order whose padded size fits the token budget."""
    batches: list[list[int]] = []
    current: list[int] = []
    longest = 0
    for i in order:
        grown = max(longest, lengths[i])
        if current and (grown * (len(current) + 1) > budget or len(current) >= max_size):
            batches.append(current)
            current, grown = [], lengths[i]
        current.append(i)
        longest = grown
    if current:
        batches.append(current)
    return batches


def _lang_token_id(tokenizer, code: str) -> int:
    if hasattr(tokenizer, "get_lang_id"):  # M2M-100: "en" → "__en__"
        return tokenizer.get_lang_id(code)
    token_id = tokenizer.convert_tokens_to_ids(code)  # NLLB: "eng_Latn" is a token
    if token_id is None or token_id == tokenizer.unk_token_id:
        raise ValueError(f"language code {code!r} is not a token of this model")
    return token_id


def _decode(tokenizer, generated, route: _Route) -> list[str]:
    rows = generated.tolist()
    if route.tgt_code is not None:  # drop the forced language token, special or not
        lang_id = _lang_token_id(tokenizer, route.tgt_code)
        rows = [[t for t in row if t != lang_id] for row in rows]
    return [t.strip() for t in tokenizer.batch_decode(rows, skip_special_tokens=True)]


def _join(chunks: list[TranslationChunk]) -> str:
    """Chunk translations joined with the kind of whitespace that followed each source chunk."""
    parts = []
    for i, chunk in enumerate(chunks):
        parts.append(chunk.text)
        if i + 1 < len(chunks):
            tail = chunk.source[len(chunk.source.rstrip()):]
            parts.append("\n\n" if tail.count("\n") >= 2 else "\n" if "\n" in tail else " ")
    return "".join(parts).strip()


def warn_skipped(reason: str) -> str:
    """The loud note printed and recorded when translation is skipped by configuration."""
    note = f"translation skipped: {reason}"
    print(f"WARNING: {note}", file=sys.stderr)
    return note
