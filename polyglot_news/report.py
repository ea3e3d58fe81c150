"""The report page: a ``run`` output as one self-contained HTML file (inline CSS and JS, no
network), to look at rather than read.

Each document's text coloured by language (confidence on hover), its translations beside their
sources chunk by chunk, its parallel passages as aligned columns (clicking a sentence marks its
counterparts) with pair scores and a similarity heatmap per language pair, and a paginated,
filterable document list with counts per language, passages and errors.

>>> from polyglot_news.report import write_report
>>> write_report("out/demo.jsonl", "out/report.html")

:func:`open_page` and :func:`screenshot` render it in headless Chromium (the ``report`` extra,
Playwright, drives a Chromium installed on the machine).
"""

from __future__ import annotations

import json
from collections import Counter
from contextlib import contextmanager
from importlib.resources import files
from pathlib import Path
from typing import Any, Iterable, Iterator

import numpy as np

from .alignment.encoders import Encoder
from .io.tables import read_records, record_text


def report_data(records: Iterable[dict[str, Any]], encoder: Encoder | None = None,
                limit: int | None = None) -> dict[str, Any]:
    """What the page shows, as JSON-able data: the documents (at most ``limit``) and a summary.
    With an ``encoder``, each passage gets the cosine similarity of its sentences per language
    pair (the heatmaps)."""
    documents, total = [], 0
    for record in records:
        total += 1
        if limit is None or len(documents) < limit:
            documents.append(_checked_document(record, total, encoder))
    segments: Counter = Counter()
    for doc in documents:
        segments.update(doc["counts"])
    return {
        "documents": documents,
        "summary": {"documents": len(documents), "errors": sum(1 for d in documents if d["error"]),
                    "wrong": sum(1 for d in documents if d.get("shape") is False),
                    "flagged": sum(d.get("flagged", 0) for d in documents),
                    "segments": dict(sorted(segments.items())),
                    "passages": sum(len(d["passages"]) for d in documents), "limited": total > len(documents)},
    }


def render_report(data: dict[str, Any], title: str = "polyglot_news report") -> str:
    """The HTML page for :func:`report_data`'s data. The data goes into a JSON element that the
    browser never runs, with every ``<``, ``>`` and ``&`` written as a JSON escape, so nothing
    in a text (``</script>``, ``<!--``) can end that element; both placeholders are filled in
    one pass, so nothing in the title (a file name) is read as a placeholder."""
    import re
    from html import escape

    payload = (json.dumps(data, ensure_ascii=True, separators=(",", ":"))
               .replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))
    template = files("polyglot_news").joinpath("data/report.html").read_text(encoding="utf-8")
    fill = {"__TITLE__": escape(title), "__DATA__": payload}
    return re.sub("__TITLE__|__DATA__", lambda m: fill[m.group(0)], template)


def write_report(source: str | Path, output: str | Path, encoder: Encoder | None = None,
                 limit: int | None = None) -> dict[str, Any]:
    """Read a ``run`` output, write its report page; returns the page's summary (``wrong``:
    how many records were of the wrong shape, each shown as a document that says so). A file
    with no record of a run at all is a ``ValueError``."""
    data = report_data(read_records(source, lenient=True), encoder, limit)
    wrong = [d for d in data["documents"] if d.get("shape") is False]
    if wrong and len(wrong) == len(data["documents"]):
        raise ValueError(f"{source}: no record of a run in it ({wrong[0]['error']})")
    page = render_report(data, title=f"polyglot_news · {Path(source).name}")
    try:
        Path(output).write_text(page, encoding="utf-8")
    except OSError as exc:  # a full disk says no file name: the page's is the one to name
        raise OSError(exc.errno, exc.strerror, str(output)) from None
    return data["summary"]


def _checked_document(record: Any, number: int, encoder: Encoder | None) -> dict[str, Any]:
    """The page's document of a record, or of a record of the wrong shape, a document that says
    so (the page shows every record it was given)."""
    try:
        if isinstance(record, ValueError):  # a line that is no JSON record at all
            raise record
        _check_record(record)
        return _document(record, encoder)
    except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
        doc_id = str(record.get("id", f"record {number}")) if isinstance(record, dict) else f"record {number}"
        return {"id": doc_id, "source": None, "error": f"record {number} is not a run record: {exc}",
                "text": "", "segments": [], "counts": {}, "passages": [], "translation_note": None, "shape": False}


