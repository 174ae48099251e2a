"""The package's layers point down: no import cycle, and the light layers stay light."""

import ast
import subprocess
import sys

from tests.conftest import ROOT

SRC = ROOT / "src"


def _module(path):
    parts = path.relative_to(SRC).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module(p): p for p in (SRC / "datacheck").rglob("*.py")}


def _imports(name):
    """The datacheck modules `name` imports, anywhere in it but under `if TYPE_CHECKING`."""
    path = MODULES[name]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    typing_only = {
        id(inner)
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
        for statement in node.body
        for inner in ast.walk(statement)
    }
    found = set()
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for alias in node.names:
                submodule = f"{node.module}.{alias.name}"
                found.add(submodule if submodule in MODULES else node.module)
    return {m for m in found if m in MODULES and m != name}


GRAPH = {name: _imports(name) for name in MODULES}


def _reachable(start):
    seen, todo = set(), [start]
    while todo:
        for nxt in GRAPH[todo.pop()]:
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def test_no_module_imports_itself_through_others():
    cycles = sorted(name for name in MODULES if name in _reachable(name))
    assert cycles == []


def test_the_graph_sees_imports_at_every_depth():
    # a lazy import inside a function counts; one for type checking only does not
    assert "datacheck.report" in GRAPH["datacheck.result"]
    assert "datacheck.result" not in GRAPH["datacheck.report.html"]
    assert "datacheck.checks._gx" in GRAPH["datacheck.checks._base"]


def test_config_and_load_never_import_checks_plan_or_report():
    for name in MODULES:
        if name == "datacheck.config" or name.startswith("datacheck.load"):
            below = _reachable(name)
            upward = {m for m in below if m.startswith(("datacheck.checks", "datacheck.report"))}
            assert upward == set(), name


def test_merging_settings_imports_no_data_library():
    code = (
        "import sys\n"
        "from datacheck.config import Settings\n"
        "Settings().merged(fail_on='warning', task='classification', tokenizers='cl100k_base',"
        " checks={'volume.total': 'warning'})\n"
        "heavy = ('polars', 'numpy', 'pandas', 'great_expectations', 'tiktoken', 'jinja2')\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in heavy))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
