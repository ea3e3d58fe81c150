"""Translation with tiny real-architecture models built here: chunking, batching, cache, errors."""

import json

import pytest

from polyglot_news.translation import ModelNotAvailable, Translator, plan_chunks
from polyglot_news.types import Document


def _translator(model, tmp_path, **extra):
    cfg = {"translation": {"models": {"az": str(model), "ru": str(model)},
                           "cache": {"path": str(tmp_path / "cache.sqlite")},
                           "generation": {"num_beams": 1, "max_new_tokens": 16}, **extra}}
    return Translator.from_config(cfg)


def test_tiny_model_is_saved_as_safetensors_and_loads_through_from_pretrained(tiny_marian):
    assert (tiny_marian / "model.safetensors").exists()
    assert not list(tiny_marian.glob("*.bin"))
    from transformers import AutoModelForSeq2SeqLM

    assert type(AutoModelForSeq2SeqLM.from_pretrained(tiny_marian)).__name__ == "MarianMTModel"


@pytest.mark.slow
def test_long_azerbaijani_segment_is_chunked_within_limit_with_full_coverage(tiny_marian, tmp_path, dev_pairs):
    az = [p.src for p in dev_pairs if p.src_lang == "az"]
    words, sentences = 0, []
    while words < 4000:
        s = az[len(sentences) % len(az)]
        sentences.append(s)
        words += len(s.split())
    text = " ".join(sentences)
    tr = _translator(tiny_marian, tmp_path)
    doc = Document("long", "Intro in English here.\n" + text)
    segments = [seg for seg in tr_segments(doc)]
    result = tr.translate_document(doc, segments)
    (idx, translation), = result.items()
    seg = segments[idx]
    counter = tr.model_for("az").tokenizer
    limit = tr.max_source_tokens("az")
    assert limit == 64
    pos = seg.start
    for chunk in translation.chunks:
        assert chunk.start == pos and doc.text[chunk.start:chunk.end] == chunk.source
        assert len(counter(chunk.source.strip())["input_ids"]) <= limit
        assert chunk.text.strip()  # every chunk got a translation
        pos = chunk.end
    assert pos == seg.end
    assert len(translation.chunks) > 50


def tr_segments(doc):
    from polyglot_news.langid import Segmenter

    return Segmenter()(doc)


def test_over_long_sentence_is_cut_at_boundaries():
    text = "Bu, " + ", ".join(f"söz{i} və daha bir söz{i}" for i in range(60)) + "."
    spans = plan_chunks(text, lambda s: len(s.split()) + 1, 20)
    assert "".join(text[s:e] for s, e in spans) == text
    assert all(len(text[s:e].split()) + 1 <= 20 for s, e in spans)
    assert all(text[s:e].rstrip().endswith(",") for s, e in spans[:-1])  # cut after commas


def test_unbroken_run_is_cut_without_losing_characters():
    text = "x" * 500
    spans = plan_chunks(text, len, 64)
    assert "".join(text[s:e] for s, e in spans) == text and all(e - s <= 64 for s, e in spans)


def test_datelines_and_links_are_copied_not_translated(tiny_marian, tmp_path, dev_pairs):
    """A sentence with no letters outside links is a chunk of its own, and its "translation"
    is itself: a model (here, random weights) has nothing to translate in it."""
    az = [p.src for p in dev_pairs if p.src_lang == "az"][:2]
    plain = ["29.11.2021 10:15", "https://report.az/xeber/iqtisadiyyat-123", "pic.twitter.com/AbC123"]
    text = "\n".join([az[0], plain[0], az[1], plain[1], plain[2]]) + "\n"
    tr = _translator(tiny_marian, tmp_path, cache={"enabled": False})
    (translation,) = tr.translate_spans([text], "az")
    assert "".join(c.source for c in translation.chunks) == text
    copied = {c.source.strip(): c.text for c in translation.chunks if c.source.strip() in plain}
    assert copied == {p: p for p in plain}  # each alone, verbatim
    assert tr.translate(plain, "ru") == plain and tr.stats.model_calls == 1  # only the az text ran


