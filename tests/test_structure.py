"""The house rules a newcomer can carry on with (issue 23): no module of pipeline/ over 450 lines, no function
over 80; a bigger one is split where its jobs part."""
from __future__ import annotations

import ast
from pathlib import Path

PIPELINE = Path(__file__).resolve().parents[1] / "pipeline"


def test_no_module_over_450_lines_and_no_function_over_80():
    too_long = []
    for path in sorted(PIPELINE.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        if len(text.splitlines()) > 450:
            too_long.append(f"{path.relative_to(PIPELINE)}: {len(text.splitlines())} lines")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.end_lineno - node.lineno >= 80:
                too_long.append(f"{path.relative_to(PIPELINE)}:{node.lineno} {node.name}: "
                                f"{node.end_lineno - node.lineno + 1} lines")
    assert too_long == []
