"""Read documents from files, JSONL, directories and standard input.

Every problem with one input (missing, binary, not UTF-8, empty, too large, a malformed JSONL
line, a special file or a dangling link in a folder) becomes a :class:`ReadError` in the stream
instead of an exception, so a batch goes on with the other inputs and the caller decides how to
report it.

Identity. Every document carries three names:

- ``id``: the caller's own. A JSONL line's ``id`` field, unchanged (its line number, ``7``,
  where it has none); a file found in a folder, its path relative to that folder
  (``2021-11-28/news.txt`` for ``corpus/2021-11-28/news.txt`` given as ``corpus``); a file
  given by name, its path as given (normalised); standard input, ``stdin-`` and 16 hex digits
  of the SHA-256 of its bytes. Two inputs may share an id; both are processed and keep it.
- ``source``: where it was read, ``feeds/az.jsonl:7`` or ``corpus/2021-11-28/news.txt``.
- ``key``: the identity a batch resumes by, 16 hex digits of the SHA-256 of the resolved input:
  the file's real path (links followed), and for a JSONL line its number. The same file named
  by a relative path, an absolute path or a link is one input, in one run and across reruns;
  a file moved elsewhere is a new one. Standard input is known by its content (its id).

Extra fields of a JSONL line travel in ``metadata["meta"]`` and come out in the record's
``meta``.
"""

from __future__ import annotations

import codecs
import hashlib
import json
import os
import stat
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Iterable, Iterator

from ..logs import logger
from ..types import Document

DEFAULT_MAX_BYTES = 50 * 1024 * 1024
TEXT_SUFFIXES = (".txt",)
JSONL_SUFFIXES = (".jsonl",)


def input_key(*parts: object) -> str:
    """The resume key of an input: a short digest of what identifies it."""
    return hashlib.sha256("\x00".join(map(str, parts)).encode("utf-8", "surrogatepass")).hexdigest()[:16]


@dataclass
class ReadError:
    """An input that could not be turned into a document."""

    id: str
    source: str
    message: str
    key: str = ""

    def __post_init__(self) -> None:
        self.key = self.key or input_key("error", self.source)

    def __str__(self) -> str:
        return f"{self.source}: {self.message}"

    def to_dict(self) -> dict[str, str]:
        return {"id": self.id, "source": self.source, "key": self.key, "error": self.message}


@dataclass
class FileRef:
    """A text file not read yet: its identity is known (its path), its bytes are read where it
    is processed (a worker process, a Ray read operator), not by the driver of a batch."""

    id: str
    source: str
    key: str
    max_bytes: int = DEFAULT_MAX_BYTES

    def load(self) -> Document | ReadError:
        return _read_text(Path(self.source), self.max_bytes, self.id, self.key)


@dataclass(frozen=True)
class _Input:
    """One input file: where it is, the id the caller knows it by, its key."""

    path: Path
    id: str
    key: str
    real: str


def decode_text(data: bytes, max_bytes: int = DEFAULT_MAX_BYTES) -> str:
    """Bytes → text, or ValueError with a one-line reason (binary, invalid UTF-8, empty, too
    large). UTF-8 and, where a byte-order mark says so, UTF-16 and UTF-32."""
    if len(data) > max_bytes:
        raise ValueError(f"too large: {len(data)} bytes (limit {max_bytes})")
    wide = _wide_text(data)
    if wide is not None:
        return _checked(wide)
    if b"\x00" in data[:65536]:
        raise ValueError("binary file (contains NUL bytes), not text")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError(f"invalid UTF-8 at byte {exc.start}: {data[exc.start:exc.start + 4]!r}") from None
    return _checked(text[1:] if text.startswith("\ufeff") else text)


