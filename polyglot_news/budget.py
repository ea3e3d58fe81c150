"""A per-document time budget: the batch sets a deadline around each document and the long
loops (encoding, mining, translation) call :func:`check`, so a document that would run on for
hours becomes an error record instead of stalling the batch. Cooperative: the work between two
checks (one encoder or model batch) finishes first."""

from __future__ import annotations

import time
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Iterator


class BudgetExceeded(RuntimeError):
    """A document went over one of its limits (``input.max_seconds``, ``input.max_segments``)."""


_deadline: ContextVar[tuple[float, float] | None] = ContextVar("polyglot_news_deadline", default=None)


@contextmanager
def time_budget(seconds: float | None, spent: float = 0.0) -> Iterator[None]:
    """Within the block, :func:`check` raises once ``seconds`` (less ``spent`` already) have
    passed; ``None``: no limit."""
    token = _deadline.set(None if seconds is None else (time.monotonic() + seconds - spent, seconds))
    try:
        yield
    finally:
        _deadline.reset(token)


def check() -> None:
    """Raise :class:`BudgetExceeded` when the current document's time is up."""
    deadline = _deadline.get()
    if deadline is not None and time.monotonic() > deadline[0]:
        raise BudgetExceeded(f"over the time budget of {deadline[1]:g} s per document (input.max_seconds)")
