"""Data types round-trip through JSON; configs reject unknown keys and wrong types by name."""

import json
from pathlib import Path

import pytest

from polyglot_news.config import ConfigError, load_config
from polyglot_news.types import Document, Passage, Segment, SentencePair, Signature, Span, Translation, TranslationChunk


def test_records_round_trip_through_json():
    doc = Document("d1", "Salam. Hello.", {"source": "x.txt"})
    seg = Segment(0, 6, "az", 0.97, "Salam.")
    tr = Translation("Hello.", "tiny", [TranslationChunk(0, 6, "Salam.", "Hello.")])
    pas = Passage([Span("az", 0, 6), Span("en", 7, 13)], 0.9,
                  [SentencePair(Span("az", 0, 6), Span("en", 7, 13), 0.8)])
    for obj in (doc, seg, tr, pas):
        again = type(obj).from_dict(json.loads(json.dumps(obj.to_dict())))
        assert again.to_dict() == obj.to_dict()


def test_segment_span_must_match_text():
    with pytest.raises(ValueError, match="does not match"):
        Segment(0, 3, "en", 1.0, "Hello")


def test_signature_is_stable_and_readable():
    a = Signature({"polyglot_news": "0.1.0", "detector": {"backend": "ensemble", "languages": ["en", "az"]}})
    b = Signature.from_dict(json.loads(json.dumps(a.to_dict())))
    assert a.digest == b.digest and str(a) == str(b)
    assert "detector:backend=ensemble,languages=en+az" in str(a)
    assert a.merged(model="x").digest != a.digest


def test_unknown_key_is_named_with_the_file(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("languages: [en, az]\nsegmentation:\n  backnd: lingua\n")
    with pytest.raises(ConfigError, match=r"bad\.yaml: unknown key 'segmentation\.backnd'"):
        load_config(path)


def test_wrong_type_is_named(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("translation:\n  batch_tokens: lots\n")
    with pytest.raises(ConfigError, match=r"bad\.yaml: 'translation\.batch_tokens'"):
        load_config(path)


def test_invalid_yaml_and_missing_file(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("languages: [en\n")
    with pytest.raises(ConfigError, match="broken.yaml: invalid YAML"):
        load_config(path)
    with pytest.raises(ConfigError, match="cannot read config"):
        load_config(tmp_path / "none.yaml")


BUNDLED = sorted((Path(__file__).resolve().parent.parent / "configs").glob("*.yaml"))


def _leaves(tree: dict, path: tuple = ()):
    for key, value in tree.items():
        if isinstance(value, dict):
            yield from _leaves(value, path + (key,))
        else:
            yield path + (key,), value


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.stem)
def test_bundled_configs_load_with_every_value_they_set(path):
    """Every bundled config loads, and every value it writes is the value the loaded config holds
    (a key renamed or moved would fail here rather than be ignored)."""
    import yaml

    cfg = load_config(path).model_dump()
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    for keys, value in _leaves(raw):
        held = cfg
        for key in keys:
            held = held[key]
        assert held == value, f"{path.name}: {'.'.join(keys)} is {held!r}, the file says {value!r}"
    assert cfg["languages"] == ["en", "az", "ru"]


def test_the_margin_config_reaches_the_document_aligner():
    from polyglot_news.alignment.documents import document_scorer
    from polyglot_news.alignment.encoding import encoder_from_config
    from polyglot_news.alignment.scoring import MarginScorer

    cfg = load_config(Path(__file__).resolve().parent.parent / "configs" / "margin.yaml")
    scorer = document_scorer(encoder_from_config(cfg.alignment.encoder), ["Salam."], ["Hello."], "az", "en",
                             cfg.alignment)
    assert isinstance(scorer, MarginScorer) and scorer.group_vectors == "joined"
