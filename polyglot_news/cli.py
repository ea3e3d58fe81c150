"""The ``polyglot-news`` command line: a thin shell over the Python API.

Exit codes: 0 when every document succeeded, 1 when any document failed, 2 for a usage or
configuration error (nothing processed).
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
import time
from collections import Counter
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterator

from . import __version__
from .io.writers import PAIR_FORMATS

INPUT_HELP = (
    "input: a .txt file (one document, id = file name), a .jsonl file (one document per line, "
    "fields 'id' and 'text'), a directory (its .txt/.jsonl files, recursively) or '-' for stdin"
)


class UsageError(Exception):
    """A problem with the command's arguments or config: reported on one line, exit code 2."""


def _common() -> argparse.ArgumentParser:
    """The flags every command takes, with one meaning everywhere."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("-q", "--quiet", action="store_true", default=argparse.SUPPRESS,
                        help="no progress bar, summary or notes (errors still)")
    common.add_argument("-v", "--verbose", action="store_true", default=argparse.SUPPRESS,
                        help="the library's debug messages and the model libraries' own output")
    return common


class _Sub:
    """``add_subparsers`` whose every parser takes the common flags."""

    def __init__(self, action):
        self.action = action

    def add_parser(self, name: str, **kwargs) -> argparse.ArgumentParser:
        return self.action.add_parser(name, parents=[_common()], **kwargs)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="polyglot-news",
        description="Segment, translate and align multilingual (English, Azerbaijani, Russian) news.",
        epilog="Exit codes: 0 all documents done, 1 some document failed, 2 usage or config error.",
    )
    parser.add_argument("--version", action="version", version=f"polyglot-news {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true",
                        help="the library's debug messages and the model libraries' own output")
    sub = _Sub(parser.add_subparsers(dest="command", metavar="COMMAND", required=True))

    p = sub.add_parser("segment", help="split documents into language runs",
                       description="Split each document into runs of one language (en, az, ru, und) "
                                   "with exact character spans covering the whole text.")
    _add_batch_args(p, RECORD_FORMATS)
    p.set_defaults(func=cmd_segment)

    p = sub.add_parser("translate", help="translate non-English segments into English",
                       description="Segment each document and translate its non-English segments into "
                                   "English with a seq2seq model (MarianMT per pair, or NLLB/M2M).")
    _add_batch_args(p, RECORD_FORMATS)
    p.add_argument("--model", metavar="NAME_OR_PATH",
                   help="one model for every source language (hub id or local folder); overrides the config")
    p.add_argument("--device", help="cpu, cuda, cuda:1 … (default: the config's, 'auto')")
    p.add_argument("--batch-size", type=int, metavar="N", help="largest number of chunks in one batch")
    p.add_argument("--backend", choices=_choices("backend"),
                   help="transformers (the exact reference path) or ctranslate2 (converted once, faster)")
    p.add_argument("--compute-type", choices=_choices("compute_type"), help="ctranslate2: auto = int8 on CPU")
    p.set_defaults(func=cmd_translate)

    p = sub.add_parser("align", help="find parallel passages inside each document",
                       description="Find groups of segments in different languages that translate each other, "
                                   "with sentence-level alignment; offsets are into the document.")
    _add_batch_args(p, ALL_FORMATS)
    p.set_defaults(func=cmd_align)

    p = sub.add_parser("align-docs", help="sentence-align two documents that translate each other",
                       description="Align SRC and TGT sentence by sentence: 1-1 and n-m groups (up to "
                                   "alignment.search.max_group sentences a side) and 1-0/0-1 for sentences without "
                                   "counterpart. Every sentence appears in exactly one group, in order.")
    p.add_argument("src", metavar="SRC")
    p.add_argument("tgt", metavar="TGT")
    p.add_argument("--sentence-per-line", action="store_true",
                   help="each line is one sentence (hunalign/vecalign format); indices are 0-based lines; a blank "
                        "line is a 1-0/0-1 group of its own")
    p.add_argument("--format", choices=["jsonl", *PAIR_FORMATS], default="jsonl",
                   help="jsonl: {src, tgt, score} groups; tsv: source, target, score; tmx: TMX 1.4b; "
                        "moses: OUT.<src-lang> and OUT.<tgt-lang> line-parallel files")
    p.add_argument("-o", "--output", metavar="OUT", help="output file (moses: prefix); default: standard output")
    p.add_argument("--src-lang", help="language of SRC (default: detected)")
    p.add_argument("--tgt-lang", help="language of TGT (default: detected)")
    p.add_argument("-c", "--config", metavar="FILE", help="pipeline config (YAML) for the encoder and DP settings")
    p.add_argument("--overwrite", action="store_true", help="replace an existing OUT (atomically, when done)")
    _add_min_quality(p)
    p.set_defaults(func=cmd_align_docs)

    p = sub.add_parser("align-corpus", help="pair the documents of two or three collections, then their sentences",
                       description="Each COLLECTION (a folder, .txt or .jsonl files) holds one language's edition. "
                                   "Documents are paired by margin over nearest neighbours of their vectors, one "
                                   "to one, and each pair's sentences aligned; a pair whose sentences mostly fail "
                                   "to align is dropped. With three collections, triples through the English one.")
    p.add_argument("collections", nargs="+", metavar="COLLECTION")
    p.add_argument("-o", "--output", required=True, metavar="OUT",
                   help="jsonl: one record per document group; tsv/tmx/moses: OUT.<src>-<tgt>.* per language pair")
    p.add_argument("--format", choices=["jsonl", *PAIR_FORMATS], default="jsonl")
    p.add_argument("--langs", help="the collections' languages, comma-separated (default: detected)")
    p.add_argument("-c", "--config", metavar="FILE", help="pipeline config (YAML) for the encoder and DP settings")
    p.add_argument("--overwrite", action="store_true", help="replace an existing OUT (atomically, when done)")
    _add_min_quality(p)
    _add_engine_args(p, "where sentences are encoded: this process, or Ray actors that encode what the cache "
                        "lacks (the cache stays with the driver)")
    p.set_defaults(func=cmd_align_corpus)

    p = sub.add_parser("run", help="the whole pipeline over many documents (resumable)",
                       description="Segment, translate and find parallel passages in every document. Output is "
                                   "appended record by record; run again with the same output to resume.")
    _add_batch_args(p, ALL_FORMATS, output_required=True)
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("score-pairs", help="a quality score and flags for each pair of a bitext (TSV)",
                       description="PAIRS.tsv: the source in the first column, the target in the second, any "
                                   "further columns kept. tsv: the input's columns, then score (4 decimals) and "
                                   "flags (comma-separated, empty when none), as Bicleaner's classify writes them; "
                                   "jsonl: {\"line\", \"score\", \"flags\"} a line (resumed on a rerun). A line "
                                   "without a tab or not UTF-8 gets an error naming it, and the file goes on. "
                                   "Flags: " + ", ".join(_flags()) + ".")
    p.add_argument("pairs", metavar="PAIRS.tsv")
    p.add_argument("--langs", required=True, metavar="SRC,TGT", help="the languages of the two columns, e.g. az,en")
    p.add_argument("-o", "--output", metavar="OUT", help="default: standard output")
    p.add_argument("--format", choices=["tsv", "jsonl"], default="tsv")
    p.add_argument("--min-score", type=float, metavar="S", help="only the lines scoring at least S")
    p.add_argument("-c", "--config", metavar="FILE", help="pipeline config (YAML): quality, encoder, detector")
    p.add_argument("--overwrite", action="store_true", help="replace an existing OUT (atomically, when done)")
    p.set_defaults(func=cmd_score_pairs)

    p = sub.add_parser("models", help="download and list translation models",
                       description="Manage translation models: the Hugging Face cache and CTranslate2 conversions.")
    msub = _Sub(p.add_subparsers(dest="models_command", metavar="ACTION", required=True))
    pp = msub.add_parser("pull", help="download models into the cache (needs a network)")
    pp.add_argument("names", nargs="*", metavar="NAME", help="hub ids; default: the models of the config")
    pp.add_argument("-c", "--config", metavar="FILE")
    pp.add_argument("--revision")
    pp.set_defaults(func=cmd_models_pull)
    pl = msub.add_parser("list", help="show configured models and whether they are available here")
    pl.add_argument("-c", "--config", metavar="FILE")
    pl.set_defaults(func=cmd_models_list)
    pc = msub.add_parser("convert", help="convert models for CTranslate2 now (else on first use)")
    pc.add_argument("names", nargs="*", metavar="NAME", help="hub ids or folders; default: the models of the config")
    pc.add_argument("-c", "--config", metavar="FILE")
    pc.add_argument("--backend", choices=_choices("backend"), help="the backend to convert for (default: the config's)")
    pc.add_argument("--compute-type", choices=_choices("compute_type"))
    pc.set_defaults(func=cmd_models_convert)
    pr = msub.add_parser("remove", help="delete converted CTranslate2 models (ids as 'models list' shows them)")
    pr.add_argument("ids", nargs="+", metavar="ID")
    pr.set_defaults(func=cmd_models_remove)
    pn = msub.add_parser("prune", help="delete CTranslate2 conversions whose source model is gone, and "
                                       "what killed conversions left behind")
    pn.set_defaults(func=cmd_models_prune)

    p = sub.add_parser("eval", help="score translations, language labels or alignments",
                       description="Evaluation in the spirit of sacrebleu: scores with their signatures.")
    esub = _Sub(p.add_subparsers(dest="eval_command", metavar="WHAT", required=True))
    pe = esub.add_parser("translation", help="BLEU, chrF, TER (sacrebleu's, with signatures)",
                         description="HYP REF: one segment a line each. With --config and one TSV (the dev data's "
                                     "columns), translate the test set first and score it.")
    pe.add_argument("files", nargs="+", metavar="FILE", help="HYP REF, or TSV with --config")
    pe.add_argument("--metrics", default="bleu,chrf,ter", help="comma-separated: bleu, chrf, ter")
    pe.add_argument("-c", "--config", metavar="FILE", help="translate TSV with this config first")
    pe.add_argument("--json", action="store_true", help="one JSON object: {metric: {score, signature}}")
    pe.set_defaults(func=cmd_eval_translation)
    pe = _gold_pred(esub, "langid", cmd_eval_langid, "per-language precision/recall/F1 and a confusion matrix",
                    "GOLD PRED: one language label a line (a sentence or a segment each).")
    pe.add_argument("--plot", metavar="OUT.png", help="write the confusion matrix as a heatmap")
    _gold_pred(esub, "align", cmd_eval_align, "strict and lax precision/recall/F1 of sentence groups",
               "GOLD PRED: one group a line, '[src ids]:[tgt ids]' (Bleualign/Vecalign) or "
               "align-docs' JSONL ({\"src\": [...], \"tgt\": [...]}), as it writes them.")

    p = sub.add_parser("report", help="an HTML page of a run's output, to look at in a browser",
                       description="One self-contained HTML file (no network): text coloured by language, "
                                   "translations beside their sources, passages as aligned columns with "
                                   "similarity heatmaps, a document list with counts and errors.")
    p.add_argument("run_output", metavar="RUN", help="a run's JSONL output, or its Parquet folder")
    p.add_argument("-o", "--output", required=True, metavar="OUT.html")
    p.add_argument("--limit", type=int, metavar="N", help="only the first N documents")
    p.add_argument("-c", "--config", metavar="FILE", help="config whose alignment.encoder draws the heatmaps")
    p.add_argument("--no-heatmaps", action="store_true", help="skip the similarity heatmaps (no encoder)")
    p.add_argument("--screenshot", metavar="OUT.png", help="also render the page in headless Chromium to a PNG")
    p.set_defaults(func=cmd_report)
    return parser


def _flags() -> list[str]:
    from .quality.scorer import FLAGS

    return list(FLAGS)


def _gold_pred(esub, name: str, func: Callable, help_text: str, description: str) -> argparse.ArgumentParser:
    """An ``eval`` subcommand that compares a GOLD file with a PRED file (``--json`` for JSON)."""
    pe = esub.add_parser(name, help=help_text, description=description)
    pe.add_argument("gold", metavar="GOLD")
    pe.add_argument("pred", metavar="PRED")
    pe.add_argument("--json", action="store_true")
    pe.set_defaults(func=func)
    return pe


def _choices(field: str) -> list[str]:
    """The values a translation setting takes, read from the config model (one list of names)."""
    from typing import get_args

    from .config import TranslationConfig

    return list(get_args(TranslationConfig.model_fields[field].annotation))


RECORD_FORMATS = ("jsonl", "parquet")
ALL_FORMATS = (*RECORD_FORMATS, *PAIR_FORMATS)


def _add_batch_args(p: argparse.ArgumentParser, formats: tuple[str, ...], output_required: bool = False) -> None:
    """The flags of every command that writes a record per input; those that name a config
    field default to the config's (``runner``, ``output``) and override it when given."""
    p.add_argument("paths", nargs="+", metavar="PATH", help=INPUT_HELP)
    p.add_argument("-o", "--output", metavar="OUT", required=output_required,
                   help="write the records here (appended; inputs already there are skipped)"
                   + ("" if output_required else "; default: standard output"))
    p.add_argument("-c", "--config", metavar="FILE", help="pipeline config (YAML); default: built-in defaults")
    p.add_argument("--overwrite", action="store_true",
                   help="start afresh instead of resuming (the old output is replaced when the run ends)")
    p.add_argument("--format", choices=formats,
                   help="output.format: jsonl (default), parquet (OUT is a folder of Parquet files)"
                   + (", or jsonl and the aligned sentence pairs beside it: OUT.az-en.tsv, .tmx, or Moses "
                      "files OUT.az-en.az + OUT.az-en.en" if "tsv" in formats else ""))
    p.add_argument("--signature", choices=["digest", "full"],
                   help="output.signature: digest (each record names its signature, written once to "
                        "OUT.signatures.json; the default) or full (each record carries it whole)")
    if "tsv" in formats:
        _add_min_quality(p)
    _add_engine_args(p, "runner.engine: local (this process, or --workers processes; the default) or ray "
                        "(Ray Data actors; pip install 'polyglot-news[ray]')")
    p.add_argument("--ray-gpus", type=float, metavar="N",
                   help="runner.ray_gpus: GPUs for each Ray actor that holds translation models")


