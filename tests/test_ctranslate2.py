"""The CTranslate2 backend with tiny Marian models of the release layout: float32 output equal
to the transformers backend, int8, the conversion cache (reused, atomic under kill -9), clear
errors, the backend in cache keys and signatures, and managing conversions (one conversion
for workers started together, prune, remove)."""

import os
import signal
import subprocess
import sys
import textwrap

import pytest

from polyglot_news.translation import ModelNotAvailable, Translator

pytest.importorskip("ctranslate2")


@pytest.fixture(scope="module")
def marian(tiny_marian):
    return tiny_marian


@pytest.fixture(autouse=True)
def own_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))


def _translator(model, backend="ctranslate2", compute_type="float32", beams=1):
    return Translator.from_config({"translation": {
        "models": {"az": str(model), "ru": str(model)}, "backend": backend, "compute_type": compute_type,
        "cache": {"enabled": False}, "generation": {"num_beams": beams, "max_new_tokens": 24}}})


def _sentences(dev_pairs, n=40):
    return [p.src for p in dev_pairs if p.src_lang == "az"][:n]


@pytest.mark.parametrize("beams", [1, 4])
def test_float32_equals_the_transformers_backend(marian, dev_pairs, beams):
    texts = _sentences(dev_pairs)
    reference = _translator(marian, backend="transformers", beams=beams).translate(texts, "az")
    converted = _translator(marian, compute_type="float32", beams=beams).translate(texts, "az")
    assert converted == reference
    assert any(t for t in converted)


def test_int8_translates_every_input_and_says_so(marian, dev_pairs):
    texts = _sentences(dev_pairs, 20) + ["", "Salam!"]
    tr = _translator(marian, compute_type="int8", beams=4)
    out = tr.translate(texts, "az")
    assert len(out) == len(texts) and out[-2] == ""
    sig = tr.signature.components["translation"]
    assert sig["backend"] == "ctranslate2" and sig["compute_type"] == "int8"
    assert sig["routes"]["az"]["compute_type"] == "int8"


def test_backend_and_compute_type_are_in_the_cache_key(marian):
    keys = {_translator(marian, compute_type=ct)._model_key("az")["compute_type"] for ct in ("int8", "float32")}
    assert keys == {"int8", "float32"}
    assert "compute_type" not in _translator(marian, backend="transformers")._model_key("az")


def test_conversion_is_reused(marian):
    first = _translator(marian, compute_type="int8").model_for("az")
    assert first.converted_now
    second = _translator(marian, compute_type="int8").model_for("az")
    assert not second.converted_now and second.converted == first.converted


def _kill_during_conversion(marian) -> None:
    """A process killed after CTranslate2 wrote the files, before they were moved into place."""
    script = textwrap.dedent(f"""
        import os, signal, ctranslate2
        real = ctranslate2.converters.TransformersConverter.convert
        def convert_then_die(self, output_dir, *a, **k):
            real(self, output_dir, *a, **k)      # the files are written, not yet moved into place
            os.kill(os.getpid(), signal.SIGKILL)
        ctranslate2.converters.TransformersConverter.convert = convert_then_die
        from polyglot_news.translation import Translator
        Translator.from_config({{"translation": {{"models": {{"az": {str(marian)!r}, "ru": {str(marian)!r}}},
                                "backend": "ctranslate2", "compute_type": "int8"}}}}).model_for("az")
    """)
    proc = subprocess.run([sys.executable, "-c", script], env=os.environ.copy(), capture_output=True)
    assert proc.returncode == -signal.SIGKILL


def _leftovers():
    from polyglot_news.translation.backends.ctranslate2 import conversion_root

    return [p for p in conversion_root().iterdir() if p.name.startswith(".") and p.is_dir()]


