"""The one batch path: every input gives exactly one output record, whatever runs the documents.

A *runner* (:mod:`.local`: serial or a process pool; :mod:`.ray`: Ray Data) maps a picklable
per-document *processor* over documents and yields records. Everything else stays here, on
the driver, shared by every runner: reading errors become error records, inputs already in the
output are skipped (resume, by each input's ``key``, :mod:`..io.readers`), a record the runner
delivers twice (a retried task) is written once, the single fsync'd writer, the signature
written once per output (:class:`..io.writers.SignatureFile`; each record names it by its
digest), the summary and progress.
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
from typing import Any, Callable, Iterable, Iterator, Protocol

from ..io.readers import FileRef, ReadError, input_key
from ..io.records import document_key, error_record, safe_process
from ..io.writers import JsonlWriter, SignatureFile, completed_keys, drop_error_records, remove_stale_temporaries
from ..logs import logger
from ..types import Document

class Processor(Protocol):
    """What a runner runs: the per-document step of a batch. Picklable (a worker process or a
    Ray actor receives it), its models built in :meth:`setup`, once per process, and never
    raising for a document (a failure is that document's error record)."""

    def setup(self) -> None:
        """Load what the step needs (models); called once in each process before documents."""

    def __call__(self, doc: Document) -> dict[str, Any]:
        """The record of one document."""

    def many(self, docs: list[Document]) -> list[dict[str, Any]]:
        """The records of several documents, in order (work may be shared across them)."""

    def split(self) -> tuple[Callable[[list[Document]], list[dict[str, Any]]],
                             Callable[[list[Document], list[dict[str, Any]]], list[dict[str, Any]]]] | None:
        """Two steps a runner may place apart (first: documents → JSON-able states; second:
        documents and states → records), or ``None``."""


class FunctionProcessor:
    """A plain function of a document as a :class:`Processor` (one document at a time)."""

    def __init__(self, function: Callable[[Document], dict[str, Any]]):
        self.function = function

    def setup(self) -> None:
        pass

    def __call__(self, doc: Document) -> dict[str, Any]:
        return safe_process(self.function, doc)

    def many(self, docs: list[Document]) -> list[dict[str, Any]]:
        return [self(doc) for doc in docs]

    def split(self) -> None:
        return None


def as_processor(processor: Processor | Callable[[Document], dict[str, Any]]) -> Processor:
    """``processor`` itself, or a plain function wrapped as one."""
    return processor if _is_processor(processor) else FunctionProcessor(processor)


def _is_processor(obj: Any) -> bool:
    return all(callable(getattr(type(obj), name, None)) for name in ("setup", "many", "split", "__call__"))


class OutputLocked(RuntimeError):
    """Another run is writing the same output."""


@contextmanager
def output_lock(output: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``output`` (through ``.NAME.lock`` beside it) while a run
    writes it; a second run fails at once, naming the process that holds it."""
    import fcntl

    real = Path(os.path.realpath(output))  # one lock per file, however its path is spelled
    lock = real.parent / f".{real.name}.lock"
    fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
    held = [fd]
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 64, 0).decode(errors="replace").strip() or "unknown"
            raise OutputLocked(f"{output} is being written by another run (pid {holder})") from None
        if real.is_file():  # a hard link names the same file by another path: lock the file too
            held.append(os.open(real, os.O_RDONLY))
            try:
                fcntl.flock(held[-1], fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise OutputLocked(f"{output} is being written by another run (through another name)") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        yield
    finally:
        for handle in held:
            os.close(handle)  # releases the locks


class Runner(ABC):
    """Runs a processor over documents; yields each document's record exactly once, in any order.
    A document may still be a :class:`FileRef`: the runner reads it where it processes it
    (:func:`load`), so that a driver does not read every byte of a large batch."""

    name: str = "runner"
    #: what the run should say in its summary (a lost node …), filled while it runs
    notes: list[str]

    def __new__(cls, *args: Any, **kwargs: Any) -> "Runner":
        runner = super().__new__(cls)
        runner.notes = []
        return runner

    @abstractmethod
    def map(self, processor: Processor, documents: Iterator[Document | FileRef]) -> Iterator[dict[str, Any]]:
        """Records of ``documents``; ``processor`` never raises (see :func:`safe_process`)."""


class SerialRunner(Runner):
    """The documents one batch after another, in this process."""

    name = "serial"

    def __init__(self, batch_size: int = 1):
        self.batch_size = batch_size

    def map(self, processor: Processor, documents: Iterator[Document]) -> Iterator[dict[str, Any]]:
        for batch in batches(documents, self.batch_size):
            yield from process_many(processor, batch)


@dataclass
class BatchSummary:
    """What a batch did: counts per outcome, segments per language (and translated ones),
    passages, seconds. Segments and passages are counted (and reported) only where the records
    carry them: ``segment`` looks for no passages, and ``align``'s records hold passages only."""

    done: int = 0
    failed: int = 0
    skipped: int = 0
    shared_ids: int = 0
    segments: Counter | None = None
    translated: Counter = field(default_factory=Counter)
    passages: int | None = None
    pairs: int = 0
    flagged_translations: Counter = field(default_factory=Counter)
    flagged_pairs: Counter = field(default_factory=Counter)
    seconds: float = 0.0
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, record: dict[str, Any]) -> None:
        if "error" in record:
            self.failed += 1
            return
        self.done += 1
        if "flags" in record:  # a verdict of its own (score-pairs)
            self.pairs += 1
            self.flagged_pairs.update(record["flags"])
            self.flagged_pairs["any"] += bool(record["flags"])
        if "segments" in record:
            self.segments = self.segments if self.segments is not None else Counter()
            self.segments.update(seg["lang"] for seg in record["segments"])
            self.translated.update(seg["lang"] for seg in record["segments"] if "translation" in seg)
            for seg in record["segments"]:
                quality = (seg.get("translation") or {}).get("quality")
                if quality is not None:
                    self.flagged_translations["scored"] += 1
                    self.flagged_translations.update(quality.get("flags") or [])
                    self.flagged_translations["any"] += bool(quality.get("flags"))
        if "passages" in record:
            self.passages = (self.passages or 0) + len(record["passages"])
            for passage in record["passages"]:
                for pair in passage.get("pairs", []):
                    self.pairs += 1
                    flags = (pair.get("quality") or {}).get("flags") or []
                    self.flagged_pairs.update(flags)
                    self.flagged_pairs["any"] += bool(flags)

    def lines(self) -> list[str]:
        out = [f"documents: {self.done} done, {self.failed} failed, {self.skipped} skipped (already in output)"]
        if self.shared_ids:
            out.append(f"ids shared by more than one input: {self.shared_ids} (each input has its record; "
                       "'source' tells them apart)")
        if self.segments is not None:
            langs = ", ".join(f"{k}={v}" for k, v in sorted(self.segments.items())) or "none"
            out.append(f"segments per language: {langs}")
        if self.translated:
            out.append("translated segments: " + ", ".join(f"{k}={v}" for k, v in sorted(self.translated.items())))
        if self.flagged_translations["scored"]:
            out.append(f"flagged translations: {_flag_counts(self.flagged_translations, self.flagged_translations['scored'])}")
        if self.passages is not None:
            out.append(f"parallel passages: {self.passages}")
        if self.pairs:
            out.append(f"flagged sentence pairs: {_flag_counts(self.flagged_pairs, self.pairs)}")
        return out + self.notes + [f"time: {self.seconds:.1f} s"]


def _flag_counts(counts: Counter, total: int) -> str:
    """``3 of 40 (numbers 2, length 1)``: how many were flagged, and by which flag."""
    flags = ", ".join(f"{flag} {n}" for flag, n in counts.most_common() if flag not in ("any", "scored") and n)
    return f"{counts['any']} of {total}" + (f" ({flags})" if flags else "")


def load(item: Document | FileRef | dict[str, Any]) -> Document | dict[str, Any]:
    """A document, reading it first when it is still a file; an error record when it cannot be
    read (an error record given stays as it is)."""
    if not isinstance(item, FileRef):
        return item
    loaded = item.load()
    return error_record(loaded.id, loaded.source, loaded.message, loaded.key) if isinstance(loaded, ReadError) else loaded


def process_many(processor: Processor, items: list[Document | FileRef | dict[str, Any]]) -> list[dict[str, Any]]:
    """The records of a batch of documents (files read here; an error record already made is
    passed on), in order, through the processor's ``many`` (it may batch work across documents,
    e.g. translation)."""
    loaded = [load(item) for item in items]
    records = iter(processor.many([item for item in loaded if isinstance(item, Document)]))
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
    signature: str = "digest",
    sinks: Iterable[Any] = (),
) -> BatchSummary:
    """Process every input with ``runner`` (serial by default) and write one record per input
    to ``output`` (JSONL; ``None`` or ``-``: standard output); returns the summary.

    ``resume`` skips inputs already in the output (by key); inputs whose record there is an
    error are retried (their old error records are removed first). A second run on the same
    output fails at once (:class:`OutputLocked`), whatever path or link names it. An existing
    output is replaced only with ``overwrite``, atomically: the new records go to a temporary
    file beside it that takes its place when the batch ends (one that a killed run left is
    removed by the next); without ``resume`` or ``overwrite`` an existing output is an error.

    ``signature``: ``digest`` (each record names its signature by its digest; the signatures
    themselves are written once, to ``OUT.signatures.json`` beside a file output) or ``full``
    (each record carries its whole signature, as records written to a stream always do).

    With ``shard_size``, ``output`` is a folder of Parquet files of up to that many records each
    (:mod:`..io.parquet`), resumed by key as well. ``sinks``: more writers that every record is
    handed to as it is written (pair files, :mod:`..io.pairs`); each is closed at the end.
    """
    runner = runner or SerialRunner()
    processor = as_processor(processor)
    path = Path(output) if output not in (None, "-") else None
    if path is not None and path.exists() and not path.is_dir() and not path.is_file():
        # a device or a pipe (/dev/stdout, /dev/full): written as a stream, never read back
        if shard_size is not None:
            raise NotADirectoryError(20, "Parquet output must be a folder", str(path))
        return _run_jsonl(inputs, processor, path, runner, False, False, progress, total, "full", sinks, stream=True)
    if path is not None:
        _check_folder(path)
    with output_lock(path) if path is not None else nullcontext():
        if path is not None:
            remove_stale_temporaries(path)
        if shard_size is not None:
            return _run_sharded(inputs, processor, path, runner, shard_size, resume, overwrite, progress, total,
                                signature, sinks)
        return _run_jsonl(inputs, processor, path, runner, resume, overwrite, progress, total,
                          signature if path is not None else "full", sinks)


