"""Export the aligned sentence pairs of a ``run`` output (JSONL) as TSV, TMX or Moses files."""

from __future__ import annotations

import json
from pathlib import Path

from .writers import tmx_document, write_moses, write_tsv


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
    """Write the pairs next to the JSONL file; one file set per language pair. Returns the paths."""
    from .. import __version__

    by_pair: dict[tuple[str, str], list[tuple[str, str, float]]] = {}
    for sl, tl, src, tgt, score in passage_pairs(jsonl_path):
        by_pair.setdefault((sl, tl), []).append((src, tgt, score))
    base = Path(jsonl_path)
    written: list[Path] = []
    for (sl, tl), pairs in sorted(by_pair.items()):
        stem = base.with_suffix(f".{sl}-{tl}")
        if fmt == "tsv":
            path = stem.with_name(stem.name + ".tsv")
            with open(path, "w", encoding="utf-8") as out:
                write_tsv(pairs, out)
            written.append(path)
        elif fmt == "tmx":
            path = stem.with_name(stem.name + ".tmx")
            path.write_bytes(tmx_document(pairs, sl, tl, __version__))
            written.append(path)
        elif fmt == "moses":
            src_path, tgt_path = Path(f"{stem}.{sl}"), Path(f"{stem}.{tl}")
            write_moses(pairs, src_path, tgt_path)
            written.extend([src_path, tgt_path])
        else:
            raise ValueError(f"unknown pair format {fmt!r}")
    return written
