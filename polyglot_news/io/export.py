"""Export the aligned sentence pairs of a ``run`` output (JSONL) as TSV, TMX or Moses files."""

from __future__ import annotations

from pathlib import Path

from .tables import read_records, record_rows
from .writers import ordered_pairs, write_pair_files


def passage_pairs(jsonl_path: str | Path):
    """(src_lang, tgt_lang, src_text, tgt_text, score) for every pair of every passage (the
    ``pairs`` table's rows, :mod:`.tables`): texts are cut from each record's segments, so the
    output alone is enough."""
    for record in read_records(jsonl_path):
        for row in record_rows(record)["pairs"]:
            yield row["src_lang"], row["tgt_lang"], row["src_text"], row["tgt_text"], row["score"]


def export_pairs(jsonl_path: str | Path, fmt: str) -> list[Path]:
    """Write the pairs next to the JSONL file, one file set per language pair
    (``OUT.az-en.tmx``, ``OUT.az-en.az`` + ``OUT.az-en.en`` …, named by
    :func:`.writers.pair_order`). Returns the paths."""
    return write_pair_files(ordered_pairs(passage_pairs(jsonl_path)), fmt, Path(jsonl_path))