class WholeOutput:
    """The path to disk of a command whose result is whole, not per input (``align-docs``,
    ``align-corpus``): the output locked while it is written (:func:`output_lock`), its files
    written to temporaries beside them that take their places only when the command succeeds
    (a killed run leaves the old files whole, and the next run removes its temporaries), and an
    existing file replaced only with ``overwrite``.

    >>> with WholeOutput(Path("pairs.jsonl"), overwrite=True) as out:
    ...     with JsonlWriter(out.place("pairs.jsonl")) as writer: ...
    """

    def __init__(self, base: str | Path, overwrite: bool = False):
        self.base = Path(base)
        self.overwrite = overwrite
        self._temps: dict[Path, Path] = {}
        self._lock = output_lock(self.base)

    def __enter__(self) -> "WholeOutput":
        _check_folder(self.base)
        self._lock.__enter__()
        remove_stale_temporaries(self.base)
        return self

    def place(self, path: str | Path) -> Path:
        """Where to write ``path`` now (a temporary beside it); it takes the place at the end."""
        path = Path(path)
        if path.exists() and (path.is_dir() or path.stat().st_size) and not self.overwrite:
            raise FileExistsError(f"{path} already exists: --overwrite replaces it")
        if path != self.base:
            remove_stale_temporaries(path)
        self._temps[path] = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        return self._temps[path]

    def __exit__(self, kind, exc, tb) -> None:
        try:
            if kind is None:
                for path, tmp in self._temps.items():
                    if tmp.exists():
                        os.replace(tmp, path)
        finally:
            for tmp in self._temps.values():
                tmp.unlink(missing_ok=True)
            self._lock.__exit__(kind, exc, tb)


