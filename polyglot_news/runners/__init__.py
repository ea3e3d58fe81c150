"""Runners: what processes a batch's documents (this process, a process pool, a Ray cluster).
The batch itself — resume, ids, the writer, the summary — is :func:`.base.run_batch`."""

from __future__ import annotations

from ..config import RunnerConfig
from .base import BatchSummary, Runner, SerialRunner, error_record, run_batch, safe_process

ENGINES = ("local", "ray")


def make_runner(settings: RunnerConfig | None = None) -> Runner:
    """The runner a config's ``runner`` section names: ``local`` (serial, or ``workers``
    processes) or ``ray`` (a local Ray, or the cluster at ``ray_address``; ``workers`` actors,
    default one per CPU of the cluster, ``ray_gpus`` GPUs each). Every runner hands its
    processor ``documents_per_batch`` documents at once."""
    settings = settings or RunnerConfig()
    if settings.engine == "ray":
        from .ray import RayRunner

        return RayRunner(address=settings.ray_address, concurrency=settings.workers,
                         batch_size=settings.documents_per_batch, num_gpus=settings.ray_gpus)
    from .local import ProcessPoolRunner

    if settings.workers and settings.workers > 1:
        return ProcessPoolRunner(settings.workers, settings.documents_per_batch)
    return SerialRunner(settings.documents_per_batch)


__all__ = ["BatchSummary", "ENGINES", "Runner", "error_record", "make_runner", "run_batch", "safe_process"]
