"""Export the aligned sentence pairs of a ``run`` output (JSONL) as TSV, TMX or Moses files."""

from __future__ import annotations

import json
from pathlib import Path

from .writers import write_pairs


def passage_pairs(jsonl_path: str | Path, documents: dict[str, str] | None = None):
    """(src_lang, tgt_lang, src_text, tgt_text, score) for every pair of every passage.

    Texts are cut from each record's segments, so the JSONL output alone is enough.
    """
    with open(jsonl_path, encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            if "passages" not in record:
                continue
            text = "".join(seg["text"] for seg in record.get("segments", []))
            for passage in record["passages"]:
                for pair in passage["pairs"]:
                    s, t = pair["src"], pair["tgt"]
                    yield s["lang"], t["lang"], text[s["start"]:s["end"]], text[t["start"]:t["end"]], pair["score"]


def export_pairs(jsonl_path: str | Path, fmt: str) -> list[Path]:
    """Write the pairs next to the JSONL file, one file set per language pair
    (``OUT.az-ru.tmx``, ``OUT.az-ru.az`` + ``OUT.az-ru.ru`` …). Returns the paths."""
    by_pair: dict[tuple[str, str], list[tuple[str, str, float]]] = {}
    for sl, tl, src, tgt, score in passage_pairs(jsonl_path):
        by_pair.setdefault((sl, tl), []).append((src, tgt, score))
    base = Path(jsonl_path)
    written: list[Path] = []
    for (sl, tl), pairs in sorted(by_pair.items()):
        stem = base.with_suffix(f".{sl}-{tl}")
        output = stem if fmt == "moses" else stem.with_name(f"{stem.name}.{fmt}")
        written.extend(Path(p) for p in write_pairs(pairs, fmt, sl, tl, output))
    return written
