"""align-corpus (issue: corpus-scale document alignment): three editions give triples through
the English one, unmatched documents are reported alone, bad files get error records, and the
output formats round-trip; the matcher recovers permuted noisy vectors through faiss too."""

import json
import random

import numpy as np
import pytest
from lxml import etree

from polyglot_news.alignment.corpus import match_vectors
from polyglot_news.cli import main
from tests.conftest import ROOT, SEED

OFFLINE = str(ROOT / "configs" / "offline.yaml")
NOTICE = {"az": (2648, 2749), "en": (2751, 2845), "ru": (2847, 2949)}  # the seed page's notice


@pytest.fixture(scope="module")
def editions(tmp_path_factory, dev_pairs):
    """az, en and ru editions: the seed notice in all three, az–en and en–ru stories of 3–5
    dev sentences, an az story with no counterpart, an unreadable file; file names unrelated."""
    root = tmp_path_factory.mktemp("editions")
    rng = random.Random(0)
    seed = SEED.read_text(encoding="utf-8")
    folders = {lang: root / lang for lang in ("az", "en", "ru")}
    for folder in folders.values():
        folder.mkdir()
    truth = []  # (src lang, src file, en file)

    def story(lang, k, text):
        name = f"{lang}-{rng.randrange(10**6):06d}-{k}.txt"
        (folders[lang] / name).write_text(text + "\n", encoding="utf-8")
        return str(folders[lang] / name)

    notice = {lang: story(lang, 0, seed[s:e]) for lang, (s, e) in NOTICE.items()}
    for other, pairs in (("az", [p for p in dev_pairs if p.src_lang == "az" and p.tgt_lang == "en"]),
                         ("ru", [p for p in dev_pairs if p.src_lang == "en" and p.tgt_lang == "ru"])):
        rng.shuffle(pairs)
        for k in range(8):
            chosen = pairs[k * 5:k * 5 + rng.randint(3, 5)]
            src = [p.src if other == "az" else p.tgt for p in chosen]
            eng = [p.tgt if other == "az" else p.src for p in chosen]
            truth.append((other, story(other, k + 1, " ".join(src)), story("en", f"{other}{k}", " ".join(eng))))
    alone = story("az", 99, " ".join(p.src for p in dev_pairs[600:604]))
    (folders["en"] / "broken.txt").write_bytes(b"\x00\x01binary")
    return folders, notice, truth, alone


def _records(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_three_editions_give_triples_pairs_and_the_unmatched(editions, tmp_path, capsys):
    folders, notice, truth, alone = editions
    out = tmp_path / "out.jsonl"
    code = main(["align-corpus", str(folders["az"]), str(folders["en"]), str(folders["ru"]), "-o", str(out),
                 "-c", OFFLINE])
    assert code == 1  # the unreadable file
    err = capsys.readouterr().err
    assert "broken.txt: binary file" in err and "groups: 1 triples, 16 pairs" in err
    records = _records(out)
    groups = [r for r in records if "documents" in r]
    (triple,) = [r for r in groups if len(r["documents"]) == 3]
    assert triple["documents"] == notice and triple["score"] > 1
    assert {(p["src_lang"], p["tgt_lang"]) for p in triple["pairs"]} == {("az", "en"), ("ru", "en")}
    found = {(lang, r["documents"][lang], r["documents"]["en"]) for r in groups if len(r["documents"]) == 2
             for lang in r["documents"] if lang != "en"}
    assert found == set(truth)
    singles = [r for r in groups if len(r["documents"]) == 1]
    assert {"documents": {"az": alone}, "score": None, "pairs": []} in singles
    assert all(r["score"] is None for r in singles)
    (error,) = [r for r in records if "error" in r]
    assert error["source"].endswith("broken.txt") and error["collection"] == str(folders["en"])
    # every sentence of a paired document is in exactly one group
    for r in groups:
        for lang in {p["src_lang"] for p in r["pairs"]}:
            src = sorted(i for p in r["pairs"] if p["src_lang"] == lang for i in p["src"])
            assert src == list(range(len(src)))


def test_pair_formats_round_trip(editions, tmp_path):
    folders = editions[0]
    args = ["align-corpus", str(folders["az"]), str(folders["en"]), "--langs", "az,en", "-c", OFFLINE, "-q"]
    assert main([*args, "-o", str(tmp_path / "c.jsonl")]) == 1
    groups = [p for r in _records(tmp_path / "c.jsonl") if "documents" in r for p in r["pairs"]
              if p["src"] and p["tgt"]]
    assert main([*args, "-o", str(tmp_path / "c"), "--format", "tsv"]) == 1
    rows = (tmp_path / "c.az-en.tsv").read_text(encoding="utf-8").splitlines()
    assert len(rows) == len(groups) and all(len(row.split("\t")) == 3 for row in rows)
    assert main([*args, "-o", str(tmp_path / "c"), "--format", "tmx"]) == 1
    tus = etree.parse(str(tmp_path / "c.az-en.tmx")).findall(".//tu")
    assert [tu.findall("tuv/seg")[0].text for tu in tus] == [row.split("\t")[0] for row in rows]
    assert main([*args, "-o", str(tmp_path / "c"), "--format", "moses"]) == 1
    az = (tmp_path / "c.az-en.az").read_text(encoding="utf-8").splitlines()
    en = (tmp_path / "c.az-en.en").read_text(encoding="utf-8").splitlines()
    assert len(az) == len(en) == len(rows) and en == [row.split("\t")[1] for row in rows]


@pytest.mark.parametrize("exact_limit", [10**9, 500])  # exact search, and faiss's IVF index
def test_the_matcher_recovers_a_permutation_of_noisy_vectors(exact_limit):
    rng = np.random.default_rng(0)
    y = rng.normal(size=(3000, 64)).astype(np.float32)
    perm = rng.permutation(2500)
    x = y[perm] + 0.6 * rng.normal(size=(2500, 64)).astype(np.float32)  # 500 of y have no counterpart
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    y /= np.linalg.norm(y, axis=1, keepdims=True)
    pairs = match_vectors(x, y, exact_limit=exact_limit)
    right = sum(perm[p.src] == p.tgt for p in pairs)
    assert right / 2500 >= 0.99 and right / len(pairs) >= 0.99


def test_documents_without_sentences_pair_with_nothing():
    """Zero vectors (whitespace-only documents) on both sides: no 0/0 margin, no pair."""
    rng = np.random.default_rng(1)
    y = rng.normal(size=(50, 16)).astype(np.float32)
    y /= np.linalg.norm(y, axis=1, keepdims=True)
    x = y.copy()
    x[:3] = 0.0
    y[3:6] = 0.0
    with np.errstate(all="raise"):
        pairs = match_vectors(x, y)
    assert {(p.src, p.tgt) for p in pairs} == {(k, k) for k in range(6, 50)}