def _wide_text(data: bytes) -> str | None:
    """The text of UTF-16 or UTF-32 bytes with a byte-order mark, where they decode to text of
    the scripts this toolkit reads (mostly Latin, Cyrillic, spaces and punctuation); ``None``
    otherwise (a Latin-1 file that happens to start with ``ÿþ`` is no UTF-16)."""
    for bom, encoding in ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
                          (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if not data.startswith(bom):
            continue
        try:
            text = data.decode(encoding).lstrip("\ufeff")
        except UnicodeDecodeError:
            return None
        usual = sum(1 for ch in text if ord(ch) < 0x0530 or 0x2000 <= ord(ch) < 0x2070)
        return text if text and usual >= 0.9 * len(text) else None
    return None


def _checked(text: str) -> str:
    if not text:
        raise ValueError("empty document")
    return text


def check_text(text: str) -> str:
    """``text``, or ValueError saying where it is not valid Unicode (a lone surrogate, which a
    JSON ``\\ud800`` escape can carry and no model or file can)."""
    for k, ch in enumerate(text):
        if "\ud800" <= ch <= "\udfff":
            raise ValueError(f"text holds a lone surrogate (U+{ord(ch):04X}) at character {k}: not valid Unicode")
    return text


def iter_documents(
    paths: Iterable[str | Path], max_bytes: int = DEFAULT_MAX_BYTES, stdin: BinaryIO | None = None,
    defer: bool = False, exclude: Iterable[str | Path] = (),
) -> Iterator[Document | ReadError | FileRef]:
    """Documents from each path in turn: ``.txt`` files, ``.jsonl`` files, directories, ``-``.
    With ``defer``, a text file comes as a :class:`FileRef`, read later by whoever processes it
    (JSONL lines are read here: their ids are inside). ``exclude``: files never read as inputs
    (a run's own output, compared by real path and by device and inode)."""
    for item in _inputs(paths, warn=True, exclude=exclude):
        if isinstance(item, ReadError):
            yield item
        elif item == "-":
            yield _read_stream(stdin, "<stdin>", max_bytes)
        elif item.path.suffix.lower() in JSONL_SUFFIXES:
            yield from _read_jsonl(item, max_bytes)
        elif defer:
            yield FileRef(item.id, str(item.path), item.key, max_bytes)
        else:
            yield _read_text(item.path, max_bytes, item.id, item.key)


def count_inputs(paths: Iterable[str | Path], exclude: Iterable[str | Path] = ()) -> int | None:
    """How many records :func:`iter_documents` will yield (for a progress bar's ETA), or
    ``None`` when standard input is among the paths. JSONL files are only scanned for lines."""
    total = 0
    for item in _inputs(paths, exclude=exclude):
        if item == "-":
            return None
        total += 1 if isinstance(item, ReadError) else _records_in(item.path)
    return total


class _Identity:
    """Real paths and (device, inode) pairs of a set of files, some perhaps not there yet."""

    def __init__(self, paths: Iterable[str | Path]):
        self.reals: set[str] = set()
        self.inodes: set[tuple[int, int]] = set()
        for path in paths:
            self.add(path)

    def add(self, path: str | Path) -> None:
        self.reals.add(os.path.realpath(path))
        try:
            st = os.stat(path)
        except OSError:
            return
        self.inodes.add((st.st_dev, st.st_ino))

    def __contains__(self, path: str | Path) -> bool:
        if os.path.realpath(path) in self.reals:
            return True
        try:
            st = os.stat(path)
        except OSError:
            return False
        return (st.st_dev, st.st_ino) in self.inodes


def same_file(a: str | Path, b: str | Path) -> bool:
    """Whether two paths name one file: the same real path, or the same device and inode."""
    return b in _Identity([a])


def _inputs(paths: Iterable[str | Path], warn: bool = False,
            exclude: Iterable[str | Path] = ()) -> Iterator[_Input | str | ReadError]:
    """Each input file with its id and key, ``"-"`` for standard input, or the error of an
    argument or folder entry that names no readable file. A file reached twice (a folder and a
    file in it, a link) comes once; a file in ``exclude`` never."""
    seen: set[str] = set()
    excluded = _Identity(exclude)
    for raw in paths:
        if str(raw) == "-":
            yield "-"
            continue
        path = Path(os.path.normpath(raw))
        if path.is_dir():
            entries = list(_folder_entries(path))
            if not entries:
                yield ReadError(path.as_posix(), str(path), "folder holds no .txt or .jsonl files")
        elif path.exists():
            entries = [(path, path.as_posix())]
        elif path.is_symlink():
            entries = [ReadError(path.as_posix(), str(path), f"dangling symbolic link (to {os.readlink(path)})")]
        else:
            yield ReadError(path.as_posix(), str(path), "no such file or directory")
            continue
        for entry in entries:
            if isinstance(entry, ReadError):
                yield entry
                continue
            file, caller_id = entry
            if file in excluded:
                logger.debug("%s: this run's own output, not read as an input", file)
                continue
            real = os.path.realpath(file)
            if real in seen:
                if warn:
                    logger.warning("%s: already read (the same file reached twice); read once", file)
                continue
            seen.add(real)
            yield _Input(file, caller_id, input_key("file", real), real)


def _folder_entries(directory: Path) -> Iterator[tuple[Path, str] | ReadError]:
    """The input files of a folder, recursively and sorted, each with its path relative to
    the folder; a :class:`ReadError` for a sub-folder that cannot be listed, a dangling link
    and a special file (a FIFO, a socket, a device): nothing in it is passed over unsaid."""
    suffixes = TEXT_SUFFIXES + JSONL_SUFFIXES
    found: list[tuple[str, Path | ReadError]] = []

    def unreadable(exc: OSError) -> None:
        where = Path(exc.filename or directory)
        caller_id = where.relative_to(directory).as_posix() if where != directory and where.is_relative_to(directory) \
            else where.as_posix()
        found.append((where.as_posix(), ReadError(caller_id, str(where), f"cannot list folder: {exc.strerror or exc}")))

    visited: set[str] = set()
    for root, dirs, files in os.walk(directory, onerror=unreadable, followlinks=True):
        visited.add(os.path.realpath(root))
        dirs[:] = sorted(d for d in dirs if os.path.realpath(os.path.join(root, d)) not in visited)  # no cycles
        for name in files:
            file = Path(root, name)
            try:
                st = os.stat(file)
            except OSError:
                if file.is_symlink():
                    found.append((file.as_posix(), ReadError(
                        file.relative_to(directory).as_posix(), str(file),
                        f"dangling symbolic link (to {os.readlink(file)})")))
                continue
            if not stat.S_ISREG(st.st_mode):
                kind = ("a FIFO" if stat.S_ISFIFO(st.st_mode) else "a socket" if stat.S_ISSOCK(st.st_mode)
                        else "a device" if stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode) else "special")
                found.append((file.as_posix(), ReadError(file.relative_to(directory).as_posix(), str(file),
                                                         f"not a regular file ({kind}): not read")))
            elif file.suffix.lower() in suffixes:
                found.append((file.as_posix(), file))
    for _, item in sorted(found, key=lambda pair: pair[0]):
        yield item if isinstance(item, ReadError) else (item, item.relative_to(directory).as_posix())


