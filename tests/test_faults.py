"""The batch promise under faults (issue: nothing lost, nothing doubled, no traceback): one
writer per output, failed inputs retried, text that UTF-8 cannot hold escaped, bounded reads,
one-line errors with exit code 2 for output and config problems."""

import json
import os
import subprocess
import sys

import pytest

from polyglot_news.cli import main
from tests.conftest import ROOT

OFFLINE = str(ROOT / "configs" / "offline.yaml")


def _segment(*args):
    return main(["segment", *args, "-c", OFFLINE, "-q"])


def _records(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_a_second_run_on_the_same_output_is_refused(tmp_path):
    from polyglot_news.runners.base import output_lock

    (tmp_path / "a.txt").write_text("Hello there, friend.\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    with output_lock(out):  # a run in progress holds the output
        proc = subprocess.run([sys.executable, "-m", "polyglot_news.cli", "segment", str(tmp_path / "a.txt"),
                               "-o", str(out), "-c", OFFLINE, "-q"], capture_output=True, text=True)
    assert proc.returncode == 2
    assert f"being written by another run (pid {os.getpid()})" in proc.stderr
    assert "Traceback" not in proc.stderr and not out.exists()
    assert _segment(str(tmp_path / "a.txt"), "-o", str(out)) == 0  # free again


def test_a_failed_input_that_was_fixed_is_retried(tmp_path):
    doc = tmp_path / "news.txt"
    doc.write_text("", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    assert _segment(str(doc), "-o", str(out)) == 1
    assert "error" in _records(out)[0]
    doc.write_text("Hello there, friend.\n", encoding="utf-8")
    assert _segment(str(doc), "-o", str(out)) == 0
    (record,) = _records(out)  # one record per input, the error gone
    assert record["id"] == "news" and "error" not in record


def test_text_utf8_cannot_hold_is_escaped_not_fatal(tmp_path):
    jsonl = tmp_path / "in.jsonl"
    jsonl.write_text('{"id": "bad\\ud800id", "text": "Hello there, friend."}\n'
                     '{"id": "good", "text": "Salam, dünya!"}\n', encoding="utf-8")
    folder = tmp_path / "dir"
    folder.mkdir()
    (folder / os.fsdecode(b"caf\xe9.txt")).write_text("Hello there.\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    assert _segment(str(jsonl), str(folder), "-o", str(out)) == 0
    ids = [r["id"] for r in _records(out)]
    assert ids == ["bad\ud800id", "good", "caf\udce9"]  # escaped in the file, the same strings back
    assert _segment(str(jsonl), str(folder), "-o", str(out)) == 0  # a rerun recognises them
    assert len(_records(out)) == 3


def test_an_endless_stream_is_read_with_a_bound(tmp_path):
    config = tmp_path / "c.yaml"
    config.write_text(open(OFFLINE, encoding="utf-8").read() + "input:\n  max_bytes: 100000\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    assert main(["segment", "/dev/zero", "-o", str(out), "-c", str(config), "-q"]) == 1
    (record,) = _records(out)
    assert "too large" in record["error"]
    lines = tmp_path / "endless.jsonl"
    lines.write_bytes(b'{"id": "a", "text": "Hello there."}\n' + b"x" * 200_000)
    assert main(["segment", str(lines), "-o", str(tmp_path / "o2.jsonl"), "-c", str(config), "-q"]) == 1
    assert [("error" in r) for r in _records(tmp_path / "o2.jsonl")] == [False, True]


@pytest.mark.parametrize("case", ["output is a directory", "stdout with tsv", "config not UTF-8",
                                  "align-docs into a missing folder", "whitespace-only document"])
def test_problems_at_the_edge_are_one_line_and_exit_2(tmp_path, case, capsys):
    doc = tmp_path / "a.txt"
    doc.write_text("Hello there, friend.\n", encoding="utf-8")
    if case == "output is a directory":
        args = ["segment", str(doc), "-o", str(tmp_path), "-c", OFFLINE, "-q"]
    elif case == "stdout with tsv":
        args = ["run", str(doc), "-o", "-", "--format", "tsv", "-c", OFFLINE, "-q"]
    elif case == "config not UTF-8":
        bad = tmp_path / "c.yaml"
        bad.write_bytes(b"languages: [en, az, ru]\n# caf\xe9\n")
        args = ["segment", str(doc), "-c", str(bad), "-q"]
    elif case == "align-docs into a missing folder":
        args = ["align-docs", str(doc), str(doc), "-o", str(tmp_path / "nowhere" / "out.jsonl"), "-c", OFFLINE]
    else:
        blank = tmp_path / "blank.txt"
        blank.write_text("  \n\n ", encoding="utf-8")
        args = ["align-docs", str(doc), str(blank), "-c", OFFLINE]
    assert main(args) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "error:" in err[0] and "Traceback" not in err[0]


def test_sigterm_to_a_run_with_workers_leaves_no_orphans(tmp_path, dev_pairs):
    import signal
    import time

    folder = tmp_path / "in"
    folder.mkdir()
    for k in range(40):
        (folder / f"d{k:02d}.txt").write_text(f"{dev_pairs[k].src}\n{dev_pairs[k].tgt}\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    proc = subprocess.Popen([sys.executable, "-m", "polyglot_news.cli", "run", str(folder), "-o", str(out),
                             "-c", OFFLINE, "-q", "--workers", "2"], stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 240
    while not (out.exists() and out.read_text(encoding="utf-8").count("\n") >= 1):
        assert proc.poll() is None and time.monotonic() < deadline, proc.stderr.read()
        time.sleep(0.1)
    children = subprocess.run(["pgrep", "-P", str(proc.pid)], capture_output=True, text=True).stdout.split()
    assert children
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=60) == 128 + signal.SIGTERM
    assert "Traceback" not in proc.stderr.read()
    time.sleep(1)
    alive = [pid for pid in children if subprocess.run(["kill", "-0", pid], capture_output=True).returncode == 0
             and "defunct" not in subprocess.run(["ps", "-o", "stat=", "-p", pid], capture_output=True,
                                                 text=True).stdout.replace("Z", "defunct")]
    assert alive == []
    lines = out.read_text(encoding="utf-8").splitlines()
    assert all(json.loads(line)["id"] for line in lines)  # whole records only