def _check_folder(path: Path) -> None:
    """The output's folder must be there: a run never creates folders of a mistyped path."""
    parent = path.parent
    for above in [parent, *parent.parents]:
        if above.exists():
            if not above.is_dir():
                raise NotADirectoryError(20, "Not a directory (a file where a folder is needed)", str(above))
            break
    if not parent.is_dir():
        raise FileNotFoundError(2, "No such folder (create it first)", str(parent))


def _run_jsonl(inputs, processor: Processor, path: Path | None, runner: Runner, resume: bool, overwrite: bool,
               progress: bool, total: int | None, signature: str, sinks: Iterable[Any],
               stream: bool = False) -> BatchSummary:
    target = path
    if not stream and path is not None and path.exists() and path.stat().st_size:
        if overwrite:
            target = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        elif not resume:
            raise FileExistsError(f"{path} already holds records: resume, or overwrite it explicitly")
    if resume and not overwrite and not stream and path is not None and path.exists():
        drop_error_records(path)  # retried below: one record per input in the end
        skip = completed_keys(path)
    else:
        skip = set()
    signatures = SignatureFile(path, replace=target != path) if signature == "digest" and path is not None else None
    try:
        with JsonlWriter(target) as writer:
            summary = _drive(inputs, processor, runner, writer.write, skip, progress, total, signatures, sinks)
        if signatures is not None:
            signatures.commit()
        if target != path:
            os.replace(target, path)
    finally:
        if target != path and target is not None and target.exists():
            target.unlink()
        if signatures is not None:
            signatures.discard()
    return summary