def _records_in(file: Path) -> int:
    if file.suffix.lower() not in JSONL_SUFFIXES or not file.is_file():
        return 1
    with file.open("rb") as handle:
        return max(1, sum(1 for line in handle if line.strip()))


def _read_text(path: Path, max_bytes: int, doc_id: str, key: str) -> Document | ReadError:
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise ValueError(f"too large: {size} bytes (limit {max_bytes})")
        with path.open("rb") as handle:  # bounded: a device or a growing file may not say its size
            text = decode_text(handle.read(max_bytes + 1), max_bytes)
        return Document(doc_id, text, {"source": str(path), "key": key})
    except (OSError, ValueError) as exc:
        return ReadError(doc_id, str(path), _reason(exc), key)


def _read_stream(stream: BinaryIO | None, source: str, max_bytes: int) -> Document | ReadError:
    if stream is None:
        stream = sys.stdin.buffer if sys.stdin is not None else None
    if stream is None:
        return ReadError("stdin", source, "standard input is closed: nothing to read", input_key("stdin"))
    try:
        data = stream.read(max_bytes + 1)
    except (OSError, ValueError) as exc:  # ValueError: a closed file
        return ReadError("stdin", source, _reason(exc), input_key("stdin"))
    doc_id = "stdin-" + hashlib.sha256(data).hexdigest()[:16]
    key = input_key("stdin", doc_id)
    try:
        return Document(doc_id, decode_text(data, max_bytes), {"source": source, "key": key})
    except ValueError as exc:
        return ReadError(doc_id, source, _reason(exc), key)


