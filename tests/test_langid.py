"""Detector accuracy on the dev data, the rival languages, and the segmenter's guarantees."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from polyglot_news.io.datasets import sentences_by_language
from polyglot_news.langid import Segmenter, make_detector


@pytest.fixture(scope="module")
def by_lang(dev_pairs):
    return sentences_by_language(dev_pairs)


def _accuracy(detector, sentences, want):
    return sum(detector.detect(s)[0] == want for s in sentences) / len(sentences)


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["az", "en", "ru"])
def test_ensemble_accuracy_on_dev(segmenter, by_lang, lang):
    assert _accuracy(segmenter.detector, by_lang[lang], lang) >= 0.995


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["tr", "uk"])
def test_turkish_and_ukrainian_are_not_swallowed(segmenter, by_lang, lang):
    assert _accuracy(segmenter.detector, by_lang[lang], "und") >= 0.9


def test_other_languages_are_und(segmenter):
    for text in ["Je ne sais pas ce que tu veux dire, mon ami.", "Ich weiß nicht, was du meinst.",
                 "Я не знаю, що ти маєш на увазі.", "Bu konuda ne düşünüyorsun, söyler misin?"]:
        assert segmenter.detector.detect(text)[0] == "und", text


def test_numbers_and_punctuation_are_und(segmenter):
    assert [s.lang for s in segmenter("2024 — 11 / 29 !!!")] == ["und"]


def test_langdetect_backend_is_deterministic_and_has_no_azerbaijani():
    det = make_detector("langdetect", ["en", "az", "ru"])
    text = "Bakı şəhərində bu gün hava yaxşı olacaq və küləkli olmayacaq."
    first = [det.scores(text) for _ in range(3)]
    assert first[0] == first[1] == first[2]
    assert det.detect(text)[0] != "az"


def test_unknown_backend_and_language_are_clear_errors():
    with pytest.raises(ValueError, match="unknown detector backend"):
        make_detector("nope", ["en"])
    with pytest.raises(ValueError, match="not known to lingua"):
        make_detector("ensemble", ["en", "xx"])


def test_target_languages_come_from_configuration():
    seg = Segmenter.from_config({"languages": ["en", "az", "ru", "tr"]})
    text = "Türkiye'nin başkenti Ankara'dır ve en kalabalık şehri İstanbul'dur."
    assert [s.lang for s in seg(text)] == ["tr"]


def test_short_line_takes_context(segmenter):
    az = "Prezident İlham Əliyev bu gün Bakıda xarici qonaqları qəbul edib və onlarla söhbət aparıb.\n"
    en = "President Ilham Aliyev received foreign guests in Baku today and held talks with them.\n"
    for body, lang in ((az, "az"), (en, "en")):
        text = body + "Ilham Aliyev\n" + body
        segs = segmenter(text)
        assert [s.lang for s in segs] == [lang], (lang, [(s.lang, s.text) for s in segs])


def test_sentence_is_never_split_by_language(segmenter):
    text = "The Russian word «спасибо» means thank you, and the Azerbaijani «təşəkkür» too."
    assert len(segmenter(text)) == 1
    text = "In Russian, thank you is «спасибо», which people say very often."
    assert [s.lang for s in segmenter(text)] == ["en"]


def test_clear_headline_keeps_its_language_between_english_lines(segmenter):
    text = "Leave a review\n\nBerlin görüşü, Prezidentin mesajları, Qərbin addımları\n\nFollow us on social networks\n"
    assert [s.lang for s in segmenter(text)] == ["en", "az", "en"]


_pieces = st.sampled_from([
    "Salam, necəsən? ", "Hello there. ", "Привет, как дела? ", "ə", "12.5%", "🙂🚀", "\n", "\n\n",
    "\t", " ", "Bakıнский", "e\u0301", "\u200b", "İ", "ß", "\r\n", "...", "«»", "Tom.", "x" * 40,
])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.one_of(st.text(max_size=300), st.lists(_pieces, max_size=40).map("".join)))
def test_segments_partition_any_text(segmenter, text):
    segments = segmenter(text)
    assert "".join(s.text for s in segments) == text
    pos = 0
    for s in segments:
        assert s.start == pos and s.end > s.start and text[s.start:s.end] == s.text
        assert s.lang in ("en", "az", "ru", "und") and 0.0 <= s.confidence <= 1.0
        pos = s.end
    assert pos == len(text)
    for a, b in zip(segments, segments[1:]):
        assert a.lang != b.lang  # runs are merged
