"""SQLite cache of sentence vectors, keyed by the encoder (name, model, version) and the exact
sentence, so re-runs (another ``align-corpus`` over a grown collection, ``run`` again after a
config change elsewhere) encode only what they have not seen. Vectors are stored as raw
little-endian float32 bytes: no pickle. Several processes may share the file (WAL)."""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path
from typing import Any, Iterable, Sequence

import numpy as np
from platformdirs import user_cache_dir

from ..sqlite import CacheFile, select_in
from .encoders import Encoder

SCHEMA = """
CREATE TABLE IF NOT EXISTS embeddings (
    key TEXT PRIMARY KEY,
    encoder TEXT NOT NULL,
    vector BLOB NOT NULL,
    created REAL NOT NULL
)
"""
_FLOAT = np.dtype("<f4")


def default_embedding_cache_path() -> Path:
    return Path(user_cache_dir("polyglot_news")) / "embeddings.sqlite"


def embedding_key(encoder: str, sentence: str) -> str:
    """``encoder``: the encoder's settings as canonical JSON."""
    return hashlib.sha256(json.dumps([encoder, sentence], ensure_ascii=False).encode("utf-8")).hexdigest()


class EmbeddingCache:
    """A persistent map from keys to float32 vectors."""

    def __init__(self, path: str | Path | None = None, timeout: float = 60.0):
        self.path = Path(path) if path else default_embedding_cache_path()
        self._db = CacheFile(self.path, SCHEMA, timeout)

    def get_many(self, keys: list[str]) -> dict[str, np.ndarray]:
        rows = self._db.call(lambda conn: list(select_in(
            conn, "SELECT key, vector FROM embeddings WHERE key IN ({marks})", keys)), [])
        return {key: np.frombuffer(blob, dtype=_FLOAT) for key, blob in rows
                if isinstance(blob, bytes) and len(blob) % _FLOAT.itemsize == 0 and blob}

    def put_many(self, rows: Iterable[tuple[str, str, np.ndarray]]) -> None:
        """Store ``(key, encoder, vector)`` rows in one transaction."""
        now = time.time()
        rows = [(k, e, np.asarray(v, dtype=_FLOAT).tobytes(), now) for k, e, v in rows]

        def put(conn) -> None:
            with conn:
                conn.execute("BEGIN IMMEDIATE")
                conn.executemany("INSERT OR REPLACE INTO embeddings (key, encoder, vector, created) "
                                 "VALUES (?, ?, ?, ?)", rows)

        self._db.call(put, None)

    def __len__(self) -> int:
        return self._db.call(lambda conn: conn.execute("SELECT COUNT(*) FROM embeddings").fetchone()[0], 0)

    def close(self) -> None:
        self._db.close()


class CachedEncoder(Encoder):
    """An encoder whose vectors are kept in an :class:`EmbeddingCache`: each distinct sentence is
    encoded once, ever, per encoder version. Returns exactly what the encoder returned."""

    def __init__(self, encoder: Encoder, cache: EmbeddingCache):
        self.encoder = encoder
        self.cache = cache
        self.name = encoder.name
        self._identity = json.dumps(encoder.settings(), sort_keys=True)
        self.hits = 0
        self.misses = 0

    def encode(self, sentences: Sequence[str]) -> np.ndarray:
        if not sentences:
            return self.encoder.encode([])
        unique = list(dict.fromkeys(sentences))
        keys = {s: embedding_key(self._identity, s) for s in unique}
        found = self.cache.get_many(list(keys.values()))
        vectors = {s: found[keys[s]] for s in unique if keys[s] in found}
        missing = [s for s in unique if s not in vectors]
        self.hits += len(vectors)
        self.misses += len(missing)
        if missing:
            fresh = self.encoder.encode(missing)
            vectors.update(zip(missing, fresh))
            self.cache.put_many((keys[s], self._identity, v) for s, v in zip(missing, fresh))
        dims = {v.shape[0] for v in vectors.values()}
        if len(dims) > 1:  # a damaged row under this encoder's key: encode afresh
            return self.encoder.encode(list(sentences))
        return np.stack([vectors[s] for s in sentences]).astype(np.float32, copy=False)

    def settings(self) -> dict[str, Any]:
        return self.encoder.settings()

    def warm(self) -> None:
        self.encoder.warm()
