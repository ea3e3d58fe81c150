"""`polyglot-news segment` over good and bad inputs: one record each, clear errors, exit codes."""

import json
import subprocess
import sys

import pytest

from polyglot_news.cli import main


@pytest.fixture()
def batch_dir(tmp_path):
    d = tmp_path / "in"
    d.mkdir()
    (d / "good.txt").write_text("Dear resident of Baku city!\n\nДорогой житель города Баку!\n", encoding="utf-8")
    (d / "empty.txt").write_bytes(b"")
    (d / "spaces.txt").write_text("  \n\t\n", encoding="utf-8")
    (d / "latin1.txt").write_bytes("Bak\xfd şəhəri".encode("utf-8")[:3] + b"\xff\xfe caf\xe9")
    (d / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    (d / "emoji.txt").write_text("Bakı 🙂 şəhəri gözəldir! 🚀🚀\nThe city is beautiful 🙂.\n", encoding="utf-8")
    (d / "mixed.txt").write_text("Bakıнский xəbərlər bu gün çox maraqlıdır.", encoding="utf-8")
    sub = d / "sub"
    sub.mkdir()
    (sub / "docs.jsonl").write_text(
        json.dumps({"id": "j1", "text": "Hello world, this is English text."}) + "\n"
        + "{not json\n"
        + json.dumps({"id": "j3"}) + "\n"
        + json.dumps({"id": "j4", "text": "Привет, мир! Это русский текст."}, ensure_ascii=False) + "\n",
        encoding="utf-8",
    )
    return d


def test_batch_goes_on_after_bad_files(batch_dir, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(batch_dir.parent)  # ids are the paths as given: relative here
    out = tmp_path / "out.jsonl"
    code = main(["segment", batch_dir.name, "-o", str(out), "--signature", "full"])
    assert code == 1
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    by_id = {r["source"].removeprefix("in/").removesuffix(".txt"): r for r in records}
    assert set(by_id) == {"good", "empty", "spaces", "latin1", "binary", "emoji", "mixed",
                          "sub/docs.jsonl:1", "sub/docs.jsonl:2", "sub/docs.jsonl:3", "sub/docs.jsonl:4"}
    # the caller's ids: a file's path in the folder given, a line's own id (its number where it has none)
    assert [by_id[k]["id"] for k in ("good", "sub/docs.jsonl:1", "sub/docs.jsonl:2", "sub/docs.jsonl:3")] == [
        "good.txt", "j1", "2", "j3"]
    by_id = {k.replace(".jsonl:1", ".jsonl/j1").replace(".jsonl:4", ".jsonl/j4"): r for k, r in by_id.items()}
    assert "empty document" in by_id["empty"]["error"]
    assert "invalid UTF-8" in by_id["latin1"]["error"]
    assert "binary" in by_id["binary"]["error"]
    assert "invalid JSON" in by_id["sub/docs.jsonl:2"]["error"]
    assert by_id["sub/docs.jsonl:2"]["source"] == "in/sub/docs.jsonl:2"
    assert "'text'" in by_id["sub/docs.jsonl:3"]["error"]
    assert [s["lang"] for s in by_id["good"]["segments"]] == ["en", "ru"]
    assert [s["lang"] for s in by_id["spaces"]["segments"]] == ["und"]
    assert [s["lang"] for s in by_id["sub/docs.jsonl/j4"]["segments"]] == ["ru"]
    assert by_id["mixed"]["segments"][0]["lang"] == "az"
    for r in records:
        if "segments" in r:
            text = "".join(s["text"] for s in r["segments"])
            assert r["signature"]["detector"]["backend"] == "ensemble"
            assert r["signature"]["polyglot_news"]
            assert text  # the whole document is there
    emoji = "".join(s["text"] for s in by_id["emoji"]["segments"])
    assert emoji == (batch_dir / "emoji.txt").read_text(encoding="utf-8")
    err = capsys.readouterr().err
    for name in ("empty.txt", "latin1.txt", "binary.txt", "docs.jsonl:2", "docs.jsonl:3"):
        assert name in err
    assert "6 done, 5 failed" in err


def test_missing_path_is_an_error_record(tmp_path, capsys):
    out = tmp_path / "o.jsonl"
    assert main(["segment", str(tmp_path / "nope.txt"), "-o", str(out)]) == 1
    assert json.loads(out.read_text())["error"] == "no such file or directory"
    assert "nope.txt: no such file or directory" in capsys.readouterr().err


def test_stdin_and_stdout_with_console_script(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "polyglot_news.cli", "segment", "-", "-q"],
        input="Salam! Bu gün Bakıda hava çox gözəldir.\nHello, the weather in Baku is nice today.\n".encode(),
        capture_output=True, timeout=120,
    )
    assert proc.returncode == 0, proc.stderr.decode()
    record = json.loads(proc.stdout)
    assert record["id"].startswith("stdin-") and record["source"] == "<stdin>"
    assert [s["lang"] for s in record["segments"]] == ["az", "en"]


def test_bad_config_exits_2(tmp_path, capsys):
    cfg = tmp_path / "c.yaml"
    cfg.write_text("languages: [en]\nbogus: 1\n")
    assert main(["segment", "-c", str(cfg), str(tmp_path)]) == 2
    assert "c.yaml: unknown key 'bogus'" in capsys.readouterr().err


@pytest.mark.slow
def test_ten_megabyte_line(tmp_path):
    line = ("Bakı şəhərində yeni park açılıb və sakinlər çox razıdır " * 180000)[: 10 * 1024 * 1024]
    path = tmp_path / "big.txt"
    path.write_text(line, encoding="utf-8")
    out = tmp_path / "o.jsonl"
    assert main(["segment", str(path), "-o", str(out), "-q"]) == 0
    record = json.loads(out.read_text(encoding="utf-8"))
    assert "".join(s["text"] for s in record["segments"]) == line
    assert {s["lang"] for s in record["segments"]} == {"az"}


def test_input_count_matches_records(batch_dir, tmp_path):
    from polyglot_news.io.readers import count_inputs, iter_documents

    paths = [str(batch_dir), str(tmp_path / "missing.txt"), str(batch_dir / "good.txt")]
    assert count_inputs(paths) == len(list(iter_documents(paths))) == 12  # good.txt read once
    assert count_inputs(["-"]) is None


def test_progress_bar_shows_rate_and_eta(capsys):
    from polyglot_news.runners import run_batch
    from polyglot_news.types import Document

    docs = [Document(f"p{i}", "text") for i in range(3)]
    summary = run_batch(docs, lambda d: {"id": d.id, "segments": []}, None, progress=True, total=3)
    err = capsys.readouterr().err
    assert summary.done == 3 and "3/3" in err and "doc/s" in err and "<" in err  # tqdm's elapsed<remaining