def _add_min_quality(p: argparse.ArgumentParser) -> None:
    p.add_argument("--min-quality", type=float, metavar="S",
                   help="tsv/tmx/moses: only the pairs whose quality score is at least S (0-1; see score-pairs)")


def _add_engine_args(p: argparse.ArgumentParser, engine_help: str) -> None:
    p.add_argument("--engine", choices=["local", "ray"], help=engine_help)
    p.add_argument("--workers", type=int, metavar="N",
                   help="runner.workers: worker processes (local), or Ray actors (default: one per CPU)")
    p.add_argument("--ray-address", metavar="ADDR",
                   help="runner.ray_address: the Ray cluster to join (auto, HOST:PORT, ray://HOST:PORT); "
                        "default: start a Ray of this machine")


#: flags that override a field of the config's runner or output section
OVERRIDES = ("engine", "workers", "ray_address", "ray_gpus", "format", "signature")


def with_flags(cfg, args: argparse.Namespace):
    """The config with the command line's flags in place of its runner and output fields."""
    from .config import ConfigError

    given = {name: getattr(args, name) for name in OVERRIDES if getattr(args, name, None) is not None}
    try:
        cfg = cfg.with_overrides(**given)
    except ConfigError as exc:
        raise UsageError(f"{exc} (from the command line's flags)") from None
    runner = cfg.runner
    if runner.engine != "ray" and (runner.ray_address or runner.ray_gpus):
        raise UsageError("--ray-address and --ray-gpus need --engine ray (runner.engine)")
    if cfg.output.format != "jsonl" and getattr(args, "output", None) in (None, "-"):
        raise UsageError(f"--format {cfg.output.format} writes files: give -o a file name, not standard output")
    return cfg


