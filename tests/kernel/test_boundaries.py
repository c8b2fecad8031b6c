"""The boundaries that import-linter cannot see: hidden imports and scattered error blocks.

`lint-imports` (in .ci/run) holds the dependency rule; an import inside a function hides
an edge from it, so those are counted here, as are the views' own domain-error blocks
(web.service_call is their one home).
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).parents[2]
# The app and worker factories import inside functions by design (import order, Celery).
FACTORIES = {ROOT / "inspections" / "__init__.py", ROOT / "workers" / "app.py"}


def _sources() -> list[Path]:
    return sorted([*(ROOT / "inspections").rglob("*.py"), *(ROOT / "workers").rglob("*.py")])


def _is_project(node: ast.Import | ast.ImportFrom) -> bool:
    if isinstance(node, ast.ImportFrom):
        return node.level > 0 or (node.module or "").split(".")[0] in {"inspections", "workers"}
    return any(alias.name.split(".")[0] in {"inspections", "workers"} for alias in node.names)


def _imports_in_functions() -> list[str]:
    found = []
    for path in _sources():
        if path in FACTORIES:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for function in ast.walk(tree):
            if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for node in ast.walk(function):
                if isinstance(node, ast.Import | ast.ImportFrom) and _is_project(node):
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno} in {function.name}")
    return sorted(set(found))


def test_at_most_three_project_imports_hide_inside_functions():
    hidden = _imports_in_functions()
    assert len(hidden) <= 3, hidden


def test_domain_errors_become_messages_in_a_handful_of_places():
    places = []
    for path in _sources():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ExceptHandler) and "DomainError" in ast.unparse(node.type or ast.Pass()):
                places.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert len(places) <= 5, places
