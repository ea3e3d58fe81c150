"""Every input has an identity of its own (issue: nothing lost, nothing doubled): files named
alike in different folders, JSONL ids that repeat or look like another input's, standard input,
and a property test over random trees rerun as they grow."""

import json
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from polyglot_news.cli import main
from polyglot_news.io.readers import iter_documents
from polyglot_news.pipeline import DocumentProcessor
from polyglot_news.runners import run_batch
from tests.conftest import ROOT

OFFLINE = str(ROOT / "configs" / "offline.yaml")


def _records(path):
    return [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines()]


def test_files_named_alike_in_two_folders_stay_two_documents_across_reruns(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for day, text in (("2021-11-28", "Salam, bu gün hava gözəldir."), ("2021-11-29", "Hello, the weather is fine.")):
        Path("news", day).mkdir(parents=True)
        Path("news", day, "news.txt").write_text(text, encoding="utf-8")
    assert main(["segment", "news", "-o", "out.jsonl", "-c", OFFLINE, "-q"]) == 0
    Path("news", "2021-11-30").mkdir()
    Path("news", "2021-11-30", "news.txt").write_text("Привет, сегодня хорошая погода.", encoding="utf-8")
    assert main(["segment", "news", "-o", "out.jsonl", "-c", OFFLINE, "-q"]) == 0  # the folder gained a file
    records = _records("out.jsonl")
    # the caller's id: the path relative to the folder given; source: where it was read
    assert [r["id"] for r in records] == ["2021-11-28/news.txt", "2021-11-29/news.txt", "2021-11-30/news.txt"]
    assert [r["segments"][0]["lang"] for r in records] == ["az", "en", "ru"]
    assert [r["source"] for r in records] == ["news/" + r["id"] for r in records]
    assert len({r["key"] for r in records}) == 3


def test_repeated_jsonl_ids_are_all_processed_and_kept(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    lines = [{"id": "x", "text": "Hello there, friend."}, {"id": "x", "text": "Salam, dostum."},
             {"id": "https://n.az/x#2", "text": "Привет, друг."}, {"text": "Good morning, Baku."}]
    Path("feed.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in lines), encoding="utf-8")
    assert main(["segment", "feed.jsonl", "-o", "out.jsonl", "-c", OFFLINE]) == 0
    assert "ids shared by more than one input: 1" in capsys.readouterr().err
    for _ in range(2):  # a rerun finds every input done: one record per input
        records = _records("out.jsonl")
        assert [r["id"] for r in records] == ["x", "x", "https://n.az/x#2", "4"]
        assert [r["source"] for r in records] == [f"feed.jsonl:{n}" for n in range(1, 5)]
        assert [r["segments"][0]["lang"] for r in records] == ["en", "az", "ru", "en"]
        assert main(["segment", "feed.jsonl", "-o", "out.jsonl", "-c", OFFLINE, "-q"]) == 0


@pytest.mark.slow
def test_standard_input_is_known_by_its_content(tmp_path):
    out = tmp_path / "out.jsonl"

    def pipe(text):
        return subprocess.run([sys.executable, "-m", "polyglot_news.cli", "segment", "-", "-o", str(out),
                               "-c", OFFLINE, "-q"], input=text.encode(), capture_output=True, timeout=120)

    assert pipe("Hello there, friend.").returncode == 0
    assert pipe("Salam, dostum.").returncode == 0  # a second document into the same output
    assert pipe("Hello there, friend.").returncode == 0  # the first again: already there
    records = _records(out)
    assert len(records) == 2 and len({r["id"] for r in records}) == 2
    assert all(r["id"].startswith("stdin-") and r["source"] == "<stdin>" for r in records)


_names = st.sampled_from(["news", "x", "x#2", "a", "news.jsonl"])
_file = st.tuples(st.lists(st.sampled_from(["a", "b", "2021-11-28"]), max_size=2), _names,
                  st.sampled_from([".txt", ".jsonl"]),
                  st.lists(st.sampled_from(["x", "x#2", "a/b", None, "news"]), min_size=1, max_size=4))

_PROCESSOR = []


def _processor():
    if not _PROCESSOR:
        _PROCESSOR.append(DocumentProcessor(OFFLINE, ("segment",)))
    return _PROCESSOR[0]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(first=st.lists(_file, min_size=1, max_size=6), later=st.lists(_file, max_size=4))
def test_every_input_exactly_once_across_reruns_that_add_files(first, later):
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp, "in")
        expected: set[str] = set()  # the source of every input: a file, or a JSONL line

        def write(files, tag):
            for k, (folders, name, suffix, ids) in enumerate(files):
                path = root.joinpath(*folders, name + suffix)
                if path.exists() or any(p.is_file() for p in path.parents):
                    continue
                path.parent.mkdir(parents=True, exist_ok=True)
                if suffix == ".txt":
                    path.write_text(f"Hello, this is document {tag}{k}.", encoding="utf-8")
                    expected.add(str(path))
                else:
                    rows = [{"text": f"Line {n} of {tag}{k}.", **({} if i is None else {"id": i})}
                            for n, i in enumerate(ids)]
                    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
                    expected.update(f"{path}:{n}" for n in range(1, len(rows) + 1))

        out = Path(tmp, "out.jsonl")
        write(first, "a")
        run_batch(iter_documents([root]), _processor(), out)
        write(later, "b")
        run_batch(iter_documents([root]), _processor(), out)
        records = _records(out)
        keys = [r["key"] for r in records]
        assert len(keys) == len(set(keys))  # nothing doubled
        # every input once: a text file's record names its path, a JSONL line's record its line
        assert sorted(r["source"] for r in records) == sorted(expected)  # nothing lost
