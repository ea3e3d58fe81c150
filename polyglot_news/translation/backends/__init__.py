"""Translation backends: what runs a seq2seq model (transformers ``generate``, CTranslate2 …).

A backend is the module ``backends/<name>.py`` exposing ``Backend``, a subclass of
:class:`.base.TranslationBackend`; ``translation.backend`` in the config names it. Adding one
is a new file here and its name in the config's list.
"""

from __future__ import annotations

import importlib

from .base import TranslationBackend


def backend_class(name: str) -> type[TranslationBackend]:
    """The backend class registered under ``name`` (the module of that name in this package)."""
    try:
        module = importlib.import_module(f"{__name__}.{name}")
    except ModuleNotFoundError as exc:
        if exc.name and exc.name != f"{__name__}.{name}":  # the backend's own library is missing
            raise RuntimeError(f"translation backend {name!r} needs {exc.name!r}: pip install {exc.name}") from None
        raise ValueError(f"unknown translation backend {name!r}") from None
    return module.Backend


__all__ = ["TranslationBackend", "backend_class"]
