"""SQLite files that several processes read and write at once (the translation and embedding
caches): WAL mode, a busy timeout, and a set-up that waits out another process creating the
same file."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path


def connect(path: Path, schema: str, timeout: float = 60.0) -> sqlite3.Connection:
    """A connection in autocommit mode with ``schema`` created. SQLite answers "database is
    locked" at once, without its busy handler, when another process is switching the same new
    file to WAL, so this step retries until ``timeout``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, timeout=timeout, isolation_level=None, check_same_thread=False)
    deadline = time.monotonic() + timeout
    delay = 0.01
    while True:
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute(schema)
            return conn
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                conn.close()
                raise
            time.sleep(delay)
            delay = min(delay * 2, 0.5)


def select_in(conn: sqlite3.Connection, query: str, keys: list[str], chunk: int = 500):
    """Rows of ``query`` (with one ``{marks}`` for the ``IN`` list) over ``keys``, in chunks
    that stay under SQLite's limit on parameters."""
    for i in range(0, len(keys), chunk):
        part = keys[i:i + chunk]
        yield from conn.execute(query.format(marks=",".join("?" * len(part))), part)
