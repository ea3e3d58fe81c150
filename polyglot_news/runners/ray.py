"""Ray Data runner: documents as a dataset, processed by a pool of actors (one set of models per
actor, built once in ``__init__``), records streamed back to the driver, which writes them.
The driver lists the inputs (ids, resume); text files are read by a read operator on the
workers, so their paths must be visible there (a shared file system); JSONL lines, whose ids
are inside, are read by the driver.

Without an address a local Ray starts on this machine; with one (``auto``, ``ray://HOST:PORT``)
the run joins that cluster. A worker that dies is restarted by Ray and its batch retried; a
record delivered twice is written once by the driver (:func:`.base.run_batch`), so nothing is
lost or doubled. For users already in Ray, :func:`map_records` maps a dataset with ``id`` and
``text`` columns to a dataset of records. :class:`RayEncoder` computes sentence vectors on the
cluster (``align-corpus --engine ray``).
"""

from __future__ import annotations

import json
import os
import socket
from contextlib import contextmanager
from typing import Any, Callable, Iterator

from ..alignment.encoders import Encoder
from ..config import CacheConfig, EncoderConfig, RunnerConfig
from ..types import Document
from ..io.readers import FileRef
from .base import Processor, Runner, as_processor, error_record, load, process_many


def _documents(batch: dict[str, Any]) -> list[Document | dict[str, Any]]:
    """The batch's documents; an error record where the read operator could not read one."""
    errors = batch.get("error", [""] * len(batch["id"]))
    items: list[Document | dict[str, Any]] = []
    for doc_id, text, meta, error in zip(batch["id"], batch["text"], batch["metadata"], errors):
        meta = json.loads(meta)
        items.append(error_record(str(doc_id), meta.get("source", str(doc_id)), str(error), meta.get("key"))
                     if error else Document(str(doc_id), str(text), meta))
    return items


def _read(batch: dict[str, Any]) -> dict[str, Any]:
    """The read operator: the text files of a batch read on the worker that runs it (the driver
    only lists them); a file that cannot be read gets its error here."""
    out = {k: list(v) for k, v in batch.items()}
    out["error"] = [""] * len(out["id"])
    for k, path in enumerate(out["path"]):
        if path:
            key = json.loads(out["metadata"][k]).get("key", "")
            loaded = load(FileRef(str(out["id"][k]), str(path), key, int(out["max_bytes"][k])))
            if isinstance(loaded, Document):
                out["text"][k] = loaded.text
            elif not os.path.exists(path):  # listed on the driver, not there on this node
                out["error"][k] = (f"not found on Ray node {socket.gethostname()}: text files are read on the node "
                                   "that processes them, so their paths must be the same on every node (a shared "
                                   "file system); or give the documents as JSONL, which the driver reads")
            else:
                out["error"][k] = loaded["error"]
    return out


class _Actor:
    """One Ray Data actor: the processor, or one of its two steps, its models loaded once.
    ``mode``: ``record`` (documents → records, through the processor's ``many``), ``state``
    (documents → the first step's states, a batch at once), ``finish`` (documents and states → records, a batch at
    once, so that translation batches across documents)."""

    mode = "record"

    def __init__(self, step: Callable, setup: Callable | None = None):
        if setup is not None:
            setup()
        self.step = step

    def __call__(self, batch: dict[str, Any]) -> dict[str, Any]:
        items = _documents(batch)
        if self.mode == "state":
            states = iter(self.step([d for d in items if isinstance(d, Document)]))
            out = [json.dumps(next(states) if isinstance(d, Document) else d, ensure_ascii=False) for d in items]
            return {**{k: list(v) for k, v in batch.items()}, "state": out}  # the document goes on
        if self.mode == "finish":  # an unreadable document's state is its error record already
            records = self.step([_as_document(d) for d in items], [json.loads(state) for state in batch["state"]])
        else:
            records = process_many(self.step, items)
        return {"id": [str(i) for i in batch["id"]], "record": [json.dumps(r, ensure_ascii=False) for r in records]}


def _as_document(item: Document | dict[str, Any]) -> Document:
    return item if isinstance(item, Document) else Document(item["id"], "", {"source": item.get("source")})


def _bound(step: Callable, setup: Callable[[], None], mode: str = "record") -> type:
    """An actor class that carries its step itself: no constructor arguments in the object
    store, so a restarted actor never finds them gone (ray-project/ray#53727). ``setup``: the
    processor's, run once when the actor starts."""

    class Actor(_Actor):
        def __init__(self):
            super().__init__(step, setup)

    Actor.mode = mode
    return Actor


