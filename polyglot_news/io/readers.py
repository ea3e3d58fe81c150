"""Read documents from files, JSONL, directories and standard input.

Every problem with one input (missing, binary, not UTF-8, empty, too large, a malformed JSONL
line) becomes a :class:`ReadError` in the stream instead of an exception, so a batch goes on
with the other inputs and the caller decides how to report it.

Identity: every document's id is where it came from, so two inputs never share one and a rerun
with the same arguments recognises each of them.

- a file: its path as given, normalised (``corpus/2021-11-28/news.txt`` for a file found in the
  directory ``corpus``); the same file reached twice (``corpus`` and ``corpus/a.txt``, or a
  link) is read once;
- a JSONL line: the file's id, then ``/`` and the line's own ``id`` (``feed.jsonl/rferl-1``), or
  ``:`` and the line number when it has none (``feed.jsonl:7``). A file is never a folder, so
  these cannot meet a file's id; a JSONL file that repeats an own id is reported by the batch;
- standard input: ``stdin-`` and the first 16 hex digits of the SHA-256 of its bytes, so a
  second document piped into the same output is a new document and the same one is not.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Iterable, Iterator

from ..logs import logger
from ..types import Document

DEFAULT_MAX_BYTES = 50 * 1024 * 1024
TEXT_SUFFIXES = (".txt",)
JSONL_SUFFIXES = (".jsonl",)


@dataclass
class ReadError:
    """An input that could not be turned into a document."""

    id: str
    source: str
    message: str

    def __str__(self) -> str:
        return f"{self.source}: {self.message}"

    def to_dict(self) -> dict[str, str]:
        return {"id": self.id, "source": self.source, "error": self.message}


@dataclass
class FileRef:
    """A text file not read yet: its identity is known (its path), its bytes are read where it
    is processed (a worker process, a Ray read operator), not by the driver of a batch."""

    id: str
    source: str
    max_bytes: int = DEFAULT_MAX_BYTES

    def load(self) -> Document | ReadError:
        return next(_read_file(Path(self.source), self.max_bytes, self.id))


def decode_text(data: bytes, max_bytes: int = DEFAULT_MAX_BYTES) -> str:
    """Bytes → text, or ValueError with a one-line reason (binary, invalid UTF-8, empty, too large)."""
    if len(data) > max_bytes:
        raise ValueError(f"too large: {len(data)} bytes (limit {max_bytes})")
    if b"\x00" in data[:65536]:
        raise ValueError("binary file (contains NUL bytes), not text")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError(f"invalid UTF-8 at byte {exc.start}: {data[exc.start:exc.start + 4]!r}") from None
    if text.startswith("\ufeff"):
        text = text[1:]
    if not text:
        raise ValueError("empty document")
    return text


def iter_documents(
    paths: Iterable[str | Path], max_bytes: int = DEFAULT_MAX_BYTES, stdin: BinaryIO | None = None,
    defer: bool = False,
) -> Iterator[Document | ReadError | FileRef]:
    """Documents from each path in turn: ``.txt`` files, ``.jsonl`` files, directories, ``-``.
    With ``defer``, a text file comes as a :class:`FileRef`, read later by whoever processes it
    (JSONL lines are read here: their ids are inside)."""
    for item in _inputs(paths, warn=True):
        if isinstance(item, ReadError):
            yield item
        elif item == "-":
            yield _read_stream(stdin or sys.stdin.buffer, "<stdin>", max_bytes)
        elif defer and item.suffix.lower() not in JSONL_SUFFIXES:
            yield FileRef(item.as_posix(), str(item), max_bytes)
        else:
            yield from _read_file(item, max_bytes)


def count_inputs(paths: Iterable[str | Path]) -> int | None:
    """How many records :func:`iter_documents` will yield (for a progress bar's ETA), or
    ``None`` when standard input is among the paths. JSONL files are only scanned for lines."""
    total = 0
    for item in _inputs(paths):
        if item == "-":
            return None
        total += 1 if isinstance(item, ReadError) else _records_in(item)
    return total


def _inputs(paths: Iterable[str | Path], warn: bool = False) -> Iterator[Path | str | ReadError]:
    """Each input file (its path as given, normalised), ``"-"`` for standard input, or the
    error of an argument that names none. A file reached twice (a folder and a file in it, a
    link) comes once."""
    seen: set[str] = set()
    for raw in paths:
        if str(raw) == "-":
            yield "-"
            continue
        path = Path(os.path.normpath(raw))
        if path.is_dir():
            files = _input_files(path)
            if not files:
                yield ReadError(path.as_posix(), str(path), "directory holds no .txt or .jsonl files")
        elif path.exists():
            files = [path]
        else:
            yield ReadError(path.as_posix(), str(path), "no such file or directory")
            continue
        for file in files:
            real = os.path.realpath(file)
            if real in seen:
                if warn:
                    logger.warning("%s: already read (the same file reached twice); read once", file)
                continue
            seen.add(real)
            yield file


def _input_files(directory: Path) -> list[Path]:
    suffixes = TEXT_SUFFIXES + JSONL_SUFFIXES
    return sorted(p for p in directory.rglob("*") if p.is_file() and p.suffix.lower() in suffixes)


def _records_in(file: Path) -> int:
    if file.suffix.lower() not in JSONL_SUFFIXES or not file.is_file():
        return 1
    with file.open("rb") as handle:
        return max(1, sum(1 for line in handle if line.strip()))


def _read_file(path: Path, max_bytes: int, doc_id: str | None = None) -> Iterator[Document | ReadError]:
    if path.suffix.lower() in JSONL_SUFFIXES:
        yield from _read_jsonl(path, max_bytes)
        return
    doc_id = doc_id or path.as_posix()
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise ValueError(f"too large: {size} bytes (limit {max_bytes})")
        with path.open("rb") as handle:  # bounded: a device or a growing file may not say its size
            yield _document_from_bytes(handle.read(max_bytes + 1), doc_id, str(path), max_bytes)
    except (OSError, ValueError) as exc:
        yield ReadError(doc_id, str(path), _reason(exc))


def _read_stream(stream: BinaryIO, source: str, max_bytes: int) -> Document | ReadError:
    try:
        data = stream.read(max_bytes + 1)
    except OSError as exc:
        return ReadError("stdin", source, _reason(exc))
    doc_id = "stdin-" + hashlib.sha256(data).hexdigest()[:16]
    try:
        return _document_from_bytes(data, doc_id, source, max_bytes)
    except ValueError as exc:
        return ReadError(doc_id, source, _reason(exc))


def _document_from_bytes(data: bytes, doc_id: str, source: str, max_bytes: int) -> Document:
    return Document(doc_id, decode_text(data, max_bytes), {"source": source})


def _read_jsonl(path: Path, max_bytes: int) -> Iterator[Document | ReadError]:
    file_id = path.as_posix()
    try:
        handle = path.open("rb")
    except OSError as exc:
        yield ReadError(file_id, str(path), _reason(exc))
        return
    with handle:
        seen_any = False
        for line_no, raw in enumerate(iter(lambda: handle.readline(max_bytes + 1), b""), 1):
            if len(raw) > max_bytes:  # bounded: an endless line ends this file, with an error
                yield ReadError(f"{file_id}:{line_no}", f"{path}:{line_no}",
                                f"line longer than {max_bytes} bytes; the rest of the file is skipped")
                return
            if not raw.strip():
                continue
            seen_any = True
            where = f"{path}:{line_no}"
            fallback_id = f"{file_id}:{line_no}"
            try:
                record = json.loads(decode_text(raw, max_bytes))
                if not isinstance(record, dict):
                    raise ValueError("a JSONL line must be an object with 'id' and 'text'")
                text = record.get("text")
                if not isinstance(text, str):
                    raise ValueError("field 'text' is missing or not a string")
                if not text:
                    raise ValueError("empty document")
                doc_id = f"{file_id}/{record['id']}" if record.get("id") is not None else fallback_id
                meta = {k: v for k, v in record.items() if k not in ("id", "text")}
                yield Document(doc_id, text, {**meta, "source": where})
            except json.JSONDecodeError as exc:
                yield ReadError(fallback_id, where, f"invalid JSON: {exc.msg} at column {exc.colno}")
            except ValueError as exc:
                yield ReadError(fallback_id, where, _reason(exc))
        if not seen_any:
            yield ReadError(file_id, str(path), "empty JSONL file")


def _reason(exc: BaseException) -> str:
    if isinstance(exc, OSError):
        return exc.strerror or str(exc)
    return str(exc)


def read_text_file(path: str | Path, max_bytes: int = DEFAULT_MAX_BYTES) -> str:
    """A whole file as text; ValueError naming the file and the problem otherwise."""
    try:
        return decode_text(Path(path).read_bytes(), max_bytes)
    except OSError as exc:
        raise ValueError(f"{path}: {_reason(exc)}") from None
    except ValueError as exc:
        raise ValueError(f"{path}: {exc}") from None


def read_sentence_lines(path: str | Path) -> list[str]:
    """One sentence per line (hunalign/vecalign format); the trailing newline adds no sentence."""
    lines = read_text_file(path).split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return [line.rstrip("\r") for line in lines]
