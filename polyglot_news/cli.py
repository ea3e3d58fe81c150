"""The ``polyglot-news`` command line: a thin shell over the Python API.

Exit codes: 0 when every document succeeded, 1 when any document failed, 2 for a usage or
configuration error (nothing processed).
"""

from __future__ import annotations

import argparse
import sys
from typing import Any, Callable

from . import __version__

INPUT_HELP = (
    "input: a .txt file (one document, id = file name), a .jsonl file (one document per line, "
    "fields 'id' and 'text'), a directory (its .txt/.jsonl files, recursively) or '-' for stdin"
)


class UsageError(Exception):
    """A problem with the command's arguments or config: reported on one line, exit code 2."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="polyglot-news",
        description="Segment, translate and align multilingual (English, Azerbaijani, Russian) news.",
    )
    parser.add_argument("--version", action="version", version=f"polyglot-news {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    p = sub.add_parser("segment", help="split documents into language runs",
                       description="Split each document into runs of one language with exact character spans.")
    _add_batch_args(p)
    p.set_defaults(func=cmd_segment)

    for register in _EXTRA_COMMANDS:
        register(sub)
    return parser


def _add_batch_args(p: argparse.ArgumentParser, output_required: bool = False) -> None:
    p.add_argument("paths", nargs="+", metavar="PATH", help=INPUT_HELP)
    p.add_argument("-o", "--output", metavar="OUT.jsonl", required=output_required,
                   help="write JSON lines here (appended; records already there are skipped)"
                   + ("" if output_required else "; default: standard output"))
    p.add_argument("-c", "--config", metavar="FILE", help="pipeline config (YAML); default: built-in defaults")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar and no summary")


def load_cli_config(args: argparse.Namespace):
    from .config import ConfigError, load_config

    try:
        return load_config(getattr(args, "config", None))
    except ConfigError as exc:
        raise UsageError(str(exc)) from None


def run_documents(args: argparse.Namespace, process: Callable, max_bytes: int, **batch: Any) -> int:
    """Read the inputs, process each document, write one record each; exit code 0 or 1."""
    from .batch import run_batch
    from .io.readers import iter_documents
    from .io.writers import JsonlWriter, completed_ids

    skip = completed_ids(args.output) if args.output and args.output != "-" else set()
    interactive = sys.stderr.isatty() and not args.quiet
    with JsonlWriter(args.output) as writer:
        summary = run_batch(iter_documents(args.paths, max_bytes=max_bytes), process, writer,
                            skip_ids=skip, progress=interactive, **batch)
    if not args.quiet:
        for line in summary.lines():
            print(line, file=sys.stderr)
    return 1 if summary.failed else 0


def cmd_segment(args: argparse.Namespace) -> int:
    from .langid import Segmenter

    cfg = load_cli_config(args)
    segmenter = Segmenter.from_config(cfg)
    signature = segmenter.signature.to_dict()

    def process(doc):
        segments = segmenter.segment(doc)
        return {"id": doc.id, "segments": [s.to_dict() for s in segments], "signature": signature}

    return run_documents(args, process, cfg.input.max_bytes)


# Later stages register their subcommands here (see the end of this module).
_EXTRA_COMMANDS: list[Callable[[Any], None]] = []


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except UsageError as exc:
        print(f"polyglot-news {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 1


if __name__ == "__main__":
    sys.exit(main())
