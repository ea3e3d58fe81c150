"""The records every command writes: the record of an input that failed, and the one guard that
turns any failure of a step into such a record, so that a batch goes on."""

from __future__ import annotations

from typing import Any, Callable

from ..types import Document
from .readers import input_key


def error_record(doc_id: str, source: str, message: str, key: str | None = None,
                 meta: dict[str, Any] | None = None) -> dict[str, Any]:
    """The record of an input that could not be processed: its names, its fields, the problem."""
    record = {"id": doc_id, "source": source, "key": key or input_key("error", source)}
    if meta:
        record["meta"] = meta
    return {**record, "error": message}


def document_key(doc: Document) -> str:
    """The key a batch knows a document by: the reader's (:mod:`..io.readers`), or for a
    document made in Python, its id."""
    return str(doc.metadata.get("key") or input_key("document", doc.id))


def safe_process(process: Callable[[Document], Any], doc: Document) -> dict[str, Any]:
    """The function's record, or an error record naming the document's source and the problem."""
    try:
        return process(doc)
    except Exception as exc:  # one bad document must not stop the batch
        message = f"{type(exc).__name__}: {exc}".splitlines()[0]
        return error_record(doc.id, str(doc.metadata.get("source", doc.id)), message, document_key(doc),
                            doc.metadata.get("meta"))
