"""Diagnostics go to the ``polyglot_news`` logger; the libraries underneath stay quiet unless
that logger is verbose (``DEBUG``, as ``-v`` sets it)."""

from __future__ import annotations

import logging
from contextlib import contextmanager
from typing import Iterator

logger = logging.getLogger("polyglot_news")


@contextmanager
def quiet_transformers() -> Iterator[None]:
    """transformers without its "Loading weights" / "Writing model shards" bars and hub
    warnings, for the duration; nothing changes when polyglot_news logs at DEBUG."""
    if logger.isEnabledFor(logging.DEBUG):
        yield
        return
    from transformers.utils import logging as hf_logging

    bars, verbosity = hf_logging.is_progress_bar_enabled(), hf_logging.get_verbosity()
    hf_logging.disable_progress_bar()
    hf_logging.set_verbosity_error()
    try:
        yield
    finally:
        hf_logging.set_verbosity(verbosity)
        if bars:
            hf_logging.enable_progress_bar()
