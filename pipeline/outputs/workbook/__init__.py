"""The consolidated workbook (XlsxWriter): one module per sheet, written in the order of `sheet_names`."""
from __future__ import annotations

import io
from pathlib import Path
from typing import TYPE_CHECKING

import xlsxwriter

from pipeline.outputs import Written
from pipeline.outputs.rows import save_with_rows
from pipeline.outputs.workbook import (
    by_unit,
    changes,
    compared,
    groups,
    narratives,
    pointgroups,
    problems,
    recommendations,
    register,
    status,
    totals,
)
from pipeline.outputs.workbook.common import Book
from pipeline.outputs.workbook.sheets import (
    BY_UNIT,
    CHANGES,
    GROUPS,
    NARRATIVES,
    POINT_GROUPS,
    PROBLEMS,
    RECOMMENDATIONS,
    REGISTER,
    STATUS,
    TOTALS,
    compared_name,
    sheet_names,
    write_data_sheet,
)

__all__ = ["compared_name", "sheet_names", "write_workbook"]

CONSTANT_MEMORY_FROM = 2000  # accepted units

if TYPE_CHECKING:
    from pipeline.consolidation import Consolidation


def write_workbook(consolidation: Consolidation, path: Path) -> Written:
    """Write the whole workbook to `path`; nothing a unit typed can become a formula or a link."""
    # Constant-memory mode keeps a large province's workbook in bounded memory; below that size the
    # shared-string table is faster (a quarter less time at 1,000 units) and memory is no concern.
    frame = io.BytesIO()
    workbook = xlsxwriter.Workbook(frame, {
        "constant_memory": consolidation.figures.unit_count > CONSTANT_MEMORY_FROM,
        "strings_to_formulas": False, "strings_to_urls": False,
        "strings_to_numbers": False, "default_date_format": "dd/mm/yyyy"})
    book = Book(workbook, consolidation)
    try:
        _write_sheets(book)
    finally:
        workbook.close()
    save_with_rows(frame.getvalue(), book.rows, path)
    notes = (f"{len(book.truncated)} đoạn văn dài hơn sức chứa một ô (32.767 ký tự) đã được chia thành nhiều dòng "
             "trong trang Thuyết minh.",) if book.truncated else ()
    return Written(path, notes)


def _write_sheets(book: Book) -> None:
    spec = book.spec
    book.workbook.set_properties({"title": f"Tổng hợp {spec.short_title}", "author": spec.issuer,
                                  "company": spec.issuer})
    # A form without narratives or without a recommendations field gets no empty sheet for them.
    sheets = {name: book.workbook.add_worksheet(name) for name in sheet_names(spec, book.previous)
              if not name.startswith("_")}  # the machine-readable sheets are written last (write_data_sheet)
    totals.write(book, sheets[TOTALS])
    by_unit.write(book, sheets[BY_UNIT])
    if compared_name(spec) in sheets:
        compared.write(book, sheets[compared_name(spec)])
    if NARRATIVES in sheets:
        narratives.write(book, sheets[NARRATIVES])
    if GROUPS in sheets:
        groups.write(book, sheets[GROUPS])
    if POINT_GROUPS in sheets:
        pointgroups.write(book, sheets[POINT_GROUPS])
    if RECOMMENDATIONS in sheets:
        recommendations.write(book, sheets[RECOMMENDATIONS])
    status.write(book, sheets[STATUS])
    problems.write(book, sheets[PROBLEMS])
    register.write(book, sheets[REGISTER])
    changes.write(book, sheets[CHANGES])
    write_data_sheet(book)