def _lines(handle: BinaryIO, max_bytes: int) -> Iterator[tuple[int, bytes | None]]:
    """Each line of a file with its number; ``None`` for a line longer than ``max_bytes``,
    read past (never held whole) so that the next line is read as usual."""
    line_no = 0
    while True:
        raw = handle.readline(max_bytes + 1)
        if not raw:
            return
        line_no += 1
        if len(raw) > max_bytes and not raw.endswith(b"\n"):
            while raw and not raw.endswith(b"\n"):  # resynchronise at the next line
                raw = handle.readline(1 << 20)
            yield line_no, None
            continue
        yield line_no, raw


def _read_jsonl(item: _Input, max_bytes: int) -> Iterator[Document | ReadError]:
    path = item.path
    try:
        handle = path.open("rb")
    except OSError as exc:
        yield ReadError(item.id, str(path), _reason(exc), item.key)
        return
    with handle:
        seen_any = False
        for line_no, raw in _lines(handle, max_bytes):
            where = f"{path}:{line_no}"
            key = input_key("line", item.real, line_no)
            if raw is None:
                seen_any = True
                yield ReadError(str(line_no), where, f"line longer than {max_bytes} bytes (input.max_bytes): "
                                "not read", key)
                continue
            if not raw.strip():
                continue
            seen_any = True
            try:
                record = json.loads(decode_text(raw, max_bytes))
                if not isinstance(record, dict):
                    raise ValueError("a JSONL line must be an object with 'id' and 'text'")
                text = record.get("text")
                if not isinstance(text, str):
                    raise ValueError("field 'text' is missing or not a string")
                if not text:
                    raise ValueError("empty document")
                check_text(text)
                raw_id = record.get("id")
                doc_id = str(line_no) if raw_id is None else raw_id if isinstance(raw_id, str) else json.dumps(raw_id)
                meta = {k: v for k, v in record.items() if k not in ("id", "text")}
                metadata = {"source": where, "key": key}
                if meta:
                    metadata["meta"] = meta
                yield Document(doc_id, text, metadata)
            except json.JSONDecodeError as exc:
                yield ReadError(str(line_no), where, f"invalid JSON: {exc.msg} at column {exc.colno}", key)
            except ValueError as exc:
                yield ReadError(_line_id(raw, line_no), where, _reason(exc), key)
        if not seen_any:
            yield ReadError(item.id, str(path), "empty JSONL file", item.key)


def iter_lines(path: str | Path, max_bytes: int = DEFAULT_MAX_BYTES) -> Iterator[Document | ReadError]:
    """Each non-blank line of a text file as a document whose id is its line number (a
    bitext's lines, for ``score-pairs``); a line that is not UTF-8 or longer than ``max_bytes``
    is a :class:`ReadError` naming it, and the next line is read as usual. An unreadable file
    is an ``OSError``."""
    path = Path(path)
    real = os.path.realpath(path)
    with path.open("rb") as handle:
        for line_no, raw in _lines(handle, max_bytes):
            where, key = f"{path}:{line_no}", input_key("line", real, line_no)
            if raw is None:
                yield ReadError(str(line_no), where, f"line {line_no}: longer than {max_bytes} bytes (input.max_bytes)",
                                key)
                continue
            if not raw.strip():
                continue
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                yield ReadError(str(line_no), where, f"line {line_no}: not UTF-8 at byte {exc.start}", key)
                continue
            yield Document(str(line_no), text, {"source": where, "key": key})


def _line_id(raw: bytes, line_no: int) -> str:
    """The caller's id of a line that could not be used, where it can be read; else its number."""
    try:
        value = json.loads(raw).get("id")
    except (ValueError, AttributeError):
        return str(line_no)
    return str(line_no) if value is None else value if isinstance(value, str) else json.dumps(value)


def _reason(exc: BaseException) -> str:
    if isinstance(exc, OSError):
        return exc.strerror or str(exc)
    return str(exc)


def read_text_file(path: str | Path, max_bytes: int = DEFAULT_MAX_BYTES) -> str:
    """A whole file as text; ValueError naming the file and the problem otherwise."""
    try:
        with open(path, "rb") as handle:  # bounded, whatever the file says of its size
            return decode_text(handle.read(max_bytes + 1), max_bytes)
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
