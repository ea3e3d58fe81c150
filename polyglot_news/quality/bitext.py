"""Any bitext's lines as documents of a batch: the processor that gives each line of a TSV
(source, target, further columns) its verdict, for ``score-pairs``."""

from __future__ import annotations

from typing import Any

from ..config import PipelineConfig, load_config
from ..io.records import error_record
from ..types import Document
from .scorer import QualityScorer


class BitextProcessor:
    """A :class:`~polyglot_news.runners.base.Processor` over the lines of a bitext: each line
    (a document whose id is its number) split at its tabs, scored as source and target, its
    record ``{"line", "score", "flags"}`` (and ``columns``, the line's own, with
    ``keep_columns``). A line without a tab gets an error record naming it."""

    def __init__(self, config: PipelineConfig | dict | str | None, src_lang: str, tgt_lang: str,
                 keep_columns: bool = False):
        self.config = load_config(config)
        self.src_lang, self.tgt_lang, self.keep_columns = src_lang, tgt_lang, keep_columns
        self._scorer: QualityScorer | None = None

    def __getstate__(self) -> dict[str, Any]:
        return {**self.__dict__, "_scorer": None}

    def setup(self) -> None:
        if self._scorer is None:
            self._scorer = QualityScorer.from_config(self.config)

    def split(self) -> None:
        return None

    def __call__(self, doc: Document) -> dict[str, Any]:
        return self.many([doc])[0]

    def many(self, docs: list[Document]) -> list[dict[str, Any]]:
        self.setup()
        rows = [doc.text.rstrip("\r\n").split("\t") for doc in docs]
        good = [k for k, cols in enumerate(rows) if len(cols) >= 2]
        verdicts = dict(zip(good, self._scorer.score_pairs([rows[k][0] for k in good], [rows[k][1] for k in good],
                                                           self.src_lang, self.tgt_lang)))
        out = []
        for k, (doc, cols) in enumerate(zip(docs, rows)):
            source, key = str(doc.metadata.get("source", doc.id)), doc.metadata.get("key")
            if k not in verdicts:
                out.append(error_record(doc.id, source, f"line {doc.id}: no tab between source and target", key))
                continue
            record = {"id": doc.id, "source": source, "key": key, "line": int(doc.id), **verdicts[k].to_dict()}
            if self.keep_columns:
                record["columns"] = cols
            out.append(record)
        return out
