"""Finding, loading, downloading and listing seq2seq translation models.

A model is a local folder or a Hugging Face hub id. Hub ids are looked up in the local cache
first; with ``HF_HUB_OFFLINE=1`` (or no network) a model that is not there fails at once with a
message naming it and saying how to get it. Weights load from safetensors only and never with
``trust_remote_code``.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from ..config import TranslationConfig
from ..logs import logger

# Files a translation model needs; weights only as safetensors.
MODEL_FILES = ["*.json", "*.spm", "*.model", "*.safetensors", "*.txt"]
_HUB_ID = re.compile(r"^[A-Za-z0-9][\w.-]*(/[\w.-]+)?$")


class ModelNotAvailable(RuntimeError):
    """A model that is neither a local folder nor in the cache (and cannot be downloaded now)."""


def model_names(config: TranslationConfig) -> list[str]:
    """The models a translation section names: one per source language (Marian), or the one
    multilingual model."""
    return sorted(set(config.models.values())) if config.family == "marian" else [config.model]


def with_model(config: TranslationConfig, name: str, languages: list[str]) -> TranslationConfig:
    """The section with the model ``name`` translating every source language of ``languages``."""
    if config.family == "marian":
        return config.model_copy(update={"models": {lang: name for lang in languages if lang != "en"}})
    return config.model_copy(update={"model": name})


def offline() -> bool:
    return os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in ("1", "true", "yes", "on")


def how_to_get(name: str) -> str:
    return f"on a connected machine run `polyglot-news models pull {name}`, or point the config at a local folder"


def resolve(name: str, revision: str | None = None) -> tuple[Path, str]:
    """The local folder holding ``name`` and its revision, or :class:`ModelNotAvailable`."""
    local = Path(name).expanduser()
    if local.exists():
        if not (local / "config.json").is_file():
            raise ModelNotAvailable(f"model folder {local} has no config.json: not a transformers model")
        if not any(local.glob("*.safetensors")):
            raise ModelNotAvailable(f"model folder {local} has no .safetensors weights (only safetensors are loaded)")
        return local, revision or "local"
    if not _HUB_ID.match(name):
        raise ModelNotAvailable(f"model folder {name} does not exist")
    from huggingface_hub import snapshot_download

    try:
        folder = snapshot_download(name, revision=revision, allow_patterns=MODEL_FILES, local_files_only=True)
    except Exception:
        if offline():
            raise ModelNotAvailable(
                f"model {name!r} is not in the local Hugging Face cache and HF_HUB_OFFLINE is set; {how_to_get(name)}"
            ) from None
        try:
            folder = snapshot_download(name, revision=revision, allow_patterns=MODEL_FILES)
        except Exception as exc:
            raise ModelNotAvailable(
                f"model {name!r} is not cached and could not be downloaded ({type(exc).__name__}); {how_to_get(name)}"
            ) from None
    path = Path(folder)
    return path, revision or path.name


def pick_device(device: str = "auto") -> str:
    import torch

    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    return device


def load(name: str, config: TranslationConfig):
    """Resolve a model and load it with the configured backend (safetensors, no remote code)."""
    from .backends import backend_class

    path, rev = resolve(name, config.revision)
    cls = backend_class(config.backend)
    logger.debug("loading %s (%s, revision %s) with the %s backend", name, path, rev, config.backend)
    try:
        return cls(name, path, rev, config)
    except ModelNotAvailable:
        raise
    except Exception as exc:
        raise ModelNotAvailable(f"model {name!r} at {path} could not be loaded: {exc}".splitlines()[0]) from None


def pull(names: list[str], revision: str | None = None) -> list[Path]:
    """Download models into the Hugging Face cache (needs a network)."""
    from huggingface_hub import snapshot_download

    return [Path(snapshot_download(n, revision=revision, allow_patterns=MODEL_FILES)) for n in names]


def list_cached() -> list[dict[str, Any]]:
    """Models in the local Hugging Face cache: id, revisions, size on disk."""
    from huggingface_hub import scan_cache_dir

    try:
        info = scan_cache_dir()
    except Exception:  # no cache directory yet
        return []
    rows = []
    for repo in sorted(info.repos, key=lambda r: r.repo_id):
        if repo.repo_type != "model":
            continue
        rows.append({
            "id": repo.repo_id,
            "revisions": sorted(r.commit_hash[:12] for r in repo.revisions),
            "size_mb": round(repo.size_on_disk / 1e6, 1),
        })
    return rows


# --- converted copies: the model store of every backend that keeps one ------------------------

def backend_names() -> list[str]:
    """The backends the config can name (``translation.backend``)."""
    from typing import get_args

    return list(get_args(TranslationConfig.model_fields["backend"].annotation))


def model_stores() -> dict[str, Any]:
    """Each backend's store of converted models (CTranslate2's conversions …), by backend name;
    a backend that runs models as they are has none, and one whose library is missing is left out."""
    import importlib

    stores = {}
    for name in backend_names():
        try:
            module = importlib.import_module(f"{__package__}.backends.{name}")
        except ImportError:
            continue
        if getattr(module, "STORE", None) is not None:
            stores[name] = module.STORE
    return stores


def list_converted() -> list[dict[str, Any]]:
    """Every converted model of every backend: ``backend``, ``id``, ``size_mb``, ``source``
    (the model it was converted from) and ``source_exists``."""
    return [{"backend": name, **row} for name, store in model_stores().items() for row in store.list()]


def remove_converted(ids: list[str]) -> list[dict[str, Any]]:
    """Delete converted models by id (as :func:`list_converted` gives them); ``KeyError`` for
    an id no backend has, before anything is deleted."""
    owners: dict[str, list[str]] = {}
    known = {row["id"]: row["backend"] for row in list_converted()}
    missing = [i for i in ids if i not in known]
    if missing:
        raise KeyError(f"no converted model {', '.join(missing)}")
    for model_id in ids:
        owners.setdefault(known[model_id], []).append(model_id)
    stores = model_stores()
    return [row for name, owned in owners.items() for row in stores[name].remove(owned)]


def prune_converted() -> list[dict[str, Any]]:
    """Delete, in every backend's store, the converted models no run will load again."""
    return [row for store in model_stores().values() for row in store.prune()]


def convert(names: list[str], config: TranslationConfig) -> list[tuple[str, Any]]:
    """Load (and so convert, where the configured backend converts) each model now; the
    loaded backends, by name."""
    return [(name, load(name, config)) for name in names]
