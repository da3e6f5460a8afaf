"""The composition root wires inward layers only: no import arrow runs from bootstrap.py up into entrypoints/."""

import ast
from pathlib import Path

import ordergate.bootstrap


def test_bootstrap_when_parsed_then_imports_nothing_from_entrypoints() -> None:
    tree = ast.parse(Path(ordergate.bootstrap.__file__).read_text())
    imported = [n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
    imported += [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
    assert [m for m in imported if m.startswith("ordergate.entrypoints")] == []