def map_records(dataset, processor: Processor, concurrency: int | None = None, batch_size: int | None = None,
                num_gpus: float = 0):
    """A Ray Dataset of ``{"id", "record"}`` (the record as JSON) from one with ``id`` and ``text``
    columns (and optionally ``metadata``, a JSON object as text). A processor that splits into
    two steps (segmentation, then translation and passages) runs as two operators: CPU actors,
    then actors that hold the translation models (and ``num_gpus`` GPUs each)."""
    from ray.data import ActorPoolStrategy

    if "metadata" not in dataset.schema().names:
        dataset = dataset.map(lambda row: {**row, "metadata": "{}"})
    concurrency = concurrency or 1
    batch_size = batch_size or RunnerConfig().documents_per_batch
    processor = as_processor(processor)
    steps = processor.split()
    common = {"batch_size": batch_size, "batch_format": "numpy", "zero_copy_batch": True}
    if steps is None:
        return dataset.map_batches(_bound(processor, processor.setup), compute=ActorPoolStrategy(size=concurrency),
                                   num_gpus=num_gpus, **common)
    first, second = steps
    cpu_actors = max(1, concurrency // 2) if not num_gpus else concurrency
    model_actors = max(1, concurrency - cpu_actors) if not num_gpus else concurrency
    segmented = dataset.map_batches(_bound(first, processor.setup, "state"), compute=ActorPoolStrategy(size=cpu_actors),
                                    num_cpus=1, **common)
    return segmented.map_batches(_bound(second, processor.setup, "finish"),
                                 compute=ActorPoolStrategy(size=model_actors),
                                 num_gpus=num_gpus, **common)


class RayRunner(Runner):
    """Process documents on a Ray cluster (local when ``address`` is ``None``)."""

    name = "ray"

    def __init__(self, address: str | None = None, concurrency: int | None = None, batch_size: int | None = None,
                 num_gpus: float = 0):
        self.address, self.concurrency, self.batch_size, self.num_gpus = address, concurrency, batch_size, num_gpus

    def _connect(self):
        import logging
        import os

        from ..logs import logger

        verbose = logger.isEnabledFor(logging.DEBUG)
        # Ray's own console output (its core's log lines, notices, progress bars) only with -v
        os.environ.setdefault("RAY_BACKEND_LOG_LEVEL", "debug" if verbose else "fatal")
        if self.address is None:
            # a Ray of this machine alone: its processes talk over loopback, not the network
            os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")
        import ray
        import ray.data  # sets up its own logging when first imported: quiet it after that

        level = logging.DEBUG if verbose else logging.ERROR
        for name in ("ray", "ray.data", "ray.data._internal.progress", "ray._private.worker"):
            logging.getLogger(name).setLevel(level)
        if not ray.is_initialized():
            with _quiet_stderr(not verbose):
                ray.init(address=self.address, include_dashboard=False, log_to_driver=False,
                         configure_logging=False, logging_level=level)
        ray.data.DataContext.get_current().enable_progress_bars = False
        return ray

    def map(self, processor: Processor, documents: Iterator[Document | FileRef]) -> Iterator[dict[str, Any]]:
        rows = [_row(d) for d in documents]
        if not rows:
            return
        ray = self._connect()
        watch = _NodeWatch(ray)
        concurrency = self.concurrency or max(1, int(ray.available_resources().get("CPU", 1)))
        # the driver ships paths; a read operator reads the files on the cluster's workers
        dataset = ray.data.from_items(rows, override_num_blocks=max(1, min(len(rows), 4 * concurrency)))
        dataset = dataset.map_batches(_read, batch_size=self.batch_size, batch_format="numpy")
        try:
            for row in map_records(dataset, processor, concurrency, self.batch_size, self.num_gpus).iter_rows():
                yield json.loads(row["record"])
        finally:
            lost = watch.stop()
            if lost:
                self.notes.append(f"Ray nodes lost during the run: {lost} (their documents were run again on the "
                                  "nodes left; each has one record)")


class _NodeWatch:
    """The cluster's nodes, looked at every few seconds while a run goes on: how many of those
    alive at its start Ray has found dead (its health check takes about 15 s to tell)."""

    def __init__(self, ray, every: float = 2.0):
        import threading

        self.ray, self.every = ray, every
        self.start = self._alive()
        self.dead: set[str] = set()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name="ray-node-watch")
        self._thread.start()

    def _alive(self) -> set[str]:
        try:
            return {node["NodeID"] for node in self.ray.nodes() if node["Alive"]}
        except Exception:  # noqa: BLE001 - the cluster's state is only a note
            return set()

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            now = self._alive()
            if now:
                self.dead |= self.start - now

    def stop(self) -> int:
        self._stop.set()
        self._thread.join(timeout=5)
        now = self._alive()
        if now:
            self.dead |= self.start - now
        return len(self.dead)


