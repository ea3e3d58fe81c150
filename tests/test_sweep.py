"""The second hostile sweep (issue: nothing lost, nothing doubled, no traceback), each case as a
user runs it: through the command line, in a fresh process where the case needs one."""

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from polyglot_news.cli import main
from tests.conftest import ROOT

OFFLINE = str(ROOT / "configs" / "offline.yaml")
CLI = [sys.executable, "-m", "polyglot_news.cli"]


def _records(path):
    return [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines()]


def _cli(*args, **kwargs):
    return subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=300, **kwargs)


def _one_line_error(capsys, *needles):
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "Traceback" not in err[0], err
    for needle in needles:
        assert needle in err[0], err[0]
    return err[0]


# --- data lost or doubled -------------------------------------------------------------------

def test_a_run_never_reads_its_own_output(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    Path("a.txt").write_text("Hello there, friend.", encoding="utf-8")
    for _ in range(3):
        assert main(["run", ".", "-o", "out.jsonl", "-c", OFFLINE, "-q"]) == 0
    assert [r["id"] for r in _records("out.jsonl")] == ["a.txt"]
    Path("x.jsonl").write_text('{"id": "x", "text": "Salam, dostum."}\n', encoding="utf-8")
    # another run's output in the folder is a JSONL file like any other (no 'text': an error record)
    assert main(["run", "x.jsonl", ".", "-o", "run.jsonl", "-c", OFFLINE, "-q"]) == 1
    records = _records("run.jsonl")
    assert sorted(r["source"] for r in records) == ["a.txt", "out.jsonl:1", "x.jsonl:1"]
    assert [r["source"] for r in records if "error" in r] == ["out.jsonl:1"]
    capsys.readouterr()
    assert main(["run", "x.jsonl", "-o", "x.jsonl", "-c", OFFLINE, "-q"]) == 2  # the input itself
    _one_line_error(capsys, "the output is one of the inputs")
    assert Path("x.jsonl").read_text(encoding="utf-8") == '{"id": "x", "text": "Salam, dostum."}\n'


def _parquet_config(tmp_path, shard):
    config = tmp_path / f"shard{shard}.yaml"
    config.write_text(Path(OFFLINE).read_text(encoding="utf-8") + f"output:\n  shard_size: {shard}\n"
                      + "alignment:\n  enabled: false\n", encoding="utf-8")
    return str(config)


@pytest.mark.slow
def test_parquet_resume_goes_by_identity_not_position(tmp_path):
    from polyglot_news.io.tables import read_records

    docs = tmp_path / "docs"
    docs.mkdir()
    for k in range(40):
        (docs / f"d{k:03d}.txt").write_text(f"Hello there, this is document {k}.", encoding="utf-8")
    out = tmp_path / "out"
    assert main(["run", str(docs), "-o", str(out), "--format", "parquet", "-c", _parquet_config(tmp_path, 7),
                 "-q"]) == 0
    (docs / "a-first.txt").write_text("Salam, dostum.", encoding="utf-8")  # sorts first
    (docs / "z-last.txt").write_text("", encoding="utf-8")  # fails
    # another shard size between runs, and files added before and after the others
    assert main(["run", str(docs), "-o", str(out), "--format", "parquet", "-c", _parquet_config(tmp_path, 5),
                 "-q"]) == 1
    records = list(read_records(out))
    assert sorted(r["id"] for r in records) == sorted(p.name for p in docs.iterdir())
    (docs / "z-last.txt").write_text("Привет, друг.", encoding="utf-8")  # fixed: retried
    assert main(["run", str(docs), "-o", str(out), "--format", "parquet", "-c", _parquet_config(tmp_path, 5),
                 "-q"]) == 0
    records = {r["id"]: r for r in read_records(out)}
    assert len(records) == 42 and "error" not in records["z-last.txt"]
    assert records["z-last.txt"]["segments"][0]["lang"] == "ru"
    # --overwrite starts afresh
    (docs / "d000.txt").unlink()
    assert main(["run", str(docs), "-o", str(out), "--format", "parquet", "-c", _parquet_config(tmp_path, 5),
                 "-q", "--overwrite"]) == 0
    assert len(list(read_records(out))) == 41


@pytest.mark.parametrize("link", ["symlink", "hardlink"])
def test_one_output_named_through_a_link_is_locked_as_one(tmp_path, link):
    from polyglot_news.runners.base import output_lock

    doc = tmp_path / "a.txt"
    doc.write_text("Hello there, friend.", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    out.write_text("", encoding="utf-8")
    other = tmp_path / "other.jsonl"
    if link == "symlink":
        other.symlink_to(out)
    else:
        os.link(out, other)
    with output_lock(out):
        proc = _cli("segment", str(doc), "-o", str(other), "-c", OFFLINE, "-q")
    assert proc.returncode == 2 and "being written by another run" in proc.stderr
    assert out.read_text(encoding="utf-8") == ""


def test_a_line_over_the_limit_costs_that_line_alone(tmp_path):
    config = tmp_path / "c.yaml"
    config.write_text(Path(OFFLINE).read_text(encoding="utf-8") + "input:\n  max_bytes: 200\n", encoding="utf-8")
    feed = tmp_path / "feed.jsonl"
    lines = [{"id": "a", "text": "Hello there."}, {"id": "b", "text": "x " * 300},
             {"id": "c", "text": "Salam, dostum."}, {"id": "d", "text": "Привет, друг."}]
    feed.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in lines), encoding="utf-8")
    out = tmp_path / "out.jsonl"
    assert main(["segment", str(feed), "-o", str(out), "-c", str(config), "-q"]) == 1
    records = sorted(_records(out), key=lambda r: r["source"])
    assert [r["source"] for r in records] == [f"{feed}:{n}" for n in (1, 2, 3, 4)]
    assert "longer than 200 bytes" in records[1]["error"]
    assert [r["id"] for r in records if "error" not in r] == ["a", "c", "d"]