def _run_sharded(inputs, processor: Processor, folder: Path, runner: Runner, shard_size: int, resume: bool,
                 overwrite: bool, progress: bool, total: int | None, signature: str,
                 sinks: Iterable[Any]) -> BatchSummary:
    from ..io.parquet import ParquetShards

    shards = ParquetShards(folder, shard_size, overwrite=overwrite, resume=resume)
    signatures = SignatureFile(None, replace=overwrite, path=shards.signature_path) if signature == "digest" else None
    try:
        summary = _drive(inputs, processor, runner, shards.write, shards.done_keys(), progress, total,
                         signatures, sinks)
        shards.close()
        if signatures is not None:
            signatures.commit()
        shards.commit()
    finally:
        shards.discard()
        if signatures is not None:
            signatures.discard()
    return summary


def _drive(inputs, processor: Processor, runner: Runner, write: Callable[[dict[str, Any]], None],
           skip: set[str], progress: bool, total: int | None, signatures: SignatureFile | None,
           sinks: Iterable[Any] = ()) -> BatchSummary:
    """Run the documents through the runner and hand every record to ``write`` once."""
    summary = BatchSummary()
    started = time.perf_counter()
    bar = _progress_bar(progress, total)
    written: set[str] = set()
    sinks = list(sinks)

    def emit(record: dict[str, Any]) -> None:
        key = record.get("key") or input_key("document", record["id"])
        if key in written:  # delivered twice (a retried task): written once
            return
        written.add(key)
        record = {**record, "key": key}
        if signatures is not None and isinstance(record.get("signature"), dict):
            record["signature"] = signatures.add(record["signature"])
        write(record)
        for sink in sinks:
            sink.write(record)
        _account(summary, record, bar)

    try:
        for record in runner.map(processor, _documents(inputs, skip, summary, emit)):
            emit(record)
    finally:
        if bar is not None:
            bar.close()
        for sink in sinks:
            sink.close()
        summary.notes.extend(runner.notes)
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


def _documents(inputs: Iterable[Document | ReadError | FileRef], skip_keys: set[str], summary: BatchSummary,
               emit: Callable[[dict[str, Any]], None]) -> Iterator[Document | FileRef]:
    """Documents not yet in the output. Inputs that could not be read are written as error
    records right here. Inputs are known by their key (:mod:`..io.readers`): the same input
    given twice (two documents made in Python with one id) gets an error record for the
    repeat; two inputs that carry the same caller id are both processed (the summary counts
    such ids)."""
    keys: dict[str, str] = {}  # key → the source of the input that has it
    ids: Counter = Counter()
    for position, item in enumerate(inputs):
        if isinstance(item, (ReadError, FileRef)):
            source, key = item.source, item.key
        else:
            source, key = str(item.metadata.get("source", item.id)), document_key(item)
        ids[item.id] += 1
        if ids[item.id] == 2:
            summary.shared_ids += 1
        if key in keys:
            message = f"the same input again: already read as {keys[key]}"
            key = input_key("repeat", key, position)
            item = ReadError(item.id, source, message, key)
        keys.setdefault(key, source)
        if key in skip_keys:
            summary.skipped += 1
            continue
        if isinstance(item, ReadError):
            emit(error_record(item.id, item.source, item.message, item.key))
        else:
            yield item


def _progress_bar(enabled: bool, total: int | None):
    """documents/s always; an ETA when the number of inputs is known."""
    if not enabled:
        return None
    from tqdm import tqdm

    return tqdm(total=total, unit="doc", desc="documents", file=sys.stderr, dynamic_ncols=True)
