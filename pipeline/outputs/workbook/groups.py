"""The "Nhóm ý kiến" sheet: the groups of like sentences that several units wrote, largest first in each part."""
from __future__ import annotations

from xlsxwriter.worksheet import Worksheet

from pipeline.outputs.workbook.common import Book, cut, fit_height, set_widths
from pipeline.vietnamese import vn_number


def write(book: Book, sheet: Worksheet) -> None:
    """Every group of sentences, largest first in each part: what many units say, to read before drafting."""
    spec, data = book.spec, book.data
    row = book.title(sheet, "NHÓM Ý KIẾN TRONG THUYẾT MINH CỦA CÁC ĐƠN VỊ", landscape=True)
    widths = (22, 34, 9, 40, 80)
    set_widths(sheet, widths)
    book.header(sheet, row, ["Mục", "Nhóm", "Số đơn vị", "Đơn vị", "Câu tiêu biểu"])
    codes = data.units[spec.roles.unit_code].astype(str)
    names = dict(zip(codes, data.units[spec.roles.unit_name].astype(str), strict=False))
    # One unit's own point is read in "Thuyết minh", not a group to weigh.
    # Numbered in each part as "Phân nhóm câu" numbers them (every group, largest first): the number the office
    # types there to move a point into a group is the one shown here.
    shown = [(field, number, group) for field in spec.narrative_fields
             for number, group in enumerate(data.themes.get(field.code, []), start=1) if len(group.units) >= 2]
    alone = sum(len(groups) for groups in data.themes.values()) - len(shown)
    sheet.autofilter(row, 0, row + len(shown), 4)
    xf = book.xf
    top = xf["text_top"]

    def make():
        for field, number, group in shown:
            units = group.units
            listed = "; ".join(names.get(code, code) for code in units[:30]) + ("; …" if len(units) > 30 else "")
            heading = spec.section_by_code[field.section].heading[:60]
            label = f"{number}. {group.label}"
            texts = [heading, label, "", listed, group.representative]
            yield fit_height(texts, widths), [(0, cut(heading), top), (1, cut(label), top),
                                              (2, len(units), xf["num"]), (3, cut(listed), top),
                                              (4, cut(group.representative), top)]
        if alone:
            yield None, []
            yield None, [(0, f"Còn {vn_number(alone)} ý riêng của từng đơn vị (chỉ một đơn vị nêu): xem "
                             "trang Thuyết minh và trang Kiến nghị.", xf["note"])]
    book.bulk(sheet, row + 1, len(shown) + (2 if alone else 0), 4, make)