def test_dangling_links_and_fifos_in_a_folder_get_error_records(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.txt").write_text("Hello there, friend.", encoding="utf-8")
    (docs / "gone.txt").symlink_to(tmp_path / "nowhere.txt")
    os.mkfifo(docs / "pipe.txt")
    out = tmp_path / "out.jsonl"
    assert main(["segment", str(docs), "-o", str(out), "-c", OFFLINE, "-q"]) == 1
    records = {r["id"]: r for r in _records(out)}
    assert sorted(records) == ["a.txt", "gone.txt", "pipe.txt"]
    assert "dangling symbolic link" in records["gone.txt"]["error"]
    assert "not a regular file (a FIFO)" in records["pipe.txt"]["error"]


# --- tracebacks, hangs, runaway memory ---------------------------------------------------------

@pytest.mark.slow
@pytest.mark.parametrize("damage", ["truncated", "zeroed pages", "a folder"])
def test_a_damaged_cache_is_moved_aside_and_the_run_goes_on(tmp_path, damage):
    from polyglot_news.alignment.embedding_cache import EmbeddingCache

    cache = tmp_path / "cache" / "embeddings.sqlite"
    store = EmbeddingCache(cache)
    import numpy as np

    store.put_many((f"k{k}", "e", np.ones(384, dtype=np.float32)) for k in range(3000))
    store.close()
    size = cache.stat().st_size
    if damage == "truncated":
        with cache.open("r+b") as handle:
            handle.truncate(size // 2)
    elif damage == "zeroed pages":
        with cache.open("r+b") as handle:
            for offset in (4096, size // 2, size - 8192):
                handle.seek(offset)
                handle.write(b"\0" * 4096)
    else:
        cache.unlink()
        cache.mkdir()
        (cache / "x").write_text("x")
    config = tmp_path / "c.yaml"
    config.write_text(Path(OFFLINE).read_text(encoding="utf-8")
                      + f"    cache:\n      path: {cache}\n", encoding="utf-8")
    seed = ROOT / "examples" / "baku_news_2021-11-29.txt"
    out = tmp_path / "out.jsonl"
    proc = _cli("run", str(seed), "-o", str(out), "-c", str(config))
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    warnings = [line for line in proc.stderr.splitlines() if "cache damaged" in line]
    assert len(warnings) == 1 and "moved aside to" in warnings[0]
    assert [p.name for p in cache.parent.iterdir() if ".damaged-" in p.name]
    (record,) = _records(out)
    assert len(record["passages"]) == 1
    with sqlite3.connect(cache) as conn:  # the new cache is whole and filled
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("SELECT COUNT(*) FROM embeddings").fetchone()[0] > 0


@pytest.mark.slow
def test_workers_end_when_their_main_process_is_killed(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    for k in range(300):
        (docs / f"{k:03d}.txt").write_text(f"Hello there, this is document number {k}. Salam, dostum.",
                                           encoding="utf-8")
    out = tmp_path / "out.jsonl"
    proc = subprocess.Popen([*CLI, "run", str(docs), "-o", str(out), "-c", OFFLINE, "-q", "--workers", "2"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline and not (out.exists() and out.stat().st_size):
        time.sleep(0.5)
    children = _children(proc.pid)
    assert len(children) >= 2
    os.kill(proc.pid, signal.SIGKILL)  # the main process alone, as the OOM killer does
    proc.wait()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and any(_alive(pid) for pid in children):
        time.sleep(0.5)
    assert not [pid for pid in children if _alive(pid)]


def _children(pid):
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def _alive(pid):
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_the_report_page_holds_its_data_whatever_the_texts_and_file_names(tmp_path):
    from polyglot_news.report import render_report, report_data

    nasty = ['<img src=x onerror="document.title=\'pwned\'">', "<!--<script>", "</script><script>alert(1)</script>"]
    records = [{"id": f"doc{k}", "segments": [{"start": 0, "end": len(t), "lang": "en", "confidence": 1.0,
                                               "text": t}]} for k, t in enumerate(nasty)]
    records += [[1, 2, 3], {"id": "oops", "segments": "oops"},
                {"id": "half", "segments": [], "passages": [{"members": [], "score": 1.0,
                                                             "pairs": [{"src": {"lang": "en", "start": 0, "end": 1},
                                                                        "score": 1.0}]}]}]
    data = report_data(records)
    page = render_report(data, title="x__DATA__.jsonl <b>")
    head = page.split("<script", 1)[0]
    assert "onerror" not in head and "<b>" not in head and "x__DATA__.jsonl &lt;b&gt;" in head
    body = page.split('<script id="report-data" type="application/json">', 1)[1].split("</script>", 1)[0]
    assert "<" not in body and json.loads(body)["summary"]["documents"] == 6
    errors = [d["error"] for d in data["documents"]]
    assert errors[:3] == [None] * 3 and all("is not a run record" in e for e in errors[3:])


def test_the_report_of_hostile_records_renders_every_document_and_runs_none_of_them(tmp_path):
    from polyglot_news.report import find_chromium, open_page

    if find_chromium() is None:
        if os.environ.get("CI"):
            raise RuntimeError("CI must have Chromium (apt-get install chromium)")
        pytest.skip("no Chromium here; CI runs this test")
    texts = ['<img src=x onerror="document.title=\'pwned\'">', "<!--<script>", "</script><script>document.title='x'"]
    run = tmp_path / "x__DATA__.jsonl"
    lines = [json.dumps({"id": f"doc{k}", "segments": [{"start": 0, "end": len(t), "lang": "en",
                                                        "confidence": 1.0, "text": t}]}) for k, t in enumerate(texts)]
    lines += ["[1, 2, 3]", json.dumps({"id": "oops", "segments": "oops"}), "not json"]
    run.write_text("\n".join(lines) + "\n", encoding="utf-8")
    html = tmp_path / "report.html"
    assert main(["report", str(run), "-o", str(html), "--no-heatmaps", "-q"]) == 0
    with open_page(html) as (page, problems):
        assert page.title() == "polyglot_news · x__DATA__.jsonl"
        assert page.locator("#rows button.doc").count() == 6
        assert page.evaluate("window.__pwned === undefined && !document.querySelector('main img')")
        assert not [p for p in problems if "uncaught" in p]


@pytest.mark.parametrize("case,needle", [
    ("detector: {bogus: 1}", "unknown key 'segmentation.detector.bogus'"),
    ("detector: {rivals: {az: [[1]]}}", "'segmentation.detector.rivals.az.0'"),
    ("backend: lingua\n  detector: {rival_prior: 3}", "not one the lingua backend takes"),
])
def test_detector_options_are_validated_like_every_other_key(tmp_path, capsys, case, needle):
    config = tmp_path / "c.yaml"
    config.write_text(f"segmentation:\n  {case}\n", encoding="utf-8")
    assert main(["segment", "-", "-c", str(config)]) == 2
    _one_line_error(capsys, str(config), needle)


def test_a_yaml_alias_bomb_is_refused_at_once(tmp_path, capsys):
    rows = ["      a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    rows += [f"      a{k}: &a{k} [{', '.join([f'*a{k - 1}'] * 9)}]" for k in range(1, 10)]
    config = tmp_path / "bomb.yaml"
    config.write_text("segmentation:\n  detector:\n    rivals:\n" + "\n".join(rows) + "\n", encoding="utf-8")
    started = time.monotonic()
    assert main(["segment", "-", "-c", str(config)]) == 2
    assert time.monotonic() - started < 5
    _one_line_error(capsys, "expands to over")


@pytest.mark.parametrize("langs,needle", [("az,a/b", "'a/b' not among"), ("az,xx", "'xx' not among"),
                                          (",en", "an empty language name"), ("az,az", "a language named twice")])
def test_align_corpus_langs_are_checked(tmp_path, capsys, langs, needle):
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "x.txt").write_text("Hello there.", encoding="utf-8")
    assert main(["align-corpus", str(tmp_path / "a"), str(tmp_path / "b"), "-o", str(tmp_path / "c.tsv"),
                 "--format", "tsv", "--langs", langs, "-c", OFFLINE]) == 2
    _one_line_error(capsys, needle)


def test_eval_reads_under_a_limit_and_names_a_missing_plot_folder(tmp_path, capsys):
    big = tmp_path / "big.txt"
    with big.open("wb") as handle:
        handle.truncate(60 * 1024 * 1024)  # sparse: 60 MB without writing them
    assert main(["eval", "align", str(big), str(big)]) == 2
    _one_line_error(capsys, "too large")
    gold = tmp_path / "gold.txt"
    gold.write_text("en\naz\n", encoding="utf-8")
    assert main(["eval", "langid", str(gold), str(gold), "--plot", str(tmp_path / "missing" / "cm.png")]) == 2
    _one_line_error(capsys, "does not exist")
    assert main(["eval", "translation", str(gold), str(gold), "--metrics", ","]) == 2
    _one_line_error(capsys, "names no metric")


def test_run_with_standard_input_closed(tmp_path):
    out = tmp_path / "out.jsonl"
    proc = subprocess.run([*CLI, "run", "-", "-o", str(out), "-c", OFFLINE, "-q"], stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr  # empty: an error record
    code = ("import sys, runpy; sys.stdin.close(); sys.stdin = None; sys.argv = ['polyglot-news', 'run', '-', "
            f"'-o', {str(tmp_path / 'o2.jsonl')!r}, '-c', {OFFLINE!r}, '-q']; "
            "runpy.run_module('polyglot_news.cli', run_name='__main__')")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr, proc.stderr
    (record,) = _records(tmp_path / "o2.jsonl")
    assert record["error"] == "standard input is closed: nothing to read"


# --- messages that mislead ---------------------------------------------------------------------

def test_output_problems_are_named_in_one_line(tmp_path, capsys):
    doc = tmp_path / "a.txt"
    doc.write_text("Hello there, friend.", encoding="utf-8")
    assert main(["run", str(doc), "-o", str(tmp_path / "missing" / "dir" / "out.jsonl"), "-c", OFFLINE, "-q"]) == 2
    _one_line_error(capsys, "missing/dir", "No such folder")
    assert not (tmp_path / "missing").exists()
    assert main(["run", str(doc), "-o", str(doc / "out.jsonl"), "-c", OFFLINE, "-q"]) == 2
    _one_line_error(capsys, "a.txt", "Not a directory")
    run = tmp_path / "run.jsonl"
    assert main(["segment", str(doc), "-o", str(run), "-c", OFFLINE, "-q"]) == 0
    capsys.readouterr()
    assert main(["report", str(run), "-o", "/dev/full", "--no-heatmaps"]) == 2
    _one_line_error(capsys, "/dev/full", "No space left on device")


def test_utf16_input_is_read_and_a_lone_surrogate_is_named(tmp_path):
    doc = tmp_path / "u16.txt"
    doc.write_bytes("Привет, друг! Hello there.".encode("utf-16"))
    feed = tmp_path / "f.jsonl"
    feed.write_text('{"id": "s", "text": "Hello \\ud800 there."}\n', encoding="utf-8")
    out = tmp_path / "out.jsonl"
    assert main(["segment", str(doc), str(feed), "-o", str(out), "-c", OFFLINE, "-q"]) == 1
    records = {Path(r["source"]).name: r for r in _records(out)}
    assert records["u16.txt"]["segments"][0]["text"].startswith("Привет")
    assert records["f.jsonl:1"]["error"] == "text holds a lone surrogate (U+D800) at character 6: not valid Unicode"


@pytest.mark.slow
def test_a_closed_pipe_downstream_is_a_normal_end(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    for k in range(30):
        (docs / f"{k}.txt").write_text(f"Hello there, document {k}.", encoding="utf-8")
    proc = subprocess.run(f"{sys.executable} -m polyglot_news.cli segment {docs} -o - -c {OFFLINE} -q | head -n 1",
                          shell=True, capture_output=True, text=True, timeout=120,
                          executable="/bin/bash", env={**os.environ, "PIPESTATUS_CHECK": "1"})
    assert proc.stdout.count("\n") == 1
    assert "Broken pipe" not in proc.stderr and "Traceback" not in proc.stderr
    status = subprocess.run(f"set -o pipefail; {sys.executable} -m polyglot_news.cli segment {docs} -o - -c {OFFLINE}"
                            " -q | head -n 1 >/dev/null", shell=True, executable="/bin/bash", timeout=120)
    assert status.returncode == 0


def test_a_killed_overwrite_leaves_no_temporary_file_for_good(tmp_path):
    doc = tmp_path / "a.txt"
    doc.write_text("Hello there, friend.", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    assert main(["segment", str(doc), "-o", str(out), "-c", OFFLINE, "-q"]) == 0
    dead = subprocess.Popen(["true"])
    dead.wait()
    stale = tmp_path / f".out.jsonl.{dead.pid}.tmp"
    stale.write_text('{"id": "half', encoding="utf-8")  # what a run killed mid-overwrite left
    assert main(["segment", str(doc), "-o", str(out), "-c", OFFLINE, "-q", "--overwrite"]) == 0
    assert not stale.exists() and len(_records(out)) == 1


# --- align-docs and align-corpus write through the runner's path --------------------------------

def _two_docs(tmp_path):
    src, tgt = tmp_path / "s.txt", tmp_path / "t.txt"
    src.write_text("Bakıda yeni metro açılıb.\nSakinlər razıdır.\n", encoding="utf-8")
    tgt.write_text("A new metro has opened in Baku.\nResidents are pleased.\n", encoding="utf-8")
    return src, tgt


def _editions(tmp_path):
    for lang, text in (("az", "Bakıda yeni metro açılıb. Sakinlər razıdır."),
                       ("en", "A new metro has opened in Baku. Residents are pleased.")):
        (tmp_path / lang).mkdir()
        (tmp_path / lang / "a.txt").write_text(text, encoding="utf-8")
    return [str(tmp_path / "az"), str(tmp_path / "en"), "--langs", "az,en"]


@pytest.mark.parametrize("command", ["align-docs", "align-corpus"])
def test_whole_result_commands_lock_their_output_and_replace_it_only_when_told(tmp_path, capsys, command):
    from polyglot_news.runners.base import output_lock

    inputs = [str(p) for p in _two_docs(tmp_path)] + ["--sentence-per-line"] if command == "align-docs" \
        else _editions(tmp_path)
    out = tmp_path / "out.jsonl"
    with output_lock(out):  # a first run in progress
        proc = _cli(command, *inputs, "-o", str(out), "-c", OFFLINE, "-q")
    assert proc.returncode == 2 and "being written by another run" in proc.stderr and not out.exists()
    assert main([command, *inputs, "-o", str(out), "-c", OFFLINE, "-q"]) == 0
    first = out.read_bytes()
    assert main([command, *inputs, "-o", str(out), "-c", OFFLINE, "-q"]) == 2  # not replaced unasked
    _one_line_error(capsys, "already exists: --overwrite replaces it")
    assert main([command, *inputs, "-o", str(out), "-c", OFFLINE, "-q", "--overwrite"]) == 0
    assert out.read_bytes() == first


@pytest.mark.parametrize("command", ["align-docs", "align-corpus"])
def test_a_killed_overwrite_of_a_whole_result_leaves_the_old_one_whole(tmp_path, command):
    inputs = [str(p) for p in _two_docs(tmp_path)] + ["--sentence-per-line"] if command == "align-docs" \
        else _editions(tmp_path)
    out = tmp_path / "out.jsonl"
    out.write_text('{"old": true}\n', encoding="utf-8")
    # killed once the new result is being written: its first bytes are in the temporary file
    code = ("import os, signal, polyglot_news.io.writers as w\n"
            "write = w.JsonlWriter.write\n"
            "def dying(self, record):\n"
            "    write(self, record); os.kill(os.getpid(), signal.SIGKILL)\n"
            "w.JsonlWriter.write = dying\n"
            "from polyglot_news.cli import main\n"
            f"main({[command, *inputs, '-o', str(out), '-c', OFFLINE, '-q', '--overwrite']!r})\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert proc.returncode == -signal.SIGKILL
    assert out.read_text(encoding="utf-8") == '{"old": true}\n'
    assert [p.name for p in tmp_path.glob(".out.jsonl.*.tmp")]  # what the kill left …
    assert main([command, *inputs, "-o", str(out), "-c", OFFLINE, "-q", "--overwrite"]) == 0
    assert not list(tmp_path.glob(".out.jsonl.*.tmp"))  # … the next run removes
    assert '"old"' not in out.read_text(encoding="utf-8")


def test_unreadable_inputs_of_align_docs_and_align_corpus_get_error_records(tmp_path, capsys):
    src, _ = _two_docs(tmp_path)
    blank = tmp_path / "blank.txt"
    blank.write_text("  \n\n ", encoding="utf-8")
    out = tmp_path / "docs.jsonl"
    assert main(["align-docs", str(src), str(blank), "-o", str(out), "-c", OFFLINE]) == 1
    _one_line_error(capsys, "blank.txt", "empty document (whitespace only)")
    (record,) = _records(out)
    assert record["source"] == str(blank) and record["error"] == "empty document (whitespace only)"
    inputs = _editions(tmp_path)
    (tmp_path / "en" / "broken.txt").write_bytes(b"\x00\x01binary")
    out = tmp_path / "corpus.jsonl"
    assert main(["align-corpus", *inputs, "-o", str(out), "-c", OFFLINE, "-q"]) == 1
    errors = [r for r in _records(out) if "error" in r]
    assert [Path(e["source"]).name for e in errors] == ["broken.txt"] and errors[0]["collection"] == inputs[1]


def test_a_folder_that_cannot_be_listed_is_named_as_such(tmp_path, monkeypatch):
    """(As root every folder can be listed: the refusal is the file system's, played here by
    os.walk's error callback, as a folder without read permission gives it to other users.)"""
    from polyglot_news.io import readers

    docs = tmp_path / "docs"
    (docs / "locked").mkdir(parents=True)
    (docs / "a.txt").write_text("Hello there, friend.", encoding="utf-8")
    walk = os.walk

    def refusing(top, onerror=None, followlinks=False):
        for root, dirs, files in walk(top, onerror=onerror, followlinks=followlinks):
            if root.endswith("locked"):
                onerror(PermissionError(13, "Permission denied", root))
                continue
            yield root, dirs, files

    monkeypatch.setattr(readers.os, "walk", refusing)
    out = tmp_path / "out.jsonl"
    assert main(["segment", str(docs), "-o", str(out), "-c", OFFLINE, "-q"]) == 1
    records = {r["id"]: r for r in _records(out)}
    assert records["locked"]["error"] == "cannot list folder: Permission denied"
    assert "segments" in records["a.txt"]


def test_a_cache_on_a_network_file_system_is_refused_before_any_document(tmp_path, monkeypatch, capsys):
    from polyglot_news import sqlite

    mounts = "server:/export /mnt/share nfs4 rw 0 0\n/dev/vda / ext4 rw 0 0\n"
    assert sqlite.file_system_of(Path("/mnt/share/cache/t.sqlite"), mounts) == "nfs4"
    assert sqlite.file_system_of(Path("/home/u/.cache/t.sqlite"), mounts) == "ext4"
    with pytest.raises(sqlite.CacheOnNetwork, match="network file system"):
        sqlite.check_local(Path("/mnt/share/cache/t.sqlite"), mounts)
    sqlite.check_local(Path("/home/u/.cache/t.sqlite"), mounts)  # a local disk: fine
    # through the command line: a config that puts the embedding cache there is refused at once
    monkeypatch.setattr(sqlite, "file_system_of", lambda path, mounts=None: "nfs4")
    config = tmp_path / "c.yaml"
    config.write_text(Path(OFFLINE).read_text(encoding="utf-8") + f"    cache:\n      path: {tmp_path / 'e.sqlite'}\n",
                      encoding="utf-8")
    doc = tmp_path / "a.txt"
    doc.write_text("Hello there, friend.", encoding="utf-8")
    assert main(["run", str(doc), "-o", str(tmp_path / "o.jsonl"), "-c", str(config), "-q"]) == 2
    _one_line_error(capsys, "network file system (nfs4)")
