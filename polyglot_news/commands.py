"""Commands that compose a stage with the runner's path to disk and are more than a pipeline
over documents: ``score-pairs`` over the lines of a bitext. The command line calls these; so
can a notebook."""

from __future__ import annotations

import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from .config import PipelineConfig
from .io.readers import DEFAULT_MAX_BYTES, iter_lines
from .quality.bitext import BitextProcessor
from .runners.base import SerialRunner, batches, run_batch


@dataclass
class BitextSummary:
    lines: int = 0
    failed: int = 0
    written: int = 0
    flags: Counter = field(default_factory=Counter)
    resumed: int = 0

    def report(self) -> list[str]:
        flagged = ", ".join(f"{flag} {n}" for flag, n in self.flags.most_common() if flag != "any")
        return [f"lines: {self.lines} scored, {self.flags['any']} flagged" + (f" ({flagged})" if flagged else "")
                + f", {self.failed} unreadable" + (f", {self.resumed} already in the output" if self.resumed else ""),
                f"written: {self.written} lines"]


def score_bitext(path: str | Path, config: PipelineConfig | Any, src_lang: str, tgt_lang: str, fmt: str = "tsv",
                 output: str | Path | None = None, place: Callable[[Any], Any] | None = None,
                 min_score: float | None = None, max_bytes: int = DEFAULT_MAX_BYTES, progress: bool = False,
                 overwrite: bool = False, batch: int = 256) -> BitextSummary:
    """Score every line of a TSV bitext. ``tsv``: the line's columns, then ``score`` and
    ``flags``, in the input's order (only lines at or above ``min_score`` where given), written
    whole to ``place(output)`` (the runner's temporary, :class:`~.runners.base.WholeOutput`);
    ``jsonl``: a record a line through the runner's path (:func:`~.runners.base.run_batch`:
    lock, resume by each line's key, error records). ``config``: the pipeline config whose
    ``quality``, encoder and detector score the lines."""
    processor = BitextProcessor(config, src_lang, tgt_lang, keep_columns=fmt == "tsv")
    summary = BitextSummary()
    if fmt == "jsonl":
        if min_score is not None:
            raise ValueError("--min-score filters TSV output; JSONL holds every line's verdict (filter on 'score')")
        done = run_batch(iter_lines(path, max_bytes), processor, output, SerialRunner(batch), overwrite=overwrite,
                         progress=progress, total=_count_lines(path) if progress else None)
        summary.lines, summary.failed, summary.resumed, summary.written = done.done, done.failed, done.skipped, done.done
        summary.flags = done.flagged_pairs
        return summary
    target = place(output) if place is not None and output not in (None, "-") else None
    handle = open(target, "w", encoding="utf-8", newline="") if target is not None else sys.stdout
    bar = _bar(progress, _count_lines(path))
    try:
        for chunk in batches(iter_lines(path, max_bytes), batch):
            docs = [item for item in chunk if not hasattr(item, "message")]
            records = iter(processor.many(docs) if docs else [])
            for item in chunk:
                if hasattr(item, "message"):  # a line that could not be read
                    summary.failed += 1
                    print(f"error: {item.source}: {item.message}", file=sys.stderr)
                    handle.write(f"\t\terror: {item.message}\n")
                    continue
                record = next(records)
                if "error" in record:
                    summary.failed += 1
                    print(f"error: {record['source']}: {record['error']}", file=sys.stderr)
                    handle.write(f"{item.text.rstrip(chr(13) + chr(10))}\t\terror: {record['error']}\n")
                    continue
                summary.lines += 1
                summary.flags.update(record["flags"] + (["any"] if record["flags"] else []))
                if min_score is None or record["score"] >= min_score:
                    handle.write("\t".join(record["columns"] + [f"{record['score']:.4f}", ",".join(record["flags"])])
                                 + "\n")
                    summary.written += 1
            if bar is not None:
                bar.update(len(chunk))
    finally:
        if bar is not None:
            bar.close()
        if target is not None:
            handle.close()
        else:
            handle.flush()
    return summary


def _count_lines(path: str | Path) -> int | None:
    try:
        with open(path, "rb") as handle:
            return sum(1 for line in handle if line.strip())
    except OSError:
        return None


def _bar(enabled: bool, total: int | None):
    if not enabled:
        return None
    from tqdm import tqdm

    return tqdm(total=total, unit="line", desc="pairs", file=sys.stderr, dynamic_ncols=True)


__all__ = ["BitextSummary", "score_bitext"]
