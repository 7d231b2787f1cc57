"""Fill a template through its defined names, as a unit does by hand: for the demo, tests and benchmarks."""
from __future__ import annotations

import io
from pathlib import Path

import openpyxl


def fill_template(template: bytes, values: dict, path: Path) -> Path:
    """Write `values` (field code -> value) into the cells the template names after each code; save to `path`."""
    workbook = openpyxl.load_workbook(io.BytesIO(template))
    for code, value in values.items():
        sheet_name, ref = named_cell(workbook, code)
        workbook[sheet_name][ref].value = value
    workbook.save(path)
    return path


def named_cell(workbook, name: str) -> tuple[str, str]:
    """The (sheet, "D20") a workbook-level defined name points at."""
    destination = next(iter(workbook.defined_names[name].destinations))
    return destination[0], destination[1].replace("$", "")
