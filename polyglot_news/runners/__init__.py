"""Runners: what processes a batch's documents (this process, a process pool, a Ray cluster).
The batch itself — resume, ids, the writer, the summary — is :func:`.base.run_batch`."""

from __future__ import annotations

from .base import BatchSummary, Runner, error_record, run_batch, safe_process

ENGINES = ("local", "ray")


def make_runner(engine: str = "local", workers: int = 1, ray_address: str | None = None,
                ray_gpus: float = 0, batch_size: int = 1) -> Runner:
    """``local``: serial, or ``workers`` processes; ``ray``: a local Ray, or the cluster at
    ``ray_address``, with ``workers`` actors (default: one per CPU of the cluster) and
    ``ray_gpus`` GPUs for each. Every runner hands its processor ``batch_size`` documents at
    once (``runner.documents_per_batch`` in the config)."""
    if engine == "ray":
        from .ray import RayRunner

        return RayRunner(address=ray_address, concurrency=workers if workers > 1 else None, batch_size=batch_size,
                         num_gpus=ray_gpus)
    if engine != "local":
        raise ValueError(f"unknown engine {engine!r}; choose from {ENGINES}")
    from .local import ProcessPoolRunner, SerialRunner

    return ProcessPoolRunner(workers, batch_size) if workers > 1 else SerialRunner(batch_size)


__all__ = ["BatchSummary", "ENGINES", "Runner", "error_record", "make_runner", "run_batch", "safe_process"]
