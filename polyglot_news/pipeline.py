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
from typing import Any, Iterable, Sequence

from .config import PipelineConfig, load_config
from .io.readers import ReadError, count_inputs, iter_documents, same_file
from . import budget
from .budget import BudgetExceeded
from .langid import Segmenter
from .io.records import safe_process
from .logs import logger
from .types import Document, Passage, Segment, Signature, Translation

STAGES = ("segment", "translate", "align")
_UNBUILT = object()


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
    """Segmenter, optional translator and optional passage finder over one config.

    Building one loads nothing heavy: each part is built when first used, and translation
    models load on their first sentence. A batch handed to worker processes or a Ray cluster
    (:meth:`run_batch`) loads its models there only; the driver checks that the configured
    models can be found (a missing one fails at once, before any document) and writes."""

    def __init__(self, config: PipelineConfig, stages: Sequence[str] = STAGES):
        unknown = set(stages) - set(STAGES)
        if unknown:
            raise ValueError(f"unknown stages {sorted(unknown)}; choose from {STAGES}")
        self.config = config
        self.stages = tuple(stages)
        self.notes: list[str] = []
        self._signature: Signature | None = None
        self._signature_models = 0
        self._segmenter: Segmenter | None = None
        self._passage_finder: Any = _UNBUILT
        self._quality: Any = _UNBUILT
        _check_caches(config)
        self.translator = self._make_translator() if "translate" in stages else None
        if "align" in stages and not config.alignment.enabled:
            self.notes.append("alignment disabled by configuration (alignment.enabled: false)")

    def load(self) -> None:
        """Load every model the stages use now (a worker's set-up), not on the first
        documents: the detector's, the encoder, and the translation models."""
        self.segmenter.warm()
        for part in (self.passage_finder, self.quality):
            if part is not None and part.encoder is not None:
                part.encoder.warm()
        if self.translator is not None:
            self.translator.check_available()

    @property
    def segmenter(self) -> Segmenter:
        if self._segmenter is None:
            self._segmenter = Segmenter.from_config(self.config)
        return self._segmenter

    @property
    def passage_finder(self):
        if self._passage_finder is _UNBUILT:
            self._passage_finder = self._make_passage_finder() if "align" in self.stages else None
        return self._passage_finder

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
            translator.check_resolvable()
        except ModelNotAvailable as exc:
            if tc.on_missing_model == "error":
                raise
            self.notes.append(warn_skipped(f"{exc} (translation.on_missing_model: skip)"))
            return None
        return translator

    def _make_passage_finder(self):
        if not self.config.alignment.enabled:
            return None
        from .alignment import PassageFinder

        to_english = self._sentences_to_english if self.translator is not None else None
        return PassageFinder.from_config(self.config, to_english=to_english, detector=self.segmenter.detector)

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
        if self.quality is not None:
            sig = sig.merged(quality=self.quality.settings())
        return sig

    @property
    def quality(self):
        """The scorer of translations and aligned pairs, where the config enables it and a stage
        makes pairs (built on first use; the segmenter's detector, the config's encoder)."""
        if self._quality is _UNBUILT:
            self._quality = None
            if self.config.quality.enabled and ({"translate", "align"} & set(self.stages)):
                from .alignment.encoding import encoder_from_config
                from .quality import QualityScorer

                enc = self.config.alignment.encoder
                finder = self.passage_finder
                same = finder is not None and enc.side_for("quality") == enc.side_for("passages")
                # one encoder (and its memo of this batch's vectors) where both read the same side
                encoder = finder.encoder if same else encoder_from_config(enc.for_task("quality"))
                self._quality = QualityScorer(self.config.quality, encoder, self.segmenter.detector)
        return self._quality

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
        if translations and self.quality is not None:
            self._judge_translations(segments, translations)
        passages = None
        if self.passage_finder is not None:
            passages = self.passage_finder.find(doc.text, segments)
            if passages and self.quality is not None:
                self._judge_pairs(doc.text, passages)
        loaded = self.translator.loaded_models if self.translator is not None else 0
        if self._signature is None or loaded != self._signature_models:
            # models load lazily and their revisions belong in the signature
            self._signature, self._signature_models = self.signature, loaded
        return PipelineResult(doc, segments, translations, passages, list(self.notes), self._signature)

    def _judge_translations(self, segments: list[Segment], translations: dict[int, Translation]) -> None:
        """Each translated segment's verdict; with ``quality.retry``, a flagged one is translated
        again with the retry's decoding settings and the better-scored output kept."""
        by_lang: dict[str, list[int]] = {}
        for i in translations:
            by_lang.setdefault(segments[i].lang, []).append(i)
        for lang, ks in by_lang.items():
            verdicts = self.quality.score_pairs([segments[i].text for i in ks], [translations[i].text for i in ks],
                                                lang, "en")
            for i, verdict in zip(ks, verdicts):
                translations[i].quality = verdict.to_dict()
            flagged = [i for i, v in zip(ks, verdicts) if v.flags]
            if not (flagged and self.config.quality.retry and self.translator is not None):
                continue
            with self.translator.generating_with(self.config.quality.retry_generation):
                again = self.translator.translate_spans([segments[i].text for i in flagged], lang,
                                                        [segments[i].start for i in flagged])
            second = self.quality.score_pairs([segments[i].text for i in flagged], [t.text for t in again], lang, "en")
            for i, other, verdict in zip(flagged, again, second):
                if verdict.score > translations[i].quality["score"]:
                    other.quality, other.retried = verdict.to_dict(), "kept second"
                    translations[i] = other
                else:
                    translations[i].retried = "kept first"

    def _judge_pairs(self, text: str, passages: list[Passage]) -> None:
        """Each aligned sentence pair's verdict (its source side as the source)."""
        by_langs: dict[tuple[str, str], list[Any]] = {}
        for passage in passages:
            for pair in passage.pairs:
                by_langs.setdefault((pair.src.lang, pair.tgt.lang), []).append(pair)
        for (sl, tl), pairs in by_langs.items():
            verdicts = self.quality.score_pairs([text[p.src.start:p.src.end] for p in pairs],
                                                [text[p.tgt.start:p.tgt.end] for p in pairs], sl, tl)
            for pair, verdict in zip(pairs, verdicts):
                pair.quality = verdict.to_dict()

    def check_segments(self, segments: Sequence[Segment | dict[str, Any]]) -> None:
        """:class:`BudgetExceeded` when a document has more runs than ``input.max_segments``."""
        limit = self.config.input.max_segments
        if len(segments) > limit:
            raise BudgetExceeded(f"{len(segments)} language runs, over the budget of {limit} per document "
                                 "(input.max_segments)")

    def run_batch(
        self,
        inputs: Iterable[str | Path | Document | ReadError] | str | Path,
        output: str | Path | None,
        progress: bool = False,
        resume: bool = True,
        overwrite: bool = False,
        fields: Sequence[str] | None = None,
        sinks: Sequence[Any] = (),
        **overrides: Any,
    ):
        """Process many documents (paths, or Document objects) into ``output``; returns the
        :class:`~polyglot_news.runners.BatchSummary`.

        With ``resume`` the inputs already in ``output`` are skipped, so a killed run continues
        where it stopped; ``overwrite`` replaces an existing output atomically. ``fields`` keeps
        only those keys of each record (its names always); ``sinks``: more writers each record
        goes to as it is written (:class:`~polyglot_news.io.writers.PairFiles`). What runs the documents and what is
        written come from the config's ``runner`` and ``output`` sections; keyword arguments
        override single fields of them: ``workers=2``, ``engine="ray"``,
        ``ray_address="HEAD:6379"``, ``ray_gpus=1``, ``documents_per_batch``, ``format="parquet"``,
        ``shard_size``, ``signature="full"``.
        """
        from .runners import make_runner, run_batch

        config = self.config.with_overrides(**overrides) if overrides else self.config
        runner, out = config.runner, config.output
        items = [inputs] if isinstance(inputs, (str, Path)) else list(inputs)
        paths = [i for i in items if not isinstance(i, (Document, ReadError))]
        exclude = [] if output in (None, "-") else [output]
        _refuse_output_as_input(paths, output)
        total = None
        if progress:
            counted = count_inputs(paths, exclude=exclude)
            total = None if counted is None else counted + len(items) - len(paths)
        processor = DocumentProcessor(config, self.stages, fields, pipeline=self if config is self.config else None)
        return run_batch(_as_documents(items, config.input.max_bytes, exclude), processor, output,
                         make_runner(runner), resume=resume, overwrite=overwrite, progress=progress, total=total,
                         shard_size=out.shard_size if out.format == "parquet" else None, signature=out.signature,
                         sinks=sinks)


