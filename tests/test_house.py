"""The house (issue: one path to disk, and a house that shows it): imports read from the code
itself. No import circles; no import from a lower floor to a higher one; ``io/`` reads and
writes and imports no stage; the command line names no translation backend; no ``getattr``
in the runners to find what a processor can do; no branching on the model family outside
``translation/``; tiny test models built once per session."""

import ast
from pathlib import Path

from tests.conftest import ROOT

PACKAGE = ROOT / "polyglot_news"

#: each module's floor: a module may import from its own floor and the floors below it
FLOORS = {
    1: ("types", "config", "logs", "budget", "scripts", "numbers"),
    2: ("sentences", "sqlite", "io"),
    3: ("langid", "translation"),
    4: ("alignment", "testing"),
    5: ("quality",),
    6: ("runners", "report", "evaluation"),
    7: ("pipeline", "commands"),
    8: ("cli",),
}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports() -> dict[str, set[str]]:
    """module → the package's modules it imports (anywhere in it, functions included)."""
    modules = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
        found = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join(parts + ([base] if base else []))
                targets = [base] + [f"{base}.{alias.name}" for alias in node.names]
            elif isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            else:
                continue
            found.update(t for t in targets if t in modules and t != name)
        graph[name] = found
    return graph


def _floor(module: str) -> int:
    parts = module.split(".")
    if len(parts) == 1:
        return 0  # the package's face
    return next(f for f, names in FLOORS.items() if parts[1] in names)


def test_every_module_has_a_floor():
    for module in _imports():
        _floor(module)


def test_no_import_circles():
    graph = _imports()
    # a package's __init__ re-exports its modules; only imports between modules make a circle
    edges = {m: {t for t in ts if not _is_package(t, m)} for m, ts in graph.items()}
    seen, stack, circles = set(), [], []

    def visit(node):
        if node in stack:
            circles.append(stack[stack.index(node):] + [node])
            return
        if node in seen:
            return
        seen.add(node)
        stack.append(node)
        for nxt in sorted(edges.get(node, ())):
            visit(nxt)
        stack.pop()

    for module in sorted(edges):
        visit(module)
    assert not circles


def _is_package(target: str, importer: str) -> bool:
    return (PACKAGE.parent / target.replace(".", "/") / "__init__.py").exists() and importer.startswith(target)


def test_no_import_runs_back_up_the_floors():
    upward = [(m, t) for m, ts in _imports().items() if _floor(m) for t in ts if _floor(t) > _floor(m)]
    assert not upward


def test_io_reads_and_writes_and_imports_no_stage():
    stages = ("polyglot_news.alignment", "polyglot_news.langid", "polyglot_news.translation", "polyglot_news.quality")
    bad = [(m, t) for m, ts in _imports().items() if m.startswith("polyglot_news.io")
           for t in ts if t.startswith(stages)]
    assert not bad


def test_the_command_line_names_no_backend():
    cli = _imports()["polyglot_news.cli"]
    assert not [t for t in cli if t.startswith("polyglot_news.translation.backends")]
    assert "polyglot_news.translation" in cli  # the model store's backend-neutral API


def test_runners_call_the_processor_protocol_not_getattr():
    for name in ("base.py", "local.py", "ray.py"):
        tree = ast.parse((PACKAGE / "runners" / name).read_text(encoding="utf-8"))
        probes = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and getattr(n.func, "id", None) == "getattr"
                  and len(n.args) >= 2 and isinstance(n.args[1], ast.Constant)
                  and n.args[1].value in ("many", "split", "setup")]
        assert not probes, name


def test_tiny_models_are_built_once_per_session_in_conftest():
    """Tests take the session fixtures (``tiny_marian``, ``tiny_m2m``, ``tiny_nllb``); building a
    model inside a test module costs seconds each time and is what this guards against."""
    builders = []
    for path in sorted((ROOT / "tests").glob("test_*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", "")).startswith(
                    "build_tiny_"):
                builders.append(f"{path.name}:{node.lineno}")
    assert builders == []


def test_only_the_translation_package_branches_on_the_model_family():
    """``translation.family`` (marian or multilingual) is read in ``translation/`` alone: a new
    family touches no command, config model or runner."""
    readers = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if "translation" in path.relative_to(PACKAGE).parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr == "family":
                readers.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert readers == []
