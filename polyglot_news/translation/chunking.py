"""Cut a segment into chunks that fit a model's source limit, without dropping a character.

Sentences (none across a line) are packed greedily into chunks whose token count stays within
the limit. A sentence that alone is too long is cut at the best boundary inside it: clause
punctuation first, then whitespace, then (for a run of characters with no space at all) between
characters. The chunks tile the text: whitespace between chunks belongs to the chunk before it,
so the chunk spans cover the segment exactly, with no gaps and no overlap.

A sentence with no letters outside links and e-mail addresses (a dateline, a score, a link on a
line of its own) is a chunk of its own and is copied, not translated: there is nothing in it
for a model to translate, and much for it to garble. A link inside a sentence ("Ətraflı:
https://report.az/…", "пишите на info@apa.az") is a chunk of its own too, copied as it is, and
the text on each side of it is translated without it: a model would spell it anew, and a link
is no use unless exact.
"""

from __future__ import annotations

import re
from typing import Callable

from ..scripts import letter_count, link_spans, mask_links
from ..sentences import sentences_by_line

TokenCounter = Callable[[str], int]

_CLAUSE = re.compile(r"[;:,—–)\]»\"]\s+")
_SPACE = re.compile(r"\s+")


def plan_chunks(text: str, count_tokens: TokenCounter, max_tokens: int) -> list[tuple[int, int]]:
    """Spans ``(start, end)`` tiling ``text``; each one's stripped text fits ``max_tokens``."""
    if max_tokens < 2:
        raise ValueError("max_tokens must be at least 2")
    if not text:
        return []
    pieces: list[tuple[int, int]] = []
    links = link_spans(text)
    for spans in sentences_by_line(text):  # as in segmentation
        for start, end in spans:
            for s, e in _around_links(text, start, end, links):
                pieces.extend(_fit(text, s, e, count_tokens, max_tokens))
    if not pieces:  # whitespace only: one chunk, nothing to translate
        return [(0, len(text))]
    packed = _pack(text, pieces, count_tokens, max_tokens, {p for p in pieces if is_verbatim(text[p[0]:p[1]])})
    # tile: leading whitespace to the first chunk, each gap to the chunk before it
    tiles = []
    for i, (start, _) in enumerate(packed):
        tile_start = 0 if i == 0 else start
        tile_end = packed[i + 1][0] if i + 1 < len(packed) else len(text)
        tiles.append((tile_start, tile_end))
    return tiles


def is_verbatim(text: str) -> bool:
    """Whether ``text`` is copied instead of translated: no letters outside links."""
    return letter_count(mask_links(text)) == 0


def _around_links(text: str, start: int, end: int, links: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """``text[start:end]`` cut into the links inside it and the stretches between them (each
    stripped of whitespace; a link is never longer than what holds it)."""
    cuts = [(max(s, start), min(e, end)) for s, e in links if s < end and e > start]
    if not cuts:
        return [(start, end)]
    out, pos = [], start
    for s, e in cuts + [(end, end)]:
        for a, b in ((pos, s), (s, e)):
            part = text[a:b]
            a, b = a + len(part) - len(part.lstrip()), b - (len(part) - len(part.rstrip()))
            if b > a:
                out.append((a, b))
        pos = e
    return out


def _pack(text: str, pieces: list[tuple[int, int]], count: TokenCounter, limit: int,
          alone: set[tuple[int, int]]) -> list[tuple[int, int]]:
    """Consecutive pieces joined while they fit, except those in ``alone``."""
    chunks: list[tuple[int, int]] = []
    joinable = False
    for piece in pieces:
        start, end = piece
        if joinable and piece not in alone and count(text[chunks[-1][0]:end]) <= limit:
            chunks[-1] = (chunks[-1][0], end)
        else:
            chunks.append((start, end))
            joinable = piece not in alone
    return chunks


def _fit(text: str, start: int, end: int, count: TokenCounter, limit: int) -> list[tuple[int, int]]:
    """Split ``text[start:end]`` until every piece fits; pieces are stripped of whitespace."""
    if count(text[start:end]) <= limit:
        return [(start, end)]
    cut = _best_cut(text, start, end)
    left = (start, len(text[:cut].rstrip()))
    right_start = cut + (len(text[cut:end]) - len(text[cut:end].lstrip()))
    out = []
    if left[1] > left[0]:
        out.extend(_fit(text, left[0], left[1], count, limit))
    if end > right_start:
        out.extend(_fit(text, right_start, end, count, limit))
    return out


def _best_cut(text: str, start: int, end: int) -> int:
    """An offset strictly inside ``(start, end)``: the boundary nearest the middle, preferring
    clause punctuation, then whitespace, then the middle character."""
    middle = (start + end) // 2
    span = text[start:end]
    for pattern in (_CLAUSE, _SPACE):
        cuts = [start + m.end() for m in pattern.finditer(span) if start < start + m.end() < end]
        if cuts:
            best = min(cuts, key=lambda c: abs(c - middle))
            # a clause boundary far from the middle would leave a long piece: accept it only
            # within the middle half, else fall through to whitespace
            if pattern is _SPACE or abs(best - middle) <= (end - start) // 4:
                return best
    return max(start + 1, middle)