class DocumentProcessor:
    """The per-document step of a batch (a :class:`~polyglot_news.runners.base.Processor`):
    picklable (the validated config and the stage names), it builds its :class:`Pipeline` once
    in each process that runs it (:meth:`setup`), and never raises: a failure becomes an error
    record naming the document's source. One path for every document: a document alone is a
    batch of one (:meth:`many`)."""

    def __init__(self, config: PipelineConfig | dict[str, Any] | str | Path, stages: Sequence[str] = STAGES,
                 fields: Sequence[str] | None = None, pipeline: Pipeline | None = None):
        self.config = load_config(config)
        self.stages = tuple(stages)
        self.fields = tuple(fields) if fields else None
        self._pipeline = pipeline  # reused in this process; rebuilt after pickling
        self._loaded = False
        self.setup_seconds: float | None = None  # what loading the models took here

    def __getstate__(self) -> dict[str, Any]:
        return {**self.__dict__, "_pipeline": None, "_loaded": False, "setup_seconds": None}

    def setup(self) -> None:
        """Build the pipeline and load its models, once in each process."""
        if self._pipeline is None:
            self._pipeline = Pipeline(self.config, self.stages)
        if not self._loaded:
            self._loaded = True
            started = time.monotonic()
            self._pipeline.load()
            self.setup_seconds = time.monotonic() - started

    def _project(self, record: dict[str, Any]) -> dict[str, Any]:
        if self.fields and "error" not in record:
            record = {k: v for k, v in record.items() if k in ("id", "source", "key", "meta") or k in self.fields}
        return record

    def __call__(self, doc: Document) -> dict[str, Any]:
        return self.many([doc])[0]

    def _translates(self) -> bool:
        return "translate" in self.stages and self.config.translation.enabled

    def many(self, docs: list[Document]) -> list[dict[str, Any]]:
        """The records of documents (in order): segmented together (one detector call for all
        their sentences), and with translation their segments translated together."""
        return self.finish_many(docs, self.segment_many(docs))

    def split(self) -> tuple["SegmentStep", "FinishStep"] | None:
        """Two steps that a runner may place apart (Ray: segmentation on CPU actors, translation
        and passages on actors that hold the models and GPUs), each with its own ``setup``;
        ``None`` when there is no translation to separate."""
        if not self._translates():
            return None
        return SegmentStep(DocumentProcessor(self.config, ("segment",))), FinishStep(self)

    def segment_many(self, docs: list[Document]) -> list[Segmented | dict[str, Any]]:
        """Each document's segments (or its error record), segmented in one call. Should that
        fail, each document is segmented on its own, so that only the one at fault gets an error
        record."""
        try:
            self.setup()  # building the pipeline is no document's time
            started = time.monotonic()
            found = self._pipeline.segmenter.segment_many(docs)
        except Exception as exc:  # noqa: BLE001 - found again, per document, below
            if len(docs) > 1:
                logger.debug("batch segmentation failed (%s); one document at a time", exc)
            return [self._segment_one(doc) for doc in docs]
        seconds = (time.monotonic() - started) / max(1, len(docs))
        return [Segmented(segments, seconds) for segments in found]

    def _segment_one(self, doc: Document) -> Segmented | dict[str, Any]:
        def segment(d: Document) -> Segmented:
            self.setup()
            started = time.monotonic()
            return Segmented(self._pipeline.segmenter.segment(d), time.monotonic() - started)

        return safe_process(segment, doc)

    def finish(self, doc: Document, state: Segmented | dict[str, Any],
               translations: dict[int, Translation] | None = None) -> dict[str, Any]:
        """The record of a document segmented by :meth:`segment_many`."""
        if not isinstance(state, Segmented):
            return state  # an error record already

        def complete(d: Document) -> dict[str, Any]:
            self.setup()
            # one budget for the document: what segmentation spent (perhaps elsewhere) counts
            with budget.time_budget(self.config.input.max_seconds, state.seconds):
                return self._project(self._pipeline.complete(d, state.segments, translations).to_dict())

        return safe_process(complete, doc)

    def finish_many(self, docs: list[Document], states: list[Segmented | dict[str, Any]]) -> list[dict[str, Any]]:
        """:meth:`finish` for a batch: the segments of every document in it translated together.
        Should that shared step fail, each document is translated on its own, so that only the
        document at fault gets an error record."""
        self.setup()
        pipeline = self._pipeline
        ready = []
        for k, state in enumerate(states):
            if not isinstance(state, Segmented):
                continue  # an error record already
            try:
                pipeline.check_segments(state.segments)
            except BudgetExceeded:
                continue  # finish() says so, in this document's record
            ready.append(k)
        shared: dict[int, dict[int, Translation]] = {}
        if pipeline.translator is not None and len(ready) > 1:
            items = [(docs[k], states[k].segments) for k in ready]
            try:
                shared = dict(zip(ready, pipeline.translator.translate_documents(items)))
            except Exception as exc:  # noqa: BLE001 - found again, per document, below
                logger.debug("batch translation failed (%s); one document at a time", exc)
        if pipeline.passage_finder is not None and len(ready) > 1:
            try:  # the batch's sentences encoded together: the encoder's batches fill up across documents
                pipeline.passage_finder.prefetch([(docs[k].text, states[k].segments) for k in ready])
            except Exception as exc:  # noqa: BLE001 - found again, per document
                logger.debug("batch encoding failed (%s); one document at a time", exc)
        return [self.finish(doc, state, shared.get(k)) for k, (doc, state) in enumerate(zip(docs, states))]


