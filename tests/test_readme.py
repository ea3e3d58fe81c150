"""The README is a newcomer's page: at most 300 lines, and every Python snippet in it runs as
written (each block as a script of its own, from the repository's root, as a reader would);
docs/cli.md and docs/config.md are what the code says now."""

import re
import subprocess
import sys

import pytest

from tests.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
BLOCKS = re.findall(r"```python\n(.*?)```", README, flags=re.S)


def test_the_readme_is_a_page_a_newcomer_finishes():
    assert len(README.splitlines()) <= 300
    assert len(BLOCKS) >= 4


@pytest.mark.slow
@pytest.mark.parametrize("number", range(len(BLOCKS)))
def test_every_readme_snippet_runs_as_written(number, tmp_path):
    (ROOT / "out").mkdir(exist_ok=True)
    if "out/demo.jsonl" in BLOCKS[number] and not (ROOT / "out" / "demo.jsonl").exists():
        subprocess.run([sys.executable, "-m", "polyglot_news.cli", "run", "examples/baku_news_2021-11-29.txt",
                        "-o", "out/demo.jsonl", "-c", "configs/offline.yaml", "--overwrite", "-q"], cwd=ROOT,
                       check=True, timeout=300)
    script = tmp_path / f"snippet{number}.py"  # a plain script, as a reader would save it
    script.write_text(BLOCKS[number], encoding="utf-8")
    proc = subprocess.run([sys.executable, str(script)], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr and proc.stdout.strip()


def test_generated_docs_are_fresh():
    proc = subprocess.run([sys.executable, str(ROOT / "tools" / "make_docs.py"), "--check"], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
