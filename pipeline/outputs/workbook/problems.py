"""The "Lỗi, cảnh báo" sheet: every error and warning found in the files, one per row."""
from __future__ import annotations

from xlsxwriter.worksheet import Worksheet

from pipeline.outputs.workbook.common import Book, set_widths
from pipeline.vietnamese import upper_first


def write(book: Book, sheet: Worksheet) -> None:
    row = book.title(sheet, "LỖI VÀ CẢNH BÁO TRONG CÁC TỆP", landscape=True)
    widths = (30, 11, 10, 22, 16, 12, 9, 20, 80)
    set_widths(sheet, widths)
    book.header(sheet, row, ["Tệp", "Đơn vị", "Mức độ", "Loại", "Mã lỗi", "Trang", "Ô", "Trường", "Nội dung"])
    first = row
    for record in book.ledger.records:
        for problem in record.problems:
            row += 1
            severity = "Lỗi" if problem.is_error else "Cảnh báo"
            values = [record.relative, record.unit or "", severity, upper_first(problem.label), problem.code,
                      problem.sheet or "",
                      ", ".join(filter(None, (problem.cell, *problem.related))), problem.field or "", problem.message]
            book.fit_row(sheet, row, values, widths)  # a long message takes two or three lines
            for col, value in enumerate(values):
                book.text(sheet, row, col, value, ("error" if problem.is_error else "warning") if col == 2 else "text")
    sheet.autofilter(first, 0, max(row, first), 8)
