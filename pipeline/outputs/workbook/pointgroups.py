"""The "Phân nhóm câu" sheet: every point of every narrative, with its group's number and label, and the one column
staff type in, "Nhóm do văn phòng chọn" (yellow): another group's number, a new label or "riêng". The next run
reads it back before replacing the workbook (narratives/corrections.py); the corrections already in force are
shown there, so the office sees what it typed last time and empties a cell to withdraw one."""
from __future__ import annotations

from xlsxwriter.worksheet import Worksheet

from pipeline.narratives.corrections import (
    ALONE,
    CHOSEN,
    COLUMNS,
    Correction,
    collapsed,
    section_text,
)
from pipeline.outputs.workbook.common import Book, cut, fit_height, height_of, line_count, set_widths

WIDTHS = (26, 11, 26, 70, 7, 40, 26)
INSTRUCTION = ("Gõ số nhóm khác để chuyển ý sang nhóm đó, gõ tên nhóm mới để lập nhóm mới, hoặc gõ “riêng” để ý đứng "
               "riêng; lần tổng hợp sau sẽ áp dụng.")
GONE = "(ý này không còn trong báo cáo của đơn vị)"
LAST_ROW = 1_048_575  # Excel's last row, counted from 0


def write(book: Book, sheet: Worksheet) -> None:
    spec, data, consolidation = book.spec, book.data, book.consolidation
    row = book.title(sheet, "PHÂN NHÓM TỪNG Ý TRONG THUYẾT MINH (VĂN PHÒNG CHỈNH ĐƯỢC)", landscape=True)
    sheet.write_string(row - 1, 0, INSTRUCTION, book.f["note"])
    set_widths(sheet, WIDTHS)
    book.header(sheet, row, list(COLUMNS))
    sheet.write_string(row, CHOSEN, COLUMNS[CHOSEN], book.f["header_editable"])
    in_force = {c.key: c for c in consolidation.corrections}
    every = sum(len(group.sentences) for f in spec.narrative_fields for group in data.themes.get(f.code, []))
    missing = list(consolidation.corrections_missing)
    # Excel's sheet ends at row 1,048,576: a national roll-up's points would run past it. What does not fit is
    # said in a row of its own; those points still count in their groups everywhere else.
    points = min(every, LAST_ROW - row - 3 - len(missing))
    left_out = every - points
    sheet.autofilter(row, 0, row + points, len(COLUMNS) - 1)
    top, number_xf, editable = book.xf["text_top"], book.xf["num"], book.xf["editable"]
    names = book.unit_names()

    def make():
        # A row's height as fit_height gives it, from each column's lines, the lines of what repeats (the section,
        # the group's label, the unit's code and name) counted once: this sheet has a row per point of the province.
        named, written = {}, 0
        for field in spec.narrative_fields:
            section = section_text(spec, field.code)
            section_lines = line_count(section, WIDTHS[0])
            for number, group in enumerate(data.themes.get(field.code, []), start=1):
                label = group.label
                fixed = max(section_lines, line_count(label, WIDTHS[5]), line_count("", WIDTHS[4]))
                for unit, name, text in group.sentences:
                    if written == points:
                        break
                    written += 1
                    # most runs have no correction in force: no point is then collapsed to be looked up
                    correction = in_force.get((field.code, unit, collapsed(text))) if in_force else None
                    chosen = _shown(correction, number)
                    if (unit, name) not in named:
                        named[unit, name] = max(line_count(unit, WIDTHS[1]), line_count(name, WIDTHS[2]))
                    lines = max(fixed, named[unit, name], line_count(text, WIDTHS[3]),
                                line_count("" if chosen is None else chosen, WIDTHS[CHOSEN]))
                    yield height_of(lines), [
                        (0, section, top), (1, cut(unit), top), (2, cut(name), top), (3, cut(text), top),
                        (4, number, number_xf), (5, cut(label), top), (CHOSEN, chosen, editable)]
        if left_out:
            yield None, [(0, f"Còn {left_out:,} ý không hiện ở trang này vì trang đã tới giới hạn 1.048.576 dòng của "
                             "Excel; các ý đó vẫn được tính trong các nhóm (trang Nhóm ý kiến, dự thảo báo cáo)."
                             .replace(",", "."), book.xf["note"])]
        if missing:
            yield None, []
            yield None, [(0, f"Chỉnh sửa phân nhóm không còn áp dụng được ({len(missing)}): ý không còn trong báo cáo "
                             "của đơn vị (đơn vị đã sửa lời văn hoặc tệp không còn được nhận). Xóa ô vàng để bỏ hẳn "
                             "chỉnh sửa đó.", book.xf["note"])]
            for correction in missing:
                section = (section_text(spec, correction.field) if correction.field in spec.by_code
                           else correction.field)
                chosen = correction.typed()
                name = names.get(correction.unit, "")
                yield fit_height([section, "", name, correction.text, "", GONE, chosen], WIDTHS), [
                    (0, section, top), (1, cut(correction.unit), top), (2, cut(name), top),
                    (3, cut(correction.text), top), (4, None, top), (5, GONE, top), (CHOSEN, chosen, editable)]
    book.bulk(sheet, row + 1, points + (1 if left_out else 0) + (2 + len(missing) if missing else 0),
              len(COLUMNS) - 1, make)


def _shown(correction: Correction | None, number: int) -> str | int | None:
    """The correction in force as the yellow cell shows it: the number of the group the point is now in when the
    office chose an existing group, the label it typed for a new one, "riêng"; blank without one."""
    if correction is None:
        return None
    if correction.target[0] == "alone":
        return ALONE
    return number if correction.target[0] == "group" else correction.target[1]
