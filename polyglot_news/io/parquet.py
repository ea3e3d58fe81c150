"""Records as Parquet shards: ``part-00000.parquet`` holds the records of inputs 0 … size−1 (in
input order), the next file the next ``size``, and so on. A shard is written whole, to a
temporary file renamed into place, once every one of its inputs has a record; a rerun over the
same inputs skips the shards already there. Columns: ``id``, ``source``, ``error`` (null when
the document was processed) and ``record`` (the full JSON record, as in the JSONL output).

Beside them, the same shards as flat tables (:mod:`.tables`): ``segments/part-00000.parquet``
(one row per segment, with its translation) and ``pairs/part-00000.parquet`` (one row per
aligned sentence pair, with both texts), so that ``pandas.read_parquet("OUT/pairs")`` reads
every pair of the run. They are written before the records file, which marks a shard done.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from .tables import COLUMNS, tables


class ParquetShards:
    """The shards of one output folder."""

    def __init__(self, folder: str | Path, size: int):
        import pyarrow  # noqa: F401 - fail now, before any document, if the extra is missing

        self.folder = Path(folder)
        self.size = size
        self.folder.mkdir(parents=True, exist_ok=True)
        self.complete = {int(p.stem.split("-")[1]) for p in self.folder.glob("part-*.parquet")}
        self._owner: dict[str, int] = {}
        self._expected: dict[int, int] = {}
        self._records: dict[int, list[dict[str, Any]]] = {}

    def path(self, shard: int) -> Path:
        return self.folder / f"part-{shard:05d}.parquet"

    def expect(self, position: int, doc_id: str) -> bool:
        """Register the input at ``position``; ``False`` when its shard is already written."""
        shard = position // self.size
        if shard in self.complete:
            return False
        self._owner[doc_id] = shard
        self._expected[shard] = self._expected.get(shard, 0) + 1
        return True

    def write(self, record: dict[str, Any]) -> None:
        shard = self._owner.pop(record["id"])
        self._records.setdefault(shard, []).append(record)
        if len(self._records[shard]) == self.size:  # a full shard: every input has its record
            self._flush(shard)

    def close(self) -> None:
        """Write the shards whose inputs all have records (the last, shorter one included)."""
        for shard, records in list(self._records.items()):
            if len(records) == self._expected.get(shard):
                self._flush(shard)

    def _flush(self, shard: int) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        records = self._records.pop(shard)
        rows = tables(records)
        types = {"string": pa.string(), "int64": pa.int64(), "float64": pa.float64()}
        for name in ("segments", "pairs"):
            schema = pa.schema([(column, types[kind]) for column, kind in COLUMNS[name].items()])
            self._write(pq, pa.Table.from_pylist(rows[name], schema=schema), self.folder / name / self.path(shard).name)
        table = pa.table({
            "id": [r["id"] for r in records],
            "source": [r.get("source") for r in records],
            "error": [r.get("error") for r in records],
            "record": [json.dumps(r, ensure_ascii=False) for r in records],
        })
        self._write(pq, table, self.path(shard))
        self.complete.add(shard)

    @staticmethod
    def _write(pq, table, path: Path) -> None:
        """Whole or not at all: a temporary file renamed into place."""
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        pq.write_table(table, tmp)
        os.replace(tmp, path)

