"""The one batch path: every input gives exactly one output record, whatever runs the documents.

A *runner* (:mod:`.local`: serial or a process pool; :mod:`.ray`: Ray Data) maps a picklable
per-document *processor* over documents and yields records. Everything else stays here, on
the driver, shared by every runner: reading errors become error records, ids already in the
output are skipped (resume), an id that repeats is reported (an error record for the repeat),
a record the runner delivers twice (a retried task) is written once, the single fsync'd writer, the summary and progress.
"""

from __future__ import annotations

import os
import sys
import time
from abc import ABC, abstractmethod
from collections import Counter
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from ..io.readers import FileRef, ReadError
from ..io.writers import JsonlWriter, completed_ids, drop_error_records
from ..logs import logger
from ..types import Document

Processor = Callable[[Document], dict[str, Any]]


class OutputLocked(RuntimeError):
    """Another run is writing the same output."""


@contextmanager
def output_lock(output: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``output`` (through ``.NAME.lock`` beside it) while a run
    writes it; a second run fails at once, naming the process that holds it."""
    import fcntl

    lock = output.parent / f".{output.name}.lock"
    lock.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 64, 0).decode(errors="replace").strip() or "unknown"
            raise OutputLocked(f"{output} is being written by another run (pid {holder})") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        yield
    finally:
        os.close(fd)  # releases the lock


class Runner(ABC):
    """Runs a processor over documents; yields each document's record exactly once, in any order.
    A document may still be a :class:`FileRef`: the runner reads it where it processes it
    (:func:`load`), so that a driver does not read every byte of a large batch."""

    name: str = "runner"

    @abstractmethod
    def map(self, processor: Processor, documents: Iterator[Document | FileRef]) -> Iterator[dict[str, Any]]:
        """Records of ``documents``; ``processor`` never raises (see :func:`safe_process`)."""


@dataclass
class BatchSummary:
    """What a batch did: counts per outcome, segments per language (and translated ones),
    passages, seconds. Segments and passages are counted (and reported) only where the records
    carry them: ``segment`` looks for no passages, and ``align``'s records hold passages only."""

    done: int = 0
    failed: int = 0
    skipped: int = 0
    segments: Counter | None = None
    translated: Counter = field(default_factory=Counter)
    passages: int | None = None
    seconds: float = 0.0
    errors: list[str] = field(default_factory=list)

    def add(self, record: dict[str, Any]) -> None:
        if "error" in record:
            self.failed += 1
            return
        self.done += 1
        if "segments" in record:
            self.segments = self.segments if self.segments is not None else Counter()
            self.segments.update(seg["lang"] for seg in record["segments"])
            self.translated.update(seg["lang"] for seg in record["segments"] if "translation" in seg)
        if "passages" in record:
            self.passages = (self.passages or 0) + len(record["passages"])

    def lines(self) -> list[str]:
        out = [f"documents: {self.done} done, {self.failed} failed, {self.skipped} skipped (already in output)"]
        if self.segments is not None:
            langs = ", ".join(f"{k}={v}" for k, v in sorted(self.segments.items())) or "none"
            out.append(f"segments per language: {langs}")
        if self.translated:
            out.append("translated segments: " + ", ".join(f"{k}={v}" for k, v in sorted(self.translated.items())))
        if self.passages is not None:
            out.append(f"parallel passages: {self.passages}")
        return out + [f"time: {self.seconds:.1f} s"]


def error_record(doc_id: str, source: str, message: str) -> dict[str, Any]:
    return {"id": doc_id, "source": source, "error": message}


def safe_process(process: Processor, doc: Document) -> dict[str, Any]:
    """The function's record, or an error record naming the document's source and the problem."""
    try:
        return process(doc)
    except Exception as exc:  # one bad document must not stop the batch
        message = f"{type(exc).__name__}: {exc}".splitlines()[0]
        return error_record(doc.id, str(doc.metadata.get("source", doc.id)), message)


def load(item: Document | FileRef | dict[str, Any]) -> Document | dict[str, Any]:
    """A document, reading it first when it is still a file; an error record when it cannot be
    read (an error record given stays as it is)."""
    if not isinstance(item, FileRef):
        return item
    loaded = item.load()
    return error_record(loaded.id, loaded.source, loaded.message) if isinstance(loaded, ReadError) else loaded


def process_many(processor: Processor, items: list[Document | FileRef | dict[str, Any]]) -> list[dict[str, Any]]:
    """The records of a batch of documents (files read here; an error record already made is
    passed on), in order: through the processor's ``many`` where it has one (it may batch work
    across documents, e.g. translation), else one by one."""
    loaded = [load(item) for item in items]
    docs = [item for item in loaded if isinstance(item, Document)]
    many = getattr(processor, "many", None)
    records = iter(many(docs) if many is not None and len(docs) > 1 else [processor(doc) for doc in docs])
    return [next(records) if isinstance(item, Document) else item for item in loaded]


def batches(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    """Consecutive lists of ``size`` items (the last one shorter)."""
    batch: list[Any] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def run_batch(
    inputs: Iterable[Document | ReadError | FileRef],
    processor: Processor,
    output: str | Path | None,
    runner: Runner | None = None,
    resume: bool = True,
    overwrite: bool = False,
    progress: bool = False,
    total: int | None = None,
    shard_size: int | None = None,
) -> BatchSummary:
    """Process every input with ``runner`` (serial by default) and write one record per input
    to ``output`` (JSONL; ``None`` or ``-``: standard output); returns the summary.

    ``resume`` skips ids already in the output; inputs whose record there is an error are
    retried (their old error records are removed first). A second run on the same output fails
    at once (:class:`OutputLocked`). An existing output is replaced only with
    ``overwrite``, atomically: the new records go to a temporary file beside it that takes its
    place when the batch ends; without ``resume`` or ``overwrite`` an existing output is an error.

    With ``shard_size``, ``output`` is a folder of Parquet shards of that many inputs each
    (:mod:`..io.parquet`), and resuming skips the shards already written.
    """
    from .local import SerialRunner

    runner = runner or SerialRunner()
    path = Path(output) if output not in (None, "-") else None
    if path is not None and path.exists() and not path.is_dir() and not path.is_file():
        # a device or a pipe (/dev/stdout, /dev/full): written as a stream, never read back
        if shard_size is not None:
            raise NotADirectoryError(20, "Parquet output must be a folder", str(path))
        return _run_jsonl(inputs, processor, path, runner, False, False, progress, total, stream=True)
    with output_lock(path) if path is not None else nullcontext():
        if shard_size is not None:
            return _run_sharded(inputs, processor, path, runner, shard_size, progress, total)
        return _run_jsonl(inputs, processor, path, runner, resume, overwrite, progress, total)


def _run_jsonl(inputs, processor: Processor, path: Path | None, runner: Runner, resume: bool, overwrite: bool,
               progress: bool, total: int | None, stream: bool = False) -> BatchSummary:
    target = path
    if not stream and path is not None and path.exists() and path.stat().st_size:
        if overwrite:
            target = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        elif not resume:
            raise FileExistsError(f"{path} already holds records: resume, or overwrite it explicitly")
    if resume and not overwrite and not stream and path is not None and path.exists():
        drop_error_records(path)  # retried below: one record per input in the end
        skip = completed_ids(path)
    else:
        skip = set()
    try:
        with JsonlWriter(target) as writer:
            summary = _drive(inputs, processor, runner, writer.write, skip, None, progress, total)
        if target != path:
            os.replace(target, path)
    finally:
        if target != path and target is not None and target.exists():
            target.unlink()
    return summary


def _run_sharded(inputs, processor: Processor, folder: Path, runner: Runner, shard_size: int, progress: bool,
                 total: int | None) -> BatchSummary:
    from ..io.parquet import ParquetShards

    shards = ParquetShards(folder, shard_size)
    positions = iter(range(1 << 62))
    summary = _drive(inputs, processor, runner, shards.write, set(),
                     lambda doc_id: shards.expect(next(positions), doc_id), progress, total)
    shards.close()
    return summary


def _drive(inputs, processor: Processor, runner: Runner, write: Callable[[dict[str, Any]], None],
           skip: set[str], wanted: Callable[[str], bool] | None, progress: bool, total: int | None) -> BatchSummary:
    """Run the documents through the runner and hand every record to ``write`` once."""
    summary = BatchSummary()
    started = time.perf_counter()
    bar = _progress_bar(progress, total)
    written: set[str] = set()

    def emit(record: dict[str, Any]) -> None:
        if record["id"] in written:  # delivered twice (a retried task): written once
            return
        written.add(record["id"])
        write(record)
        _account(summary, record, bar)

    try:
        for record in runner.map(processor, _documents(inputs, skip, summary, emit, wanted)):
            emit(record)
    finally:
        if bar is not None:
            bar.close()
        summary.seconds = time.perf_counter() - started
    return summary


def _account(summary: BatchSummary, record: dict[str, Any], bar) -> None:
    summary.add(record)
    if "error" in record:
        line = f"{record.get('source', record['id'])}: {record['error']}"
        summary.errors.append(line)
        logger.error("%s", line)
    if bar is not None:
        bar.update(1)


def _documents(inputs: Iterable[Document | ReadError | FileRef], skip_ids: set[str], summary: BatchSummary,
               emit: Callable[[dict[str, Any]], None],
               wanted: Callable[[str], bool] | None = None) -> Iterator[Document | FileRef]:
    """Documents not yet in the output. Inputs that could not be read are written as error
    records right here. Ids are the inputs' identity (:mod:`..io.readers`): an id that comes
    again (a JSONL file that repeats its own ids, two documents given alike) is never renamed
    into another input's id; the repeat gets an error record of its own, under its source
    (``feed.jsonl:7``), saying which input holds the id. ``wanted``, asked once per input in
    order, can skip inputs too (shards already written)."""
    first: dict[str, str] = {}  # id → the source of the input that has it
    for position, item in enumerate(inputs):
        source = item.source if isinstance(item, (ReadError, FileRef)) else str(item.metadata.get("source", item.id))
        if item.id in first:
            repeat = error_record(_repeat_id(source, position, first), source,
                                  f"duplicate id {item.id!r}: already the id of {first[item.id]}")
            item = ReadError(repeat["id"], source, repeat["error"])
        first.setdefault(item.id, source)
        if item.id in skip_ids or (wanted is not None and not wanted(item.id)):
            summary.skipped += 1
            continue
        if isinstance(item, ReadError):
            emit(error_record(item.id, item.source, item.message))
        else:
            yield item


def _repeat_id(source: str, position: int, taken: dict[str, str]) -> str:
    """The id of a repeated input's error record: its source, which is unique for files and
    JSONL lines; the input's position where even that is taken (documents given in Python)."""
    return source if source not in taken else f"{source}@{position}"


def _progress_bar(enabled: bool, total: int | None):
    """documents/s always; an ETA when the number of inputs is known."""
    if not enabled:
        return None
    from tqdm import tqdm

    return tqdm(total=total, unit="doc", desc="documents", file=sys.stderr, dynamic_ncols=True)
