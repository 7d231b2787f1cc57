"""The "So với năm trước" sheet: each unit's key figures of last period and of this one, side by side."""
from __future__ import annotations

from xlsxwriter.worksheet import Worksheet

from pipeline.form import FieldSpec
from pipeline.intake.rollup import on_roster
from pipeline.outputs.workbook.common import Book
from pipeline.previous.compare import change, new_unit_words


def write(book: Book, sheet: Worksheet) -> None:
    """Per unit, last period's and this period's key figures side by side; units new or gone are named."""
    previous, spec, ledger = book.previous, book.spec, book.ledger
    fields = _key_fields(spec)
    row = book.title(sheet, f"SO SÁNH VỚI {previous.phrase.upper()} THEO TỪNG ĐƠN VỊ", landscape=True, fit=False)
    sheet.repeat_columns(0, 2)
    sheet.set_column(0, 0, 11)
    sheet.set_column(1, 1, 46)
    sheet.set_column(2, 2, 20)
    sheet.set_column(3, 2 + 3 * len(fields), 13)
    titles = ["Mã CĐCS", "Tên CĐCS", "Ghi chú"]
    for field in fields:
        titles += [f"{field.label}: {previous.phrase}", f"{field.label}: kỳ này", "Tăng/giảm (%)"]
    book.wrapped_header(sheet, row, titles, 66, frozen_columns=2)
    header_row = row
    names = book.unit_names()
    current = {str(r[spec.roles.unit_code]): r for r in book.data.units.to_dict("records")}
    new_note = new_unit_words(previous)
    for code in sorted(set(current) | set(previous.units)):
        row += 1
        now, then = current.get(code), previous.units.get(code)
        name = (now or {}).get(spec.roles.unit_name) or names.get(code, "")
        note = (new_note if then is None else "" if now is not None
                else "không còn trong danh sách đơn vị" if ledger.roster_given and not on_roster(code, names)
                else "chưa có báo cáo kỳ này")
        book.text(sheet, row, 0, code)
        book.text(sheet, row, 1, name)
        book.text(sheet, row, 2, note)
        for index, field in enumerate(fields):
            col = 3 + 3 * index
            before = then.get(field.code) if then else None
            after = now.get(field.code) if now else None
            after = None if after is None or after != after else after
            book.value(sheet, row, col, field, before)
            book.value(sheet, row, col + 1, field, after)
            book.share(sheet, row, col + 2, change(before, after).percent)
    sheet.autofilter(header_row, 0, max(row, header_row), 2 + 3 * len(fields))


def _key_fields(spec) -> list[FieldSpec]:
    """The figures a comparison shows: the size, what the charts plot and what the report's sentences name."""
    codes = [spec.roles.size] if spec.roles.size else []
    codes += [code for chart in spec.charts for code in chart.fields]
    codes += [code for sentence in spec.sentences for _, expression, _ in sentence.parts if expression
              for code in expression.fields]
    numeric = {f.code for f in spec.numeric_fields}
    chosen = [code for code in dict.fromkeys(codes) if code in numeric] or [f.code for f in spec.numeric_fields]
    return [spec.by_code[code] for code in chosen[:8]]
