"""The "Thuyết minh" sheet: every unit's narrative texts, section by section, with the groups each text is in."""
from __future__ import annotations

from xlsxwriter.worksheet import Worksheet

from pipeline.narratives.themes import groups_of_units, joined_labels
from pipeline.outputs.workbook.common import Book, cut, fit_height, piece, pieces, set_widths

WIDTHS = (11, 26, 80, 40)


def write(book: Book, sheet: Worksheet) -> None:
    row = book.title(sheet, "TỔNG HỢP PHẦN THUYẾT MINH CỦA CÁC ĐƠN VỊ", landscape=False)
    set_widths(sheet, WIDTHS)
    book.header(sheet, row, ["Mã CĐCS", "Đơn vị", "Nội dung", "Nhóm ý kiến (xem trang Nhóm ý kiến)"])
    fields = [f for f in book.spec.narrative_fields if f.code != book.spec.roles.recommendations]
    entries = {f.code: book.data.narratives.get(f.code, []) for f in fields}
    count = 0
    for field in fields:
        count += 1 + (sum(pieces(len(text)) for _, _, text in entries[field.code]) or 1)
        book.truncated += [code for code, _, text in entries[field.code] if pieces(len(text)) > 1]

    def make():
        section = book.xf["section"]
        for field in fields:
            heading = book.spec.section_by_code[field.section].heading
            yield None, [(0, heading, section), (1, None, section), (2, None, section), (3, None, section)]
            if not entries[field.code]:
                yield None, [(2, "(Chưa có đơn vị nào viết mục này)", book.xf["note"])]
            yield from _text_rows(book, entries[field.code], groups_of_units(book.data.themes.get(field.code, [])))
    book.bulk(sheet, row + 1, count, 3, make)


def _text_rows(book: Book, entries: list, shared: dict):
    """Each unit's text of one field, and the groups it shares with other units beside its last row."""
    top = book.xf["text_top"]
    for code, name, text in entries:
        # Texts over a cell's 32,767 characters go on to further rows, marked, never silently cut.
        count = pieces(len(text))
        for index in range(count):
            lead = (code, name) if index == 0 else (f"{code} (tiếp)", f"{name} (tiếp)")
            cells = [(0, cut(lead[0]), top), (1, cut(lead[1]), top), (2, piece(text, index), top)]
            if index == count - 1:
                cells.append((3, cut(joined_labels(shared.get(code, []))), top))
            # neither Excel nor LibreOffice grows a row to its wrapped text: without a height the
            # texts were drawn over the rows below
            yield fit_height([value for _, value, _ in cells], WIDTHS), cells