def test_a_link_inside_a_sentence_is_copied_and_the_text_around_it_translated(tiny_marian, tmp_path):
    """A model spells a link anew (random weights here, a real one token by token), and a link is
    no use unless exact: it is a chunk of its own, copied, and only the words on each side of it
    go to the model."""
    text = "Ətraflı məlumat https://report.az/xeber/iqtisadiyyat-123 saytında. Yazın: info@apa.az."
    assert [text[s:e].strip() for s, e in plan_chunks(text, len, 200)] == [
        "Ətraflı məlumat", "https://report.az/xeber/iqtisadiyyat-123", "saytında. Yazın:", "info@apa.az", "."]
    tr = _translator(tiny_marian, tmp_path, cache={"enabled": False})
    (translation,) = tr.translate_spans([text], "az")
    assert tr.stats.chunks_generated == 2  # the two stretches of words; no link reaches the model
    assert "".join(c.source for c in translation.chunks) == text
    by_source = {c.source.strip(): c.text for c in translation.chunks}
    assert by_source["https://report.az/xeber/iqtisadiyyat-123"] == "https://report.az/xeber/iqtisadiyyat-123"
    # each link whole in the English, and the full stop after the address joined without a space
    assert " https://report.az/xeber/iqtisadiyyat-123 " in translation.text
    assert translation.text.endswith(" info@apa.az.")


def test_batching_and_order_do_not_change_results(tiny_marian, tmp_path, dev_pairs):
    sentences = [p.src for p in dev_pairs if p.src_lang == "az"][:40]
    one = _translator(tiny_marian, tmp_path / "a", cache={"enabled": False}, max_batch_size=1)
    many = _translator(tiny_marian, tmp_path / "b", cache={"enabled": False}, batch_tokens=256)
    first = one.translate(sentences, "az")
    second = many.translate(list(reversed(sentences)), "az")[::-1]
    assert first == second
    assert many.stats.model_calls < one.stats.model_calls == 40


def test_cache_hits_on_second_run(tiny_marian, tmp_path, dev_pairs):
    sentences = [p.tgt for p in dev_pairs if p.tgt_lang == "ru"][:20]
    first = _translator(tiny_marian, tmp_path)
    out1 = first.translate(sentences, "ru")
    assert first.stats.model_calls >= 1
    first.close()
    second = _translator(tiny_marian, tmp_path)  # a new process would see the same file
    out2 = second.translate(sentences, "ru")
    assert out2 == out1
    assert second.stats.model_calls == 0 and second.stats.cache_hits == len(set(sentences))


def test_multilingual_model_with_language_codes(tiny_m2m, tmp_path):
    tr = Translator.from_config({"translation": {
        "family": "multilingual", "model": str(tiny_m2m), "lang_codes": {"az": "az", "ru": "ru", "en": "en"},
        "backend": "transformers",
        "cache": {"enabled": False}, "generation": {"num_beams": 1, "max_new_tokens": 8}}})
    out = tr.translate(["Salam, necəsən?", "Bu gün hava yaxşıdır."], "az")
    assert len(out) == 2 and all(isinstance(o, str) and "__en__" not in o for o in out)


def test_missing_hub_model_fails_fast_offline(monkeypatch, tmp_path):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    tr = Translator.from_config({"translation": {"models": {"az": "Helsinki-NLP/opus-mt-az-en", "ru": "x/y"}}})
    with pytest.raises(ModelNotAvailable, match=r"'Helsinki-NLP/opus-mt-az-en'.*models pull Helsinki-NLP/opus-mt-az-en"):
        tr.check_available()


