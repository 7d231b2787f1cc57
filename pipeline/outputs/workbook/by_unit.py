"""The "Theo đơn vị" sheet: every accepted unit's figures on one row, the province's total under them."""
from __future__ import annotations

from xlsxwriter.worksheet import Worksheet

from pipeline.form import FieldSpec
from pipeline.outputs.workbook.common import Book, cut
from pipeline.outputs.workbook.sheets import write_field_codes


def write(book: Book, sheet: Worksheet) -> None:
    spec = book.spec
    fields = [f for f in spec.figure_fields if f.section != spec.unit_section or f.code == spec.roles.report_date]
    # Too wide for one page: printed across pages at a readable scale, the unit columns repeated.
    row = book.title(sheet, "SỐ LIỆU THEO TỪNG ĐƠN VỊ", landscape=True, fit=False)
    sheet.repeat_columns(0, 2)
    sheet.set_column(0, 0, 6)
    sheet.set_column(1, 1, 12)
    sheet.set_column(2, 2, 52)  # long unit names stay on one line: rows are not auto-sized
    sheet.set_column(3, 3, 16)
    sheet.set_column(4, 3 + len(fields), 15)
    titles = ["STT", "Mã CĐCS", "Tên CĐCS", "Khối"] + [f.label + (f" ({f.unit})" if f.unit else "") for f in fields]
    # A hidden row of field codes above the header: how a later run reads these figures back (--previous).
    codes = [spec.roles.unit_code, spec.roles.unit_name, "khoi"] + [f.code for f in fields]
    write_field_codes(sheet, row - 1, codes)
    book.wrapped_header(sheet, row, titles, 78, frozen_columns=3)
    units = book.data.units
    count = len(units)
    sheet.autofilter(row, 0, row + count, 3 + len(fields))
    columns = [units[code].tolist() for code in codes[:3]] + [units[f.code].tolist() for f in fields]

    def make():
        yield from _unit_rows(book, columns, [f.is_numeric for f in fields])
        yield None, _total_row(book, fields)
    book.bulk(sheet, row + 1, count + 1, 3 + len(fields), make)


def _unit_rows(book: Book, columns: list[list], numeric: list[bool]):
    """A numbered row for each unit: code, name, Khối, then its figures."""
    center, text = book.xf["center"], book.xf["text"]
    for index, record in enumerate(zip(*columns, strict=False), start=1):
        cells = [(0, index, center), (1, cut(record[0]), text), (2, cut(record[1]), text), (3, cut(record[2]), text)]
        for col, (value, is_numeric) in enumerate(zip(record[3:], numeric, strict=False), start=4):
            cells.append((col, *book.cell(value, is_numeric)))
        yield None, cells


def _total_row(book: Book, fields: list[FieldSpec]) -> list:
    """The province's total of every figure, and how many units gave each answer of a question."""
    label = book.xf["total_label"]
    total = [(0, None, label), (1, None, label), (2, "TỔNG CỘNG TOÀN TỈNH", label), (3, None, label)]
    for col, field in enumerate(fields, start=4):
        if field.is_numeric:
            # Computed here, not a formula: a program that does not recalculate would show 0.
            total.append((col, *book.cell(book.data.totals[field.code], True, bold=True)))
        elif field.options:
            counts = book.data.answers[field.code]
            total.append((col, "; ".join(f"{o}: {n}" for o, n in counts.items()), book.xf["total_text"]))
        else:
            total.append((col, None, book.xf["total_label"]))
    return total