@dataclass
class Segmented:
    """A document's segments, and the seconds segmenting it took (they count in its budget).
    Objects within a process; JSON only where a runner sends it to another (:meth:`to_dict`)."""

    segments: list[Segment]
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {"segments": [s.to_dict() for s in self.segments], "seconds": self.seconds}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Segmented | dict[str, Any]":
        if "error" in data:
            return data
        return cls([Segment.from_dict(s) for s in data["segments"]], float(data.get("seconds", 0.0)))


class SegmentStep:
    """The first of a split processor's steps: documents → JSON-able states (segments)."""

    def __init__(self, processor: DocumentProcessor):
        self.processor = processor

    def setup(self) -> None:
        self.processor.setup()

    def __call__(self, docs: list[Document]) -> list[dict[str, Any]]:
        return [s.to_dict() if isinstance(s, Segmented) else s for s in self.processor.segment_many(docs)]


class FinishStep:
    """The second: documents and their states → records (translation, passages)."""

    def __init__(self, processor: DocumentProcessor):
        self.processor = processor

    def setup(self) -> None:
        self.processor.setup()

    def __call__(self, docs: list[Document], states: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return self.processor.finish_many(docs, [Segmented.from_dict(s) for s in states])


def _check_caches(config: PipelineConfig) -> None:
    """A cache configured on a network file system is refused before any document (each node
    keeps its own, on its local disk)."""
    from .sqlite import check_local

    for cache in (config.translation.cache, config.alignment.encoder.cache):
        if cache.enabled and cache.path:
            path = Path(cache.path).expanduser()
            check_local(path if path.exists() else path.parent if path.parent.exists() else Path("/"))


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