def _check_output_file(output: str) -> None:
    """A one-line usage error, before any work, when ``output`` cannot be a file written later."""
    folder = Path(output).parent
    for above in [folder, *folder.parents]:
        if above.exists() and not above.is_dir():
            raise UsageError(f"{output}: {above} is a file, not a folder")
    if not folder.resolve().is_dir():
        raise UsageError(f"{output}: folder {folder} does not exist")
    if Path(output).is_dir():
        raise UsageError(f"{output}: is a directory, not a file")


def load_cli_config(args: argparse.Namespace):
    from .config import ConfigError, load_config

    try:
        return load_config(getattr(args, "config", None))
    except ConfigError as exc:
        raise UsageError(str(exc)) from None


def run_pipeline(args: argparse.Namespace, pipeline, fields=None) -> int:
    """Run a pipeline's records over the inputs: the one batch path of every batch command;
    with a pair format, the aligned pairs are written beside the records."""
    from .io.tables import read_records, record_pairs
    from .io.writers import PairFiles
    from .runners.base import OutputLocked

    if not args.quiet:
        for note in pipeline.notes:
            print(f"note: {note}", file=sys.stderr)
    fmt = pipeline.config.output.format
    sinks = []
    if fmt in PAIR_FORMATS:  # the pairs written as the records come, those of earlier runs first
        pairs = PairFiles(args.output, fmt, record_pairs, args.min_quality)
        if not args.overwrite and Path(args.output).is_file():
            for record in read_records(args.output, lenient=True):
                if isinstance(record, dict) and "error" not in record:
                    pairs.write(record)
        sinks.append(pairs)
    try:
        summary = pipeline.run_batch(args.paths, args.output, progress=_interactive(args), overwrite=args.overwrite,
                                     fields=fields, sinks=sinks)
    except (FileExistsError, OutputLocked, ValueError) as exc:
        raise UsageError(str(exc)) from None
    except BrokenPipeError:
        raise
    except OSError as exc:  # the output: a directory, a missing folder, a full disk …
        where = exc.filename or args.output
        raise UsageError(f"{where}: {exc.strerror or exc}") from None
    code = _finish(args, summary)
    if sinks and not args.quiet:
        print("aligned pairs written to " + ", ".join(map(str, sorted(sinks[0].written))), file=sys.stderr)
    return code


