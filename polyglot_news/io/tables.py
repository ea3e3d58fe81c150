"""Records as flat tables, for people who go on in pandas, polars or SQL: one row per document,
per segment, and per aligned sentence pair, each row keyed by the document's ``id``.

>>> from polyglot_news.io.tables import to_pandas
>>> frames = to_pandas("out/demo.jsonl")      # a run's JSONL output or Parquet folder
>>> frames["segments"].groupby("lang").size()
>>> import polars as pl; pl.from_dicts(tables(records)["pairs"])   # polars: the rows as they are
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterable, Iterator

# column → type of each table (also the Parquet schemas), in order
COLUMNS: dict[str, dict[str, str]] = {
    "documents": {"id": "string", "source": "string", "key": "string", "error": "string", "segments": "int64",
                  "translated": "int64", "passages": "int64", "signature": "string"},
    "segments": {"id": "string", "segment": "int64", "start": "int64", "end": "int64", "lang": "string",
                 "confidence": "float64", "text": "string", "translation": "string", "model": "string",
                 "quality": "float64", "flags": "string"},
    "pairs": {"id": "string", "passage": "int64", "src_lang": "string", "src_start": "int64", "src_end": "int64",
              "src_text": "string", "tgt_lang": "string", "tgt_start": "int64", "tgt_end": "int64",
              "tgt_text": "string", "score": "float64", "quality": "float64", "flags": "string"},
}


RESERVED = ("id", "source", "key", "error", "signature", "segments", "passages", "notes", "meta")


def meta_column(name: str) -> str:
    """The column of a caller's field: its own name, unless one of ours has it (``meta_NAME``)."""
    return f"meta_{name}" if name in RESERVED or name in COLUMNS["documents"] or name.startswith("_") else name


def read_records(path: str | Path, lenient: bool = False) -> Iterator[Any]:
    """The records of a ``run`` output: a JSONL file, or a folder of Parquet files. A line that
    is no record is a ``ValueError`` naming the file and line; with ``lenient``, that error is
    yielded in the record's place and a line of the wrong shape passed on as it is (a report
    shows each as a document that says what is wrong)."""
    path = Path(path)
    if path.is_dir():
        import pyarrow.parquet as pq

        for shard in sorted(path.glob("part-*.parquet")):
            yield from records_of(pq.read_table(shard))
        return
    with path.open(encoding="utf-8") as handle:
        for line_no, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                if lenient:
                    yield ValueError(f"{path}:{line_no}: not a JSON record ({exc.msg})")
                    continue
                raise ValueError(f"{path}:{line_no}: not a JSON record ({exc.msg})") from None
            if not lenient and (not isinstance(record, dict) or "id" not in record):
                raise ValueError(f"{path}:{line_no}: not a record of this toolkit (a JSON object with an 'id')")
            yield record


def record_text(record: dict[str, Any]) -> str:
    """A record's document text: its segments' texts, which partition it."""
    return "".join(s.get("text", "") for s in record.get("segments") or [])


