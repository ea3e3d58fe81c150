"""Run one per-document function over a stream of inputs, losing nothing.

Every input gives exactly one output record: the function's result, or ``{"id", "error"}`` when
reading or processing failed. Records already in the output (by id) are skipped, so a killed run
resumes where it stopped. With ``workers > 1`` documents are processed in worker processes and
written in input order.
"""

from __future__ import annotations

import multiprocessing
import sys
import time
from collections import Counter
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Iterator

from .io.readers import ReadError
from .io.writers import JsonlWriter
from .types import Document

Process = Callable[[Document], dict[str, Any]]


@dataclass
class BatchSummary:
    """What a batch did: counts per outcome, segments per language, passages, seconds."""

    done: int = 0
    failed: int = 0
    skipped: int = 0
    segments: Counter = field(default_factory=Counter)
    passages: int = 0
    seconds: float = 0.0
    errors: list[str] = field(default_factory=list)

    def add(self, record: dict[str, Any]) -> None:
        if "error" in record:
            self.failed += 1
            return
        self.done += 1
        for seg in record.get("segments", []):
            self.segments[seg["lang"]] += 1
        self.passages += len(record.get("passages", []))

    def lines(self) -> list[str]:
        langs = ", ".join(f"{k}={v}" for k, v in sorted(self.segments.items())) or "none"
        return [
            f"documents: {self.done} done, {self.failed} failed, {self.skipped} skipped (already in output)",
            f"segments per language: {langs}",
            f"parallel passages: {self.passages}",
            f"time: {self.seconds:.1f} s",
        ]


def error_record(doc_id: str, source: str, message: str) -> dict[str, Any]:
    return {"id": doc_id, "source": source, "error": message}


def safe_process(process: Process, doc: Document) -> dict[str, Any]:
    """The function's record, or an error record naming the document's source and the problem."""
    try:
        return process(doc)
    except Exception as exc:  # one bad document must not stop the batch
        message = f"{type(exc).__name__}: {exc}".splitlines()[0]
        return error_record(doc.id, str(doc.metadata.get("source", doc.id)), message)


def run_batch(
    inputs: Iterable[Document | ReadError],
    process: Process,
    writer: JsonlWriter,
    skip_ids: set[str] | None = None,
    progress: bool = False,
    total: int | None = None,
    workers: int = 1,
    worker_init: Callable[..., None] | None = None,
    worker_args: tuple = (),
    worker_process: Process | None = None,
) -> BatchSummary:
    """Process every input and write one record per input; returns the summary."""
    summary = BatchSummary()
    skip_ids = skip_ids or set()
    started = time.perf_counter()
    bar = _progress_bar(progress, total)
    try:
        for record in _records(inputs, process, skip_ids, summary, workers, worker_init, worker_args, worker_process):
            writer.write(record)
            summary.add(record)
            if "error" in record:
                line = f"{record.get('source', record['id'])}: {record['error']}"
                summary.errors.append(line)
                print(f"error: {line}", file=sys.stderr)
            if bar is not None:
                bar.update(1)
    finally:
        if bar is not None:
            bar.close()
        summary.seconds = time.perf_counter() - started
    return summary


def _records(
    inputs: Iterable[Document | ReadError],
    process: Process,
    skip_ids: set[str],
    summary: BatchSummary,
    workers: int,
    worker_init: Callable[..., None] | None,
    worker_args: tuple,
    worker_process: Process | None,
) -> Iterator[dict[str, Any]]:
    todo = _unskipped(inputs, skip_ids, summary)
    if workers <= 1:
        for item in todo:
            yield item if isinstance(item, dict) else safe_process(process, item)
        return
    # spawn, not fork: forking a process that holds OpenMP and torch thread pools can deadlock
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=worker_init,
                             initargs=worker_args) as pool:
        pending: list[Future | dict[str, Any]] = []
        fn = worker_process or process
        for item in todo:
            pending.append(item if isinstance(item, dict) else pool.submit(safe_process, fn, item))
            while len(pending) > 4 * workers:
                yield _result(pending.pop(0))
        for item in pending:
            yield _result(item)


def _result(item: Future | dict[str, Any]) -> dict[str, Any]:
    return item if isinstance(item, dict) else item.result()


def _unskipped(
    inputs: Iterable[Document | ReadError], skip_ids: set[str], summary: BatchSummary
) -> Iterator[Document | dict[str, Any]]:
    """Inputs not yet in the output. A repeated id (two files named alike) becomes ``id#2``,
    ``id#3`` … so that every input keeps its own record and resuming still recognises it."""
    seen: Counter = Counter()
    for item in inputs:
        seen[item.id] += 1
        if seen[item.id] > 1:
            item.id = f"{item.id}#{seen[item.id]}"
        if item.id in skip_ids:
            summary.skipped += 1
            continue
        if isinstance(item, ReadError):
            yield error_record(item.id, item.source, item.message)
        else:
            yield item


def _progress_bar(enabled: bool, total: int | None):
    """documents/s always; an ETA when the number of inputs is known."""
    if not enabled:
        return None
    from tqdm import tqdm

    return tqdm(total=total, unit="doc", desc="documents", file=sys.stderr, dynamic_ncols=True)
