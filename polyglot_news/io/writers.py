"""Write records: JSON lines (appended atomically, resumable) and aligned text (TSV, Moses, TMX)."""

from __future__ import annotations

import errno
import json
import os
import sys
from pathlib import Path
from typing import Any, Iterable, TextIO


def dumps(record: dict[str, Any]) -> str:
    return json.dumps(record, ensure_ascii=False, separators=(",", ":"))


def encode_line(record: dict[str, Any]) -> bytes:
    """One JSON line as UTF-8. Text that UTF-8 cannot hold (a lone surrogate in an id, a file
    name that was not UTF-8) is written as JSON escapes (``\\udc80``): still one valid line,
    read back as the same string, never a failure."""
    line = dumps(record) + "\n"
    try:
        return line.encode("utf-8")
    except UnicodeEncodeError:
        return (json.dumps(record, ensure_ascii=True, separators=(",", ":")) + "\n").encode("ascii")


class JsonlWriter:
    """Append one JSON record per line to a file (or standard output).

    Each record goes out in a single ``write`` on a file opened with ``O_APPEND`` and is flushed
    to disk, so a run killed at any moment leaves only whole lines, plus at most one torn last
    line, which :func:`completed_ids` drops and the next run overwrites.
    """

    def __init__(self, path: str | Path | None, fsync: bool = True):
        self.path = Path(path) if path not in (None, "-") else None
        self.fsync = fsync
        self._fd: int | None = None
        if self.path is not None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            if not self.path.exists() or self.path.is_file():  # not a device or a pipe
                _drop_torn_tail(self.path)
            self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)

    def write(self, record: dict[str, Any]) -> None:
        data = encode_line(record)
        if self._fd is None:
            sys.stdout.buffer.write(data)
            sys.stdout.flush()
            return
        written = os.write(self._fd, data)
        while written < len(data):  # a short write on a full disk: finish the line or fail loudly
            written += os.write(self._fd, data[written:])
        if self.fsync:
            try:
                os.fsync(self._fd)
            except OSError as exc:
                if exc.errno != errno.EINVAL:  # a device or a pipe: nothing to sync
                    raise

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> "JsonlWriter":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _drop_torn_tail(path: Path) -> None:
    """Cut a last line that has no newline (a write interrupted by a kill)."""
    if not path.exists() or path.stat().st_size == 0:
        return
    with path.open("rb+") as handle:
        handle.seek(0, os.SEEK_END)
        size = handle.tell()
        handle.seek(max(0, size - 1))
        if handle.read(1) == b"\n":
            return
        block = 65536
        pos = size
        while pos > 0:
            start = max(0, pos - block)
            handle.seek(start)
            chunk = handle.read(pos - start)
            nl = chunk.rfind(b"\n")
            if nl >= 0:
                handle.truncate(start + nl + 1)
                return
            pos = start
        handle.truncate(0)


def completed_ids(path: str | Path) -> set[str]:
    """Ids of the whole records already in a JSONL output (for resuming a run)."""
    return {str(record["id"]) for record in _records(Path(path))}


def drop_error_records(path: str | Path) -> int:
    """Remove the error records from a JSONL output, atomically (a copy without them takes the
    file's place), so that a rerun retries those inputs and the output keeps one record per
    input. Returns how many were removed."""
    path = Path(path)
    if not any("error" in r for r in _records(path)):
        return 0
    removed = 0
    tmp = path.with_name(f".{path.name}.{os.getpid()}.retry")
    with tmp.open("wb") as dst:
        for raw, record in _lines(path):
            if record is not None and "error" in record:
                removed += 1
            else:
                dst.write(raw)
        dst.flush()
        os.fsync(dst.fileno())
    os.replace(tmp, path)
    return removed


def _lines(path: Path) -> Iterable[tuple[bytes, dict[str, Any] | None]]:
    """Each whole line of a JSONL output (a torn last line is not one) with its record, or
    ``None`` where the line is not a record."""
    if not path.is_file():  # absent, or a device or a pipe: no records to read back
        return
    with path.open("rb") as handle:
        for raw in handle:
            if not raw.endswith(b"\n"):
                break
            try:
                record = json.loads(raw)
            except ValueError:
                record = None
            yield raw, record if isinstance(record, dict) and "id" in record else None


def _records(path: Path) -> Iterable[dict[str, Any]]:
    """The whole records of a JSONL output."""
    return (record for _, record in _lines(path) if record is not None)


# --- aligned text -------------------------------------------------------------------------------

