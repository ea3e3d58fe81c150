"""SQLite cache of translations, keyed by model, revision, decoding options and source text.

The file lives under the user cache directory unless a path is given. WAL mode and a busy
timeout make it safe for several processes to read and write it at once.
"""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path
from typing import Any, Iterable

from platformdirs import user_cache_dir

from ..sqlite import CacheFile, select_in

SCHEMA = """
CREATE TABLE IF NOT EXISTS translations (
    key TEXT PRIMARY KEY,
    model TEXT NOT NULL,
    source TEXT NOT NULL,
    target TEXT NOT NULL,
    created REAL NOT NULL
)
"""


def default_cache_path() -> Path:
    return Path(user_cache_dir("polyglot_news")) / "translations.sqlite"


def cache_key(model_key: dict[str, Any], source: str) -> str:
    """Stable key: everything that determines the output, plus the exact source text."""
    payload = json.dumps({"model": model_key, "source": source}, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


class TranslationCache:
    """A persistent map from cache keys to translated text."""

    def __init__(self, path: str | Path | None = None, timeout: float = 60.0):
        self.path = Path(path) if path else default_cache_path()
        self._db = CacheFile(self.path, SCHEMA, timeout)
        self.hits = 0
        self.misses = 0

    def get_many(self, keys: list[str]) -> dict[str, str]:
        found = self._db.call(lambda conn: dict(select_in(
            conn, "SELECT key, target FROM translations WHERE key IN ({marks})", keys)), {})
        self.hits += len(found)
        self.misses += len(set(keys)) - len(found)
        return found

    def put_many(self, rows: Iterable[tuple[str, str, str, str]]) -> None:
        """Store ``(key, model, source, target)`` rows in one transaction."""
        now = time.time()
        rows = [(k, m, s, t, now) for k, m, s, t in rows]

        def put(conn) -> None:
            with conn:
                conn.execute("BEGIN IMMEDIATE")
                conn.executemany("INSERT OR REPLACE INTO translations (key, model, source, target, created) "
                                 "VALUES (?, ?, ?, ?, ?)", rows)

        self._db.call(put, None)

    def __len__(self) -> int:
        return self._db.call(lambda conn: conn.execute("SELECT COUNT(*) FROM translations").fetchone()[0], 0)

    def close(self) -> None:
        self._db.close()
