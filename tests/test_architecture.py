"""The package's layer rules, checked on the source: a module imports only from its own layer or below."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "tocsin"

# Top-level subpackage/module -> layer. Within a layer, sources < warehouse (the warehouse loads sources)
# and features < geo (geography may use the panel's registry); other same-layer imports are not allowed.
LAYERS: dict[str, float] = {
    "core": 1,
    "sources": 2.0, "warehouse": 2.1,
    "features": 3.0, "geo": 3.1,
    "models": 4,
    "evaluate": 5.0, "monitor": 5.0, "prevention": 5.1,
    "reports": 6,
    "web": 7.0, "cli": 7.1,
}


def _modules() -> list[Path]:
    return sorted(p for p in SRC.rglob("*.py") if "migrations" not in p.parts or p.name == "env.py")


def _layer_of(path: Path) -> tuple[str, float]:
    rel = path.relative_to(SRC)
    top = rel.parts[0].removesuffix(".py")
    return top, LAYERS.get(top, 0)


def _imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.append(node.module)
    return [m for m in out if m == "tocsin" or m.startswith("tocsin.")]


def test_every_package_has_a_layer() -> None:
    tops = {p.relative_to(SRC).parts[0].removesuffix(".py") for p in SRC.iterdir()
            if (p.is_dir() and (p / "__init__.py").exists()) or (p.suffix == ".py" and p.name != "__init__.py")}
    assert tops - {"__main__"} <= set(LAYERS), f"packages without a layer: {tops - set(LAYERS)}"


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(SRC)))
def test_module_imports_only_lower_layers(path: Path) -> None:
    top, layer = _layer_of(path)
    for mod in _imports(path):
        parts = mod.split(".")
        if len(parts) == 1:
            continue  # `import tocsin` (version only)
        target = parts[1]
        if target == top:
            continue
        assert target in LAYERS, f"{path.name} imports unknown package {mod}"
        assert LAYERS[target] < layer, f"{top} (layer {layer}) must not import {mod} (layer {LAYERS[target]})"


@pytest.mark.parametrize("path", sorted(SRC.rglob("__init__.py")), ids=lambda p: str(p.relative_to(SRC)))
def test_init_files_hold_no_logic(path: Path) -> None:
    tree = ast.parse(path.read_text())
    allowed = (ast.Expr, ast.Assign, ast.ImportFrom, ast.Import)
    for node in tree.body:
        assert isinstance(node, allowed), f"{path}: __init__ holds logic ({type(node).__name__})"
        if isinstance(node, ast.Assign):
            assert all(isinstance(t, ast.Name) and t.id.startswith("__") for t in node.targets)


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(SRC)))
def test_no_module_is_huge(path: Path) -> None:
    assert len(path.read_text().splitlines()) <= 850, f"{path} is over ~800 lines: split it"