def _interactive(args: argparse.Namespace) -> bool:
    return sys.stderr.isatty() and not args.quiet


def _finish(args: argparse.Namespace, summary) -> int:
    """Print the summary (unless quiet); exit code 1 when any document failed."""
    if not args.quiet:
        for line in summary.lines():
            print(line, file=sys.stderr)
    return 1 if summary.failed else 0


def _pipeline(cfg, stages):
    from .pipeline import Pipeline
    from .translation import ModelNotAvailable

    try:
        return Pipeline(cfg, stages)
    except (ModelNotAvailable, ValueError) as exc:
        raise UsageError(str(exc)) from None


def cmd_segment(args: argparse.Namespace) -> int:
    return run_pipeline(args, _pipeline(with_flags(load_cli_config(args), args), ("segment",)))


def cmd_translate(args: argparse.Namespace) -> int:
    from .translation import with_model

    cfg = with_flags(load_cli_config(args), args)
    tc = with_model(cfg.translation, args.model, cfg.languages) if args.model else cfg.translation
    updates: dict[str, Any] = {"enabled": True}
    if args.device:
        updates["device"] = args.device
    if args.batch_size:
        updates["max_batch_size"] = args.batch_size
    if args.backend:
        updates["backend"] = args.backend
    if args.compute_type:
        updates["compute_type"] = args.compute_type
    cfg.translation = tc.model_copy(update=updates)
    return run_pipeline(args, _pipeline(cfg, ("segment", "translate")))