PAIR_FORMATS = ("tsv", "tmx", "moses")


def write_pairs(pairs: Iterable[tuple[str, str, float]], fmt: str, src_lang: str, tgt_lang: str,
                output: str | Path | None) -> list[str]:
    """Aligned text pairs in one of :data:`PAIR_FORMATS`: TSV or TMX into ``output`` (``None``:
    standard output), Moses into ``output.SRC`` and ``output.TGT``. Returns the paths written.
    The one writer of ``align-docs``, ``run --format`` and any command that writes pairs."""
    from .. import __version__

    pairs = list(pairs)
    if fmt == "moses":
        if output is None:
            raise ValueError("Moses output needs a file prefix")
        paths = [f"{output}.{src_lang}", f"{output}.{tgt_lang}"]
        write_moses(pairs, *paths)
        return paths
    if fmt == "tmx":
        data = tmx_document(pairs, src_lang, tgt_lang, __version__)
        if output is None:
            sys.stdout.buffer.write(data)
            return []
        Path(output).write_bytes(data)
        return [str(output)]
    if fmt != "tsv":
        raise ValueError(f"unknown pair format {fmt!r}; choose from {', '.join(PAIR_FORMATS)}")
    if output is None:
        write_tsv(pairs, sys.stdout)
        return []
    with open(output, "w", encoding="utf-8") as out:
        write_tsv(pairs, out)
    return [str(output)]


def write_pair_files(by_pair: dict[tuple[str, str], list[tuple[str, str, float]]], fmt: str,
                     base: str | Path) -> list[Path]:
    """One file set per language pair, named after ``base``: ``BASE.az-ru.tsv`` (or ``.tmx``),
    Moses ``BASE.az-ru.az`` + ``BASE.az-ru.ru``. Returns the paths written."""
    base = Path(base)
    written: list[Path] = []
    for (sl, tl), pairs in sorted(by_pair.items()):
        stem = base.with_name(f"{base.name}.{sl}-{tl}")
        output = stem if fmt == "moses" else stem.with_name(f"{stem.name}.{fmt}")
        written.extend(Path(p) for p in write_pairs(pairs, fmt, sl, tl, output))
    return written


def write_tsv(pairs: Iterable[tuple[str, str, float]], out: TextIO) -> None:
    """Source text, target text, score; tabs and newlines inside a text become spaces."""
    for src, tgt, score in pairs:
        out.write(f"{_one_line(src)}\t{_one_line(tgt)}\t{score:.4f}\n")


def write_moses(pairs: Iterable[tuple[str, str, float]], src_path: str | Path, tgt_path: str | Path) -> None:
    """Moses-style parallel files: line i of one is the translation of line i of the other."""
    with open(src_path, "w", encoding="utf-8") as src_out, open(tgt_path, "w", encoding="utf-8") as tgt_out:
        for src, tgt, _ in pairs:
            src_out.write(_one_line(src) + "\n")
            tgt_out.write(_one_line(tgt) + "\n")


def tmx_document(pairs: Iterable[tuple[str, str, float]], src_lang: str, tgt_lang: str, creator: str) -> bytes:
    """A TMX 1.4b document with one ``tu`` per pair and ``xml:lang`` on each ``tuv``."""
    from lxml import etree

    xml_lang = "{http://www.w3.org/XML/1998/namespace}lang"
    root = etree.Element("tmx", version="1.4")
    etree.SubElement(
        root, "header", creationtool="polyglot_news", creationtoolversion=creator, datatype="plaintext",
        segtype="sentence", adminlang="en", srclang=src_lang, **{"o-tmf": "polyglot_news"},
    )
    body = etree.SubElement(root, "body")
    for src, tgt, score in pairs:
        tu = etree.SubElement(body, "tu")
        prop = etree.SubElement(tu, "prop", type="x-score")
        prop.text = f"{score:.4f}"
        for lang, text in ((src_lang, src), (tgt_lang, tgt)):
            tuv = etree.SubElement(tu, "tuv", {xml_lang: lang})
            seg = etree.SubElement(tuv, "seg")
            seg.text = _xml_safe(text)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True,
                          doctype='<!DOCTYPE tmx SYSTEM "tmx14.dtd">')


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _xml_safe(text: str) -> str:
    """Drop the few code points XML 1.0 cannot hold (control characters)."""
    return "".join(ch for ch in text if ch in "\t\n\r" or ord(ch) >= 0x20 and ch not in "\ufffe\uffff")