@pytest.mark.slow
def test_killed_conversion_leaves_no_half_model(marian, capsys):
    from polyglot_news.cli import main
    from polyglot_news.translation.backends.ctranslate2 import list_converted

    _kill_during_conversion(marian)
    assert list_converted() == []  # only a hidden temporary folder, never loaded
    assert len(_leftovers()) == 1
    assert main(["models", "prune"]) == 0  # removes what the killed process left
    assert _leftovers() == [] and "1 removed" in capsys.readouterr().out

    _kill_during_conversion(marian)
    assert len(_leftovers()) == 1
    backend = _translator(marian, compute_type="int8").model_for("az")
    assert backend.converted_now and (backend.converted / "model.bin").is_file()
    assert _leftovers() == []  # the next conversion of the model cleared it first


@pytest.mark.slow
def test_workers_starting_together_convert_once(marian):
    """Workers started at once on one machine (a Ray node, a shell loop) share one conversion:
    the others wait for the first instead of each converting the same model."""
    script = textwrap.dedent(f"""
        from polyglot_news.translation import Translator
        backend = Translator.from_config({{"translation": {{"models": {{"az": {str(marian)!r}, "ru": {str(marian)!r}}},
                                          "backend": "ctranslate2", "compute_type": "int8"}}}}).model_for("az")
        print(backend.converted_now, backend.converted)
    """)
    procs = [subprocess.Popen([sys.executable, "-c", script], env=os.environ.copy(), stdout=subprocess.PIPE,
                              text=True) for _ in range(3)]
    outputs = [proc.communicate()[0].split() for proc in procs]
    assert all(proc.returncode == 0 for proc in procs)
    assert sorted(now for now, _ in outputs) == ["False", "False", "True"]
    assert len({folder for _, folder in outputs}) == 1


def test_models_prune_removes_conversions_whose_source_is_gone(marian, tmp_path, capsys):
    import shutil

    from polyglot_news.cli import main
    from polyglot_news.translation.backends.ctranslate2 import list_converted

    copy = tmp_path / "throwaway-marian"
    shutil.copytree(marian, copy)
    kept = _translator(marian, compute_type="int8").model_for("az").converted
    gone = _translator(copy, compute_type="int8").model_for("az").converted
    assert {row["source_exists"] for row in list_converted()} == {True}
    shutil.rmtree(copy)
    assert main(["models", "list"]) == 0
    assert f"{gone.name}" in capsys.readouterr().out.split("source gone")[0].splitlines()[-1]
    assert main(["models", "prune"]) == 0
    assert f"removed {gone.name}" in capsys.readouterr().out
    assert [row["id"] for row in list_converted()] == [kept.name]

    assert main(["models", "remove", "no-such-conversion"]) == 2
    assert "no converted model no-such-conversion" in capsys.readouterr().err
    assert main(["models", "remove", kept.name]) == 0
    assert list_converted() == []
    assert list(kept.parent.iterdir()) == []  # nor their locks


def test_a_model_ctranslate2_cannot_convert_fails_before_any_document(marian, tmp_path):
    broken = tmp_path / "broken"
    broken.mkdir()
    for f in marian.iterdir():
        (broken / f.name).write_bytes(f.read_bytes())
    (broken / "model.safetensors").write_bytes(b"not a safetensors file")
    tr = _translator(broken, compute_type="int8")
    with pytest.raises(ModelNotAvailable, match="cannot convert.*broken.*translation.backend: transformers"):
        tr.check_available()


def test_unknown_backend_names_the_choices():
    from polyglot_news.config import ConfigError, load_config

    with pytest.raises(ConfigError, match="translation.backend"):
        load_config({"translation": {"backend": "onnx"}})


@pytest.fixture(scope="module")
def nllb(tiny_nllb):
    return tiny_nllb


def _multilingual(model, backend, compute_type="float32"):
    return Translator.from_config({"translation": {
        "family": "multilingual", "model": str(model), "backend": backend, "compute_type": compute_type,
        "cache": {"enabled": False}, "generation": {"num_beams": 1, "max_new_tokens": 20}}})