def test_bad_model_paths(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(ModelNotAvailable, match="no config.json"):
        Translator.from_config({"translation": {"models": {"az": str(empty), "ru": str(empty)}}}).check_available()
    with pytest.raises(ModelNotAvailable, match="does not exist"):
        Translator.from_config({"translation": {"models": {"az": "./no/such/model", "ru": "./x"}}}).check_available()
    (empty / "config.json").write_text("{}")
    (empty / "pytorch_model.bin").write_bytes(b"pickle")
    with pytest.raises(ModelNotAvailable, match="safetensors"):
        Translator.from_config({"translation": {"models": {"az": str(empty), "ru": str(empty)}}}).check_available()


def test_cli_translate_and_missing_model_message(tiny_marian, tmp_path, capsys, monkeypatch):
    from polyglot_news.cli import main

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    doc = tmp_path / "d.txt"
    doc.write_text("Dear resident of Baku city!\n\nƏziz Bakı şəhəri sakini!\n\nДорогой житель города Баку!\n")
    out = tmp_path / "o.jsonl"
    assert main(["translate", str(doc), "--model", str(tiny_marian), "-o", str(out), "-q", "--signature", "full"]) == 0
    rec = json.loads(out.read_text())
    langs = [(s["lang"], "translation" in s) for s in rec["segments"]]
    assert langs == [("en", False), ("az", True), ("ru", True)]
    tr = rec["segments"][1]["translation"]
    assert tr["model"] == str(tiny_marian) and tr["chunks"][0]["start"] == rec["segments"][1]["start"]
    assert rec["signature"]["translation"]["routes"]["az"]["model"] == str(tiny_marian)
    capsys.readouterr()
    assert main(["translate", str(doc), "--model", str(tiny_marian), "-o", str(tmp_path / "again.jsonl")]) == 0
    err = capsys.readouterr().err
    assert "translated segments: az=1, ru=1" in err and "passages" not in err
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    assert main(["translate", str(doc), "--model", "Helsinki-NLP/opus-mt-az-en", "-q"]) == 2
    err = capsys.readouterr().err
    assert "models pull Helsinki-NLP/opus-mt-az-en" in err and "Traceback" not in err


def test_cache_is_safe_for_two_processes(tmp_path):
    import subprocess
    import sys

    db = tmp_path / "shared.sqlite"
    script = (
        "import sys\n"
        "from polyglot_news.translation.cache import TranslationCache\n"
        "c = TranslationCache(sys.argv[1])\n"
        "for i in range(150):\n"
        "    c.put_many([(f'{sys.argv[2]}-{i}', 'm', f'src {i}', f'tgt {i}')])\n"
        "    c.get_many([f'{sys.argv[2]}-{i}'])\n"
    )
    procs = [subprocess.Popen([sys.executable, "-c", script, str(db), tag]) for tag in ("a", "b")]
    assert [p.wait(timeout=120) for p in procs] == [0, 0]
    from polyglot_news.translation.cache import TranslationCache

    cache = TranslationCache(db)
    assert len(cache) == 300
    assert cache.get_many(["a-149", "b-0"]) == {"a-149": "tgt 149", "b-0": "tgt 0"}


def test_und_segments_are_left_alone_unless_configured(tiny_marian, tmp_path):
    from polyglot_news.types import Segment

    text = "Salam, necəsən?\n12345 !!!\n"
    segments = [Segment(0, 16, "az", 0.9, text[:16]), Segment(16, len(text), "und", 1.0, text[16:])]
    doc = Document("u", text)
    plain = _translator(tiny_marian, tmp_path / "p").translate_document(doc, segments)
    assert set(plain) == {0}
    models = {"az": str(tiny_marian), "ru": str(tiny_marian), "und": str(tiny_marian)}
    both = _translator(tiny_marian, tmp_path / "b", translate_und=True, models=models).translate_document(doc, segments)
    assert set(both) == {0, 1}
    with pytest.raises(ValueError, match="translate_und needs a model for 'und'"):
        _translator(tiny_marian, tmp_path / "c", translate_und=True)


def test_models_list_and_pull_offline(tmp_path, capsys, monkeypatch):
    from polyglot_news.cli import main

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    assert main(["models", "list"]) == 0
    out = capsys.readouterr().out
    assert "Helsinki-NLP/opus-mt-az-en: MISSING" in out and "(none)" in out
    assert main(["models", "pull", "Helsinki-NLP/opus-mt-az-en"]) == 2
    err = capsys.readouterr().err
    assert "could not download Helsinki-NLP/opus-mt-az-en" in err and "Traceback" not in err


def test_documents_of_a_batch_are_translated_together(tiny_marian, tmp_path, dev_pairs):
    """Cross-document batching: the same records as one document at a time, in fewer model calls."""
    from polyglot_news import Pipeline
    from polyglot_news.types import Document

    az = [p for p in dev_pairs if p.src_lang == "az"]
    docs = [Document(f"d{k}", f"{az[k].src}\n{az[k].tgt}\n") for k in range(12)]

    def run(per_batch, name):
        config = {"translation": {"enabled": True, "models": {"az": str(tiny_marian), "ru": str(tiny_marian)},
                                  "cache": {"enabled": False},
                                  "generation": {"num_beams": 1, "max_new_tokens": 8}},
                  "alignment": {"enabled": False}, "runner": {"documents_per_batch": per_batch}}
        pipeline = Pipeline.from_config(config)
        pipeline.run_batch(docs, tmp_path / name)
        records = [json.loads(line) for line in (tmp_path / name).read_text(encoding="utf-8").splitlines()]
        return [{k: v for k, v in r.items() if k != "signature"} for r in records], pipeline.translator.stats

    one_by_one, alone = run(1, "one.jsonl")
    together, batched = run(8, "batched.jsonl")
    assert together == one_by_one
    assert sum("translation" in s for r in together for s in r["segments"]) >= 12
    assert batched.model_calls < alone.model_calls
    assert batched.chunks_generated == alone.chunks_generated
