"""The reference backend: transformers ``generate`` under ``torch.inference_mode()``."""

from __future__ import annotations

from typing import Any

from ...logs import quiet_transformers
from .base import TranslationBackend


class Backend(TranslationBackend):
    name = "transformers"

    def __init__(self, model_name, path, revision, config):
        super().__init__(model_name, path, revision, config)
        from transformers import AutoModelForSeq2SeqLM

        from ..models import pick_device

        self.device = pick_device(config.device)
        with quiet_transformers():
            self.model = AutoModelForSeq2SeqLM.from_pretrained(path, use_safetensors=True, trust_remote_code=False)
        self.model.to(self.device).eval()

    def _generation_config(self, tgt_code: str | None):
        from transformers import GenerationConfig

        # the model's own defaults (bad words, forced eos…), minus max_length: max_new_tokens rules
        base = {k: v for k, v in self.model.generation_config.to_diff_dict().items()
                if k not in ("max_length", "transformers_version")}
        settings = {**self.config.generation.model_dump(), "max_new_tokens": self.max_new_tokens}
        gen = GenerationConfig(**{**base, **settings, "do_sample": False})
        if tgt_code is not None:
            gen.forced_bos_token_id = self.lang_token_id(tgt_code)
        return gen

    def generate(self, batch: list[list[int]], tgt_code: str | None) -> list[list[int]]:
        import torch

        enc = self.tokenizer.pad({"input_ids": batch}, return_tensors="pt")
        enc = {k: v.to(self.device) for k, v in enc.items()}
        with torch.inference_mode():
            out = self.model.generate(**enc, generation_config=self._generation_config(tgt_code))
        return out.tolist()

    def settings(self) -> dict[str, Any]:
        import transformers

        return {"backend": self.name, "transformers": transformers.__version__, "device": self.device}
