"""The "Kiến nghị" sheet: one row per recommendation sentence, with who it is for and its group."""
from __future__ import annotations

from xlsxwriter.worksheet import Worksheet

from pipeline.outputs.workbook.common import Book, cut, fit_height, set_widths


def write(book: Book, sheet: Worksheet) -> None:
    """One row per recommendation sentence, with who it is for and its group, so staff can filter."""
    from pipeline.narratives.addressee import LABELS, addressee
    from pipeline.narratives.themes import thesaurus_for

    spec, data = book.spec, book.data
    office = thesaurus_for(spec).office  # a request to the office itself is listed as such ("Kiến nghị gửi văn phòng")
    row = book.title(sheet, "KIẾN NGHỊ, ĐỀ XUẤT CỦA CÁC ĐƠN VỊ", landscape=True)
    widths = (5, 11, 26, 12, 20, 26, 70)
    set_widths(sheet, widths)
    book.header(sheet, row, ["STT", "Mã CĐCS", "Đơn vị", "Khối", "Nơi nhận", "Nhóm", "Kiến nghị, đề xuất"])
    khoi = dict(zip(data.units[spec.roles.unit_code].astype(str), data.units["khoi"], strict=False))
    sentences = [(code, name, text, group) for group in data.themes.get(spec.roles.recommendations, [])
                 for code, name, text in group.sentences]
    sentences.sort(key=lambda item: item[0])
    sheet.autofilter(row, 0, row + len(sentences), 6)
    top = book.xf["text_top"]

    def make():
        for number, (code, name, text, group) in enumerate(sentences, start=1):
            default = group.theme.addressee if group.theme else None
            values = [str(number), code, name, khoi.get(code, ""), LABELS[addressee(text, default, office)],
                      group.label if len(group.units) > 1 else "(riêng đơn vị)", text]
            yield fit_height(values, widths), [(col, cut(value), top) for col, value in enumerate(values)]
    book.bulk(sheet, row + 1, len(sentences), 6, make)