def _row(item: Document | FileRef) -> dict[str, Any]:
    if isinstance(item, FileRef):
        return {"id": item.id, "text": "",
                "metadata": json.dumps({"source": item.source, "key": item.key}, ensure_ascii=False),
                "path": item.source, "max_bytes": item.max_bytes}
    return {"id": item.id, "text": item.text, "metadata": json.dumps(item.metadata, ensure_ascii=False),
            "path": "", "max_bytes": 0}


@contextmanager
def _quiet_stderr(quiet: bool) -> Iterator[None]:
    """Standard error closed for the duration, at the level of its file descriptor: Ray's core
    prints notices there itself (token authentication …), which no logger reaches."""
    import os
    import sys

    if not quiet:
        yield
        return
    sys.stderr.flush()
    saved = os.dup(2)
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 2)
    try:
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(null)


def connect(address: str | None = None):
    """The ``ray`` module, connected to the cluster at ``address`` (a local Ray without one)."""
    return RayRunner(address)._connect()


class RayEncoder(Encoder):
    """An encoder whose vectors are computed on a Ray cluster: the sentences go out in batches
    of ``batch_size`` to a pool of actors, each holding the configured encoder (loaded once per
    actor), and come back in order. The driver keeps the embedding cache: wrap this encoder in
    a :class:`~polyglot_news.alignment.embedding_cache.CachedEncoder` and only sentences it has
    not seen travel. Its settings are the configured encoder's, so cached vectors are shared
    with local runs."""

    def __init__(self, config: EncoderConfig, address: str | None = None, concurrency: int | None = None):
        from ..alignment.encoding import encoder_from_config

        self.config = config.model_copy(update={"cache": CacheConfig(enabled=False)})
        self.address, self.concurrency = address, concurrency
        self._local = encoder_from_config(self.config)
        if self._local is None:
            raise ValueError("the Ray encoder needs a sentence encoder (alignment.encoder.backend)")
        self.name = self._local.name

    def encode(self, sentences):
        import numpy as np
        from ray.data import ActorPoolStrategy

        sentences = list(sentences)
        if not sentences:
            return self._local.encode([])
        ray = connect(self.address)
        concurrency = self.concurrency or max(1, int(ray.available_resources().get("CPU", 1)))
        rows = [{"i": i, "text": s} for i, s in enumerate(sentences)]
        blocks = max(1, min(len(rows) // self.config.batch_size + 1, 4 * concurrency))
        dataset = ray.data.from_items(rows, override_num_blocks=blocks)
        vectors = dataset.map_batches(_encoder_actor(self.config.model_dump_json()), batch_size=self.config.batch_size,
                                      batch_format="numpy", compute=ActorPoolStrategy(size=concurrency))
        out, done = None, np.zeros(len(sentences), dtype=bool)
        for batch in vectors.iter_batches(batch_format="numpy", batch_size=None):
            if out is None:
                out = np.zeros((len(sentences), batch["vector"].shape[1]), dtype=np.float32)
            out[batch["i"]] = batch["vector"]
            done[batch["i"]] = True
        if out is None or not done.all():
            raise RuntimeError(f"the Ray encoder returned {int(done.sum())} of {len(sentences)} vectors")
        return out

    def settings(self) -> dict[str, Any]:
        return self._local.settings()


def _encoder_actor(config_json: str) -> type:
    """An actor class that carries its encoder's config itself (no constructor arguments in the
    object store, as :func:`_bound`)."""

    class EncoderActor:
        def __init__(self):
            from ..alignment.encoding import encoder_from_config

            self.encoder = encoder_from_config(EncoderConfig.model_validate_json(config_json))

        def __call__(self, batch: dict[str, Any]) -> dict[str, Any]:
            return {"i": batch["i"], "vector": self.encoder.encode([str(t) for t in batch["text"]])}

    return EncoderActor
