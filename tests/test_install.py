"""The package installs into a user's environment beside their own torch and transformers:
ranges in pyproject.toml, not pins (the pins of our own runs are in constraints.txt).

A fresh virtual environment gets torch (the CPU build on this disk) and transformers 5.0.0,
which differs from our constraints' pin but is inside our range. Installing polyglot-news
there must leave both untouched and ``pip check`` clean. Needs the package index (CI has it).
"""

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow


def test_dependencies_are_ranges_and_constraints_pin_them():
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]
    assert deps and not any("==" in d for d in deps)
    pins = {line.split("==")[0].lower() for line in (ROOT / "constraints.txt").read_text().splitlines()
            if "==" in line}
    names = {d.split(">")[0].split("<")[0].split("=")[0].split("[")[0].strip().lower() for d in deps}
    assert {n.replace("_", "-") for n in names} <= {p.replace("_", "-") for p in pins}


def _run(*args, **kwargs):
    return subprocess.run(args, check=True, capture_output=True, text=True, timeout=1200, **kwargs)


def test_installs_beside_a_users_torch_and_transformers(tmp_path):
    venv = tmp_path / "venv"
    _run(sys.executable, "-m", "venv", str(venv))
    pip = [str(venv / "bin" / "python"), "-m", "pip", "-q", "--disable-pip-version-check"]
    _run(*pip, "install", "torch==2.13.0", "transformers==5.0.0")

    def versions():
        out = _run(str(venv / "bin" / "python"), "-c",
                   "import importlib.metadata as m; print(m.version('torch'), m.version('transformers'))").stdout
        return out.split()

    before = versions()
    assert before[1] == "5.0.0"
    _run(*pip, "install", str(ROOT))
    assert versions() == before  # torch and transformers untouched
    check = subprocess.run([*pip, "check"], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    _run(str(venv / "bin" / "polyglot-news"), "--version")
