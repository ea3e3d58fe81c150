"""Diagnostics go to the ``polyglot_news`` logger; the libraries underneath stay quiet unless
that logger is verbose (``DEBUG``, as ``-v`` sets it)."""

from __future__ import annotations

import logging
from contextlib import contextmanager
from typing import Iterator

logger = logging.getLogger("polyglot_news")

_PREFIX = {"DEBUG": "debug", "INFO": "note", "WARNING": "warning", "ERROR": "error", "CRITICAL": "error"}


class _CliFormatter(logging.Formatter):
    """``error: …`` / ``warning: …`` / ``note: …`` lines; text stderr cannot hold is escaped."""

    def format(self, record: logging.LogRecord) -> str:
        line = f"{_PREFIX.get(record.levelname, record.levelname.lower())}: {record.getMessage()}"
        return line.encode("utf-8", "backslashreplace").decode("utf-8")


def configure_cli_logging(verbose: bool = False, quiet: bool = False) -> None:
    """The command line's diagnostics on stderr: notes, warnings and errors by default; only
    warnings and errors with ``quiet``; debug messages (and transformers' own output) with
    ``verbose``."""
    import sys

    for handler in list(logger.handlers):
        if getattr(handler, "_polyglot_cli", False):
            logger.removeHandler(handler)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_CliFormatter())
    handler._polyglot_cli = True  # type: ignore[attr-defined]
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG if verbose else logging.WARNING if quiet else logging.INFO)


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
