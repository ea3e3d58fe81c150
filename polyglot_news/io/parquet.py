"""Records as Parquet shards: ``part-00000.parquet`` holds the records of inputs 0 … size−1 (in
input order), the next file the next ``size``, and so on. A shard is written whole, to a
temporary file renamed into place, once every one of its inputs has a record; a rerun over the
same inputs skips the shards already there. Columns: ``id``, ``source``, ``error`` (null when
the document was processed) and ``record`` (the full JSON record, as in the JSONL output).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any


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
        table = pa.table({
            "id": [r["id"] for r in records],
            "source": [r.get("source") for r in records],
            "error": [r.get("error") for r in records],
            "record": [json.dumps(r, ensure_ascii=False) for r in records],
        })
        tmp = self.path(shard).with_name(f".{self.path(shard).name}.{os.getpid()}.tmp")
        pq.write_table(table, tmp)
        os.replace(tmp, self.path(shard))
        self.complete.add(shard)