def cmd_align(args: argparse.Namespace) -> int:
    cfg = with_flags(load_cli_config(args), args)
    return run_pipeline(args, _pipeline(cfg, ("segment", "align")), fields=("passages", "signature"))


def cmd_run(args: argparse.Namespace) -> int:
    cfg = with_flags(load_cli_config(args), args)
    return run_pipeline(args, _pipeline(cfg, ("segment", "translate", "align")))


def cmd_align_docs(args: argparse.Namespace) -> int:
    from .alignment.documents import align_documents
    from .io.readers import read_sentence_lines, read_text_file
    from .io.writers import JsonlWriter, write_pairs
    from .runners.base import error_record

    cfg = load_cli_config(args)
    if args.format == "moses" and not args.output:
        raise UsageError("--format moses needs -o PREFIX")
    if args.output:
        _check_output_file(args.output)
    sides, errors = [], []
    for name in (args.src, args.tgt):
        try:
            side = read_sentence_lines(name) if args.sentence_per_line else read_text_file(name)
            if not "".join(side).strip():
                raise ValueError(f"{name}: empty document (whitespace only)")
            sides.append(side)
        except ValueError as exc:  # read_* name the file first
            errors.append(error_record(name, name, str(exc).removeprefix(f"{name}: ")))
    for error in errors:
        print(f"error: {error['source']}: {error['error']}", file=sys.stderr)
    with _whole_output(args) as place:
        if errors:
            if args.format == "jsonl":
                with JsonlWriter(place(args.output)) as writer:
                    for error in errors:
                        writer.write(error)
            return 1
        result = align_documents(*sides, cfg, sentence_per_line=args.sentence_per_line,
                                 src_lang=args.src_lang, tgt_lang=args.tgt_lang, progress=_interactive(args))
        if cfg.quality.enabled:
            from .quality import QualityScorer, judge_groups

            judge_groups(QualityScorer.from_config(cfg), result.src, result.tgt, result.groups,
                         result.src_lang, result.tgt_lang)
        if args.format == "jsonl":
            with JsonlWriter(place(args.output)) as writer:
                for group in result.groups:
                    writer.write(group.to_dict())
        else:
            write_pairs(result.pairs(), args.format, result.src_lang, result.tgt_lang, args.output, place,
                        args.min_quality)
    return 0


@contextmanager
def _whole_output(args: argparse.Namespace) -> Iterator[Callable[[Any], Any]]:
    """The runner's path to disk for a command whose result is whole: ``place(path)`` gives
    where to write a file now (a temporary that takes its place at the end, under the output's
    lock); standard output (``None``) where no ``-o`` was given."""
    from .runners.base import OutputLocked, WholeOutput

    if args.output in (None, "-"):
        yield lambda path: None if path in (None, "-") else path
        return
    try:
        with WholeOutput(args.output, args.overwrite) as whole:
            yield whole.place
    except (FileExistsError, OutputLocked) as exc:
        raise UsageError(str(exc)) from None
    except BrokenPipeError:
        raise
    except OSError as exc:
        raise UsageError(f"{exc.filename or args.output}: {exc.strerror or exc}") from None


