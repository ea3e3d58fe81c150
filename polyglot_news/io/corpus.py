"""Reading the collections of ``align-corpus`` (the I/O around :mod:`..alignment.corpus`):
each collection's documents, and an error record for every input that could not be read."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Sequence

from ..types import Document
from .readers import DEFAULT_MAX_BYTES, ReadError, iter_documents


def read_collection(path: str | Path, max_bytes: int = DEFAULT_MAX_BYTES,
                    exclude: Sequence[str | Path] = ()) -> tuple[list[Document], list[dict[str, Any]]]:
    """A collection's documents (a folder, a ``.txt`` or a ``.jsonl`` file), and an error
    record (naming the collection) for each input that could not be read."""
    docs, errors = [], []
    for item in iter_documents([path], max_bytes=max_bytes, exclude=exclude):
        if isinstance(item, ReadError):
            errors.append({**item.to_dict(), "collection": str(path)})
        else:
            docs.append(item)
    return docs, errors
