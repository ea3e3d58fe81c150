"""Translation of non-English segments into English with transformers seq2seq models."""

from .cache import TranslationCache
from .chunking import plan_chunks
from .models import ModelNotAvailable, list_cached, load, pull, resolve
from .translator import Translator, TranslatorStats

__all__ = ["ModelNotAvailable", "TranslationCache", "Translator", "TranslatorStats", "list_cached",
           "load", "plan_chunks", "pull", "resolve"]