def cmd_align_corpus(args: argparse.Namespace) -> int:
    from .alignment.corpus import align_corpus
    from .alignment.encoding import encoder_from_config
    from .io.corpus import read_collection
    from .io.writers import JsonlWriter, write_pair_files

    cfg = with_flags(load_cli_config(args), args)
    if not 2 <= len(args.collections) <= 3:
        raise UsageError("give two or three collections")
    langs = _langs(args.langs, len(args.collections), cfg.languages) if args.langs is not None else None
    _check_output_file(args.output)
    enc = cfg.alignment.encoder.for_task("corpus")
    if enc.backend == "none":
        raise UsageError("align-corpus needs a sentence encoder (alignment.encoder.backend)")
    with _whole_output(args) as place:
        started = time.perf_counter()
        collections: dict[str, list] = {}
        errors: list[dict[str, Any]] = []
        for k, path in enumerate(args.collections):
            docs, unread = read_collection(path, cfg.input.max_bytes, exclude=[args.output])
            errors.extend(unread)
            lang = langs[k] if langs is not None else _collection_language(path, docs, cfg)
            if lang in collections:
                raise UsageError(f"{path}: its language ({lang}) is that of another collection too; give --langs")
            collections[lang] = docs
        for error in errors:
            print(f"error: {error['source']}: {error['error']}", file=sys.stderr)
        if cfg.runner.engine == "ray":
            from .alignment.encoding import with_cache
            from .runners.ray import RayEncoder

            encoder = with_cache(RayEncoder(enc, cfg.runner.ray_address, cfg.runner.workers), enc.cache)
        else:
            encoder = encoder_from_config(enc)
        result = align_corpus(collections, encoder, cfg.alignment, progress=_interactive(args))
        if cfg.quality.enabled:
            from .quality import QualityScorer, judge_groups

            scorer = QualityScorer(cfg.quality, encoder, _detector(cfg))
            for lang, pairs in result.accepted.items():
                for pair in pairs:
                    judge_groups(scorer, result.sentences[lang][pair.src], result.sentences[result.pivot][pair.tgt],
                                 pair.groups, lang, result.pivot)
        records = result.records()
        if args.format == "jsonl":
            with JsonlWriter(place(args.output)) as writer:
                for record in [*records, *errors]:
                    writer.write(record)
            written = [args.output]
        else:
            written = [str(p) for p in write_pair_files(result.text_pairs(), args.format, args.output, place,
                                                        args.min_quality)]
    if not args.quiet:
        shapes = Counter(len(r["documents"]) for r in records)
        sizes = ", ".join(f"{lang} {len(docs)}" for lang, docs in collections.items())
        for line in (f"documents: {sizes} ({len(errors)} unreadable)",
                     f"groups: {shapes.get(3, 0)} triples, {shapes.get(2, 0)} pairs, {shapes.get(1, 0)} without "
                     f"counterpart ({sum(len(v) for v in result.rejected.values())} candidate pairs rejected: "
                     "sentences did not align)",
                     f"time: {time.perf_counter() - started:.1f} s ("
                     + ", ".join(f"{stage} {secs:.1f} s" for stage, secs in result.seconds.items()) + ")",
                     "written: " + ", ".join(written)):
            print(line, file=sys.stderr)
    return 1 if errors else 0


def _collection_language(path: str, docs: list, cfg) -> str:
    """The language of a collection, detected from the start of its first documents."""
    if not docs:
        raise UsageError(f"{path}: no readable document to tell its language; give --langs")
    return _detector(cfg).detect(" ".join(d.text[:500] for d in docs[:50]))[0]


def _detector(cfg):
    """The config's language detector."""
    from .langid import make_detector

    return make_detector(cfg.segmentation.backend, cfg.languages, **cfg.segmentation.detector_options())


def cmd_score_pairs(args: argparse.Namespace) -> int:
    from .commands import score_bitext

    cfg = load_cli_config(args)
    langs = [lang.strip() for lang in args.langs.split(",")]
    if len(langs) != 2 or not all(langs):
        raise UsageError(f"--langs {args.langs!r}: give the two columns' languages, e.g. az,en")
    if args.min_score is not None and not 0 <= args.min_score <= 1:
        raise UsageError("--min-score must be between 0 and 1")
    if args.output:
        _check_output_file(args.output)
    try:
        with _whole_output(args) if args.format == "tsv" else _no_output() as place:
            summary = score_bitext(args.pairs, cfg, *langs, args.format, args.output, place, args.min_score,
                                   cfg.input.max_bytes, progress=_interactive(args), overwrite=args.overwrite)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    except BrokenPipeError:
        raise
    except OSError as exc:  # the input, or the output
        raise UsageError(f"{exc.filename or args.pairs}: {exc.strerror or exc}") from None
    if not args.quiet:
        for line in summary.report():
            print(line, file=sys.stderr)
    return 1 if summary.failed else 0