def test_nllb_through_ctranslate2_equals_transformers(nllb, dev_pairs):
    az = _sentences(dev_pairs, 20)
    ru = [p.tgt for p in dev_pairs if p.tgt_lang == "ru"][:20]
    for texts, lang in ((az, "az"), (ru, "ru")):
        reference = _multilingual(nllb, "transformers").translate(texts, lang)
        converted = _multilingual(nllb, "ctranslate2").translate(texts, lang)
        assert converted == reference and any(reference)
    tr = _multilingual(nllb, "ctranslate2", "int8")
    assert tr.routes["az"].tgt_code == "eng_Latn" and tr.model_for("az").compute_type == "int8"
    assert all(tr.translate(az, "az"))  # the target prefix is the language token


@pytest.mark.parametrize("rows,most,threads", [(160, 48, 2), (160, 8, 2), (161, 48, 2), (30, 48, 2), (5, 48, 4),
                                               (1, 48, 2), (100, 32, 3), (7, 1, 2)])
def test_side_by_side_pieces_cover_every_row_once_and_keep_the_cores_busy(rows, most, threads):
    from polyglot_news.translation.backends.ctranslate2 import pieces

    bounds = pieces(rows, most, threads)
    assert [k for a, b in bounds for k in range(a, b)] == list(range(rows))  # all rows, in order, once
    sizes = [b - a for a, b in bounds]
    assert max(sizes) <= most and max(sizes) - min(sizes) <= 1
    # as few pieces as the size allows, in whole rounds of one a core (or one a row)
    assert len(bounds) == min(rows, threads * -(-rows // (most * threads)))
    assert pieces(0, most, threads) == []


def test_a_piece_holds_more_rows_greedy_than_with_beams():
    from polyglot_news.translation.backends.ctranslate2 import HYPOTHESES_PER_BATCH, ROWS_PER_BATCH, piece_rows

    assert piece_rows(0) == piece_rows(1) == ROWS_PER_BATCH
    assert piece_rows(4) == HYPOTHESES_PER_BATCH // 4 and piece_rows(4 * HYPOTHESES_PER_BATCH) == 1


@pytest.fixture
def two_torch_threads():
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(2)
    yield
    torch.set_num_threads(before)


def test_loading_a_backend_leaves_torch_threads_so_the_next_one_runs_side_by_side_too(marian, tmp_path):
    """CTranslate2 sets the loading thread's OpenMP threads (torch's too) to its intra_threads:
    the second backend of a process (the ru route after the az one, a second pipeline) read one
    core from torch and ran its batches one at a time, four times slower. In a fresh process
    that imports torch first, as the CLI and the pipeline do (this test module has imported
    ctranslate2 first, and then the two do not share their thread settings)."""
    script = textwrap.dedent(f"""
        import torch
        torch.set_num_threads(2)
        from polyglot_news.translation import Translator

        def backend():
            return Translator.from_config({{"translation": {{
                "models": {{"az": {str(marian)!r}, "ru": {str(marian)!r}}}, "backend": "ctranslate2",
                "compute_type": "int8", "cache": {{"enabled": False}}}}}}).model_for("az")

        first = backend()
        after = torch.get_num_threads()
        second = backend()
        print(after, first.inter_threads, second.inter_threads)
    """)
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["2", "2", "2"]


def test_threads_follow_the_process_cores(two_torch_threads):
    import torch

    from polyglot_news.config import TranslationConfig
    from polyglot_news.translation.backends.ctranslate2 import _threads

    assert _threads(TranslationConfig(), "cpu") == (2, 1)  # a batch per core, side by side
    assert _threads(TranslationConfig(inter_threads=1), "cpu") == (1, 2)  # one batch on every core
    assert _threads(TranslationConfig(threads=2), "cpu") == (1, 2)
    torch.set_num_threads(1)  # a --workers process: one core, not OpenMP's default of every core
    assert _threads(TranslationConfig(), "cpu") == (1, 1)
    assert _threads(TranslationConfig(), "cuda") == (1, 0)
