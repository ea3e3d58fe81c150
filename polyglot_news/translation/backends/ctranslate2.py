"""CTranslate2 backend: the same model converted once (int8 on CPU by default), run by
CTranslate2's translator. The conversion is stored under the user cache directory, keyed by
model, revision, compute type and ctranslate2 version, and written atomically: a conversion
killed half-way leaves only a hidden temporary folder that no run loads (the next conversion of
that model, or ``polyglot-news models prune``, removes it). One process at a time converts a
given model.

With ``compute_type: float32`` the output equals the transformers backend's (greedy or beams):
transformers' ``max_new_tokens = n`` ends with a forced ``</s>`` where the model forces one
(opus-mt), i.e. at most n−1 content tokens, which is CTranslate2's ``max_decoding_length =
n − 1``; CTranslate2 counts a target prefix (NLLB's language token) as transformers counts the
forced first token.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from platformdirs import user_cache_dir

from ... import budget
from ...logs import logger, quiet_transformers
from ..models import ModelNotAvailable
from .base import TranslationBackend

MARKER = "model.bin"
SOURCE = "polyglot_news_source.json"  # what the conversion was made from


def conversion_root() -> Path:
    return Path(user_cache_dir("polyglot_news")) / "ctranslate2"


def resolve_compute_type(compute_type: str, device: str) -> str:
    """``auto``: int8 on CPU, float16 on a GPU; anything else as given (CTranslate2's names)."""
    if compute_type != "auto":
        return compute_type
    return "int8" if device == "cpu" else "float16"


def _source_stamp(path: Path) -> list:
    """What changes when a local model folder is rebuilt in place."""
    return sorted((p.name, p.stat().st_size, int(p.stat().st_mtime)) for p in path.glob("*.safetensors"))


def converted_path(model_name: str, path: Path, revision: str, compute_type: str) -> Path:
    """Where the conversion of this model, revision and compute type lives."""
    import ctranslate2

    key = json.dumps({"model": model_name, "revision": revision, "compute_type": compute_type,
                      "ctranslate2": ctranslate2.__version__, "source": _source_stamp(path)}, sort_keys=True)
    digest = hashlib.sha256(key.encode()).hexdigest()[:16]
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in model_name.strip("/"))[-60:]
    return conversion_root() / f"{safe}-{compute_type}-{digest}"