@contextmanager
def _no_output() -> Iterator[None]:
    yield None


def _langs(value: str, count: int, known: list[str]) -> list[str]:
    """``--langs``: one language of the config for each collection, none twice."""
    langs = [lang.strip() for lang in value.split(",")]
    if any(not lang for lang in langs):
        raise UsageError(f"--langs {value!r}: an empty language name")
    unknown = [lang for lang in langs if lang not in known]
    if unknown:
        raise UsageError(f"--langs: {', '.join(map(repr, unknown))} not among the config's languages "
                         f"({', '.join(known)})")
    if len(set(langs)) != len(langs):
        raise UsageError(f"--langs {value!r}: a language named twice; each collection is one language's edition")
    if len(langs) != count:
        raise UsageError(f"--langs names {len(langs)} languages for {count} collections")
    return langs


def cmd_models_pull(args: argparse.Namespace) -> int:
    from .translation import model_names, pull

    names = args.names or model_names(load_cli_config(args).translation)
    try:
        for path in pull(names, args.revision):
            print(path)
    except Exception as exc:
        raise UsageError(f"could not download {', '.join(names)}: {type(exc).__name__}: {exc}".splitlines()[0]) from None
    return 0


def cmd_models_list(args: argparse.Namespace) -> int:
    from .translation import ModelNotAvailable, list_cached, model_names, resolve

    cfg = load_cli_config(args)
    print("configured models:")
    missing = 0
    for name in model_names(cfg.translation):
        try:
            path, rev = resolve(name, cfg.translation.revision)
            print(f"  {name}: available ({path}, revision {rev})")
        except ModelNotAvailable as exc:
            missing += 1
            print(f"  {name}: MISSING - {exc}")
    print("models in the Hugging Face cache:")
    rows = list_cached()
    for row in rows:
        print(f"  {row['id']}  {row['size_mb']} MB  revisions {', '.join(row['revisions'])}")
    if not rows:
        print("  (none)")
    from .translation import list_converted

    print("converted models:")
    converted = list_converted()
    for row in converted:
        gone = "  (source gone: 'models prune' removes it)" if row["source_exists"] is False else ""
        print(f"  {row['id']}  {row['size_mb']} MB  ({row['backend']}){gone}")
    if not converted:
        print("  (none)")
    return 0


def cmd_models_remove(args: argparse.Namespace) -> int:
    from .translation import remove_converted

    try:
        removed = remove_converted(args.ids)
    except KeyError as exc:
        raise UsageError(f"{exc.args[0]} (see 'polyglot-news models list')") from None
    _print_removed(removed)
    return 0


def cmd_models_prune(args: argparse.Namespace) -> int:
    from .translation import prune_converted

    _print_removed(prune_converted())
    return 0


def _print_removed(rows: list[dict[str, Any]]) -> None:
    for row in rows:
        print(f"removed {row['id']}  {row['size_mb']} MB")
    print(f"{len(rows)} removed, {sum(row['size_mb'] for row in rows):.1f} MB freed")


def cmd_models_convert(args: argparse.Namespace) -> int:
    from .translation import ModelNotAvailable, convert, model_names

    cfg = load_cli_config(args)
    updates: dict[str, Any] = {}
    if args.backend:
        updates["backend"] = args.backend
    if args.compute_type:
        updates["compute_type"] = args.compute_type
    tc = cfg.translation.model_copy(update=updates)
    try:
        loaded = convert(args.names or model_names(tc), tc)
    except ModelNotAvailable as exc:
        raise UsageError(str(exc)) from None
    for name, backend in loaded:
        if backend.converted is None:
            print(f"{name}: the {tc.backend} backend runs it as it is; nothing to convert")
        else:
            state = "converted" if backend.converted_now else "already converted"
            print(f"{name}: {state} ({backend.settings().get('compute_type', tc.compute_type)}) at {backend.converted}")
    return 0


def _lines(path: str) -> list[str]:
    from .io.readers import read_sentence_lines

    try:
        return read_sentence_lines(path)
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def cmd_eval_translation(args: argparse.Namespace) -> int:
    import json

    from .evaluation import translate_test_set, translation_scores

    metrics = [m.strip() for m in args.metrics.split(",") if m.strip()]
    if not metrics:
        raise UsageError(f"--metrics {args.metrics!r} names no metric; choose from bleu, chrf, ter")
    try:
        if args.config:
            if len(args.files) != 1:
                raise UsageError("with --config give one TSV test set")
            hyps, refs = translate_test_set(args.files[0], load_cli_config(args))
        elif len(args.files) == 2:
            hyps, refs = _lines(args.files[0]), _lines(args.files[1])
        else:
            raise UsageError("give HYP REF, or --config and one TSV")
        scores = translation_scores(hyps, refs, metrics)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    if args.json:
        print(json.dumps(scores, ensure_ascii=False))
    else:
        for name, result in scores.items():
            print(f"{name.upper():<5} {result['score']:6.2f}  {result['signature']}")
    return 0


