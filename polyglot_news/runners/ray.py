"""Ray Data runner: documents as a dataset, processed by a pool of actors (one set of models per
actor, built once in ``__init__``), records streamed back to the driver, which writes them.

Without an address a local Ray starts on this machine; with one (``auto``, ``ray://HOST:PORT``)
the run joins that cluster. A worker that dies is restarted by Ray and its batch retried; a
record delivered twice is written once by the driver (:func:`.base.run_batch`), so nothing is
lost or doubled. For users already in Ray, :func:`map_records` maps a dataset with ``id`` and
``text`` columns to a dataset of records.
"""

from __future__ import annotations

import json
from typing import Any, Callable, Iterator

from ..types import Document
from .base import Processor, Runner


def _documents(batch: dict[str, Any]) -> list[Document]:
    return [Document(str(i), str(t), json.loads(m)) for i, t, m in zip(batch["id"], batch["text"], batch["metadata"])]


class _Actor:
    """One Ray Data actor: the processor, or one of its two steps, its models loaded once.
    ``mode``: ``record`` (document → record), ``state`` (document → the first step's state),
    ``finish`` (document and state → record)."""

    mode = "record"

    def __init__(self, step: Callable, setup: Callable | None = None):
        if setup is not None:
            setup()
        self.step = step

    def __call__(self, batch: dict[str, Any]) -> dict[str, Any]:
        docs = _documents(batch)
        if self.mode == "finish":
            out = [self.step(d, json.loads(state)) for d, state in zip(docs, batch["state"])]
            return {"id": [d.id for d in docs], "record": [json.dumps(r, ensure_ascii=False) for r in out]}
        out = [json.dumps(self.step(d), ensure_ascii=False) for d in docs]
        if self.mode == "record":
            return {"id": [d.id for d in docs], "record": out}
        return {**{k: list(v) for k, v in batch.items()}, "state": out}  # the document goes on


def _bound(step: Callable, mode: str = "record") -> type:
    """An actor class that carries its step itself: no constructor arguments in the object
    store, so a restarted actor never finds them gone (ray-project/ray#53727)."""
    owner = getattr(step, "__self__", step)  # a bound method's processor: set it up once

    class Actor(_Actor):
        def __init__(self):
            super().__init__(step, getattr(owner, "setup", None))

    Actor.mode = mode
    return Actor


def map_records(dataset, processor: Processor, concurrency: int | None = None, batch_size: int = 8,
                num_gpus: float = 0):
    """A Ray Dataset of ``{"id", "record"}`` (the record as JSON) from one with ``id`` and ``text``
    columns (and optionally ``metadata``, a JSON object as text). A processor that splits into
    two steps (segmentation, then translation and passages) runs as two operators: CPU actors,
    then actors that hold the translation models (and ``num_gpus`` GPUs each)."""
    from ray.data import ActorPoolStrategy

    if "metadata" not in dataset.schema().names:
        dataset = dataset.map(lambda row: {**row, "metadata": "{}"})
    concurrency = concurrency or 1
    steps = getattr(processor, "split", lambda: None)()
    common = {"batch_size": batch_size, "batch_format": "numpy", "zero_copy_batch": True}
    if steps is None:
        return dataset.map_batches(_bound(processor), compute=ActorPoolStrategy(size=concurrency),
                                   num_gpus=num_gpus, **common)
    first, second = steps
    cpu_actors = max(1, concurrency // 2) if not num_gpus else concurrency
    model_actors = max(1, concurrency - cpu_actors) if not num_gpus else concurrency
    segmented = dataset.map_batches(_bound(first, "state"), compute=ActorPoolStrategy(size=cpu_actors),
                                    num_cpus=1, **common)
    return segmented.map_batches(_bound(second, "finish"), compute=ActorPoolStrategy(size=model_actors),
                                 num_gpus=num_gpus, **common)


class RayRunner(Runner):
    """Process documents on a Ray cluster (local when ``address`` is ``None``)."""

    name = "ray"

    def __init__(self, address: str | None = None, concurrency: int | None = None, batch_size: int = 8,
                 num_gpus: float = 0):
        self.address, self.concurrency, self.batch_size, self.num_gpus = address, concurrency, batch_size, num_gpus

    def _connect(self):
        import logging
        import os

        os.environ.setdefault("RAY_BACKEND_LOG_LEVEL", "error")  # the C++ core's notices
        if self.address is None:
            # a Ray of this machine alone: its processes talk over loopback, not the network
            os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")
        import ray
        import ray.data  # sets up its own logging when first imported: quiet it after that

        for name in ("ray", "ray.data"):
            logging.getLogger(name).setLevel(logging.WARNING)
        if not ray.is_initialized():
            ray.init(address=self.address, include_dashboard=False, log_to_driver=False, configure_logging=False)
        ray.data.DataContext.get_current().enable_progress_bars = False
        return ray

    def map(self, processor: Processor, documents: Iterator[Document]) -> Iterator[dict[str, Any]]:
        rows = [{"id": d.id, "text": d.text, "metadata": json.dumps(d.metadata, ensure_ascii=False)}
                for d in documents]
        if not rows:
            return
        ray = self._connect()
        concurrency = self.concurrency or max(1, int(ray.available_resources().get("CPU", 1)))
        dataset = ray.data.from_items(rows, override_num_blocks=max(1, min(len(rows), 4 * concurrency)))
        for row in map_records(dataset, processor, concurrency, self.batch_size, self.num_gpus).iter_rows():
            yield json.loads(row["record"])
