"""Every notebook executes top to bottom on CPU, offline."""

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = sorted((Path(__file__).resolve().parent.parent / "notebooks").glob("*.ipynb"))


def _outputs(nb):
    return [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_is_committed_executed(path):
    """Notebooks are read as much as run: every code cell ran, in order, and left output, and
    none of it is an error."""
    nb = nbformat.read(path, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code, f"{path.name} has no code"
    counts = [c.execution_count for c in code]
    assert None not in counts and counts == sorted(counts), f"{path.name}: cells not run in order: {counts}"
    assert all(c.get("outputs") for c in code), f"{path.name}: a code cell without output"
    assert not [o for o in _outputs(nb) if o.output_type == "error"]


def test_the_notebooks_show_tables_and_plots():
    assert len(NOTEBOOKS) >= 4
    kinds = {(path.stem, key) for path in NOTEBOOKS for o in _outputs(nbformat.read(path, as_version=4))
             for key in o.get("data", {})}
    assert {stem for stem, key in kinds if key == "image/png"} >= {"01_quickstart", "03_evaluation", "04_corpus"}
    assert {stem for stem, key in kinds if key == "text/html"} >= {"01_quickstart", "02_translation"}


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_executes(path, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("MPLBACKEND", "Agg")
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    client.execute()
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []) if o.output_type == "error"]
    assert not errors
