"""SQLite files that several processes read and write at once (the translation and embedding
caches): WAL mode, a busy timeout, and a set-up that waits out another process creating the
same file."""

from __future__ import annotations

import os
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


#: file systems on which SQLite's locking cannot be trusted (a cache there could be corrupted by
#: two nodes writing at once)
NETWORK_FILE_SYSTEMS = ("nfs", "nfs4", "cifs", "smb3", "smbfs", "9p", "lustre", "gpfs", "beegfs", "glusterfs",
                        "ceph", "fuse.sshfs", "fuse.s3fs", "fuse.gcsfuse", "fuse.juicefs", "afs")


class CacheOnNetwork(ValueError):
    """A cache file on a network file system: refused (keep caches on each node's local disk)."""


def file_system_of(path: Path, mounts: str | None = None) -> str:
    """The type of the file system that holds ``path`` (the longest mount point above it in
    ``/proc/mounts``; ``""`` where that cannot be read)."""
    if mounts is None:
        try:
            mounts = Path("/proc/mounts").read_text()
        except OSError:
            return ""
    real = Path(os.path.realpath(path))
    best, kind = "", ""
    for line in mounts.splitlines():
        parts = line.split()
        if len(parts) >= 3:
            point = parts[1].replace("\\040", " ")
            if (real == Path(point) or Path(point) in real.parents) and len(point) > len(best):
                best, kind = point, parts[2]
    return kind


def check_local(path: Path, mounts: str | None = None) -> None:
    """:class:`CacheOnNetwork` where ``path`` is on a network file system."""
    kind = file_system_of(path, mounts)
    if kind in NETWORK_FILE_SYSTEMS or kind.startswith("nfs"):
        raise CacheOnNetwork(f"{path}: the cache is on a network file system ({kind}), where SQLite's locking is not "
                             "safe for nodes writing at once; keep it on each node's local disk (the default, under "
                             "the user cache folder) or turn it off (cache.enabled: false)")


def _is_busy(exc: sqlite3.Error) -> bool:
    return isinstance(exc, sqlite3.OperationalError) and ("locked" in str(exc) or "busy" in str(exc))


class CacheFile:
    """A cache's SQLite file that heals itself: a file that is damaged (truncated, pages
    overwritten, a folder in its place) is moved aside, with one warning that says where, and a
    new, empty cache takes its place. A cache is a cache: a damaged one costs recomputation,
    never a wrong value and never a failed run."""

    def __init__(self, path: Path, schema: str, timeout: float = 60.0):
        self.path, self.schema, self.timeout = Path(path), schema, timeout
        check_local(self.path.parent if not self.path.exists() else self.path)
        self.conn = self._open()

    def _open(self) -> sqlite3.Connection:
        if self.path.exists() and not self.path.is_file():
            self._quarantine("not a file")
        try:
            conn = connect(self.path, self.schema, self.timeout)
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            self._inode = self.path.stat().st_ino
            return conn
        except sqlite3.DatabaseError as exc:
            if _is_busy(exc):
                raise
            self._quarantine(str(exc))
            return connect(self.path, self.schema, self.timeout)

    def call(self, work, fallback):
        """``work(connection)``; where the file proves damaged, ``fallback`` (after moving it
        aside and starting a new one)."""
        try:
            return work(self.conn)
        except sqlite3.DatabaseError as exc:
            if _is_busy(exc):
                raise
            self._quarantine(str(exc))
            self.conn = self._open()
            return fallback

    def _quarantine(self, why: str) -> None:
        import datetime
        import os
        import shutil

        from .logs import logger

        conn = getattr(self, "conn", None)
        if conn is not None:
            conn.close()
        try:
            if conn is not None and self.path.stat().st_ino != getattr(self, "_inode", None):
                return  # another connection (this process's or another's) moved it aside already
        except FileNotFoundError:
            return
        stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
        aside = self.path.with_name(f"{self.path.name}.damaged-{stamp}-{os.getpid()}")
        try:
            os.replace(self.path, aside)
        except FileNotFoundError:  # another process moved it first
            return
        except OSError:  # a folder that is not empty: moved as a whole
            shutil.move(str(self.path), str(aside))
        for suffix in ("-wal", "-shm"):
            Path(f"{self.path}{suffix}").unlink(missing_ok=True)
        logger.warning("%s: cache damaged (%s); moved aside to %s, a new one starts", self.path, why, aside)

    def close(self) -> None:
        self.conn.close()