def _check_record(record: Any) -> None:
    """A ``ValueError`` that says what is wrong where a record is not of a run's shape."""
    if not isinstance(record, dict):
        raise ValueError(f"a {type(record).__name__}, not an object")
    if "error" in record:
        return
    segments = record.get("segments", [])
    if not isinstance(segments, list):
        raise ValueError("'segments' is not a list")
    for seg in segments:
        if not isinstance(seg, dict) or not all(k in seg for k in ("start", "end", "lang", "text")):
            raise ValueError("a segment without start, end, lang and text")
        if not isinstance(seg["text"], str) or not isinstance(seg["start"], int) or not isinstance(seg["end"], int):
            raise ValueError("a segment's text or span is of the wrong type")
    passages = record.get("passages", [])
    if not isinstance(passages, list):
        raise ValueError("'passages' is not a list")
    for passage in passages:
        if not isinstance(passage, dict) or not isinstance(passage.get("pairs"), list):
            raise ValueError("a passage without a list of pairs")
        for pair in passage["pairs"]:
            for side in ("src", "tgt"):
                span = pair.get(side) if isinstance(pair, dict) else None
                if not isinstance(span, dict) or not all(isinstance(span.get(k), int) for k in ("start", "end")):
                    raise ValueError(f"a pair without its '{side}' span")
            if not isinstance(pair.get("score"), (int, float)):
                raise ValueError("a pair without a score")


def _document(record: dict[str, Any], encoder: Encoder | None) -> dict[str, Any]:
    segments = record.get("segments") or []
    text = record_text(record)
    doc = {
        "id": str(record.get("id", "")),
        "source": record.get("source"),
        "error": record.get("error"),
        "text": text,
        "segments": [{k: s[k] for k in ("start", "end", "lang", "confidence", "translation") if k in s}
                     for s in segments],
        "counts": dict(Counter(s["lang"] for s in segments)),
        "passages": [dict(p) for p in record.get("passages") or []],
        "translation_note": next((n for n in record.get("notes", []) if "translation" in n), None),
        "flagged": _flagged(record),
    }
    if encoder is not None and doc["passages"]:
        for passage in doc["passages"]:
            passage["heatmaps"] = _heatmaps(text, passage["pairs"], encoder)
    return doc


def _flagged(record: dict[str, Any]) -> int:
    """How many of a record's translations and aligned pairs carry a quality flag."""
    translations = [(s.get("translation") or {}).get("quality") for s in record.get("segments") or []]
    pairs = [pair.get("quality") for p in record.get("passages") or [] for pair in p.get("pairs") or []]
    return sum(1 for q in translations + pairs if q and q.get("flags"))


def _heatmaps(text: str, pairs: list[dict[str, Any]], encoder: Encoder) -> list[dict[str, Any]]:
    """Per language pair of a passage: the cosine of every source sentence with every target one."""
    sides: dict[tuple[str, str], tuple[set, set]] = {}
    for pair in pairs:
        src, tgt = pair["src"], pair["tgt"]
        rows, cols = sides.setdefault((src["lang"], tgt["lang"]), (set(), set()))
        rows.add((src["start"], src["end"]))
        cols.add((tgt["start"], tgt["end"]))
    maps = []
    for (src_lang, tgt_lang), (rows, cols) in sorted(sides.items()):
        rows, cols = sorted(rows), sorted(cols)
        vectors = encoder.encode([text[s:e] for s, e in rows + cols])
        values = np.clip(vectors[:len(rows)] @ vectors[len(rows):].T, 0.0, 1.0)
        maps.append({"src_lang": src_lang, "tgt_lang": tgt_lang, "rows": [list(r) for r in rows],
                     "cols": [list(c) for c in cols], "values": np.round(values, 3).tolist()})
    return maps


def find_chromium() -> str | None:
    """A Chromium or Chrome on this machine (``POLYGLOT_NEWS_CHROMIUM`` first), or ``None``."""
    import os
    import shutil

    named = os.environ.get("POLYGLOT_NEWS_CHROMIUM")
    if named:
        return named
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        if shutil.which(name):
            return shutil.which(name)
    return None


class PageProblems(list):
    """What went wrong while a page was open: console errors, uncaught exceptions, and any
    request that left the file (the page must work offline)."""


@contextmanager
def open_page(path: str | Path, width: int = 1400, height: int = 1000) -> Iterator[tuple[Any, PageProblems]]:
    """The report page open in headless Chromium (through Playwright, the ``report`` extra),
    rendered and ready, with the list of its problems so far."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        raise RuntimeError("rendering the page needs Playwright: pip install 'polyglot-news[report]'") from None
    browser_path = find_chromium()
    if browser_path is None:
        raise RuntimeError("no Chromium found: install it (e.g. apt-get install chromium) "
                           "or set POLYGLOT_NEWS_CHROMIUM")
    url = Path(path).resolve().as_uri()
    problems = PageProblems()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=browser_path, args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": width, "height": height})
            page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}")
                    if m.type in ("error", "warning") else None)
            page.on("pageerror", lambda exc: problems.append(f"uncaught: {exc}"))

            def offline(route):
                if route.request.url != url and not route.request.url.startswith("data:"):
                    problems.append(f"request: {route.request.url}")
                    return route.abort()
                return route.continue_()

            page.route("**/*", offline)
            page.goto(url)
            page.wait_for_selector("body[data-ready=true]", timeout=30_000)
            yield page, problems
        finally:
            browser.close()


def screenshot(html: str | Path, png: str | Path) -> PageProblems:
    """A full-page PNG of the report with its first passage's first sentence selected."""
    with open_page(html) as (page, problems):
        first = page.locator(".sent").first
        if first.count():
            first.click()
        page.screenshot(path=str(png), full_page=True)
    return problems
