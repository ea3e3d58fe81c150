"""Translation of non-English segments into English with transformers seq2seq models."""

from .cache import TranslationCache
from .chunking import plan_chunks
from .models import (ModelNotAvailable, convert, list_cached, list_converted, load, model_names, prune_converted,
                     pull, remove_converted, resolve, with_model)
from .translator import Translator, TranslatorStats

__all__ = ["ModelNotAvailable", "TranslationCache", "Translator", "TranslatorStats", "convert", "list_cached",
           "list_converted", "load", "model_names", "plan_chunks", "prune_converted", "pull", "remove_converted",
           "resolve", "with_model"]
