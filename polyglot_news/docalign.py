"""Moved to :mod:`polyglot_news.alignment.documents`; this name stays for existing code."""

from .alignment.documents import DocumentAlignment, align_documents, write_alignment

__all__ = ["DocumentAlignment", "align_documents", "write_alignment"]
