"""The package grows with the book: a chapter uses only mlp_core names introduced in it or before it.

Each chapter notebook records the names it introduces in its metadata,
``{"mlp_core": {"introduces": ["Dense", "data.load_fashion_mnist", ...]}}``, written relative to
``mlp_core`` the way the code spells them (``mc.Dense`` -> "Dense"; ``from mlp_core.data import
load_fashion_mnist`` -> "data.load_fashion_mnist"). This test reads every code cell, finds every
mlp_core name it uses, and checks the record.
"""
import ast
import importlib
import importlib.util
import json
from pathlib import Path

import pytest

BOOK = Path(__file__).resolve().parent.parent / "book"
CHAPTERS = sorted(p for p in BOOK.glob("[0-9][0-9]_*.ipynb"))


def load(path):
    return json.loads(path.read_text(encoding="utf-8"))


def code_of(notebook):
    """The notebook's code as one parsable module: IPython magics and shell lines are blanked."""
    lines = []
    for cell in notebook["cells"]:
        if cell["cell_type"] != "code":
            continue
        for line in "".join(cell["source"]).splitlines():
            stripped = line.lstrip()
            indent = line[: len(line) - len(stripped)]
            lines.append(indent + "pass" if stripped.startswith(("%", "!")) else line)
        lines.append("")
    return "\n".join(lines)


def is_submodule(path):
    try:
        return bool(path) and importlib.util.find_spec(f"mlp_core.{path}") is not None
    except ModuleNotFoundError:  # a name inside a module, e.g. "data.load_fashion_mnist"
        return False


def used_names(source):
    """Names of mlp_core used in source, relative to mlp_core: {"Dense", "data.load_fashion_mnist", ...}."""
    tree = ast.parse(source)
    modules = {}  # local name -> module path inside mlp_core ("" for the package itself)
    used = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "mlp_core":
                    modules[alias.asname or "mlp_core"] = alias.name[len("mlp_core."):] if alias.asname else ""
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "mlp_core":
            prefix = node.module[len("mlp_core."):] if "." in node.module else ""
            for alias in node.names:
                full = f"{prefix}.{alias.name}" if prefix else alias.name
                if is_submodule(full):
                    modules[alias.asname or alias.name] = full  # only its attributes count as names
                else:
                    used.add(full)
    inner_parts = {id(node.value) for node in ast.walk(tree) if isinstance(node, ast.Attribute)}
    for node in ast.walk(tree):
        if not isinstance(node, ast.Attribute) or id(node) in inner_parts:  # only whole chains a.b.c
            continue
        chain, inner = [], node
        while isinstance(inner, ast.Attribute):
            chain.append(inner.attr)
            inner = inner.value
        if not (isinstance(inner, ast.Name) and inner.id in modules):
            continue
        chain.reverse()
        path = modules[inner.id]
        # Walk down submodules: mc.data.load_fashion_mnist -> "data.load_fashion_mnist"; mc.Dense.backward -> "Dense"
        while chain and is_submodule(f"{path}.{chain[0]}".lstrip(".")) and len(chain) > 1:
            path = f"{path}.{chain.pop(0)}".lstrip(".")
        used.add(f"{path}.{chain[0]}".lstrip("."))
    return used


def resolves(name):
    module, _, attr = name.rpartition(".")
    try:
        target = importlib.import_module(f"mlp_core.{module}" if module else "mlp_core")
    except ImportError:
        return False
    return hasattr(target, attr)


def test_there_are_chapters():
    assert len(CHAPTERS) >= 5, CHAPTERS


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_every_introduced_name_exists(path):
    introduced = load(path)["metadata"].get("mlp_core", {}).get("introduces")
    assert introduced is not None, f"{path.name}: metadata has no mlp_core.introduces record"
    missing = [name for name in introduced if not resolves(name)]
    assert not missing, f"{path.name} introduces names that mlp_core does not have: {missing}"


def test_chapters_use_only_names_introduced_so_far():
    known, problems = set(), []
    for path in CHAPTERS:
        notebook = load(path)
        known |= set(notebook["metadata"].get("mlp_core", {}).get("introduces", []))
        early = sorted(used_names(code_of(notebook)) - known)
        if early:
            problems.append(f"{path.name} uses {early} before any chapter introduces them")
    assert not problems, "\n".join(problems)


def test_the_name_finder_sees_every_import_style():
    source = "\n".join([
        "import mlp_core as mc",
        "from mlp_core.data import load_fashion_mnist as lf",
        "from mlp_core import checks",
        "model = mc.mlp([2, 2])",
        "mc.plotting.plot_history(h)",
        "mc.Dense.backward",
        "checks.check_accuracy(f)",
    ])
    assert used_names(source) == {"mlp", "plotting.plot_history", "Dense", "data.load_fashion_mnist",
                                  "checks.check_accuracy"}