def record_rows(record: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """The rows of one record in each table."""
    segments = record.get("segments") or []
    text = record_text(record)
    doc_id = record["id"]
    seg_rows = [{"id": doc_id, "segment": k, "start": s["start"], "end": s["end"], "lang": s["lang"],
                 "confidence": s["confidence"], "text": s["text"],
                 "translation": (s.get("translation") or {}).get("text"),
                 "model": (s.get("translation") or {}).get("model"),
                 **_quality_columns((s.get("translation") or {}).get("quality"))} for k, s in enumerate(segments)]
    pair_rows = []
    for n, passage in enumerate(record.get("passages") or []):
        for pair in passage["pairs"]:
            src, tgt = pair["src"], pair["tgt"]
            pair_rows.append({"id": doc_id, "passage": n,
                              "src_lang": src["lang"], "src_start": src["start"], "src_end": src["end"],
                              "src_text": text[src["start"]:src["end"]],
                              "tgt_lang": tgt["lang"], "tgt_start": tgt["start"], "tgt_end": tgt["end"],
                              "tgt_text": text[tgt["start"]:tgt["end"]], "score": pair["score"],
                              **_quality_columns(pair.get("quality"))})
    signature = record.get("signature")
    document = {"id": doc_id, "source": record.get("source"), "key": record.get("key"), "error": record.get("error"),
                "segments": len(segments), "translated": sum(1 for r in seg_rows if r["translation"] is not None),
                "passages": len(record.get("passages") or []),
                "signature": signature.get("digest") if isinstance(signature, dict) else signature}
    for name, value in (record.get("meta") or {}).items():  # the caller's own fields, as columns
        document[meta_column(name)] = value
    return {"documents": [document], "segments": seg_rows, "pairs": pair_rows}


def _quality_columns(quality: dict[str, Any] | None) -> dict[str, Any]:
    """A verdict as two columns: its score, and its flags comma-separated ("" when none)."""
    if not quality:
        return {"quality": None, "flags": None}
    return {"quality": quality.get("score"), "flags": ",".join(quality.get("flags") or [])}


def record_pairs(record: dict[str, Any]):
    """``(src_lang, tgt_lang, src_text, tgt_text, score, quality)`` for every aligned sentence
    pair of a record's passages (the ``pairs`` table's rows; ``quality`` the pair's verdict or
    ``None``): texts are cut from its segments, so the record alone is enough."""
    text = record_text(record)
    for passage in record.get("passages") or []:
        for pair in passage["pairs"]:
            src, tgt = pair["src"], pair["tgt"]
            yield (src["lang"], tgt["lang"], text[src["start"]:src["end"]], text[tgt["start"]:tgt["end"]],
                   pair["score"], pair.get("quality"))


def tables(records: Iterable[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """``{"documents": rows, "segments": rows, "pairs": rows}`` of many records."""
    out: dict[str, list[dict[str, Any]]] = {name: [] for name in COLUMNS}
    for record in records:
        for name, rows in record_rows(record).items():
            out[name].extend(rows)
    return out


def to_pandas(source: str | Path | Iterable[dict[str, Any]] | Any) -> dict[str, Any]:
    """pandas DataFrames ``documents``, ``segments`` and ``pairs`` of a run's output (a JSONL file
    or a Parquet folder), of records, or of one :class:`~polyglot_news.pipeline.PipelineResult`."""
    import pandas as pd

    if isinstance(source, (str, Path)):
        records: Iterable[dict[str, Any]] = read_records(source)
    elif hasattr(source, "to_dict"):
        records = [source.to_dict()]
    else:
        records = source
    frames = {}
    for name, rows in tables(records).items():
        extra = list(dict.fromkeys(k for row in rows for k in row if k not in COLUMNS[name]))
        frames[name] = pd.DataFrame(rows, columns=[*COLUMNS[name], *extra]).astype(COLUMNS[name])
    return frames


def records_of(table) -> list[dict[str, Any]]:
    """The records of a documents table, as the JSONL output has them."""
    fields = json.loads((table.schema.metadata or {}).get(b"polyglot_news.meta", b"[]"))
    out = []
    for row in table.to_pylist():
        record = {k: row[k] for k in ("id", "source", "key") if row.get(k) is not None}
        meta = {f: row.get(meta_column(f)) for f in fields if row.get(meta_column(f)) is not None}
        if meta:
            record["meta"] = meta
        if row.get("error") is not None:
            record["error"] = row["error"]
            out.append(record)
            continue
        if row.get("segments") is not None:
            record["segments"] = [_drop_nulls(s) for s in row["segments"]]
        if row.get("passages") is not None:
            record["passages"] = [{**passage, "pairs": [_drop_nulls(p) for p in passage["pairs"]]}
                                  for passage in row["passages"]]
        if row.get("notes"):
            record["notes"] = row["notes"]
        if row.get("signature") is not None:
            record["signature"] = row["signature"]
        out.append(record)
    return out


def _drop_nulls(item: dict[str, Any]) -> dict[str, Any]:
    """A struct of a Parquet row as the JSONL record has it: fields that are null (a segment
    without translation, a translation that was not retried) left out, at any depth."""
    return {k: _drop_nulls(v) if isinstance(v, dict) else v for k, v in item.items() if v is not None}
