"""Sentence splitting with exact character offsets, shared by segmentation and translation.

pysbd does the splitting (rules per language; Cyrillic text gets its Russian rules, everything
else the English ones, which suit Azerbaijani's Latin punctuation). Offsets are recovered by
locating each sentence in the original text, so nothing is ever lost or invented: the returned
spans, with the whitespace between them, cover the input exactly.
"""

from __future__ import annotations

import re
from functools import lru_cache

import pysbd

from .scripts import script_counts

# pysbd's regexes are super-linear on very long runs without punctuation; such text is cut into
# windows at whitespace first (news text never has sentences this long).
MAX_WINDOW = 5000

# pysbd only ends sentences at these; a window without any is one sentence, and skipping pysbd
# there keeps very long unpunctuated lines (scraped tables, code, spam) fast.
_TERMINAL = re.compile(r"[.!?…;。！？]")


@lru_cache(maxsize=4)
def _splitter(language: str) -> pysbd.Segmenter:
    return pysbd.Segmenter(language=language, clean=False, char_span=False)


def dominant_script_language(text: str) -> str:
    """The pysbd rule set for this text: ``ru`` for mostly Cyrillic text, else ``en``."""
    counts = script_counts(text)
    return "ru" if counts["Cyrillic"] > counts["Latin"] else "en"


def windows(text: str, size: int = MAX_WINDOW) -> list[tuple[int, int]]:
    """Cut ``text`` into spans of at most about ``size`` characters, preferring whitespace."""
    spans = []
    start = 0
    n = len(text)
    while n - start > size:
        cut = text.rfind(" ", start + size // 2, start + size)
        if cut <= start:
            cut = start + size
        else:
            cut += 1
        spans.append((start, cut))
        start = cut
    spans.append((start, n))
    return spans


def split_sentences(text: str, language: str | None = None) -> list[tuple[int, int]]:
    """Sentence spans ``(start, end)`` of ``text``, without surrounding whitespace.

    Spans are in order and do not overlap; the characters between them are whitespace only.
    """
    if not text.strip():
        return []
    spans: list[tuple[int, int]] = []
    for w_start, w_end in windows(text):
        window = text[w_start:w_end]
        if not _TERMINAL.search(window):
            spans.extend((w_start + s, w_start + e) for s, e in _locate(window, [window]))
            continue
        lang = language or dominant_script_language(window)
        spans.extend((w_start + s, w_start + e) for s, e in _locate(window, _splitter(lang).segment(window)))
    return spans


def _locate(text: str, pieces: list[str]) -> list[tuple[int, int]]:
    """Find each piece in order; whatever cannot be located joins its neighbour, never vanishes."""
    spans: list[tuple[int, int]] = []
    cursor = 0
    for piece in pieces:
        piece = piece.strip()
        if not piece:
            continue
        at = text.find(piece, cursor)
        if at < 0:
            continue  # pysbd altered it: its characters end up in the neighbouring span
        if spans and text[spans[-1][1]:at].strip():
            # unmatched text before this piece stays with the previous span
            spans[-1] = (spans[-1][0], len(text[:at].rstrip()))
        elif not spans and text[:at].strip():
            at = len(text) - len(text.lstrip())
        spans.append((at, at + len(piece)))
        cursor = at + len(piece)
    tail_end = len(text.rstrip())
    if spans and tail_end > spans[-1][1]:
        spans[-1] = (spans[-1][0], tail_end)
    if not spans:
        lead = len(text) - len(text.lstrip())
        spans.append((lead, tail_end))
    return spans