def convert(model_name: str, path: Path, revision: str, compute_type: str) -> tuple[Path, bool]:
    """The converted model's folder, converting first if needed; ``True`` when converted now.
    ``compute_type`` is a resolved one (:func:`resolve_compute_type`).

    One process converts a given model at a time (a lock beside the folder): workers started
    together on one machine wait for the first one's conversion and reuse it. Inside the lock,
    what a killed conversion of the same model left behind is removed first."""
    import ctranslate2
    from filelock import FileLock, Timeout

    target = converted_path(model_name, path, revision, compute_type)
    if (target / MARKER).is_file():
        return target, False
    target.parent.mkdir(parents=True, exist_ok=True)
    lock = FileLock(_lock_path(target))
    try:
        lock.acquire(timeout=0)
    except Timeout:
        logger.info("waiting for another process converting %s (%s)", model_name, compute_type)
        lock.acquire()
    try:
        if (target / MARKER).is_file():  # converted by the process we waited for
            return target, False
        for leftover in _temporaries(target):  # nobody else converts this model now: we hold the lock
            shutil.rmtree(leftover, ignore_errors=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
        try:
            quantization = None if compute_type == "default" else compute_type
            try:
                with quiet_transformers():
                    ctranslate2.converters.TransformersConverter(str(path)).convert(
                        str(tmp / "model"), quantization=quantization, force=True)
            except Exception as exc:
                raise ModelNotAvailable(
                    f"CTranslate2 cannot convert model {model_name!r} ({type(exc).__name__}: {exc})".splitlines()[0]
                    + "; set translation.backend: transformers to run it as it is") from None
            source = {"model": model_name, "path": str(Path(path).resolve()), "revision": revision,
                      "compute_type": compute_type, "ctranslate2": ctranslate2.__version__}
            (tmp / "model" / SOURCE).write_text(json.dumps(source, indent=1), encoding="utf-8")
            try:
                os.rename(tmp / "model", target)  # atomic: the folder appears whole or not at all
            except OSError:
                # where file locks do not hold (some network file systems), another machine
                # may have got there first; its conversion is as good as ours
                if not (target / MARKER).is_file():
                    raise
                return target, False
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    finally:
        lock.release()
    return target, True


def _lock_path(target: Path) -> Path:
    return target.parent / f".{target.name}.lock"


def _temporaries(target: Path) -> list[Path]:
    """Hidden folders that conversions of ``target`` are (or were, if killed) writing."""
    return [p for p in target.parent.glob(f".{target.name}.*") if p.is_dir()]


def list_converted() -> list[dict[str, Any]]:
    """Converted models in the cache: folder name, size, and the model it was converted from
    (``source``: its folder; ``source_exists``: ``None`` for conversions that did not record it)."""
    root = conversion_root()
    if not root.is_dir():
        return []
    return [_row(p) for p in sorted(root.iterdir()) if p.is_dir() and not p.name.startswith(".")]


def _row(folder: Path) -> dict[str, Any]:
    """A folder of the conversion cache as :func:`list_converted` describes it (a killed
    conversion's leftover has no source record)."""
    try:
        source = json.loads((folder / SOURCE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        source = {}
    size = sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())
    return {"id": folder.name, "size_mb": round(size / 1e6, 1), "source": source.get("path"),
            "source_exists": Path(source["path"]).is_dir() if "path" in source else None}


def remove_converted(ids: list[str]) -> list[dict[str, Any]]:
    """Delete the named conversions (ids as :func:`list_converted` gives them); returns what
    was removed. An id that is not there raises ``KeyError`` before anything is deleted."""
    rows = {row["id"]: row for row in list_converted()}
    missing = [i for i in ids if i not in rows]
    if missing:
        raise KeyError(f"no converted model {', '.join(missing)} in {conversion_root()}")
    return _delete([rows[i] for i in ids])


def _delete(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    for row in rows:
        target = conversion_root() / row["id"]
        shutil.rmtree(target)
        _lock_path(target).unlink(missing_ok=True)
    return rows


def prune_converted() -> list[dict[str, Any]]:
    """Delete what no run will load again: conversions whose source folder is gone (a model
    removed from the Hugging Face cache, a temporary folder), and what killed conversions left
    behind (only where no process holds that model's conversion lock). Returns what was removed."""
    from filelock import FileLock, Timeout

    removed = _delete([row for row in list_converted() if row["source_exists"] is False])
    root = conversion_root()
    # hidden entries: ".ID.lock" files and ".ID.RANDOM" folders of conversions, finished or not
    targets = {root / p.name[1:].rsplit(".", 1)[0] for p in root.glob(".*")} if root.is_dir() else set()
    for target in sorted(targets):
        lock = FileLock(_lock_path(target))
        try:
            lock.acquire(timeout=0)
        except Timeout:
            continue  # being converted now
        try:
            for leftover in _temporaries(target):
                removed.append(_row(leftover))
                shutil.rmtree(leftover, ignore_errors=True)
        finally:
            lock.release()
        if not target.exists():
            _lock_path(target).unlink(missing_ok=True)
    return removed


class ConversionStore:
    """The converted copies this backend keeps (a ``backends`` module's optional ``STORE``,
    which :mod:`..models` lists, removes and prunes without naming the backend)."""

    def list(self) -> list[dict[str, Any]]:
        return list_converted()

    def remove(self, ids: list[str]) -> list[dict[str, Any]]:
        return remove_converted(ids)

    def prune(self) -> list[dict[str, Any]]:
        return prune_converted()


STORE = ConversionStore()


# CPU, batches side by side (measured with benchmarks/translate.py on 2 cores): greedy, pieces
# of about 40 rows ran 8-14 % faster than of 16 or 20 (MKL copies a layer's int8 weights into its
# kernel's layout for every product whatever the rows, so more rows share that copy), and a piece
# of 80 (one a core) slower again; with 4 beams, 8 rows (32 hypotheses) beat 16 and 24
ROWS_PER_BATCH = 48  # greedy
HYPOTHESES_PER_BATCH = 32  # beam search: rows × beams


class Backend(TranslationBackend):
    name = "ctranslate2"

    def __init__(self, model_name, path, revision, config):
        super().__init__(model_name, path, revision, config)
        import ctranslate2

        from ..models import pick_device

        self.device = pick_device(config.device)
        device = "cuda" if self.device.startswith("cuda") else "cpu"
        index = int(self.device.split(":")[1]) if ":" in self.device else 0
        self.compute_type = resolve_compute_type(config.compute_type, device)
        self.converted, self.converted_now = convert(model_name, path, revision, self.compute_type)
        self.inter_threads, intra_threads = _threads(config, device)
        with _torch_threads_kept():
            self.translator = ctranslate2.Translator(str(self.converted), device=device, device_index=index,
                                                     compute_type=self.compute_type,
                                                     inter_threads=self.inter_threads, intra_threads=intra_threads)
        # transformers spends one of its max_new_tokens on a forced </s>, where the model forces
        # one; CTranslate2 counts the target prefix (the language token) but not </s>
        self._max_decoding_length = self.max_new_tokens - (1 if self._forces_eos() else 0)

    def _forces_eos(self) -> bool:
        from transformers import GenerationConfig

        try:
            generation = GenerationConfig.from_pretrained(self.path)
        except OSError:  # no generation_config.json: the model config's defaults
            generation = None
        forced = getattr(generation, "forced_eos_token_id", None)
        if forced is None:
            forced = getattr(self.model_config, "forced_eos_token_id", None)
        return forced is not None

    def generate(self, batch: list[list[int]], tgt_code: str | None) -> list[list[int]]:
        return [self._ids(r) for r in self._translate(batch, tgt_code)]

    def generate_many(self, batches: list[list[list[int]]], tgt_code: str | None) -> list[list[list[int]]]:
        """All batches submitted at once, run ``inter_threads`` at a time. Each core then works
        on a batch of its own, which on CPU beats several cores sharing one batch's small
        matrix products. The rows are cut into pieces of at most ``ROWS_PER_BATCH`` rows
        (greedy) or ``HYPOTHESES_PER_BATCH`` hypotheses (rows × beams), sizes a core handles
        best, and none larger than the translator's largest batch: see :func:`pieces`."""
        if self.inter_threads <= 1 or not batches:
            return super().generate_many(batches, tgt_code)
        rows = [row for batch in batches for row in batch]  # length-sorted already
        most = min(piece_rows(self.config.generation.num_beams), max(len(b) for b in batches))
        budget.check()
        pending = [self._translate(rows[a:b], tgt_code, asynchronous=True)
                   for a, b in pieces(len(rows), most, self.inter_threads)]
        flat = iter([self._ids(result.result()) for piece in pending for result in piece])
        return [[next(flat) for _ in batch] for batch in batches]

    def _translate(self, batch: list[list[int]], tgt_code: str | None, asynchronous: bool = False):
        gen = self.config.generation
        tokens = [self.tokenizer.convert_ids_to_tokens(row) for row in batch]
        prefix = [[self.lang_token(tgt_code)]] * len(batch) if tgt_code is not None else None
        return self.translator.translate_batch(
            tokens, target_prefix=prefix, beam_size=gen.num_beams, max_decoding_length=self._max_decoding_length,
            length_penalty=gen.length_penalty, repetition_penalty=gen.repetition_penalty,
            no_repeat_ngram_size=gen.no_repeat_ngram_size, max_batch_size=0, asynchronous=asynchronous,
            return_scores=False)  # only the best hypothesis's tokens are used

    def _ids(self, result) -> list[int]:
        return self.tokenizer.convert_tokens_to_ids(result.hypotheses[0])

    def settings(self) -> dict[str, Any]:
        import ctranslate2

        return {"backend": self.name, "ctranslate2": ctranslate2.__version__, "compute_type": self.compute_type,
                "device": self.device}


def piece_rows(beams: int) -> int:
    """The most rows a piece side by side holds: ``ROWS_PER_BATCH`` greedy,
    ``HYPOTHESES_PER_BATCH`` hypotheses (rows × beams) with beam search."""
    beams = max(1, beams)
    return ROWS_PER_BATCH if beams == 1 else max(1, HYPOTHESES_PER_BATCH // beams)


def pieces(rows: int, most: int, threads: int) -> list[tuple[int, int]]:
    """``[start, end)`` of the pieces that ``rows`` length-sorted rows are cut into, to run
    ``threads`` at a time: as few as pieces of at most ``most`` rows allow, their number a
    multiple of ``threads`` (so that no core idles through the last round while another works
    on a piece), their sizes within one row of each other."""
    if rows <= 0:
        return []
    count = math.ceil(math.ceil(rows / max(1, most)) / threads) * threads
    count = min(count, rows)
    size, extra = divmod(rows, count)
    bounds, start = [], 0
    for k in range(count):
        end = start + size + (1 if k < extra else 0)
        bounds.append((start, end))
        start = end
    return bounds


def _threads(config, device: str) -> tuple[int, int]:
    """(inter_threads, intra_threads) from the config's ``inter_threads`` and ``threads``. On a
    CPU, this process's cores are torch's thread count (all of them; 1 in a ``--workers``
    process): one batch per core side by side, or one batch on all of them."""
    if device != "cpu":
        return config.inter_threads or 1, config.threads
    import torch

    cores = max(1, torch.get_num_threads())
    inter = config.inter_threads or max(1, cores // max(1, config.threads))
    return inter, config.threads or (1 if inter > 1 else cores)


@contextlib.contextmanager
def _torch_threads_kept():
    """Loading a CTranslate2 translator sets the calling thread's OpenMP thread count to its
    ``intra_threads``, which is torch's thread count too: after the first backend (1 thread a
    batch), torch ran on one core, and the next backend, reading its cores from torch, ran its
    batches one at a time on CTranslate2's default threads, four times slower on 2 cores. The
    count is put back; CTranslate2's own worker threads keep theirs."""
    import torch

    before = torch.get_num_threads()
    try:
        yield
    finally:
        if torch.get_num_threads() != before:
            torch.set_num_threads(before)
