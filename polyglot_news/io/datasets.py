"""Readers for parallel evaluation data (Tatoeba-style TSV: src lang, tgt lang, src, tgt)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

# Tatoeba Challenge language tags → the ISO 639-1 codes used throughout the toolkit.
TATOEBA_CODES = {"aze_Latn": "az", "aze": "az", "eng": "en", "rus": "ru", "tur": "tr", "ukr": "uk"}


@dataclass(frozen=True)
class ParallelPair:
    src_lang: str
    tgt_lang: str
    src: str
    tgt: str


def read_parallel_tsv(path: str | Path) -> list[ParallelPair]:
    """Read one TSV file of sentence pairs; a malformed row is an error naming file and line."""
    path = Path(path)
    pairs = []
    with path.open(encoding="utf-8", newline="") as handle:
        for line_no, row in enumerate(csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE), 1):
            if not row:
                continue
            if len(row) != 4:
                raise ValueError(f"{path}:{line_no}: expected 4 tab-separated columns, found {len(row)}")
            a, b, src, tgt = row
            pairs.append(ParallelPair(TATOEBA_CODES.get(a, a), TATOEBA_CODES.get(b, b), src, tgt))
    return pairs


def read_parallel_dir(directory: str | Path) -> list[ParallelPair]:
    """All ``*.tsv`` files of a directory, in name order."""
    pairs: list[ParallelPair] = []
    for path in sorted(Path(directory).glob("*.tsv")):
        pairs.extend(read_parallel_tsv(path))
    return pairs


def sentences_by_language(pairs: list[ParallelPair]) -> dict[str, list[str]]:
    """Unique sentences per language (both sides of every pair), sorted for determinism."""
    found: dict[str, set[str]] = {}
    for p in pairs:
        found.setdefault(p.src_lang, set()).add(p.src)
        found.setdefault(p.tgt_lang, set()).add(p.tgt)
    return {lang: sorted(s) for lang, s in sorted(found.items())}
