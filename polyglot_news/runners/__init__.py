"""Runners: what processes a batch's documents (this process, a process pool, a Ray cluster).
The batch itself — resume, ids, the writer, the summary — is :func:`.base.run_batch`."""

from __future__ import annotations

from .base import BatchSummary, Runner, error_record, run_batch, safe_process

ENGINES = ("local", "ray")


def make_runner(engine: str = "local", workers: int = 1, ray_address: str | None = None,
                ray_gpus: float = 0) -> Runner:
    """``local``: serial, or ``workers`` processes; ``ray``: a local Ray, or the cluster at
    ``ray_address``, with ``workers`` actors (default: one per CPU of the cluster) and
    ``ray_gpus`` GPUs for each."""
    if engine == "ray":
        from .ray import RayRunner

        return RayRunner(address=ray_address, concurrency=workers if workers > 1 else None, num_gpus=ray_gpus)
    if engine != "local":
        raise ValueError(f"unknown engine {engine!r}; choose from {ENGINES}")
    from .local import ProcessPoolRunner, SerialRunner

    return ProcessPoolRunner(workers) if workers > 1 else SerialRunner()


__all__ = ["BatchSummary", "ENGINES", "Runner", "error_record", "make_runner", "run_batch", "safe_process"]
