"""Runners on this machine: serial (:class:`.base.SerialRunner`), and a pool of worker processes (spawned, each builds the
processor's models once). Both hand the processor ``batch_size`` documents at a time (see
:func:`.base.process_many`) and deliver records in input order."""

from __future__ import annotations

import multiprocessing
import os
import sys
import threading
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from typing import Any, Iterator

from ..logs import logger
from ..types import Document
from .base import Processor, Runner, batches, process_many

_worker: Processor | None = None  # the processor of this worker process (set once, at start)


class ProcessPoolRunner(Runner):
    """``workers`` processes, capped at the CPU count (more only load more models)."""

    name = "processes"

    def __init__(self, workers: int, batch_size: int = 1):
        cpus = os.cpu_count() or 1
        if workers > cpus:
            logger.info("--workers %d capped at the %d CPUs of this machine", workers, cpus)
        self.workers = max(1, min(workers, cpus))
        self.batch_size = batch_size

    def map(self, processor: Processor, documents: Iterator[Document]) -> Iterator[dict[str, Any]]:
        # spawn, not fork: forking a process that holds OpenMP and torch thread pools can deadlock
        context = multiprocessing.get_context("spawn")
        pool = ProcessPoolExecutor(max_workers=self.workers, mp_context=context, initializer=_start,
                                   initargs=(processor, os.getpid()))
        finished = False
        try:
            pending: list[Future] = []
            for batch in batches(documents, self.batch_size):
                with _main_module_hidden(processor):
                    pending.append(pool.submit(_process, batch))
                while len(pending) > 2 * self.workers:
                    yield from pending.pop(0).result()
            for item in pending:
                yield from item.result()
            finished = True
        finally:
            if finished:
                pool.shutdown(wait=True)
            else:  # interrupted (Ctrl-C, SIGTERM, an error): stop the workers, leave no orphans
                _stop(pool)


def _stop(pool: ProcessPoolExecutor) -> None:
    # the executor keeps no public handle on its processes and manager thread; shutdown() drops
    # its own, so both are taken first
    processes = list((pool._processes or {}).values())
    manager = getattr(pool, "_executor_manager_thread", None)
    pool.shutdown(wait=False, cancel_futures=True)
    for proc in processes:
        proc.terminate()
    for proc in processes:
        proc.join(timeout=5)
    # the manager thread sees the workers gone and ends; joined here, it cannot race the
    # interpreter's exit (a traceback about a closed pipe at shutdown)
    if manager is not None:
        # a worker stopped while it sent its results leaves half a message in the result pipe,
        # and the manager thread would wait for the rest for ever (this process holds the pipe's
        # writing end too), and with it the interpreter's exit, which joins that thread. Closing
        # this process's writing end (the workers are gone: nobody else writes) ends that wait
        # with an end of file, and the thread winds the pool up as broken
        manager.result_queue._writer.close()
        manager.join(timeout=5)


@contextmanager
def _main_module_hidden(processor: Processor) -> Iterator[None]:
    """Workers started meanwhile do not import the caller's script again. A spawned process
    runs the main module of its parent before its work; a script that calls ``run_batch`` at
    its top level, without ``if __name__ == "__main__":``, would run its batch once more in
    every worker. The processor comes from this package, so a worker needs nothing of the
    script; where it does come from the script, the script is imported as usual."""
    main = sys.modules.get("__main__")
    if main is None or type(processor).__module__ == "__main__" or not getattr(main, "__file__", None):
        yield
        return
    saved = {name: main.__dict__[name] for name in ("__file__", "__spec__") if name in main.__dict__}
    main.__dict__.pop("__file__", None)
    main.__spec__ = None
    try:
        yield
    finally:
        main.__dict__.update(saved)


def _start(processor: Processor, parent: int) -> None:
    global _worker
    import torch

    torch.set_num_threads(1)
    _worker = processor
    try:
        processor.setup()  # the models, once, before any document (a failure: each document's error record)
    except Exception as exc:  # noqa: BLE001
        logger.debug("worker set-up failed (%s); each document will say why", exc)
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True, name="parent-watch").start()


def _watch_parent(parent: int, every: float = 1.0) -> None:
    """End this worker when the process that started it is gone (killed with SIGKILL, or by the
    kernel's OOM killer, it had no chance to stop its workers): an orphan would hold its models'
    memory for good."""
    import time

    while True:
        time.sleep(every)
        if os.getppid() != parent:
            os._exit(1)


def _process(docs: list[Document]) -> list[dict[str, Any]]:
    assert _worker is not None
    return process_many(_worker, docs)
