"""Reading collections for ``align-corpus`` and writing what it found (the I/O around
:mod:`..alignment.corpus`)."""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path
from typing import Any, Sequence

from ..types import Document
from .readers import ReadError, iter_documents
from .writers import encode_line, write_pair_files


def read_collections(paths: Sequence[str | Path], config: Any,
                     langs: Sequence[str] | None = None) -> tuple[dict[str, list[Document]], list[dict[str, Any]]]:
    """Each collection's documents under its language (given, or detected from its documents),
    and an error record for every input that could not be read."""
    from ..langid import make_detector

    collections: dict[str, list[Document]] = {}
    errors: list[dict[str, Any]] = []
    detector = None
    for k, path in enumerate(paths):
        docs = []
        for item in iter_documents([path], max_bytes=config.input.max_bytes):
            if isinstance(item, ReadError):
                errors.append({**item.to_dict(), "collection": str(path)})
            else:
                docs.append(item)
        if langs is not None:
            lang = langs[k]
        else:
            if not docs:
                raise ValueError(f"{path}: no readable document to tell its language; give --langs")
            detector = detector or make_detector(config.segmentation.backend, config.languages,
                                                 **config.segmentation.detector)
            lang = detector.detect(" ".join(d.text[:500] for d in docs[:50]))[0]
        if lang in collections:
            raise ValueError(f"{path}: its language ({lang}) is that of another collection too; give --langs")
        collections[lang] = docs
    return collections, errors


def write_corpus(collections: dict[str, list[Document]], config: Any, fmt: str, output: str | Path,
                 errors: Sequence[dict[str, Any]] = (), encoder: Any = None) -> list[str]:
    """Align the collections (:func:`..alignment.corpus.align_corpus`) and write the result:
    JSONL (one record per document group, then the error records) or the sentence pairs per
    language pair (``OUT.az-en.tsv`` …). ``encoder``: the configured one when not given (e.g. a
    :class:`~..runners.ray.RayEncoder` behind the cache). Returns the summary lines."""
    from ..alignment.corpus import align_corpus
    from ..alignment.encoders import encoder_from_config

    started = time.perf_counter()
    ac = config.alignment
    encoder = encoder if encoder is not None else encoder_from_config(ac.encoder)
    if encoder is None:
        raise ValueError("align-corpus needs a sentence encoder (alignment.encoder.backend)")
    result = align_corpus(collections, encoder, ac)  # calibrated by the bundled background
    records = result.records()
    written = [str(output)]
    if fmt == "jsonl":
        with open(output, "wb") as out:  # the whole result, replaced: matching is not per document
            for record in [*records, *errors]:
                out.write(encode_line(record))
    else:
        written = [str(p) for p in write_pair_files(result.text_pairs(), fmt, output)]
    shapes = Counter(len(r["documents"]) for r in records)
    sizes = ", ".join(f"{lang} {len(docs)}" for lang, docs in collections.items())
    return [f"documents: {sizes} ({len(errors)} unreadable)",
            f"groups: {shapes.get(3, 0)} triples, {shapes.get(2, 0)} pairs, {shapes.get(1, 0)} without counterpart"
            f" ({sum(len(v) for v in result.rejected.values())} candidate pairs rejected: sentences did not align)",
            f"time: {time.perf_counter() - started:.1f} s ("
            + ", ".join(f"{stage} {secs:.1f} s" for stage, secs in result.seconds.items()) + ")",
            "written: " + ", ".join(written)]