def cmd_eval_langid(args: argparse.Namespace) -> int:
    import json

    from .evaluation import langid_scores, plot_confusion, read_labels

    if args.plot:
        _check_output_file(args.plot)
    try:
        scores = langid_scores(read_labels(args.gold), read_labels(args.pred))
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    if args.plot:
        try:
            plot_confusion(scores, args.plot)
        except OSError as exc:
            raise UsageError(f"{args.plot}: {exc.strerror or exc}") from None
    if args.json:
        print(json.dumps(scores))
        return 0
    print(f"accuracy {scores['accuracy']:.4f}")
    print(f"{'lang':<6}{'P':>8}{'R':>8}{'F1':>8}{'n':>7}")
    for lang, row in scores["languages"].items():
        print(f"{lang:<6}{row['precision']:>8.4f}{row['recall']:>8.4f}{row['f1']:>8.4f}{row['support']:>7}")
    labels = list(scores["confusion"])
    print("confusion (rows gold, columns predicted):")
    print("      " + "".join(f"{p:>7}" for p in labels))
    for g in labels:
        print(f"{g:<6}" + "".join(f"{scores['confusion'][g][p]:>7}" for p in labels))
    return 0


def cmd_eval_align(args: argparse.Namespace) -> int:
    import json

    from .evaluation import align_scores

    try:
        scores = align_scores(args.gold, args.pred)
    except (OSError, ValueError) as exc:
        raise UsageError(str(exc)) from None
    if args.json:
        print(json.dumps(scores))
    else:
        for kind in ("strict", "lax"):
            print(f"{kind:<7} P {scores[kind + '_p']:.4f}  R {scores[kind + '_r']:.4f}  F1 {scores[kind + '_f1']:.4f}")
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from .alignment.encoding import encoder_from_config
    from .report import write_report

    if args.limit is not None and args.limit < 1:
        raise UsageError("--limit must be at least 1")
    encoder = None
    if not args.no_heatmaps:
        enc = load_cli_config(args).alignment.encoder.for_task("report")
        encoder = encoder_from_config(enc)
    _check_output_file(args.output)
    try:
        summary = write_report(args.run_output, args.output, encoder, args.limit)
    except (OSError, ValueError) as exc:
        where = getattr(exc, "filename", None) or args.run_output
        raise UsageError(f"{where}: {getattr(exc, 'strerror', None) or exc}" if isinstance(exc, OSError)
                         else str(exc)) from None
    if summary["wrong"]:
        print(f"warning: {summary['wrong']} records of the wrong shape, each shown as a document that says so",
              file=sys.stderr)
    if not args.quiet:
        print(f"report of {summary['documents']} documents written to {args.output}", file=sys.stderr)
    if args.screenshot:
        from .report import screenshot

        try:
            problems = screenshot(args.output, args.screenshot)
        except RuntimeError as exc:
            raise UsageError(str(exc)) from None
        for problem in problems:
            print(f"warning: the page reported {problem}", file=sys.stderr)
    return 0


def _terminated(signum, frame) -> None:
    """SIGTERM unwinds like Ctrl-C: workers are stopped, the output keeps whole records."""
    raise SystemExit(128 + signum)


_stopping = False


def _interrupted(signum, frame) -> None:
    """The first Ctrl-C stops the command as Python's own handler does (KeyboardInterrupt:
    workers are stopped, the output keeps whole records, exit 130). Later ones are ignored:
    raised while the first is stopping the workers, they broke off that clean-up, or found
    Python's handler gone at shutdown and killed the process by the signal instead."""
    global _stopping
    if _stopping:  # a second signal before the line below took effect
        return
    _stopping = True
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    args.quiet = getattr(args, "quiet", False)
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _terminated)
        if argv is None:  # the command line's own process (main() called in-process keeps its handler)
            signal.signal(signal.SIGINT, _interrupted)
    from .logs import configure_cli_logging

    configure_cli_logging(verbose=args.verbose, quiet=getattr(args, "quiet", False))
    try:
        return args.func(args)
    except UsageError as exc:
        print(f"polyglot-news {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # the reader downstream (`| head`) has what it wanted: a normal end. Standard output
        # goes to /dev/null so that Python's own flush at exit does not fail again
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(main())
