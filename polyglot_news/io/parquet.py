"""Records as Parquet: a folder that libraries read as one table of documents.

``OUT/part-00000.parquet``, ``OUT/part-00001.parquet`` … hold one row per input: ``id``,
``source``, ``key``, ``error`` (null when the document was processed), ``signature`` (its
digest; the signatures themselves are in ``OUT/_signatures.json``, which readers of the
folder leave out, as they do every name that starts with ``_``), the caller's own JSONL
fields as columns of their own, and the record's nested fields as Parquet structs and lists
(``segments``, ``passages``, ``notes``). ``pandas.read_parquet("OUT")``, ``pyarrow.dataset``
and ``datasets.load_dataset("parquet", data_files="OUT/*.parquet")`` read it as that table.

The flat tables of :mod:`.tables` sit beside it in folders whose names start with ``_``, which
pyarrow and pandas leave out when they read ``OUT``: ``OUT/_segments`` (one row per segment)
and ``OUT/_pairs`` (one row per aligned sentence pair, both texts), each one table
(``pandas.read_parquet("OUT/_pairs")``).

A file is written whole (a temporary file renamed into place) once it holds ``size`` records,
and at the end. Resuming goes by the inputs' keys, read back from the files, never by position:
a rerun over inputs that gained, lost or reordered files skips exactly the inputs written,
whatever ``size`` was. An input whose row is an error is retried (the file is rewritten without
it). ``overwrite`` writes a new folder beside the old one, which takes its place at the end.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

from .tables import COLUMNS, meta_column, tables

TABLES = ("segments", "pairs")


def _schema_types():
    import pyarrow as pa

    span = pa.struct([("lang", pa.string()), ("start", pa.int64()), ("end", pa.int64())])
    quality = pa.struct([("score", pa.float64()), ("flags", pa.list_(pa.string()))])
    chunk = pa.struct([("start", pa.int64()), ("end", pa.int64()), ("source", pa.string()), ("text", pa.string())])
    translation = pa.struct([("text", pa.string()), ("model", pa.string()), ("chunks", pa.list_(chunk)),
                             ("quality", quality), ("retried", pa.string())])
    segment = pa.struct([("start", pa.int64()), ("end", pa.int64()), ("lang", pa.string()),
                         ("confidence", pa.float64()), ("text", pa.string()), ("translation", translation)])
    pair = pa.struct([("src", span), ("tgt", span), ("score", pa.float64()), ("quality", quality)])
    passage = pa.struct([("members", pa.list_(span)), ("score", pa.float64()), ("pairs", pa.list_(pair))])
    return {"id": pa.string(), "source": pa.string(), "key": pa.string(), "error": pa.string(),
            "signature": pa.string(), "segments": pa.list_(segment), "passages": pa.list_(passage),
            "notes": pa.list_(pa.string())}, quality


def documents_table(records: list[dict[str, Any]]):
    """The documents table of some records (the Parquet files' rows)."""
    import pyarrow as pa

    types, _ = _schema_types()
    columns: dict[str, Any] = {}
    for name, kind in types.items():
        values = [_signature_digest(r.get(name)) if name == "signature" else r.get(name) for r in records]
        columns[name] = pa.array(values, type=kind)
    fields = list(dict.fromkeys(k for r in records for k in (r.get("meta") or {})))
    for field in fields:
        values = [(r.get("meta") or {}).get(field) for r in records]
        try:
            array = pa.array(values)
        except (pa.ArrowInvalid, pa.ArrowTypeError):  # mixed kinds: each value as JSON text
            array = pa.array([None if v is None else v if isinstance(v, str) else json.dumps(v, ensure_ascii=False)
                              for v in values], type=pa.string())
        columns[meta_column(field)] = array
    table = pa.table(columns)
    return table.replace_schema_metadata({b"polyglot_news.meta": json.dumps(fields).encode()})


def _signature_digest(value: Any) -> Any:
    return value.get("digest") if isinstance(value, dict) else value


class ParquetShards:
    """The Parquet files of one output folder."""

    def __init__(self, folder: str | Path, size: int, overwrite: bool = False, resume: bool = True):
        import pyarrow  # noqa: F401 - fail now, before any document, if the extra is missing

        self.final = Path(folder)
        if self.final.exists() and not self.final.is_dir():
            raise NotADirectoryError(20, "Parquet output must be a folder", str(self.final))
        has_files = self.final.is_dir() and any(self.final.glob("part-*.parquet"))
        if has_files and not resume and not overwrite:
            raise FileExistsError(f"{self.final} already holds records: resume, or overwrite it explicitly")
        self.replacing = overwrite and has_files
        self.folder = self.final.with_name(f".{self.final.name}.{os.getpid()}.tmp") if self.replacing else self.final
        self.size = size
        self.folder.mkdir(parents=True, exist_ok=True)
        self._buffer: list[dict[str, Any]] = []
        self._next = 1 + max((int(p.stem.split("-")[1]) for p in self.folder.glob("part-*.parquet")), default=-1)
        if not self.replacing:
            self._drop_errors()

    @property
    def signature_path(self) -> Path:
        return self.final / "_signatures.json"

    def done_keys(self) -> set[str]:
        """The keys of the inputs whose records are in the folder."""
        import pyarrow.parquet as pq

        keys: set[str] = set()
        for path in sorted(self.folder.glob("part-*.parquet")):
            keys.update(k for k in pq.read_table(path, columns=["key"]).column("key").to_pylist() if k)
        return keys

    def _drop_errors(self) -> None:
        """Rewrite each file without its error rows, so that those inputs are retried."""
        import pyarrow.compute as pc
        import pyarrow.parquet as pq

        for path in sorted(self.folder.glob("part-*.parquet")):
            table = pq.read_table(path)
            failed = pc.is_valid(table.column("error"))
            if not pc.any(failed).as_py():
                continue
            kept = table.filter(pc.invert(failed))
            if kept.num_rows:
                self._write(pq, kept, path)
            else:
                path.unlink()

    def write(self, record: dict[str, Any]) -> None:
        self._buffer.append(record)
        if len(self._buffer) >= self.size:
            self._flush()

    def close(self) -> None:
        """Write the records not written yet."""
        if self._buffer:
            self._flush()

    def commit(self) -> None:
        """An overwritten folder takes the old one's place (the old one removed)."""
        if not self.replacing:
            return
        signatures = self.signature_path
        if signatures.exists():  # written beside the new files while they were being written
            os.replace(signatures, self.folder / signatures.name)
        old = self.final.with_name(f".{self.final.name}.{os.getpid()}.old")
        os.replace(self.final, old)
        os.replace(self.folder, self.final)
        shutil.rmtree(old, ignore_errors=True)
        self.folder = self.final
        self.replacing = False

    def discard(self) -> None:
        """What an unfinished overwrite wrote goes; the old folder stays as it was."""
        if self.replacing and self.folder.exists():
            shutil.rmtree(self.folder, ignore_errors=True)

    def _flush(self) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        records, self._buffer = self._buffer, []
        name = f"part-{self._next:05d}.parquet"
        self._next += 1
        rows = tables(records)
        types = {"string": pa.string(), "int64": pa.int64(), "float64": pa.float64()}
        for table_name in TABLES:
            schema = pa.schema([(column, types[kind]) for column, kind in COLUMNS[table_name].items()])
            self._write(pq, pa.Table.from_pylist(rows[table_name], schema=schema),
                        self.folder / f"_{table_name}" / name)
        self._write(pq, documents_table(records), self.folder / name)  # last: it marks the inputs done

    @staticmethod
    def _write(pq, table, path: Path) -> None:
        """Whole or not at all: a temporary file renamed into place."""
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        pq.write_table(table, tmp)
        os.replace(tmp, path)
