"""Write records: JSON lines (appended atomically, resumable) and aligned text (TSV, Moses, TMX)."""

from __future__ import annotations

import errno
import json
import os
import sys
from pathlib import Path
from typing import Any, Iterable, TextIO

from ..types import Signature


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
    line, which :func:`completed_keys` drops and the next run overwrites.
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


def completed_keys(path: str | Path) -> set[str]:
    """Keys of the whole records already in a JSONL output (for resuming a run)."""
    return {str(record.get("key") or record["id"]) for record in _records(Path(path))}


def signature_path(output: str | Path) -> Path:
    """Where the signatures of a file output are written: ``OUT.signatures.json`` beside it
    (``OUT/_signatures.json`` in a Parquet folder, :mod:`.parquet`)."""
    output = Path(output)
    return output.with_name(f"{output.name}.signatures.json")


def write_atomically(path: Path, data: bytes) -> None:
    """Whole or not at all: a temporary file beside ``path``, synced, renamed into place."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with tmp.open("wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


class SignatureFile:
    """The signatures of one output, written once each: ``{digest: signature}`` in a JSON file
    beside it (the sacrebleu idea: provenance belongs to an output, and a record names it by a
    short digest). Records of other settings appended to the same output add their signature
    beside the first. With ``replace`` (an output being overwritten) the old file stays until
    :meth:`commit`."""

    def __init__(self, output: str | Path | None, replace: bool = False, path: Path | None = None):
        self.path = path or signature_path(output)
        self.replace = replace
        self.known: dict[str, Any] = {} if replace else read_signatures(self.path)
        self._dirty = False

    @property
    def _target(self) -> Path:
        return self.path.with_name(f".{self.path.name}.{os.getpid()}.new") if self.replace else self.path

    def add(self, signature: dict[str, Any]) -> str:
        """The digest that names ``signature`` in records; written out when new."""
        digest = str(signature.get("digest"))
        if digest not in self.known:
            components = {k: v for k, v in signature.items() if k != "digest"}
            self.known[digest] = {"text": str(Signature(components)), **components}
            write_atomically(self._target, (json.dumps(self.known, ensure_ascii=False, indent=1) + "\n").encode())
        return digest

    def commit(self) -> None:
        if self.replace:
            if self._target.exists():
                os.replace(self._target, self.path)
            elif self.path.exists():  # the new output has no signature: the old ones go with it
                self.path.unlink()

    def discard(self) -> None:
        if self.replace and self._target.exists():
            self._target.unlink()


def read_signatures(path: str | Path) -> dict[str, Any]:
    """``{digest: signature}`` of a signature file (empty when there is none)."""
    path = Path(path)
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def remove_stale_temporaries(output: Path) -> list[Path]:
    """Remove what a killed run on ``output`` left beside it (``.OUT.PID.tmp`` and the like,
    whose process is gone); returns what was removed."""
    removed = []
    for stale in output.parent.glob(f".{output.name}.*"):
        pids = [int(part) for part in stale.name[len(output.name) + 2:].split(".") if part.isdigit()]
        if stale.name.endswith(".lock") or not pids or _alive(pids[0]):
            continue
        if stale.is_dir():
            import shutil

            shutil.rmtree(stale, ignore_errors=True)
        else:
            stale.unlink(missing_ok=True)
        removed.append(stale)
    return removed


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return False  # this process only starts now: nothing of its own is there yet
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


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


def _here(path: Path) -> Path:
    return path


Pair = tuple  # (source text, target text, aligner's score, verdict {"score", "flags"} or None)


def keep_pair(pair: Pair, min_quality: float | None) -> bool:
    """Whether a pair passes ``--min-quality`` (an unscored pair passes)."""
    quality = pair[3] if len(pair) > 3 else None
    return min_quality is None or quality is None or quality.get("score", 0.0) >= min_quality


def write_pairs(pairs: Iterable[Pair], fmt: str, src_lang: str, tgt_lang: str,
                output: str | Path | None, place=_here, min_quality: float | None = None) -> list[str]:
    """Aligned text pairs in one of :data:`PAIR_FORMATS`: TSV or TMX into ``output`` (``None``:
    standard output), Moses into ``output.SRC`` and ``output.TGT``. Returns the paths written.
    The one writer of ``align-docs``, ``run --format`` and any command that writes pairs.
    ``place(path)``: where to write ``path`` now (a runner's temporary, :class:`..runners.base.WholeOutput`)."""
    from .. import __version__

    pairs = [p for p in pairs if keep_pair(p, min_quality)]
    if fmt == "moses":
        if output is None:
            raise ValueError("Moses output needs a file prefix")
        paths = [f"{output}.{src_lang}", f"{output}.{tgt_lang}"]
        write_moses(pairs, *(place(Path(p)) for p in paths))
        return paths
    if fmt == "tmx":
        data = tmx_document(pairs, src_lang, tgt_lang, __version__)
        if output is None:
            sys.stdout.buffer.write(data)
            return []
        write_atomically(place(Path(output)), data)
        return [str(output)]
    if fmt != "tsv":
        raise ValueError(f"unknown pair format {fmt!r}; choose from {', '.join(PAIR_FORMATS)}")
    if output is None:
        write_tsv(pairs, sys.stdout)
        return []
    import io

    buffer = io.StringIO()
    write_tsv(pairs, buffer)
    write_atomically(place(Path(output)), buffer.getvalue().encode("utf-8"))
    return [str(output)]


PIVOT = "en"


def pair_order(src_lang: str, tgt_lang: str) -> tuple[str, str]:
    """The one naming rule of pair files: the source language first, the pivot (English) last
    (``az-en``, ``ru-en``); between two other languages, in alphabetical order (``az-ru``)."""
    if tgt_lang == PIVOT or (src_lang != PIVOT and src_lang <= tgt_lang):
        return src_lang, tgt_lang
    return tgt_lang, src_lang


def ordered_pairs(rows: Iterable[tuple]) -> dict[tuple[str, str], list[Pair]]:
    """``(src_lang, tgt_lang, src, tgt, score[, quality])`` rows grouped by language pair, each
    pair turned to :func:`pair_order`'s direction."""
    by_pair: dict[tuple[str, str], list[Pair]] = {}
    for sl, tl, src, tgt, score, *quality in rows:
        if pair_order(sl, tl) != (sl, tl):
            sl, tl, src, tgt = tl, sl, tgt, src
        by_pair.setdefault((sl, tl), []).append((src, tgt, score, quality[0] if quality else None))
    return by_pair


def write_pair_files(by_pair: dict[tuple[str, str], list[Pair]], fmt: str,
                     base: str | Path, place=_here, min_quality: float | None = None) -> list[Path]:
    """One file set per language pair, named after ``base`` (less a ``.tsv``/``.tmx`` suffix
    it already has): ``BASE.az-en.tsv`` (or ``.tmx``), Moses ``BASE.az-en.az`` +
    ``BASE.az-en.en``. Pairs are named and turned by :func:`pair_order`. Returns the paths."""
    base = Path(base)
    if base.suffix.lower() in (f".{fmt}", ".jsonl"):
        base = base.with_suffix("")
    turned: dict[tuple[str, str], list[tuple[str, str, float]]] = {}
    for (sl, tl), pairs in by_pair.items():
        for key, rows in ordered_pairs((sl, tl, *pair) for pair in pairs).items():
            turned.setdefault(key, []).extend(rows)
    written: list[Path] = []
    for (sl, tl), pairs in sorted(turned.items()):
        stem = base.with_name(f"{base.name}.{sl}-{tl}")
        output = stem if fmt == "moses" else stem.with_name(f"{stem.name}.{fmt}")
        written.extend(Path(p) for p in write_pairs(pairs, fmt, sl, tl, output, place, min_quality))
    return written


def write_tsv(pairs: Iterable[Pair], out: TextIO) -> None:
    """Source text, target text, the aligner's score, then the pair's quality score and flags
    (comma-separated; both empty where the pair was not scored); tabs and newlines inside a
    text become spaces."""
    for pair in pairs:
        out.write(tsv_line(*pair))


def tsv_line(src: str, tgt: str, score: float, quality: dict | None = None) -> str:
    verdict = f"{quality['score']:.4f}\t{','.join(quality['flags'])}" if quality else "\t"
    return f"{_one_line(src)}\t{_one_line(tgt)}\t{score:.4f}\t{verdict}\n"


def write_moses(pairs: Iterable[Pair], src_path: str | Path, tgt_path: str | Path) -> None:
    """Moses-style parallel files: line i of one is the translation of line i of the other."""
    with open(src_path, "w", encoding="utf-8") as src_out, open(tgt_path, "w", encoding="utf-8") as tgt_out:
        for src, tgt, *_ in pairs:
            src_out.write(_one_line(src) + "\n")
            tgt_out.write(_one_line(tgt) + "\n")


def tmx_document(pairs: Iterable[Pair], src_lang: str, tgt_lang: str, creator: str) -> bytes:
    """A TMX 1.4b document with one ``tu`` per pair and ``xml:lang`` on each ``tuv``."""
    return tmx_head(src_lang, creator) + b"".join(tmx_unit(*pair[:3], src_lang, tgt_lang, *pair[3:])
                                                  for pair in pairs) + TMX_TAIL


TMX_TAIL = b"  </body>\n</tmx>\n"


def tmx_head(src_lang: str, creator: str) -> bytes:
    """A TMX 1.4b document's start, up to its ``body``: its units can follow one by one."""
    from lxml import etree

    header = etree.Element("header", creationtool="polyglot_news", creationtoolversion=creator,
                           datatype="plaintext", segtype="sentence", adminlang="en", srclang=src_lang,
                           **{"o-tmf": "polyglot_news"})
    return (b'<?xml version=\'1.0\' encoding=\'UTF-8\'?>\n<!DOCTYPE tmx SYSTEM "tmx14.dtd">\n<tmx version="1.4">\n  '
            + etree.tostring(header, encoding="UTF-8") + b"\n  <body>\n")


def tmx_unit(src: str, tgt: str, score: float, src_lang: str, tgt_lang: str, quality: dict | None = None) -> bytes:
    """One ``tu``: the aligner's score as a ``prop`` (and the quality score and flags as two
    more where the pair was scored), each side a ``tuv`` with its ``xml:lang``."""
    from lxml import etree

    xml_lang = "{http://www.w3.org/XML/1998/namespace}lang"
    tu = etree.Element("tu")
    etree.SubElement(tu, "prop", type="x-score").text = f"{score:.4f}"
    if quality:
        etree.SubElement(tu, "prop", type="x-quality").text = f"{quality['score']:.4f}"
        etree.SubElement(tu, "prop", type="x-quality-flags").text = ",".join(quality["flags"])
    for lang, text in ((src_lang, src), (tgt_lang, tgt)):
        etree.SubElement(etree.SubElement(tu, "tuv", {xml_lang: lang}), "seg").text = _xml_safe(text)
    return b"    " + etree.tostring(tu, encoding="UTF-8") + b"\n"


class PairFiles:
    """The aligned sentence pairs of records, written as the records come (a runner's sink,
    :func:`..runners.base.run_batch`): one file set per language pair beside ``base``
    (``BASE.az-en.tsv``, ``.tmx``, or Moses ``BASE.az-en.az`` + ``.en``), named and turned by
    :func:`pair_order`. Each file is written to a temporary beside it and takes its place at
    :meth:`close`. ``rows``: a record's pairs as ``(src_lang, tgt_lang, src, tgt, score)``."""

    def __init__(self, base: str | Path, fmt: str, rows, min_quality: float | None = None):
        from .. import __version__

        if fmt not in PAIR_FORMATS:
            raise ValueError(f"unknown pair format {fmt!r}; choose from {', '.join(PAIR_FORMATS)}")
        base = Path(base)
        self.base = base.with_suffix("") if base.suffix.lower() in (f".{fmt}", ".jsonl") else base
        self.fmt, self.rows, self.version, self.min_quality = fmt, rows, __version__, min_quality
        self._open: dict[tuple[str, str], list[tuple[Path, Any]]] = {}
        self.written: list[Path] = []

    def _files(self, sl: str, tl: str) -> list[tuple[Path, Any]]:
        if (sl, tl) not in self._open:
            stem = self.base.with_name(f"{self.base.name}.{sl}-{tl}")
            paths = ([Path(f"{stem}.{sl}"), Path(f"{stem}.{tl}")] if self.fmt == "moses"
                     else [stem.with_name(f"{stem.name}.{self.fmt}")])
            handles = []
            for path in paths:
                tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
                handles.append((path, tmp, tmp.open("wb")))
            if self.fmt == "tmx":
                handles[0][2].write(tmx_head(sl, self.version))
            self._open[(sl, tl)] = handles
        return self._open[(sl, tl)]

    def write(self, record: dict[str, Any]) -> None:
        for sl, tl, src, tgt, score, quality in self.rows(record):
            if not keep_pair((src, tgt, score, quality), self.min_quality):
                continue
            if pair_order(sl, tl) != (sl, tl):
                sl, tl, src, tgt = tl, sl, tgt, src
            files = self._files(sl, tl)
            if self.fmt == "tmx":
                files[0][2].write(tmx_unit(src, tgt, score, sl, tl, quality))
            elif self.fmt == "tsv":
                files[0][2].write(tsv_line(src, tgt, score, quality).encode("utf-8"))
            else:
                files[0][2].write((_one_line(src) + "\n").encode("utf-8"))
                files[1][2].write((_one_line(tgt) + "\n").encode("utf-8"))

    def close(self) -> None:
        for files in self._open.values():
            for path, tmp, handle in files:
                if self.fmt == "tmx":
                    handle.write(TMX_TAIL)
                handle.flush()
                os.fsync(handle.fileno())
                handle.close()
                os.replace(tmp, path)
                self.written.append(path)
        self._open = {}


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _xml_safe(text: str) -> str:
    """Drop the few code points XML 1.0 cannot hold (control characters)."""
    return "".join(ch for ch in text if ch in "\t\n\r" or ord(ch) >= 0x20 and ch not in "\ufffe\uffff")
