"""The whole pipeline: segmentation → translation → parallel passages, driven by one config.

>>> from polyglot_news import Pipeline
>>> pipeline = Pipeline.from_config("configs/offline.yaml")
>>> result = pipeline("Dear resident of Baku city! ...")
>>> result.segments, result.translations, result.passages
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

from .config import PipelineConfig, load_config
from .io.readers import ReadError, count_inputs, iter_documents, same_file
from . import budget
from .budget import BudgetExceeded
from .langid import Segmenter
from .logs import logger
from .types import Document, Passage, Segment, Signature, Translation

STAGES = ("segment", "translate", "align")


@dataclass
class PipelineResult:
    """Everything the stages produced for one document."""

    document: Document
    segments: list[Segment]
    translations: dict[int, Translation] = field(default_factory=dict)
    passages: list[Passage] | None = None
    notes: list[str] = field(default_factory=list)
    signature: Signature | None = None

    def to_pandas(self) -> dict[str, Any]:
        """DataFrames ``documents``, ``segments`` and ``pairs`` (see :mod:`.io.tables`)."""
        from .io.tables import to_pandas

        return to_pandas(self)

    def to_dict(self) -> dict[str, Any]:
        segments = []
        for i, seg in enumerate(self.segments):
            item = seg.to_dict()
            if i in self.translations:
                item["translation"] = self.translations[i].to_dict()
            segments.append(item)
        record: dict[str, Any] = {"id": self.document.id}
        metadata = self.document.metadata
        for name in ("source", "key"):
            if name in metadata:
                record[name] = str(metadata[name])
        if metadata.get("meta"):
            record["meta"] = metadata["meta"]
        record["segments"] = segments
        if self.passages is not None:
            record["passages"] = [p.to_dict() for p in self.passages]
        if self.notes:
            record["notes"] = list(self.notes)
        if self.signature is not None:
            record["signature"] = self.signature.to_dict()
        return record


class Pipeline:
    """Segmenter, optional translator and optional passage finder over one config."""

    def __init__(self, config: PipelineConfig, stages: Sequence[str] = STAGES):
        unknown = set(stages) - set(STAGES)
        if unknown:
            raise ValueError(f"unknown stages {sorted(unknown)}; choose from {STAGES}")
        self.config = config
        self.stages = tuple(stages)
        self.notes: list[str] = []
        self._signature: Signature | None = None
        self._signature_models = 0
        self.segmenter = Segmenter.from_config(config)
        self.translator = self._make_translator() if "translate" in stages else None
        self.passage_finder = self._make_passage_finder() if "align" in stages else None

    @classmethod
    def from_config(cls, config: str | Path | dict[str, Any] | PipelineConfig | None = None,
                    stages: Sequence[str] = STAGES) -> "Pipeline":
        return cls(load_config(config), stages)

    def _make_translator(self):
        from .translation import ModelNotAvailable, Translator
        from .translation.translator import warn_skipped

        tc = self.config.translation
        if not tc.enabled:
            self.notes.append("translation disabled by configuration (translation.enabled: false)")
            return None
        translator = Translator(tc, tuple(self.config.languages))
        try:
            translator.check_available()
        except ModelNotAvailable as exc:
            if tc.on_missing_model == "error":
                raise
            self.notes.append(warn_skipped(f"{exc} (translation.on_missing_model: skip)"))
            return None
        return translator

    def _make_passage_finder(self):
        if not self.config.alignment.enabled:
            self.notes.append("alignment disabled by configuration (alignment.enabled: false)")
            return None
        from .alignment import PassageFinder

        to_english = self._sentences_to_english if self.translator is not None else None
        return PassageFinder.from_config(self.config, to_english=to_english)

    def _sentences_to_english(self, sentences: list[str], lang: str) -> list[str]:
        """English for sentences: translated (and cached) unless already English."""
        if lang == "en" or self.translator is None or lang not in self.translator.routes:
            return sentences
        return self.translator.translate(sentences, lang)

    @property
    def signature(self) -> Signature:
        sig = self.segmenter.signature.merged(config=self.config.digest)
        if self.translator is not None:
            sig = sig.merged(**{k: v for k, v in self.translator.signature.components.items() if k != "polyglot_news"})
        elif "translate" in self.stages:
            sig = sig.merged(translation="skipped")
        if self.passage_finder is not None:
            sig = sig.merged(alignment=self.passage_finder.settings())
        return sig

    def __call__(self, item: str | Document) -> PipelineResult:
        doc = item if isinstance(item, Document) else Document("text", item)
        return self.complete(doc, self.segmenter.segment(doc))

    def complete(self, doc: Document, segments: list[Segment],
                 translations: dict[int, Translation] | None = None) -> PipelineResult:
        """The stages after segmentation, on segments found before (possibly elsewhere);
        ``translations``: already made (with other documents), else made here."""
        self.check_segments(segments)
        budget.check()
        if translations is None:
            translations = self.translator.translate_document(doc, segments) if self.translator else {}
        passages = None
        if self.passage_finder is not None:
            passages = self.passage_finder.find(doc.text, segments)
        loaded = self.translator.loaded_models if self.translator is not None else 0
        if self._signature is None or loaded != self._signature_models:
            # models load lazily and their revisions belong in the signature
            self._signature, self._signature_models = self.signature, loaded
        return PipelineResult(doc, segments, translations, passages, list(self.notes), self._signature)

    def check_segments(self, segments: Sequence[Segment | dict[str, Any]]) -> None:
        """:class:`BudgetExceeded` when a document has more runs than ``input.max_segments``."""
        limit = self.config.input.max_segments
        if len(segments) > limit:
            raise BudgetExceeded(f"{len(segments)} language runs, over the budget of {limit} per document "
                                 "(input.max_segments)")

    def process(self, doc: Document) -> dict[str, Any]:
        """One output record for one document, within the document budget (``input``)."""
        with budget.time_budget(self.config.input.max_seconds):
            return self(doc).to_dict()

    def run_batch(
        self,
        inputs: Iterable[str | Path | Document | ReadError] | str | Path,
        output: str | Path | None,
        workers: int = 1,
        progress: bool = False,
        resume: bool = True,
        overwrite: bool = False,
        engine: str = "local",
        ray_address: str | None = None,
        fields: Sequence[str] | None = None,
        ray_gpus: float = 0,
        parquet: bool = False,
        signature: str = "digest",
        sinks: Sequence[Any] = (),
    ):
        """Process many documents (paths, or Document objects) into a JSONL file; returns the
        :class:`~polyglot_news.runners.BatchSummary`.

        With ``resume`` the ids already in ``output`` are skipped, so a killed run continues
        where it stopped; ``overwrite`` replaces an existing output atomically. ``engine``:
        ``local`` (``workers`` processes when > 1) or ``ray`` (a local Ray, or the cluster at
        ``ray_address``; ``workers`` actors when > 1, ``ray_gpus`` GPUs each). ``fields`` keeps only
        those keys of each record (``id`` always). ``parquet``: ``output`` is a folder of Parquet
        files of up to ``output.shard_size`` records each (config); a rerun skips what they hold.
        ``signature``: ``digest`` (the signature once, in ``OUT.signatures.json``; each record
        names it) or ``full`` (in every record). ``sinks``: pair writers fed as records come.
        """
        from .runners import make_runner, run_batch

        items = [inputs] if isinstance(inputs, (str, Path)) else list(inputs)
        paths = [i for i in items if not isinstance(i, (Document, ReadError))]
        exclude = [] if output in (None, "-") else [output]
        _refuse_output_as_input(paths, output)
        total = None
        if progress:
            counted = count_inputs(paths, exclude=exclude)
            total = None if counted is None else counted + len(items) - len(paths)
        processor = DocumentProcessor(self.config, self.stages, fields, pipeline=self)
        return run_batch(_as_documents(items, self.config.input.max_bytes, exclude), processor, output,
                         make_runner(engine, workers, ray_address, ray_gpus, self.config.runner.documents_per_batch),
                         resume=resume, overwrite=overwrite,
                         progress=progress, total=total,
                         shard_size=self.config.output.shard_size if parquet else None,
                         signature=signature, sinks=sinks)


class DocumentProcessor:
    """The per-document step of a batch: picklable (a config and stage names), it builds its
    :class:`Pipeline` once in each process that runs it, and never raises: a failure becomes
    an error record naming the document's source."""

    def __init__(self, config: PipelineConfig | dict[str, Any], stages: Sequence[str] = STAGES,
                 fields: Sequence[str] | None = None, pipeline: Pipeline | None = None):
        self.config = load_config(config).model_dump(mode="json")
        self.stages = tuple(stages)
        self.fields = tuple(fields) if fields else None
        self._pipeline = pipeline  # reused in this process; rebuilt after pickling

    def __getstate__(self) -> dict[str, Any]:
        return {**self.__dict__, "_pipeline": None}

    def setup(self) -> None:
        if self._pipeline is None:
            self._pipeline = Pipeline(load_config(self.config), self.stages)

    def _project(self, record: dict[str, Any]) -> dict[str, Any]:
        if self.fields and "error" not in record:
            record = {k: v for k, v in record.items() if k in ("id", "source", "key", "meta") or k in self.fields}
        return record

    def _record(self, doc: Document) -> dict[str, Any]:
        self.setup()
        return self._project(self._pipeline.process(doc))

    def __call__(self, doc: Document) -> dict[str, Any]:
        from .runners import safe_process

        return safe_process(self._record, doc)

    def _translates(self) -> bool:
        return "translate" in self.stages and self.config["translation"]["enabled"]

    def many(self, docs: list[Document]) -> list[dict[str, Any]]:
        """The records of several documents (in order): segmented together (one detector call
        for all their sentences), and with translation their segments translated together
        (:meth:`finish_many`)."""
        if len(docs) < 2:
            return [self(doc) for doc in docs]
        states = self.segments_states(docs)
        if self._translates():
            return self.finish_many(docs, states)
        return [self.finish(doc, state) for doc, state in zip(docs, states)]

    def split(self) -> tuple[Callable, Callable] | None:
        """Two steps that a runner may place apart (Ray: segmentation on CPU actors, translation
        and passages on actors that hold the models and GPUs): ``first(docs)`` gives a JSON-able
        state for each (or a finished error record), ``second(docs, states)`` the records of a batch of
        documents (:meth:`finish_many`). ``None`` when there is no translation to separate."""
        if not self._translates():
            return None
        return DocumentProcessor(self.config, ("segment",)).segments_states, self.finish_many

    def segments_states(self, docs: list[Document]) -> list[dict[str, Any]]:
        """:meth:`segments_state` for a batch, segmented in one call. Should that fail, each
        document is segmented on its own, so that only the one at fault gets an error record."""
        try:
            self.setup()  # building the pipeline is no document's time
            started = time.monotonic()
            found = self._pipeline.segmenter.segment_many(docs)
        except Exception as exc:  # noqa: BLE001 - found again, per document, below
            logger.debug("batch segmentation failed (%s); one document at a time", exc)
            return [self.segments_state(doc) for doc in docs]
        seconds = (time.monotonic() - started) / max(1, len(docs))
        return [{"segments": [s.to_dict() for s in segments], "seconds": seconds} for segments in found]

    def segments_state(self, doc: Document) -> dict[str, Any]:
        """The first step: ``{"segments": [...]}``, or an error record."""
        from .runners import safe_process

        def segment(d: Document) -> dict[str, Any]:
            self.setup()
            started = time.monotonic()
            segments = self._pipeline.segmenter.segment(d)
            return {"segments": [s.to_dict() for s in segments], "seconds": time.monotonic() - started}

        return safe_process(segment, doc)

    def finish(self, doc: Document, state: dict[str, Any],
               translations: dict[int, Translation] | None = None) -> dict[str, Any]:
        """The second step: the record of a document segmented by :meth:`segments_state`."""
        from .runners import safe_process

        if "error" in state:
            return state

        def complete(d: Document) -> dict[str, Any]:
            self.setup()
            segments = [Segment.from_dict(s) for s in state["segments"]]
            # one budget for the document: what segmentation spent (elsewhere) counts
            with budget.time_budget(self._pipeline.config.input.max_seconds, state.get("seconds", 0.0)):
                return self._project(self._pipeline.complete(d, segments, translations).to_dict())

        return safe_process(complete, doc)

    def finish_many(self, docs: list[Document], states: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """:meth:`finish` for a batch: the segments of every document in it translated together.
        Should that shared step fail, each document is translated on its own, so that only the
        document at fault gets an error record."""
        self.setup()
        pipeline = self._pipeline
        ready = []
        for k, state in enumerate(states):
            if "error" in state:
                continue  # an error record already
            try:
                pipeline.check_segments(state["segments"])
            except BudgetExceeded:
                continue  # finish() says so, in this document's record
            ready.append(k)
        shared: dict[int, dict[int, Translation]] = {}
        if pipeline.translator is not None and len(ready) > 1:
            items = [(docs[k], [Segment.from_dict(s) for s in states[k]["segments"]]) for k in ready]
            try:
                shared = dict(zip(ready, pipeline.translator.translate_documents(items)))
            except Exception as exc:  # noqa: BLE001 - found again, per document, below
                logger.debug("batch translation failed (%s); one document at a time", exc)
        return [self.finish(doc, state, shared.get(k)) for k, (doc, state) in enumerate(zip(docs, states))]


def _refuse_output_as_input(paths: Sequence[Any], output: str | Path | None) -> None:
    """A ``ValueError`` when the output is itself one of the inputs given by name (a folder
    that holds it is fine: the output is never read from there)."""
    if output in (None, "-"):
        return
    for path in paths:
        if str(path) != "-" and Path(path).exists() and same_file(output, path):
            raise ValueError(f"{path}: the output is one of the inputs; write it elsewhere")


def _as_documents(items: list, max_bytes: int, exclude: Sequence[str | Path] = ()):
    """Documents, and text files to be read by the runner where it processes them."""
    paths = []
    for item in items:
        if isinstance(item, (Document, ReadError)):
            if paths:
                yield from iter_documents(paths, max_bytes=max_bytes, defer=True, exclude=exclude)
                paths = []
            yield item
        else:
            paths.append(item)
    if paths:
        yield from iter_documents(paths, max_bytes=max_bytes, defer=True, exclude=exclude)
